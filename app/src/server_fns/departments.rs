//! The departments pages: list, create and edit, members and the people picker.
use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    error::AppError,
    model::{DepartmentDto, Page, UserDto},
};

#[server(prefix = "/rpc", endpoint = "list_departments", input = leptos::server_fn::codec::Json)]
pub async fn list_departments(params: Vec<(String, String)>) -> Result<Page<DepartmentDto>, AppError> {
    use crate::server::{services::departments, web::request};
    let ctx = request::tenant_context(&request::parts()?)?;
    let state = request::app_state()?;
    departments::list(&state, &ctx, &super::listing_params(params)).await
}

#[cfg(feature = "ssr")]
fn number(field: &str, raw: Option<String>) -> Result<Option<Option<i32>>, AppError> {
    match raw.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(v) => v.parse().map(|n| Some(Some(n))).map_err(|_| AppError::field(field, "must be an integer")),
    }
}

/// Creates (no `id`) or saves (with `id`) a department from its form.
#[server(prefix = "/rpc", endpoint = "save_department")]
pub async fn save_department(
    id: Option<Uuid>,
    name: String,
    identifier: Option<String>,
    description: Option<String>,
    max_queue_size: Option<String>,
    max_wait_time: Option<String>,
    active: Option<String>,
) -> Result<DepartmentDto, AppError> {
    use crate::server::{services::departments, web::request};
    let save = |ctx| async move {
        let input = departments::DepartmentInput {
            name: Some(name),
            identifier: identifier.map(|i| i.trim().to_string()).filter(|i| !i.is_empty()),
            description: Some(description),
            active: Some(active.is_some()),
            max_queue_size: number("max_queue_size", max_queue_size)?,
            max_wait_time: number("max_wait_time", max_wait_time)?,
        };
        match id {
            Some(id) => departments::update(&ctx, id, input).await,
            None => departments::create(&ctx, input).await,
        }
    };
    let notice = if id.is_some() { "saved" } else { "created" };
    request::signed_in_form(save, |d| format!("/departments/{}?notice={notice}", d.id)).await
}

#[server(prefix = "/rpc", endpoint = "add_department_member")]
pub async fn add_department_member(id: Uuid, user_id: Option<Uuid>) -> Result<DepartmentDto, AppError> {
    use crate::server::{services::departments, web::request};
    let input = departments::AddMember { user_id: user_id.map(|id| id.to_string()) };
    let add = |ctx| async move { departments::add_member(&ctx, id, input).await };
    request::signed_in_form(add, |d| format!("/departments/{}?notice=member_added", d.id)).await
}

#[server(prefix = "/rpc", endpoint = "remove_department_member")]
/// Answers the removed person, whom the page offers to add back.
pub async fn remove_department_member(id: Uuid, user_id: Uuid) -> Result<Uuid, AppError> {
    use crate::server::{services::departments, web::request};
    let remove = |ctx| async move { departments::remove_member(&ctx, id, user_id).await.map(|()| user_id) };
    request::signed_in_form(remove, |user| removed_target(id, *user)).await
}

/// Where a member's removal leads: the department, with its undo.
pub fn removed_target(id: Uuid, user_id: Uuid) -> String {
    // The undo panel the address opens says what happened; a toast would say it twice.
    format!("/departments/{id}?undo={user_id}")
}

/// Deletes a department (after the page asked for confirmation).
#[server(prefix = "/rpc", endpoint = "delete_department")]
pub async fn delete_department(id: Uuid) -> Result<(), AppError> {
    use crate::server::{services::departments, web::request};
    let delete = |ctx| async move { departments::delete(&ctx, id).await };
    request::signed_in_form(delete, |()| "/departments?notice=department_deleted".into()).await
}

/// The department page in one call: the department, its members and the people the picker offers
/// for `search`. (Two server functions awaited one after the other inside the page's resource
/// lost the request context on the server for the second one.)
#[server(prefix = "/rpc", endpoint = "department_page", input = leptos::server_fn::codec::Json)]
pub async fn department_page(
    id: Uuid,
    search: String,
) -> Result<(DepartmentDto, Vec<UserDto>, Vec<crate::model::CandidateDto>), AppError> {
    use crate::server::{
        services::{departments, users},
        web::request,
    };
    let ctx = request::tenant_context(&request::parts()?)?;
    let department = departments::get(&ctx, id).await?;
    let members = departments::members(&ctx, id).await?;
    let candidates = users::candidates(&ctx, Some(search.as_str()).filter(|s| !s.is_empty())).await.unwrap_or_default();
    Ok((department, members, candidates))
}

/// People who can be added to a department (active users matching `search`).
#[server(prefix = "/rpc", endpoint = "member_candidates", input = leptos::server_fn::codec::Json)]
pub async fn member_candidates(search: String) -> Result<Vec<crate::model::CandidateDto>, AppError> {
    use crate::server::{services::users, web::request};
    let ctx = request::tenant_context(&request::parts()?)?;
    users::candidates(&ctx, Some(search.as_str()).filter(|s| !s.is_empty())).await
}
