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

/// An uncompressed Automerge change chunk (magic, checksum, type 1, length, body)
/// with a body that depends on `deps`, and its hash.
fn change_chunk(deps: &[ChangeHash], op: u8) -> (Vec<u8>, ChangeHash) {
    // Actor "actr", seq = start op = `op`, time 1000 + `op` (signed LEB128), one byte of ops.
    use sha2::Digest;
    let mut body = vec![deps.len() as u8];
    for d in deps {
        body.extend_from_slice(&d.0);
    }
    body.extend_from_slice(&[0x04, b'a', b'c', b't', b'r', op, op, 0xe8 + op, 0x07, 0x2a]);
    let mut hashed = vec![0x01, body.len() as u8];
    hashed.extend_from_slice(&body);
    let hash: [u8; 32] = sha2::Sha256::digest(&hashed).into();
    let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83];
    chunk.extend_from_slice(&hash[..4]);
    chunk.extend_from_slice(&hashed);
    (chunk, ChangeHash(hash))
}

/// Two chained changes of one document (the second in differences from the first) and one change that is not a chunk.
fn compact_page() -> PullResponse {
    let (first, h1) = change_chunk(&[], 1);
    let (second, h2) = change_chunk(&[h1, hash(0x22)], 2);
    let change = |hub_seq: u64, hash, bytes| PulledChange {
        hub_seq,
        hash,
        doc_id: "b1/d2/0".into(),
        scope: "branch:b1".into(),
        device: "dev-2".into(),
        received_at: HubTime(1_795_000_000_000 + hub_seq as i64),
        device_prev_sync: (hub_seq == 9).then_some(HubTime(1_794_000_000_000)),
        bytes,
    };
    PullResponse {
        changes: vec![change(7, h1, first), change(8, h2, second), change(9, hash(0x33), vec![0xde, 0xad])],
        more: false,
        next_cursor: 9,
    }
}

/// The compact page's layout before deflate: frozen like the plain messages. (The
/// deflated bytes depend on the compressor's version; what any decoder must read is
/// this layout, and [`COMPACT_PAGE`] below, once written, decodes forever.)
const COMPACT_PAGE_RAW: &str = concat!(
    "030762312f64322f30096272616e63683a6231056465762d3203",
    "070001028ef8b2e5bd680001000102020001000102020180d0dcabb668", // receipts
    "0009", // more, next cursor
    "01000a04616374720101e9072a", // a change chunk: no deps, its body
    "020201002222222222222222222222222222222222222222222222222222222222222222", // deps: 1 back, one literal
    "010102012a", // Δseq, Δstart op, Δtime, the rest
    "00333333333333333333333333333333333333333333333333333333333333333302dead" // verbatim
);
const COMPACT_PAGE: &str = concat!(
    "4c4701049301",
    "78da63664f32d44f31d237e04c2a4acc4bceb04a32644d492dd3356266676064eafbb1e9e9de0c06462093094232365cb8",
    "b37a5b0603272303174b6272491123e34b762da038831201c0c8c8c4a8c5604c0030dd5b0b00528f1e39"
);

fn inflate(compact: &[u8]) -> Vec<u8> {
    use std::io::Read;
    assert_eq!(&compact[..4], b"LG\x01\x04");
    let mut at = 4;
    while compact[at] & 0x80 != 0 {
        at += 1;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&compact[at + 1..]).read_to_end(&mut raw).unwrap();
    raw
}

#[test]
fn compact_page_layout_is_frozen() {
    let compact = compact_page().encode_compact();
    assert_eq!(hex::encode(inflate(&compact)), COMPACT_PAGE_RAW);
    assert_eq!(PullResponse::decode_compact(&compact).unwrap(), compact_page());
    assert_eq!(PullResponse::decode_any(&hex::decode(COMPACT_PAGE).unwrap()).unwrap(), compact_page());
    // The plain page is unchanged beside it, and decode_any reads both.
    assert_eq!(PullResponse::decode_any(&pull_response().encode()).unwrap(), pull_response());
}

/// A push answer carrying a plain first page: the push response and the page, each
/// a whole message of its frozen layout, as `bytes`.
const PUSH_PAGE: &str = concat!(
    "4c4701055c",
    "4c47010202aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01f6f9b2e5bd6800bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbac02f8f9b2e5bd680180efb8e4bd68",
    "54",
    "4c470103030762312f64322f30096272616e63683a6231056465762d320107111111111111111111111111111111111111111111111111111111111111111100010280f8b2e5bd680180d0dcabb66802dead0109",
);

#[test]
fn push_answer_with_page_bytes_are_frozen() {
    let bytes = PushAnswer::encode_with_page(&push_response(), &pull_response(), false);
    assert_eq!(hex::encode(&bytes), PUSH_PAGE);
    // It is the two frozen messages, length-prefixed, after its own header.
    assert!(PUSH_PAGE.contains(PUSH_RESPONSE) && PUSH_PAGE.contains(PULL_RESPONSE));
    let answer = PushAnswer::decode(&bytes).unwrap();
    assert_eq!((answer.push, answer.page), (push_response(), Some(pull_response())));
    // With a compact page, the same page comes back.
    let compact = PushAnswer::encode_with_page(&push_response(), &compact_page(), true);
    assert_eq!(PushAnswer::decode(&compact).unwrap().page, Some(compact_page()));
}

#[test]
fn a_plain_push_response_is_a_push_answer_without_a_page() {
    // What a hub that ignores `leadguard-pull-since` sends: the client pulls separately.
    let answer = PushAnswer::decode(&push_response().encode()).unwrap();
    assert_eq!((answer.push, answer.page), (push_response(), None));
    let full = PushAnswer::encode_with_page(&push_response(), &pull_response(), false);
    for cut in 0..full.len() {
        assert!(PushAnswer::decode(&full[..cut]).is_err(), "cut {cut}");
    }
}
