//! Compact pull pages: a [`PullResponse`] as one deflated bundle.
//!
//! A plain page ([`PullResponse::encode`]) sends every change with its 32-byte hash,
//! and every change carries the 32-byte hash of the change before it in its
//! document as a dependency: 64 random bytes per change that no compression can
//! shrink, most of a week-offline pull. A compact page leaves out what the client
//! can recompute and says the rest once:
//!
//! * an Automerge change chunk travels without its magic, checksum and hash (the
//!   client rebuilds the chunk and hashes it, as Automerge does);
//! * a dependency on a change earlier in the same page is a back reference
//!   ("the change 1 place before") instead of its hash, and a change following
//!   its author's previous change gives its counters and time as differences;
//! * receipts keep one entry per change (hub sequence, hub time, the pushing device
//!   and its previous sync), with sequence and time as deltas from the previous one;
//! * the whole page is deflated in a zlib stream, whose checksum catches damage
//!   (columns of receipts, then the changes).
//!
//! Anything else (a compressed Automerge chunk, bytes the hub's hash does not match)
//! travels verbatim with its hash, so decoding gives back exactly the page the hub
//! read: same bytes, same hashes, same receipts.
//!
//! ```text
//! PullPage "LG" 01 04  uvarint raw_len  zlib(raw)
//!   raw = strings  uvarint n
//!         n × { uvarint Δhub_seq, #str doc_id, #str scope, #str device,
//!               ivarint Δreceived_at, option ivarint device_prev_sync }
//!         bool more, uvarint next_cursor
//!         n × ( 0x00 hash bytes change
//!             | 0x01 deps bytes rest
//!             | 0x02 deps uvarint Δseq, uvarint Δstart_op, ivarint Δtime, bytes after )
//!   deps = uvarint n, n × (0x00 hash | uvarint back)
//! ```
//!
//! `Δ` is the wrapping difference from the previous change (0 before the first), in
//! form 0x02 from the change the first dependency refers to back, whose actor it
//! shares; `rest` is the change chunk's body after its dependencies (actor, seq,
//! start op, time, then the rest, `after`).
//!
//! Clients ask for this form with `Accept: application/vnd.leadguard.sync.v1.page`
//! and read the response's `Content-Type`; without the header a hub answers with
//! the plain page, so old clients keep working.

use crate::codec::{DecodeError, Reader, Writer};
use crate::messages::{lookup, read_strings};
use crate::{ChangeHash, HubTime, PullResponse, PulledChange, MAX_BODY_BYTES, MAX_PULL_CHANGES};
use flate2::read::{ZlibDecoder, ZlibEncoder};
use sha2::{Digest, Sha256};
use std::io::Read;

/// Media type of a compact pull page.
pub const PAGE_CONTENT_TYPE: &str = "application/vnd.leadguard.sync.v1.page";

const KIND_PULL_PAGE: u8 = 0x04;

/// Automerge's chunk magic and the chunk type of an uncompressed change.
const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_CHANGE: u8 = 0x01;

const FORM_VERBATIM: u8 = 0x00;
const FORM_CHUNK: u8 = 0x01;
const FORM_NEXT: u8 = 0x02;

/// Most dependencies of one change in a compact page (a change of a document
/// merged from many devices has one per concurrent head).
const MAX_DEPS: usize = 1_024;

/// A change chunk taken apart: its dependencies and the body after them.
struct Chunk<'a> {
    deps: Vec<[u8; 32]>,
    rest: &'a [u8],
}

/// The start of a change's body after its dependencies: author, counters, time.
/// A change usually follows its author's previous change in the same document,
/// so these travel as differences from that change when it is in the page.
#[derive(Clone, PartialEq, Eq)]
struct Head {
    actor: Vec<u8>,
    seq: u64,
    start_op: u64,
    time: i64,
}

/// Longest actor id taken apart (Automerge's are 16 bytes); longer ones stay in `rest`.
const MAX_ACTOR: usize = 64;

