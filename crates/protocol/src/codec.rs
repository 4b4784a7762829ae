//! Primitive binary encoding of the change messages.
//!
//! Every binary message is `"LG"`, the protocol version byte, a message-kind byte,
//! then the body built from these primitives:
//!
//! | primitive | encoding |
//! |---|---|
//! | `uvarint` | unsigned LEB128, at most 10 bytes, canonical (no padding) |
//! | `ivarint` | zig-zag then `uvarint` (hub times: ms since the epoch) |
//! | `bytes`   | `uvarint` length, then the bytes |
//! | `str`     | `bytes` holding UTF-8 |
//! | `hash`    | 32 raw bytes (SHA-256 of an Automerge change) |
//! | `option`  | `0x00`, or `0x01` then the value |
//!
//! Decoding never trusts a length or count: each is checked against the bytes
//! that remain before anything is allocated, so a hostile 20-byte body cannot make
//! the hub reserve gigabytes.

use thiserror::Error;

/// Why a binary message could not be decoded. Every variant is a client error.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    #[error("message ends early (needed {needed} more bytes at offset {offset})")]
    Truncated { offset: usize, needed: usize },
    #[error("not a Leadguard sync message (bad magic)")]
    BadMagic,
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u8),
    #[error("expected message kind {expected:#04x}, got {got:#04x}")]
    WrongKind { expected: u8, got: u8 },
    #[error("malformed varint at offset {0}")]
    BadVarint(usize),
    #[error("invalid UTF-8 in a string at offset {0}")]
    InvalidUtf8(usize),
    #[error("string index {index} out of range (table has {len})")]
    BadStringIndex { index: u64, len: usize },
    #[error("invalid flag byte {value:#04x} at offset {offset}")]
    BadFlag { offset: usize, value: u8 },
    #[error("{what}: {count} exceeds the limit of {limit}")]
    TooMany { what: &'static str, count: u64, limit: usize },
    #[error("{0} unexpected bytes after the message")]
    TrailingBytes(usize),
    #[error("corrupt compressed page: {0}")]
    BadDeflate(String),
    #[error("change {index} refers to the change {back} places before it, which the page does not hold")]
    BadChangeRef { index: usize, back: u64 },
}

/// Magic bytes opening every binary message.
pub const MAGIC: [u8; 2] = *b"LG";

