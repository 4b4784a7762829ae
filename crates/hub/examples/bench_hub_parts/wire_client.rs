//! The bench's lightest laptop: the same HTTP/1.1 requests as
//! `leadguard_protocol::client::HubClient` (same method, path, headers and bodies:
//! push asking for the first page, pull pages, complete), written by each simulated
//! device's task on its own keep-alive connection and read back with `httparse`.
//!
//! Why: on this machine the simulated laptops share the two cores with the hub under
//! test. Through reqwest (`--clients async`) they spent ≈0.3 ms of CPU per sync —
//! connection pool, dispatch tasks and channels for every request — a fifth of what
//! the whole machine spends per sync, taken from the hub; a real laptop spends it on
//! its own CPU. The hub cannot tell the two apart: it reads the same bytes.

use std::sync::atomic::Ordering;

use leadguard_protocol::{PullResponse, PushAnswer, PushRequest, SyncComplete};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::async_client::{gunzip, gzip_if_large, Failed, Wire};

/// One simulated device's connection to its hub (opened at its first request, as a
/// laptop's is, and again after the hub closed it).
pub struct WireLaptop {
    host: String,
    connection: Option<TcpStream>,
    buf: Vec<u8>,
}

struct Answer {
    status: u16,
    gzipped: bool,
    body: Vec<u8>,
}

impl WireLaptop {
    pub fn new(base: &str) -> Self {
        let host = base.trim_end_matches('/').trim_start_matches("http://").to_owned();
        WireLaptop { host, connection: None, buf: Vec::with_capacity(16 << 10) }
    }

    /// One sync as a laptop does it; returns the cursor after it, how long the push
    /// took (its answer decoded) and the completion's round trip (the rest being pulls).
    pub async fn sync(&mut self, credential: &str, batch: &PushRequest, mut cursor: u64, push_page: bool, wire: &Wire) -> Result<(u64, std::time::Duration, std::time::Duration), Failed> {
        let started = std::time::Instant::now();
        let since = cursor.to_string();
        let headers = [
            ("content-type", leadguard_protocol::CONTENT_TYPE),
            (leadguard_protocol::PULL_SINCE_HEADER, since.as_str()),
            ("accept", leadguard_protocol::PAGE_CONTENT_TYPE),
        ];
        // Without the first page in its answer: a plain push, then pulls.
        let headers = if push_page { &headers[..] } else { &headers[..1] };
        let answer = self.exchange("POST", "/v1/push", credential, headers, batch.encode(), wire).await?;
        let mut first = PushAnswer::decode(&answer).map_err(|e| Failed(e.to_string()))?.page;
        let pushed = started.elapsed();
        loop {
            let page = match first.take() {
                Some(page) => page,
                None => {
                    let path = format!("/v1/pull?since={cursor}");
                    let body = self.exchange("GET", &path, credential, &[("accept", leadguard_protocol::PAGE_CONTENT_TYPE)], Vec::new(), wire).await?;
                    PullResponse::decode_any(&body).map_err(|e| Failed(e.to_string()))?
                }
            };
            cursor = page.next_cursor;
            if !page.more {
                break;
            }
        }
        let body = serde_json::to_vec(&SyncComplete { cursor }).expect("json");
        let completing = std::time::Instant::now();
        let done = self.exchange("POST", "/v1/sync/complete", credential, &[("content-type", "application/json")], body, wire).await?;
        serde_json::from_slice::<leadguard_protocol::SyncCompleted>(&done).map_err(|e| Failed(e.to_string()))?;
        Ok((cursor, pushed, completing.elapsed()))
    }

