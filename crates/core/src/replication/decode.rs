//! Decoding a pulled page on every core. Parsing a change, checking it against its
//! hash and expanding its operations read nothing but its bytes, so the changes of a
//! page are decoded on worker threads; the results come back in page order, and the
//! checks that read the replica (schema, homes, dependencies) stay in hub order on
//! the calling thread. The histories of a merged document's leads are read the same
//! way (reading a document changes nothing).

use automerge::{AutoCommit, Change, ChangeHash, ExpandedChange};

use super::RemoteChange;
use crate::derived::event_map::carried_in;
use crate::error::Result;
use crate::model::Event;

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
    on_every_core(changes, PARALLEL_FROM, |rc| decode(rc))
}

/// The histories of `leads` in the merged document `doc` (a document is only read
/// here, so its leads are read on every core), in their order.
pub(super) fn read_histories(doc: &AutoCommit, leads: &[String]) -> Vec<Result<Option<Vec<Event>>>> {
    on_every_core(leads, 64, |lead| crate::layout::read_events(doc, lead))
}

/// `f` of each item, in order: on every core when there are at least `min` items
/// (the calling thread takes the first share). A panic in `f` is the caller's.
fn on_every_core<T: Sync, R: Send>(items: &[T], min: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    if threads < 2 || items.len() < min {
        return items.iter().map(&f).collect();
    }
    let mut chunks = items.chunks(items.len().div_ceil(threads));
    let first = chunks.next().unwrap_or_default();
    let f = &f;
    std::thread::scope(|s| {
        let helpers: Vec<_> = chunks.map(|chunk| s.spawn(move || chunk.iter().map(f).collect::<Vec<R>>())).collect();
        let mut out: Vec<R> = Vec::with_capacity(items.len());
        out.extend(first.iter().map(f));
        for helper in helpers {
            match helper.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
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
