//! Hostile bytes on the wire: whatever a peer sends, decoding returns a message or a
//! typed `DecodeError` — never a panic, never an allocation sized by an attacker's
//! count. A property test feeds random bytes and mutations of valid messages to every
//! decoder; the files in `tests/corpus/` are inputs kept because they once mattered
//! (crashers found by fuzzing, hand-made bombs) and are replayed on every run.
//! The same decoders are cargo-fuzz targets in `fuzz/` for longer runs with a
//! nightly toolchain.

use leadguard_protocol::*;
use proptest::prelude::*;

/// Decodes `bytes` as every message kind. A decoded message must survive a round
/// trip: encoding it and decoding again gives the same message. (Byte equality is
/// not required: a peer may send a string table with entries no change uses, which
/// the encoder never writes.)
fn decode_all(bytes: &[u8]) {
    if let Ok(m) = PushRequest::decode(bytes) {
        assert_eq!(PushRequest::decode(&m.encode()).as_ref(), Ok(&m), "push request round trip");
    }
    if let Ok(m) = PushResponse::decode(bytes) {
        assert_eq!(PushResponse::decode(&m.encode()).as_ref(), Ok(&m), "push response round trip");
    }
    if let Ok(m) = PullResponse::decode(bytes) {
        assert_eq!(PullResponse::decode(&m.encode()).as_ref(), Ok(&m), "pull response round trip");
    }
    if let Ok(m) = PullResponse::decode_compact(bytes) {
        assert_eq!(PullResponse::decode_compact(&m.encode_compact()).as_ref(), Ok(&m), "compact page round trip");
    }
}

/// Three chained Automerge-like change chunks of one author (compact pages take
/// them apart; their hashes are recomputed).
fn chained_chunks() -> Vec<PulledChange> {
    use sha2::Digest;
    let mut out: Vec<PulledChange> = Vec::new();
    for n in 1..4u8 {
        let mut body = match out.last() {
            Some(prev) => [&[1u8][..], &prev.hash.0].concat(),
            None => vec![0],
        };
        body.extend_from_slice(&[0x02, b'a', b'b', n, n * 2, 0x90 + n, 0x05, 0x61, 0x62]);
        let hashed = [&[0x01, body.len() as u8][..], &body].concat();
        let hash: [u8; 32] = sha2::Sha256::digest(&hashed).into();
        let bytes = [&[0x85, 0x6f, 0x4a, 0x83][..], &hash[..4], &hashed].concat();
        out.push(PulledChange {
            hub_seq: u64::from(n),
            hash: ChangeHash(hash),
            doc_id: "sz/dev1/0".into(),
            scope: "branch:sz".into(),
            device: "dev1".into(),
            received_at: HubTime(1_795_000_000_000),
            device_prev_sync: None,
            bytes,
        });
    }
    out
}

fn valid_messages() -> Vec<Vec<u8>> {
    let change = |n: u8| PulledChange {
        hub_seq: u64::from(n) * 1000,
        hash: ChangeHash([n; 32]),
        doc_id: format!("sz/dev{n}/0"),
        scope: "branch:sz".into(),
        device: format!("dev{n}"),
        received_at: HubTime(1_795_000_000_000 + i64::from(n)),
        device_prev_sync: (n % 2 == 0).then_some(HubTime(1_794_000_000_000)),
        bytes: vec![n; usize::from(n)],
    };
    vec![
        PushRequest {
            changes: (0..3)
                .map(|n| PushChange { doc_id: format!("sz/d/{n}"), scope: "branch:sz".into(), bytes: vec![0x85, n, 0x4a] })
                .collect(),
        }
        .encode(),
        PushResponse {
            acks: (1..4)
                .map(|n| Ack { hash: ChangeHash([n; 32]), hub_seq: u64::from(n), received_at: HubTime(1_795_000_000_000), device_prev_sync: None })
                .collect(),
        }
        .encode(),
        PullResponse { changes: (1..4).map(change).collect(), more: true, next_cursor: 77 }.encode(),
        PullResponse { changes: (1..4).map(change).collect(), more: true, next_cursor: 77 }.encode_compact(),
        PullResponse { changes: chained_chunks(), more: false, next_cursor: 3 }.encode_compact(),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Set { at: usize, byte: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Delete { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..12)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..16).prop_map(|(at, len)| Mutation::Delete { at, len }),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let n = bytes.len().max(1);
        match m {
            Mutation::Flip { at, bit } if !bytes.is_empty() => bytes[at % n] ^= 1 << bit,
            Mutation::Set { at, byte } if !bytes.is_empty() => bytes[at % n] = *byte,
            Mutation::Insert { at, bytes: ins } => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, ins.iter().copied());
            }
            Mutation::Delete { at, len } if !bytes.is_empty() => {
                let at = at % n;
                let end = (at + len).min(bytes.len());
                bytes.drain(at..end);
            }
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&bytes);
        // With a valid header, so the decoders get past the magic.
        for kind in 1u8..=4 {
            let mut framed = vec![0x4c, 0x47, 0x01, kind];
            framed.extend_from_slice(&bytes);
            decode_all(&framed);
        }
    }

    #[test]
    fn mutated_messages_decode_or_fail_cleanly(which in 0usize..5, muts in proptest::collection::vec(mutation(), 1..6)) {
        let base = valid_messages().swap_remove(which);
        decode_all(&apply(base, &muts));
    }
}