    /// Sends one request; the (inflated) body of a 2xx answer. A kept-alive connection
    /// the hub has closed meanwhile is opened again once.
    async fn exchange(&mut self, method: &str, path: &str, credential: &str, headers: &[(&str, &str)], body: Vec<u8>, wire: &Wire) -> Result<Vec<u8>, Failed> {
        let (body, gzipped_body) = gzip_if_large(body);
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nuser-agent: leadguard/{}\r\naccept-encoding: gzip\r\nauthorization: Bearer {credential}\r\n",
            self.host,
            env!("CARGO_PKG_VERSION")
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if gzipped_body {
            request.push_str("content-encoding: gzip\r\n");
        }
        if method != "GET" {
            request.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        let mut message = request.into_bytes();
        message.extend_from_slice(&body);
        wire.sent.fetch_add(body.len() as u64, Ordering::Relaxed);
        let reused = self.connection.is_some();
        let answer = match self.round_trip(&message).await {
            Err(_) if reused => {
                self.connection = None;
                self.round_trip(&message).await
            }
            other => other,
        }
        .inspect_err(|_| self.connection = None)?;
        wire.received.fetch_add(answer.body.len() as u64, Ordering::Relaxed);
        if !(200..300).contains(&answer.status) {
            return Err(Failed(format!("{}: {}", answer.status, String::from_utf8_lossy(&answer.body))));
        }
        if answer.gzipped { gunzip(&answer.body) } else { Ok(answer.body) }
    }

    async fn round_trip(&mut self, message: &[u8]) -> Result<Answer, Failed> {
        let io = |e: std::io::Error| Failed(e.to_string());
        if self.connection.is_none() {
            let stream = TcpStream::connect(&self.host).await.map_err(io)?;
            stream.set_nodelay(true).map_err(io)?;
            self.connection = Some(stream);
        }
        let stream = self.connection.as_mut().expect("connected above");
        stream.write_all(message).await.map_err(io)?;
        self.buf.clear();
        // The head: read until httparse has every header.
        let (status, head_len, length, chunked, gzipped, close) = loop {
            fill(stream, &mut self.buf).await?;
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(&self.buf).map_err(|e| Failed(e.to_string()))? {
                httparse::Status::Partial => continue,
                httparse::Status::Complete(head_len) => {
                    let header = |name: &str| response.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value);
                    let length = header("content-length").and_then(|v| std::str::from_utf8(v).ok()).and_then(|v| v.trim().parse::<usize>().ok());
                    let chunked = header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case(b"chunked"));
                    let gzipped = header("content-encoding").is_some_and(|v| v.eq_ignore_ascii_case(b"gzip"));
                    let close = header("connection").is_some_and(|v| v.eq_ignore_ascii_case(b"close"));
                    break (response.code.unwrap_or(0), head_len, length, chunked, gzipped, close);
                }
            }
        };
        let body = if chunked {
            read_chunked(stream, &mut self.buf, head_len).await?
        } else {
            let length = length.ok_or_else(|| Failed("an answer without a length".into()))?;
            while self.buf.len() < head_len + length {
                fill(stream, &mut self.buf).await?;
            }
            self.buf[head_len..head_len + length].to_vec()
        };
        if close {
            self.connection = None;
        }
        Ok(Answer { status, gzipped, body })
    }
}

/// A chunked body (`Transfer-Encoding: chunked`, as the hub streams a gzipped answer).
async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>, mut at: usize) -> Result<Vec<u8>, Failed> {
    let mut body = Vec::new();
    loop {
        // A chunk's size line, then the chunk and its CRLF; the last chunk is size 0.
        let line_end = loop {
            if let Some(i) = buf[at..].windows(2).position(|w| w == b"\r\n") {
                break at + i;
            }
            fill(stream, buf).await?;
        };
        let size_text = std::str::from_utf8(&buf[at..line_end]).map_err(|e| Failed(e.to_string()))?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).map_err(|e| Failed(e.to_string()))?;
        at = line_end + 2;
        while buf.len() < at + size + 2 {
            fill(stream, buf).await?;
        }
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&buf[at..at + size]);
        at += size + 2;
    }
}

/// Reads what the hub sent next onto `buf`; the hub closing the connection is an error.
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), Failed> {
    let mut read = [0u8; 16 << 10];
    let n = stream.read(&mut read).await.map_err(|e| Failed(e.to_string()))?;
    if n == 0 {
        return Err(Failed("the hub closed the connection".into()));
    }
    buf.extend_from_slice(&read[..n]);
    Ok(())
}
