//! Types shared by the server and the browser: what the API returns and the UI renders.
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::i18n::{Key, Locale};

/// Ordered by power: `attendant < supervisor < manager < owner`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

/// Where a workspace's subscription stands. Moved only by the payment provider's events:
/// `trialing → active → past_due → canceled`, and back to active when paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Trialing,
    Active,
    PastDue,
    Canceled,
}

impl SubscriptionStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Trialing => "trialing",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Canceled => "canceled",
        }
    }

    pub fn parse(s: &str) -> Option<SubscriptionStatus> {
        match s {
            "trialing" => Some(SubscriptionStatus::Trialing),
            "active" => Some(SubscriptionStatus::Active),
            "past_due" => Some(SubscriptionStatus::PastDue),
            "canceled" => Some(SubscriptionStatus::Canceled),
            _ => None,
        }
    }

    pub const fn label_key(self) -> Key {
        match self {
            SubscriptionStatus::Trialing => Key::StatusTrialing,
            SubscriptionStatus::Active => Key::StatusActive,
            SubscriptionStatus::PastDue => Key::StatusPastDue,
            SubscriptionStatus::Canceled => Key::StatusCanceled,
        }
    }
}

/// Lets row types read the text columns these enums are stored in (`#[sqlx(try_from = "String")]`).
macro_rules! try_from_text {
    ($($ty:ident),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = String;

            fn try_from(value: String) -> Result<Self, String> {
                $ty::parse(&value).ok_or_else(|| format!("unknown {} {value:?}", stringify!($ty)))
            }
        }
    )*};
}
try_from_text!(Role, SubscriptionStatus, BillingCycle, BillingType, ChargeStatus);

/// A user as every client sees it. Never carries a password hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserDto {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub locale: Locale,
    pub avatar_url: Option<String>,
    /// Signs in with a second factor (TOTP).
    pub mfa_enabled: bool,
    pub inserted_at: String,
    pub updated_at: String,
    /// The last successful sign-in (browser or API); `null` for someone who never signed in.
    pub last_sign_in_at: Option<String>,
}

/// Someone who may be added to a department. Supervisors get the name and departments only;
/// `email` and `role` are filled in for managers and owners.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CandidateDto {
    pub id: Uuid,
    pub name: String,
    pub departments: Vec<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
}

/// A sign-in of the user: a browser session or an API client's refresh family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionDto {
    pub id: Uuid,
    /// `browser` or `api`.
    pub kind: String,
    /// The session this request belongs to.
    pub current: bool,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: String,
    pub last_used_at: String,
    /// The absolute end, whatever the activity.
    pub expires_at: String,
}

/// An API key as the list shows it (the key itself is shown once, at creation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiKeyDto {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    /// The part of the key after `atr_` that identifies it in logs and lists.
    pub prefix: String,
    /// The name of the person who created it (null once they are removed).
    pub created_by: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub last_used_address: Option<String>,
}

/// A new API key: the key, shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedApiKeyDto {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub prefix: String,
    pub key: String,
    pub expires_at: Option<String>,
}

/// The events a webhook endpoint can subscribe to.
pub const WEBHOOK_EVENTS: [&str; 9] = [
    "user.created",
    "user.updated",
    "user.deactivated",
    "department.created",
    "department.updated",
    "department.deleted",
    "department.member_added",
    "department.member_removed",
    "subscription.updated",
];

/// An outbound webhook endpoint (its secret is shown only when created or rotated).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookDto {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    pub active: bool,
    /// Why Atrium switched the endpoint off (it kept failing); null while active.
    pub disabled_reason: Option<String>,
    /// Since when every delivery has failed; null after a success.
    pub failing_since: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new endpoint, or one whose secret was rotated: the signing secret, shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedWebhookDto {
    #[serde(flatten)]
    pub webhook: WebhookDto,
    pub secret: String,
}

/// One event's delivery to one endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryDto {
    /// Sent as `X-Atrium-Delivery`: receivers deduplicate by it.
    pub id: Uuid,
    /// The `id` in the body, the same for every endpoint that received the event.
    pub event_id: Uuid,
    pub event: String,
    /// `pending` (waiting for its first or next attempt), `sending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

/// Whether an invitation link can still be used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    Valid,
    Used,
    Expired,
    #[default]
    Invalid,
}

