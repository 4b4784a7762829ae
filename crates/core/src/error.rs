//! Errors that cross the API boundary carry a stable [`ErrorCode`] the UI and
//! scripts branch on; the message is for humans and may change.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::reason::Reason;

pub use crate::error_code::ErrorCode;

/// The error value every API command returns:
/// `{ "code": "...", "reason": "...", "params": {...}, "message": "..." }`.
/// `reason` and `params` say why (the UI words them); `code` follows from the reason;
/// `message` is the English sentence for the CLI and scripts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    #[serde(flatten)]
    #[ts(flatten)]
    pub reason: Reason,
    pub message: String,
}

impl From<Reason> for ApiError {
    fn from(reason: Reason) -> ApiError {
        ApiError { code: reason.code(), message: reason.to_string(), reason }
    }
}

/// The error type of the core library. Every variant maps to one [`ErrorCode`], so
/// the API layer never has to guess.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule refused the command: malformed input, a missing lead, a role or owner
    /// that may not, a state that conflicts. The reason says which.
    #[error("{0}")]
    Rejected(Reason),
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
            Error::Rejected(r) => r.code(),
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

impl Error {
    /// The reason the API answers with.
    pub fn reason(&self) -> Reason {
        let detail = self.to_string();
        match self {
            Error::Rejected(r) => r.clone(),
            Error::NotInitialized(dir) => Reason::NotInitialized { data_dir: dir.clone() },
            _ if self.code() == ErrorCode::CorruptStore => Reason::CorruptStore { detail },
            _ => Reason::Storage { detail: detail.trim_start_matches("storage: ").to_string() },
        }
    }
}

impl From<Reason> for Error {
    fn from(r: Reason) -> Error {
        Error::Rejected(r)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError { code: e.code(), message: e.to_string(), reason: e.reason() }
    }
}

/// Result of core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