/// Appends primitives to a byte buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer (no message header) with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Writer { buf: Vec::with_capacity(capacity) }
    }

    /// A writer whose buffer starts with the header of message `kind`.
    pub fn message(kind: u8, capacity: usize) -> Self {
        let mut buf = Vec::with_capacity(capacity + 4);
        buf.extend_from_slice(&MAGIC);
        buf.push(crate::VERSION);
        buf.push(kind);
        Writer { buf }
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn uvarint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(byte);
                return;
            }
            self.buf.push(byte | 0x80);
        }
    }

    pub fn ivarint(&mut self, v: i64) {
        self.uvarint(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.uvarint(b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub fn opt_ivarint(&mut self, v: Option<i64>) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.ivarint(v);
            }
        }
    }

    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads primitives from a byte slice, tracking the offset for error messages.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over bare bytes (no message header).
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Checks the header of message `kind` and returns a reader over its body.
    pub fn message(buf: &'a [u8], kind: u8) -> Result<Self, DecodeError> {
        let mut r = Reader { buf, pos: 0 };
        if r.take(2).map_err(|_| DecodeError::BadMagic)? != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        let version = r.u8()?;
        if version != crate::VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let got = r.u8()?;
        if got != kind {
            return Err(DecodeError::WrongKind { expected: kind, got });
        }
        Ok(r)
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::Truncated { offset: self.pos, needed: n - self.remaining() });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    pub fn uvarint(&mut self) -> Result<u64, DecodeError> {
        let start = self.pos;
        let mut value: u64 = 0;
        for i in 0..10 {
            let byte = self.u8()?;
            let low = u64::from(byte & 0x7f);
            // The tenth byte may only carry the single top bit of a u64.
            if i == 9 && low > 1 {
                return Err(DecodeError::BadVarint(start));
            }
            value |= low << (7 * i);
            if byte & 0x80 == 0 {
                // Canonical form only: a trailing zero byte would give one value two encodings.
                if i > 0 && byte == 0 {
                    return Err(DecodeError::BadVarint(start));
                }
                return Ok(value);
            }
        }
        Err(DecodeError::BadVarint(start))
    }

    pub fn ivarint(&mut self) -> Result<i64, DecodeError> {
        let u = self.uvarint()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// A count of items that each take at least `min_item_bytes`, bounded by
    /// `limit` and by what the remaining bytes could possibly hold.
    pub fn count(&mut self, what: &'static str, limit: usize, min_item_bytes: usize) -> Result<usize, DecodeError> {
        let offset = self.pos;
        let n = self.uvarint()?;
        if n > limit as u64 {
            return Err(DecodeError::TooMany { what, count: n, limit });
        }
        let n = n as usize;
        if n.saturating_mul(min_item_bytes) > self.remaining() {
            return Err(DecodeError::Truncated { offset, needed: n * min_item_bytes - self.remaining() });
        }
        Ok(n)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.uvarint()?;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        self.take(len)
    }

    pub fn str(&mut self) -> Result<&'a str, DecodeError> {
        let offset = self.pos;
        std::str::from_utf8(self.bytes()?).map_err(|_| DecodeError::InvalidUtf8(offset))
    }

    pub fn array32(&mut self) -> Result<[u8; 32], DecodeError> {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.take(32)?);
        Ok(out)
    }

    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        let offset = self.pos;
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(DecodeError::BadFlag { offset, value }),
        }
    }

    pub fn opt_ivarint(&mut self) -> Result<Option<i64>, DecodeError> {
        if self.bool()? {
            Ok(Some(self.ivarint()?))
        } else {
            Ok(None)
        }
    }

    /// Fails unless every byte was consumed.
    pub fn finish(self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip_u(v: u64) -> Vec<u8> {
        let mut w = Writer::default();
        w.uvarint(v);
        let bytes = w.finish();
        let mut r = Reader { buf: &bytes, pos: 0 };
        assert_eq!(r.uvarint().unwrap(), v);
        assert_eq!(r.remaining(), 0);
        bytes
    }

    #[test]
    fn uvarint_is_leb128() {
        assert_eq!(roundtrip_u(0), [0x00]);
        assert_eq!(roundtrip_u(127), [0x7f]);
        assert_eq!(roundtrip_u(128), [0x80, 0x01]);
        assert_eq!(roundtrip_u(300), [0xac, 0x02]);
        assert_eq!(roundtrip_u(u64::MAX).len(), 10);
    }

    #[test]
    fn ivarint_is_zigzag() {
        for (v, enc) in [(0i64, vec![0u8]), (-1, vec![1]), (1, vec![2]), (-64, vec![0x7f]), (64, vec![0x80, 0x01])] {
            let mut w = Writer::default();
            w.ivarint(v);
            let bytes = w.finish();
            assert_eq!(bytes, enc, "{v}");
            assert_eq!(Reader { buf: &bytes, pos: 0 }.ivarint().unwrap(), v);
        }
        for v in [i64::MIN, i64::MAX, 1_795_000_000_123] {
            let mut w = Writer::default();
            w.ivarint(v);
            let bytes = w.finish();
            assert_eq!(Reader { buf: &bytes, pos: 0 }.ivarint().unwrap(), v);
        }
    }

    #[test]
    fn rejects_overlong_and_non_canonical_varints() {
        let eleven = [0xffu8; 11];
        assert_eq!(Reader { buf: &eleven, pos: 0 }.uvarint(), Err(DecodeError::BadVarint(0)));
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(Reader { buf: &overflow, pos: 0 }.uvarint(), Err(DecodeError::BadVarint(0)));
        let padded = [0x80, 0x00];
        assert_eq!(Reader { buf: &padded, pos: 0 }.uvarint(), Err(DecodeError::BadVarint(0)));
    }

    #[test]
    fn huge_counts_fail_before_allocating() {
        let mut w = Writer::default();
        w.uvarint(1_000_000);
        let bytes = w.finish();
        let err = Reader { buf: &bytes, pos: 0 }.count("changes", 10, 1).unwrap_err();
        assert!(matches!(err, DecodeError::TooMany { count: 1_000_000, .. }));
        let err = Reader { buf: &bytes, pos: 0 }.count("changes", 2_000_000, 1).unwrap_err();
        assert!(matches!(err, DecodeError::Truncated { .. }));
    }

    #[test]
    fn header_is_checked() {
        assert_eq!(Reader::message(b"", 1).unwrap_err(), DecodeError::BadMagic);
        assert_eq!(Reader::message(b"{\"a\":1}", 1).unwrap_err(), DecodeError::BadMagic);
        assert_eq!(Reader::message(b"LG\x02\x01", 1).unwrap_err(), DecodeError::UnsupportedVersion(2));
        assert_eq!(Reader::message(b"LG\x01\x02", 1).unwrap_err(), DecodeError::WrongKind { expected: 1, got: 2 });
        assert!(Reader::message(b"LG\x01\x01", 1).is_ok());
    }
}
