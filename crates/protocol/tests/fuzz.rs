//! Fuzzing the wire codec without nightly: proptest feeds random bytes and mutations
//! of valid messages to every decoder. A decoder answers (a message or an error),
//! never panics, and whatever decodes re-encodes to something that decodes the same.

use leadguard_protocol::{Ack, ChangeHash, HubTime, PullResponse, PulledChange, PushChange, PushRequest, PushResponse};
use proptest::prelude::*;

fn seeds() -> Vec<Vec<u8>> {
    let push = PushRequest {
        changes: vec![
            PushChange { doc_id: "sh/4f1a2b3c4d5e6f70/0".into(), scope: "branch:sh".into(), bytes: vec![1, 2, 3] },
            PushChange { doc_id: "directory/sh".into(), scope: "branch:sh".into(), bytes: vec![] },
        ],
    };
    let ack = PushResponse { acks: vec![Ack { hash: ChangeHash([7; 32]), hub_seq: 300, received_at: HubTime(1_700_000_000_000), device_prev_sync: None }] };
    let pull = PullResponse {
        changes: vec![PulledChange {
            hub_seq: 9,
            hash: ChangeHash([3; 32]),
            doc_id: "华南/d/0".into(),
            scope: "branch:华南".into(),
            device: "dev".into(),
            received_at: HubTime(5),
            device_prev_sync: Some(HubTime(4)),
            bytes: vec![9; 40],
        }],
        next_cursor: 9,
        more: true,
    };
    vec![push.encode(), ack.encode(), pull.encode()]
}

fn decode_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(m) = PushRequest::decode(bytes) {
        prop_assert_eq!(PushRequest::decode(&m.encode()).unwrap(), m);
    }
    if let Ok(m) = PushResponse::decode(bytes) {
        prop_assert_eq!(PushResponse::decode(&m.encode()).unwrap(), m);
    }
    if let Ok(m) = PullResponse::decode(bytes) {
        prop_assert_eq!(PullResponse::decode(&m.encode()).unwrap(), m);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_bytes_never_panic_a_decoder(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes)?;
    }

    #[test]
    fn mutated_messages_never_panic_a_decoder(seed in 0usize..3, edits in prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8)) {
        let mut bytes = seeds()[seed].clone();
        for (at, byte, op) in edits {
            let at = at % (bytes.len() + 1);
            match op {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => { bytes.remove(at); }
                _ => {}
            }
        }
        decode_all(&bytes)?;
    }
}
