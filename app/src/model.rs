//! Types shared by the server and the browser: what the API returns and the UI renders.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::i18n::{Key, Locale};

/// Ordered by power: `attendant < supervisor < manager < owner`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Attendant,
    Supervisor,
    Manager,
    Owner,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Attendant => "attendant",
            Role::Supervisor => "supervisor",
            Role::Manager => "manager",
            Role::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "attendant" => Some(Role::Attendant),
            "supervisor" => Some(Role::Supervisor),
            "manager" => Some(Role::Manager),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }

    pub const fn label_key(self) -> Key {
        match self {
            Role::Attendant => Key::RoleAttendant,
            Role::Supervisor => Key::RoleSupervisor,
            Role::Manager => Key::RoleManager,
            Role::Owner => Key::RoleOwner,
        }
    }
}

/// A user as every client sees it. Never carries a password hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserDto {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub locale: Locale,
    pub avatar_url: Option<String>,
    pub inserted_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantDto {
    pub slug: String,
    pub name: String,
}

/// What the web UI knows about the signed-in user's workspace, for the shell and the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub user: UserDto,
    pub tenant: TenantDto,
    pub plan_name: String,
    pub subscription_status: String,
}

impl Viewer {
    pub fn status_key(&self) -> Key {
        match self.subscription_status.as_str() {
            "active" => Key::StatusActive,
            "past_due" => Key::StatusPastDue,
            "canceled" => Key::StatusCanceled,
            _ => Key::StatusTrialing,
        }
    }
}

/// `meta` of every list answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageMeta {
    pub current_page: i64,
    pub page_size: i64,
    pub total_pages: i64,
    pub total_count: i64,
}

impl PageMeta {
    pub fn new(current_page: i64, page_size: i64, total_count: i64) -> PageMeta {
        let total_pages = if total_count == 0 { 0 } else { (total_count + page_size - 1) / page_size };
        PageMeta { current_page, page_size, total_pages, total_count }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepartmentDto {
    pub id: Uuid,
    pub name: String,
    pub identifier: String,
    pub description: Option<String>,
    pub active: bool,
    pub max_queue_size: Option<i32>,
    pub max_wait_time: Option<i32>,
    pub user_count: i64,
    pub inserted_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompanyDto {
    pub name: String,
    pub slug: String,
    pub document: Option<String>,
    pub document_type: Option<String>,
    pub plan: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub logo_url: Option<String>,
    pub primary_color: Option<String>,
}
