//! JSON control messages: enrolment, sync completion, identity, health, errors.
//!
//! These are small and rare, so readability wins over compactness. Every error
//! response of the hub has the body [`ErrorBody`] with a stable snake_case
//! [`ErrorCode`]; clients branch on the code, never on the message text.

use crate::HubTime;
use serde::{Deserialize, Serialize};

/// Roles are defined once, in the schema every replica and the hub check against.
pub use leadguard_schema::{Role, UnknownRole};

/// `POST /v1/enroll`: exchange a one-time enrolment token for a device credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub token: String,
}

/// The device's identity and its long-lived credential (shown once; the hub keeps
/// only a hash of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: String,
    pub credential: String,
    pub rep: String,
    pub name: String,
    pub branch: String,
    pub role: Role,
    /// The scope this device writes its documents into.
    pub write_scope: String,
    pub hub_time: HubTime,
    /// The company keys in the key-file form (`leadguard_seal::CompanyKeys`): the
    /// digest key every device shares, and the staff key for employees (never for a
    /// distributor). The laptop keeps them in a file beside its registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_keys: Option<String>,
    /// A director's assigned branches (rule 17; `branch` is the first); empty for
    /// other roles. Its laptop offers to decide only the cases of these branches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<String>,
}

/// `POST /v1/devices`: a manager's device asks for an enrolment token for a new
/// device of its own branch (a rep's or a distributor's laptop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    /// The person (rep id) who will use the device.
    pub rep: String,
    /// Display name, e.g. 李娜.
    pub name: String,
    pub role: Role,
    /// Hours the token stays valid (1 to 720; default 72).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_hours: Option<u32>,
}

/// A new device's one-time enrolment token (shown once; the hub keeps a hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub device_id: String,
    pub token: String,
    pub expires_at: HubTime,
}

/// One device of a branch, as a manager sees it (`GET /v1/devices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub id: String,
    pub rep: String,
    pub name: String,
    pub branch: String,
    pub role: Role,
    pub created_at: HubTime,
    pub enrolled_at: Option<HubTime>,
    pub revoked_at: Option<HubTime>,
    pub last_sync_at: Option<HubTime>,
}

/// `GET /v1/me`: who the hub thinks the caller is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoAmI {
    pub device_id: String,
    pub rep: String,
    pub name: String,
    pub branch: String,
    pub role: Role,
    pub write_scope: String,
    pub last_sync: Option<HubTime>,
    /// The hub database's epoch; a new one after the hub was restored from a backup
    /// (absent from hubs before backups existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<HubEpoch>,
}

/// A hub database's epoch: `id` changes when the hub is restored from a backup, and the
/// hub then holds no change after `start_seq`. A device that sees a new id re-sends
/// its own changes acknowledged after `start_seq` and pulls again from there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubEpoch {
    pub id: String,
    pub start_seq: u64,
}

/// `POST /v1/sync/complete`: the device applied everything up to `cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncComplete {
    pub cursor: u64,
}

/// The hub's record of that successful sync; `synced_at` becomes the
/// `device_prev_sync` of this device's next pushes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCompleted {
    pub synced_at: HubTime,
    /// The time of the sync before this one, if any.
    pub previous: Option<HubTime>,
}

/// `GET /v1/health` (unauthenticated; says nothing about stored data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub protocol: u8,
    pub hub_time: HubTime,
}

/// Stable error codes of hub responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 401: no, unknown or revoked credential. Deliberately says no more.
    Unauthorized,
    /// 403: authenticated, but the scope is not this device's to read or write.
    Forbidden,
    /// 400: the body is not a well-formed message.
    Malformed,
    /// 422: a change's bytes are not a valid Automerge change.
    InvalidChange,
    /// 409: a change names a document that already lives in another scope.
    ScopeMismatch,
    /// 413: body or change over the size limits.
    TooLarge,
    /// 415: wrong content type or content encoding.
    UnsupportedMedia,
    /// 400: enrolment token unknown, used or expired.
    InvalidToken,
    /// 404: no such endpoint.
    NotFound,
    /// 500: the hub failed; the request may be retried.
    Internal,
    /// 429: too many requests from this device for now (the online check's rate
    /// limit); the client waits and asks again.
    RateLimited,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Malformed => "malformed",
            ErrorCode::InvalidChange => "invalid_change",
            ErrorCode::ScopeMismatch => "scope_mismatch",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UnsupportedMedia => "unsupported_media",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Internal => "internal",
            ErrorCode::RateLimited => "rate_limited",
        }
    }

    /// The HTTP status the hub answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::Malformed | ErrorCode::InvalidToken => 400,
            ErrorCode::InvalidChange => 422,
            ErrorCode::ScopeMismatch => 409,
            ErrorCode::TooLarge => 413,
            ErrorCode::UnsupportedMedia => 415,
            ErrorCode::NotFound => 404,
            ErrorCode::Internal => 500,
            ErrorCode::RateLimited => 429,
        }
    }
}

/// Body of every hub error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// Why a change was refused: a stable schema code (`leadguard_schema::Reason`),
    /// e.g. `root_rewrite`, `unknown_kind`; absent for other errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_serialize_as_their_stable_names() {
        for code in [
            ErrorCode::Unauthorized,
            ErrorCode::Forbidden,
            ErrorCode::Malformed,
            ErrorCode::InvalidChange,
            ErrorCode::ScopeMismatch,
            ErrorCode::TooLarge,
            ErrorCode::UnsupportedMedia,
            ErrorCode::InvalidToken,
            ErrorCode::NotFound,
            ErrorCode::Internal,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::String(code.as_str().into()));
            assert!((400..600).contains(&code.http_status()));
        }
    }

    #[test]
    fn roles_parse_and_print() {
        for r in [Role::Rep, Role::Manager, Role::Distributor, Role::Receptionist] {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("admin".parse::<Role>().is_err());
    }
}

/// One lead's key (docs/VISIBILITY.md "Keys and entitlement"): 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadKeyEntry {
    pub lead_id: String,
    pub key: String,
}

/// `POST /v1/keys`: the keys of leads the calling device registered. The hub keeps
/// the first key of each lead and answers with the ids it holds a key for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysPush {
    pub keys: Vec<LeadKeyEntry>,
}

/// `POST /v1/keys` response: which of the pushed leads the hub now holds a key for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysStored {
    pub stored: Vec<String>,
}

/// `GET /v1/keys`: the keys of the leads the caller's user may see in full now
/// (grants), and the leads it may not see in full (revocations: a device holding
/// their key deletes it and the readable copies it derived). Computed at every call
/// from the leads' histories with the replicas' own status rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyGrants {
    pub grants: Vec<LeadKeyEntry>,
    pub revocations: Vec<String>,
}

/// `POST /v1/check` (docs/VISIBILITY.md, rule 15): what a distributor's laptop typed,
/// as match data only — never the typed values themselves. Every field may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRequest {
    /// The company's match key: its normalised core (`leadguard_dedup::normalize_company`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_key: Option<String>,
    /// The phone masked as `139****3333` (from a full or an already masked number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_masked: Option<String>,
    /// Keyed digests (company digest key) of the normalised phone, e-mail, contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_digest: Option<String>,
}

/// `POST /v1/check` response: whether someone else already protects a customer
/// matching the request, and until when — nothing else (no owner, contact or lead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CheckAnswer {
    /// A matching customer is protected (or bound by a deal: `until` is None).
    Protected { until: Option<HubTime> },
    /// No matching customer is protected.
    Free,
}
