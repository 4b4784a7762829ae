//! Roles: what a person may do in the registry and which scopes their device reads.

use serde::{Deserialize, Serialize};

/// What a person may do in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A sales rep: full view of their own customers, masked view of others'.
    Rep,
    /// A branch manager: sees the whole branch, sets policy, hands over, arbitrates.
    Manager,
    /// An outside distributor (分销): sees only what they reported.
    Distributor,
    /// 前台: records walk-in visits (`visit` events) on any lead of the branch and
    /// registers unmatched visitors for the duty rep; never claims or decides.
    Receptionist,
    /// 总监: oversees the branches assigned at enrolment (`--branches south,east`):
    /// sees them as their manager does and decides the cases that cross branches or
    /// involve a distributor's report (docs/RULES.md rule 17).
    Director,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Distributor => "distributor",
            Role::Receptionist => "receptionist",
            Role::Director => "director",
        }
    }
}

impl Role {
    /// Roles that see every case on their laptop and decide them (a manager its
    /// branch's, a director the cases that cross its branches).
    pub fn decides_cases(self) -> bool {
        matches!(self, Role::Manager | Role::Director)
    }
}

impl std::str::FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rep" => Ok(Role::Rep),
            "manager" => Ok(Role::Manager),
            "distributor" => Ok(Role::Distributor),
            "receptionist" => Ok(Role::Receptionist),
            "director" => Ok(Role::Director),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name other than `rep`, `manager`, `distributor`, `receptionist` or `director`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} (expected rep, manager, distributor, receptionist or director)")]
pub struct UnknownRole(pub String);
