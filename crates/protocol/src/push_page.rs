//! A push answered with the first pull page: one round trip instead of two.
//!
//! A sync used to be push, pull (one or more pages), complete: three requests,
//! each paying HTTP, authentication and thread hand-offs on both sides. A client
//! that wants its first page with the push says so with the request header
//! [`PULL_SINCE_HEADER`] (the cursor it would pull from) and, as for `/v1/pull`,
//! `Accept: application/vnd.leadguard.sync.v1.page` for a compact page. The hub
//! stores the push, then serves the page exactly as `GET /v1/pull?since=` would
//! (same scopes, same limits, same encoding) and answers with both:
//!
//! ```text
//! PushPage "LG" 01 05  bytes push_response  bytes page
//! ```
//!
//! `push_response` is a whole [`PushResponse`] message (kind 02) and `page` a whole
//! pull page, plain (kind 03) or compact (kind 04), so both reuse their frozen
//! layouts. A hub that does not know the header (or has it turned off) answers with
//! a plain [`PushResponse`]; [`PushAnswer::decode`] reads both by the message kind,
//! and the client then pulls its first page separately, as before.

use crate::codec::{DecodeError, Reader, Writer};
use crate::{PullResponse, PushResponse};

/// Request header of `POST /v1/push`: the cursor to serve the first pull page from.
pub const PULL_SINCE_HEADER: &str = "leadguard-pull-since";

/// Media type of a push answer carrying a compact page (deflated already, so the
/// hub does not gzip it again); with a plain page it is the binary [`crate::CONTENT_TYPE`].
pub const PUSH_PAGE_CONTENT_TYPE: &str = "application/vnd.leadguard.sync.v1.push-page";

const KIND_PUSH_PAGE: u8 = 0x05;
const KIND_PUSH_RESPONSE: u8 = 0x02;

/// What `POST /v1/push` answered: the acks, and the first pull page when the
/// client asked for it and the hub serves it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushAnswer {
    pub push: PushResponse,
    pub page: Option<PullResponse>,
}

impl PushAnswer {
    /// The combined message (kind 05), its page compact or plain.
    pub fn encode_with_page(push: &PushResponse, page: &PullResponse, compact: bool) -> Vec<u8> {
        let page = if compact { page.encode_compact() } else { page.encode() };
        Self::encode_parts(&push.encode(), &page)
    }

    /// The combined message from an encoded push response and an encoded page.
    pub fn encode_parts(push: &[u8], page: &[u8]) -> Vec<u8> {
        let mut w = Writer::message(KIND_PUSH_PAGE, push.len() + page.len() + 8);
        w.bytes(push);
        w.bytes(page);
        w.finish()
    }

    /// Reads a push answer of either form, by its message kind: a plain
    /// [`PushResponse`] (no page) or the combined message.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        if buf.get(3) == Some(&KIND_PUSH_RESPONSE) {
            return Ok(PushAnswer { push: PushResponse::decode(buf)?, page: None });
        }
        let mut r = Reader::message(buf, KIND_PUSH_PAGE)?;
        let push = PushResponse::decode(r.bytes()?)?;
        let page = PullResponse::decode_any(r.bytes()?)?;
        r.finish()?;
        Ok(PushAnswer { push, page: Some(page) })
    }
}
