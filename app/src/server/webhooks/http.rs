//! The real webhook transport: one `reqwest` client, no redirects followed (a redirect could
//! lead to an internal address), a time limit per attempt, and in production a resolver that
//! only hands out public addresses, so the address checked is the address connected to.
use std::{net::SocketAddr, sync::Arc, time::Duration};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::{
    address::{check_url, is_public},
    Attempt, Outgoing, WebhookTransport,
};
use crate::server::payments::BoxFuture;

/// The error of an attempt refused because the endpoint resolves to an internal address.
const NOT_PUBLIC: &str = "refused: not a public address";

const USER_AGENT: &str = concat!("Atrium-Webhooks/", env!("CARGO_PKG_VERSION"));

pub struct HttpTransport {
    client: reqwest::Client,
    allow_private: bool,
}

impl HttpTransport {
    pub fn new(timeout: Duration, allow_private: bool) -> Self {
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .no_proxy();
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        HttpTransport { client: builder.build().expect("HTTP client configuration"), allow_private }
    }

    async fn post(&self, message: &Outgoing<'_>) -> Attempt {
        let url = match check_url(message.url) {
            Ok(url) => url,
            Err(problem) => return Attempt::Blocked { error: format!("the URL {problem}") },
        };
        // A literal address never reaches the resolver: it is checked here.
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        if !self.allow_private && literal.is_some_and(|ip| !is_public(ip)) {
            return Attempt::Blocked { error: NOT_PUBLIC.into() };
        }
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let answer = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Atrium-Event", message.event)
            .header("X-Atrium-Delivery", message.delivery_id.to_string())
            .header("X-Atrium-Timestamp", timestamp.to_string())
            .header("X-Atrium-Signature", super::signature(message.secret, timestamp, message.body))
            .body(message.body.to_string())
            .send()
            .await;
        match answer {
            Ok(response) if response.status().is_success() => Attempt::Delivered { status: response.status().as_u16() },
            Ok(response) => Attempt::Refused { status: response.status().as_u16() },
            Err(err) if err.is_timeout() => Attempt::Failed { error: "timed out".into() },
            Err(err) => {
                let error = describe(&err);
                if error == NOT_PUBLIC {
                    Attempt::Blocked { error }
                } else {
                    Attempt::Failed { error }
                }
            }
        }
    }
}

/// The innermost cause of a connection error ("connection refused", "refused: not a public
/// address"), which is what the endpoint's owner can act on.
fn describe(err: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = err;
    while let Some(next) = source.source() {
        source = next;
    }
    let text = source.to_string();
    text.chars().take(300).collect()
}

impl WebhookTransport for HttpTransport {
    fn send<'a>(&'a self, message: &'a Outgoing<'a>) -> BoxFuture<'a, Attempt> {
        Box::pin(self.post(message))
    }
}

/// Resolves with the system resolver and keeps the public addresses only; none left is an error.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(NOT_PUBLIC.into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}
