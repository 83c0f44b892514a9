//! Errors of the API: every failure is a JSON body `{code, message: {en, zh}, field?}` with an HTTP
//! status. Only this crate maps errors to HTTP.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baydex_core::Text;
use serde::Serialize;

/// An error returned to an API client.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    /// HTTP status.
    #[serde(skip)]
    pub status: StatusCode,
    /// Stable machine-readable code (`not_found`, `unauthorized`, `invalid_set`, …).
    pub code: &'static str,
    /// What went wrong and how to fix it, in both languages.
    pub message: Text,
    /// The request field the error is about (`set[0]`, `period`, …), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, en: impl Into<String>, zh: impl Into<String>) -> Self {
        ApiError { status, code, message: Text::new(en, zh), field: None }
    }

    /// Names the request field the error is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 404: a project, period, node or route that does not exist.
    pub fn not_found(what_en: &str, what_zh: &str, id: &str, known: &[String]) -> Self {
        let list = if known.len() > 20 {
            format!("{}, … ({} in all)", known[..20].join(", "), known.len())
        } else {
            known.join(", ")
        };
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {what_en} '{id}'; known: {list}"),
            format!("没有{what_zh} '{id}'；已有：{list}"),
        )
    }

    /// 401: authentication required or the token is not valid.
    pub fn unauthorized(en: &str, zh: &str) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", en, zh)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden(en: impl Into<String>, zh: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", en, zh)
    }

    /// 500: a server fault (never caused by the request).
    pub fn internal(en: impl Into<String>, zh: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", en, zh)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message.en)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_else(|_| b"{\"code\":\"internal\"}".to_vec());
        let mut r =
            (self.status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"baydex\""));
        }
        r
    }
}
