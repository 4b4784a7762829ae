//! Sealed contacts (docs/RULES.md rule 12, docs/VISIBILITY.md): an enrolled device
//! writes a customer's contacts sealed under the lead's own key; a replica without the
//! key holds and shows the masked view; a granted key opens them, a revoked one closes
//! them again; cases are the same on every replica whatever keys it holds.

mod support;

use std::path::Path;

use leadguard_core::model::{EventKind, LeadFields};
use leadguard_core::registry::Target;
use leadguard_core::Registry;
use leadguard_seal::{CompanyKeys, DigestKey, DigestParams, StaffKey};
use support::simhub::team;
use support::*;

/// Enrols a registry as the hub would: the company keys beside it (cheap digests).
fn enrol(reg: &Registry, keys: &CompanyKeys) {
    keys.write(&reg.data_dir().join("company.keys")).unwrap();
}

fn company_keys() -> CompanyKeys {
    CompanyKeys { digest: DigestKey::generate().unwrap(), digest_params: DigestParams::TEST, staff: Some(StaffKey::generate().unwrap()) }
}

fn customer(company: &str) -> LeadFields {
    LeadFields { email: Some("chen.ming@tengda-tech.cn".into()), ..fields(company, "陈明", "139 1234 5678") }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path).unwrap().windows(needle.len()).any(|w| w == needle.as_bytes()) {
                out.push(path);
            }
        }
    }
    out
}

/// Every replica's derived views equal a rebuild from scratch.
fn assert_no_drift(regs: &mut [Registry]) {
    for (i, r) in regs.iter_mut().enumerate() {
        for c in r.verify_derived().unwrap() {
            assert!(c.drift.is_empty(), "replica {i}: view {} differs from its rebuild: {:?}", c.view, c.drift);
        }
    }
}

const SECRETS: [&str; 4] = ["陈明", "13912345678", "139 1234 5678", "chen.ming@tengda-tech.cn"];

#[test]
fn rule_12_a_replica_without_the_lead_key_holds_only_the_masked_view() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let keys = company_keys();
    for r in &regs {
        enrol(r, &keys);
    }
    let lead = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: customer("深圳市腾达科技有限公司") }, h(1)).lead_id;
    hub.sync_all(&mut regs);

    // The registrant reads its customer in full.
    let own = regs[1].row(&lead).unwrap();
    assert_eq!((own.contact.as_str(), own.phone.as_str()), ("陈明", "139 1234 5678"));
    // A colleague's replica: the company and the masked phone, nothing else.
    let other = regs[2].row(&lead).unwrap();
    assert_eq!(other.company, "深圳市腾达科技有限公司");
    assert_eq!((other.contact.as_str(), other.phone.as_str(), other.email.as_str()), ("", "139****5678", ""));
    let r2 = regs[2].data_dir().to_path_buf();
    for s in SECRETS {
        assert_eq!(files_holding(&r2, s), Vec::<std::path::PathBuf>::new(), "{s} in a colleague's files");
    }

    // The hub grants the key (a handover): opened; then revokes it: closed again, and
    // no file keeps a readable copy.
    let key = regs[1].lead_keys_to_push().unwrap();
    assert_eq!(key.len(), 1, "the registrant made one key, to push");
    let granted = regs[2].apply_lead_keys(&key, &[]).unwrap();
    assert_eq!(granted.granted, vec![lead.clone()]);
    assert_eq!(regs[2].row(&lead).unwrap().contact, "陈明");
    assert!(!files_holding(&r2, "陈明").is_empty(), "the scan finds what the replica may see");
    let revoked = regs[2].apply_lead_keys(&[], std::slice::from_ref(&lead)).unwrap();
    assert_eq!(revoked.revoked, vec![lead.clone()]);
    assert_eq!(regs[2].row(&lead).unwrap().contact, "");
    for s in SECRETS {
        assert_eq!(files_holding(&r2, s), Vec::<std::path::PathBuf>::new(), "{s} survived the revocation");
    }
    assert_no_drift(&mut regs);
}

#[test]
fn rule_12_a_key_the_device_never_pushed_is_not_forgotten_by_a_revocation() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, mut regs) = team(dir.path());
    enrol(&regs[1], &company_keys());
    let lead = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: customer("深圳市腾达科技有限公司") }, h(1)).lead_id;
    // Registered offline: the key is not at the hub yet, so it cannot be revoked there.
    let report = regs[1].apply_lead_keys(&[], std::slice::from_ref(&lead)).unwrap();
    assert!(report.revoked.is_empty());
    assert_eq!(regs[1].row(&lead).unwrap().contact, "陈明");
}

#[test]
fn a_device_never_enrolled_writes_contacts_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let lead = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: customer("深圳市腾达科技有限公司") }, h(1)).lead_id;
    hub.sync_all(&mut regs);
    assert!(regs[1].lead_keys_to_push().unwrap().is_empty());
    // Plain in the documents: the colleague's replica masks it on screen only.
    assert_eq!(regs[2].row(&lead).unwrap().contact, "陈明");
}

