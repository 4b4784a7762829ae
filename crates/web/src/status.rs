//! HTTP status for each stable [`leadguard_core::ErrorCode`].
//!
//! Matches on the code's string form so that a code the core adds later maps to 500
//! until it is listed here, instead of breaking the build of this crate.

use axum::http::StatusCode;
use leadguard_core::ErrorCode;

/// The HTTP status a failed command answers with.
pub fn for_code(code: ErrorCode) -> StatusCode {
    match code.as_str() {
        "unknown_command" | "not_found" => StatusCode::NOT_FOUND,
        "invalid_argument" => StatusCode::BAD_REQUEST,
        "forbidden" => StatusCode::FORBIDDEN,
        "conflict" | "not_initialized" => StatusCode::CONFLICT,
        "sync" => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_are_4xx_and_server_errors_5xx() {
        assert_eq!(for_code(ErrorCode::InvalidArgument), StatusCode::BAD_REQUEST);
        assert_eq!(for_code(ErrorCode::UnknownCommand), StatusCode::NOT_FOUND);
        assert_eq!(for_code(ErrorCode::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(for_code(ErrorCode::Forbidden), StatusCode::FORBIDDEN);
        assert_eq!(for_code(ErrorCode::Conflict), StatusCode::CONFLICT);
        assert_eq!(for_code(ErrorCode::NotInitialized), StatusCode::CONFLICT);
        assert_eq!(for_code(ErrorCode::Sync), StatusCode::BAD_GATEWAY);
        assert_eq!(for_code(ErrorCode::Internal), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(for_code(ErrorCode::CorruptStore), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(for_code(ErrorCode::Storage), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
