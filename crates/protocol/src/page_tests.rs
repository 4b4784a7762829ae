//! Tests of the compact page form (`page.rs`).

use super::*;

/// A change chunk as Automerge writes it, depending on `deps`.
fn chunk(deps: &[[u8; 32]], op: u8) -> (Vec<u8>, ChangeHash) {
    build_chunk(deps, &[0x04, b'a', b'c', b't', b'r', 0x01, op, 0x00])
}

#[test]
fn a_chunk_splits_and_rebuilds_to_the_same_bytes_and_hash() {
    let (bytes, hash) = chunk(&[[7; 32]], 3);
    let split = split_chunk(&bytes, &hash).expect("a change chunk");
    assert_eq!(split.deps, vec![[7; 32]]);
    assert_eq!(build_chunk(&split.deps, split.rest), (bytes.clone(), hash));
    // Any other hash, or a bad checksum, keeps the change verbatim.
    assert!(split_chunk(&bytes, &ChangeHash([1; 32])).is_none());
    let mut bad = bytes.clone();
    bad[4] ^= 1;
    assert!(split_chunk(&bad, &hash).is_none());
}

#[test]
fn a_dependency_inside_the_page_is_a_back_reference() {
    let (first, h1) = chunk(&[], 1);
    let (second, h2) = chunk(&[h1.0], 2);
    let change = |hub_seq, hash, bytes| PulledChange {
        hub_seq,
        hash,
        doc_id: "d".into(),
        scope: "branch:b".into(),
        device: "dev".into(),
        received_at: HubTime(1_795_000_000_000 + hub_seq as i64),
        device_prev_sync: None,
        bytes,
    };
    let page = PullResponse { changes: vec![change(1, h1, first), change(2, h2, second)], more: false, next_cursor: 2 };
    let compact = page.encode_compact();
    assert_eq!(PullResponse::decode_any(&compact).unwrap(), page);
    // Back reference: the second change's record holds no 32-byte hash.
    let mut raw = Vec::new();
    let mut r = Reader::message(&compact, KIND_PULL_PAGE).unwrap();
    r.uvarint().unwrap();
    ZlibDecoder::new(&compact[compact.len() - r.remaining()..]).read_to_end(&mut raw).unwrap();
    assert!(!raw.windows(32).any(|w| w == h1.0), "the first change's hash is not sent");
}

/// A page of `n` changes: chains of two changes by one author, and every fifth
/// change not an Automerge chunk (verbatim).
fn mixed_page(n: u64) -> PullResponse {
    let mut changes = Vec::new();
    let mut previous = None;
    for i in 0..n {
        let (bytes, hash) = if i % 5 == 4 {
            let bytes: Vec<u8> = (0..40u64).map(|j| (i * 13 + j) as u8).collect();
            (bytes, ChangeHash([(i % 251) as u8; 32]))
        } else {
            let deps: Vec<[u8; 32]> = previous.take().into_iter().collect();
            let made = chunk(&deps, (i % 200) as u8);
            previous = (i % 2 == 0).then_some(made.1 .0);
            made
        };
        changes.push(PulledChange {
            hub_seq: i + 1,
            hash,
            doc_id: format!("d{}", i / 2),
            scope: "branch:b".into(),
            device: format!("dev{}", i % 3),
            received_at: HubTime(1_795_000_000_000 + i as i64),
            device_prev_sync: None,
            bytes,
        });
    }
    PullResponse { changes, more: false, next_cursor: n }
}

/// A page entry that keeps a form, as a hub's tail does.
struct Kept {
    change: PulledChange,
    form: Option<PageForm>,
}

impl PageEntry for Kept {
    fn hub_seq(&self) -> u64 {
        self.change.hub_seq
    }
    fn hash(&self) -> &ChangeHash {
        &self.change.hash
    }
    fn doc_id(&self) -> &str {
        &self.change.doc_id
    }
    fn scope(&self) -> &str {
        &self.change.scope
    }
    fn device(&self) -> &str {
        &self.change.device
    }
    fn received_at(&self) -> HubTime {
        self.change.received_at
    }
    fn device_prev_sync(&self) -> Option<HubTime> {
        self.change.device_prev_sync
    }
    fn bytes(&self) -> &[u8] {
        &self.change.bytes
    }
    fn form(&self) -> Option<&PageForm> {
        self.form.as_ref()
    }
}

