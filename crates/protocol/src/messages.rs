//! Binary change messages: push request and acks, pull response.
//!
//! Layouts (primitives in [`crate::codec`]; `strings` is a table of `str`, and a
//! `#str` is a `uvarint` index into it):
//!
//! ```text
//! PushRequest  "LG" 01 01  strings  uvarint n  n × { #str doc_id, #str scope, bytes change }
//! PushResponse "LG" 01 02  uvarint n  n × { hash, uvarint hub_seq, ivarint received_at,
//!                                           option ivarint device_prev_sync }
//! PullResponse "LG" 01 03  strings  uvarint n  n × { uvarint hub_seq, hash, #str doc_id,
//!                          #str scope, #str device, ivarint received_at,
//!                          option ivarint device_prev_sync, bytes change }
//!                          bool more, uvarint next_cursor
//! ```
//!
//! Acks come back in request order, one per pushed change, whether the change was
//! new to the hub or a re-push (then the ack is the original receipt, unchanged).

use crate::codec::{DecodeError, Reader, Writer};
use crate::{HubTime, MAX_PULL_CHANGES, MAX_PUSH_CHANGES};

const KIND_PUSH_REQUEST: u8 = 0x01;
const KIND_PUSH_RESPONSE: u8 = 0x02;
const KIND_PULL_RESPONSE: u8 = 0x03;

/// Most distinct strings (document ids, scopes, devices) in one message.
const MAX_STRINGS: usize = 3 * MAX_PULL_CHANGES;

/// SHA-256 hash identifying an Automerge change (Automerge's own change hash).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChangeHash(pub [u8; 32]);

impl ChangeHash {
    /// Lowercase hex, Automerge's textual form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for ChangeHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChangeHash({})", self.to_hex())
    }
}

impl std::fmt::Display for ChangeHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// One change a device sends: its document, the document's scope, the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushChange {
    pub doc_id: String,
    pub scope: String,
    pub bytes: Vec<u8>,
}

/// `POST /v1/push` body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushRequest {
    pub changes: Vec<PushChange>,
}

/// The hub's receipt for one change: the evidence a claim's window is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    pub hash: ChangeHash,
    pub hub_seq: u64,
    /// Hub time of the first receipt; never changes afterwards.
    pub received_at: HubTime,
    /// The pushing device's last successful sync before that receipt.
    pub device_prev_sync: Option<HubTime>,
}

/// `POST /v1/push` response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushResponse {
    pub acks: Vec<Ack>,
}

/// A change served by pull, with the hub's receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledChange {
    pub hub_seq: u64,
    pub hash: ChangeHash,
    pub doc_id: String,
    pub scope: String,
    /// The device that first pushed the change (authenticated by the hub).
    pub device: String,
    pub received_at: HubTime,
    pub device_prev_sync: Option<HubTime>,
    pub bytes: Vec<u8>,
}

/// `GET /v1/pull` response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PullResponse {
    pub changes: Vec<PulledChange>,
    /// More changes wait after `next_cursor`; pull again with `since=next_cursor`.
    pub more: bool,
    /// The cursor to pull from next (the highest `hub_seq` examined, which may be
    /// beyond the last change returned when later ones were not readable).
    pub next_cursor: u64,
}

/// Interns strings for a message's string table. Fx hashing: a page's strings are
/// few and bounded by its size, so a collision-resistant hasher buys nothing here.
#[derive(Default)]
pub(crate) struct StringTable<'a> {
    index: rustc_hash::FxHashMap<&'a str, u64>,
    list: Vec<&'a str>,
}

impl<'a> StringTable<'a> {
    pub(crate) fn intern(&mut self, s: &'a str) -> u64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u64;
        self.index.insert(s, i);
        self.list.push(s);
        i
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.uvarint(self.list.len() as u64);
        for s in &self.list {
            w.str(s);
        }
    }
}

pub(crate) fn read_strings(r: &mut Reader<'_>) -> Result<Vec<String>, DecodeError> {
    let n = r.count("strings", MAX_STRINGS, 1)?;
    (0..n).map(|_| r.str().map(str::to_owned)).collect()
}

pub(crate) fn lookup(strings: &[String], r: &mut Reader<'_>) -> Result<String, DecodeError> {
    let index = r.uvarint()?;
    strings
        .get(usize::try_from(index).unwrap_or(usize::MAX))
        .cloned()
        .ok_or(DecodeError::BadStringIndex { index, len: strings.len() })
}

impl PushRequest {
    pub fn encode(&self) -> Vec<u8> {
        let mut table = StringTable::default();
        let refs: Vec<(u64, u64)> =
            self.changes.iter().map(|c| (table.intern(&c.doc_id), table.intern(&c.scope))).collect();
        let size: usize = self.changes.iter().map(|c| c.bytes.len() + 8).sum();
        let mut w = Writer::message(KIND_PUSH_REQUEST, size);
        table.write(&mut w);
        w.uvarint(self.changes.len() as u64);
        for (c, (doc, scope)) in self.changes.iter().zip(refs) {
            w.uvarint(doc);
            w.uvarint(scope);
            w.bytes(&c.bytes);
        }
        w.finish()
    }

    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::message(buf, KIND_PUSH_REQUEST)?;
        let strings = read_strings(&mut r)?;
        let n = r.count("changes", MAX_PUSH_CHANGES, 3)?;
        let mut changes = Vec::with_capacity(n);
        for _ in 0..n {
            let doc_id = lookup(&strings, &mut r)?;
            let scope = lookup(&strings, &mut r)?;
            let bytes = r.bytes()?.to_vec();
            changes.push(PushChange { doc_id, scope, bytes });
        }
        r.finish()?;
        Ok(PushRequest { changes })
    }
}

