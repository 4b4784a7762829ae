//! A blocking HTTP client for the hub (feature `client`).
//!
//! This is the transport only: one method per endpoint, gzip both ways, typed
//! errors that say whether a retry can help. The sync *engine* (what to push,
//! where to apply what is pulled, progress) lives in `leadguard_core::sync`; the
//! hub's integration tests drive this same client so the transport is tested
//! against the real server.
//!
//! Plain `http://` is accepted only for loopback hubs (tests, `make run`); any
//! other hub must be `https://`, so a credential never crosses a network in clear.
//! Compression is done here rather than by reqwest so [`Traffic`] can count the
//! bytes that really crossed the wire (the sync benchmark reports them).

use crate::control::{
    DeviceInfo, EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, Health, Invitation, InviteRequest, KeyGrants, KeysPush, KeysStored,
    SyncComplete, SyncCompleted, WhoAmI,
};
use crate::{DecodeError, PullResponse, PushAnswer, PushRequest, PushResponse, CONTENT_TYPE, PULL_SINCE_HEADER};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE as CONTENT_TYPE_HEADER};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Request bodies from this size are sent gzipped.
const GZIP_FROM_BYTES: usize = 1024;

/// Why a hub call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The hub answered with an error status and body.
    #[error("hub refused the request ({status} {}): {message}", code.as_str())]
    Hub { status: u16, code: ErrorCode, message: String },
    /// No usable answer: connection refused or cut, timeout, unreadable response.
    #[error("cannot reach the hub: {0}")]
    Transport(String),
    /// The hub answered with bytes this client cannot decode.
    #[error("unexpected response from the hub: {0}")]
    Decode(String),
    /// The hub URL is unusable (not http(s), or plain http to a non-loopback host).
    #[error("{0}")]
    BadUrl(String),
}

impl ClientError {
    /// Whether repeating the same call later may succeed (pushes are idempotent,
    /// so retrying them is always safe).
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Transport(_) => true,
            ClientError::Hub { status, .. } => *status >= 500,
            ClientError::Decode(_) | ClientError::BadUrl(_) => false,
        }
    }

    /// The hub's error code, if the hub answered.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Hub { code, .. } => Some(*code),
            _ => None,
        }
    }
}

impl From<DecodeError> for ClientError {
    fn from(e: DecodeError) -> Self {
        ClientError::Decode(e.to_string())
    }
}

/// Bytes sent and received on the wire (compressed bodies) by one client.
#[derive(Debug, Default)]
pub struct Traffic {
    pub sent: AtomicU64,
    pub received: AtomicU64,
    pub requests: AtomicU64,
}

impl Traffic {
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// A connection to one hub, optionally authenticated as a device.
#[derive(Clone)]
pub struct HubClient {
    base: String,
    http: Client,
    credential: Option<String>,
    traffic: Arc<Traffic>,
    /// Ask for compact pull pages ([`crate::page`]); off only to talk like an old client.
    compact_pages: bool,
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

/// Checks a hub URL: `https://…`, or `http://` on a loopback host. Returns it
/// without a trailing slash.
pub fn check_hub_url(url: &str) -> Result<String, ClientError> {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| ClientError::BadUrl(format!("{url:?} is not a URL (expected https://host[:port])")))?;
    let authority = rest.split('/').next().unwrap_or("");
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    if host.is_empty() {
        return Err(ClientError::BadUrl(format!("{url:?} has no host")));
    }
    match scheme {
        "https" => Ok(url.to_owned()),
        "http" if is_loopback(host) => Ok(url.to_owned()),
        "http" => Err(ClientError::BadUrl(format!(
            "refusing plain http to {host}: use https:// (plain http is only for loopback hubs)"
        ))),
        other => Err(ClientError::BadUrl(format!("unsupported scheme {other:?} (expected https)"))),
    }
}

impl HubClient {
    /// A client for the hub at `base_url` (see [`check_hub_url`]).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let base = check_hub_url(base_url)?;
        let http = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("leadguard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok(HubClient { base, http, credential: None, traffic: Arc::default(), compact_pages: true })
    }

    /// The same hub, authenticated with a device credential.
    pub fn with_credential(mut self, credential: &str) -> Self {
        self.credential = Some(credential.to_owned());
        self
    }

    /// The same hub, pulling plain pages as clients before compact pages did
    /// (tests and the sync benchmark compare the two).
    pub fn with_plain_pages(mut self) -> Self {
        self.compact_pages = false;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Wire traffic of this client and its clones.
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).header(ACCEPT_ENCODING, "gzip");
        if let Some(c) = &self.credential {
            req = req.bearer_auth(c);
        }
        req
    }

