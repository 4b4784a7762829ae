//! Tests of the feed's tail (`tail.rs`): a page served from memory is the page the
//! database serves, whatever was stored, marked plain or restored meanwhile and
//! through whichever hub.

use super::changes::{self, pull_ranges};
use super::tail::Tail;
use super::PgStore;
use crate::scope::Device;
use crate::store::Backend;
use leadguard_protocol::{PullResponse, Role};

/// A page as comparable text: every field of every change, `more` and the cursor.
fn shown(page: &PullResponse) -> String {
    let mut s = format!("more={} next={}\n", page.more, page.next_cursor);
    for c in &page.changes {
        s += &format!(
            "{} {} {} {} {} {} {:?} {}\n",
            c.hub_seq,
            hex::encode(c.hash.0),
            c.doc_id,
            c.scope,
            c.device,
            c.received_at.0,
            c.device_prev_sync.map(|t| t.0),
            hex::encode(&c.bytes)
        );
    }
    s
}

/// The page from `tail` (None: it sends the pull to the database) and from the database.
fn both(store: &PgStore, tail: &Tail, device: &Device, since: u64, limit: usize, only: Option<&str>) -> (Option<String>, String) {
    let ranges = pull_ranges(device, only);
    let from_tail = tail.pull(&store.pool, device, since, limit, &ranges).unwrap().map(|p| shown(&p.into_response()));
    let from_db = shown(&changes::pull(&store.pool, device, since, limit, only).unwrap());
    (from_tail, from_db)
}

/// splitmix64: a fixed sequence without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct World {
    url: String,
    store: PgStore,
    devices: Vec<Device>,
    client: postgres::Client,
}

fn world() -> World {
    let url = leadguard_tests::postgres::fresh_database();
    let store = PgStore::connect(&url).unwrap();
    let enrol = |rep: &str, branch: &str, role: Role| store.enroll(&store.create_enrolment(rep, rep, branch, role, 60_000).unwrap().token).unwrap().0;
    let devices = vec![
        enrol("r0", "b0", Role::Rep),
        enrol("r1", "b0", Role::Rep),
        enrol("r2", "b1", Role::Rep),
        enrol("m2", "b2", Role::Manager),
        enrol("dir", "b1,b2", Role::Director),
        enrol("agent", "b0", Role::Distributor),
    ];
    let client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    World { url, store, devices, client }
}

impl World {
    /// Stores `n` changes as a write group does: numbered from the feed, company-wide
    /// when their document holds no plain contact.
    fn store_changes(&mut self, rng: &mut Rng, n: usize, docs: &[(String, String)]) {
        self.store_changes_by(rng, n, docs, None)
    }

