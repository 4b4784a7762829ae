//! Group commit for PostgreSQL, as `store/writer.rs` does for SQLite: one connection
//! per hub process, owned by a thread, runs the pushes queued meanwhile in one
//! transaction, each in its own savepoint, and answers them after the one COMMIT.
//!
//! Why: a storing push holds the feed's head row (`hub_feed`) until its commit is on
//! disk, so pushes committed one by one cost one WAL flush each, one after another
//! (`make bench-hub`). In a group they share the lock and the flush. A push that fails
//! rolls back its savepoint alone; an acknowledgement still means "committed".

use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use postgres::{Client, NoTls, Transaction};

use super::pool::Statements;
use crate::error::HubError;

/// Pushes per transaction at most (bounds the latency one group adds to its first push).
const MAX_GROUP: usize = 64;

/// Where a write group failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupStage {
    /// Reconnecting after the database went away.
    Connect,
    /// Opening the group's transaction.
    Begin,
    /// A write's savepoint (the connection failed under the group).
    Savepoint,
    /// The group's COMMIT.
    Commit,
}

/// Why a queued write was not committed: the whole group failed at `stage`. Shared by
/// every write of the group (hence the `Arc`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the PostgreSQL write group failed at {stage:?}: {source}")]
pub struct GroupFailed {
    pub stage: GroupStage,
    pub source: Arc<postgres::Error>,
}

impl GroupFailed {
    fn at(stage: GroupStage, source: postgres::Error) -> Self {
        GroupFailed { stage, source: Arc::new(source) }
    }
}

type Deliver = Box<dyn FnOnce(Result<(), GroupFailed>) + Send>;

/// One queued write: runs in its savepoint (saying whether it succeeded), then is
/// answered with the group's commit.
struct Job {
    run: Box<dyn FnOnce(&mut Transaction<'_>, &mut Statements) -> (bool, Deliver) + Send>,
    refuse: Box<dyn FnOnce(GroupFailed) + Send>,
}

pub(super) struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub(super) fn start(url: &str) -> Result<Self, HubError> {
        let client = Client::connect(url, NoTls)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("hub-pg-writer".into())
            .spawn({
                let url = url.to_owned();
                move || run(&url, client, rx)
            })
            .map_err(|e| HubError::Task(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { jobs: Some(tx), thread: Some(thread) })
    }

    /// Runs `f` in the next group's transaction and returns its result once committed.
    pub(super) fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>, &mut Statements) -> Result<T, HubError> + Send + 'static,
    ) -> Result<T, HubError> {
        let (reply, answer) = mpsc::sync_channel::<Result<T, HubError>>(1);
        let refused = reply.clone();
        let job = Job {
            run: Box::new(move |tx, st| {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(tx, st)))
                    .unwrap_or_else(|_| Err(HubError::Task("a write panicked; it was rolled back".into())));
                let ok = result.is_ok();
                let deliver: Deliver = Box::new(move |commit| {
                    let _ = reply.send(match commit {
                        Ok(()) => result,
                        Err(e) => Err(HubError::WriteGroup(e)),
                    });
                });
                (ok, deliver)
            }),
            refuse: Box::new(move |why| {
                let _ = refused.send(Err(HubError::WriteGroup(why)));
            }),
        };
        let jobs = self.jobs.as_ref().ok_or_else(|| HubError::Task("the hub is shutting down".into()))?;
        jobs.send(job).map_err(|_| HubError::Task("the hub's PostgreSQL writer stopped".into()))?;
        answer.recv().map_err(|_| HubError::Task("the hub's PostgreSQL writer stopped".into()))?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(url: &str, mut client: Client, jobs: mpsc::Receiver<Job>) {
    let mut statements = Statements::default();
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let (busy_since, size) = (std::time::Instant::now(), group.len());
        if client.is_closed() {
            // The database restarted or the connection broke: a new one, new statements.
            match Client::connect(url, NoTls) {
                Ok(c) => (client, statements) = (c, Statements::default()),
                Err(e) => {
                    refuse_all(group, GroupFailed::at(GroupStage::Connect, e));
                    continue;
                }
            }
        }
        let mut tx = match client.transaction() {
            Ok(tx) => tx,
            Err(e) => {
                refuse_all(group, GroupFailed::at(GroupStage::Begin, e));
                continue;
            }
        };
        let mut delivers: Vec<Deliver> = Vec::with_capacity(group.len());
        let mut broken: Option<GroupFailed> = None;
        for job in group {
            if let Some(why) = &broken {
                (job.refuse)(why.clone());
                continue;
            }
            let mut sp = match tx.savepoint("job") {
                Ok(sp) => sp,
                Err(e) => {
                    let why = GroupFailed::at(GroupStage::Savepoint, e);
                    (job.refuse)(why.clone());
                    broken = Some(why);
                    continue;
                }
            };
            let (ok, deliver) = (job.run)(&mut sp, &mut statements);
            match if ok { sp.commit() } else { sp.rollback() } {
                Ok(()) => delivers.push(deliver),
                // The connection failed under us: nothing more runs in this group.
                Err(e) => {
                    let why = GroupFailed::at(GroupStage::Savepoint, e);
                    deliver(Err(why.clone()));
                    broken = Some(why);
                }
            }
        }
        let committed = match broken {
            Some(why) => {
                drop(tx);
                Err(why)
            }
            None => tx.commit().map_err(|e| GroupFailed::at(GroupStage::Commit, e)),
        };
        crate::store::WRITE_STATS.record(size, busy_since.elapsed());
        for deliver in delivers {
            deliver(committed.clone());
        }
    }
}

fn refuse_all(group: Vec<Job>, why: GroupFailed) {
    for job in group {
        (job.refuse)(why.clone());
    }
}