#[test]
fn every_valid_message_round_trips() {
    for m in valid_messages() {
        decode_all(&m);
        // Our own encoder's output is canonical: byte-for-byte stable.
        if let Ok(p) = PullResponse::decode(&m) {
            assert_eq!(p.encode(), m);
        }
        if let Ok(p) = PullResponse::decode_compact(&m) {
            assert_eq!(p.encode_compact(), m);
        }
        assert!(
            PushRequest::decode(&m).is_ok()
                || PushResponse::decode(&m).is_ok()
                || PullResponse::decode(&m).is_ok()
                || PullResponse::decode_compact(&m).is_ok()
        );
    }
}

/// Counts that claim billions of items in a few bytes must fail before allocating.
#[test]
fn count_bombs_are_refused_before_allocation() {
    for kind in 1u8..=4 {
        // count = 2^63 (a 10-byte varint), then nothing.
        let mut bomb = vec![0x4c, 0x47, 0x01, kind];
        bomb.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        decode_all(&bomb);
        assert!(
            PushRequest::decode(&bomb).is_err()
                && PushResponse::decode(&bomb).is_err()
                && PullResponse::decode(&bomb).is_err()
                && PullResponse::decode_compact(&bomb).is_err()
        );
    }
}

#[test]
fn the_regression_corpus_decodes_or_fails_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/corpus") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "bin") {
            decode_all(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    let page = PullResponse { changes: chained_chunks(), more: false, next_cursor: 3 };
    assert_eq!(PullResponse::decode_compact(&page.encode_compact()).unwrap(), page);
    assert!(n >= 5, "the corpus lost its files ({n} in {})", dir.display());
}

/// A compact page whose deflate stream is damaged, cut short, or inflates to more
/// than it says is a typed error, whatever the damage.
#[test]
fn a_corrupt_compressed_page_is_a_typed_error() {
    let page = PullResponse {
        changes: (1..40u8)
            .map(|n| PulledChange {
                hub_seq: u64::from(n),
                hash: ChangeHash([n; 32]),
                doc_id: "sz/dev1/0".into(),
                scope: "branch:sz".into(),
                device: "dev1".into(),
                received_at: HubTime(1_795_000_000_000),
                device_prev_sync: None,
                bytes: vec![n; 40],
            })
            .collect(),
        more: false,
        next_cursor: 39,
    };
    let good = page.encode_compact();
    assert_eq!(PullResponse::decode_compact(&good).unwrap(), page);
    let header = 4 + 2; // "LG" 01 04 and a two-byte length
    assert!(matches!(PullResponse::decode_compact(&good[..good.len() - 5]), Err(DecodeError::BadDeflate(_))));
    for at in header..good.len() {
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        decode_all(&bad);
    }
    // The stated length is a bound: inflating past it is refused, not followed.
    let mut short = good.clone();
    short[4] = 0x10;
    short.remove(5);
    assert!(matches!(PullResponse::decode_compact(&short), Err(DecodeError::BadDeflate(_))));
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/corrupt-compact-page.bin");
    let kept = std::fs::read(&corpus).expect("the corrupt page in the corpus");
    assert!(matches!(PullResponse::decode_compact(&kept), Err(DecodeError::BadDeflate(_))));
}
