//! The Leadguard sync wire protocol, version 1.
//!
//! Sync is a change log (docs/ARCHITECTURE.md, "Sync"): a device pushes the
//! Automerge changes the hub lacks and pulls, by hub sequence number, the changes
//! of the scopes it may read. Two kinds of payload travel:
//!
//! * **Change batches** ([`PushRequest`], [`PushResponse`], [`PullResponse`]) carry
//!   opaque Automerge change bytes, possibly 100k of them after a week offline. They
//!   use a compact binary framing ([`codec`]): a 4-byte header, LEB128 varints, raw
//!   32-byte hashes and a per-message string table so a document id or scope
//!   repeated on thousands of changes is sent once. JSON would base64 every change
//!   (+33 %) and repeat every key.
//! * **Control messages** (enrolment, sync completion, errors, health) are small and
//!   rare; they are JSON ([`control`]) so they stay readable in logs and curl.
//!
//! Pull pages also come in a compact form ([`page`]): one deflated bundle per page
//! that leaves out what the client recomputes (change hashes, dependencies on
//! changes in the same page), for clients that ask for it.
//!
//! A push can carry its answer's first pull page ([`push_page`]), so a sync that
//! has something to push costs two requests (push with page, complete) instead of
//! three; hubs and clients without it keep the separate pull.
//!
//! Bodies are gzip-compressed on the wire (HTTP `Content-Encoding`) in both
//! directions. The binary layout is frozen by golden-byte tests
//! (`tests/golden.rs`): changing it is a new protocol version, never an edit.

#[cfg(feature = "client")]
pub mod client;
pub mod codec;
pub mod control;
pub mod history;
pub mod messages;
pub mod page;
pub mod push_page;
pub mod time;

pub use codec::DecodeError;
pub use control::{
    CheckAnswer, CheckRequest, DeviceInfo, EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, Health, HubEpoch, Invitation, InviteRequest, KeyGrants, KeysPush,
    KeysStored, LeadKeyEntry, Role, SyncComplete, SyncCompleted, WhoAmI,
};
pub use messages::{encode_plain_page, Ack, ChangeHash, PageEntry, PullResponse, PulledChange, PushChange, PushRequest, PushResponse};
pub use page::PAGE_CONTENT_TYPE;
pub use push_page::{PushAnswer, PULL_SINCE_HEADER, PUSH_PAGE_CONTENT_TYPE};
pub use time::HubTime;

/// Protocol version carried in every binary message header and in `/v1/` paths.
pub const VERSION: u8 = 1;

/// Media type of the binary change messages.
pub const CONTENT_TYPE: &str = "application/vnd.leadguard.sync.v1";

/// Largest request or response body, after decompression (8 MiB).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Largest single Automerge change the hub accepts (2 MiB). Devices write leads in
/// small transactions; a change this large is a bulk import that should have been
/// split (huge changes make later syncs expensive).
pub const MAX_CHANGE_BYTES: usize = 2 * 1024 * 1024;

/// Most changes in one push request.
pub const MAX_PUSH_CHANGES: usize = 10_000;

/// Most changes the hub returns in one pull response.
pub const MAX_PULL_CHANGES: usize = 10_000;

/// Byte budget of change payloads in one pull response; the hub stops filling a
/// response once it passes this and reports `more`.
pub const PULL_BYTE_BUDGET: usize = 4 * 1024 * 1024;

/// Scope of the documents a branch's reps and managers share.
pub fn branch_scope(branch: &str) -> String {
    format!("branch:{branch}")
}

/// Scope of the reports distributor `rep` makes to `branch` (from any of its laptops).
pub fn dist_scope(branch: &str, rep: &str) -> String {
    format!("dist:{branch}/{rep}")
}
