//! Hub time: the only clock that counts as evidence.
//!
//! A laptop's clock can be set back (docs/RULES.md, time and trust), so every time the protocol
//! carries is the hub's: milliseconds since the Unix epoch, UTC. Millisecond
//! integers encode compactly and compare exactly; RFC 3339 is for display.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A hub clock reading in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HubTime(pub i64);

impl HubTime {
    /// The current wall-clock time of this machine.
    pub fn now() -> Self {
        HubTime(Utc::now().timestamp_millis())
    }

    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// As a chrono timestamp (`None` outside chrono's range).
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        Utc.timestamp_millis_opt(self.0).single()
    }

    /// RFC 3339 with millisecond precision, e.g. `2026-11-22T07:20:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        match self.to_datetime() {
            Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            None => format!("@{}ms", self.0),
        }
    }
}

impl From<DateTime<Utc>> for HubTime {
    fn from(t: DateTime<Utc>) -> Self {
        HubTime(t.timestamp_millis())
    }
}

impl std::fmt::Display for HubTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rfc3339_in_utc_with_millis() {
        assert_eq!(HubTime(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(HubTime(1_795_000_000_123).to_rfc3339(), "2026-11-18T11:06:40.123Z");
    }

    #[test]
    fn out_of_range_times_still_render() {
        assert_eq!(HubTime(i64::MAX).to_rfc3339(), format!("@{}ms", i64::MAX));
    }
}