impl Head {
    /// Reads the head at the start of `rest`, if it writes back to the same bytes;
    /// returns it and the bytes after it.
    fn parse(rest: &[u8]) -> Option<(Head, &[u8])> {
        let mut r = Reader::new(rest);
        let actor = r.bytes().ok()?;
        if actor.len() > MAX_ACTOR {
            return None;
        }
        let head = Head { actor: actor.to_vec(), seq: r.uvarint().ok()?, start_op: r.uvarint().ok()?, time: read_sleb(&mut r)? };
        let after = &rest[rest.len() - r.remaining()..];
        let mut w = Writer::default();
        head.write(&mut w);
        (w.finish() == rest[..rest.len() - after.len()]).then_some((head, after))
    }

    fn write(&self, w: &mut Writer) {
        w.bytes(&self.actor);
        w.uvarint(self.seq);
        w.uvarint(self.start_op);
        let mut v = self.time;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0) {
                w.u8(byte);
                return;
            }
            w.u8(byte | 0x80);
        }
    }
}

/// Signed LEB128, as Automerge writes times (non-canonical forms fail the check in [`Head::parse`]).
fn read_sleb(r: &mut Reader<'_>) -> Option<i64> {
    let (mut value, mut shift) = (0i64, 0u32);
    loop {
        let byte = r.u8().ok()?;
        if shift >= 63 && byte & 0x7f > 1 {
            return None;
        }
        value |= i64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            if shift < 64 && byte & 0x40 != 0 {
                value |= -1i64 << shift;
            }
            return Some(value);
        }
        if shift >= 70 {
            return None;
        }
    }
}

/// Splits `bytes` if it is an uncompressed Automerge change chunk that rebuilds to
/// exactly these bytes and hashes to `hash`; `None` sends it verbatim.
fn split_chunk<'a>(bytes: &'a [u8], hash: &ChangeHash) -> Option<Chunk<'a>> {
    if bytes.len() < 10 || bytes[..4] != CHUNK_MAGIC || bytes[8] != CHUNK_CHANGE {
        return None;
    }
    let mut header = Reader::new(&bytes[9..]);
    let len = header.uvarint().ok()?;
    let body = &bytes[bytes.len() - header.remaining()..];
    if len != body.len() as u64 || chunk_hash(body) != hash.0 || bytes[4..8] != hash.0[..4] {
        return None;
    }
    let mut r = Reader::new(body);
    let n = r.count("deps", MAX_DEPS, 32).ok()?;
    let deps = (0..n).map(|_| r.array32()).collect::<Result<Vec<_>, _>>().ok()?;
    let rest = &body[body.len() - r.remaining()..];
    Some(Chunk { deps, rest })
}

/// Automerge's change hash: SHA-256 of the chunk type, the body's length and the body.
fn chunk_hash(body: &[u8]) -> [u8; 32] {
    let mut head = Writer::default();
    head.u8(CHUNK_CHANGE);
    head.uvarint(body.len() as u64);
    let mut h = Sha256::new();
    h.update(head.finish());
    h.update(body);
    h.finalize().into()
}

/// Rebuilds a change chunk from its dependencies and rest; returns it with its hash.
fn build_chunk(deps: &[[u8; 32]], rest: &[u8]) -> (Vec<u8>, ChangeHash) {
    let mut body = Writer::default();
    body.uvarint(deps.len() as u64);
    for d in deps {
        body.raw(d);
    }
    body.raw(rest);
    let body = body.finish();
    let hash = chunk_hash(&body);
    let mut chunk = Writer::default();
    chunk.raw(&CHUNK_MAGIC);
    chunk.raw(&hash[..4]);
    chunk.u8(CHUNK_CHANGE);
    chunk.bytes(&body);
    (chunk.finish(), ChangeHash(hash))
}

/// Raw pages up to this size (a routine sync's: a few colleagues' changes since the
/// last one) are deflated at a fast level; larger ones (a laptop catching up on a
/// week) at the default level.
const FAST_DEFLATE_UP_TO: usize = 64 << 10;

