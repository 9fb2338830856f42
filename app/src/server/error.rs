//! How [`AppError`] leaves the server, and how lower-level errors become one. Internal errors are
//! logged once, where they are converted, with the source location of the conversion (the `?` in
//! the service or handler), inside the request's span (request id, tenant, user).
use std::panic::Location;

use axum::{
    extract::rejection::JsonRejection,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

use crate::{
    error::{AppError, FieldErrors},
    server::{db::health, domain::BLANK, metrics},
};

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.body())).into_response();
        if let AppError::RateLimited { retry_after_secs }
        | AppError::Busy { retry_after_secs }
        | AppError::QuotaExceeded { retry_after_secs }
        | AppError::Unavailable { retry_after_secs } = self
        {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
        }
        response
    }
}

/// Logs the internal error once with where it happened, and hands back the generic error: no SQL
/// or driver text ever reaches a client.
#[track_caller]
pub fn internal(context: &str, err: impl std::fmt::Display) -> AppError {
    let location = Location::caller();
    tracing::error!(error = %err, %location, "{context}");
    AppError::Internal
}

impl From<sqlx::Error> for AppError {
    /// A database that cannot be reached (restarting, failing over, out of connections) is a 503
    /// the client may retry, not a 500: nothing was done.
    #[track_caller]
    fn from(err: sqlx::Error) -> Self {
        if health::is_connection_lost(&err) {
            let location = Location::caller();
            tracing::warn!(error = %err, %location, "database unavailable");
            health::connection_lost();
            metrics::database_unavailable();
            return AppError::Unavailable { retry_after_secs: 1 };
        }
        // PostgreSQL refuses a NUL byte in any text value (22021). Fields that say so themselves
        // catch it first; this keeps any other text parameter (a search, a description) from
        // becoming a 500.
        if let sqlx::Error::Database(db) = &err {
            if db.code().as_deref() == Some("22021") {
                return AppError::BadRequest { detail: "Text must not contain NUL characters".into() };
            }
        }
        internal("database error", err)
    }
}

/// A constraint's name and the error its violation means.
pub type ConstraintError<'a> = (&'a str, fn() -> AppError);

/// Maps a violation of one of the named unique constraints to the error given for it (a 409/422
/// instead of checking first and racing); any other error stays internal.
#[track_caller]
pub fn on_constraint(err: sqlx::Error, map: &[ConstraintError<'_>]) -> AppError {
    if let sqlx::Error::Database(db) = &err {
        if let Some((_, to_error)) = map.iter().find(|(name, _)| db.constraint() == Some(name)) {
            return to_error();
        }
    }
    err.into()
}

/// A JSON body that cannot be read speaks the API's error format: a syntax error is a 400, a
/// wrong or unknown field a 422 naming the field.
impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
            JsonRejection::JsonSyntaxError(_) => AppError::BadRequest { detail: "Malformed JSON body".into() },
            JsonRejection::JsonDataError(err) => data_error(&err.body_text()),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            other => AppError::BadRequest { detail: other.body_text() },
        }
    }
}

/// Turns serde's message into a field map: unknown fields are refused by name, wrong types are
/// reported at their path.
fn data_error(text: &str) -> AppError {
    let between_ticks = |s: &str| s.split('`').nth(1).map(str::to_string);
    let detail = text.strip_prefix("Failed to deserialize the JSON body into the target type: ").unwrap_or(text);
    let mut fields = FieldErrors::new();
    if let Some(rest) = detail.split("unknown field ").nth(1) {
        let name = between_ticks(rest).unwrap_or_else(|| "body".into());
        fields.insert(name, vec!["is not a permitted field".into()]);
    } else if let Some(rest) = detail.split("missing field ").nth(1) {
        let name = between_ticks(rest).unwrap_or_else(|| "body".into());
        fields.insert(name, vec![BLANK.into()]);
    } else if let Some((path, message)) = detail.split_once(": ").filter(|(p, _)| !p.contains(' ')) {
        let message = message.split(" at line ").next().unwrap_or(message);
        fields.insert(path.to_string(), vec![message.to_string()]);
    } else {
        let message = detail.split(" at line ").next().unwrap_or(detail);
        fields.insert("body".into(), vec![message.to_string()]);
    }
    AppError::Validation { fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: AppError) -> FieldErrors {
        match err {
            AppError::Validation { fields } => fields,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn maps_serde_messages_to_fields() {
        let f = fields(data_error("Failed to deserialize the JSON body into the target type: unknown field `company_id`, expected one of `email`, `password` at line 1 column 20"));
        assert_eq!(f["company_id"], vec!["is not a permitted field"]);
        let f = fields(data_error("Failed to deserialize the JSON body into the target type: email: invalid type: integer `1`, expected a string at line 1 column 10"));
        assert_eq!(f["email"], vec!["invalid type: integer `1`, expected a string"]);
        let f = fields(data_error("Failed to deserialize the JSON body into the target type: invalid type: sequence, expected struct X at line 1 column 1"));
        assert!(f.contains_key("body"));
    }
}
