//! The bench's async laptop: the same requests, headers and bodies as
//! `leadguard_protocol::client::HubClient` (push asking for the first page, pull
//! pages, complete), sent from one small tokio runtime instead of one blocking thread
//! per device handing each request to reqwest's I/O thread. Each simulated device
//! keeps its own credential and data; only the transport's overhead on the bench's
//! side shrinks (the 500 blocking threads took ≈0.4–0.5 ms of CPU per sync on the
//! cores the hub needs).

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use leadguard_protocol::{PullResponse, PushAnswer, PushRequest, PushResponse, SyncComplete};
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};

/// Request bodies from this size go gzipped, as `HubClient` sends them.
const GZIP_FROM_BYTES: usize = 1024;

/// Bytes on the wire, as `HubClient::traffic` counts them.
#[derive(Default)]
pub struct Wire {
    pub sent: AtomicU64,
    pub received: AtomicU64,
}

/// One hub's HTTP client, shared by the simulated devices of that hub.
#[derive(Clone)]
pub struct AsyncHub {
    base: String,
    http: reqwest::Client,
}

#[derive(Debug)]
pub struct Failed(#[allow(dead_code)] pub String);

impl AsyncHub {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("leadguard/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("async HTTP client");
        AsyncHub { base: base.trim_end_matches('/').to_owned(), http }
    }

    fn request(&self, method: reqwest::Method, path: &str, credential: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header(ACCEPT_ENCODING, "gzip")
            .header(AUTHORIZATION, format!("Bearer {credential}"))
    }

    fn body(req: reqwest::RequestBuilder, content_type: &str, body: Vec<u8>, wire: &Wire) -> reqwest::RequestBuilder {
        let req = req.header(CONTENT_TYPE, content_type);
        let (body, gzipped) = gzip_if_large(body);
        wire.sent.fetch_add(body.len() as u64, Ordering::Relaxed);
        if gzipped { req.header(CONTENT_ENCODING, "gzip").body(body) } else { req.body(body) }
    }

    /// Sends; the (inflated) body of a 2xx answer.
    async fn send(req: reqwest::RequestBuilder, wire: &Wire) -> Result<Vec<u8>, Failed> {
        let resp = req.send().await.map_err(|e| Failed(e.to_string()))?;
        let status = resp.status();
        let gzipped = resp.headers().get(CONTENT_ENCODING).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
        let raw = resp.bytes().await.map_err(|e| Failed(e.to_string()))?;
        wire.received.fetch_add(raw.len() as u64, Ordering::Relaxed);
        if !status.is_success() {
            return Err(Failed(format!("{status}: {}", String::from_utf8_lossy(&raw))));
        }
        if gzipped { gunzip(&raw) } else { Ok(raw.to_vec()) }
    }

    /// One sync as a laptop does it; returns the cursor after it, how long the push
    /// took (its answer decoded) and the completion's round trip (the rest being pulls).
    pub async fn sync(&self, credential: &str, batch: &PushRequest, mut cursor: u64, push_page: bool, wire: &Wire) -> Result<(u64, std::time::Duration, std::time::Duration), Failed> {
        let started = std::time::Instant::now();
        let mut push = self.request(reqwest::Method::POST, "/v1/push", credential);
        if push_page {
            push = push
                .header(leadguard_protocol::PULL_SINCE_HEADER, cursor.to_string())
                .header(ACCEPT, leadguard_protocol::PAGE_CONTENT_TYPE);
        }
        let push = Self::body(push, leadguard_protocol::CONTENT_TYPE, batch.encode(), wire);
        let answer = Self::send(push, wire).await?;
        let mut first = if push_page {
            PushAnswer::decode(&answer).map_err(|e| Failed(e.to_string()))?.page
        } else {
            PushResponse::decode(&answer).map_err(|e| Failed(e.to_string()))?;
            None
        };
        let pushed = started.elapsed();
        loop {
            let page = match first.take() {
                Some(page) => page,
                None => {
                    let pull = self
                        .request(reqwest::Method::GET, &format!("/v1/pull?since={cursor}"), credential)
                        .header(ACCEPT, leadguard_protocol::PAGE_CONTENT_TYPE);
                    PullResponse::decode_any(&Self::send(pull, wire).await?).map_err(|e| Failed(e.to_string()))?
                }
            };
            cursor = page.next_cursor;
            if !page.more {
                break;
            }
        }
        let body = serde_json::to_vec(&SyncComplete { cursor }).expect("json");
        let completing = std::time::Instant::now();
        let complete = Self::body(self.request(reqwest::Method::POST, "/v1/sync/complete", credential), "application/json", body, wire);
        let done = Self::send(complete, wire).await?;
        serde_json::from_slice::<leadguard_protocol::SyncCompleted>(&done).map_err(|e| Failed(e.to_string()))?;
        Ok((cursor, pushed, completing.elapsed()))
    }
}

/// A request body as `HubClient` sends it: gzipped from [`GZIP_FROM_BYTES`] (true).
pub fn gzip_if_large(body: Vec<u8>) -> (Vec<u8>, bool) {
    if body.len() < GZIP_FROM_BYTES {
        return (body, false);
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 2 + 64), flate2::Compression::fast());
    enc.write_all(&body).expect("gzip into memory");
    (enc.finish().expect("gzip into memory"), true)
}

/// A gzipped answer's body.
pub fn gunzip(raw: &[u8]) -> Result<Vec<u8>, Failed> {
    let mut out = Vec::with_capacity(raw.len() * 2);
    flate2::read::GzDecoder::new(raw).read_to_end(&mut out).map_err(|e| Failed(e.to_string()))?;
    Ok(out)
}
