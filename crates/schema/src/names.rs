//! Ids and document names. A document's id says which scope it belongs to, so no one
//! can take a name in another scope (pushing `directory/east` from the north branch
//! would otherwise fix that document's scope before any east device pushed it).
//!
//! | document id | scope |
//! |---|---|
//! | `directory/<branch>` | `branch:<branch>` |
//! | `<branch>/<device>/<n>` (a device's n-th lead shard) | `branch:<branch>` |
//! | `dist:<branch>/<rep>/<n>` (a distributor's reports to a branch) | `dist:<branch>/<rep>` |
//!
//! Branch, rep and device ids are 1–64 bytes of letters, digits, `-`, `_`, `.`; a colon
//! or slash never appears in them, so the forms cannot be confused.

use crate::error::{refuse, Reason, Violation};

/// Longest id of a rep, branch, device or event, in bytes.
pub const MAX_ID_BYTES: usize = 64;

/// Whether `s` is a valid rep, branch, device or event id.
pub fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_ID_BYTES && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Checks an id, naming it `what` in the refusal.
pub fn check_id(what: &str, s: &str) -> Result<(), Violation> {
    if is_id(s) {
        Ok(())
    } else {
        refuse(Reason::BadId, format!("{what} {s:?} must be 1-{MAX_ID_BYTES} letters, digits, '-', '_' or '.'"))
    }
}

/// Whether `s` is a lead id: 16 lowercase hex digits (the dedup index keys it as a u64).
pub fn is_lead_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A parsed document id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocName {
    /// `directory/<branch>`: reps and policy of a branch.
    Directory { branch: String },
    /// `<branch>/<device>/<n>`: leads registered on a branch device.
    Shard { branch: String, device: String, n: u32 },
    /// `dist:<branch>/<rep>/<n>`: leads distributor `rep` reported to `branch`, from
    /// any of its laptops (named by the account, not the device, so reports written
    /// before the laptop was enrolled, or on a replaced laptop, keep their home).
    Dist { branch: String, rep: String, n: u32 },
}

fn shard_number(s: &str) -> Option<u32> {
    let canonical = s == "0" || (!s.starts_with('0') && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()));
    canonical.then(|| s.parse().ok()).flatten()
}

impl DocName {
    /// Parses a document id; anything else is `bad_doc_id`.
    pub fn parse(doc_id: &str) -> Result<DocName, Violation> {
        let bad = || Violation::new(Reason::BadDocId, format!("{doc_id:?} is not a document id (directory/<branch>, <branch>/<device>/<n> or dist:<branch>/<rep>/<n>)"));
        if let Some(branch) = doc_id.strip_prefix("directory/").filter(|b| is_id(b)) {
            return Ok(DocName::Directory { branch: branch.to_owned() });
        }
        if let Some(rest) = doc_id.strip_prefix("dist:") {
            let parts: Vec<&str> = rest.split('/').collect();
            let [branch, rep, n] = parts[..] else { return Err(bad()) };
            let n = shard_number(n).filter(|_| is_id(branch) && is_id(rep)).ok_or_else(bad)?;
            return Ok(DocName::Dist { branch: branch.to_owned(), rep: rep.to_owned(), n });
        }
        let parts: Vec<&str> = doc_id.split('/').collect();
        match parts[..] {
            [branch, device, n] if is_id(branch) && is_id(device) => {
                let n = shard_number(n).ok_or_else(bad)?;
                Ok(DocName::Shard { branch: branch.to_owned(), device: device.to_owned(), n })
            }
            _ => Err(bad()),
        }
    }

    /// The one scope this document may live in.
    pub fn scope(&self) -> String {
        match self {
            DocName::Directory { branch } | DocName::Shard { branch, .. } => format!("branch:{branch}"),
            DocName::Dist { branch, rep, .. } => format!("dist:{branch}/{rep}"),
        }
    }

    /// The branch the document belongs to (a distributor's reports: the branch they
    /// are reported to).
    pub fn branch(&self) -> &str {
        match self {
            DocName::Directory { branch } | DocName::Shard { branch, .. } | DocName::Dist { branch, .. } => branch,
        }
    }

    /// Parses `doc_id` and checks it belongs to `scope`.
    pub fn in_scope(doc_id: &str, scope: &str) -> Result<DocName, Violation> {
        let name = DocName::parse(doc_id)?;
        let own = name.scope();
        if own != scope {
            return refuse(Reason::WrongScope, format!("document {doc_id:?} belongs to scope {own:?}, not {scope:?}"));
        }
        Ok(name)
    }

    /// Whether the document holds leads (shards and distributor reports).
    pub fn holds_leads(&self) -> bool {
        !matches!(self, DocName::Directory { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_carry_their_scope() {
        assert_eq!(DocName::in_scope("directory/sh", "branch:sh").unwrap(), DocName::Directory { branch: "sh".into() });
        assert_eq!(DocName::parse("sh/4f1a2b3c4d5e6f70/12").unwrap().scope(), "branch:sh");
        assert_eq!(DocName::parse("华南/4f1a/0").unwrap().scope(), "branch:华南");
        assert_eq!(DocName::parse("dist:sh/agent-7/0").unwrap().scope(), "dist:sh/agent-7");
        assert_eq!(DocName::parse("dist:sh/agent-7/0").unwrap().branch(), "sh");
        assert_eq!(DocName::parse("directory/a/0").unwrap().scope(), "branch:directory", "a branch may be called directory");
        assert_eq!(DocName::in_scope("directory/east", "branch:north").unwrap_err().reason, Reason::WrongScope);
        assert_eq!(DocName::in_scope("east/d/0", "branch:north").unwrap_err().reason, Reason::WrongScope);
        assert_eq!(DocName::in_scope("dist:sh/d9/0", "dist:sh/d8").unwrap_err().reason, Reason::WrongScope);
        assert_eq!(DocName::in_scope("dist:sh/d9/0", "dist:bj/d9").unwrap_err().reason, Reason::WrongScope);
        for bad in ["", "d", "shared-id", "sh/d", "sh/d/01", "sh/d/x", "sh/d/0/1", "directory/", "dist:d9", "dist:/0", "dist:d9/0", "dist:sh//0", "dist:sh/d9/0/1", "dist:sh/d 9/0", "sh/a b/0", "sh/d/-1", "directory/a:b"] {
            assert_eq!(DocName::parse(bad).unwrap_err().reason, Reason::BadDocId, "{bad:?}");
        }
    }

    #[test]
    fn lead_ids_are_sixteen_hex_digits() {
        assert!(is_lead_id("0123456789abcdef"));
        assert!(!is_lead_id("0123456789ABCDEF"));
        assert!(!is_lead_id("lead-1"));
        assert!(!is_lead_id("0123456789abcde"));
    }
}
