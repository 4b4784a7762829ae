//! Who may see a lead in full, and so receive its key (docs/VISIBILITY.md "Keys and
//! entitlement", rule 12): a rep the leads they own now; a manager every lead of
//! their branch; a distributor its own reports.
//!
//! Ownership is the replicas' own rule: the lead's status is derived with
//! `leadguard_core::status::derive` from its history as the hub accepted it, each
//! event timed by the hub's receipt of the change that carried it. A claim a laptop
//! forged on a lead someone else protects takes no effect in that rule, so it earns
//! its author no key.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::{AutoCommit, ObjType, ReadDoc, Value, ROOT};
use chrono::{DateTime, Utc};
use leadguard_core::model::Event;
use leadguard_core::policy::Policy;
use leadguard_core::status::{self, LeadState, Status};
use leadguard_core::timing::{Receipt, Timing};
use leadguard_protocol::Role;
use leadguard_schema::DocName;

use crate::scope::Device;

/// What entitlement needs to know of one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadFacts {
    pub branch: String,
    /// A distributor's report (`dist:` document), and whose.
    pub reporter: Option<String>,
    /// The rep who owns it now (protected or bound by a deal).
    pub owner: Option<String>,
}

/// Whether `device`'s user may see the lead in full.
pub fn entitled(device: &Device, lead: &LeadFacts) -> bool {
    match device.role {
        Role::Manager => lead.branch == device.branch,
        // A director sees its assigned branches as their manager does (rule 17).
        Role::Director => device.branches.contains(&lead.branch),
        // The owner, whichever branch's document holds the lead (a case across branches
        // may give another branch's lead to this rep, rule 17).
        Role::Rep => lead.owner.as_deref() == Some(device.rep.as_str()),
        // The front desk opens no customer's contacts.
        Role::Receptionist => false,
        Role::Distributor => lead.branch == device.branch && lead.reporter.as_deref() == Some(device.rep.as_str()),
    }
}

/// The facts of `leads` (all in document `doc_id`), derived from the document's
/// changes in hub order: `(bytes, received_at, device_prev_sync)` in ms. `policy`:
/// the branch's (from its directory document).
pub fn facts_of_doc(
    doc_id: &str,
    changes: &[(Vec<u8>, i64, Option<i64>)],
    leads: &[String],
    policy: &Policy,
    now: DateTime<Utc>,
) -> BTreeMap<String, LeadFacts> {
    let (branch, reporter) = match DocName::parse(doc_id) {
        Ok(DocName::Shard { branch, .. }) => (branch, None),
        Ok(DocName::Dist { branch, rep, .. }) => (branch, Some(rep)),
        _ => return BTreeMap::new(),
    };
    statuses_of_doc(doc_id, changes, leads, policy, now)
        .into_iter()
        .map(|(lead, s)| {
            let owner = match s.state {
                LeadState::Protected | LeadState::Deal => s.owner.clone(),
                _ => None,
            };
            (lead, LeadFacts { branch: branch.clone(), reporter: reporter.clone(), owner })
        })
        .collect()
}

