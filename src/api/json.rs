//! A JSON body extractor whose rejections speak the API's error format.
use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::StatusCode,
};
use serde::de::DeserializeOwned;

use app::error::{AppError, FieldErrors};

pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(map_rejection(rejection)),
        }
    }
}

fn map_rejection(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
        JsonRejection::JsonSyntaxError(_) => AppError::BadRequest { detail: "Malformed JSON body".into() },
        JsonRejection::JsonDataError(err) => data_error(&err.body_text()),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        other => AppError::BadRequest { detail: other.body_text() },
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
        fields.insert(name, vec!["can't be blank".into()]);
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