impl PushResponse {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::message(KIND_PUSH_RESPONSE, self.acks.len() * 48);
        w.uvarint(self.acks.len() as u64);
        for a in &self.acks {
            w.raw(&a.hash.0);
            w.uvarint(a.hub_seq);
            w.ivarint(a.received_at.0);
            w.opt_ivarint(a.device_prev_sync.map(|t| t.0));
        }
        w.finish()
    }

    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::message(buf, KIND_PUSH_RESPONSE)?;
        let n = r.count("acks", MAX_PUSH_CHANGES, 35)?;
        let mut acks = Vec::with_capacity(n);
        for _ in 0..n {
            acks.push(Ack {
                hash: ChangeHash(r.array32()?),
                hub_seq: r.uvarint()?,
                received_at: HubTime(r.ivarint()?),
                device_prev_sync: r.opt_ivarint()?.map(HubTime),
            });
        }
        r.finish()?;
        Ok(PushResponse { acks })
    }
}

/// One change of a pull page as the page encoders read it: a [`PulledChange`], or a
/// hub's own record of a stored change, encoded where it lies without copying its bytes
/// and strings into a [`PulledChange`] first (a hub's tail serves each change of a burst
/// on every colleague's page).
pub trait PageEntry {
    fn hub_seq(&self) -> u64;
    fn hash(&self) -> &ChangeHash;
    fn doc_id(&self) -> &str;
    fn scope(&self) -> &str;
    fn device(&self) -> &str;
    fn received_at(&self) -> HubTime;
    fn device_prev_sync(&self) -> Option<HubTime>;
    fn bytes(&self) -> &[u8];
    /// Its compact page form if the holder keeps one ([`crate::page::PageForm`]);
    /// otherwise the encoder works it out.
    fn form(&self) -> Option<&crate::page::PageForm> {
        None
    }
}

impl PageEntry for PulledChange {
    fn hub_seq(&self) -> u64 {
        self.hub_seq
    }
    fn hash(&self) -> &ChangeHash {
        &self.hash
    }
    fn doc_id(&self) -> &str {
        &self.doc_id
    }
    fn scope(&self) -> &str {
        &self.scope
    }
    fn device(&self) -> &str {
        &self.device
    }
    fn received_at(&self) -> HubTime {
        self.received_at
    }
    fn device_prev_sync(&self) -> Option<HubTime> {
        self.device_prev_sync
    }
    fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl<E: PageEntry + ?Sized> PageEntry for std::sync::Arc<E> {
    fn hub_seq(&self) -> u64 {
        (**self).hub_seq()
    }
    fn hash(&self) -> &ChangeHash {
        (**self).hash()
    }
    fn doc_id(&self) -> &str {
        (**self).doc_id()
    }
    fn scope(&self) -> &str {
        (**self).scope()
    }
    fn device(&self) -> &str {
        (**self).device()
    }
    fn received_at(&self) -> HubTime {
        (**self).received_at()
    }
    fn device_prev_sync(&self) -> Option<HubTime> {
        (**self).device_prev_sync()
    }
    fn bytes(&self) -> &[u8] {
        (**self).bytes()
    }
    fn form(&self) -> Option<&crate::page::PageForm> {
        (**self).form()
    }
}

/// Each change's document, scope and device as indexes into one string table (both
/// page forms write them so).
pub(crate) fn interned<E: PageEntry>(changes: &[E]) -> (StringTable<'_>, Vec<(u64, u64, u64)>) {
    let mut table = StringTable::default();
    let refs = changes.iter().map(|c| (table.intern(c.doc_id()), table.intern(c.scope()), table.intern(c.device()))).collect();
    (table, refs)
}

/// The plain form of a pull page of `changes` ([`PullResponse::encode`]).
pub fn encode_plain_page<E: PageEntry>(changes: &[E], more: bool, next_cursor: u64) -> Vec<u8> {
    let (table, refs) = interned(changes);
    let size: usize = changes.iter().map(|c| c.bytes().len() + 56).sum();
    let mut w = Writer::message(KIND_PULL_RESPONSE, size);
    table.write(&mut w);
    w.uvarint(changes.len() as u64);
    for (c, (doc, scope, device)) in changes.iter().zip(refs) {
        w.uvarint(c.hub_seq());
        w.raw(&c.hash().0);
        w.uvarint(doc);
        w.uvarint(scope);
        w.uvarint(device);
        w.ivarint(c.received_at().0);
        w.opt_ivarint(c.device_prev_sync().map(|t| t.0));
        w.bytes(c.bytes());
    }
    w.u8(u8::from(more));
    w.uvarint(next_cursor);
    w.finish()
}

impl PullResponse {
    pub fn encode(&self) -> Vec<u8> {
        encode_plain_page(&self.changes, self.more, self.next_cursor)
    }

    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::message(buf, KIND_PULL_RESPONSE)?;
        let strings = read_strings(&mut r)?;
        let n = r.count("changes", MAX_PULL_CHANGES, 40)?;
        let mut changes = Vec::with_capacity(n);
        for _ in 0..n {
            let hub_seq = r.uvarint()?;
            let hash = ChangeHash(r.array32()?);
            let doc_id = lookup(&strings, &mut r)?;
            let scope = lookup(&strings, &mut r)?;
            let device = lookup(&strings, &mut r)?;
            let received_at = HubTime(r.ivarint()?);
            let device_prev_sync = r.opt_ivarint()?.map(HubTime);
            let bytes = r.bytes()?.to_vec();
            changes.push(PulledChange { hub_seq, hash, doc_id, scope, device, received_at, device_prev_sync, bytes });
        }
        let more = r.bool()?;
        let next_cursor = r.uvarint()?;
        r.finish()?;
        Ok(PullResponse { changes, more, next_cursor })
    }
}
