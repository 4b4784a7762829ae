//! Checks a push batch before anything is stored.
//!
//! The hub refuses what it cannot vouch for: bytes that are not an Automerge change
//! (checksum and structure verified by `automerge::Change`), oversized changes, unknown
//! scope syntax, scopes the device may not write, document ids of another scope; then,
//! inside the push transaction, what the change writes and whether the device may author
//! it ([`crate::authorship`]). One bad change rejects the whole batch, so a batch is
//! stored entirely or not at all and the client's retry logic stays simple.

use crate::error::HubError;
use crate::scope::{Device, Scope};
use crate::store::ValidChange;
use leadguard_protocol::{ChangeHash, PushRequest, MAX_CHANGE_BYTES};
use leadguard_schema::DocName;

/// Longest document id accepted.
pub const MAX_DOC_ID_BYTES: usize = 256;

/// Validates every change of `req` for `device`.
pub fn validate_push(device: &Device, req: PushRequest) -> Result<Vec<ValidChange>, HubError> {
    let mut out = Vec::with_capacity(req.changes.len());
    for (i, c) in req.changes.into_iter().enumerate() {
        if c.doc_id.is_empty() || c.doc_id.len() > MAX_DOC_ID_BYTES || c.doc_id.chars().any(char::is_control) {
            return Err(HubError::Malformed(format!("change {i}: document id must be 1 to {MAX_DOC_ID_BYTES} printable bytes")));
        }
        let scope = Scope::parse(&c.scope)
            .ok_or_else(|| HubError::Malformed(format!("change {i}: {:?} is not a scope", c.scope)))?;
        // Another branch's lead documents take only decisions and appeals on a case
        // the device may decide or appeal (`crate::case_rights`, rule 17), checked
        // with what the change writes; nothing else of another scope.
        let decision_may_cross = matches!(scope, Scope::Branch(_) | Scope::Dist { .. })
            && !matches!(device.role, leadguard_protocol::Role::Receptionist)
            && !c.doc_id.starts_with("directory/");
        if !device.may_write(&scope) && !decision_may_cross {
            return Err(HubError::ScopeForbidden { scope: c.scope.clone(), access: crate::error::ScopeAccess::Write });
        }
        if c.bytes.len() > MAX_CHANGE_BYTES {
            return Err(HubError::TooLarge(format!(
                "change {i} is {} bytes; the limit is {MAX_CHANGE_BYTES}",
                c.bytes.len()
            )));
        }
        let change = automerge::Change::try_from(&c.bytes[..])
            .map_err(|e| HubError::InvalidChange(format!("change {i} is not an Automerge change: {e}")))?;
        // The name says the scope: no document can be taken in another scope.
        DocName::in_scope(&c.doc_id, &c.scope).map_err(|v| crate::authorship::refused(i, v))?;
        let hash = ChangeHash(change.hash().0);
        out.push(ValidChange { hash, doc_id: c.doc_id, scope: c.scope, bytes: c.bytes });
    }
    Ok(out)
}
