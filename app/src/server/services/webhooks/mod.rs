//! Outbound webhooks as the company manages them (`/api/v1/webhooks`, managers and owners, on
//! plans with the feature): endpoints with the events they subscribe to, their signing secret,
//! a test event and the deliveries list. [`events::emit`] queues an event in the transaction of
//! the change; [`delivery`] is the worker that POSTs it.
pub mod delivery;
pub mod events;

use std::collections::HashMap;

use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use super::{authz, listing};
use crate::{
    error::AppError,
    model::{CreatedWebhookDto, Page, PageMeta, Role, WebhookDeliveryDto, WebhookDto},
    server::{
        db::{
            public::webhook_deliveries::{self, DeliveryRow},
            tenant::webhooks::{self, Change, NewWebhook, WebhookRow},
        },
        domain::{body, fields::Fields},
        state::Core,
        tenancy::context::TenantContext,
        webhooks::{address, new_secret, Event},
    },
};

/// Endpoints one company may have.
pub const MAX_ENDPOINTS: i64 = 20;
const MAX_DESCRIPTION: usize = 500;

body! {
    /// `PUT /api/v1/webhooks/:id` (absent fields keep their value).
    pub struct WebhookInput {
        #[schema(max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] url: String,
        #[schema(min_items = 1, value_type = Option<Vec<WebhookEventName>>)] events: Vec<String>,
        #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")] description: String,
        active: bool,
    }
}

body! {
    /// `POST /api/v1/webhooks`: a [`WebhookInput`] whose `url` and `events` are required.
    pub struct CreateWebhook {
        #[schema(required = true, nullable = false, max_length = 2000, pattern = r"^https?://(?!.*xn--)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z]([a-z0-9-]*[a-z0-9])?(:[1-9][0-9]{0,3})?(/[!-~]*)?$")] url: String,
        #[schema(required = true, nullable = false, min_items = 1, value_type = Vec<WebhookEventName>)] events: Vec<String>,
        #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")] description: String,
        active: bool,
    }
}

impl From<CreateWebhook> for WebhookInput {
    fn from(new: CreateWebhook) -> Self {
        WebhookInput { url: new.url, events: new.events, description: new.description, active: new.active }
    }
}

/// The events an endpoint can subscribe to, as the API description names them: an enum of
/// [`crate::model::WEBHOOK_EVENTS`], the one list the server and the page share.
pub struct WebhookEventName;

impl utoipa::PartialSchema for WebhookEventName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(crate::model::WEBHOOK_EVENTS))
            .into()
    }
}

impl utoipa::ToSchema for WebhookEventName {}

