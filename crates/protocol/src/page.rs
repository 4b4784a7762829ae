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
use crate::messages::{lookup, read_strings, PageEntry};
use crate::{ChangeHash, HubTime, PullResponse, PulledChange, MAX_BODY_BYTES, MAX_PULL_CHANGES};
use flate2::read::ZlibDecoder;
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

thread_local! {
    /// Each thread's deflate streams, one per level, reset for each page: setting one up
    /// (its window and tables) was ≈5% of encoding a routine page.
    static DEFLATERS: std::cell::RefCell<Vec<(u32, flate2::Compress)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Appends `raw` deflated in one zlib stream at `level` to `out`.
fn deflate_into(raw: &[u8], level: flate2::Compression, out: &mut Vec<u8>) {
    DEFLATERS.with(|streams| {
        let mut streams = streams.borrow_mut();
        let at = match streams.iter().position(|(l, _)| *l == level.level()) {
            Some(at) => at,
            None => {
                streams.push((level.level(), flate2::Compress::new(level, true)));
                streams.len() - 1
            }
        };
        let stream = &mut streams[at].1;
        stream.reset();
        loop {
            out.reserve((raw.len() / 2).max(256));
            let consumed = stream.total_in() as usize;
            match stream.compress_vec(&raw[consumed..], out, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) => return,
                Ok(_) => {}
                Err(e) => unreachable!("deflating into memory cannot fail: {e}"),
            }
        }
    })
}

/// One change's form on compact pages, worked out once: whether its bytes split (an
/// uncompressed change chunk that rebuilds to the same bytes and hashes to its hash)
/// and, if so, its dependencies, where the body after them starts and its head.
///
/// Why: [`PullResponse::encode_compact`] works this out for every change of every page,
/// and in a burst each change goes on the page of every colleague who syncs after it
/// (20–25 pages in `make bench-hub`); the hash check and the head's parse were ≈27% of
/// encoding a page. A hub keeps the form beside the change (the PostgreSQL tail does)
/// and hands it to [`encode_compact_page`] through [`PageEntry::form`]: the same bytes,
/// without the repeated SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageForm {
    /// The change it was worked out for: a form is only used for a change with the
    /// same hash and length, so a form handed to the wrong change is ignored, never
    /// misread.
    hash: ChangeHash,
    len: usize,
    split: Option<SplitForm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct SplitForm {
    deps: Vec<[u8; 32]>,
    /// Where the body after the dependencies starts in the change's bytes.
    rest_at: usize,
    /// The head, and where the bytes after it start.
    head: Option<(Head, usize)>,
}

impl PageForm {
    /// The form of the change `bytes` whose hash the hub holds as `hash`.
    pub fn of(bytes: &[u8], hash: &ChangeHash) -> PageForm {
        let split = split_chunk(bytes, hash).map(|chunk| {
            let head = Head::parse(chunk.rest).map(|(h, after)| (h, bytes.len() - after.len()));
            SplitForm { deps: chunk.deps, rest_at: bytes.len() - chunk.rest.len(), head }
        });
        PageForm { hash: *hash, len: bytes.len(), split }
    }

    /// Heap bytes the form holds beyond its own size (for a cache's budget).
    pub fn heap_bytes(&self) -> usize {
        self.split.as_ref().map_or(0, |s| s.deps.capacity() * 32 + s.head.as_ref().map_or(0, |(h, _)| h.actor.capacity()))
    }

    fn fits<E: PageEntry>(&self, change: &E) -> bool {
        self.hash == *change.hash() && self.len == change.bytes().len()
    }
}

impl PullResponse {
    /// The compact form of this page (see the module documentation).
    pub fn encode_compact(&self) -> Vec<u8> {
        encode_compact_page(&self.changes, self.more, self.next_cursor)
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

/// The compact form of a pull page of `changes` ([`PullResponse::encode_compact`]),
/// using the forms the entries keep ([`PageEntry::form`]) and working out the rest.
pub fn encode_compact_page<E: PageEntry>(changes: &[E], more: bool, next_cursor: u64) -> Vec<u8> {
    let worked_out: Vec<Option<PageForm>> = changes
        .iter()
        .map(|c| match c.form() {
            Some(f) if f.fits(c) => None,
            _ => Some(PageForm::of(c.bytes(), c.hash())),
        })
        .collect();
    let forms: Vec<&PageForm> = worked_out
        .iter()
        .zip(changes)
        .map(|(own, c)| own.as_ref().or_else(|| c.form()).expect("a form kept or worked out"))
        .collect();
    let (table, refs) = crate::messages::interned(changes);
    let size: usize = changes.iter().map(|c| c.bytes().len() + 16).sum();
    let mut w = Writer::with_capacity(size);
    table.write(&mut w);
    w.uvarint(changes.len() as u64);
    let (mut seq, mut at) = (0u64, 0i64);
    for (c, (doc, scope, device)) in changes.iter().zip(refs) {
        w.uvarint(c.hub_seq().wrapping_sub(seq));
        w.uvarint(doc);
        w.uvarint(scope);
        w.uvarint(device);
        w.ivarint(c.received_at().0.wrapping_sub(at));
        w.opt_ivarint(c.device_prev_sync().map(|t| t.0));
        (seq, at) = (c.hub_seq(), c.received_at().0);
    }
    w.u8(u8::from(more));
    w.uvarint(next_cursor);
    let mut seen: rustc_hash::FxHashMap<[u8; 32], usize> = rustc_hash::FxHashMap::default();
    seen.reserve(changes.len());
    let mut heads: Vec<Option<&Head>> = Vec::with_capacity(changes.len());
    for (i, (c, form)) in changes.iter().zip(&forms).enumerate() {
        let mut head = None;
        match &form.split {
            Some(split) => {
                let previous = split.deps.first().and_then(|d| seen.get(d)).and_then(|&j| heads[j]);
                let next = split.head.as_ref().zip(previous).filter(|((h, _), p)| h.actor == p.actor);
                w.u8(if next.is_some() { FORM_NEXT } else { FORM_CHUNK });
                w.uvarint(split.deps.len() as u64);
                for d in &split.deps {
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
                        w.bytes(&c.bytes()[*after..]);
                    }
                    None => w.bytes(&c.bytes()[split.rest_at..]),
                }
                head = split.head.as_ref().map(|(h, _)| h);
            }
            None => {
                w.u8(FORM_VERBATIM);
                w.raw(&c.hash().0);
                w.bytes(c.bytes());
            }
        }
        heads.push(head);
        seen.insert(c.hash().0, i);
    }
    let raw = w.finish();
    let mut out = Writer::message(KIND_PULL_PAGE, raw.len() / 3);
    out.uvarint(raw.len() as u64);
    let mut deflated = out.finish();
    deflate_into(&raw, deflate_level(raw.len()), &mut deflated);
    deflated
}

#[cfg(test)]
#[path = "page_tests.rs"]
mod tests;
