//! Time spent per phase of a merge or rebuild, for `make bench-collisions`: off unless
//! a harness turns it on, so the write paths pay one atomic load per phase.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ON: AtomicBool = AtomicBool::new(false);
static TOTALS: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

/// Starts (or stops) adding up phase times, and forgets those added so far.
pub fn enable(on: bool) {
    ON.store(on, Ordering::Relaxed);
    take();
}

/// The time added up per phase, in the order phases first ran; resets them.
pub fn take() -> Vec<(&'static str, Duration)> {
    std::mem::take(&mut *TOTALS.lock().unwrap_or_else(|e| e.into_inner()))
}

/// A running phase: its time is added when it is dropped (when timing is on).
pub(crate) struct Phase {
    name: &'static str,
    started: Option<Instant>,
}

/// Times the scope that holds the returned guard under `name`.
pub(crate) fn phase(name: &'static str) -> Phase {
    Phase { name, started: ON.load(Ordering::Relaxed).then(Instant::now) }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(started) = self.started {
            let spent = started.elapsed();
            let mut totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
            match totals.iter_mut().find(|(n, _)| *n == self.name) {
                Some((_, d)) => *d += spent,
                None => totals.push((self.name, spent)),
            }
        }
    }
}

/// Runs `f`, timed under `name`.
pub(crate) fn time<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    let _t = phase(name);
    f()
}
