//! Decoding a pulled page on every core. Parsing a change, checking it against its
//! hash and expanding its operations read nothing but its bytes, so the changes of a
//! page are decoded on worker threads; the results come back in page order, and the
//! checks that read the replica (schema, homes, dependencies) stay in hub order on
//! the calling thread.

use automerge::{Change, ChangeHash, ExpandedChange};

use super::RemoteChange;
use crate::derived::event_map::carried_in;

/// A pulled change that decoded and matches its hash.
pub(super) struct Decoded {
    pub change: Change,
    /// Its operations, for the schema check; `None` if expanding them panicked (the
    /// check then refuses the change as undecodable, as it would have).
    pub expanded: Option<ExpandedChange>,
    /// The ids of the events it inserts (`carried_events`).
    pub events: Vec<String>,
}

/// What decoding one pulled change gave.
pub(super) enum Decoding {
    Ok(Box<Decoded>),
    /// It decodes, but not to the hash it was pulled under.
    WrongHash,
    /// It does not decode (why).
    Bad(String),
}

/// Below this many changes one thread decodes them (spawning costs more).
const PARALLEL_FROM: usize = 256;

/// Decodes `changes`, in their order.
pub(super) fn decode_all(changes: &[&RemoteChange]) -> Vec<Decoding> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    if threads < 2 || changes.len() < PARALLEL_FROM {
        return changes.iter().map(|rc| decode(rc)).collect();
    }
    let per_thread = changes.len().div_ceil(threads);
    let mut chunks = changes.chunks(per_thread);
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|s| {
        let helpers: Vec<_> =
            chunks.map(|chunk| (chunk, s.spawn(move || chunk.iter().map(|rc| decode(rc)).collect::<Vec<_>>()))).collect();
        // This thread decodes the first part meanwhile.
        let mut out: Vec<Decoding> = Vec::with_capacity(changes.len());
        out.extend(first.iter().map(|rc| decode(rc)));
        // A helper that panicked (a bug in a decoder) leaves its changes undecoded:
        // they are refused, never merged half-checked.
        for (chunk, helper) in helpers {
            match helper.join() {
                Ok(part) => out.extend(part),
                Err(_) => out.extend(chunk.iter().map(|_| Decoding::Bad("decoding the change failed".into()))),
            }
        }
        out
    })
}

fn decode(rc: &RemoteChange) -> Decoding {
    // Bytes that make the parser panic are refused like bytes it rejects (on every
    // thread alike), never a crash.
    let Ok(parsed) = std::panic::catch_unwind(|| Change::from_bytes(rc.bytes.clone())) else {
        return Decoding::Bad("the parser failed on these bytes".into());
    };
    match parsed {
        Ok(change) if change.hash() == ChangeHash(rc.hash) => {
            // decode() expects a validated change (it is); a panic in it must still
            // not abort a merge.
            let expanded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())).ok();
            let events = expanded.as_ref().map(carried_in).unwrap_or_default();
            Decoding::Ok(Box::new(Decoded { change, expanded, events }))
        }
        Ok(_) => Decoding::WrongHash,
        Err(e) => Decoding::Bad(e.to_string()),
    }
}
