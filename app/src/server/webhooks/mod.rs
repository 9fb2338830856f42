//! Outbound webhooks: the events a company can subscribe to, the signature its receivers check,
//! and the transport the delivery worker POSTs through (a small trait; HTTP by `reqwest`, with
//! internal addresses refused in production, is the real one).
pub mod address;
pub mod http;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use super::payments::BoxFuture;

/// Every event an endpoint can subscribe to; `name` is what the API and the payload carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    UserCreated,
    UserUpdated,
    UserDeactivated,
    DepartmentCreated,
    DepartmentUpdated,
    DepartmentDeleted,
    DepartmentMemberAdded,
    DepartmentMemberRemoved,
    SubscriptionUpdated,
    /// Sent only by `POST /api/v1/webhooks/:id/test`, whatever the endpoint subscribes to.
    Ping,
}

impl Event {
    /// The events an endpoint may subscribe to (`ping` is not one: every endpoint can be pinged).
    pub const SUBSCRIBABLE: [Event; 9] = [
        Event::UserCreated,
        Event::UserUpdated,
        Event::UserDeactivated,
        Event::DepartmentCreated,
        Event::DepartmentUpdated,
        Event::DepartmentDeleted,
        Event::DepartmentMemberAdded,
        Event::DepartmentMemberRemoved,
        Event::SubscriptionUpdated,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Event::UserCreated => "user.created",
            Event::UserUpdated => "user.updated",
            Event::UserDeactivated => "user.deactivated",
            Event::DepartmentCreated => "department.created",
            Event::DepartmentUpdated => "department.updated",
            Event::DepartmentDeleted => "department.deleted",
            Event::DepartmentMemberAdded => "department.member_added",
            Event::DepartmentMemberRemoved => "department.member_removed",
            Event::SubscriptionUpdated => "subscription.updated",
            Event::Ping => "webhook.ping",
        }
    }

    pub fn parse_subscribable(name: &str) -> Option<Event> {
        Event::SUBSCRIBABLE.into_iter().find(|e| e.name() == name)
    }
}

/// The `X-Atrium-Signature` value: `sha256=` and the hex HMAC-SHA256, keyed by the endpoint's
/// secret, of `<timestamp>.<raw body>`. The timestamp inside the signed text lets a receiver
/// refuse an old message replayed with its valid signature.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", super::text::hex(&mac.finalize().into_bytes()))
}

/// A new endpoint secret: `whsec_` and 256 random bits in hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", super::text::hex(&bytes))
}

/// One attempt to deliver, as the worker hands it to the transport.
pub struct Outgoing<'a> {
    pub delivery_id: Uuid,
    pub url: &'a str,
    pub event: &'a str,
    pub body: &'a str,
    pub secret: &'a str,
}

/// What came of an attempt. Any 2xx is delivered; everything else is retried until the delivery
/// is given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered {
        status: u16,
    },
    /// The receiver answered, but not with 2xx.
    Refused {
        status: u16,
    },
    /// No answer: connection error, timeout.
    Failed {
        error: String,
    },
    /// Not sent: the endpoint's address is not allowed (internal, in production). Not retried.
    Blocked {
        error: String,
    },
}

impl Attempt {
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Attempt::Delivered { status } | Attempt::Refused { status } => Some(*status),
            Attempt::Failed { .. } | Attempt::Blocked { .. } => None,
        }
    }

    pub fn error(&self) -> Option<String> {
        match self {
            Attempt::Delivered { .. } => None,
            Attempt::Refused { status } => Some(format!("answered {status}")),
            Attempt::Failed { error } | Attempt::Blocked { error } => Some(error.clone()),
        }
    }
}

pub trait WebhookTransport: Send + Sync {
    fn send<'a>(&'a self, message: &'a Outgoing<'a>) -> BoxFuture<'a, Attempt>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        // What a receiver computes with another HMAC implementation:
        // echo -n "1700000000.{}" | openssl dgst -sha256 -hmac whsec_test
        let sig = signature("whsec_test", 1_700_000_000, "{}");
        assert_eq!(sig, "sha256=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
        assert_ne!(sig, signature("whsec_test", 1_700_000_001, "{}"), "another timestamp");
        assert_ne!(sig, signature("whsec_test", 1_700_000_000, "{ }"), "another body");
        assert_ne!(sig, signature("whsec_other", 1_700_000_000, "{}"), "another secret");
    }

    #[test]
    fn the_pages_list_of_events_is_the_servers() {
        let names: Vec<&str> = Event::SUBSCRIBABLE.iter().map(|e| e.name()).collect();
        assert_eq!(names, crate::model::WEBHOOK_EVENTS);
    }

    #[test]
    fn only_listed_events_can_be_subscribed() {
        assert_eq!(Event::parse_subscribable("user.created"), Some(Event::UserCreated));
        assert_eq!(Event::parse_subscribable("department.member_removed"), Some(Event::DepartmentMemberRemoved));
        assert_eq!(Event::parse_subscribable("webhook.ping"), None);
        assert_eq!(Event::parse_subscribable("User.Created"), None);
    }
}
