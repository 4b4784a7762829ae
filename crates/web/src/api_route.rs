//! `POST /api/<cmd>`: one command of the core's API per request.
//!
//! The body is the command's JSON arguments (empty means `null`); the answer is the
//! command's JSON result with 200, or an [`ApiError`] `{code, message}` with a 4xx/5xx
//! status from [`crate::status::for_code`]. Every failure, including a refused or
//! oversized request, is answered as an `ApiError`, so the UI has one error shape.
//!
//! The core is synchronous (SQLite): commands run through the core's [`Host`] (one at a
//! time, a sync outside the lock), on tokio's blocking pool so the server keeps
//! accepting connections meanwhile.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leadguard_core::api::Host;
use leadguard_core::{ApiError, Reason};

use crate::guard::Guard;

/// Shared state of the API routes.
#[derive(Clone)]
pub struct ApiState {
    /// The core's host: the same rules as the desktop shell's.
    pub host: Arc<Host>,
    pub guard: Arc<Guard>,
}

fn header_str(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn error_response(status: StatusCode, err: ApiError) -> Response {
    (status, Json(err)).into_response()
}

/// The handler of `POST /api/{cmd}`.
pub async fn call(
    State(state): State<ApiState>,
    Path(cmd): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(rejection) = state.guard.check_api(
        header_str(&headers, header::HOST),
        header_str(&headers, header::ORIGIN),
        header_str(&headers, crate::TOKEN_HEADER),
    ) {
        let status = StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::FORBIDDEN);
        return error_response(status, rejection.to_api_error());
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            return error_response(
                e.status(),
                ApiError::from(Reason::BadArguments { detail: format!("request body: {}", e.body_text()) }),
            )
        }
    };
    let args = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(v) => v,
            Err(e) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    ApiError::from(Reason::BadArguments { detail: format!("{cmd}: body is not JSON: {e}") }),
                )
            }
        }
    };
    let host = state.host.clone();
    let cmd_for_task = cmd.clone();
    let outcome = tokio::task::spawn_blocking(move || host.call(&cmd_for_task, args)).await;
    match outcome {
        Ok(Ok(value)) => (StatusCode::OK, Json(value)).into_response(),
        Ok(Err(err)) => error_response(crate::status::for_code(err.code), err),
        Err(join) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::from(Reason::Internal { detail: format!("{cmd} failed: {join}") }),
        ),
    }
}

/// Any other method or path under `/api/`.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        ApiError::from(Reason::UnknownCommand { command: uri.path().to_string() }),
    )
}

/// `/api/<cmd>` with a method other than POST.
pub async fn method_not_allowed(method: axum::http::Method) -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ApiError::from(Reason::BadArguments { detail: format!("{method} is not supported; use POST /api/<command>") }),
    )
}
