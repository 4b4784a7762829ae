//! Fuzzing without nightly: proptest feeds random and mutated change bytes and random
//! event strings through the checks. They must answer (accept or refuse), never panic;
//! whatever is accepted must be accepted again (the check is a pure function).
//! Inputs that once failed go into `corpus/` as regression cases.

mod support;

use leadguard_schema::{check_change, check_decoded, event, DocName};
use proptest::prelude::*;
use support::*;

fn seeds() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "change"))
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    out.sort();
    out
}

/// One of the seed changes with `edits` applied: (position, byte, 0 overwrite · 1 insert · 2 remove).
fn mutated(seed: usize, edits: Vec<(usize, u8, u8)>) -> Vec<u8> {
    let seeds = seeds();
    let mut bytes = seeds[seed % seeds.len()].clone();
    for (at, byte, op) in edits {
        let at = at % (bytes.len() + 1);
        match op {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_changes_never_panic_the_check(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..6)) {
        let bytes = mutated(seed, edits);
        if let Ok(change) = automerge::Change::from_bytes(bytes) {
            for doc in [DOC, OTHER_DOC, "directory/sh"] {
                let first = check_change(doc, &change, &State::with_base(), None);
                prop_assert_eq!(first, check_change(doc, &change, &State::with_base(), None));
            }
        }
    }

    /// Replicas check a pulled page with its changes expanded on worker threads
    /// (`check_decoded`): every mutated change gets the verdict `check_change` gives.
    #[test]
    fn a_change_expanded_beforehand_gets_the_same_verdict(seed in 0usize..64, edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..6)) {
        let bytes = mutated(seed, edits);
        if let Ok(change) = automerge::Change::from_bytes(bytes) {
            if let Ok(expanded) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())) {
                for doc in [DOC, OTHER_DOC, "directory/sh"] {
                    let name = DocName::parse(doc).unwrap();
                    prop_assert_eq!(
                        check_change(doc, &change, &State::with_base(), None),
                        check_decoded(&name, doc, &change, &expanded, &State::with_base(), None)
                    );
                }
            }
        }
    }

    #[test]
    fn random_bytes_never_panic_the_check(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(change) = automerge::Change::from_bytes(bytes) {
            let _ = check_change(DOC, &change, &State::with_base(), None);
        }
    }

    #[test]
    fn random_event_strings_never_panic_the_parser(s in "\\PC{0,64}", json in r#"\{("[a-z_]{1,12}":("[^"\\]{0,8}"|[0-9]{1,3}|null|\[\]|\{\}),?){0,8}\}"#) {
        let _ = event::parse(&s);
        let _ = event::parse(&json);
    }
}
