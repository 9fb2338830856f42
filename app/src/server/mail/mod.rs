//! Mail: the transport the outbox worker delivers through (a small trait; SMTP by `lettre` is
//! the real one, the development mailbox keeps messages where `/dev/mailbox` shows them) and the
//! templates every message is rendered from.
pub mod smtp;
pub mod templates;

use uuid::Uuid;

use super::payments::BoxFuture;

pub use lettre::message::Mailbox;

/// One message as the outbox holds it, ready to send.
pub struct Outgoing<'a> {
    /// The outbox id: it becomes the Message-ID, so a message sent again after a crash is
    /// recognisable as the same one.
    pub id: Uuid,
    pub to: &'a str,
    pub subject: &'a str,
    pub html: &'a str,
    pub text: &'a str,
}

/// Why a message was not sent: try again later, or never.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("temporary failure: {0}")]
    Temporary(String),
    #[error("permanent failure: {0}")]
    Permanent(String),
}

pub trait MailTransport: Send + Sync {
    /// `smtp` or `mailbox`, for logs.
    fn name(&self) -> &'static str;

    fn send<'a>(&'a self, message: &'a Outgoing<'a>) -> BoxFuture<'a, Result<(), SendError>>;
}

/// Development without an SMTP server: nothing leaves the machine; the outbox row, marked sent,
/// is what the development mailbox page shows.
pub struct DevMailbox;

impl MailTransport for DevMailbox {
    fn name(&self) -> &'static str {
        "mailbox"
    }

    fn send<'a>(&'a self, message: &'a Outgoing<'a>) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            tracing::info!(to = %message.to, subject = %message.subject, "mail kept for the development mailbox");
            Ok(())
        })
    }
}