/// The statuses of `leads` (all in document `doc_id`) as the replicas derive them,
/// each event timed by the hub's receipt of the change that carried it (a report
/// under the branch's report policy). Leads without events are left out.
pub fn statuses_of_doc(
    doc_id: &str,
    changes: &[(Vec<u8>, i64, Option<i64>)],
    leads: &[String],
    policy: &Policy,
    now: DateTime<Utc>,
) -> BTreeMap<String, Status> {
    let report = match DocName::parse(doc_id) {
        Ok(DocName::Shard { .. }) => false,
        Ok(DocName::Dist { .. }) => true,
        _ => return BTreeMap::new(),
    };
    let policy = if report { policy.for_report() } else { policy.clone() };
    let mut doc = AutoCommit::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut timing = Timing::none();
    for (bytes, received_at, prev) in changes {
        if doc.load_incremental(bytes).is_err() {
            continue;
        }
        // The events that appeared with this change take its receipt.
        for lead in leads {
            for e in read_events(&doc, lead) {
                if seen.insert(e.id.clone()) {
                    timing.insert(e.id.clone(), Receipt { device_prev_sync: prev.and_then(from_ms), received_at: from_ms(*received_at) });
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for lead in leads {
        let events = read_events(&doc, lead);
        if events.is_empty() {
            continue;
        }
        out.insert(lead.clone(), status::derive(&events, &policy, now, &timing));
    }
    out
}

/// The ids of the people a branch directory's changes list (`rep/<id>` entries).
pub fn people_of(changes: &[(Vec<u8>, i64, Option<i64>)]) -> HashSet<String> {
    let mut doc = AutoCommit::new();
    for (bytes, ..) in changes {
        let _ = doc.load_incremental(bytes);
    }
    doc.keys(ROOT).filter_map(|k| k.strip_prefix("rep/").map(str::to_owned)).collect()
}

/// A manager's or director's entitlement to a lead of another branch's document that
/// a rep of its own branches owns now (a case across branches gave it to them, rule
/// 17): `own_people` are the people of the device's branches.
pub fn entitled_as_owners_manager(device: &Device, lead: &LeadFacts, own_people: &HashSet<String>) -> bool {
    matches!(device.role, Role::Manager | Role::Director) && lead.owner.as_ref().is_some_and(|o| own_people.contains(o))
}

/// The branch policy held by a directory document's changes (the default if none).
pub fn policy_of(changes: &[(Vec<u8>, i64, Option<i64>)]) -> Policy {
    let mut doc = AutoCommit::new();
    for (bytes, ..) in changes {
        let _ = doc.load_incremental(bytes);
    }
    match doc.get(ROOT, "policy") {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            automerge::ScalarValue::Str(text) => serde_json::from_str(text).unwrap_or_default(),
            _ => Policy::default(),
        },
        _ => Policy::default(),
    }
}

fn from_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// A lead's events as stored (unparsable ones are skipped: the schema check refused
/// such changes on the way in).
fn read_events(doc: &AutoCommit, lead_id: &str) -> Vec<Event> {
    let Ok(Some((Value::Object(ObjType::List), list))) = doc.get(ROOT, lead_id) else { return Vec::new() };
    doc.list_range(&list, ..)
        .filter_map(|item| match &item.value {
            automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(s)) => serde_json::from_str(s).ok(),
            _ => None,
        })
        .collect()
}

/// Leads grouped by document: `lead → doc` into `doc → [lead]`.
pub fn by_doc(leads: &[(String, String)]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (lead, doc) in leads {
        out.entry(doc.clone()).or_default().push(lead.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(rep: &str, role: Role) -> Device {
        Device { id: format!("d-{rep}"), rep: rep.into(), name: rep.into(), branch: "sz".into(), role, branches: Vec::new() }
    }

    #[test]
    fn rule_17_a_director_may_see_in_full_the_leads_of_its_branches() {
        let lead = LeadFacts { branch: "sz".into(), reporter: None, owner: Some("r1".into()) };
        let director = Device { branches: vec!["gz".into(), "sz".into()], ..device("zong", Role::Director) };
        assert!(entitled(&director, &lead));
        assert!(entitled(&director, &LeadFacts { reporter: Some("agent-7".into()), ..lead.clone() }), "a distributor's report to its branch");
        assert!(!entitled(&Device { branches: vec!["gz".into()], ..director }, &lead), "a branch not assigned to it");
    }

    #[test]
    fn rule_12_a_rep_may_see_in_full_only_the_leads_they_own() {
        let lead = LeadFacts { branch: "sz".into(), reporter: None, owner: Some("r1".into()) };
        assert!(entitled(&device("r1", Role::Rep), &lead));
        assert!(!entitled(&device("r2", Role::Rep), &lead));
        assert!(entitled(&device("m1", Role::Manager), &lead), "the branch's manager");
        assert!(!entitled(&Device { branch: "bj".into(), ..device("m9", Role::Manager) }, &lead), "another branch's manager");
        let pool = LeadFacts { owner: None, ..lead };
        assert!(!entitled(&device("r1", Role::Rep), &pool), "a lead in the pool is nobody's");
    }

    #[test]
    fn rule_12_a_distributor_may_see_in_full_only_its_own_reports() {
        let report = LeadFacts { branch: "sz".into(), reporter: Some("agent-7".into()), owner: Some("agent-7".into()) };
        assert!(entitled(&device("agent-7", Role::Distributor), &report));
        assert!(!entitled(&device("agent-8", Role::Distributor), &report));
        let branch_lead = LeadFacts { branch: "sz".into(), reporter: None, owner: Some("r1".into()) };
        assert!(!entitled(&device("agent-7", Role::Distributor), &branch_lead));
    }
}