    /// The body gzipped, from 1 KiB: below that (a completion, a small push) setting
    /// up deflate on both ends costs more CPU than the bytes save; hubs take both.
    fn gzip_body(&self, req: RequestBuilder, content_type: &str, body: &[u8]) -> Result<RequestBuilder, ClientError> {
        if body.len() < GZIP_FROM_BYTES {
            self.traffic.sent.fetch_add(body.len() as u64, Ordering::Relaxed);
            return Ok(req.header(CONTENT_TYPE_HEADER, content_type).body(body.to_vec()));
        }
        let mut enc = GzEncoder::new(Vec::with_capacity(body.len() / 2 + 64), flate2::Compression::fast());
        enc.write_all(body).map_err(|e| ClientError::Transport(e.to_string()))?;
        let gz = enc.finish().map_err(|e| ClientError::Transport(e.to_string()))?;
        self.traffic.sent.fetch_add(gz.len() as u64, Ordering::Relaxed);
        Ok(req.header(CONTENT_TYPE_HEADER, content_type).header(CONTENT_ENCODING, "gzip").body(gz))
    }

    /// Sends a request; returns the decompressed body of a 2xx answer.
    fn send(&self, req: RequestBuilder) -> Result<Vec<u8>, ClientError> {
        self.traffic.requests.fetch_add(1, Ordering::Relaxed);
        let resp = req.send().map_err(|e| ClientError::Transport(e.to_string()))?;
        let status = resp.status().as_u16();
        let body = self.read_body(resp)?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(e) => {
                // A refused change names its schema reason first: scripts match on it.
                let message = match e.reason {
                    Some(reason) => format!("{reason}: {}", e.message),
                    None => e.message,
                };
                Err(ClientError::Hub { status, code: e.code, message })
            }
            Err(_) => Err(ClientError::Hub {
                status,
                code: fallback_code(status),
                message: String::from_utf8_lossy(&body).chars().take(200).collect(),
            }),
        }
    }

    fn read_body(&self, resp: Response) -> Result<Vec<u8>, ClientError> {
        let gzipped = resp.headers().get(CONTENT_ENCODING).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
        let raw = resp.bytes().map_err(|e| ClientError::Transport(e.to_string()))?;
        self.traffic.received.fetch_add(raw.len() as u64, Ordering::Relaxed);
        if !gzipped {
            return Ok(raw.to_vec());
        }
        let mut out = Vec::with_capacity(raw.len() * 2);
        GzDecoder::new(&raw[..])
            .take(crate::MAX_BODY_BYTES as u64 * 2)
            .read_to_end(&mut out)
            .map_err(|e| ClientError::Decode(format!("bad gzip body: {e}")))?;
        Ok(out)
    }

    fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ClientError> {
        serde_json::from_slice(bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// `GET /v1/health`.
    pub fn health(&self) -> Result<Health, ClientError> {
        Self::json(&self.send(self.request(reqwest::Method::GET, "/v1/health"))?)
    }

    /// `POST /v1/enroll`: spends the one-time token, returns the credential.
    pub fn enroll(&self, token: &str) -> Result<EnrollResponse, ClientError> {
        let body = serde_json::to_vec(&EnrollRequest { token: token.to_owned() })
            .map_err(|e| ClientError::Decode(e.to_string()))?;
        let req = self.gzip_body(self.request(reqwest::Method::POST, "/v1/enroll"), "application/json", &body)?;
        Self::json(&self.send(req)?)
    }

    /// `GET /v1/me`.
    pub fn me(&self) -> Result<WhoAmI, ClientError> {
        Self::json(&self.send(self.request(reqwest::Method::GET, "/v1/me"))?)
    }

    /// `POST /v1/push`: one ack per change, in order. Safe to retry.
    pub fn push(&self, batch: &PushRequest) -> Result<PushResponse, ClientError> {
        let req = self.gzip_body(self.request(reqwest::Method::POST, "/v1/push"), CONTENT_TYPE, &batch.encode())?;
        Ok(PushResponse::decode(&self.send(req)?)?)
    }

    /// `POST /v1/push` asking for the first pull page after `since` in the answer
    /// ([`crate::push_page`]). The page is None from a hub that does not serve it:
    /// pull it separately then. Safe to retry (the push is idempotent, the page read-only).
    pub fn push_with_page(&self, batch: &PushRequest, since: u64) -> Result<PushAnswer, ClientError> {
        let mut req = self.request(reqwest::Method::POST, "/v1/push").header(PULL_SINCE_HEADER, since.to_string());
        if self.compact_pages {
            req = req.header(ACCEPT, crate::PAGE_CONTENT_TYPE);
        }
        let req = self.gzip_body(req, CONTENT_TYPE, &batch.encode())?;
        Ok(PushAnswer::decode(&self.send(req)?)?)
    }

    /// `GET /v1/pull`: readable changes after `since` (the hub caps `limit`).
    pub fn pull(&self, since: u64, limit: Option<usize>) -> Result<PullResponse, ClientError> {
        let mut path = format!("/v1/pull?since={since}");
        if let Some(l) = limit {
            path.push_str(&format!("&limit={l}"));
        }
        self.pull_page(&path)
    }

    /// Sends a pull, asking for a compact page unless told not to; the response's
    /// kind says which form came back (a hub before compact pages sends plain ones).
    fn pull_page(&self, path: &str) -> Result<PullResponse, ClientError> {
        let mut req = self.request(reqwest::Method::GET, path);
        if self.compact_pages {
            req = req.header(ACCEPT, crate::PAGE_CONTENT_TYPE);
        }
        Ok(PullResponse::decode_any(&self.send(req)?)?)
    }

    /// `GET /v1/pull?scope=`: like [`HubClient::pull`] but only one scope, which
    /// the device must be allowed to read (else 403).
    pub fn pull_scope(&self, since: u64, limit: Option<usize>, scope: &str) -> Result<PullResponse, ClientError> {
        let mut path = format!("/v1/pull?since={since}&scope={}", percent_encode(scope));
        if let Some(l) = limit {
            path.push_str(&format!("&limit={l}"));
        }
        self.pull_page(&path)
    }

    /// `POST /v1/sync/complete`: records this sync; its time is the
    /// `device_prev_sync` of the next pushes.
    pub fn complete(&self, cursor: u64) -> Result<SyncCompleted, ClientError> {
        let body = serde_json::to_vec(&SyncComplete { cursor }).map_err(|e| ClientError::Decode(e.to_string()))?;
        let req = self.gzip_body(self.request(reqwest::Method::POST, "/v1/sync/complete"), "application/json", &body)?;
        Self::json(&self.send(req)?)
    }

    /// `POST /v1/keys`: the keys of leads this device registered.
    pub fn push_keys(&self, keys: &KeysPush) -> Result<KeysStored, ClientError> {
        let body = serde_json::to_vec(keys).map_err(|e| ClientError::Decode(e.to_string()))?;
        let req = self.gzip_body(self.request(reqwest::Method::POST, "/v1/keys"), "application/json", &body)?;
        Self::json(&self.send(req)?)
    }

    /// `GET /v1/keys`: lead keys granted to this device's user, and revocations.
    pub fn pull_keys(&self) -> Result<KeyGrants, ClientError> {
        Self::json(&self.send(self.request(reqwest::Method::GET, "/v1/keys"))?)
    }

    /// `POST /v1/check` (distributors): whether a customer matching what was typed is
    /// protected, and until when. Short timeout: a typing warning cannot wait long.
    pub fn check(&self, request: &crate::CheckRequest) -> Result<crate::CheckAnswer, ClientError> {
        let body = serde_json::to_vec(request).map_err(|e| ClientError::Decode(e.to_string()))?;
        let req = self.request(reqwest::Method::POST, "/v1/check").timeout(Duration::from_secs(5));
        let req = self.gzip_body(req, "application/json", &body)?;
        Self::json(&self.send(req)?)
    }
}

impl HubClient {
    /// `POST /v1/devices` (managers): an enrolment token for a new device of the
    /// caller's branch.
    pub fn invite(&self, request: &InviteRequest) -> Result<Invitation, ClientError> {
        let body = serde_json::to_vec(request).map_err(|e| ClientError::Decode(e.to_string()))?;
        let req = self.gzip_body(self.request(reqwest::Method::POST, "/v1/devices"), "application/json", &body)?;
        Self::json(&self.send(req)?)
    }

    /// `GET /v1/devices` (managers): the devices of the caller's branch.
    pub fn devices(&self) -> Result<Vec<DeviceInfo>, ClientError> {
        Self::json(&self.send(self.request(reqwest::Method::GET, "/v1/devices"))?)
    }

    /// `POST /v1/devices/{id}/revoke` (managers): the device's credential stops
    /// working at once.
    pub fn revoke_device(&self, device_id: &str) -> Result<DeviceInfo, ClientError> {
        let path = format!("/v1/devices/{}/revoke", percent_encode(device_id));
        let req = self.gzip_body(self.request(reqwest::Method::POST, &path), "application/json", b"{}")?;
        Self::json(&self.send(req)?)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn fallback_code(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        413 => ErrorCode::TooLarge,
        415 => ErrorCode::UnsupportedMedia,
        429 => ErrorCode::RateLimited,
        400..=499 => ErrorCode::Malformed,
        _ => ErrorCode::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        assert_eq!(check_hub_url("http://127.0.0.1:7878/").unwrap(), "http://127.0.0.1:7878");
        assert!(check_hub_url("http://localhost:1").is_ok());
        assert!(check_hub_url("http://[::1]:1").is_ok());
        assert!(check_hub_url("https://hub.example.com").is_ok());
        for bad in ["http://hub.example.com", "http://10.0.0.2:7878", "ftp://x", "hub.example.com", "https://"] {
            assert!(matches!(check_hub_url(bad), Err(ClientError::BadUrl(_))), "{bad}");
        }
    }

    #[test]
    fn scopes_are_percent_encoded() {
        assert_eq!(percent_encode("branch:华南"), "branch%3A%E5%8D%8E%E5%8D%97");
    }

    #[test]
    fn only_transport_and_server_errors_are_retryable() {
        assert!(ClientError::Transport("reset".into()).is_retryable());
        let hub = |status, code| ClientError::Hub { status, code, message: String::new() };
        assert!(hub(500, ErrorCode::Internal).is_retryable());
        assert!(!hub(401, ErrorCode::Unauthorized).is_retryable());
        assert!(!hub(422, ErrorCode::InvalidChange).is_retryable());
    }
}
