//! Group commit for PostgreSQL, as `store/writer.rs` does for SQLite: one connection
//! per hub process, owned by a thread, runs the writes queued meanwhile in one
//! transaction and answers them after the one COMMIT.
//!
//! Why: a storing push holds the feed's head row (`hub_feed`) until its commit is on
//! disk, so pushes committed one by one cost one WAL flush each, one after another
//! (`make bench-hub`). In a group they share the lock and the flush. The pushes queued
//! next to each other are stored together (`group.rs`: checked one by one in memory,
//! written with one statement per table for all of them); any other write runs in its
//! own savepoint. A push or write that fails leaves nothing behind and fails alone; an
//! acknowledgement still means "committed".

use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use leadguard_protocol::Ack;
use postgres::{Client, NoTls, Transaction};

use super::group::{self, PushJob};
use super::pool::Statements;
use crate::error::HubError;

/// Pushes stored one by one because their group's writes failed (a race with
/// another hub, or a database error), since the process started.
pub(super) static REDONE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Writes per transaction at most (bounds the latency one group adds to its first write).
const MAX_GROUP: usize = 256;

/// Change bytes stored by one statement at most (PostgreSQL's messages stop at 1 GB;
/// pushes beyond it are stored together in the next run of the same transaction).
const MAX_RUN_BYTES: usize = 64 << 20;

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
type Reply<T> = mpsc::SyncSender<Result<T, HubError>>;

/// One queued write.
enum Job {
    /// Runs in its savepoint (saying whether it succeeded), answered with the commit.
    Write { run: Run, refuse: Refuse },
    /// A push, stored with the pushes queued next to it.
    Push { push: PushJob, reply: Reply<Vec<Ack>> },
}

impl Job {
    fn refuse(self, why: GroupFailed) {
        match self {
            Job::Write { refuse, .. } => refuse(why),
            Job::Push { reply, .. } => {
                let _ = reply.send(Err(HubError::WriteGroup(why)));
            }
        }
    }
}

