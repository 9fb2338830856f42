//! Departments and their members (supervisor and above).
use std::collections::HashMap;

use uuid::Uuid;

use super::{
    authz,
    limits::{self, Resource},
    listing,
    webhooks::events,
};
use crate::{
    error::AppError,
    model::{DepartmentDto, Page, Role, UserDto},
    server::{
        db::tenant::{
            company,
            departments::{self, DepartmentFields, DepartmentFilter, DepartmentSort},
            users,
        },
        domain::{body, fields::Fields, name::Name, nullable, BLANK},
        error::on_constraint,
        state::Core,
        tenancy::{context::TenantContext, db::TenantTx},
        text::slugify,
        webhooks::Event,
    },
};

/// The sorts of the departments list, by their `sort_by` names.
const SORTS: [(&str, DepartmentSort); 2] =
    [("name", DepartmentSort::Name), ("inserted_at", DepartmentSort::InsertedAt)];

pub async fn list(
    core: &Core,
    ctx: &TenantContext,
    params: &HashMap<String, String>,
) -> Result<Page<DepartmentDto>, AppError> {
    authz::require(ctx, Role::Supervisor)?;
    let mut q = listing::Query::new(params);
    let sort = q.sort(&core.cursors, ctx.tenant.id, "departments", &SORTS, DepartmentSort::Name);
    let active = q.bool("active");
    let search = q.text("search");
    let p = q.paging.clone();
    q.finish()?;
    let filter = DepartmentFilter {
        search,
        active,
        sort,
        descending: p.descending,
        limit: p.size,
        offset: p.offset(),
        after: p.after.as_ref(),
    };
    let listed = departments::list(&ctx.db, &filter).await?;
    let meta = p.meta(&listed, &core.cursors, ctx.tenant.id);
    Ok(Page { data: listed.rows, meta })
}

pub async fn get(ctx: &TenantContext, id: Uuid) -> Result<DepartmentDto, AppError> {
    authz::require(ctx, Role::Supervisor)?;
    departments::find(&ctx.db, id).await?.ok_or(AppError::NotFound)
}

body! {
    /// A department's fields as a client sends them (`POST`, `PUT`/`PATCH /api/v1/departments`
    /// and the department forms); for an update, absent fields keep their value, `null` clears.
    pub struct DepartmentInput {
        #[schema(min_length = 1, max_length = 120, pattern = r"\S")] name: String,
        #[schema(max_length = 60, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")] identifier: String,
        #[serde(default, deserialize_with = "nullable")] #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")] description: Option<String>,
        active: bool,
        #[serde(default, deserialize_with = "nullable")] #[schema(minimum = 1)] max_queue_size: Option<i32>,
        #[serde(default, deserialize_with = "nullable")] #[schema(minimum = 1)] max_wait_time: Option<i32>,
    }
}

body! {
    /// `POST /api/v1/departments`: a [`DepartmentInput`] whose name is required.
    pub struct CreateDepartment {
        #[schema(required = true, nullable = false, min_length = 1, max_length = 120, pattern = r"\S")] name: String,
        #[schema(max_length = 60, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")] identifier: String,
        #[serde(default, deserialize_with = "nullable")] #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")] description: Option<String>,
        active: bool,
        #[serde(default, deserialize_with = "nullable")] #[schema(minimum = 1)] max_queue_size: Option<i32>,
        #[serde(default, deserialize_with = "nullable")] #[schema(minimum = 1)] max_wait_time: Option<i32>,
    }
}

impl From<CreateDepartment> for DepartmentInput {
    fn from(new: CreateDepartment) -> Self {
        let CreateDepartment { name, identifier, description, active, max_queue_size, max_wait_time } = new;
        DepartmentInput { name, identifier, description, active, max_queue_size, max_wait_time }
    }
}

/// Checks the fields; answers the name when one was given (required when creating).
fn validate(input: &DepartmentInput, creating: bool) -> Result<Option<Name>, AppError> {
    let mut f = Fields::new();
    let name = if creating {
        f.required("name", input.name.as_deref(), Name::parse)
    } else {
        f.optional("name", input.name.as_deref(), Name::parse)
    };
    if let Some(id) = input.identifier.as_deref() {
        if id.is_empty() || id.len() > 60 || slugify(id) != id {
            f.add("identifier", "must be lowercase letters, digits and single hyphens (at most 60)");
        }
    }
    if input.description.as_ref().and_then(|d| d.as_deref()).is_some_and(|d| d.chars().count() > 1000) {
        f.add("description", "should be at most 1000 characters");
    }
    if input.description.as_ref().and_then(|d| d.as_deref()).is_some_and(crate::server::domain::has_control) {
        f.add("description", crate::server::domain::name::CONTROL);
    }
    for (key, value) in [("max_queue_size", input.max_queue_size), ("max_wait_time", input.max_wait_time)] {
        if value.flatten().is_some_and(|v| v < 1) {
            f.add(key, "must be greater than 0");
        }
    }
    f.finish()?;
    Ok(name)
}

