//! A command that prints its report and still fails (a broken audit chain, a doctor
//! that found differences) sets the exit status here instead of calling
//! `process::exit`, so the registry is closed properly first (an exit that skips
//! destructors would look like a crash to the next open).

use std::sync::atomic::{AtomicI32, Ordering};

static STATUS: AtomicI32 = AtomicI32::new(0);

/// The command's output is printed, then the process exits with status 1.
pub fn fail() {
    STATUS.store(1, Ordering::Relaxed);
}

pub fn get() -> i32 {
    STATUS.load(Ordering::Relaxed)
}
