//! The distributors' online check (docs/VISIBILITY.md, rules 12 and 15): a
//! distributor's laptop holds nothing of other parties' customers, so its typing
//! warning, `leadguard check` and report form ask the hub (`POST /v1/check`) whether a
//! customer like the one typed is already protected. The request carries match data
//! only (the company's match key, the masked phone, keyed digests of phone and
//! e-mail); the answer says only "protected until …" or "free" — no owner, contact or
//! lead id.
//!
//! The hub keeps each lead's match data in `lead_match` (`store/match_keys.rs`, both
//! backends), folded from the registrations and updates it accepts; the protection
//! end is the replicas' own `status::derive` over the lead's history timed by hub
//! receipts, as for key grants ([`crate::entitlement`]).
//!
//! A lead matches when its phone digest, e-mail digest or company match key equals
//! the request's, or its visible phone digits (`139****3333`) do while one side has
//! no full number (a masked report, a lead written before sealing). Equal visible
//! digits with two different full numbers is a different phone. A contact name alone
//! is no match (common names). Each device may ask [`DEFAULT_PER_MINUTE`] times a
//! minute ([`CheckLimiter`]), so the endpoint is no oracle to enumerate customers.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Utc};
use leadguard_core::status::LeadState;
use leadguard_dedup::{normalize_company, normalize_phone};
use leadguard_protocol::{CheckAnswer, CheckRequest, HubTime, Role};
use leadguard_schema::MatchData;

use crate::error::HubError;
use crate::scope::{Device, Scope};
use crate::store::lead_keys::DocChanges;

/// Checks a device may make per minute unless the hub is told otherwise
/// (`leadguard-hub serve --check-per-minute`).
pub const DEFAULT_PER_MINUTE: u32 = 30;

/// Longest company match key accepted (characters).
const MAX_KEY_CHARS: usize = 200;

/// One lead's match data as the hub keeps it (`lead_match`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchRow {
    pub company: String,
    pub region: String,
    pub company_key: String,
    pub phone_visible: String,
    pub phone_digest: String,
    pub email_digest: String,
}

/// Loads what matching reads on first use (the traditional → simplified Chinese
/// dictionary: ≈0.1 s of one core on this machine), so a serving hub pays for it at
/// start and not its writer in the middle of the first pushes after a start (every
/// push waits for the writer; `make bench-hub` saw it in its first burst).
pub fn load_matching_dictionaries() {
    let _ = company_key("臺北華宇電子", "臺北");
}

/// The company match key of a name: its normalised core, as the laptop computes it.
pub fn company_key(company: &str, region: &str) -> String {
    normalize_company(company, region).core
}

/// The visible-digit key (`139****3333`) of a full or masked mobile number.
pub fn visible_key(phone: &str, region: &str) -> String {
    normalize_phone(phone.trim(), region).visible_key().unwrap_or_default()
}

impl MatchRow {
    /// Folds the match data of one accepted registration or update into the row.
    pub fn apply(&mut self, m: &MatchData) {
        let set = |slot: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                *slot = v.trim().to_owned();
            }
        };
        set(&mut self.company, &m.company);
        set(&mut self.region, &m.region);
        self.company_key = company_key(&self.company, &self.region);
        match (&m.phone_masked, &m.phone) {
            (Some(masked), _) => self.phone_visible = visible_key(masked, &self.region),
            // A phone written in plain text (before sealing, a masked report).
            (None, Some(p)) if !leadguard_seal::is_sealed(p) => self.phone_visible = visible_key(p, &self.region),
            _ => {}
        }
        set(&mut self.phone_digest, &m.phone_digest);
        set(&mut self.email_digest, &m.email_digest);
    }
}

/// A request checked and reduced to what is compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub company_key: String,
    pub phone_visible: String,
    pub phone_digest: String,
    pub email_digest: String,
}

