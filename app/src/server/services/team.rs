//! Managing a company's users (manager and above): list, create (with a password or an
//! invitation), read, change, deactivate. Every rule is checked here, for API and UI alike.
use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    authz,
    limits::{self, Resource},
    listing,
    users::check_password_policy,
};
use crate::{
    error::{AppError, FieldErrors},
    i18n::Locale,
    model::{Page, Role, UserDto},
    server::{
        db::{
            self,
            users::{AdminChange, NewUser, UserFilter, UserRow, UserSort},
        },
        error::unique_violation,
        password,
        tenant::TenantContext,
        text::is_email,
        tokens,
    },
};

const ROLES: [(&str, Role); 4] = [
    ("attendant", Role::Attendant),
    ("supervisor", Role::Supervisor),
    ("manager", Role::Manager),
    ("owner", Role::Owner),
];

pub async fn list(ctx: &TenantContext, params: &HashMap<String, String>) -> Result<Page<UserDto>, AppError> {
    authz::require(ctx, Role::Manager)?;
    let mut q = listing::Query::new(params);
    let (page, size, descending) = q.paging();
    let sort = q.one_of(
        "sort_by",
        &[
            ("name", UserSort::Name),
            ("email", UserSort::Email),
            ("role", UserSort::Role),
            ("inserted_at", UserSort::InsertedAt),
        ],
        UserSort::Name,
    );
    let role = q.optional("role", &ROLES);
    let active = q.bool("active");
    let search = q.text("search");
    q.finish()?;
    let filter = UserFilter { search, role, active, sort, descending, limit: size, offset: (page - 1) * size };
    let (rows, total) = db::users::list(&ctx.db, &filter).await?;
    Ok(Page { data: rows.iter().map(UserRow::to_dto).collect(), meta: listing::meta(page, size, total) })
}

pub async fn get(ctx: &TenantContext, id: Uuid) -> Result<UserDto, AppError> {
    authz::require(ctx, Role::Manager)?;
    db::users::find_by_id(&ctx.db, id).await?.map(|u| u.to_dto()).ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Clone)]
pub struct NewMember {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub password: Option<String>,
    pub locale: Option<String>,
}

pub struct Created {
    pub user: UserDto,
    /// Path of the invitation page (`/invitation/<token>`) when no password was given.
    pub invitation_path: Option<String>,
}

fn add(fields: &mut FieldErrors, field: &str, message: &str) {
    fields.entry(field.to_string()).or_default().push(message.to_string());
}

fn check_name(fields: &mut FieldErrors, name: Option<&str>, required: bool) {
    match name.map(str::trim) {
        None | Some("") if required => add(fields, "name", "can't be blank"),
        Some("") => add(fields, "name", "can't be blank"),
        Some(n) if n.chars().count() > 120 => add(fields, "name", "should be at most 120 characters"),
        _ => {}
    }
}

fn check_email(fields: &mut FieldErrors, email: Option<&str>, required: bool) {
    match email.map(str::trim) {
        None | Some("") if required => add(fields, "email", "can't be blank"),
        Some(e) if !is_email(e) => add(fields, "email", "is not a valid email address"),
        _ => {}
    }
}

fn parse_role(fields: &mut FieldErrors, role: Option<&str>, actor: Role, required: bool) -> Option<Role> {
    match role {
        None if required => {
            add(fields, "role", "can't be blank");
            None
        }
        None => None,
        Some(r) => match Role::parse(r) {
            None => {
                add(fields, "role", "must be one of: attendant, supervisor, manager, owner");
                None
            }
            Some(role) if !authz::may_grant(actor, role) => {
                add(fields, "role", "is above your own role");
                None
            }
            some => some,
        },
    }
}

fn parse_locale(fields: &mut FieldErrors, locale: Option<&str>) -> Option<Locale> {
    let tag = locale?;
    let found = Locale::ALL.into_iter().find(|l| l.tag() == tag);
    if found.is_none() {
        add(fields, "locale", "is not supported (pt-BR, es, en)");
    }
    found
}

fn email_taken(err: sqlx::Error) -> AppError {
    match unique_violation(&err) {
        Some(_) => AppError::field("email", "has already been taken"),
        None => err.into(),
    }
}

/// Invitation links are valid for a week.
const INVITATION_TTL: time::Duration = time::Duration::days(7);

