//! The schema check every replica and the hub run on a pulled or pushed change, on
//! arbitrary bytes: whatever decodes as an Automerge change gets an answer (accepted
//! or a typed violation), never a panic, and the same answer twice (the check is a
//! pure function, so every replica decides alike). Seeds: crates/schema/tests/corpus.
#![no_main]

use leadguard_schema::{check_change, Author, DocState, Role};
use libfuzzer_sys::fuzz_target;

/// A registry holding one lead in `sh/dev/0` whose event list is object `1@aa`.
struct OneLead;

impl DocState for OneLead {
    fn lead_home(&self, lead: &str) -> Option<String> {
        (lead == "00000000000000a1").then(|| "sh/dev/0".to_string())
    }
    fn list_owner(&self, obj: &str) -> Option<String> {
        obj.starts_with("1@").then(|| "00000000000000a1".to_string())
    }
    fn entry_name(&self, rep: &str) -> Option<String> {
        (rep == "li.na").then(|| "李娜".to_string())
    }
}

fuzz_target!(
    init: {
        // The check catches a panic inside automerge's `decode` and refuses the change
        // (its first find, kept in crates/schema/tests/corpus/MANIFEST.found). The
        // default hook of libFuzzer would abort at the panic before that catch runs;
        // a panic that escapes this closure still aborts and is reported.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
    let Ok(change) = automerge::Change::from_bytes(data.to_vec()) else { return };
    let rep = Author { rep: "li.na", role: Role::Rep };
    for doc in ["sh/dev/0", "sh/other/0", "directory/sh", "dist:dev/0"] {
        for author in [None, Some(&rep)] {
            let first = check_change(doc, &change, &OneLead, author);
            assert_eq!(first, check_change(doc, &change, &OneLead, author));
        }
    }
});
