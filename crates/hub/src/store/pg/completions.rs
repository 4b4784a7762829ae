//! Sync completions in batches: one thread with its own connection records the
//! completions queued meanwhile with one statement (`UPDATE devices … FROM unnest`),
//! and answers each after that statement committed.
//!
//! Why: a completion is a third of a sync's requests and a write each; one by one,
//! each was its own transaction and WAL flush (`make bench-hub`: 500 laptops). Its
//! meaning is unchanged: `last_sync_at` is hub time, read from this hub's clock when
//! the batch runs, never earlier than the device's previous one, and the answer
//! (previous and new time) comes only once it is committed. The batch takes the rows'
//! locks in id order, so two hubs' batches cannot deadlock; a device completing twice
//! in one batch has its second completion recorded in the next one.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc;
use std::thread::JoinHandle;

use leadguard_protocol::{HubTime, SyncCompleted};
use postgres::{Client, NoTls};

use crate::error::HubError;
use crate::store::now_ms;

/// Completions per statement at most.
const MAX_BATCH: usize = 512;

const COMPLETE: &str = "UPDATE devices d SET last_sync_at = greatest($3, o.previous), last_cursor = o.cursor
     FROM (SELECT v.id, v.last_sync_at AS previous, u.cursor
           FROM devices v JOIN unnest($1::text[], $2::bigint[]) AS u(id, cursor) ON v.id = u.id
           ORDER BY v.id FOR UPDATE OF v) o
     WHERE d.id = o.id
     RETURNING d.id, o.previous, d.last_sync_at";

struct Job {
    device: String,
    cursor: i64,
    reply: mpsc::SyncSender<Result<SyncCompleted, HubError>>,
}

pub(super) struct Completions {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Completions {
    pub(super) fn start(url: &str) -> Result<Self, HubError> {
        let client = Client::connect(url, NoTls)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let url = url.to_owned();
        let thread = std::thread::Builder::new()
            .name("hub-pg-complete".into())
            .spawn(move || run(&url, Some(client), rx))
            .map_err(|e| HubError::Task(format!("cannot start the completion thread: {e}")))?;
        Ok(Completions { jobs: Some(tx), thread: Some(thread) })
    }

    /// Records `device`'s completed sync at `cursor` in the next batch; returns once committed.
    pub(super) fn complete(&self, device: &str, cursor: u64) -> Result<SyncCompleted, HubError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let job = Job { device: device.to_owned(), cursor: i64::try_from(cursor).unwrap_or(i64::MAX), reply };
        let stopped = || HubError::Task("the hub's completion thread stopped".into());
        self.jobs.as_ref().ok_or_else(stopped)?.send(job).map_err(|_| stopped())?;
        answer.recv().map_err(|_| stopped())?
    }
}

impl Drop for Completions {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(url: &str, mut client: Option<Client>, jobs: mpsc::Receiver<Job>) {
    let mut later: VecDeque<Job> = VecDeque::new();
    let mut statement = None;
    loop {
        // Completions deferred from the last batch first, then whatever queued meanwhile.
        let first = match later.pop_front() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        let mut batch = vec![first];
        let mut ids: HashSet<String> = batch.iter().map(|j| j.device.clone()).collect();
        let mut take = |job: Job, batch: &mut Vec<Job>, later: &mut VecDeque<Job>| {
            if ids.insert(job.device.clone()) {
                batch.push(job);
            } else {
                later.push_back(job);
            }
        };
        let deferred = std::mem::take(&mut later);
        for job in deferred {
            if batch.len() < MAX_BATCH {
                take(job, &mut batch, &mut later);
            } else {
                later.push_back(job);
            }
        }
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => take(job, &mut batch, &mut later),
                Err(_) => break,
            }
        }
        if client.as_ref().is_none_or(Client::is_closed) {
            statement = None;
            client = Client::connect(url, NoTls).map_err(|e| tracing::error!(error = %e, "completions: cannot reconnect")).ok();
        }
        let outcome = match client.as_mut() {
            Some(c) => record(c, &mut statement, &batch),
            None => Err(HubError::Busy("the hub cannot reach PostgreSQL to record the sync".into())),
        };
        match outcome {
            Ok(mut done) => {
                for job in batch {
                    let answer = done.remove(&job.device).ok_or_else(|| HubError::NoSuchDevice(job.device.clone()));
                    let _ = job.reply.send(answer);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, completions = batch.len(), "recording sync completions failed");
                let shared = e.to_string();
                for job in batch {
                    let _ = job.reply.send(Err(HubError::Task(format!("recording the sync failed: {shared}"))));
                }
            }
        }
    }
}

/// One statement for the batch (ids distinct); each device's previous and new time.
fn record(
    client: &mut Client,
    statement: &mut Option<postgres::Statement>,
    batch: &[Job],
) -> Result<HashMap<String, SyncCompleted>, HubError> {
    let st = match statement {
        Some(s) => s.clone(),
        None => statement.insert(client.prepare(COMPLETE)?).clone(),
    };
    let ids: Vec<&str> = batch.iter().map(|j| j.device.as_str()).collect();
    let cursors: Vec<i64> = batch.iter().map(|j| j.cursor).collect();
    let rows = client.query(&st, &[&ids, &cursors, &now_ms()])?;
    Ok(rows
        .iter()
        .map(|r| {
            let (previous, now): (Option<i64>, i64) = (r.get(1), r.get(2));
            (r.get::<_, String>(0), SyncCompleted { synced_at: HubTime(now), previous: previous.map(HubTime) })
        })
        .collect())
}
