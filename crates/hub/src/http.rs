//! HTTP endpoints of protocol v1.
//!
//! | method | path | auth | body |
//! |---|---|---|---|
//! | GET  | `/v1/health` | none | → JSON [`Health`] |
//! | POST | `/v1/enroll` | one-time token in body | JSON → JSON |
//! | GET  | `/v1/me` | bearer credential | → JSON [`WhoAmI`] |
//! | POST | `/v1/push` | bearer credential | binary `PushRequest` → binary `PushResponse`; with header `leadguard-pull-since: N`, the combined `PushAnswer` carrying the first pull page after N (`leadguard_protocol::push_page`) |
//! | GET  | `/v1/pull?since=&limit=&scope=` | bearer credential | → binary `PullResponse`, compact (deflated, `PAGE_CONTENT_TYPE`) when `Accept` names it |
//! | POST | `/v1/sync/complete` | bearer credential | JSON → JSON |
//! | POST | `/v1/keys` | bearer credential | JSON `KeysPush` → `KeysStored` (keys of leads the device registered) |
//! | GET  | `/v1/keys` | bearer credential | → JSON `KeyGrants` (keys of leads its user may see in full; revocations) |
//! | POST | `/v1/check` | distributor's credential | JSON `CheckRequest` → `CheckAnswer` ([`crate::check`]; rate-limited per device, 429) |
//! | POST | `/v1/devices` | manager's credential | JSON `InviteRequest` → `Invitation` ([`crate::admin`]) |
//! | GET  | `/v1/devices` | manager's credential | → JSON `[DeviceInfo]` (the branch's devices) |
//! | POST | `/v1/devices/{id}/revoke` | manager's credential | → JSON `DeviceInfo` |
//! | GET  | `/healthz` | none | → `ok` (200) or 503 when the database does not answer |
//! | GET  | `/metrics` | none | → Prometheus text ([`crate::metrics`]; no customer data) |
//!
//! Bodies may be gzip-compressed (`Content-Encoding`) and responses of 1 KiB and more
//! are compressed when the client accepts it. Authentication is checked before a body is read, and
//! bodies are read through a size limit applied *after* decompression, so neither an
//! anonymous upload nor a gzip bomb costs the hub more than the limit.
//! SQLite and Automerge work runs on the blocking pool, never on the async workers.

use crate::error::HubError;
use crate::metrics::{Metrics, PushPhase};
use crate::scope::{Device, Scope};
use crate::store::Store;
use axum::body::Body;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use leadguard_protocol::{
    EnrollRequest, EnrollResponse, Health, HubTime, PushAnswer, PushRequest, PushResponse, SyncComplete, WhoAmI, MAX_BODY_BYTES,
    MAX_PULL_CHANGES, PAGE_CONTENT_TYPE, PULL_SINCE_HEADER, PUSH_PAGE_CONTENT_TYPE,
};
use std::sync::Arc;
use std::time::Instant;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;

/// Shared state of all handlers.
pub type AppState = Arc<Store>;

/// The hub's router, with its own metrics.
pub fn router(store: AppState) -> Router {
    router_with(store, Arc::new(Metrics::new()))
}

/// The hub's router reporting to `metrics`.
pub fn router_with(store: AppState, metrics: Arc<Metrics>) -> Router {
    router_configured(store, metrics, ServeOptions::default())
}

/// How a hub serves (`leadguard-hub serve`'s options).
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Online checks each distributor device may make per minute.
    pub check_per_minute: u32,
    /// Whether a push answers with the first pull page when asked.
    pub push_pages: PushPages,
    /// Pushes stored and answered at the same time; the rest wait their turn in
    /// arrival order ([`crate::admission`]).
    pub pushes_in_progress: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            check_per_minute: crate::check::DEFAULT_PER_MINUTE,
            push_pages: PushPages::Served,
            pushes_in_progress: crate::admission::DEFAULT_PUSHES_IN_PROGRESS,
        }
    }
}

