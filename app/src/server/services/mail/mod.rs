//! Mail as the use cases see it: [`queue`] renders a template for one recipient, in their
//! language and with the company's brand, into the outbox inside the caller's transaction (the
//! message exists exactly when the change that causes it commits); [`delivery`] sends it;
//! [`notices`] finds what is due without a request (trials ending).
pub mod delivery;
pub mod notices;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    i18n::Locale,
    server::{
        db::public::outbox::{self, NewMessage},
        mail::templates::{self, Brand, Template},
        settings::Settings,
        tenancy::{db::TenantTx, tenant::Tenant},
    },
};

/// Who receives a message and in which language (the user's own setting; users always have one,
/// chosen at invitation or signup from the inviter's or the browser's).
pub struct Recipient<'a> {
    pub email: &'a str,
    pub locale: Locale,
}

/// The company a message speaks for: its workspace, name and brand colour.
pub struct Sender<'a> {
    pub tenant_id: Uuid,
    pub company: &'a str,
    pub color: Option<String>,
}

/// The sender for `tenant`, its brand colour read in the transaction.
pub async fn sender<'a>(tx: &mut TenantTx, tenant: &'a Tenant) -> Result<Sender<'a>, sqlx::Error> {
    let sql = tx.sql("SELECT primary_color FROM {t}.company WHERE id = 1");
    let color = sqlx::query_scalar::<_, Option<String>>(&sql).fetch_optional(tx.conn()).await?.flatten();
    Ok(Sender { tenant_id: tenant.id, company: &tenant.name, color })
}

/// Renders `template` for `to` and writes it to the outbox on `conn` (the caller's transaction).
/// With a `dedupe_key` the message goes out at most once; answers whether it was queued.
pub async fn queue(
    conn: &mut PgConnection,
    from: &Sender<'_>,
    to: &Recipient<'_>,
    template: &Template<'_>,
    dedupe_key: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let brand = Brand { company: from.company, color: from.color.as_deref() };
    let content = templates::render(template, to.locale, &brand);
    outbox::enqueue(
        conn,
        &NewMessage {
            tenant_id: Some(from.tenant_id),
            kind: template.kind(),
            dedupe_key,
            recipient: to.email,
            locale: to.locale.tag(),
            subject: &content.subject,
            html: &content.html,
            text: &content.text,
        },
    )
    .await
}

/// Absolute links in messages, on the app's public URL (`ATRIUM_PUBLIC_URL`).
pub fn link(settings: &Settings, path: &str) -> String {
    format!("{}{path}", settings.public_url)
}
