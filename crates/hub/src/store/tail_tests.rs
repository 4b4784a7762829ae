//! Tests of the feed's tail (`tail.rs`) on both backends: a page served from memory
//! is the page the database serves, whatever was stored, marked plain or restored
//! meanwhile and through whichever hub.

use super::pg::PgStore;
use super::ranges::pull_ranges;
use super::tail::Tail;
use super::{Backend, SqliteStore};
use crate::scope::Device;
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

/// One backend's database with a store (a hub process) over it, written behind the
/// store's back as a writer would.
trait Database {
    /// The store.
    fn store(&self) -> &dyn Backend;
    /// Another store over the same database (another hub process).
    fn open(&self) -> Box<dyn Backend>;
    /// Another connection for writing, as another hub's writer.
    fn another(&self) -> Box<dyn Database>;
    /// Stores one change numbered from the feed, company-wide when its document holds no
    /// plain contact.
    fn insert(&mut self, doc: &str, scope: &str, device: &str, bytes: &[u8], prev: Option<i64>);
    /// Marks a document plain as `mark_plain` does (without storing a change of it).
    fn mark_plain(&mut self, doc: &str);
    fn head(&mut self) -> u64;
    /// As a restore of an older backup leaves it: the changes after `seq` gone, their
    /// numbers free again, a new epoch.
    fn restore_to(&mut self, seq: u64);
    /// The page the database serves, read by the backend's own pull (not the tail's).
    fn pull(&self, device: &Device, since: u64, limit: usize, only: Option<&str>) -> PullResponse;
    /// The page `tail` serves over this database (None: it sends the pull to the database).
    fn from_tail(&self, tail: &Tail, device: &Device, since: u64, limit: usize, only: Option<&str>) -> Option<PullResponse>;
}

struct Pg {
    url: String,
    store: PgStore,
    client: postgres::Client,
}

impl Pg {
    fn at(url: &str) -> Pg {
        Pg { url: url.to_owned(), store: PgStore::connect(url).unwrap(), client: postgres::Client::connect(url, postgres::NoTls).unwrap() }
    }
}

impl Database for Pg {
    fn store(&self) -> &dyn Backend {
        &self.store
    }
    fn open(&self) -> Box<dyn Backend> {
        Box::new(PgStore::connect(&self.url).unwrap())
    }
    fn another(&self) -> Box<dyn Database> {
        Box::new(Pg::at(&self.url))
    }
    fn insert(&mut self, doc: &str, scope: &str, device: &str, bytes: &[u8], prev: Option<i64>) {
        let mut tx = self.client.transaction().unwrap();
        let seq: i64 = tx.query_one("UPDATE hub_feed SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq", &[]).unwrap().get(0);
        tx.execute("INSERT INTO docs (doc_id, scope) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[&doc, &scope]).unwrap();
        tx.execute(
            "INSERT INTO changes (hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes, company_wide)
             VALUES ($1::bigint, sha256($1::bigint::text::bytea || $6), $2, $3, $4, $1::bigint * 10, $5, $6, (SELECT NOT plain FROM docs WHERE doc_id = $2))",
            &[&seq, &doc, &scope, &device, &prev, &bytes],
        )
        .unwrap();
        tx.commit().unwrap();
    }
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
    fn restore_to(&mut self, seq: u64) {
        // As `pg_restore` of an older dump and `restore` (a new epoch) leave it.
        let seq = seq as i64;
        let mut tx = self.client.transaction().unwrap();
        tx.execute("DELETE FROM changes WHERE hub_seq > $1", &[&seq]).unwrap();
        tx.execute("UPDATE hub_feed SET last_seq = $1", &[&seq]).unwrap();
        tx.execute("UPDATE hub_meta SET value = 'restored' WHERE key = 'epoch'", &[]).unwrap();
        tx.commit().unwrap();
    }
    fn pull(&self, device: &Device, since: u64, limit: usize, only: Option<&str>) -> PullResponse {
        self.store.pull_from_log(device, since, limit, only).unwrap()
    }
    fn from_tail(&self, tail: &Tail, device: &Device, since: u64, limit: usize, only: Option<&str>) -> Option<PullResponse> {
        let ranges = pull_ranges(device, only);
        tail.pull(self.store.feed(), device, since, limit, &ranges).unwrap().map(|p| p.into_response())
    }
}

struct Sqlite {
    dir: std::sync::Arc<tempfile::TempDir>,
    store: SqliteStore,
    conn: rusqlite::Connection,
}

impl Sqlite {
    fn at(dir: std::sync::Arc<tempfile::TempDir>) -> Sqlite {
        let store = SqliteStore::open(dir.path()).unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("hub.sqlite")).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        Sqlite { dir, store, conn }
    }
}