/// Whether a push answers with the first pull page when the client asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushPages {
    Served,
    /// Ignore the request header, as hubs before it did (`serve --no-push-pages`).
    Ignored,
}

/// The hub's router reporting to `metrics`, serving as `options` say.
pub fn router_configured(store: AppState, metrics: Arc<Metrics>, options: ServeOptions) -> Router {
    let gate = crate::admission::PushGate::new(options.pushes_in_progress);
    metrics.set_push_admission_limit(gate.bound());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(render_metrics))
        .route("/health", get(health))
        .route("/v1/health", get(health))
        .route("/v1/enroll", post(enroll))
        .route("/v1/me", get(me))
        .route("/v1/push", post(push))
        .route("/v1/pull", get(pull))
        .route("/v1/sync/complete", post(complete))
        .route("/v1/keys", post(push_keys).get(pull_keys))
        .route("/v1/check", post(check))
        .route("/v1/devices", post(crate::admin::invite).get(crate::admin::list))
        .route("/v1/devices/{id}/revoke", post(crate::admin::revoke))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(axum::Extension(metrics))
        .layer(axum::Extension(options.push_pages))
        .layer(axum::Extension(gate))
        .layer(axum::Extension(Arc::new(crate::check::CheckLimiter::new(options.check_per_minute))))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new().compress_when(worth_compressing()))
        .with_state(store)
}

/// Which responses the hub gzips: not a compact pull page (deflated already), and
/// nothing under 1 KiB (acks, a completion, an error: setting up a deflate stream
/// costs more CPU than the bytes it saves on a LAN).
fn worth_compressing() -> impl Predicate {
    SizeAbove::new(1024)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::const_new(PAGE_CONTENT_TYPE))
        .and(NotForContentType::const_new(PUSH_PAGE_CONTENT_TYPE))
}

async fn not_found() -> Response {
    let body =
        leadguard_protocol::ErrorBody {
        code: leadguard_protocol::ErrorCode::NotFound,
        message: "no such endpoint".into(),
        reason: None,
    };
    (axum::http::StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// Runs blocking work (SQLite, Automerge) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, HubError> + Send + 'static) -> Result<T, HubError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| HubError::Task(e.to_string()))?
}

/// The authenticated device making a request.
pub struct AuthDevice(pub Device);

impl FromRequestParts<AppState> for AuthDevice {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, store: &AppState) -> Result<Self, Self::Rejection> {
        let credential = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v.len() <= 256)
            .ok_or(HubError::Unauthorized)?;
        // A sync's second request finds its credential verified: no blocking hop.
        if let Some(device) = store.recently_verified(&credential) {
            return Ok(AuthDevice(device));
        }
        let store = store.clone();
        blocking(move || store.authenticate(&credential)).await?.map(AuthDevice).ok_or(HubError::Unauthorized)
    }
}

async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), protocol: leadguard_protocol::VERSION, hub_time: HubTime::now() })
}

