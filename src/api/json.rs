//! The API's JSON in and out: a body extractor whose rejections speak the API's error format
//! (`From<JsonRejection> for AppError`), and the typed `{"data": ...}` envelopes of answers.
use axum::{
    extract::FromRequest,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

use app::error::AppError;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// The `{"data": ...}` envelope of every successful answer, serialised straight from its type.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Data<T> {
    pub data: T,
}

/// What most handlers answer: `200 {"data": ...}` or the error.
pub type JsonResult<T> = Result<Json<Data<T>>, AppError>;

/// `200 {"data": ...}`.
pub fn ok<T: Serialize>(data: T) -> Json<Data<T>> {
    Json(Data { data })
}

/// `201 {"data": ...}`.
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, Json(Data { data: self.0 })).into_response()
    }
}
