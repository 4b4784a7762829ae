//! Rule 17 at the hub, with real Automerge changes over loopback HTTP: a decision on a
//! case whose leads live in two branches lands in both branches' documents, and the
//! hub admits it from the director assigned to them — by default the only decider —
//! or, when both branches' policies say so, from a manager of an involved branch.
//! A rep's forged decision, an uninvolved branch's manager's, a manager's while the
//! policy keeps the case for the director, and a decision naming leads that are not
//! its case's are refused and store nothing; an appeal by a rep of an involved branch
//! crosses into the other branch's document.

#[path = "hub_support.rs"]
mod hub_support;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use hub_support::{batch, lead_id, pull_all, sealed_era_register_event, Hub};
use leadguard_protocol::client::{ClientError, HubClient};
use serde_json::json;

/// A branch's lead document holding one sealed-era lead, as its rep's device wrote it.
struct LeadDoc {
    doc: automerge::AutoCommit,
    doc_id: String,
    scope: String,
    lead: String,
}

impl LeadDoc {
    fn register(client: &HubClient, branch: &str, actor: &str, rep: &str, company: &str) -> LeadDoc {
        let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
        let lead = lead_id(actor, 0);
        let list = doc.put_object(automerge::ROOT, &lead, automerge::ObjType::List).unwrap();
        doc.insert(&list, 0, sealed_era_register_event(rep, company)).unwrap();
        doc.commit();
        let bytes = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
        let (doc_id, scope) = (format!("{branch}/{actor}/0"), format!("branch:{branch}"));
        client.push(&batch(&doc_id, &scope, &[bytes])).expect("registration");
        LeadDoc { doc, doc_id, scope, lead }
    }

    /// A change appending `event` to the lead, written by another device (`actor`).
    fn append(&self, actor: &str, event: &serde_json::Value) -> Vec<u8> {
        let mut doc = self.doc.clone().with_actor(automerge::ActorId::from(actor.as_bytes()));
        let (_, list) = doc.get(automerge::ROOT, &self.lead).unwrap().unwrap();
        let n = doc.length(&list);
        doc.insert(&list, n, event.to_string()).unwrap();
        doc.commit();
        doc.get_last_local_change().unwrap().raw_bytes().to_vec()
    }

    fn push(&self, client: &HubClient, actor: &str, event: &serde_json::Value) -> Result<(), ClientError> {
        client.push(&batch(&self.doc_id, &self.scope, &[self.append(actor, event)])).map(|_| ())
    }
}

fn decide(rep: &str, case_id: &str, leads: &[String], n: u32) -> serde_json::Value {
    json!({
        "id": format!("ev-decide-{rep}-{n}"), "kind": "decide", "rep": rep, "device": "d", "device_time": "2026-11-22T08:00:00Z",
        "case_id": case_id, "decision": format!("d-{rep}-{n}"), "outcome": { "kind": "pool" }, "leads": leads,
    })
}

/// A 403 whose message says why (`what`: a word of it).
fn refused(r: Result<(), ClientError>, what: &str) {
    match r {
        Err(ClientError::Hub { status: 403, message, .. }) => assert!(message.contains(what), "expected {what:?} in {message:?}"),
        other => panic!("expected 403 ({what}), got {other:?}"),
    }
}

/// A whole branch policy (the hub reads the full JSON) with the cross-branch decider.
fn policy_change(actor: &str, decider: &str) -> Vec<u8> {
    let mut policy = serde_json::to_value(leadguard_core::policy::Policy::default()).unwrap();
    policy["cross_branch_decider"] = json!(decider);
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
    doc.put(automerge::ROOT, "policy", policy.to_string()).unwrap();
    doc.commit();
    doc.get_last_local_change().unwrap().raw_bytes().to_vec()
}

