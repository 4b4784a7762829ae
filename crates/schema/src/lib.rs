//! What a device may write, defined once for the hub and every replica.
//!
//! The hub checks each pushed change against these rules (and who pushed it); each
//! replica checks each pulled change again before it touches anything, because a
//! replica must not depend on the hub having been right. Both call the same
//! functions, so they cannot disagree about what is valid.
//!
//! - [`names`]: document ids carry their scope; ids of reps, branches and leads.
//! - [`text`]: field values (no control characters or bidi overrides; lengths).
//! - [`json`]: JSON objects without repeated keys.
//! - [`event`]: the events of a lead's history, their kinds and exact JSON shape.
//! - [`directory`]: entries of the branch directory.
//! - [`case`]: a case's id from its leads, as decisions and appeals name them.
//! - [`change`]: one Automerge change checked against all of the above.
//! - [`Role`]: what a person may do, the one definition the protocol and core use.

pub mod case;
pub mod change;
pub mod directory;
pub mod error;
pub mod event;
pub mod json;
pub mod names;
pub mod role;
pub mod text;
mod timestamp;

pub use change::{check_change, check_decoded, Author, DocState, Effects, NewLead};
pub use error::{Reason, Violation};
pub use event::{EventInfo, MatchData};
pub use names::DocName;
pub use role::{Role, UnknownRole};
