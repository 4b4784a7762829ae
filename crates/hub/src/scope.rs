//! Who may read and write which scope.
//!
//! Every document has a scope, the unit the hub authorises (docs/ARCHITECTURE.md):
//!
//! * `branch:<B>`: read and written by the reps and managers of branch B;
//! * `dist:<device>`: a distributor device's own reports; written only by that
//!   device, read by it and by the reps and managers of the branch it reports to.
//!
//! These rules are pure functions of the device record so they are tested here
//! without a database; the pull query in `store::changes` encodes the same rules in
//! SQL and the integration tests check the two agree.

use leadguard_protocol::Role;

/// An enrolled, authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub rep: String,
    pub name: String,
    pub branch: String,
    pub role: Role,
}

/// A scope string, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope<'a> {
    Branch(&'a str),
    Dist(&'a str),
}

impl<'a> Scope<'a> {
    /// Parses `branch:<B>` or `dist:<device>`; anything else is not a scope.
    pub fn parse(s: &'a str) -> Option<Self> {
        let valid = |rest: &str| !rest.is_empty() && rest.len() <= 128 && !rest.chars().any(char::is_control);
        if let Some(b) = s.strip_prefix("branch:") {
            return valid(b).then_some(Scope::Branch(b));
        }
        if let Some(d) = s.strip_prefix("dist:") {
            return valid(d).then_some(Scope::Dist(d));
        }
        None
    }
}

impl Device {
    /// The one scope this device writes into.
    pub fn write_scope(&self) -> String {
        match self.role {
            Role::Distributor => leadguard_protocol::dist_scope(&self.id),
            Role::Rep | Role::Manager => leadguard_protocol::branch_scope(&self.branch),
        }
    }

    /// Whether this device may push changes of `scope`.
    pub fn may_write(&self, scope: &Scope<'_>) -> bool {
        match (self.role, scope) {
            (Role::Distributor, Scope::Dist(d)) => *d == self.id,
            (Role::Rep | Role::Manager, Scope::Branch(b)) => *b == self.branch,
            _ => false,
        }
    }

    /// Whether this device may read `scope`. For a `dist:` scope the caller
    /// supplies the branch of the distributor device it names (None if unknown).
    pub fn may_read(&self, scope: &Scope<'_>, dist_owner_branch: Option<&str>) -> bool {
        match (self.role, scope) {
            (Role::Distributor, Scope::Dist(d)) => *d == self.id,
            (Role::Distributor, Scope::Branch(_)) => false,
            (Role::Rep | Role::Manager, Scope::Branch(b)) => *b == self.branch,
            (Role::Rep | Role::Manager, Scope::Dist(_)) => dist_owner_branch == Some(self.branch.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, branch: &str, role: Role) -> Device {
        Device { id: id.into(), rep: "r".into(), name: "n".into(), branch: branch.into(), role }
    }

    #[test]
    fn scopes_parse_strictly() {
        assert_eq!(Scope::parse("branch:sh"), Some(Scope::Branch("sh")));
        assert_eq!(Scope::parse("dist:d1"), Some(Scope::Dist("d1")));
        for bad in ["", "branch:", "dist:", "sh", "Branch:sh", "branch:a\nb", "team:x"] {
            assert_eq!(Scope::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_branch_device_reads_and_writes_only_its_branch() {
        let rep = device("d1", "sh", Role::Rep);
        assert!(rep.may_write(&Scope::Branch("sh")));
        assert!(!rep.may_write(&Scope::Branch("bj")));
        assert!(rep.may_read(&Scope::Branch("sh"), None));
        assert!(!rep.may_read(&Scope::Branch("bj"), None));
        assert_eq!(rep.write_scope(), "branch:sh");
    }

    #[test]
    fn distributors_see_only_what_they_reported() {
        let dist = device("d9", "sh", Role::Distributor);
        assert!(dist.may_write(&Scope::Dist("d9")));
        assert!(!dist.may_write(&Scope::Dist("d8")));
        assert!(!dist.may_write(&Scope::Branch("sh")));
        assert!(dist.may_read(&Scope::Dist("d9"), Some("sh")));
        assert!(!dist.may_read(&Scope::Dist("d8"), Some("sh")));
        assert!(!dist.may_read(&Scope::Branch("sh"), None));
        assert_eq!(dist.write_scope(), "dist:d9");
    }

    #[test]
    fn branch_staff_read_but_never_write_their_distributors_reports() {
        let manager = device("d2", "sh", Role::Manager);
        assert!(manager.may_read(&Scope::Dist("d9"), Some("sh")));
        assert!(!manager.may_read(&Scope::Dist("d9"), Some("bj")));
        assert!(!manager.may_read(&Scope::Dist("unknown"), None));
        assert!(!manager.may_write(&Scope::Dist("d9")));
    }
}
