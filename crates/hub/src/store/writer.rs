//! Group commit: one thread owns the write connection and commits the writes that
//! queued up meanwhile in one transaction.
//!
//! With `synchronous=FULL` every commit is an fsync, and an fsync per push and per
//! sync completion is what limits a busy hub (`make bench-hub`). Here each write runs
//! inside its own savepoint of a shared `BEGIN IMMEDIATE` transaction, in arrival
//! order, seeing the writes before it; a write that fails rolls back its savepoint
//! alone. The caller is answered only after the COMMIT, so an acknowledgement still
//! means "on disk" — nothing acknowledged is ever lost.

use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::error::HubError;

/// Writes per transaction at most (bounds the latency one group adds to its first write).
const MAX_GROUP: usize = 256;

/// Called with the commit's outcome, after the commit.
type Deliver = Box<dyn FnOnce(Result<(), Arc<rusqlite::Error>>) + Send>;

/// One queued write: run inside the group's transaction, or refused unrun.
trait Work: Send {
    /// Runs the write; says whether it succeeded and how to answer once committed.
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Deliver);
    /// Answers without running (the transaction could not start).
    fn refuse(self: Box<Self>, why: &rusqlite::Error);
}

struct Item<T, F> {
    f: F,
    reply: mpsc::SyncSender<Result<T, HubError>>,
}

impl<T, F> Work for Item<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, HubError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Deliver) {
        let Item { f, reply } = *self;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)))
            .unwrap_or_else(|_| {
                Err(HubError::Task(
                    "a write panicked; it was rolled back".into(),
                ))
            });
        let ok = result.is_ok();
        let deliver: Deliver = Box::new(move |commit| {
            let _ = reply.send(match commit {
                Ok(()) => result,
                Err(e) => Err(HubError::Task(format!("commit failed: {e}"))),
            });
        });
        (ok, deliver)
    }

    fn refuse(self: Box<Self>, why: &rusqlite::Error) {
        let _ = self.reply.send(Err(HubError::Task(format!(
            "the write transaction could not start: {why}"
        ))));
    }
}

type Job = Box<dyn Work>;

pub(crate) struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub(crate) fn start(conn: Connection) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("hub-writer".into())
            .spawn(move || run(conn, rx))
            .expect("spawning the hub's writer thread");
        Writer {
            jobs: Some(tx),
            thread: Some(thread),
        }
    }

    /// Runs `f` in the next group's transaction and returns its result once committed.
    pub(crate) fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, HubError> + Send + 'static,
    ) -> Result<T, HubError> {
        let (reply, answer) = mpsc::sync_channel::<Result<T, HubError>>(1);
        let job: Job = Box::new(Item { f, reply });
        let jobs = self
            .jobs
            .as_ref()
            .ok_or_else(|| HubError::Task("the hub is shutting down".into()))?;
        jobs.send(job)
            .map_err(|_| HubError::Task("the hub's writer stopped".into()))?;
        answer
            .recv()
            .map_err(|_| HubError::Task("the hub's writer stopped".into()))?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue ends the thread once it has committed what was queued.
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut delivers = Vec::with_capacity(group.len());
        let (busy_since, size) = (std::time::Instant::now(), group.len());
        // Waits up to the connection's busy timeout for another hub process's writer.
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            for job in group {
                job.refuse(&e);
            }
            continue;
        }
        for job in group {
            let _ = conn.execute_batch("SAVEPOINT job");
            let (ok, deliver) = job.run(&conn);
            let _ = if ok {
                conn.execute_batch("RELEASE job")
            } else {
                conn.execute_batch("ROLLBACK TO job; RELEASE job")
            };
            delivers.push(deliver);
        }
        // One failed COMMIT answers every write of the group: share the error.
        let committed = conn.execute_batch("COMMIT").map_err(Arc::new);
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        super::WRITE_STATS.record(size, busy_since.elapsed());
        for deliver in delivers {
            deliver(committed.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn writer() -> (tempfile::TempDir, Arc<Writer>) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("w.sqlite")).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER PRIMARY KEY);").unwrap();
        (dir, Arc::new(Writer::start(conn)))
    }

    #[test]
    fn concurrent_writes_commit_together_and_a_failing_one_rolls_back_alone() {
        let (dir, w) = writer();
        let (groups_before, writes_before, busy_before) = crate::store::WRITE_STATS.read();
        let threads: Vec<_> = (0..64)
            .map(|n: i64| {
                let w = w.clone();
                std::thread::spawn(move || {
                    w.write(move |c| {
                        c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                        match n % 16 {
                            7 => Err(HubError::Malformed(format!("write {n} refused"))),
                            11 => panic!("write {n} panicked"),
                            _ => Ok(n),
                        }
                    })
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        for (n, r) in results.iter().enumerate() {
            match n % 16 {
                7 => assert!(matches!(r, Err(HubError::Malformed(_))), "{n}: {r:?}"),
                11 => assert!(matches!(r, Err(HubError::Task(_))), "{n}: {r:?}"),
                _ => assert_eq!(r.as_ref().ok(), Some(&(n as i64))),
            }
        }
        drop(w);
        // What was answered Ok is on disk; what failed left nothing behind.
        let conn = Connection::open(dir.path().join("w.sqlite")).unwrap();
        let stored: Vec<i64> = conn.prepare("SELECT n FROM t ORDER BY n").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let expected: Vec<i64> = (0..64).filter(|n| n % 16 != 7 && n % 16 != 11).collect();
        assert_eq!(stored, expected);
        // `/metrics` counts every write, refused ones too, and the time spent on them
        // (other tests of this process may add to the counts, never subtract).
        let (groups, writes, busy) = crate::store::WRITE_STATS.read();
        assert!(groups > groups_before && writes >= writes_before + 64, "{groups} groups, {writes} writes");
        assert!(busy > busy_before);
    }

    #[test]
    fn a_write_sees_the_writes_queued_before_it() {
        let (_dir, w) = writer();
        w.write(|c| Ok(c.execute("INSERT INTO t (n) VALUES (1)", [])?)).unwrap();
        let seen: i64 = w.write(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?)).unwrap();
        assert_eq!(seen, 1);
    }
}
