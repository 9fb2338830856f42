//! Managing a company's users (manager and above): list, create (with a password or an
//! invitation), read, change, deactivate, and accepting an invitation. Every rule is checked
//! here, for API and UI alike.
use std::collections::HashMap;

use uuid::Uuid;

use super::{
    authz, invitations,
    limits::{self, Resource},
    listing,
    mail::notices,
    profile::check_password_policy,
    webhooks::events,
};
use crate::{
    error::AppError,
    model::{CandidateDto, InvitationPreviewDto, InvitationState, Page, Role, UserDto},
    server::{
        db::tenant::{
            company, invitations as invitation_rows, sessions,
            users::{self, AdminChange, NewUser, UserFilter, UserRow, UserSort},
        },
        domain::{body, email::Email, fields::Fields, name::Name},
        error::on_constraint,
        password,
        state::Core,
        tenancy::context::TenantContext,
        tokens,
        webhooks::Event,
    },
};

const ROLES: [(&str, Role); 4] = [
    ("attendant", Role::Attendant),
    ("supervisor", Role::Supervisor),
    ("manager", Role::Manager),
    ("owner", Role::Owner),
];

/// The sorts of the users list, by their `sort_by` names.
const SORTS: [(&str, UserSort); 4] = [
    ("name", UserSort::Name),
    ("email", UserSort::Email),
    ("role", UserSort::Role),
    ("inserted_at", UserSort::InsertedAt),
];

pub async fn list(
    core: &Core,
    ctx: &TenantContext,
    params: &HashMap<String, String>,
) -> Result<Page<UserDto>, AppError> {
    authz::require(ctx, Role::Manager)?;
    let mut q = listing::Query::new(params);
    let sort = q.sort(&core.cursors, ctx.tenant.id, "users", &SORTS, UserSort::Name);
    let role = q.optional("role", &ROLES);
    let active = q.bool("active");
    let search = q.text("search");
    let p = q.paging.clone();
    q.finish()?;
    let filter = UserFilter {
        search,
        role,
        active,
        sort,
        descending: p.descending,
        limit: p.size,
        offset: p.offset(),
        after: p.after.as_ref(),
    };
    let listed = users::list(&ctx.db, &filter).await?;
    let meta = p.meta(&listed, &core.cursors, ctx.tenant.id);
    Ok(Page { data: listed.rows.iter().map(UserRow::to_dto).collect(), meta })
}

pub async fn get(ctx: &TenantContext, id: Uuid) -> Result<UserDto, AppError> {
    authz::require(ctx, Role::Manager)?;
    users::find_by_id(&ctx.db, id).await?.map(|u| u.to_dto()).ok_or(AppError::NotFound)
}

body! {
    /// `POST /api/v1/users` and the new-user form. Without a password the user is invited.
    pub struct CreateUser {
        #[schema(required = true, nullable = false, min_length = 1, max_length = 120, pattern = r"\S")] name: String,
        #[schema(required = true, nullable = false, max_length = 254, pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$")] email: String,
        #[schema(required = true, nullable = false, value_type = crate::model::Role)] role: String,
        #[schema(min_length = 12, max_length = 128)] password: String,
        #[schema(value_type = Option<crate::i18n::Locale>)] locale: String,
    }
}

pub struct Created {
    pub user: UserDto,
    /// Path of the invitation page (`/invitation/<token>`) when no password was given.
    pub invitation_path: Option<String>,
}

/// A role the actor may give: known, and not above their own.
fn grantable(actor: Role) -> impl FnOnce(&str) -> Result<Role, String> {
    move |raw| match Role::parse(raw) {
        None => Err("must be one of: attendant, supervisor, manager, owner".into()),
        Some(role) if !authz::may_grant(actor, role) => Err("is above your own role".into()),
        Some(role) => Ok(role),
    }
}

fn email_taken(err: sqlx::Error) -> AppError {
    on_constraint(err, &[("users_email_key", || AppError::field("email", "has already been taken"))])
}