/// Liveness and readiness in one: the process answers and its database does.
async fn healthz(State(store): State<AppState>) -> Response {
    match blocking(move || store.ping()).await {
        Ok(()) => "ok\n".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not answer");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn render_metrics(State(store): State<AppState>, axum::Extension(metrics): axum::Extension<Arc<Metrics>>) -> Result<Response, HubError> {
    let text = blocking(move || metrics.render(&store)).await?;
    Ok(([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response())
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, HubError> {
    body.map(|Json(v)| v).map_err(|e| HubError::Malformed(e.body_text()))
}

async fn enroll(
    State(store): State<AppState>,
    body: Result<Json<EnrollRequest>, JsonRejection>,
) -> Result<Json<EnrollResponse>, HubError> {
    let req = json_body(body)?;
    let (device, credential, keys) = blocking(move || {
        let (device, credential) = store.enroll(req.token.trim())?;
        let keys = store.company_keys_for(device.role)?;
        Ok((device, credential, keys))
    })
    .await?;
    Ok(Json(EnrollResponse {
        company_keys: Some(keys.to_text()),
        write_scope: device.write_scope(),
        branches: device.branches.clone(),
        device_id: device.id,
        credential,
        rep: device.rep,
        name: device.name,
        branch: device.branch,
        role: device.role,
        hub_time: HubTime::now(),
    }))
}

async fn me(State(store): State<AppState>, AuthDevice(d): AuthDevice) -> Result<Json<WhoAmI>, HubError> {
    let id = d.id.clone();
    let (last_sync, epoch) = blocking(move || Ok((store.last_sync(&id)?, store.epoch()?))).await?;
    Ok(Json(WhoAmI {
        write_scope: d.write_scope(),
        device_id: d.id,
        rep: d.rep,
        name: d.name,
        branch: d.branch,
        role: d.role,
        last_sync,
        epoch: Some(leadguard_protocol::HubEpoch { id: epoch.id, start_seq: epoch.start_seq }),
    }))
}

fn binary(bytes: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, leadguard_protocol::CONTENT_TYPE)], bytes).into_response()
}

/// Reads a body through the size limit (applied to the decompressed stream).
async fn read_limited(body: Body) -> Result<axum::body::Bytes, HubError> {
    match http_body_util::Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            Err(HubError::TooLarge(format!("request body exceeds {MAX_BODY_BYTES} bytes")))
        }
        Err(e) => Err(HubError::Malformed(format!("unreadable request body: {e}"))),
    }
}

async fn push(
    State(store): State<AppState>,
    axum::Extension(metrics): axum::Extension<Arc<Metrics>>,
    axum::Extension(push_pages): axum::Extension<PushPages>,
    axum::Extension(gate): axum::Extension<crate::admission::PushGate>,
    AuthDevice(device): AuthDevice,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, HubError> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type != leadguard_protocol::CONTENT_TYPE {
        return Err(HubError::UnsupportedMedia(format!(
            "push bodies are {}, not {content_type:?}",
            leadguard_protocol::CONTENT_TYPE
        )));
    }
    let page_since = match push_pages {
        PushPages::Served => pull_since(&headers)?,
        PushPages::Ignored => None,
    };
    let compact = accepts_compact(&headers);
    let bytes = read_limited(body).await?;
    // First come, first served (crate::admission); the turn lasts until the answer is encoded.
    let waiting = Instant::now();
    let _turn = {
        let _queued = metrics.queued_push();
        gate.admit().await
    };
    metrics.observe_push_phase(PushPhase::Turn, waiting.elapsed().as_secs_f64());
    let phases = metrics.clone();
    let (acks, page) = blocking(move || {
        let req = PushRequest::decode(&bytes)?;
        let valid = crate::validate::validate_push(&device, req)?;
        let storing = Instant::now();
        let acks = store.push_checked(&device, &valid)?;
        phases.observe_push_phase(PushPhase::Store, storing.elapsed().as_secs_f64());
        // The first page, served after the push is stored and exactly as `pull` serves it.
        let paging = Instant::now();
        let page = page_since.map(|since| store.pull_page(&device, since, MAX_PULL_CHANGES, None)).transpose()?;
        if page.is_some() {
            phases.observe_push_phase(PushPhase::Page, paging.elapsed().as_secs_f64());
        }
        Ok((acks, page))
    })
    .await
    .inspect_err(|e| {
        if matches!(e, HubError::Refused { .. } | HubError::ScopeForbidden { .. } | HubError::ScopeMismatch { .. } | HubError::InvalidChange(_)) {
            metrics.count_refused();
            tracing::warn!(error = %e, "push refused");
        }
    })?;
    metrics.count_pushed(acks.len());
    let push = PushResponse { acks };
    let Some(page) = page else {
        return Ok(binary(push.encode()));
    };
    metrics.count_pulled(page.len());
    let answer = PushAnswer::encode_parts(&push.encode(), &page.encode(compact));
    if compact {
        return Ok(([(CONTENT_TYPE, PUSH_PAGE_CONTENT_TYPE)], answer).into_response());
    }
    Ok(binary(answer))
}