/// The invitation page's facts, shown before a password is asked for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvitationPreviewDto {
    pub state: InvitationState,
    /// The company's name and workspace (absent for an invalid link).
    pub company: Option<String>,
    pub workspace: Option<String>,
    /// Whom the link is for and who sent it (a usable link only).
    pub name: Option<String>,
    pub email: Option<String>,
    pub invited_by: Option<String>,
}

/// An invitation not accepted yet: `pending` until it expires, then `expired` (send it again to
/// give the person a new link).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationDto {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The name of whoever sent it last.
    pub invited_by: Option<String>,
    pub status: String,
    pub expires_at: String,
    pub inserted_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TenantDto {
    pub slug: String,
    pub name: String,
}

/// What the web UI knows about the signed-in user's workspace, for the shell and the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Viewer {
    pub user: UserDto,
    pub tenant: TenantDto,
    pub plan_name: String,
    pub subscription_status: SubscriptionStatus,
    /// False when the subscription no longer allows changes (the shell shows a banner).
    pub writable: bool,
    /// False until the owner confirmed the signup address (the shell shows a banner).
    pub email_verified: bool,
    /// The company requires two-step sign-in.
    pub mfa_required: bool,
    /// The company's colour (`#rrggbb`), shown in the app frame.
    pub brand_color: Option<String>,
}

/// The dashboard's content for one person: the first-run checklist for managers and owners
/// (absent once every step is done), the trial's days left, and the person's departments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardDto {
    /// `invite`, `department`, `plan`, `branding`, each with whether it is done; empty for
    /// attendants and supervisors, and once all are done.
    pub checklist: Vec<(String, bool)>,
    pub trial_days_left: Option<i64>,
    /// The departments the person belongs to.
    pub departments: Vec<(Uuid, String)>,
}

/// `meta` of every list answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PageMeta {
    /// The page asked for with `page`; null when paging by `cursor`.
    pub current_page: Option<i64>,
    pub page_size: i64,
    pub total_pages: i64,
    /// Exact up to 1,000; beyond that it is 1,000 and `total_count_capped` is true.
    pub total_count: i64,
    pub total_count_capped: bool,
    /// Pass as `cursor` for the page after this one; null on the last page.
    pub next_cursor: Option<String>,
}

impl PageMeta {
    pub fn new(current_page: Option<i64>, page_size: i64, total_count: i64) -> PageMeta {
        let total_pages = if total_count == 0 { 0 } else { (total_count + page_size - 1) / page_size };
        PageMeta { current_page, page_size, total_pages, total_count, total_count_capped: false, next_cursor: None }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

/// A department as every client sees it; on the server also the row its repository reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DepartmentDto {
    pub id: Uuid,
    pub name: String,
    pub identifier: String,
    pub description: Option<String>,
    pub active: bool,
    pub max_queue_size: Option<i32>,
    pub max_wait_time: Option<i32>,
    pub user_count: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "DbTimestamp"))]
    pub inserted_at: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "DbTimestamp"))]
    pub updated_at: String,
}

/// A `timestamptz` column read into the RFC 3339 text the DTOs carry.
#[cfg(feature = "ssr")]
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct DbTimestamp(pub time::OffsetDateTime);

#[cfg(feature = "ssr")]
impl From<DbTimestamp> for String {
    fn from(t: DbTimestamp) -> String {
        t.0.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// The owner confirmed the signup address (checkout and invitations wait for it).
    pub email_verified: bool,
    /// Every user must sign in with a second factor (only the owner changes it).
    pub mfa_required: bool,
}

/// What a plan allows; `None` is unlimited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanLimits {
    pub concurrent_calls: Option<i32>,
    pub users: Option<i32>,
    pub departments: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanFeatures {
    pub recording: bool,
    pub ai_transcription: bool,
    pub advanced_analytics: bool,
    /// Outbound webhooks (`/api/v1/webhooks`).
    pub webhooks: bool,
}

/// A row of the plans table as clients see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanDto {
    pub id: String,
    pub name: String,
    pub limits: PlanLimits,
    pub features: PlanFeatures,
    /// Monthly price in centavos; `None` for plans sold by the sales team.
    pub monthly_price_cents: Option<i32>,
    /// The price of a year paid at once, in centavos (ten months); `None` as above.
    pub yearly_price_cents: Option<i32>,
}

impl PlanDto {
    pub fn self_service(&self) -> bool {
        self.monthly_price_cents.is_some()
    }

    /// What one cycle of this plan costs, in centavos.
    pub fn price_cents(&self, cycle: BillingCycle) -> Option<i32> {
        match cycle {
            BillingCycle::Monthly => self.monthly_price_cents,
            BillingCycle::Yearly => self.yearly_price_cents,
        }
    }
}

