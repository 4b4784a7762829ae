//! A distributor's online check (docs/VISIBILITY.md, rule 15): its laptop holds
//! nothing of other parties' customers, so the typing warning, `leadguard check` and
//! the report form ask the hub (`POST /v1/check`) whether a customer like the one
//! typed is protected. What leaves the laptop is match data only — the company's
//! match key, the masked phone, keyed digests of phone and e-mail — and the hub
//! answers only "protected until …" or "free". Offline (or rate-limited), the
//! answer says it could not check; the local check of the distributor's own reports
//! stands either way.

use chrono::{DateTime, Utc};
use leadguard_dedup::{normalize_company, normalize_phone};
use leadguard_protocol::client::{ClientError, HubClient};
use leadguard_protocol::{CheckAnswer, CheckRequest, ErrorCode};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{LeadFields, Role};
use crate::registry::Registry;

/// What the hub said of the typed customer, for a distributor's laptop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OnlineCheck {
    /// Someone else protects a matching customer until `until` (none: bound by a deal).
    Protected { until: Option<DateTime<Utc>> },
    /// Nobody protects a matching customer.
    Free,
    /// The hub could not be asked (offline, not enrolled, an older hub): not checked.
    Offline { detail: String },
    /// Too many checks just now: the hub asks to wait (稍后再试).
    RateLimited,
}

/// The match data of typed fields, or None when there is nothing to compare.
pub(crate) fn request_of(reg: &mut Registry, f: &LeadFields) -> crate::Result<Option<CheckRequest>> {
    let region = f.region.clone().unwrap_or_default();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let company_key = text(&f.company).map(|c| normalize_company(&c, &region).core).filter(|k| !k.is_empty());
    let phone = text(&f.phone);
    // The visible digits of a full or an already masked mobile number.
    let phone_masked = phone.as_deref().and_then(|p| normalize_phone(p, &region).visible_key());
    let (mut phone_digest, mut email_digest) = (None, None);
    if let Some(d) = reg.digests()? {
        phone_digest = phone.as_deref().and_then(|p| d.phone(p, &region));
        email_digest = text(&f.email).and_then(|e| d.email(&e));
    }
    let req = CheckRequest { company_key, phone_masked, phone_digest, email_digest, contact_digest: None };
    Ok((req != CheckRequest::default()).then_some(req))
}

/// What to ask the hub, when this laptop is a distributor's (None otherwise, or when
/// nothing was typed to compare): the request and a client, or why it cannot ask.
pub(crate) fn prepare(reg: &mut Registry, f: &LeadFields) -> crate::Result<Option<Result<(HubClient, CheckRequest), OnlineCheck>>> {
    if reg.session()?.role != Role::Distributor {
        return Ok(None);
    }
    let Some(req) = request_of(reg, f)? else { return Ok(None) };
    Ok(Some(match super::client(reg) {
        Ok(c) => Ok((c, req)),
        Err(e) => Err(OnlineCheck::Offline { detail: e.to_string() }),
    }))
}

/// Asks the hub once (no retries: a typing warning cannot wait).
pub(crate) fn ask(client: &HubClient, req: &CheckRequest) -> OnlineCheck {
    match client.check(req) {
        Ok(CheckAnswer::Protected { until }) => OnlineCheck::Protected { until: until.and_then(|t| t.to_datetime()) },
        Ok(CheckAnswer::Free) => OnlineCheck::Free,
        Err(ClientError::Hub { code: ErrorCode::RateLimited, .. }) => OnlineCheck::RateLimited,
        Err(e) => OnlineCheck::Offline { detail: e.to_string() },
    }
}