    /// As [`World::store_changes`], every change by device `author` when given.
    fn store_changes_by(&mut self, rng: &mut Rng, n: usize, docs: &[(String, String)], author: Option<usize>) {
        let mut tx = self.client.transaction().unwrap();
        for _ in 0..n {
            let (doc, scope) = &docs[rng.below(docs.len() as u64) as usize];
            let pick = rng.below(self.devices.len() as u64) as usize;
            let device = &self.devices[author.unwrap_or(pick)].id;
            let seq: i64 = tx.query_one("UPDATE hub_feed SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq", &[]).unwrap().get(0);
            let bytes: Vec<u8> = (0..(20 + rng.below(300))).map(|_| rng.below(256) as u8).collect();
            let prev: Option<i64> = (rng.below(2) == 0).then_some(seq * 7);
            tx.execute("INSERT INTO docs (doc_id, scope) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[doc, scope]).unwrap();
            tx.execute(
                "INSERT INTO changes (hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes, company_wide)
                 VALUES ($1::bigint, sha256($1::bigint::text::bytea), $2, $3, $4, $1::bigint * 10, $5, $6, (SELECT NOT plain FROM docs WHERE doc_id = $2))",
                &[&seq, doc, scope, device, &prev, &bytes],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }

    /// Marks a document plain as `mark_plain` does (without storing a change of it).
    fn mark_plain(&mut self, doc: &str) {
        self.client
            .execute(
                "WITH marked AS (UPDATE docs SET plain = true WHERE doc_id = $1 AND NOT plain RETURNING doc_id)
                 UPDATE changes SET company_wide = false WHERE company_wide AND doc_id IN (SELECT doc_id FROM marked)",
                &[&doc],
            )
            .unwrap();
    }

    fn head(&mut self) -> u64 {
        self.client.query_one("SELECT last_seq FROM hub_feed WHERE id = 1", &[]).unwrap().get::<_, i64>(0) as u64
    }
}

fn documents() -> Vec<(String, String)> {
    let scopes = ["branch:b0", "branch:b1", "branch:b2", "branch:b10", "dist:b0/agent", "dist:b1/other", "dist:b0x/agent", "directory/b0"];
    (0..24).map(|i| (format!("doc{i}"), scopes[i % scopes.len()].to_owned())).collect()
}

/// The tail's page equals the database's for every device (reps, a manager, a
/// director of two branches, a distributor), any cursor and page size, while changes
/// are stored and documents marked plain between pulls — marks with a change of the
/// document (the tail clears its flag) and without one (the tail asks the database).
#[test]
fn a_pull_from_the_tail_is_the_page_the_database_serves() {
    let mut w = world();
    let tail = Tail::new();
    let docs = documents();
    let mut rng = Rng(7);
    let mut served = 0;
    for step in 0..60 {
        let n = 1 + rng.below(12) as usize;
        w.store_changes(&mut rng, n, &docs);
        if step % 7 == 3 {
            let (doc, _) = &docs[rng.below(docs.len() as u64) as usize];
            w.mark_plain(doc);
            if rng.below(2) == 0 {
                w.store_changes(&mut rng, 1, &[docs.iter().find(|(d, _)| d == doc).unwrap().clone()]);
            }
        }
        let head = w.head();
        for device in w.devices.clone() {
            for _ in 0..3 {
                let since = rng.below(head + 2);
                let limit = [1, 2, 5, 1000][rng.below(4) as usize];
                let only = (device.role == Role::Rep && rng.below(5) == 0).then_some("branch:b0");
                let (from_tail, from_db) = both(&w.store, &tail, &device, since, limit, only);
                let from_tail = from_tail.unwrap_or_else(|| panic!("step {step}: the tail holds everything here, yet sent the pull away"));
                assert_eq!(from_tail, from_db, "step {step}, {} ({:?}) since {since} limit {limit} only {only:?}", device.rep, device.role);
                served += from_db.lines().count() - 1;
            }
        }
    }
    assert!(served > 1000, "the pulls served changes ({served})");
}

/// A document marked plain through another hub: this hub's tail kept its changes as
/// company-wide; another branch no longer gets them, exactly as from the database.
#[test]
fn a_document_marked_plain_through_another_hub_leaves_the_other_branches_pull() {
    let mut w = world();
    let docs = vec![("sealed".to_owned(), "branch:b0".to_owned())];
    let mut rng = Rng(1);
    w.store_changes_by(&mut rng, 3, &docs, Some(0));
    let other_branch = w.devices[2].clone();
    let before = w.store.pull(&other_branch, 0, 100, None).unwrap();
    assert_eq!(before.changes.len(), 3, "company-wide: every branch reads it");
    let elsewhere = PgStore::connect(&w.url).unwrap();
    elsewhere.pull(&other_branch, 0, 100, None).unwrap();
    w.mark_plain("sealed");
    for (hub, store) in [("this hub", &w.store), ("the other hub", &elsewhere)] {
        let after = store.pull(&other_branch, 0, 100, None).unwrap();
        assert!(after.changes.is_empty(), "{hub}: a plain document stays in its branch: {}", shown(&after));
        assert_eq!(after.next_cursor, 3);
        assert_eq!(store.pull(&w.devices[1], 0, 100, None).unwrap().changes.len(), 3, "{hub}: its own branch still reads it");
    }
}

/// What one hub stores, a pull through another hub serves at once (its tail refreshes
/// after the pull arrived).
#[test]
fn a_change_stored_through_one_hub_is_pulled_through_another_at_once() {
    let mut w = world();
    let other = PgStore::connect(&w.url).unwrap();
    let docs = vec![("d".to_owned(), "branch:b0".to_owned())];
    let mut rng = Rng(2);
    let reader = w.devices[1].clone();
    for round in 1..=5u64 {
        w.store_changes(&mut rng, 2, &docs);
        let page = other.pull(&reader, 0, 1000, None).unwrap();
        let not_mine = page.changes.len();
        let all = changes::pull(&other.pool, &reader, 0, 1000, None).unwrap();
        assert_eq!(shown(&page), shown(&all), "round {round}");
        assert_eq!(page.next_cursor, 2 * round, "round {round}: up to the head ({not_mine} not its own)");
    }
}

/// A tail that keeps few changes sends a pull from before it to the database, and
/// serves one from within it.
#[test]
fn a_pull_from_before_the_tail_reads_the_database() {
    let mut w = world();
    let tail = Tail::with_limits(5, usize::MAX);
    let docs = vec![("d".to_owned(), "branch:b0".to_owned())];
    let mut rng = Rng(3);
    w.store_changes(&mut rng, 20, &docs);
    let reader = w.devices[2].clone();
    let (early, from_db) = both(&w.store, &tail, &w.devices[1], 3, 1000, None);
    assert_eq!(early, None, "cursor 3 is before the newest five");
    assert!(from_db.lines().count() > 1, "the database serves it");
    let (late, from_db) = both(&w.store, &tail, &reader, 16, 1000, None);
    assert_eq!(late.as_deref(), Some(from_db.as_str()), "cursor 16 is within the tail");
    // Through the store: the same page either way.
    assert_eq!(shown(&w.store.pull(&reader, 3, 1000, None).unwrap()), shown(&changes::pull(&w.store.pool, &reader, 3, 1000, None).unwrap()));
}

/// A restore takes the feed back and reuses sequence numbers for other changes under
/// a new epoch: the tail starts over instead of serving what it kept.
#[test]
fn a_restored_database_starts_the_tail_over() {
    let mut w = world();
    let tail = Tail::new();
    let docs = vec![("d".to_owned(), "branch:b0".to_owned())];
    let mut rng = Rng(4);
    w.store_changes(&mut rng, 10, &docs);
    let reader = w.devices[2].clone();
    let (kept, _) = both(&w.store, &tail, &reader, 0, 1000, None);
    assert!(kept.is_some());
    // As `pg_restore` of an older dump and `restore --new-epoch` leave it.
    w.client
        .batch_execute(
            "DELETE FROM changes WHERE hub_seq > 4; UPDATE hub_feed SET last_seq = 4;
             UPDATE hub_meta SET value = 'restored' WHERE key = 'epoch';",
        )
        .unwrap();
    let mut rng = Rng(99);
    w.store_changes(&mut rng, 8, &docs);
    for since in [0, 4, 6, 12] {
        let (from_tail, from_db) = both(&w.store, &tail, &reader, since, 1000, None);
        assert_eq!(from_tail.as_deref(), Some(from_db.as_str()), "since {since}");
    }
}

/// Pulls through one tail from several threads while changes are stored: each
/// reader, paging with its cursor, gets every change it may read exactly once and in
/// order — no refresh, concurrent or not, lets a cursor pass a change.
#[test]
fn concurrent_pulls_through_the_tail_never_skip_a_change() {
    let w = world();
    let docs = documents();
    let finished = std::sync::atomic::AtomicBool::new(false);
    let seen: Vec<Vec<u64>> = std::thread::scope(|s| {
        let (store, finished) = (&w.store, &finished);
        let pulling: Vec<_> = w
            .devices
            .iter()
            .map(|device| {
                s.spawn(move || {
                    let (mut cursor, mut got, mut idle) = (0u64, Vec::new(), 0);
                    // Until the writer has finished and pulls find nothing more.
                    while idle < 3 {
                        let done = finished.load(std::sync::atomic::Ordering::SeqCst);
                        let page = store.pull(device, cursor, 7, None).unwrap();
                        got.extend(page.changes.iter().map(|c| c.hub_seq));
                        cursor = page.next_cursor;
                        idle = if page.changes.is_empty() && !page.more && done { idle + 1 } else { 0 };
                    }
                    got
                })
            })
            .collect();
        let mut writer = World {
            url: w.url.clone(),
            store: PgStore::connect(&w.url).unwrap(),
            devices: w.devices.clone(),
            client: postgres::Client::connect(&w.url, postgres::NoTls).unwrap(),
        };
        let mut rng = Rng(5);
        for _ in 0..80 {
            let n = 1 + rng.below(6) as usize;
            writer.store_changes(&mut rng, n, &docs);
        }
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
        pulling.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (device, got) in w.devices.iter().zip(seen) {
        let all = changes::pull(&w.store.pool, device, 0, 10_000, None).unwrap();
        let expected: Vec<u64> = all.changes.iter().map(|c| c.hub_seq).collect();
        assert!(!expected.is_empty(), "{} reads something", device.rep);
        assert_eq!(got, expected, "{} ({:?}): every change once, in order", device.rep, device.role);
    }
}
