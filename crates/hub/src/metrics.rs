//! What the hub tells its operators: a Prometheus text endpoint (`GET /metrics`) with
//! request counts and latencies per route, changes pushed and pulled, refusals, and
//! device counts read from the database at each scrape.
//!
//! Labels are bounded by construction (the route *pattern*, the method, the status
//! code), never a device id or a path a client chose, so a hostile client cannot
//! grow the hub's memory through label cardinality.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::error::HubError;
use crate::store::Store;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabels {
    phase: &'static str,
}

/// The parts of a push's time the hub measures apart ([`Metrics::observe_push_phase`]).
#[derive(Clone, Copy, Debug)]
pub enum PushPhase {
    /// Queued for the writer and stored with its group (committed).
    Store,
    /// Its first pull page read after the store (PostgreSQL: waiting for the tail's
    /// refresh included).
    Page,
    /// Waiting for its turn at the push gate ([`crate::admission`]), before the store.
    Turn,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The hub's metrics; one per process, shared by every request.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pushed: Counter,
    pulled: Counter,
    refused: Counter,
    devices: Family<StateLabels, Gauge>,
    changes_stored: Gauge,
    write_groups: Gauge,
    writes_grouped: Gauge,
    write_busy: Gauge<f64, std::sync::atomic::AtomicU64>,
    pushes_redone: Gauge,
    pulls_from_tail: Gauge,
    push_phases: Family<PhaseLabels, Histogram>,
    pushes_waiting: Gauge,
    push_admission_limit: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("leadguard_hub");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let (pushed, pulled, refused) = (Counter::default(), Counter::default(), Counter::default());
        let devices = Family::<StateLabels, Gauge>::default();
        let changes_stored = Gauge::default();
        registry.register("http_requests", "HTTP requests by route pattern, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer a request, by route pattern", latency.clone());
        registry.register("changes_acknowledged", "Changes acknowledged to pushing devices (re-sends included)", pushed.clone());
        registry.register("changes_pulled", "Changes served to pulling devices", pulled.clone());
        registry.register("pushes_refused", "Push batches refused (schema, authorship, scope)", refused.clone());
        registry.register("devices", "Devices by state (enrolled, pending, revoked)", devices.clone());
        registry.register("changes_stored", "Changes in the hub's log (the highest hub_seq)", changes_stored.clone());
        let (write_groups, writes_grouped) = (Gauge::default(), Gauge::default());
        let write_busy = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register("write_groups", "Transactions the hub's writer committed since it started (group commit)", write_groups.clone());
        registry.register("writes_grouped", "Writes (pushes, completions) those transactions held", writes_grouped.clone());
        registry.register("write_busy_seconds", "Time the hub's writer spent from a group's BEGIN to its COMMIT", write_busy.clone());
        let pushes_redone = Gauge::default();
        registry.register(
            "pushes_redone",
            "Pushes the PostgreSQL writer stored one by one after their group's write failed (0 on SQLite)",
            pushes_redone.clone(),
        );
        let pulls_from_tail = Gauge::default();
        registry.register(
            "pulls_from_tail",
            "Pulls served from the feed's tail in memory rather than the database",
            pulls_from_tail.clone(),
        );
        let push_phases = Family::<PhaseLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "push_phase_duration_seconds",
            "Where a push's time goes: turn (waiting at the push gate), store (queued for and inside the write group, to its commit) and page (its first pull page read)",
            push_phases.clone(),
        );
        let (pushes_waiting, push_admission_limit) = (Gauge::default(), Gauge::default());
        registry.register("pushes_waiting", "Pushes waiting for their turn at the push gate now (first come, first served)", pushes_waiting.clone());
        registry.register("push_admission_limit", "Pushes the hub stores and answers at the same time (serve --pushes-in-progress)", push_admission_limit.clone());
        Metrics {
            registry,
            requests,
            latency,
            pushed,
            pulled,
            refused,
            devices,
            changes_stored,
            write_groups,
            writes_grouped,
            write_busy,
            pushes_redone,
            pulls_from_tail,
            push_phases,
            pushes_waiting,
            push_admission_limit,
        }
    }

    pub fn set_push_admission_limit(&self, limit: usize) {
        self.push_admission_limit.set(i64::try_from(limit).unwrap_or(i64::MAX));
    }

    /// Counts a push as waiting at the gate while the guard lives.
    pub fn queued_push(&self) -> QueuedPush<'_> {
        self.pushes_waiting.inc();
        QueuedPush(&self.pushes_waiting)
    }

    pub fn observe_push_phase(&self, phase: PushPhase, seconds: f64) {
        let phase = match phase {
            PushPhase::Store => "store",
            PushPhase::Page => "page",
            PushPhase::Turn => "turn",
        };
        self.push_phases.get_or_create(&PhaseLabels { phase }).observe(seconds);
    }

    pub fn count_pushed(&self, n: usize) {
        self.pushed.inc_by(n as u64);
    }

    pub fn count_pulled(&self, n: usize) {
        self.pulled.inc_by(n as u64);
    }

    pub fn count_refused(&self) {
        self.refused.inc();
    }

    /// The text exposition, with the database-derived gauges read now.
    pub fn render(&self, store: &Store) -> Result<String, HubError> {
        let census = store.census()?;
        for (state, n) in [("enrolled", census.enrolled), ("pending", census.pending), ("revoked", census.revoked)] {
            self.devices.get_or_create(&StateLabels { state }).set(n);
        }
        self.changes_stored.set(census.high_seq);
        let (groups, writes, busy) = crate::store::WRITE_STATS.read();
        self.write_groups.set(groups as i64);
        self.writes_grouped.set(writes as i64);
        self.write_busy.set(busy);
        self.pushes_redone.set(crate::store::pg::pushes_redone() as i64);
        self.pulls_from_tail.set(crate::store::pulls_from_tail() as i64);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .map_err(|e| HubError::Task(format!("encoding metrics: {e}")))?;
        Ok(out)
    }
}

/// A push counted as waiting at the gate (dropped when its turn comes, or when the
/// client gave up and the request was dropped).
pub struct QueuedPush<'a>(&'a Gauge);

impl Drop for QueuedPush<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware: counts and times every request under its route pattern (unmatched
/// paths all count as `unmatched`).
pub async fn track(metrics: axum::Extension<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    metrics.requests.get_or_create(&RequestLabels { route: route.clone(), method, status }).inc();
    metrics.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(elapsed);
    tracing::info!(target: "leadguard_hub::http", route = %route, status, ms = (elapsed * 1000.0).round() as u64, "request");
    response
}