fn is_digest(s: &str) -> bool {
    s.len() == leadguard_seal::DIGEST_HEX_LEN && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Query {
    /// Refuses a malformed request (a digest that is not one, an overlong key, nothing
    /// to compare) with a typed 400.
    pub fn of(req: &CheckRequest) -> Result<Query, HubError> {
        let trimmed = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
        let q = Query {
            company_key: trimmed(&req.company_key),
            phone_visible: visible_key(&trimmed(&req.phone_masked), ""),
            phone_digest: trimmed(&req.phone_digest).to_ascii_lowercase(),
            email_digest: trimmed(&req.email_digest).to_ascii_lowercase(),
        };
        for (name, d) in [("phone_digest", &q.phone_digest), ("email_digest", &q.email_digest)] {
            if !d.is_empty() && !is_digest(d) {
                return Err(HubError::Malformed(format!("{name} must be {} hex digits", leadguard_seal::DIGEST_HEX_LEN)));
            }
        }
        if q.company_key.chars().count() > MAX_KEY_CHARS || q.company_key.chars().any(char::is_control) {
            return Err(HubError::Malformed(format!("company_key must be up to {MAX_KEY_CHARS} printable characters")));
        }
        if !trimmed(&req.phone_masked).is_empty() && q.phone_visible.is_empty() {
            return Err(HubError::Malformed("phone_masked is not a (masked) mobile number such as 139****3333".into()));
        }
        if q.company_key.is_empty() && q.phone_visible.is_empty() && q.phone_digest.is_empty() && q.email_digest.is_empty() {
            return Err(HubError::Malformed("a check needs a company key, a masked phone or a digest".into()));
        }
        Ok(q)
    }

    /// Whether a lead with `row`'s match data is the customer asked about.
    pub fn matches(&self, row: &MatchRow) -> bool {
        let eq = |a: &str, b: &str| !a.is_empty() && a == b;
        eq(&self.phone_digest, &row.phone_digest)
            || eq(&self.email_digest, &row.email_digest)
            || eq(&self.company_key, &row.company_key)
            // Visible digits say "maybe the same phone" only where a full number is
            // missing on one side; two different full numbers are different phones.
            || (eq(&self.phone_visible, &row.phone_visible) && (self.phone_digest.is_empty() || row.phone_digest.is_empty()))
    }
}

/// Only distributors ask: employees hold the company-wide registry themselves.
pub fn may_check(device: &Device) -> Result<(), HubError> {
    match device.role {
        Role::Distributor => Ok(()),
        Role::Rep | Role::Manager | Role::Receptionist | Role::Director => Err(HubError::CheckForbidden),
    }
}

/// A lead that matched: `(lead_id, doc_id, scope)`.
pub type Candidate = (String, String, String);

/// The answer over the matching leads: the latest protection end among those someone
/// other than the caller holds (a deal binds for good). The caller's own reports are
/// left out: its laptop holds them and warns about them itself.
pub fn answer(
    device: &Device,
    candidates: Vec<Candidate>,
    mut doc_changes: impl FnMut(&str) -> Result<DocChanges, HubError>,
    now: DateTime<Utc>,
) -> Result<CheckAnswer, HubError> {
    let mut by_doc: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (lead, doc, scope) in candidates {
        if Scope::parse(&scope).is_some_and(|s| device.may_write(&s)) {
            continue;
        }
        by_doc.entry(doc).or_default().push(lead);
    }
    let mut policies = HashMap::new();
    let mut found: Option<Option<DateTime<Utc>>> = None;
    for (doc_id, leads) in by_doc {
        let branch = match leadguard_schema::DocName::parse(&doc_id) {
            Ok(leadguard_schema::DocName::Shard { branch, .. } | leadguard_schema::DocName::Dist { branch, .. }) => branch,
            _ => continue,
        };
        if !policies.contains_key(&branch) {
            let directory = doc_changes(&format!("directory/{branch}"))?;
            policies.insert(branch.clone(), crate::entitlement::policy_of(&directory));
        }
        let statuses = crate::entitlement::statuses_of_doc(&doc_id, &doc_changes(&doc_id)?, &leads, &policies[&branch], now);
        for s in statuses.values() {
            let until = match s.state {
                LeadState::Deal => None,
                LeadState::Protected => s.protected_until,
                _ => continue,
            };
            found = Some(match found {
                None => until,
                Some(None) => None,
                Some(Some(t)) => until.map(|u| u.max(t)),
            });
        }
    }
    Ok(match found {
        Some(until) => CheckAnswer::Protected { until: until.map(|t| HubTime(t.timestamp_millis())) },
        None => CheckAnswer::Free,
    })
}

/// A token bucket per device: `per_minute` checks, refilled continuously.
pub struct CheckLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl CheckLimiter {
    pub fn new(per_minute: u32) -> CheckLimiter {
        CheckLimiter { per_minute: per_minute.max(1), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one check for `device_id`, or says how many seconds until one is free.
    pub fn take(&self, device_id: &str) -> Result<(), HubError> {
        let cap = f64::from(self.per_minute);
        let per_sec = cap / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        // Forget full buckets now and then, so idle devices cost nothing.
        if buckets.len() > 10_000 {
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_sec < cap);
        }
        let (tokens, at) = buckets.entry(device_id.to_owned()).or_insert((cap, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_sec).min(cap);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(HubError::RateLimited { retry_after_secs: ((1.0 - *tokens) / per_sec).ceil() as u64 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(company: &str, masked: &str, digest: &str) -> MatchRow {
        let mut r = MatchRow::default();
        r.apply(&MatchData {
            company: Some(company.into()),
            phone_masked: Some(masked.into()),
            phone_digest: Some(digest.into()),
            ..MatchData::default()
        });
        r
    }

    #[test]
    fn after_the_dictionaries_load_a_traditional_name_keys_as_its_simplified_form() {
        load_matching_dictionaries();
        assert_eq!(company_key("深圳市騰達科技有限公司", "深圳"), company_key("深圳市腾达科技有限公司", "深圳"));
        assert_ne!(company_key("深圳市腾达科技有限公司", "深圳"), company_key("深圳市华宇科技有限公司", "深圳"));
    }

    #[test]
    fn rule_15_a_check_matches_on_digest_company_key_or_visible_digits_of_a_masked_phone() {
        let d1 = "a".repeat(32);
        let d2 = "b".repeat(32);
        let lead = row("深圳市腾达科技有限公司", "139****3333", &d1);
        let q = |company: &str, masked: &str, digest: &str| {
            Query::of(&CheckRequest {
                company_key: Some(company.into()).filter(|c: &String| !c.is_empty()),
                phone_masked: Some(masked.into()).filter(|c: &String| !c.is_empty()),
                phone_digest: Some(digest.into()).filter(|c: &String| !c.is_empty()),
                ..CheckRequest::default()
            })
            .unwrap()
        };
        assert!(q(&company_key("腾达科技", ""), "", "").matches(&lead), "the same company written differently");
        assert!(q("", "139****3333", &d1).matches(&lead), "the same phone");
        assert!(q("", "139****3333", "").matches(&lead), "a masked report: visible digits");
        assert!(!q("", "139****3333", &d2).matches(&lead), "another full number with the same visible digits");
        assert!(!q(&company_key("华信电子", ""), "", "").matches(&lead));
    }

    #[test]
    fn rule_15_a_malformed_check_is_refused() {
        let bad = |req: CheckRequest| matches!(Query::of(&req), Err(HubError::Malformed(_)));
        assert!(bad(CheckRequest::default()), "nothing to compare");
        assert!(bad(CheckRequest { phone_digest: Some("xyz".into()), ..CheckRequest::default() }));
        assert!(bad(CheckRequest { phone_masked: Some("hello".into()), ..CheckRequest::default() }));
        assert!(bad(CheckRequest { company_key: Some("x".repeat(201)), ..CheckRequest::default() }));
    }

    #[test]
    fn rule_15_the_check_is_rate_limited_per_device() {
        let limiter = CheckLimiter::new(3);
        for _ in 0..3 {
            limiter.take("d1").unwrap();
        }
        assert!(matches!(limiter.take("d1"), Err(HubError::RateLimited { retry_after_secs }) if retry_after_secs >= 1));
        limiter.take("d2").expect("another device has its own bucket");
    }
}