#[test]
fn a_page_encoded_with_forms_kept_before_is_the_same_page() {
    let page = mixed_page(12);
    let forms: Vec<PageForm> = page.changes.iter().map(|c| PageForm::of(&c.bytes, &c.hash)).collect();
    assert!(forms.iter().any(|f| f.split.is_some()) && forms.iter().any(|f| f.split.is_none()));
    let plain = page.encode_compact();
    let kept = |form: &dyn Fn(usize) -> Option<PageForm>| -> Vec<std::sync::Arc<Kept>> {
        page.changes.iter().enumerate().map(|(i, c)| std::sync::Arc::new(Kept { change: c.clone(), form: form(i) })).collect()
    };
    assert_eq!(encode_compact_page(&kept(&|i| Some(forms[i].clone())), page.more, page.next_cursor), plain);
    // Forms of other changes are not used (worked out again), nor are missing ones.
    let shifted = kept(&|i| Some(forms[(i + 1) % forms.len()].clone()));
    assert_eq!(encode_compact_page(&shifted, page.more, page.next_cursor), plain);
    assert_eq!(encode_compact_page(&kept(&|i| (i < 5).then(|| forms[i].clone())), page.more, page.next_cursor), plain);
    // The plain form reads the entries the same way.
    assert_eq!(crate::encode_plain_page(&kept(&|_| None), page.more, page.next_cursor), page.encode());
    assert_eq!(PullResponse::decode_any(&plain).unwrap(), page);
}

#[test]
fn a_threads_deflate_stream_starts_afresh_for_each_page() {
    let (small, large) = (mixed_page(6), mixed_page(3_000));
    let first = small.encode_compact();
    let big = large.encode_compact();
    assert_eq!(small.encode_compact(), first, "nothing of an earlier page stays in the stream");
    assert_eq!(large.encode_compact(), big);
    assert_eq!(PullResponse::decode_any(&big).unwrap(), large);
    // A fresh thread's stream gives the same bytes.
    let elsewhere = std::thread::spawn(move || small.encode_compact()).join().unwrap();
    assert_eq!(elsewhere, first);
}

#[test]
fn a_routine_page_is_deflated_fast_and_a_catch_up_page_at_the_default_level() {
    // Changes of 400 bytes that are not Automerge chunks travel verbatim: the raw page
    // is about their size (20 changes under the threshold, 400 over it).
    let page = |n: usize| PullResponse {
        changes: (0..n as u64)
            .map(|i| PulledChange {
                hub_seq: i + 1,
                hash: ChangeHash([(i % 251) as u8; 32]),
                doc_id: format!("b/{i}/0"),
                scope: "branch:b".into(),
                device: "dev".into(),
                received_at: HubTime(1_795_000_000_000),
                device_prev_sync: None,
                bytes: (0..400u64).map(|j| (i * 31 + j * 7) as u8).collect(),
            })
            .collect(),
        more: false,
        next_cursor: n as u64,
    };
    // The page's stated raw length, and its zlib header's FLEVEL bits (RFC 1950):
    // 1 for levels 2–5, 2 for the default.
    let deflated = |compact: &[u8]| {
        let mut r = Reader::message(compact, KIND_PULL_PAGE).unwrap();
        let raw_len = r.uvarint().unwrap() as usize;
        (raw_len, compact[compact.len() - r.remaining() + 1] >> 6)
    };
    let (routine, catch_up) = (page(20), page(400));
    let (small, large) = (routine.encode_compact(), catch_up.encode_compact());
    let ((small_raw, small_level), (large_raw, large_level)) = (deflated(&small), deflated(&large));
    assert!(small_raw <= FAST_DEFLATE_UP_TO && large_raw > FAST_DEFLATE_UP_TO, "{small_raw}, {large_raw}");
    assert_eq!((small_level, large_level), (1, 2));
    assert_eq!(PullResponse::decode_any(&small).unwrap(), routine);
    assert_eq!(PullResponse::decode_any(&large).unwrap(), catch_up);
}