pub async fn create(core: &Core, ctx: &TenantContext, input: CreateUser) -> Result<Created, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    let mut fields = Fields::new();
    let name = fields.required("name", input.name.as_deref(), Name::parse);
    let email = fields.required("email", input.email.as_deref(), Email::parse);
    let role = match input.role.as_deref() {
        None => fields.required("role", None, grantable(ctx.user.role)),
        Some(raw) => fields.check("role", grantable(ctx.user.role)(raw)),
    };
    let locale = fields.locale("locale", input.locale.as_deref());
    let password = input.password.filter(|p| !p.is_empty());
    let personal = [ctx.tenant.slug.as_str(), ctx.tenant.name.as_str(), input.email.as_deref().unwrap_or_default()];
    if let Some(problem) = password.as_deref().and_then(|p| check_password_policy(p, &personal)) {
        fields.add("password", problem);
    }
    let (Some(name), Some(email), Some(role), true) = (name, email, role, fields.is_empty()) else {
        return Err(fields.into_error());
    };
    if password.is_none() {
        ctx.tenant.ensure_verified()?;
    }
    let hash = match password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };

    let mut tx = ctx.db.begin().await?;
    company::lock(&mut tx).await?;
    limits::ensure_room(&mut tx, ctx.tenant.id, Resource::Users).await?;
    let new = NewUser {
        id: Uuid::new_v4(),
        name: name.as_str(),
        email: email.as_str(),
        password_hash: hash.as_deref(),
        role,
        locale: locale.unwrap_or(ctx.user.locale()),
    };
    let user = users::insert(&mut tx, &new).await.map_err(email_taken)?;
    let invitation_path = match hash {
        None => Some(invitations::send(core, ctx, &mut tx, &user, None).await?.path),
        Some(_) => None,
    };
    events::emit(&mut tx, &ctx.tenant, Event::UserCreated, user.to_dto()).await?;
    tx.commit().await?;
    Ok(Created { user: user.to_dto(), invitation_path })
}

body! {
    /// `PUT`/`PATCH /api/v1/users/:id` and the edit form; absent fields keep their value.
    pub struct UpdateUser {
        #[schema(min_length = 1, max_length = 120, pattern = r"\S")] name: String,
        #[schema(max_length = 254, pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$")] email: String,
        #[schema(value_type = Option<crate::model::Role>)] role: String,
        active: bool,
        #[schema(value_type = Option<crate::i18n::Locale>)] locale: String,
    }
}

pub async fn update(core: &Core, ctx: &TenantContext, id: Uuid, input: UpdateUser) -> Result<UserDto, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    let mut fields = Fields::new();
    let name = fields.optional("name", input.name.as_deref(), Name::parse);
    let email = fields.optional("email", input.email.as_deref(), Email::parse);
    let role = fields.optional("role", input.role.as_deref(), grantable(ctx.user.role));
    let locale = fields.locale("locale", input.locale.as_deref());
    fields.finish()?;

    let mut tx = ctx.db.begin().await?;
    // The company lock first: two owners demoting each other take turns, and the second sees
    // that only one owner is left.
    company::lock(&mut tx).await?;
    let target = users::find_for_update(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if target.role > ctx.user.role {
        return Err(AppError::Forbidden);
    }
    let loses_owner = target.role == Role::Owner
        && target.active
        && (role.is_some_and(|r| r != Role::Owner) || input.active == Some(false));
    if loses_owner && users::count_active_owners(&mut tx).await? <= 1 {
        return Err(AppError::Conflict {
            detail: "The last active owner cannot be demoted or deactivated".into(),
            code: "last_owner".into(),
        });
    }
    // Nobody locks themselves out by a slip: another manager or owner changes one's own role or
    // deactivates one.
    let changes_own_access = ctx.person_id() == Some(id)
        && (role.is_some_and(|r| r != target.role) || input.active == Some(false) && target.active);
    if changes_own_access {
        return Err(AppError::Conflict {
            detail: "You cannot change your own role or deactivate yourself: ask another owner or manager".into(),
            code: "own_access".into(),
        });
    }
    let reactivates = input.active == Some(true) && !target.active;
    if reactivates {
        limits::ensure_room(&mut tx, ctx.tenant.id, Resource::Users).await?;
    }
    let deactivates = input.active == Some(false) && target.active;
    let change = AdminChange {
        name: name.as_ref().map(Name::as_str),
        email: email.as_ref().map(Email::as_str),
        role,
        active: input.active,
        locale,
        bump_security: deactivates,
    };
    let user = users::update_admin(&mut tx, id, &change).await.map_err(email_taken)?;
    if deactivates {
        sessions::end(&mut tx, id, None, None).await?;
    }
    if !user.email.eq_ignore_ascii_case(&target.email) {
        notices::email_changed(core, &mut tx, &ctx.tenant, &user, &target.email).await?;
    }
    let event = if deactivates { Event::UserDeactivated } else { Event::UserUpdated };
    events::emit(&mut tx, &ctx.tenant, event, user.to_dto()).await?;
    tx.commit().await?;
    Ok(user.to_dto())
}

