//! API keys (service accounts): machines act in the company with a role, without a person's
//! password. Managers and owners create, list and revoke them; a key never manages keys
//! (`web::auth::people_only` keeps keys off these routes).
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use super::authz;
use crate::{
    error::AppError,
    model::{ApiKeyDto, CreatedApiKeyDto, Role},
    server::{
        db::tenant::api_keys::{self, ListedKey, NewKey},
        domain::{body, fields::Fields, name::Name},
        tenancy::context::TenantContext,
        tokens,
    },
};

body! {
    pub struct CreateApiKey {
        #[schema(required = true, nullable = false, min_length = 1, max_length = 120, pattern = r"\S")] name: String,
        #[schema(required = true, nullable = false, value_type = crate::model::Role)] role: String,
        #[schema(format = DateTime)] expires_at: String,
    }
}

fn timestamp(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// An expiry in the future (RFC 3339).
fn future_time(raw: &str) -> Result<OffsetDateTime, String> {
    let at = OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| "must be a date and time (RFC 3339)".to_string())?;
    if at <= OffsetDateTime::now_utc() {
        return Err("must be in the future".into());
    }
    Ok(at)
}

/// `POST /api/v1/api-keys`: a new key with a role no higher than its creator's.
pub async fn create(ctx: &TenantContext, input: CreateApiKey) -> Result<CreatedApiKeyDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    let creator = ctx.person_id().ok_or(AppError::ApiKeyNotAllowed)?;
    let mut fields = Fields::new();
    let name = fields.required("name", input.name.as_deref(), Name::parse);
    let role = fields.required("role", input.role.as_deref(), |raw| match Role::parse(raw) {
        None => Err("must be one of: attendant, supervisor, manager, owner".into()),
        Some(role) if !authz::may_grant(ctx.user.role, role) => Err("is above your own role".into()),
        Some(role) => Ok(role),
    });
    let expires_at = fields.optional("expires_at", input.expires_at.as_deref(), future_time);
    fields.finish()?;
    let (Some(name), Some(role)) = (name, role) else { return Err(AppError::Internal) };

    let (key, prefix, secret_hash) = tokens::new_api_key();
    let id = Uuid::new_v4();
    let mut tx = ctx.db.begin().await?;
    let new = NewKey {
        id,
        name: name.as_str(),
        role,
        prefix: &prefix,
        secret_hash: &secret_hash,
        created_by: creator,
        expires_at,
    };
    api_keys::insert(&mut tx, &new).await?;
    tx.commit().await?;
    tracing::info!(api_key = %id, role = role.as_str(), "API key created");
    Ok(CreatedApiKeyDto { id, name: name.into_string(), role, prefix, key, expires_at: expires_at.map(timestamp) })
}

fn to_dto(row: ListedKey) -> ApiKeyDto {
    ApiKeyDto {
        id: row.id,
        name: row.name,
        role: row.role,
        prefix: row.prefix,
        created_by: row.created_by,
        created_at: timestamp(row.inserted_at),
        expires_at: row.expires_at.map(timestamp),
        last_used_at: row.last_used_at.map(timestamp),
        last_used_address: row.last_used_address,
    }
}

/// `GET /api/v1/api-keys`: every key of the company, newest first.
pub async fn list(ctx: &TenantContext) -> Result<Vec<ApiKeyDto>, AppError> {
    authz::require(ctx, Role::Manager)?;
    Ok(api_keys::list(&ctx.db).await?.into_iter().map(to_dto).collect())
}

/// `DELETE /api/v1/api-keys/:id`: the key stops working at its next request, on every node.
pub async fn revoke(ctx: &TenantContext, id: Uuid) -> Result<(), AppError> {
    authz::require(ctx, Role::Manager)?;
    if !api_keys::delete(&ctx.db, id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(api_key = %id, "API key revoked");
    Ok(())
}
