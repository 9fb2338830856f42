//! One validation vocabulary for every service: [`fields::Fields`] collects field errors in the
//! API's `{"errors": {"field": [...]}}` shape, and the newtypes parse input once into values that
//! are valid by construction (a [`name::Name`] is never blank or longer than 120 characters, an
//! [`email::Email`] always has the shape of an address).
pub mod email;
pub mod fields;
pub mod name;

/// Declares a request body: the same type is the JSON API's body and the service's input. Every
/// field is optional, so a missing one is reported by the service as a field error beside the
/// others (not by serde as one error for the whole body), and unknown fields are refused (422).
///
/// `body! { /// doc  pub struct CreateUser { name: String, active: bool } }` declares
/// `pub name: Option<String>, pub active: Option<bool>`; attributes may precede a field.
macro_rules! body {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: Option<$ty>,)*
        }
    };
}
pub(crate) use body;

/// Free text (a description): line breaks and tabs are fine, other control characters are not
/// (PostgreSQL cannot even store a NUL byte). The request schemas state it with the pattern
/// `^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$`.
pub fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// What every required field says when it is missing or blank.
pub const BLANK: &str = "can't be blank";

/// For optional fields where `null` clears and absence keeps: `Some(None)` vs `None`
/// (`#[serde(default, deserialize_with = "nullable")]`).
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}
