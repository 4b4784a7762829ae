//! Errors that cross the API boundary carry a stable [`ErrorCode`] the UI and
//! scripts branch on; the message is for humans and may change.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable error codes. Never rename a variant: the UI and scripts match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The command name is not part of the API.
    UnknownCommand,
    /// The arguments did not parse or a field is malformed.
    InvalidArgument,
    /// A referenced lead, rep, case, ... does not exist.
    NotFound,
    /// The caller may not do this (role, ownership, protection period).
    Forbidden,
    /// The action conflicts with the current state (e.g. claiming a protected lead).
    Conflict,
    /// The data directory holds no registry yet (run init).
    NotInitialized,
    /// The database file is corrupt or belongs to another program.
    CorruptStore,
    /// Storage failed (disk full, permissions).
    Storage,
    /// The hub could not be reached or refused the request.
    Sync,
    /// A bug: something that should not happen did.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnknownCommand => "unknown_command",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Conflict => "conflict",
            ErrorCode::NotInitialized => "not_initialized",
            ErrorCode::CorruptStore => "corrupt_store",
            ErrorCode::Storage => "storage",
            ErrorCode::Sync => "sync",
            ErrorCode::Internal => "internal",
        }
    }
}

/// The error value every API command returns: `{ "code": "...", "message": "..." }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into() }
    }
}

/// The error type of the core library. Every variant maps to one [`ErrorCode`], so
/// the API layer never has to guess.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Malformed or missing input.
    #[error("{0}")]
    Invalid(String),
    /// A lead, rep, document ... that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this (role, ownership, protection).
    #[error("{0}")]
    Forbidden(String),
    /// The action conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// No registry in the data directory yet.
    #[error("no registry in {0}: run `leadguard init` first")]
    NotInitialized(String),
    /// The file is not a Leadguard registry, or it is damaged.
    #[error("{0}")]
    Corrupt(String),
    /// SQLite failed.
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The filesystem failed.
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
    /// Automerge refused a document or change (damaged data).
    #[error("document: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// A stored event or value did not decode.
    #[error("stored data does not decode: {0}")]
    Decode(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid(_) => ErrorCode::InvalidArgument,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::NotInitialized(_) => ErrorCode::NotInitialized,
            Error::Corrupt(_) | Error::Automerge(_) | Error::Decode(_) => ErrorCode::CorruptStore,
            Error::Sqlite(e) if is_corrupt(e) => ErrorCode::CorruptStore,
            Error::Sqlite(_) | Error::Io(_) => ErrorCode::Storage,
        }
    }
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) | Some(rusqlite::ErrorCode::NotADatabase)
    )
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::new(e.code(), e.to_string())
    }
}

/// Result of core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
