//! Tests of the PostgreSQL pull (`changes.rs`): index ranges, and a database stored
//! before the company-wide column served right after its migration.

use super::*;
use crate::store::pg::PgStore;
use crate::store::Backend;
use automerge::transaction::Transactable;
use leadguard_protocol::Role;

/// A lead registration in document `sh/<actor>/0` with `fields`.
fn register(actor: &[u8], lead: &str, rep: &str, fields: serde_json::Value) -> ValidChange {
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor));
    let list = doc.put_object(automerge::ROOT, lead, automerge::ObjType::List).unwrap();
    let event = serde_json::json!({"id": format!("e{lead}"), "kind": "register", "rep": rep, "device": "d", "device_time": "2026-11-22T08:00:00Z", "fields": fields});
    doc.insert(&list, 0, event.to_string()).unwrap();
    doc.commit();
    let change = doc.get_last_local_change().unwrap();
    let doc_id = format!("sh/{}/0", String::from_utf8_lossy(actor));
    ValidChange { hash: ChangeHash(change.hash().0), doc_id, scope: "branch:sh".into(), bytes: change.raw_bytes().to_vec() }
}

#[test]
fn an_upgraded_database_serves_the_sealed_documents_it_stored_before_company_wide() {
    let url = leadguard_tests::postgres::fresh_database();
    let store = PgStore::connect(&url).unwrap();
    let enrol = |rep: &str, branch: &str| store.enroll(&store.create_enrolment(rep, rep, branch, Role::Rep, 60_000).unwrap().token).unwrap().0;
    let (a, b, other_branch) = (enrol("a", "sh"), enrol("b", "sh"), enrol("c", "bj"));
    store.push_checked(&a, &[register(b"aa", "0123456789abcdef", "a", serde_json::json!({}))]).unwrap();
    store.push_checked(&a, &[register(b"bb", "fedcba9876543210", "a", serde_json::json!({"phone": "13912345678"}))]).unwrap();
    drop(store);
    // As a database before migration 7: no company-wide column, scopes in the
    // database's collation.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(
            "DROP INDEX changes_company_wide; DROP INDEX changes_company_wide_doc; DROP INDEX changes_scope_plain;
             ALTER TABLE changes DROP COLUMN company_wide;
             ALTER TABLE changes ALTER COLUMN scope TYPE TEXT COLLATE \"default\";
             UPDATE hub_schema SET version = 6;",
        )
        .unwrap();
    let store = PgStore::connect(&url).unwrap();
    let seen = store.pull(&other_branch, 0, 100, None).unwrap();
    assert_eq!(seen.changes.iter().map(|c| c.doc_id.as_str()).collect::<Vec<_>>(), ["sh/aa/0"], "the migration marks the sealed one company-wide, not the plain one");
    assert_eq!(seen.next_cursor, 2);
    assert_eq!(store.pull(&b, 0, 100, None).unwrap().changes.len(), 2, "its branch reads both");
    let collation: Option<String> =
        client.query_one("SELECT collation_name FROM information_schema.columns WHERE table_name = 'changes' AND column_name = 'scope'", &[]).unwrap().get(0);
    assert_eq!(collation.as_deref(), Some("C"), "scopes compare bytewise after the migration");
}

/// The pull reads index ranges (its scopes, its distributors' scope range, the
/// company-wide changes), never the log from its cursor with a `docs` lookup per
/// change: its cost follows what it serves, not the company's size. Checked on a log
/// of 20,000 changes over 20 branches, from its start and from its middle, with the planner's custom and generic plans.
#[test]
fn a_pull_reads_index_ranges_not_the_whole_log() {
    let url = leadguard_tests::postgres::fresh_database();
    let store = PgStore::connect(&url).unwrap();
    let e = store.create_enrolment("r", "r", "b0", Role::Rep, 60_000).unwrap();
    let device = store.enroll(&e.token).unwrap().0;
    drop(store);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    // Documents: every tenth plain; scopes: branches b0..b19, every 25th a distributor's;
    // changes of 400 bytes (a registration's size: the planner weighs the log's pages).
    client
        .batch_execute(&format!(
            "INSERT INTO docs (doc_id, scope, plain)
               SELECT 'd' || n, CASE WHEN n % 25 = 0 THEN 'dist:b' || (n % 20) || '/agent' ELSE 'branch:b' || (n % 20) END, n % 10 = 0
               FROM generate_series(1, 2000) AS n;
             INSERT INTO changes (hub_seq, hash, doc_id, scope, device_id, received_at, bytes, company_wide)
               SELECT s, sha256(s::text::bytea), d.doc_id, d.scope, '{id}', s, decode(repeat('ab', 400), 'hex'), NOT d.plain
               FROM generate_series(1, 20000) AS s JOIN docs d ON d.doc_id = 'd' || (1 + s % 2000);
             UPDATE hub_feed SET last_seq = 20000;
             ANALYZE;",
            id = device.id
        ))
        .unwrap();
    client
        .batch_execute(&format!(
            "PREPARE employee (bigint, text, text[], text[], bigint) AS {PULL_EMPLOYEE};
             PREPARE one_scope (bigint, text, text, text, bigint) AS {PULL_SCOPE};"
        ))
        .unwrap();
    for mode in ["force_custom_plan", "force_generic_plan"] {
        client.batch_execute(&format!("SET plan_cache_mode = {mode}")).unwrap();
        for (who, statement, args) in [
            ("a rep", "employee", "ARRAY['branch:b3', 'dist:b3/'], ARRAY[E'branch:b3\\x01', 'dist:b30'], 501"),
            ("a director", "employee", "ARRAY['branch:b3', 'branch:b4', 'dist:b3/', 'dist:b4/'], ARRAY[E'branch:b3\\x01', E'branch:b4\\x01', 'dist:b30', 'dist:b40'], 501"),
            ("a distributor", "one_scope", "'dist:b3/agent', E'dist:b3/agent\\x01', 501"),
        ] {
            for cursor in [0, 10_000] {
                let explain = format!("EXPLAIN (FORMAT JSON) EXECUTE {statement} ({cursor}, 'other', {args})");
                let (text, all) = crate::store::pg::explain::plan_nodes(&mut client, &explain);
                for node in &all {
                    let relation = node["Relation Name"].as_str().unwrap_or("");
                    assert_ne!(relation, "docs", "{mode}, {who}: no docs lookup per change: {text}");
                    if relation == "changes" {
                        assert_ne!(node["Node Type"], "Seq Scan", "{mode}, {who}, cursor {cursor}: {text}");
                        let cond = node["Index Cond"].as_str().unwrap_or("");
                        let walks_the_log = node["Index Name"] == "changes_pkey" && !cond.contains('=');
                        assert!(!walks_the_log, "{mode}, {who}, cursor {cursor}: the log from the cursor: {text}");
                    }
                }
                let used: Vec<&str> = all.iter().filter_map(|n| n["Index Name"].as_str()).collect();
                let expected: &[&str] = if statement == "employee" { &["changes_scope_plain", "changes_company_wide"] } else { &["changes_scope"] };
                assert!(expected.iter().all(|i| used.contains(i)), "{mode}, {who}, cursor {cursor}: {used:?}");
            }
        }
    }
}