/// How hard a page of `raw_len` bytes is deflated. Deflate was ≈28% of a busy hub's
/// CPU (`make bench-hub`, 500 laptops at once) at the default level (6) for every
/// page. Level 2 takes ≈25% less time on a routine page for ≈5% more bytes; level 1
/// (static Huffman codes) half the time but ≈30–40% more bytes, which undoes much of
/// what the compact form saves (test `an_old_client_gets_plain_pages_and_compact_pages_carry_the_same_changes`).
/// A catch-up page keeps the default, where the bytes are what a slow link waits for
/// (docs/BENCHMARKS.md, "Hub under load"). Either way it is one zlib stream: the
/// reader does not know or care.
fn deflate_level(raw_len: usize) -> flate2::Compression {
    if raw_len <= FAST_DEFLATE_UP_TO { flate2::Compression::new(2) } else { flate2::Compression::default() }
}

impl PullResponse {
    /// The compact form of this page (see the module documentation).
    pub fn encode_compact(&self) -> Vec<u8> {
        let (table, refs) = self.interned();
        let size: usize = self.changes.iter().map(|c| c.bytes.len() + 16).sum();
        let mut w = Writer::with_capacity(size);
        table.write(&mut w);
        w.uvarint(self.changes.len() as u64);
        let (mut seq, mut at) = (0u64, 0i64);
        for (c, (doc, scope, device)) in self.changes.iter().zip(refs) {
            w.uvarint(c.hub_seq.wrapping_sub(seq));
            w.uvarint(doc);
            w.uvarint(scope);
            w.uvarint(device);
            w.ivarint(c.received_at.0.wrapping_sub(at));
            w.opt_ivarint(c.device_prev_sync.map(|t| t.0));
            (seq, at) = (c.hub_seq, c.received_at.0);
        }
        w.u8(u8::from(self.more));
        w.uvarint(self.next_cursor);
        let mut seen: rustc_hash::FxHashMap<[u8; 32], usize> = rustc_hash::FxHashMap::default();
        seen.reserve(self.changes.len());
        let mut heads: Vec<Option<Head>> = Vec::with_capacity(self.changes.len());
        for (i, c) in self.changes.iter().enumerate() {
            let mut head = None;
            match split_chunk(&c.bytes, &c.hash) {
                Some(chunk) => {
                    let parsed = Head::parse(chunk.rest);
                    let previous = chunk.deps.first().and_then(|d| seen.get(d)).and_then(|&j| heads[j].as_ref());
                    let next = parsed.as_ref().zip(previous).filter(|((h, _), p)| h.actor == p.actor);
                    w.u8(if next.is_some() { FORM_NEXT } else { FORM_CHUNK });
                    w.uvarint(chunk.deps.len() as u64);
                    for d in &chunk.deps {
                        match seen.get(d) {
                            Some(&j) => w.uvarint((i - j) as u64),
                            None => {
                                w.u8(0);
                                w.raw(d);
                            }
                        }
                    }
                    match next {
                        Some(((h, after), p)) => {
                            w.uvarint(h.seq.wrapping_sub(p.seq));
                            w.uvarint(h.start_op.wrapping_sub(p.start_op));
                            w.ivarint(h.time.wrapping_sub(p.time));
                            w.bytes(after);
                        }
                        None => w.bytes(chunk.rest),
                    }
                    head = parsed.map(|(h, _)| h);
                }
                None => {
                    w.u8(FORM_VERBATIM);
                    w.raw(&c.hash.0);
                    w.bytes(&c.bytes);
                }
            }
            heads.push(head);
            seen.insert(c.hash.0, i);
        }
        let raw = w.finish();
        let mut out = Writer::message(KIND_PULL_PAGE, raw.len() / 3);
        out.uvarint(raw.len() as u64);
        let mut deflated = out.finish();
        ZlibEncoder::new(&raw[..], deflate_level(raw.len()))
            .read_to_end(&mut deflated)
            .expect("deflating into memory cannot fail");
        deflated
    }