fn timestamp(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn to_dto(row: WebhookRow) -> WebhookDto {
    WebhookDto {
        id: row.id,
        url: row.url,
        events: row.events,
        description: row.description,
        active: row.active,
        disabled_reason: row.disabled_reason,
        failing_since: row.failing_since.map(timestamp),
        created_at: timestamp(row.inserted_at),
        updated_at: timestamp(row.updated_at),
    }
}

fn delivery_dto(row: DeliveryRow) -> WebhookDeliveryDto {
    let waiting = matches!(row.status.as_str(), "pending" | "sending");
    WebhookDeliveryDto {
        id: row.id,
        event_id: row.event_id,
        event: row.event,
        status: row.status,
        attempts: row.attempts,
        last_status_code: row.last_status_code,
        last_error: row.last_error,
        last_attempt_at: row.last_attempt_at.map(timestamp),
        next_attempt_at: waiting.then(|| timestamp(row.next_attempt_at)),
        delivered_at: row.delivered_at.map(timestamp),
        created_at: timestamp(row.inserted_at),
    }
}

/// Managers and owners, on a plan with webhooks. The plan is checked first: on the starter plan
/// every caller learns that the feature is what is missing.
fn allowed(ctx: &TenantContext) -> Result<(), AppError> {
    if !ctx.tenant.webhooks_enabled {
        return Err(AppError::PlanFeatureUnavailable { feature: "webhooks".into() });
    }
    authz::require(ctx, Role::Manager)
}

/// A URL an endpoint may have: http(s), and in production a public address.
async fn endpoint_url(core: &Core, raw: &str) -> Result<String, String> {
    let url = address::check_url(raw.trim())?;
    if !core.settings.webhooks.allow_private_addresses {
        address::check_reachable(&url).await?;
    }
    Ok(url.to_string())
}

/// Known event names, each once, in the order given.
fn event_names(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() {
        return Err("must name at least one event".into());
    }
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    for name in raw {
        let Some(event) = Event::parse_subscribable(name) else {
            let known: Vec<&str> = Event::SUBSCRIBABLE.iter().map(|e| e.name()).collect();
            return Err(format!("{name:?} is not an event; the events are: {}", known.join(", ")));
        };
        if !names.iter().any(|n| n == event.name()) {
            names.push(event.name().to_string());
        }
    }
    Ok(names)
}

fn description(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > MAX_DESCRIPTION {
        return Err(format!("should be at most {MAX_DESCRIPTION} characters"));
    }
    if crate::server::domain::has_control(trimmed) {
        return Err(crate::server::domain::name::CONTROL.into());
    }
    Ok(trimmed.to_string())
}

struct Parsed {
    url: Option<String>,
    events: Option<Vec<String>>,
    description: Option<String>,
}

async fn parse(core: &Core, input: &WebhookInput, creating: bool) -> Result<Parsed, AppError> {
    let mut fields = Fields::new();
    let url = match input.url.as_deref().map(str::trim) {
        None | Some("") if creating => {
            fields.add("url", crate::server::domain::BLANK);
            None
        }
        None => None,
        Some(raw) => fields.check("url", endpoint_url(core, raw).await),
    };
    let events = match &input.events {
        None if creating => {
            fields.add("events", crate::server::domain::BLANK);
            None
        }
        None => None,
        Some(raw) => fields.check("events", event_names(raw)),
    };
    let description = input.description.as_deref().and_then(|raw| fields.check("description", description(raw)));
    fields.finish()?;
    Ok(Parsed { url, events, description })
}

/// `POST /api/v1/webhooks`: a new endpoint and its secret, shown in this answer only.
pub async fn create(core: &Core, ctx: &TenantContext, input: WebhookInput) -> Result<CreatedWebhookDto, AppError> {
    allowed(ctx)?;
    ctx.ensure_writable()?;
    let parsed = parse(core, &input, true).await?;
    let (Some(url), Some(events)) = (parsed.url, parsed.events) else { return Err(AppError::Internal) };
    let secret = new_secret();
    let mut tx = ctx.db.begin().await?;
    crate::server::db::tenant::company::lock(&mut tx).await?;
    if webhooks::count(&mut tx).await? >= MAX_ENDPOINTS {
        return Err(AppError::Unprocessable {
            detail: format!("A company can have at most {MAX_ENDPOINTS} webhook endpoints"),
            code: "webhook_limit".into(),
        });
    }
    let new = NewWebhook {
        id: Uuid::new_v4(),
        url: &url,
        events: &events,
        description: parsed.description.as_deref().unwrap_or_default(),
        active: input.active.unwrap_or(true),
        secret: &secret,
        created_by: ctx.person_id(),
    };
    let row = webhooks::insert(&mut tx, &new).await?;
    tx.commit().await?;
    tracing::info!(webhook = %row.id, "webhook endpoint created");
    Ok(CreatedWebhookDto { webhook: to_dto(row), secret })
}

/// `GET /api/v1/webhooks`.
pub async fn list(ctx: &TenantContext) -> Result<Vec<WebhookDto>, AppError> {
    allowed(ctx)?;
    Ok(webhooks::list(&ctx.db).await?.into_iter().map(to_dto).collect())
}

/// `GET /api/v1/webhooks/:id`.
pub async fn get(ctx: &TenantContext, id: Uuid) -> Result<WebhookDto, AppError> {
    allowed(ctx)?;
    webhooks::find(&ctx.db, id).await?.map(to_dto).ok_or(AppError::NotFound)
}

/// `PUT /api/v1/webhooks/:id`. Switching an endpoint off gives up its waiting deliveries;
/// switching it on clears its failure record.
pub async fn update(core: &Core, ctx: &TenantContext, id: Uuid, input: WebhookInput) -> Result<WebhookDto, AppError> {
    allowed(ctx)?;
    ctx.ensure_writable()?;
    let parsed = parse(core, &input, false).await?;
    let change = Change {
        url: parsed.url.as_deref(),
        events: parsed.events.as_deref(),
        description: parsed.description.as_deref(),
        active: input.active,
    };
    let mut tx = ctx.db.begin().await?;
    let row = webhooks::update(&mut tx, id, &change).await?.ok_or(AppError::NotFound)?;
    if input.active == Some(false) {
        webhook_deliveries::abandon(tx.conn(), ctx.tenant.id, id, "the endpoint was switched off").await?;
    }
    tx.commit().await?;
    Ok(to_dto(row))
}

/// `DELETE /api/v1/webhooks/:id`: the endpoint and its deliveries.
pub async fn delete(ctx: &TenantContext, id: Uuid) -> Result<(), AppError> {
    allowed(ctx)?;
    let mut tx = ctx.db.begin().await?;
    if !webhooks::delete(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    webhook_deliveries::delete_for(tx.conn(), ctx.tenant.id, id).await?;
    tx.commit().await?;
    tracing::info!(webhook = %id, "webhook endpoint deleted");
    Ok(())
}

/// `POST /api/v1/webhooks/:id/rotate-secret`: a new secret, in force for the next attempt.
pub async fn rotate_secret(ctx: &TenantContext, id: Uuid) -> Result<CreatedWebhookDto, AppError> {
    allowed(ctx)?;
    let secret = new_secret();
    let row = webhooks::set_secret(&ctx.db, id, &secret).await?.ok_or(AppError::NotFound)?;
    tracing::info!(webhook = %id, "webhook secret rotated");
    Ok(CreatedWebhookDto { webhook: to_dto(row), secret })
}

/// `POST /api/v1/webhooks/:id/test`: queues a `webhook.ping` for this endpoint only.
pub async fn test(ctx: &TenantContext, id: Uuid) -> Result<WebhookDeliveryDto, AppError> {
    allowed(ctx)?;
    let endpoint = webhooks::find(&ctx.db, id).await?.ok_or(AppError::NotFound)?;
    if !endpoint.active {
        return Err(AppError::Conflict {
            detail: "The endpoint is switched off: turn it on to send it events".into(),
            code: "webhook_inactive".into(),
        });
    }
    let mut tx = ctx.db.begin().await?;
    let data = serde_json::json!({ "webhook_id": id, "message": "A test event sent from Atrium" });
    let queued = events::queue(&mut tx, &ctx.tenant, &[id], Event::Ping, data).await?;
    tx.commit().await?;
    let now = timestamp(OffsetDateTime::now_utc());
    Ok(WebhookDeliveryDto {
        id: queued.deliveries.first().copied().ok_or(AppError::Internal)?,
        event_id: queued.event_id,
        event: Event::Ping.name().into(),
        status: "pending".into(),
        attempts: 0,
        last_status_code: None,
        last_error: None,
        last_attempt_at: None,
        next_attempt_at: Some(now.clone()),
        delivered_at: None,
        created_at: now,
    })
}

/// `GET /api/v1/webhooks/:id/deliveries?page=&page_size=`: newest first.
pub async fn deliveries(
    ctx: &TenantContext,
    id: Uuid,
    params: &HashMap<String, String>,
) -> Result<Page<WebhookDeliveryDto>, AppError> {
    allowed(ctx)?;
    let q = listing::Query::new(params);
    let paging = q.paging.clone();
    q.finish()?;
    webhooks::find(&ctx.db, id).await?.ok_or(AppError::NotFound)?;
    let pool = ctx.db.executor();
    let rows = webhook_deliveries::for_endpoint(pool, ctx.tenant.id, id, paging.size, paging.offset()).await?;
    let total = webhook_deliveries::count_for_endpoint(pool, ctx.tenant.id, id).await?;
    Ok(Page {
        data: rows.into_iter().map(delivery_dto).collect(),
        meta: PageMeta::new(Some(paging.page), paging.size, total),
    })
}