#[test]
fn cases_are_derived_from_open_fields_identically_on_replicas_holding_different_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let keys = company_keys();
    for r in &regs {
        enrol(r, &keys);
    }
    // Two reps, offline, one customer spelled two ways; a third, unrelated customer.
    let a = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: customer("深圳市腾达科技有限公司") }, h(1)).lead_id;
    let b = write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: customer("腾达科技（深圳）") }, h(2)).lead_id;
    write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("佛山南海陶瓷有限公司", "刘洋", "13800001111") }, h(2));
    hub.tick(60);
    hub.sync_all(&mut regs);
    // The manager holds both keys, each rep only its own.
    let both: Vec<(String, String)> = [&regs[1], &regs[2]].iter().flat_map(|r| r.lead_keys_to_push().unwrap()).collect();
    regs[0].apply_lead_keys(&both, &[]).unwrap();
    assert_eq!(regs[0].row(&b).unwrap().contact, "陈明");
    assert_eq!(regs[1].row(&b).unwrap().contact, "");

    let m = regs[0].collision_cases(None).unwrap();
    assert_eq!(m.len(), 1, "one case: {m:#?}");
    let mut ids = vec![a, b];
    ids.sort();
    assert_eq!(m[0].lead_ids, ids);
    for (i, r) in regs.iter().enumerate() {
        assert_eq!(r.collision_cases(None).unwrap(), m, "replica {i} derives the same case with other keys");
    }
    // Granting and revoking keys changes no case.
    regs[1].apply_lead_keys(&both, &[]).unwrap();
    regs[1].apply_lead_keys(&[], &both.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>()).unwrap();
    assert_eq!(regs[1].collision_cases(None).unwrap(), m);
    assert_no_drift(&mut regs);
}

/// The reasons of the one duplicate link between two leads on a replica.
fn link_reasons(reg: &Registry, a: &str, b: &str) -> Vec<String> {
    let cases = reg.collision_cases(None).unwrap();
    let link = cases.iter().flat_map(|c| &c.duplicates).find(|d| (d.a == a && d.b == b) || (d.a == b && d.b == a));
    link.map(|d| d.reasons_zh.clone()).unwrap_or_default()
}

#[test]
fn rule_12_sealed_leads_with_the_same_phone_match_on_its_keyed_digest() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let keys = company_keys();
    // A lead registered before enrolment stays plain in its document.
    let plain = write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达电子", "陈明", "+86 139-1234-5678") }, h(1)).lead_id;
    hub.sync_all(&mut regs);
    for r in regs.iter_mut() {
        enrol(r, &keys);
        r.company_keys_installed().unwrap();
    }
    // Two sealed registrations of one customer whose company names do not agree: only
    // the phone (sealed on both) ties them.
    let a = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "13912345678") }, h(2)).lead_id;
    let b = write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达精密", "陈 明", "139 1234 5678") }, h(3)).lead_id;
    hub.tick(60);
    hub.sync_all(&mut regs);
    hub.sync_all(&mut regs);

    for (i, r) in regs.iter().enumerate() {
        let reasons = link_reasons(r, &a, &b);
        assert!(reasons.iter().any(|s| s.contains("电话相同")), "replica {i}: two sealed leads, one phone: {reasons:?}");
        let reasons = link_reasons(r, &plain, &a);
        assert!(reasons.iter().any(|s| s.contains("电话相同")), "replica {i}: a plain and a sealed lead, one phone: {reasons:?}");
    }
    // Typing the phone on a colleague's laptop finds both sealed leads by digest.
    let typed = LeadFields { company: Some("某某公司".into()), phone: Some("139-1234-5678".into()), contact: Some("陈明".into()), ..LeadFields::default() };
    let found: Vec<String> = regs[0].possible_duplicates(&typed, 10, None).unwrap().into_iter().map(|(id, _)| id).collect();
    for id in [&a, &b, &plain] {
        assert!(found.contains(id), "the typing check finds {id}: {found:?}");
    }
    // A different number with the same visible digits does not match a sealed lead's.
    let other = LeadFields { phone: Some("13900005678".into()), ..typed.clone() };
    let found = regs[0].possible_duplicates(&other, 10, None).unwrap();
    assert!(found.iter().all(|(_, m)| m.reasons.iter().all(|r| !matches!(r, leadguard_dedup::Reason::SamePhone))), "{found:?}");
    assert_no_drift(&mut regs);
}

#[test]
fn rule_12_an_import_on_an_enrolled_laptop_matches_a_colleagues_sealed_customer_on_its_digests() {
    use base64::Engine;
    use leadguard_core::api::{self, Context};
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let keys = company_keys();
    for r in &regs {
        enrol(r, &keys);
    }
    let lead = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: customer("深圳市腾达科技有限公司") }, h(1)).lead_id;
    hub.tick(60);
    hub.sync_all(&mut regs);
    assert_eq!(regs[2].row(&lead).unwrap().contact, "", "王强 holds 李娜's customer sealed");
    let r2_dir = regs[2].data_dir().to_path_buf();
    drop(regs);
    // The same phone written another way, a new company name: found only by the digest
    // (computed ahead on all cores for the whole file, then used by matching and sealing).
    let csv = "客户名称,联系人,手机,客户需求\n腾达电子商行,陈先生,+86 139-1234-5678,展厅\n佛山南海陶瓷有限公司,刘洋,13800001111,仓储\n";
    let mut ctx = Context::open(&r2_dir).unwrap();
    ctx.set_now(Some(h(3)));
    let args = json!({ "file_name": "list.csv", "content_base64": base64::engine::general_purpose::STANDARD.encode(csv), "dry_run": false });
    let s = api::dispatch(&mut ctx, "import_file", args).unwrap();
    let matches = s["matches"].as_array().unwrap();
    assert!(matches.iter().any(|m| m["lead_id"] == json!(lead) && m["owner_name"] == json!("李娜")), "{s:#}");
    let registered = s["registered"].as_array().unwrap();
    assert_eq!(registered.len(), 1, "only the new customer is registered: {s:#}");
    drop(ctx);
    // The new one is sealed like a typed registration.
    let reg = Registry::open(&r2_dir).unwrap();
    let new_id = registered[0]["lead_id"].as_str().unwrap();
    assert_eq!(reg.row(new_id).unwrap().contact, "刘洋", "the importer reads its own customer");
    assert!(!reg.lead_keys_to_push().unwrap().is_empty(), "its key waits to be pushed");
}
