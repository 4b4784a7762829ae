//! A history file: every change a laptop wrote, carried by hand to a hub that has
//! never seen them (`leadguard history export` → `leadguard-hub adopt`). It is how a
//! branch that worked on one standalone laptop, or the demo story, starts a hub
//! with its past instead of pushing it through a device whose user did not write it.
//!
//! ```text
//! History  "LGHIST1\n"  n × { u32 little-endian length, PushRequest of that length }
//! ```
//!
//! Each frame is an ordinary [`PushRequest`] of at most [`MAX_PUSH_CHANGES`] changes,
//! so the hub validates an adopted change exactly as a pushed one.

use crate::codec::DecodeError;
use crate::{PushChange, PushRequest, MAX_PUSH_CHANGES};

/// The first bytes of a history file.
pub const HISTORY_MAGIC: &[u8; 8] = b"LGHIST1\n";

/// Encodes `changes`, in order, as a history file.
pub fn encode_history(changes: &[PushChange]) -> Vec<u8> {
    let mut out = HISTORY_MAGIC.to_vec();
    for chunk in changes.chunks(MAX_PUSH_CHANGES) {
        let frame = PushRequest { changes: chunk.to_vec() }.encode();
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    out
}

/// Decodes a history file into its push requests, in order. Any damage — a wrong
/// header, a frame cut short, a malformed request — is an error: a hub adopts a
/// history whole or not at all.
pub fn decode_history(buf: &[u8]) -> Result<Vec<PushRequest>, DecodeError> {
    let rest = buf.strip_prefix(HISTORY_MAGIC.as_slice()).ok_or(DecodeError::BadMagic)?;
    let mut frames = Vec::new();
    let mut offset = HISTORY_MAGIC.len();
    let mut rest = rest;
    while !rest.is_empty() {
        let len_bytes: [u8; 4] = rest
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| DecodeError::Truncated { offset, needed: 4 - rest.len() })?;
        let len = u32::from_le_bytes(len_bytes) as usize;
        let frame = rest
            .get(4..4usize.saturating_add(len))
            .ok_or_else(|| DecodeError::Truncated { offset: offset + 4, needed: (4 + len).saturating_sub(rest.len()) })?;
        frames.push(PushRequest::decode(frame)?);
        rest = &rest[4 + len..];
        offset += 4 + len;
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(i: usize) -> PushChange {
        PushChange { doc_id: format!("shard:d1/{}", i % 3), scope: "branch:east".into(), bytes: vec![i as u8; 5] }
    }

    #[test]
    fn a_history_round_trips_in_frames_of_at_most_one_push() {
        let changes: Vec<_> = (0..MAX_PUSH_CHANGES + 7).map(change).collect();
        let frames = decode_history(&encode_history(&changes)).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].changes.len(), MAX_PUSH_CHANGES);
        let back: Vec<_> = frames.into_iter().flat_map(|f| f.changes).collect();
        assert_eq!(back, changes);
    }

    #[test]
    fn an_empty_history_is_the_header_alone() {
        assert_eq!(encode_history(&[]), HISTORY_MAGIC.to_vec());
        assert!(decode_history(HISTORY_MAGIC).unwrap().is_empty());
    }

    #[test]
    fn a_damaged_history_is_refused_whole() {
        let good = encode_history(&(0..4).map(change).collect::<Vec<_>>());
        assert!(matches!(decode_history(b"LGHIST2\n"), Err(DecodeError::BadMagic)));
        assert!(matches!(decode_history(b"not a history"), Err(DecodeError::BadMagic)));
        for cut in [HISTORY_MAGIC.len() + 2, HISTORY_MAGIC.len() + 6, good.len() - 1] {
            assert!(decode_history(&good[..cut]).is_err(), "cut at {cut} must be refused");
        }
        let mut flipped = good.clone();
        flipped[HISTORY_MAGIC.len() + 4] ^= 0xff; // the push request's own magic
        assert!(decode_history(&flipped).is_err());
    }
}