/// The given identifier, or one made from the name, made unique with `-2`, `-3`, ... when taken.
async fn identifier_for(
    tx: &mut TenantTx,
    input: &DepartmentInput,
    name: &str,
    except: Option<Uuid>,
) -> Result<String, AppError> {
    if let Some(given) = &input.identifier {
        if departments::identifier_taken(tx, given, except).await? {
            return Err(AppError::field("identifier", "has already been taken"));
        }
        return Ok(given.clone());
    }
    let base = Some(slugify(name)).filter(|s| !s.is_empty()).unwrap_or_else(|| "department".into());
    let base: String = base.chars().take(50).collect::<String>().trim_end_matches('-').to_string();
    let mut candidate = base.clone();
    let mut n = 2;
    while departments::identifier_taken(tx, &candidate, except).await? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

fn identifier_conflict(err: sqlx::Error) -> AppError {
    on_constraint(err, &[("departments_identifier_key", || AppError::field("identifier", "has already been taken"))])
}

pub async fn create(ctx: &TenantContext, input: DepartmentInput) -> Result<DepartmentDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    let name = validate(&input, true)?.map(Name::into_string).unwrap_or_default();
    let active = input.active.unwrap_or(true);
    let mut tx = ctx.db.begin().await?;
    company::lock(&mut tx).await?;
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
    departments::insert(&mut tx, id, &fields).await.map_err(identifier_conflict)?;
    let created = departments::find_in(&mut tx, id).await?.ok_or(AppError::Internal)?;
    events::emit(&mut tx, &ctx.tenant, Event::DepartmentCreated, &created).await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update(ctx: &TenantContext, id: Uuid, input: DepartmentInput) -> Result<DepartmentDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    let name = validate(&input, false)?;
    let mut tx = ctx.db.begin().await?;
    company::lock(&mut tx).await?;
    let current = departments::find_in(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let active = input.active.unwrap_or(current.active);
    if active && !current.active {
        limits::ensure_room(&mut tx, ctx.tenant.id, Resource::Departments).await?;
    }
    let name = name.map(Name::into_string).unwrap_or_else(|| current.name.clone());
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
    departments::update(&mut tx, id, &fields).await.map_err(identifier_conflict)?;
    let updated = departments::find_in(&mut tx, id).await?.ok_or(AppError::Internal)?;
    events::emit(&mut tx, &ctx.tenant, Event::DepartmentUpdated, &updated).await?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn delete(ctx: &TenantContext, id: Uuid) -> Result<(), AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    let mut tx = ctx.db.begin().await?;
    let deleted = departments::delete(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    events::emit(&mut tx, &ctx.tenant, Event::DepartmentDeleted, &deleted).await?;
    tx.commit().await?;
    Ok(())
}

/// The data of a membership event.
#[derive(serde::Serialize)]
struct Membership {
    department_id: Uuid,
    user_id: Uuid,
}

pub async fn members(ctx: &TenantContext, id: Uuid) -> Result<Vec<UserDto>, AppError> {
    get(ctx, id).await?;
    Ok(departments::members(&ctx.db, id).await?.iter().map(|u| u.to_dto()).collect())
}

body! {
    /// `POST /api/v1/departments/:id/users` and the people picker.
    pub struct AddMember { #[schema(required = true, nullable = false, format = Uuid)] user_id: String }
}

/// Adds a member; a user of another tenant (or an id that is no UUID) is as unknown here as one
/// that does not exist.
pub async fn add_member(ctx: &TenantContext, id: Uuid, input: AddMember) -> Result<DepartmentDto, AppError> {
    let user_id = input.user_id.map(|raw| raw.parse::<Uuid>().map_err(|_| AppError::NotFound)).transpose()?;
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    let user_id = user_id.ok_or_else(|| AppError::field("user_id", BLANK))?;
    departments::find(&ctx.db, id).await?.ok_or(AppError::NotFound)?;
    users::find_by_id(&ctx.db, user_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = ctx.db.begin().await?;
    if departments::add_member(&mut tx, id, user_id).await? {
        let data = Membership { department_id: id, user_id };
        events::emit(&mut tx, &ctx.tenant, Event::DepartmentMemberAdded, data).await?;
    }
    tx.commit().await?;
    get(ctx, id).await
}

pub async fn remove_member(ctx: &TenantContext, id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Supervisor)?;
    departments::find(&ctx.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = ctx.db.begin().await?;
    if !departments::remove_member(&mut tx, id, user_id).await? {
        return Err(AppError::NotFound);
    }
    let data = Membership { department_id: id, user_id };
    events::emit(&mut tx, &ctx.tenant, Event::DepartmentMemberRemoved, data).await?;
    tx.commit().await?;
    Ok(())
}