/// How often the subscription charges (Asaas's `cycle`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillingCycle {
    #[default]
    Monthly,
    Yearly,
}

impl BillingCycle {
    pub const ALL: [BillingCycle; 2] = [BillingCycle::Monthly, BillingCycle::Yearly];

    pub const fn as_str(self) -> &'static str {
        match self {
            BillingCycle::Monthly => "MONTHLY",
            BillingCycle::Yearly => "YEARLY",
        }
    }

    pub fn parse(s: &str) -> Option<BillingCycle> {
        BillingCycle::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub const fn label_key(self) -> Key {
        match self {
            BillingCycle::Monthly => Key::CycleMonthly,
            BillingCycle::Yearly => Key::CycleYearly,
        }
    }
}

/// How the customer pays (Asaas's `billingType`): `UNDEFINED` lets the payment page offer all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillingType {
    #[default]
    Undefined,
    CreditCard,
    Boleto,
    Pix,
}

impl BillingType {
    pub const ALL: [BillingType; 4] =
        [BillingType::Pix, BillingType::Boleto, BillingType::CreditCard, BillingType::Undefined];

    pub const fn as_str(self) -> &'static str {
        match self {
            BillingType::Undefined => "UNDEFINED",
            BillingType::CreditCard => "CREDIT_CARD",
            BillingType::Boleto => "BOLETO",
            BillingType::Pix => "PIX",
        }
    }

    pub fn parse(s: &str) -> Option<BillingType> {
        BillingType::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub const fn label_key(self) -> Key {
        match self {
            BillingType::Undefined => Key::PayAny,
            BillingType::CreditCard => Key::PayCard,
            BillingType::Boleto => Key::PayBoleto,
            BillingType::Pix => Key::PayPix,
        }
    }
}

/// Where one charge stands: `pending → paid | overdue | canceled`, `overdue → paid | canceled`,
/// `paid → refunded | chargeback`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChargeStatus {
    Pending,
    Paid,
    Overdue,
    Refunded,
    Chargeback,
    Canceled,
}

impl ChargeStatus {
    pub const ALL: [ChargeStatus; 6] = [
        ChargeStatus::Pending,
        ChargeStatus::Paid,
        ChargeStatus::Overdue,
        ChargeStatus::Refunded,
        ChargeStatus::Chargeback,
        ChargeStatus::Canceled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ChargeStatus::Pending => "pending",
            ChargeStatus::Paid => "paid",
            ChargeStatus::Overdue => "overdue",
            ChargeStatus::Refunded => "refunded",
            ChargeStatus::Chargeback => "chargeback",
            ChargeStatus::Canceled => "canceled",
        }
    }

    pub fn parse(s: &str) -> Option<ChargeStatus> {
        ChargeStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub const fn label_key(self) -> Key {
        match self {
            ChargeStatus::Pending => Key::ChargePending,
            ChargeStatus::Paid => Key::ChargePaid,
            ChargeStatus::Overdue => Key::ChargeOverdue,
            ChargeStatus::Refunded => Key::ChargeRefunded,
            ChargeStatus::Chargeback => Key::ChargeChargeback,
            ChargeStatus::Canceled => Key::ChargeCanceled,
        }
    }

    /// Whether the charge can still be paid (its page links to the payment).
    pub fn open(self) -> bool {
        matches!(self, ChargeStatus::Pending | ChargeStatus::Overdue)
    }
}

/// One charge of the workspace: `GET /api/v1/billing/charges` and the billing page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChargeDto {
    pub id: Uuid,
    /// `subscription` (a cycle of the subscription) or `upgrade` (a prorated one-off charge).
    pub kind: String,
    pub description: String,
    /// `yyyy-mm-dd`.
    pub due_date: String,
    pub value_cents: i32,
    pub status: ChargeStatus,
    pub billing_type: BillingType,
    /// RFC 3339; set once paid.
    pub paid_at: Option<String>,
    /// The provider's payment page: boleto, PIX QR code or card, and the receipt once paid.
    pub invoice_url: Option<String>,
    pub bank_slip_url: Option<String>,
    pub receipt_url: Option<String>,
    /// True when the provider reported a paid value other than the charge's: not applied.
    pub value_mismatch: bool,
    /// The service invoice (nota fiscal, NFS-e) Asaas issued for it: its status and PDF.
    pub nfse_status: Option<String>,
    pub nfse_url: Option<String>,
}