/// What an invitation link is for, before any password is asked: `valid` with the company, the
/// person and who invited them; `used` (with the company, to sign in) or `expired`; `invalid`
/// for a token that names nothing, which says nothing more.
pub async fn invitation_preview(core: &Core, token: &str) -> Result<InvitationPreviewDto, AppError> {
    let nothing = || InvitationPreviewDto { state: InvitationState::Invalid, ..Default::default() };
    let Some(slug) = tokens::token_tenant(token) else { return Ok(nothing()) };
    let Some(tenant) = core.tenants.get(&slug).await? else { return Ok(nothing()) };
    let db = tenant.db(&core.pool);
    let Some(row) = invitation_rows::preview(&db, &tokens::digest(token)).await? else { return Ok(nothing()) };
    let state = match (row.used, row.expired || !row.user_active) {
        (true, _) => InvitationState::Used,
        (false, true) => InvitationState::Expired,
        (false, false) => InvitationState::Valid,
    };
    let valid = state == InvitationState::Valid;
    Ok(InvitationPreviewDto {
        state,
        company: Some(tenant.name.clone()),
        workspace: Some(tenant.slug.as_str().to_string()),
        // Whom it was for stays with a link that can still be used.
        name: valid.then_some(row.name),
        email: valid.then_some(row.email),
        invited_by: if valid { row.invited_by } else { None },
    })
}

/// Sets the invited user's password and uses the invitation up. Returns the tenant slug's user.
pub async fn accept_invitation(core: &Core, token: &str, new_password: String) -> Result<TenantContext, AppError> {
    let invalid = || AppError::Conflict {
        detail: "This invitation is invalid or expired".into(),
        code: "invalid_invitation".into(),
    };
    if let Some(problem) = check_password_policy(&new_password, &[]) {
        return Err(AppError::field("password", &problem));
    }
    let slug = tokens::token_tenant(token).ok_or_else(invalid)?;
    let tenant = core.tenants.get(&slug).await?.ok_or_else(invalid)?;
    let db = tenant.db(&core.pool);
    // The cheap check first: an unknown, used or expired link costs no argon2 work.
    let Some(email) = invitation_rows::usable_email(&db, &tokens::digest(token)).await? else {
        return Err(invalid());
    };
    if let Some(problem) = check_password_policy(&new_password, &[tenant.slug.as_str(), tenant.name.as_str(), &email]) {
        return Err(AppError::field("password", &problem));
    }
    let hash = password::hash(new_password).await?;
    let mut tx = db.begin().await?;
    let user_id = invitation_rows::redeem(&mut tx, &tokens::digest(token)).await?.ok_or_else(invalid)?;
    users::set_password(&mut tx, user_id, &hash).await?;
    tx.commit().await?;
    let user = users::find_by_id(&db, user_id).await?.filter(|u| u.active).ok_or_else(invalid)?;
    Ok(TenantContext { tenant, db, user, session_id: Uuid::nil(), api_key: None })
}

/// Active users matching `search`, for picking department members (supervisor and above). A
/// supervisor sees what picking needs — names and the departments each person is in — and finds
/// people by name only; emails and roles (and searching by email) stay with managers and owners,
/// who see the directory anyway.
pub async fn candidates(ctx: &TenantContext, search: Option<&str>) -> Result<Vec<CandidateDto>, AppError> {
    authz::require(ctx, Role::Supervisor)?;
    let directory = ctx.user.role >= Role::Manager;
    let rows = users::candidates(&ctx.db, search, directory, 50).await?;
    Ok(rows
        .into_iter()
        .map(|row| CandidateDto {
            id: row.id,
            name: row.name,
            departments: row.departments,
            email: directory.then_some(row.email),
            role: directory.then_some(row.role),
        })
        .collect())
}