/// The cursor of the first page a push asks for ([`PULL_SINCE_HEADER`]), if any.
fn pull_since(headers: &HeaderMap) -> Result<Option<u64>, HubError> {
    let Some(value) = headers.get(PULL_SINCE_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| HubError::Malformed(format!("{PULL_SINCE_HEADER} must be a hub sequence number")))
}

/// Whether the client accepts compact pull pages (`Accept` names [`PAGE_CONTENT_TYPE`]).
fn accepts_compact(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|t| t.trim().starts_with(PAGE_CONTENT_TYPE))))
}

#[derive(serde::Deserialize)]
struct PullParams {
    #[serde(default)]
    since: u64,
    limit: Option<usize>,
    scope: Option<String>,
}

async fn pull(
    State(store): State<AppState>,
    axum::Extension(metrics): axum::Extension<Arc<Metrics>>,
    AuthDevice(device): AuthDevice,
    headers: HeaderMap,
    params: Result<Query<PullParams>, QueryRejection>,
) -> Result<Response, HubError> {
    let Query(p) = params.map_err(|e| HubError::Malformed(e.body_text()))?;
    // The page's form is chosen here, above the store, so both backends serve both.
    let compact = accepts_compact(&headers);
    let limit = p.limit.unwrap_or(MAX_PULL_CHANGES).clamp(1, MAX_PULL_CHANGES);
    let encoded = blocking(move || {
        if let Some(s) = &p.scope {
            let scope = Scope::parse(s).ok_or_else(|| HubError::Malformed(format!("{s:?} is not a scope")))?;
            if !device.may_read(&scope) {
                return Err(HubError::ScopeForbidden { scope: s.clone(), access: crate::error::ScopeAccess::Read });
            }
        }
        let page = store.pull_page(&device, p.since, limit, p.scope.as_deref())?;
        Ok((page.len(), page.encode(compact)))
    })
    .await?;
    metrics.count_pulled(encoded.0);
    let encoded = encoded.1;
    if compact {
        return Ok(([(CONTENT_TYPE, PAGE_CONTENT_TYPE)], encoded).into_response());
    }
    Ok(binary(encoded))
}

async fn complete(
    State(store): State<AppState>,
    AuthDevice(device): AuthDevice,
    body: Result<Json<SyncComplete>, JsonRejection>,
) -> Result<Response, HubError> {
    let req = json_body(body)?;
    let done = blocking(move || store.complete_sync(&device, req.cursor)).await?;
    Ok(Json(done).into_response())
}

/// The keys of leads the device registered (docs/VISIBILITY.md).
async fn push_keys(
    State(store): State<AppState>,
    AuthDevice(device): AuthDevice,
    body: Result<Json<leadguard_protocol::KeysPush>, JsonRejection>,
) -> Result<Response, HubError> {
    let req = json_body(body)?;
    let stored = blocking(move || store.store_lead_keys(&device, req.keys, HubTime::now().0)).await?;
    Ok(Json(leadguard_protocol::KeysStored { stored }).into_response())
}

/// Key grants and revocations for the device's user, derived now.
async fn pull_keys(State(store): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Response, HubError> {
    let grants = blocking(move || store.key_grants(&device, chrono::Utc::now())).await?;
    Ok(Json(grants).into_response())
}

/// The distributors' online check ([`crate::check`]): the role and the rate limit are
/// checked before the body is read.
async fn check(
    State(store): State<AppState>,
    axum::Extension(limiter): axum::Extension<Arc<crate::check::CheckLimiter>>,
    AuthDevice(device): AuthDevice,
    body: Result<Json<leadguard_protocol::CheckRequest>, JsonRejection>,
) -> Result<Response, HubError> {
    crate::check::may_check(&device)?;
    limiter.take(&device.id)?;
    let req = json_body(body)?;
    let answer = blocking(move || store.check(&device, &req, chrono::Utc::now())).await?;
    Ok(Json(answer).into_response())
}
