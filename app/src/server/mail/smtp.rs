//! The real transport: SMTP through `lettre` (plain, STARTTLS or TLS as the URL says; auth when
//! the URL carries a user).
use std::time::Duration;

use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::{MailTransport, Outgoing, SendError};
use crate::server::payments::BoxFuture;

pub struct SmtpTransport {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The domain of the Message-ID (the sender's).
    domain: String,
}

/// A server that does not answer within this time counts as a temporary failure; the outbox's
/// claim lease is longer, so no other process takes the message over meanwhile.
const TIMEOUT: Duration = Duration::from_secs(30);

impl SmtpTransport {
    /// `url`: `smtp://[user:pass@]host[:port][?tls=required|opportunistic]` or `smtps://...`.
    pub fn new(url: &str, from: &str) -> Result<SmtpTransport, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("ATRIUM_SMTP_URL: {e}"))?
            .timeout(Some(TIMEOUT))
            .build();
        let from: Mailbox = from.parse().map_err(|e| format!("ATRIUM_MAIL_FROM: {e}"))?;
        let domain = from.email.domain().to_string();
        Ok(SmtpTransport { transport, from, domain })
    }

    fn build(&self, message: &Outgoing<'_>) -> Result<Message, SendError> {
        let to: Mailbox =
            message.to.parse().map_err(|e| SendError::Permanent(format!("recipient {}: {e}", message.to)))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject)
            .message_id(Some(format!("<{}@{}>", message.id, self.domain)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(message.text.to_string()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(message.html.to_string())),
            )
            .map_err(|e| SendError::Permanent(format!("building the message: {e}")))
    }
}

impl MailTransport for SmtpTransport {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn send<'a>(&'a self, message: &'a Outgoing<'a>) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let email = self.build(message)?;
            match self.transport.send(email).await {
                Ok(_) => Ok(()),
                // A 5xx answer will not change on retry; everything else (4xx, refused connection,
                // timeout, TLS trouble) might.
                Err(err) if err.is_permanent() => Err(SendError::Permanent(err.to_string())),
                Err(err) => Err(SendError::Temporary(err.to_string())),
            }
        })
    }
}
