//! Departments and their members (supervisor and above).
use std::collections::HashMap;

use uuid::Uuid;

use super::{
    authz,
    limits::{self, Resource},
    listing,
};
use crate::{
    error::{AppError, FieldErrors},
    model::{DepartmentDto, Page, Role, UserDto},
    server::{
        db::{
            self,
            departments::{DepartmentFields, DepartmentFilter, DepartmentSort},
        },
        error::unique_violation,
        tenant::{TenantContext, TenantTx},
        text::slugify,
    },
};

pub async fn list(ctx: &TenantContext, params: &HashMap<String, String>) -> Result<Page<DepartmentDto>, AppError> {
    authz::require(ctx, Role::Supervisor)?;
    let mut q = listing::Query::new(params);
    let (page, size, descending) = q.paging();
    let sort = q.one_of(
        "sort_by",
        &[("name", DepartmentSort::Name), ("inserted_at", DepartmentSort::InsertedAt)],
        DepartmentSort::Name,
    );
    let active = q.bool("active");
    let search = q.text("search");
    q.finish()?;
    let filter = DepartmentFilter { search, active, sort, descending, limit: size, offset: (page - 1) * size };
    let (data, total) = db::departments::list(&ctx.db, &filter).await?;
    Ok(Page { data, meta: listing::meta(page, size, total) })
}

pub async fn get(ctx: &TenantContext, id: Uuid) -> Result<DepartmentDto, AppError> {
    authz::require(ctx, Role::Supervisor)?;
    db::departments::find(&ctx.db, id).await?.ok_or(AppError::NotFound)
}

/// A department's fields as a client sends them; for an update, absent fields keep their value.
#[derive(Debug, Default, Clone)]
pub struct DepartmentInput {
    pub name: Option<String>,
    pub identifier: Option<String>,
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
    pub max_queue_size: Option<Option<i32>>,
    pub max_wait_time: Option<Option<i32>>,
}

fn validate(input: &DepartmentInput, creating: bool) -> FieldErrors {
    let mut f = FieldErrors::new();
    let mut add = |k: &str, m: &str| f.entry(k.to_string()).or_default().push(m.to_string());
    match input.name.as_deref().map(str::trim) {
        None if creating => add("name", "can't be blank"),
        Some("") => add("name", "can't be blank"),
        Some(n) if n.chars().count() > 120 => add("name", "should be at most 120 characters"),
        _ => {}
    }
    if let Some(id) = input.identifier.as_deref() {
        if id.is_empty() || id.len() > 60 || slugify(id) != id {
            add("identifier", "must be lowercase letters, digits and single hyphens (at most 60)");
        }
    }
    if input.description.as_ref().and_then(|d| d.as_deref()).is_some_and(|d| d.chars().count() > 1000) {
        add("description", "should be at most 1000 characters");
    }
    for (key, value) in [("max_queue_size", input.max_queue_size), ("max_wait_time", input.max_wait_time)] {
        if value.flatten().is_some_and(|v| v < 1) {
            add(key, "must be greater than 0");
        }
    }
    f
}

/// The given identifier, or one made from the name, made unique with `-2`, `-3`, ... when taken.
async fn identifier_for(
    tx: &mut TenantTx,
    input: &DepartmentInput,
    name: &str,
    except: Option<Uuid>,
) -> Result<String, AppError> {
    if let Some(given) = &input.identifier {
        if db::departments::identifier_taken(tx, given, except).await? {
            return Err(AppError::field("identifier", "has already been taken"));
        }
        return Ok(given.clone());
    }
    let base = Some(slugify(name)).filter(|s| !s.is_empty()).unwrap_or_else(|| "department".into());
    let base: String = base.chars().take(50).collect::<String>().trim_end_matches('-').to_string();
    let mut candidate = base.clone();
    let mut n = 2;
    while db::departments::identifier_taken(tx, &candidate, except).await? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

fn identifier_conflict(err: sqlx::Error) -> AppError {
    match unique_violation(&err) {
        Some(_) => AppError::field("identifier", "has already been taken"),
        None => err.into(),
    }
}

pub async fn create(ctx: &TenantContext, input: DepartmentInput) -> Result<DepartmentDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    let fields = validate(&input, true);
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let name = input.name.as_deref().unwrap_or_default().trim().to_string();
    let active = input.active.unwrap_or(true);
    let mut tx = ctx.db.begin().await?;
    db::company::lock(&mut tx).await?;
    if active {
        limits::ensure_room(&mut tx, ctx.tenant.id, Resource::Departments).await?;
    }
    let identifier = identifier_for(&mut tx, &input, &name, None).await?;
    let id = Uuid::new_v4();
    let description = input.description.clone().flatten();
    let fields = DepartmentFields {
        name: &name,
        identifier: &identifier,
        description: description.as_deref().map(str::trim).filter(|d| !d.is_empty()),
        active,
        max_queue_size: input.max_queue_size.flatten(),
        max_wait_time: input.max_wait_time.flatten(),
    };
    db::departments::insert(&mut tx, id, &fields).await.map_err(identifier_conflict)?;
    let created = db::departments::find_in(&mut tx, id).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update(ctx: &TenantContext, id: Uuid, input: DepartmentInput) -> Result<DepartmentDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    let fields = validate(&input, false);
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let mut tx = ctx.db.begin().await?;
    db::company::lock(&mut tx).await?;
    let current = db::departments::find_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let active = input.active.unwrap_or(current.active);
    if active && !current.active {
        limits::ensure_room(&mut tx, ctx.tenant.id, Resource::Departments).await?;
    }
    let name = input.name.as_deref().map(str::trim).unwrap_or(&current.name).to_string();
    let identifier = match &input.identifier {
        Some(_) => identifier_for(&mut tx, &input, &name, Some(id)).await?,
        None => current.identifier.clone(),
    };
    let description = match &input.description {
        Some(d) => d.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string),
        None => current.description.clone(),
    };
    let fields = DepartmentFields {
        name: &name,
        identifier: &identifier,
        description: description.as_deref(),
        active,
        max_queue_size: input.max_queue_size.unwrap_or(current.max_queue_size),
        max_wait_time: input.max_wait_time.unwrap_or(current.max_wait_time),
    };
    db::departments::update(&mut tx, id, &fields).await.map_err(identifier_conflict)?;
    let updated = db::departments::find_in(&mut tx, id).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn delete(ctx: &TenantContext, id: Uuid) -> Result<(), AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    if db::departments::delete(&ctx.db, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn members(ctx: &TenantContext, id: Uuid) -> Result<Vec<UserDto>, AppError> {
    get(ctx, id).await?;
    Ok(db::departments::members(&ctx.db, id).await?.iter().map(|u| u.to_dto()).collect())
}

/// Adds a member; a user of another tenant is as unknown here as one that does not exist.
pub async fn add_member(ctx: &TenantContext, id: Uuid, user_id: Option<Uuid>) -> Result<DepartmentDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    let user_id = user_id.ok_or_else(|| AppError::field("user_id", "can't be blank"))?;
    db::departments::find(&ctx.db, id).await?.ok_or(AppError::NotFound)?;
    db::users::find_by_id(&ctx.db, user_id).await?.ok_or(AppError::NotFound)?;
    db::departments::add_member(&ctx.db, id, user_id).await?;
    get(ctx, id).await
}

pub async fn remove_member(ctx: &TenantContext, id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    db::departments::find(&ctx.db, id).await?.ok_or(AppError::NotFound)?;
    if db::departments::remove_member(&ctx.db, id, user_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