    /// Decodes a compact page. A corrupt deflate stream, a page inflating past its
    /// stated length or the body limit, or a back reference to no earlier change is
    /// a [`DecodeError`], like any other malformed message.
    pub fn decode_compact(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::message(buf, KIND_PULL_PAGE)?;
        let raw_len = r.uvarint()?;
        if raw_len > MAX_BODY_BYTES as u64 {
            return Err(DecodeError::TooMany { what: "inflated page bytes", count: raw_len, limit: MAX_BODY_BYTES });
        }
        let deflated = &buf[buf.len() - r.remaining()..];
        let mut raw = Vec::with_capacity(raw_len as usize);
        ZlibDecoder::new(deflated)
            .take(raw_len + 1)
            .read_to_end(&mut raw)
            .map_err(|e| DecodeError::BadDeflate(e.to_string()))?;
        if raw.len() as u64 != raw_len {
            return Err(DecodeError::BadDeflate(format!("inflated to {} bytes, the page says {raw_len}", raw.len())));
        }
        let mut r = Reader::new(&raw);
        let strings = read_strings(&mut r)?;
        let n = r.count("changes", MAX_PULL_CHANGES, 6)?;
        let mut changes = Vec::with_capacity(n);
        let (mut seq, mut at) = (0u64, 0i64);
        for _ in 0..n {
            seq = seq.wrapping_add(r.uvarint()?);
            let doc_id = lookup(&strings, &mut r)?;
            let scope = lookup(&strings, &mut r)?;
            let device = lookup(&strings, &mut r)?;
            at = at.wrapping_add(r.ivarint()?);
            let device_prev_sync = r.opt_ivarint()?.map(HubTime);
            let received_at = HubTime(at);
            changes.push(PulledChange {
                hub_seq: seq,
                hash: ChangeHash([0; 32]),
                doc_id,
                scope,
                device,
                received_at,
                device_prev_sync,
                bytes: Vec::new(),
            });
        }
        let more = r.bool()?;
        let next_cursor = r.uvarint()?;
        let mut heads: Vec<Option<Head>> = Vec::with_capacity(n);
        for i in 0..n {
            let offset = raw.len() - r.remaining();
            let form = r.u8()?;
            if form == FORM_VERBATIM {
                changes[i].hash = ChangeHash(r.array32()?);
                changes[i].bytes = r.bytes()?.to_vec();
                heads.push(None);
                continue;
            }
            if form != FORM_CHUNK && form != FORM_NEXT {
                return Err(DecodeError::BadFlag { offset, value: form });
            }
            let deps_count = r.count("deps", MAX_DEPS, 1)?;
            let mut deps = Vec::with_capacity(deps_count);
            let mut first_back = None;
            for _ in 0..deps_count {
                let back = r.uvarint()?;
                if back == 0 {
                    deps.push(r.array32()?);
                } else if back <= i as u64 {
                    deps.push(changes[i - back as usize].hash.0);
                } else {
                    return Err(DecodeError::BadChangeRef { index: i, back });
                }
                first_back.get_or_insert(back);
            }
            let (bytes, hash, head) = if form == FORM_CHUNK {
                let rest = r.bytes()?;
                let (bytes, hash) = build_chunk(&deps, rest);
                (bytes, hash, Head::parse(rest).map(|(h, _)| h))
            } else {
                let back = first_back.unwrap_or(0);
                let previous = back.checked_sub(1).and_then(|_| heads[i - back as usize].as_ref());
                let previous = previous.ok_or(DecodeError::BadChangeRef { index: i, back })?;
                let head = Head {
                    actor: previous.actor.clone(),
                    seq: previous.seq.wrapping_add(r.uvarint()?),
                    start_op: previous.start_op.wrapping_add(r.uvarint()?),
                    time: previous.time.wrapping_add(r.ivarint()?),
                };
                let mut rest = Writer::default();
                head.write(&mut rest);
                rest.raw(r.bytes()?);
                let (bytes, hash) = build_chunk(&deps, &rest.finish());
                (bytes, hash, Some(head))
            };
            changes[i].bytes = bytes;
            changes[i].hash = hash;
            heads.push(head);
        }
        r.finish()?;
        Ok(PullResponse { changes, more, next_cursor })
    }

    /// Decodes a pull response of either form, by its message kind.
    pub fn decode_any(buf: &[u8]) -> Result<Self, DecodeError> {
        match buf.get(3) {
            Some(&KIND_PULL_PAGE) => Self::decode_compact(buf),
            _ => Self::decode(buf),
        }
    }
}

#[cfg(test)]
mod tests {
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
}