pub async fn create(ctx: &TenantContext, input: NewMember) -> Result<Created, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    let mut fields = FieldErrors::new();
    check_name(&mut fields, input.name.as_deref(), true);
    check_email(&mut fields, input.email.as_deref(), true);
    let role = parse_role(&mut fields, input.role.as_deref(), ctx.user.role, true);
    let locale = parse_locale(&mut fields, input.locale.as_deref());
    let password = input.password.filter(|p| !p.is_empty());
    if let Some(problem) = password.as_deref().and_then(check_password_policy) {
        add(&mut fields, "password", &problem);
    }
    let (Some(role), true) = (role, fields.is_empty()) else { return Err(AppError::Validation { fields }) };
    let hash = match password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };

    let mut tx = ctx.db.begin().await?;
    db::company::lock(&mut tx).await?;
    limits::ensure_room(&mut tx, ctx.tenant.id, Resource::Users).await?;
    let name = input.name.as_deref().unwrap_or_default().trim();
    let email = input.email.as_deref().unwrap_or_default().trim();
    let new = NewUser {
        id: Uuid::new_v4(),
        name,
        email,
        password_hash: hash.as_deref(),
        role,
        locale: locale.unwrap_or(ctx.user.locale()),
    };
    let user = db::users::insert(&mut tx, &new).await.map_err(email_taken)?;
    let invitation_path = if hash.is_none() {
        let token = tokens::new_tenant_token(&ctx.tenant.slug);
        let expires = OffsetDateTime::now_utc() + INVITATION_TTL;
        db::invitations::insert(&mut tx, user.id, &tokens::digest(&token), expires).await?;
        Some(format!("/invitation/{token}"))
    } else {
        None
    };
    tx.commit().await?;
    Ok(Created { user: user.to_dto(), invitation_path })
}

#[derive(Debug, Default, Clone)]
pub struct MemberChange {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub locale: Option<String>,
}

pub async fn update(ctx: &TenantContext, id: Uuid, input: MemberChange) -> Result<UserDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    let mut fields = FieldErrors::new();
    if input.name.is_some() {
        check_name(&mut fields, input.name.as_deref(), false);
    }
    check_email(&mut fields, input.email.as_deref(), false);
    let role = parse_role(&mut fields, input.role.as_deref(), ctx.user.role, false);
    let locale = parse_locale(&mut fields, input.locale.as_deref());
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }

    let mut tx = ctx.db.begin().await?;
    // The company lock first: two owners demoting each other take turns, and the second sees
    // that only one owner is left.
    db::company::lock(&mut tx).await?;
    let target = db::users::find_for_update(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if target.role > ctx.user.role {
        return Err(AppError::Forbidden);
    }
    let loses_owner = target.role == Role::Owner
        && target.active
        && (role.is_some_and(|r| r != Role::Owner) || input.active == Some(false));
    if loses_owner && db::users::count_active_owners(&mut tx).await? <= 1 {
        return Err(AppError::Conflict {
            detail: "The last active owner cannot be demoted or deactivated".into(),
            code: "last_owner".into(),
        });
    }
    let reactivates = input.active == Some(true) && !target.active;
    if reactivates {
        limits::ensure_room(&mut tx, ctx.tenant.id, Resource::Users).await?;
    }
    let deactivates = input.active == Some(false) && target.active;
    let change = AdminChange {
        name: input.name.as_deref().map(str::trim),
        email: input.email.as_deref().map(str::trim),
        role,
        active: input.active,
        locale,
        bump_security: deactivates,
    };
    let user = db::users::update_admin(&mut tx, id, &change).await.map_err(email_taken)?;
    if deactivates {
        db::refresh_tokens::revoke_all_of_user(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(user.to_dto())
}

/// Sets the invited user's password and uses the invitation up. Returns the tenant slug's user.
pub async fn accept_invitation(
    state: &crate::server::AppState,
    token: &str,
    new_password: String,
) -> Result<TenantContext, AppError> {
    let invalid = || AppError::Conflict {
        detail: "This invitation is invalid or expired".into(),
        code: "invalid_invitation".into(),
    };
    if let Some(problem) = check_password_policy(&new_password) {
        return Err(AppError::field("password", &problem));
    }
    let slug = tokens::token_tenant(token).ok_or_else(invalid)?;
    let tenant = state.tenants.get(&slug).await?.ok_or_else(invalid)?;
    let db = tenant.db(&state.pool);
    let hash = password::hash(new_password).await?;
    let mut tx = db.begin().await?;
    let user_id = db::invitations::redeem(&mut tx, &tokens::digest(token)).await?.ok_or_else(invalid)?;
    db::users::set_password(&mut tx, user_id, &hash).await?;
    tx.commit().await?;
    let user = db::users::find_by_id(&db, user_id).await?.filter(|u| u.active).ok_or_else(invalid)?;
    Ok(TenantContext { tenant, db, user, via: crate::server::tenant::AuthVia::Session })
}

/// Active users matching `search`, for picking department members (supervisor and above).
pub async fn candidates(ctx: &TenantContext, search: Option<&str>) -> Result<Vec<UserDto>, AppError> {
    authz::require(ctx, Role::Supervisor)?;
    let filter = UserFilter {
        search,
        role: None,
        active: Some(true),
        sort: UserSort::Name,
        descending: false,
        limit: 50,
        offset: 0,
    };
    Ok(db::users::list(&ctx.db, &filter).await?.0.iter().map(UserRow::to_dto).collect())
}
