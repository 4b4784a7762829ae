//! The stable codes every API error carries (one per kind of failure); each
//! [`crate::Reason`] names its code, so the code follows from the reason.

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
    /// Every code, for the generated TypeScript list.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::UnknownCommand,
        ErrorCode::InvalidArgument,
        ErrorCode::NotFound,
        ErrorCode::Forbidden,
        ErrorCode::Conflict,
        ErrorCode::NotInitialized,
        ErrorCode::CorruptStore,
        ErrorCode::Storage,
        ErrorCode::Sync,
        ErrorCode::Internal,
    ];

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
