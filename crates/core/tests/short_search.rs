//! Searches answered from memory, of every length, give exactly what the SQL path gives
//! (the `LIKE` scan under three characters, the trigram index from three: same leads,
//! same order, same totals), and stay current with writes made here and by another
//! process.

mod support;

use chrono::Duration;
use leadguard_core::registry::Filter;
use leadguard_core::model::{EventKind, LeadFields};
use leadguard_core::registry::Target;
use leadguard_core::Registry;
use proptest::prelude::*;
use support::*;

/// Chinese, pinyin/latin in both cases, phone digits, and `LIKE`'s wildcard.
const ALPHABET: [&str; 14] = ["华", "强", "电", "子", "A", "a", "b", "Z", "h", "1", "3", "9", "2", "_"];

fn text(picks: &[usize]) -> String {
    picks.iter().map(|&i| ALPHABET[i % ALPHABET.len()]).collect()
}

fn fields(p: &[Vec<usize>; 4]) -> LeadFields {
    LeadFields {
        company: Some(format!("{}公司", text(&p[0]))),
        contact: Some(format!("陈{}", text(&p[1]))),
        phone: Some(text(&p[2])),
        email: Some(format!("{}@x.cn", text(&p[3]))),
        need: Some("采购".into()),
        ..LeadFields::default()
    }
}

fn same_answers(reg: &mut Registry, q: &str, limit: u32, offset: u64) {
    let at = h(1000);
    let sql = reg.list(&Filter::All, Some(q), at, limit, offset).unwrap();
    let mem = reg.short_search(q, at, limit, offset).unwrap();
    let ids = |p: &leadguard_core::registry::Page| p.rows.iter().map(|r| r.lead_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&mem), ids(&sql), "query {q:?} limit {limit} offset {offset}");
    assert_eq!((mem.total, mem.total_capped), (sql.total, sql.total_capped), "query {q:?}");
    assert_eq!(mem.rows, sql.rows, "query {q:?}: the rows as of `at`");
}

fn field_picks() -> impl Strategy<Value = [Vec<usize>; 4]> {
    let f = || prop::collection::vec(0usize..ALPHABET.len(), 0..7);
    (f(), f(), f(), f()).prop_map(|(a, b, c, d)| [a, b, c, d])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn searches_from_memory_equal_the_sql_path_at_every_length(
        leads in prop::collection::vec(field_picks(), 1..40),
        updates in prop::collection::vec((0usize..40, field_picks()), 0..15),
        queries in prop::collection::vec(prop::collection::vec(0usize..ALPHABET.len(), 1..=5), 1..12),
        // Pieces of the leads' own text (lead, field, start, length), so that longer
        // queries find something.
        pieces in prop::collection::vec((0usize..40, 0usize..4, 0usize..8, 1usize..=6), 0..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut reg = branch(dir.path(), "r1");
        let mut ids = Vec::new();
        // Half the leads are written before the index is built, half after.
        let (early, late) = leads.split_at(leads.len() / 2);
        for (i, p) in early.iter().enumerate() {
            ids.push(write(&mut reg, "r1", Target::New, EventKind::Register { fields: fields(p) }, h(i as i64 % 5)).lead_id);
        }
        same_answers(&mut reg, "华", 1000, 0);
        for (i, p) in late.iter().enumerate() {
            ids.push(write(&mut reg, "r1", Target::New, EventKind::Register { fields: fields(p) }, h(i as i64 % 7)).lead_id);
        }
        for (n, (which, p)) in updates.iter().enumerate() {
            let lead = ids[which % ids.len()].clone();
            write(&mut reg, "r1", Target::Lead(lead), EventKind::Update { fields: fields(p) }, h(10) + Duration::minutes(n as i64 % 3));
        }
        for q in &queries {
            let q = text(q);
            same_answers(&mut reg, &q, 1000, 0);
            same_answers(&mut reg, &q, 3, 2);
        }
        for &(which, field, start, len) in &pieces {
            let f = fields(&leads[which % leads.len()]);
            let value = [f.company, f.contact, f.phone, f.email][field].clone().unwrap_or_default();
            let q: String = value.chars().skip(start).take(len).collect();
            if !q.is_empty() {
                same_answers(&mut reg, &q, 1000, 0);
                same_answers(&mut reg, &q.to_uppercase(), 3, 1);
            }
        }
        same_answers(&mut reg, &ids[0], 10, 0);
        same_answers(&mut reg, "公司", 1000, 0);
        same_answers(&mut reg, "有限公司", 1000, 0);
        same_answers(&mut reg, "@", 5, 0);
    }
}

#[test]
fn a_lead_written_by_another_process_is_found_by_a_short_search() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = branch(dir.path(), "r1");
    register(&mut app, "r1", "华强电子", h(0));
    assert_eq!(app.short_search("强", h(1), 20, 0).unwrap().total, 1);

    // A CLI command beside the running app writes to the same file.
    let mut cli = Registry::open(&dir.path().join("r1")).unwrap();
    let id = register(&mut cli, "r1", "强生医疗", h(1));
    drop(cli);
    let page = app.short_search("强", h(2), 20, 0).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.rows[0].lead_id, id, "newest first");
    // And the duplicate index learnt it too.
    let found = app.duplicates(&complete("强生医疗"), 5, None).unwrap();
    assert!(found.iter().any(|(lead, _)| *lead == id), "{found:?}");
}

#[test]
fn the_last_page_and_the_total_of_a_short_search() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r1");
    for i in 0..30 {
        register(&mut reg, "r1", &format!("华{i}"), h(i));
    }
    let page = reg.short_search("华", h(40), 10, 25).unwrap();
    assert_eq!(page.total, 30);
    assert!(!page.total_capped);
    assert_eq!(page.rows.len(), 5, "the last page");
}