/// `POST /api/v1/billing/subscription` (and the checkout endpoints): what the change did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SubscriptionChangeDto {
    /// `on_payment` (the plan comes when `payment_url`'s charge is paid), `now` or `next_cycle`.
    pub effective: String,
    pub plan: String,
    pub cycle: BillingCycle,
    pub billing_type: BillingType,
    /// The charge to pay now, if any, and its payment page.
    pub charge_id: Option<Uuid>,
    pub payment_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UsageDto {
    pub active_users: i64,
    pub active_departments: i64,
}

/// `GET /api/v1/billing/plan` and the billing page. Dates are RFC 3339.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BillingDto {
    pub plan: String,
    pub plan_name: String,
    pub status: SubscriptionStatus,
    /// False when past due, canceled or the trial ended: reads only.
    pub writable: bool,
    pub trial_ends_at: Option<String>,
    pub current_period_start: Option<String>,
    pub current_period_end: Option<String>,
    pub limits: PlanLimits,
    pub features: PlanFeatures,
    pub usage: UsageDto,
    pub cycle: BillingCycle,
    pub billing_type: BillingType,
    /// What each cycle costs, in centavos (null before a subscription exists).
    pub price_cents: Option<i32>,
    /// The next open charge (or the next cycle's): `yyyy-mm-dd` and centavos.
    pub next_charge_date: Option<String>,
    pub next_charge_cents: Option<i32>,
    /// The open charge's payment page, when one waits to be paid.
    pub payment_url: Option<String>,
    /// A downgrade waiting for the next cycle.
    pub scheduled_plan: Option<String>,
    /// Until when changes are allowed (RFC 3339): the trial's or the paid period's end, plus the
    /// grace period while active or past due; null when there is no end.
    pub writable_until: Option<String>,
    /// RFC 3339: when the owner canceled (the workspace stays writable until the period's end).
    pub canceled_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckoutDto {
    /// The charge to pay (the first of the subscription, or an upgrade's); null when nothing is
    /// to be paid now (a change for the next cycle): then `checkout_url` is the success URL.
    pub checkout_id: Option<Uuid>,
    /// Its payment page.
    pub checkout_url: String,
}

/// What the hosted checkout page shows (the local provider's page).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckoutView {
    pub company_name: String,
    pub description: String,
    pub value_cents: i32,
    pub due_date: String,
    pub billing_type: BillingType,
    pub status: ChargeStatus,
}

/// R$ with Brazilian separators: 69900 → "R$ 699,00".
pub fn format_brl(cents: i32) -> String {
    let reais = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in reais.chars().enumerate() {
        if i > 0 && (reais.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("R$ {grouped},{:02}", cents % 100)
}

#[cfg(test)]
mod billing_tests {
    #[test]
    fn brl() {
        assert_eq!(super::format_brl(9900), "R$ 99,00");
        assert_eq!(super::format_brl(69900), "R$ 699,00");
        assert_eq!(super::format_brl(123456789), "R$ 1.234.567,89");
        assert_eq!(super::format_brl(5), "R$ 0,05");
    }
}

/// `POST /api/signup/validate-document`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DocumentCheck {
    pub valid: bool,
    pub document_type: String,
    /// Normalised: digits (and, for the 2026 CNPJ, uppercase letters) only.
    pub document: String,
    pub formatted: String,
    /// False when a company with this document is already registered.
    pub available: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignupTenantDto {
    pub slug: String,
    pub name: String,
    pub plan: String,
    pub status: SubscriptionStatus,
    pub trial_ends_at: String,
}

/// `POST /api/signup/register` → 201.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignupDto {
    pub tenant: SignupTenantDto,
    pub user: UserDto,
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    pub expires_in: u64,
}

/// The signup pages' state: what the browser typed so far (kept server-side in its session, the
/// password only as a hash) and which step it is on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignupView {
    /// `company`, `admin` or `plan`.
    pub step: String,
    pub company_name: String,
    pub document_type: String,
    pub document: String,
    pub slug: String,
    pub admin_name: String,
    pub admin_email: String,
    pub plan: String,
    pub plans: Vec<PlanDto>,
    pub company_done: bool,
    pub admin_done: bool,
}

/// The billing page: the subscription and every plan it can move to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BillingPage {
    pub billing: BillingDto,
    pub plans: Vec<PlanDto>,
    /// The latest charges (newest first).
    pub charges: Page<ChargeDto>,
    /// Only the owner changes the subscription; managers read it.
    pub can_change: bool,
}
