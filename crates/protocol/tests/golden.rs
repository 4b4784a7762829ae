//! Golden bytes: the v1 wire format, frozen. If one of these fails, you changed the
//! protocol; deployed hubs and laptops would stop understanding each other. Add a
//! new version instead of editing these expectations.

use leadguard_protocol::*;

fn hash(fill: u8) -> ChangeHash {
    ChangeHash([fill; 32])
}


fn push_request() -> PushRequest {
    PushRequest {
        changes: vec![
            PushChange { doc_id: "b1/d1/0".into(), scope: "branch:b1".into(), bytes: vec![0x85, 0x6f, 0x4a, 0x83] },
            PushChange { doc_id: "b1/d1/0".into(), scope: "branch:b1".into(), bytes: vec![0x01] },
        ],
    }
}

fn push_response() -> PushResponse {
    PushResponse {
        acks: vec![
            Ack { hash: hash(0xaa), hub_seq: 1, received_at: HubTime(1_795_000_000_123), device_prev_sync: None },
            Ack {
                hash: hash(0xbb),
                hub_seq: 300,
                received_at: HubTime(1_795_000_000_124),
                device_prev_sync: Some(HubTime(1_794_999_000_000)),
            },
        ],
    }
}

fn pull_response() -> PullResponse {
    PullResponse {
        changes: vec![PulledChange {
            hub_seq: 7,
            hash: hash(0x11),
            doc_id: "b1/d2/0".into(),
            scope: "branch:b1".into(),
            device: "dev-2".into(),
            received_at: HubTime(1_795_000_000_000),
            device_prev_sync: Some(HubTime(1_794_000_000_000)),
            bytes: vec![0xde, 0xad],
        }],
        more: true,
        next_cursor: 9,
    }
}

const PUSH_REQUEST: &str = "4c470101020762312f64312f30096272616e63683a623102000104856f4a8300010101";
const PUSH_RESPONSE: &str = concat!(
    "4c47010202",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01f6f9b2e5bd6800",
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbac02f8f9b2e5bd680180efb8e4bd68"
);
const PULL_RESPONSE: &str = concat!(
    "4c470103030762312f64322f30096272616e63683a6231056465762d3201",
    "071111111111111111111111111111111111111111111111111111111111111111",
    "00010280f8b2e5bd680180d0dcabb66802dead0109"
);

#[test]
fn push_request_bytes_are_frozen() {
    assert_eq!(hex::encode(push_request().encode()), PUSH_REQUEST);
    assert_eq!(PushRequest::decode(&push_request().encode()).unwrap(), push_request());
}

#[test]
fn push_response_bytes_are_frozen() {
    assert_eq!(hex::encode(push_response().encode()), PUSH_RESPONSE);
    assert_eq!(PushResponse::decode(&push_response().encode()).unwrap(), push_response());
}

#[test]
fn pull_response_bytes_are_frozen() {
    assert_eq!(hex::encode(pull_response().encode()), PULL_RESPONSE);
    assert_eq!(PullResponse::decode(&pull_response().encode()).unwrap(), pull_response());
}

#[test]
fn empty_messages_are_frozen() {
    assert_eq!(hex::encode(PushRequest::default().encode()), "4c4701010000");
    assert_eq!(hex::encode(PullResponse::default().encode()), "4c47010300000000");
}

#[test]
fn decoding_rejects_every_truncation_and_trailing_garbage() {
    for full in [push_request().encode(), pull_response().encode()] {
        for cut in 0..full.len() {
            assert!(PushRequest::decode(&full[..cut]).is_err() && PullResponse::decode(&full[..cut]).is_err(), "cut {cut}");
        }
        let mut longer = full.clone();
        longer.push(0);
        assert!(PushRequest::decode(&longer).is_err() && PullResponse::decode(&longer).is_err());
    }
}

#[test]
fn a_bad_string_index_is_an_error_not_a_panic() {
    // One string, one change referring to string #5.
    let bytes = [0x4c, 0x47, 0x01, 0x01, 0x01, 0x01, b'x', 0x01, 0x05, 0x00, 0x00];
    assert_eq!(PushRequest::decode(&bytes), Err(DecodeError::BadStringIndex { index: 5, len: 1 }));
}