#[test]
fn rule_17_a_cross_branch_decision_is_the_directors_and_forged_ones_are_refused() {
    let hub = Hub::start();
    let (lina, _) = hub.device("li.na", "south", "rep");
    let (wang, _) = hub.device("wang.wei", "east", "rep");
    let (south_m, _) = hub.device("zhou.min", "south", "manager");
    let (east_m, _) = hub.device("chen.gang", "east", "manager");
    let (north_m, _) = hub.device("sun.li", "north", "manager");
    let token = |rep: &str, branches: &str| {
        let out = hub.admin(&["enroll", "--rep", rep, "--name", rep, "--branches", branches, "--role", "director"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["token"].as_str().unwrap().to_owned()
    };
    let enrol = |t: String| {
        let e = hub.anonymous().enroll(&t).expect("enroll");
        hub.anonymous().with_credential(&e.credential)
    };
    let director = enrol(token("zong.jian", "south,east"));
    let north_director = enrol(token("bei.zong", "north"));
    let refused_without_branches = hub.admin(&["enroll", "--rep", "x", "--name", "x", "--branch", "south", "--role", "director"]);
    assert!(!refused_without_branches.status.success(), "a director is enrolled with --branches");

    let south = LeadDoc::register(&lina, "south", "aa01", "li.na", "深圳市腾达科技有限公司");
    let east = LeadDoc::register(&wang, "east", "bb01", "wang.wei", "腾达科技（深圳）");
    let mut leads = vec![south.lead.clone(), east.lead.clone()];
    leads.sort();
    let case = leadguard_core::collisions::case_id(&leads);
    let stored = pull_all(&south_m, 100).len();

    // Forged: a rep's decision, an uninvolved branch's manager's, an involved
    // manager's while the (default) policy keeps the case for the director, a
    // director of another branch, and a decision whose leads are not its case's.
    refused(south.push(&wang, "cc01", &decide("wang.wei", &case, &leads, 1)), "manager");
    refused(east.push(&wang, "cc01", &decide("wang.wei", &case, &leads, 1)), "manager");
    refused(south.push(&north_m, "cc02", &decide("sun.li", &case, &leads, 2)), "may not write this");
    refused(south.push(&east_m, "cc03", &decide("chen.gang", &case, &leads, 3)), "may not write this");
    refused(east.push(&east_m, "cc03", &decide("chen.gang", &case, &leads, 3)), "may not write this");
    refused(south.push(&south_m, "cc04", &decide("zhou.min", &case, &leads, 4)), "may not write this");
    refused(south.push(&north_director, "cc05", &decide("bei.zong", &case, &leads, 5)), "may not write this");
    let other = leadguard_core::collisions::case_id(&leads[..1]);
    assert!(south.push(&director, "cc06", &decide("zong.jian", &other, &leads, 6)).is_err(), "leads that are not the case's");
    // Nothing else crosses into another branch: a registration, a claim.
    let claim = json!({ "id": "ev-claim", "kind": "claim", "rep": "wang.wei", "device": "d", "device_time": "2026-11-22T08:00:00Z" });
    refused(south.push(&wang, "cc07", &claim), "scope");
    assert_eq!(pull_all(&south_m, 100).len(), stored, "nothing of a refused push is stored");

    // The director assigned to both branches decides, into both documents.
    south.push(&director, "dd01", &decide("zong.jian", &case, &leads, 7)).expect("the director's decision, south");
    east.push(&director, "dd01", &decide("zong.jian", &case, &leads, 7)).expect("the director's decision, east");
    // A rep of an involved branch appeals into the other branch's document.
    let appeal = json!({
        "id": "ev-appeal-wang", "kind": "appeal", "rep": "wang.wei", "device": "d", "device_time": "2026-11-22T09:00:00Z",
        "case_id": case, "appeal": "a1", "decision": "d-zong.jian-7", "note": "我先拜访", "leads": leads,
    });
    south.push(&wang, "ee01", &appeal).expect("an appeal crosses into the other branch");
    let mut outsider = appeal.clone();
    outsider["rep"] = json!("sun.li");
    outsider["id"] = json!("ev-appeal-sun");
    refused(south.push(&north_m, "ee02", &outsider), "may not write this");

    // Both branches' policies give cross-branch cases to their managers: east's
    // manager now decides, in south's document too; north's still may not.
    south_m.push(&batch("directory/south", "branch:south", &[policy_change("ff01", "managers")])).expect("south's policy");
    refused(south.push(&east_m, "cc08", &decide("chen.gang", &case, &leads, 8)), "may not write this");
    east_m.push(&batch("directory/east", "branch:east", &[policy_change("ff02", "managers")])).expect("east's policy");
    south.push(&east_m, "cc09", &decide("chen.gang", &case, &leads, 9)).expect("a manager of an involved branch, by policy");
    refused(south.push(&north_m, "cc10", &decide("sun.li", &case, &leads, 10)), "may not write this");
}
