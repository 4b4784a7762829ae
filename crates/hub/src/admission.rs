//! Admission of pushes: a burst is served first come, first served.
//!
//! A push is the start of a sync (its answer carries the first pull page; the
//! completion that ends the sync is a few milliseconds of work). When hundreds of
//! laptops sync at once — the morning after a network outage, a branch meeting's
//! Wi-Fi — letting every push in at once shares the machine's cores among all of them:
//! every laptop's sync slows down together, and a laptop whose first push arrived
//! early still competes with the second syncs of the laptops served before it. The
//! slowest syncs then took up to twice as long as the burst's average.
//!
//! The gate lets a bounded number of pushes be stored and paged at a time and queues
//! the rest in arrival order (tokio's semaphore is fair), so each sync waits for the
//! pushes that arrived before it and no longer. Pulls and completions do not queue:
//! they finish syncs already admitted. The bound is large enough that the store's
//! writer still groups many pushes into one transaction (at 32 its groups shrank and
//! the database's CPU per sync doubled; `make bench-hub`, docs/BENCHMARKS.md).

use std::sync::Arc;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Pushes stored and paged at the same time by default, per hub process.
pub const DEFAULT_PUSHES_IN_PROGRESS: usize = 128;

/// The hub's push gate (one per process).
#[derive(Clone, Debug)]
pub struct PushGate {
    permits: Arc<Semaphore>,
    bound: usize,
}

impl PushGate {
    /// A gate admitting `bound` pushes at a time (at least one, at most what a
    /// semaphore holds).
    pub fn new(bound: usize) -> Self {
        let bound = bound.clamp(1, Semaphore::MAX_PERMITS);
        PushGate {
            permits: Arc::new(Semaphore::new(bound)),
            bound,
        }
    }

    /// How many pushes it admits at a time.
    pub fn bound(&self) -> usize {
        self.bound
    }

    /// Waits for this push's turn; the push is admitted while the permit lives.
    pub async fn admit(&self) -> SemaphorePermit<'_> {
        // The semaphore is never closed, so acquiring cannot fail.
        self.permits
            .acquire()
            .await
            .expect("the push gate is never closed")
    }

    /// Pushes admitted now (stored or answered).
    pub fn in_progress(&self) -> usize {
        self.bound - self.permits.available_permits()
    }
}

impl Default for PushGate {
    fn default() -> Self {
        PushGate::new(DEFAULT_PUSHES_IN_PROGRESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Pushes beyond the bound are admitted in the order they arrived, each as soon
    /// as the one before it finishes: a burst is served first come, first served.
    /// (One push at a time, so the order they are let in is the order they report; one
    /// thread, so each waiter has queued before the next is spawned, however busy the
    /// machine.)
    #[tokio::test]
    async fn pushes_beyond_the_bound_wait_and_are_admitted_in_arrival_order() {
        let gate = PushGate::new(1);
        let first = gate.admit().await;
        assert_eq!(gate.in_progress(), 1);
        let (order_tx, mut order) = tokio::sync::mpsc::unbounded_channel();
        let mut waiting = Vec::new();
        for n in 0..5 {
            let (gate, order_tx) = (gate.clone(), order_tx.clone());
            waiting.push(tokio::spawn(async move {
                let _turn = gate.admit().await;
                order_tx.send(n).unwrap();
                tokio::time::sleep(Duration::from_millis(2)).await;
            }));
            // Each arrives after the one before it has queued.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(order.try_recv().is_err(), "nobody is admitted past the bound");
        drop(first);
        for w in waiting {
            w.await.unwrap();
        }
        let admitted: Vec<i32> = std::iter::from_fn(|| order.try_recv().ok()).collect();
        assert_eq!(admitted, vec![0, 1, 2, 3, 4]);
        assert_eq!(gate.in_progress(), 0);
    }

    #[test]
    fn a_gate_admits_at_least_one_push() {
        assert_eq!(PushGate::new(0).bound(), 1);
        assert_eq!(PushGate::new(usize::MAX).bound(), Semaphore::MAX_PERMITS);
        assert_eq!(PushGate::default().bound(), DEFAULT_PUSHES_IN_PROGRESS);
    }
}
