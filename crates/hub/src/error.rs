//! Hub errors and how they become HTTP responses.
//!
//! Every failure maps to one stable [`ErrorCode`] and a JSON [`ErrorBody`]. Client
//! errors (4xx) explain themselves; authentication failures deliberately do not
//! (an unknown and a revoked credential look the same), and internal errors are
//! logged on the hub with details but answered with a generic message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use leadguard_protocol::{ErrorBody, ErrorCode};

/// Anything a hub request or command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("authentication required")]
    Unauthorized,
    /// The device's role and branch do not give it this scope.
    #[error("this device may not {access} scope {scope:?}")]
    ScopeForbidden { scope: String, access: ScopeAccess },
    /// Device management is for a branch manager's device.
    #[error("only a branch manager's device may manage devices")]
    NotManager,
    /// Managers invite rep and distributor devices; a manager's is enrolled on the hub.
    #[error("managers invite rep and distributor devices; a {role} device is enrolled on the hub")]
    InviteRole { role: leadguard_protocol::Role },
    /// The online check (`POST /v1/check`) is for distributors' devices.
    #[error("only a distributor's device asks the hub whether a customer is protected; employees' laptops check their own registry")]
    CheckForbidden,
    /// Too many online checks from this device for now.
    #[error("too many checks from this device; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A manager may not revoke the device they are using.
    #[error("a manager cannot revoke their own device here; ask the hub's administrator")]
    OwnDevice,
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    InvalidChange(String),
    /// A change the schema or the authorship rules refuse (`leadguard_schema`).
    #[error("change {index}: {violation}")]
    Refused { index: usize, violation: leadguard_schema::Violation },
    #[error("document {doc_id:?} belongs to another scope")]
    ScopeMismatch { doc_id: String },
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMedia(String),
    #[error("enrolment token is unknown, already used, revoked or expired")]
    InvalidToken,
    #[error("no device {0:?}")]
    NoSuchDevice(String),
    #[error("not a Leadguard hub database: {0}")]
    ForeignDatabase(String),
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// The PostgreSQL backend's database or connection failed (`store::pg`).
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error(transparent)]
    Randomness(#[from] crate::secret::RandomnessError),
    #[error("internal task failed: {0}")]
    Task(String),
    /// A PostgreSQL write group was not committed (`store::pg::writer`).
    #[error(transparent)]
    WriteGroup(#[from] crate::store::pg::GroupFailed),
    /// The company keys stored in the hub database do not parse.
    #[error("company keys: {0}")]
    CompanyKeys(#[from] leadguard_seal::SealError),
    /// The data directory is in use (a restore beside a serving hub).
    #[error("{0}")]
    Busy(String),
    #[error("{0}")]
    Io(String),
}

/// What a device tried to do with a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeAccess {
    Read,
    Write,
}

impl std::fmt::Display for ScopeAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ScopeAccess::Read => "read",
            ScopeAccess::Write => "write",
        })
    }
}

impl HubError {
    pub fn code(&self) -> ErrorCode {
        match self {
            HubError::Unauthorized => ErrorCode::Unauthorized,
            HubError::ScopeForbidden { .. } | HubError::NotManager | HubError::InviteRole { .. } | HubError::OwnDevice
            | HubError::CheckForbidden => ErrorCode::Forbidden,
            HubError::RateLimited { .. } => ErrorCode::RateLimited,
            HubError::Malformed(_) => ErrorCode::Malformed,
            HubError::InvalidChange(_) => ErrorCode::InvalidChange,
            HubError::Refused { violation, .. } if violation.reason.is_forbidden() => ErrorCode::Forbidden,
            HubError::Refused { .. } => ErrorCode::InvalidChange,
            HubError::ScopeMismatch { .. } => ErrorCode::ScopeMismatch,
            HubError::TooLarge(_) => ErrorCode::TooLarge,
            HubError::UnsupportedMedia(_) => ErrorCode::UnsupportedMedia,
            HubError::InvalidToken => ErrorCode::InvalidToken,
            HubError::NoSuchDevice(_) => ErrorCode::NotFound,
            HubError::ForeignDatabase(_)
            | HubError::Db(_)
            | HubError::Postgres(_)
            | HubError::Randomness(_)
            | HubError::Task(_)
            | HubError::WriteGroup(_)
            | HubError::CompanyKeys(_)
            | HubError::Busy(_)
            | HubError::Io(_) => {
                ErrorCode::Internal
            }
        }
    }
}

impl From<leadguard_protocol::DecodeError> for HubError {
    fn from(e: leadguard_protocol::DecodeError) -> Self {
        match e {
            leadguard_protocol::DecodeError::TooMany { .. } => HubError::TooLarge(e.to_string()),
            _ => HubError::Malformed(e.to_string()),
        }
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let code = self.code();
        let message = if code == ErrorCode::Internal {
            tracing::error!(error = %self, "internal error");
            "the hub failed to handle the request; retry later".to_owned()
        } else {
            self.to_string()
        };
        let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let reason = match &self {
            HubError::Refused { violation, .. } => Some(violation.reason.code().to_owned()),
            _ => None,
        };
        let mut response = (status, Json(ErrorBody { code, message, reason })).into_response();
        if let HubError::RateLimited { retry_after_secs } = &self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(*retry_after_secs));
        }
        response
    }
}
