//! Noticing an unclean shutdown, so the doctor can run at the next open.
//!
//! Every process that opens a registry holds a shared lock on `<data>/registry.lock`
//! and makes sure the marker `<data>/registry.open` exists. The last one to close
//! (it can take the lock exclusively) removes the marker. A process that finds the
//! marker while nobody holds the lock knows the previous session ended without
//! closing: killed, crashed, or the machine lost power. The locks are advisory
//! `flock`s; the operating system drops them when a process dies, however it dies.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const LOCK_FILE: &str = "registry.lock";
const MARKER_FILE: &str = "registry.open";

/// Held for as long as a registry is open in this process.
pub struct Session {
    lock: File,
    marker: PathBuf,
}

impl Session {
    /// Joins the registry's session. Returns whether the previous session ended
    /// uncleanly (only the first opener after it can tell).
    pub fn begin(data_dir: &Path) -> Result<(Session, bool)> {
        let io = |e: std::io::Error| Error::Io(std::io::Error::new(e.kind(), format!("{}: {e}", data_dir.join(LOCK_FILE).display())));
        let lock = OpenOptions::new().create(true).truncate(false).write(true).open(data_dir.join(LOCK_FILE)).map_err(io)?;
        let marker = data_dir.join(MARKER_FILE);
        let unclean = match lock.try_lock() {
            Ok(()) => {
                let was_open = marker.exists();
                File::create(&marker).map_err(io)?;
                lock.unlock().map_err(io)?;
                was_open
            }
            // Someone has it open now: their session is not over.
            Err(_) => {
                File::create(&marker).map_err(io)?;
                false
            }
        };
        lock.lock_shared().map_err(io)?;
        Ok((Session { lock, marker }, unclean))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.lock.unlock();
        // Last one out removes the marker; if another process holds the lock it
        // removes it when it closes.
        if self.lock.try_lock().is_ok() {
            let _ = std::fs::remove_file(&self.marker);
            let _ = self.lock.unlock();
        }
    }
}
