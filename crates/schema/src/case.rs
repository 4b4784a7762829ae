//! A collision case as the events about it name it: the id every replica derives
//! for a case is the hash of its leads, so a decision or appeal that lists the leads
//! (`leads`) can be checked against its `case_id` by anyone, and the hub can tell
//! which branches a case involves without deriving cases (docs/RULES.md rule 17).

use sha2::{Digest, Sha256};

use crate::error::{refuse, Reason, Violation};
use crate::event::EventInfo;
use crate::names::is_lead_id;

/// The stable id of the case about these leads (any order): the first 16 hex digits
/// of SHA-256(`"lg-case-v1\n"` + the sorted, distinct lead ids, one per line).
pub fn case_id(lead_ids: &[String]) -> String {
    let mut ids: Vec<&str> = lead_ids.iter().map(String::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut h = Sha256::new();
    h.update(b"lg-case-v1\n");
    h.update(ids.join("\n").as_bytes());
    h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A decision or appeal written into lead `lead` that names its case's leads must
/// name leads whose hash is its case id, `lead` among them.
pub fn check_named_leads(lead: &str, ev: &EventInfo) -> Result<(), Violation> {
    let Some((case, Some(leads))) = &ev.case else { return Ok(()) };
    if leads.iter().any(|l| !is_lead_id(l)) {
        return refuse(Reason::Malformed, format!("the `{}` event names a case lead that is not a lead id", ev.kind.name()));
    }
    if case_id(leads) != *case {
        return refuse(Reason::Malformed, format!("the `{}` event's leads are not those of case {case}", ev.kind.name()));
    }
    if !leads.iter().any(|l| l == lead) {
        return refuse(Reason::Malformed, format!("the `{}` event of case {case} is written into lead {lead}, which the case does not hold", ev.kind.name()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_id_is_the_hash_of_its_leads_in_any_order() {
        let a = vec!["00000000000000aa".to_owned(), "00000000000000bb".to_owned()];
        let b = vec!["00000000000000bb".to_owned(), "00000000000000aa".to_owned(), "00000000000000aa".to_owned()];
        assert_eq!(case_id(&a), case_id(&b));
        assert_eq!(case_id(&a).len(), 16);
        assert_ne!(case_id(&a), case_id(&a[..1]));
    }
}