impl Database for Sqlite {
    fn store(&self) -> &dyn Backend {
        &self.store
    }
    fn open(&self) -> Box<dyn Backend> {
        Box::new(SqliteStore::open(self.dir.path()).unwrap())
    }
    fn another(&self) -> Box<dyn Database> {
        Box::new(Sqlite::at(self.dir.clone()))
    }
    fn insert(&mut self, doc: &str, scope: &str, device: &str, bytes: &[u8], prev: Option<i64>) {
        let tx = self.conn.transaction().unwrap();
        tx.execute("INSERT INTO docs (doc_id, scope) VALUES (?1, ?2) ON CONFLICT DO NOTHING", rusqlite::params![doc, scope]).unwrap();
        let next: i64 = tx.query_row("SELECT coalesce(max(hub_seq), 0) + 1 FROM changes", [], |r| r.get(0)).unwrap();
        // Unique: the number it will get.
        let mut hash = [7u8; 32];
        hash[..8].copy_from_slice(&next.to_be_bytes());
        tx.execute(
            "INSERT INTO changes (hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes, company_wide)
             VALUES (?1, ?2, ?3, ?4, ?5 * 10, ?6, ?7, (SELECT NOT plain FROM docs WHERE doc_id = ?2))",
            rusqlite::params![hash.as_slice(), doc, scope, device, next, prev, bytes],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    fn mark_plain(&mut self, doc: &str) {
        self.conn.execute("UPDATE docs SET plain = 1 WHERE doc_id = ?1", [doc]).unwrap();
        self.conn.execute("UPDATE changes SET company_wide = 0 WHERE company_wide = 1 AND doc_id = ?1", [doc]).unwrap();
    }
    fn head(&mut self) -> u64 {
        self.conn.query_row("SELECT coalesce(max(hub_seq), 0) FROM changes", [], |r| r.get::<_, i64>(0)).unwrap() as u64
    }
    fn restore_to(&mut self, seq: u64) {
        // An older backup holds fewer changes and its AUTOINCREMENT counter lower; the
        // restore starts a new epoch.
        let seq = seq as i64;
        self.conn
            .execute_batch(&format!(
                "BEGIN; DELETE FROM changes WHERE hub_seq > {seq}; UPDATE sqlite_sequence SET seq = {seq} WHERE name = 'changes';
                 UPDATE hub_meta SET value = 'restored' WHERE key = 'epoch'; COMMIT;"
            ))
            .unwrap();
    }
    fn pull(&self, device: &Device, since: u64, limit: usize, only: Option<&str>) -> PullResponse {
        self.store.pull_from_log(device, since, limit, only).unwrap()
    }
    fn from_tail(&self, tail: &Tail, device: &Device, since: u64, limit: usize, only: Option<&str>) -> Option<PullResponse> {
        let ranges = pull_ranges(device, only);
        tail.pull(&self.store, device, since, limit, &ranges).unwrap().map(|p| p.into_response())
    }
}

struct World {
    backend: &'static str,
    db: Box<dyn Database>,
    devices: Vec<Device>,
}

/// A fresh database of each backend with its store and six devices: reps of two
/// branches, a manager, a director of two branches and a distributor.
fn worlds() -> Vec<World> {
    let sqlite: Box<dyn Database> = Box::new(Sqlite::at(std::sync::Arc::new(tempfile::tempdir().unwrap())));
    let pg: Box<dyn Database> = Box::new(Pg::at(&leadguard_tests::postgres::fresh_database()));
    [("sqlite", sqlite), ("postgres", pg)]
        .into_iter()
        .map(|(backend, db)| {
            let store = db.store();
            let enrol = |rep: &str, branch: &str, role: Role| store.enroll(&store.create_enrolment(rep, rep, branch, role, 60_000).unwrap().token).unwrap().0;
            let devices = vec![
                enrol("r0", "b0", Role::Rep),
                enrol("r1", "b0", Role::Rep),
                enrol("r2", "b1", Role::Rep),
                enrol("m2", "b2", Role::Manager),
                enrol("dir", "b1,b2", Role::Director),
                enrol("agent", "b0", Role::Distributor),
            ];
            World { backend, db, devices }
        })
        .collect()
}

impl World {
    /// `n` changes of random documents, by random devices (or all by `author`).
    fn store_changes_by(&mut self, rng: &mut Rng, n: usize, docs: &[(String, String)], author: Option<usize>) {
        store_changes_in(&mut *self.db, &self.devices, rng, n, docs, author)
    }

    fn store_changes(&mut self, rng: &mut Rng, n: usize, docs: &[(String, String)]) {
        self.store_changes_by(rng, n, docs, None)
    }

    /// The page from `tail` (None: it sends the pull to the database) and from the database.
    fn both(&self, tail: &Tail, device: &Device, since: u64, limit: usize, only: Option<&str>) -> (Option<String>, String) {
        let from_tail = self.db.from_tail(tail, device, since, limit, only).map(|p| shown(&p));
        (from_tail, shown(&self.db.pull(device, since, limit, only)))
    }
}

fn store_changes_in(db: &mut dyn Database, devices: &[Device], rng: &mut Rng, n: usize, docs: &[(String, String)], author: Option<usize>) {
    for _ in 0..n {
        let (doc, scope) = &docs[rng.below(docs.len() as u64) as usize];
        let device = &devices[author.unwrap_or_else(|| rng.below(devices.len() as u64) as usize)].id;
        let bytes: Vec<u8> = (0..(20 + rng.below(300))).map(|_| rng.below(256) as u8).collect();
        let prev = (rng.below(2) == 0).then(|| rng.below(1 << 40) as i64);
        db.insert(doc, scope, device, &bytes, prev);
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
    for mut w in worlds() {
        let tail = Tail::new();
        let docs = documents();
        let mut rng = Rng(7);
        let mut served = 0;
        for step in 0..60 {
            let n = 1 + rng.below(12) as usize;
            w.store_changes(&mut rng, n, &docs);
            if step % 7 == 3 {
                let (doc, _) = &docs[rng.below(docs.len() as u64) as usize];
                w.db.mark_plain(doc);
                if rng.below(2) == 0 {
                    w.store_changes(&mut rng, 1, &[docs.iter().find(|(d, _)| d == doc).unwrap().clone()]);
                }
            }
            let head = w.db.head();
            for device in w.devices.clone() {
                for _ in 0..3 {
                    let since = rng.below(head + 2);
                    let limit = [1, 2, 5, 1000][rng.below(4) as usize];
                    let only = (device.role == Role::Rep && rng.below(5) == 0).then_some("branch:b0");
                    let (from_tail, from_db) = w.both(&tail, &device, since, limit, only);
                    let backend = w.backend;
                    let from_tail = from_tail.unwrap_or_else(|| panic!("{backend} step {step}: the tail holds everything here, yet sent the pull away"));
                    assert_eq!(from_tail, from_db, "{backend} step {step}, {} ({:?}) since {since} limit {limit} only {only:?}", device.rep, device.role);
                    served += from_db.lines().count() - 1;
                }
            }
        }
        assert!(served > 1000, "{}: the pulls served changes ({served})", w.backend);
    }
}

/// A document marked plain through another hub: this hub's tail kept its changes as
/// company-wide; another branch no longer gets them, exactly as from the database.
#[test]
fn a_document_marked_plain_through_another_hub_leaves_the_other_branches_pull() {
    for mut w in worlds() {
        let docs = vec![("sealed".to_owned(), "branch:b0".to_owned())];
        w.store_changes_by(&mut Rng(1), 3, &docs, Some(0));
        let other_branch = w.devices[2].clone();
        let before = w.db.store().pull(&other_branch, 0, 100, None).unwrap();
        assert_eq!(before.changes.len(), 3, "{}: company-wide: every branch reads it", w.backend);
        let elsewhere = w.db.open();
        elsewhere.pull(&other_branch, 0, 100, None).unwrap();
        w.db.mark_plain("sealed");
        for (hub, store) in [("this hub", w.db.store()), ("the other hub", &*elsewhere)] {
            let after = store.pull(&other_branch, 0, 100, None).unwrap();
            assert!(after.changes.is_empty(), "{} {hub}: a plain document stays in its branch: {}", w.backend, shown(&after));
            assert_eq!(after.next_cursor, 3);
            assert_eq!(store.pull(&w.devices[1], 0, 100, None).unwrap().changes.len(), 3, "{} {hub}: its own branch still reads it", w.backend);
        }
    }
}

/// What one hub stores, a pull through another hub serves at once (its tail refreshes
/// after the pull arrived).
#[test]
fn a_change_stored_through_one_hub_is_pulled_through_another_at_once() {
    for mut w in worlds() {
        let other = w.db.open();
        let docs = vec![("d".to_owned(), "branch:b0".to_owned())];
        let mut rng = Rng(2);
        let reader = w.devices[1].clone();
        for round in 1..=5u64 {
            w.store_changes(&mut rng, 2, &docs);
            let page = other.pull(&reader, 0, 1000, None).unwrap();
            let all = w.db.pull(&reader, 0, 1000, None);
            assert_eq!(shown(&page), shown(&all), "{} round {round}", w.backend);
            assert_eq!(page.next_cursor, 2 * round, "{} round {round}: up to the head", w.backend);
        }
    }
}

/// A tail that keeps few changes sends a pull from before it to the database, and
/// serves one from within it.
#[test]
fn a_pull_from_before_the_tail_reads_the_database() {
    for mut w in worlds() {
        let tail = Tail::with_limits(5, usize::MAX);
        let docs = vec![("d".to_owned(), "branch:b0".to_owned())];
        w.store_changes(&mut Rng(3), 20, &docs);
        let reader = w.devices[2].clone();
        let (early, from_db) = w.both(&tail, &w.devices[1], 3, 1000, None);
        assert_eq!(early, None, "{}: cursor 3 is before the newest five", w.backend);
        assert!(from_db.lines().count() > 1, "{}: the database serves it", w.backend);
        let (late, from_db) = w.both(&tail, &reader, 16, 1000, None);
        assert_eq!(late.as_deref(), Some(from_db.as_str()), "{}: cursor 16 is within the tail", w.backend);
        // Through the store: the same page either way.
        assert_eq!(shown(&w.db.store().pull(&reader, 3, 1000, None).unwrap()), shown(&w.db.pull(&reader, 3, 1000, None)));
    }
}

/// A restore takes the feed back and reuses sequence numbers for other changes under
/// a new epoch: the tail starts over instead of serving what it kept.
#[test]
fn a_restored_database_starts_the_tail_over() {
    for mut w in worlds() {
        let tail = Tail::new();
        let docs = vec![("d".to_owned(), "branch:b0".to_owned())];
        w.store_changes(&mut Rng(4), 10, &docs);
        let reader = w.devices[2].clone();
        let (kept, _) = w.both(&tail, &reader, 0, 1000, None);
        assert!(kept.is_some());
        w.db.restore_to(4);
        w.store_changes(&mut Rng(99), 8, &docs);
        assert_eq!(w.db.head(), 12, "{}: numbers 5..=10 given again", w.backend);
        for since in [0, 4, 6, 12] {
            let (from_tail, from_db) = w.both(&tail, &reader, since, 1000, None);
            assert_eq!(from_tail.as_deref(), Some(from_db.as_str()), "{} since {since}", w.backend);
        }
    }
}

/// Pulls through one store from several threads while another connection stores
/// changes: each reader, paging with its cursor, gets every change it may read
/// exactly once and in order — no refresh, concurrent or not, lets a cursor pass a
/// change.
#[test]
fn concurrent_pulls_through_the_tail_never_skip_a_change() {
    for w in worlds() {
        let docs = documents();
        let finished = std::sync::atomic::AtomicBool::new(false);
        let mut writer = w.db.another();
        let seen: Vec<Vec<u64>> = std::thread::scope(|s| {
            let (store, finished) = (w.db.store(), &finished);
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
            let mut rng = Rng(5);
            for _ in 0..80 {
                let n = 1 + rng.below(6) as usize;
                store_changes_in(&mut *writer, &w.devices, &mut rng, n, &docs, None);
            }
            finished.store(true, std::sync::atomic::Ordering::SeqCst);
            pulling.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (device, got) in w.devices.iter().zip(seen) {
            let all = w.db.pull(device, 0, 10_000, None);
            let expected: Vec<u64> = all.changes.iter().map(|c| c.hub_seq).collect();
            assert!(!expected.is_empty(), "{} {} reads something", w.backend, device.rep);
            assert_eq!(got, expected, "{} {} ({:?}): every change once, in order", w.backend, device.rep, device.role);
        }
    }
}