/// Answers `reply` with `result` once the group's commit says it holds.
fn deliver_after_commit<T: Send + 'static>(reply: Reply<T>, result: Result<T, HubError>) -> Deliver {
    Box::new(move |commit| {
        let _ = reply.send(match commit {
            Ok(()) => result,
            Err(e) => Err(HubError::WriteGroup(e)),
        });
    })
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
        let job = Job::Write {
            run: Box::new(move |tx, st| {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(tx, st)))
                    .unwrap_or_else(|_| Err(HubError::Task("a write panicked; it was rolled back".into())));
                (result.is_ok(), deliver_after_commit(reply, result))
            }),
            refuse: Box::new(move |why| {
                let _ = refused.send(Err(HubError::WriteGroup(why)));
            }),
        };
        self.send(job, answer)
    }

    /// Stores `push` in the next group and returns its receipts once committed.
    pub(super) fn push(&self, push: PushJob) -> Result<Vec<Ack>, HubError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(Job::Push { push, reply }, answer)
    }

    fn send<T>(&self, job: Job, answer: mpsc::Receiver<Result<T, HubError>>) -> Result<T, HubError> {
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
        let mut jobs_left = group.into_iter().peekable();
        while let Some(job) = jobs_left.next() {
            if let Some(why) = &broken {
                job.refuse(why.clone());
                continue;
            }
            match job {
                Job::Push { push, reply } => {
                    // This push and the pushes queued right after it, stored together.
                    let mut bytes = push_bytes(&push);
                    let mut pushes = vec![(push, reply)];
                    while let Some(Job::Push { push, .. }) = jobs_left.peek() {
                        bytes += push_bytes(push);
                        if bytes > MAX_RUN_BYTES {
                            break;
                        }
                        if let Some(Job::Push { push, reply }) = jobs_left.next() {
                            pushes.push((push, reply));
                        }
                    }
                    broken = store_pushes(&mut tx, &mut statements, pushes, &mut delivers);
                }
                Job::Write { run, refuse } => broken = write_alone(&mut tx, &mut statements, run, refuse, &mut delivers),
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

type Run = Box<dyn FnOnce(&mut Transaction<'_>, &mut Statements) -> (bool, Deliver) + Send>;
type Refuse = Box<dyn FnOnce(GroupFailed) + Send>;

/// Runs one write in its own savepoint; `Some` if the connection failed under it.
fn write_alone(tx: &mut Transaction<'_>, st: &mut Statements, run: Run, refuse: Refuse, delivers: &mut Vec<Deliver>) -> Option<GroupFailed> {
    let mut sp = match tx.savepoint("job") {
        Ok(sp) => sp,
        Err(e) => {
            let why = GroupFailed::at(GroupStage::Savepoint, e);
            refuse(why.clone());
            return Some(why);
        }
    };
    let (ok, deliver) = run(&mut sp, st);
    match if ok { sp.commit() } else { sp.rollback() } {
        Ok(()) => {
            delivers.push(deliver);
            None
        }
        // The connection failed under us: nothing more runs in this group.
        Err(e) => {
            let why = GroupFailed::at(GroupStage::Savepoint, e);
            deliver(Err(why.clone()));
            Some(why)
        }
    }
}

/// Stores a run of pushes together (`group.rs`); if the database refuses that (a race
/// with another hub) or it panics, redoes them one by one, each in its savepoint, as
/// `changes::store_new`. `Some` if the connection failed under them.
fn store_pushes(tx: &mut Transaction<'_>, st: &mut Statements, pushes: Vec<(PushJob, Reply<Vec<Ack>>)>, delivers: &mut Vec<Deliver>) -> Option<GroupFailed> {
    let (jobs, replies): (Vec<PushJob>, Vec<Reply<Vec<Ack>>>) = pushes.into_iter().unzip();
    if let Err(e) = tx.batch_execute("SAVEPOINT pushes") {
        let why = GroupFailed::at(GroupStage::Savepoint, e);
        for reply in replies {
            let _ = reply.send(Err(HubError::WriteGroup(why.clone())));
        }
        return Some(why);
    }
    let together = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| group::store_all(tx, st, &jobs)));
    if let Ok(Ok(results)) = together {
        delivers.extend(results.into_iter().zip(replies).map(|(result, reply)| deliver_after_commit(reply, result)));
        return None;
    }
    let why = match together {
        Ok(Err(e)) => e.to_string(),
        _ => "a panic".to_owned(),
    };
    REDONE.fetch_add(jobs.len() as u64, std::sync::atomic::Ordering::Relaxed);
    tracing::warn!(pushes = jobs.len(), %why, "PostgreSQL: pushes stored one by one after their group's write failed");
    if let Err(e) = tx.batch_execute("ROLLBACK TO SAVEPOINT pushes") {
        let why = GroupFailed::at(GroupStage::Savepoint, e);
        for reply in replies {
            let _ = reply.send(Err(HubError::WriteGroup(why.clone())));
        }
        return Some(why);
    }
    let mut jobs_replies = jobs.into_iter().zip(replies);
    while let Some((job, reply)) = jobs_replies.next() {
        let refused = reply.clone();
        let refuse: Refuse = Box::new(move |why| {
            let _ = refused.send(Err(HubError::WriteGroup(why)));
        });
        let run: Run = Box::new(move |tx: &mut Transaction<'_>, st: &mut Statements| {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                super::changes::store_new(tx, st, &job.device, &job.changes, job.checks)
            }))
            .unwrap_or_else(|_| Err(HubError::Task("a push panicked; it was rolled back".into())));
            (result.is_ok(), deliver_after_commit(reply, result))
        });
        if let Some(why) = write_alone(tx, st, run, refuse, delivers) {
            for (_, reply) in jobs_replies {
                let _ = reply.send(Err(HubError::WriteGroup(why.clone())));
            }
            return Some(why);
        }
    }
    None
}

fn push_bytes(push: &PushJob) -> usize {
    push.changes.iter().map(|c| c.bytes.len()).sum()
}

fn refuse_all(group: Vec<Job>, why: GroupFailed) {
    for job in group {
        job.refuse(why.clone());
    }
}

/// Runs `pushes` as one group on a new connection to `url`, as the writer thread does
/// with the pushes queued while it was busy, and returns their answers in order.
#[cfg(test)]
pub(super) fn run_queued(url: &str, pushes: Vec<PushJob>) -> Vec<Result<Vec<Ack>, HubError>> {
    let (jobs, queue) = mpsc::channel();
    let answers: Vec<_> = pushes
        .into_iter()
        .map(|push| {
            let (reply, answer) = mpsc::sync_channel(1);
            jobs.send(Job::Push { push, reply }).unwrap();
            answer
        })
        .collect();
    drop(jobs);
    run(url, Client::connect(url, NoTls).unwrap(), queue);
    answers.into_iter().map(|a| a.recv().unwrap()).collect()
}
