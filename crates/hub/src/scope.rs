//! Who may read and write which scope.
//!
//! Every document has a scope, the unit the hub authorises (docs/ARCHITECTURE.md):
//!
//! * `branch:<B>`: read and written by the reps and managers of branch B;
//! * `dist:<B>/<rep>`: the reports distributor `rep` makes to branch B. Its devices
//!   create the reports; the staff of branch B read them and append to them (a
//!   review, a decision, a claim once a rejected report is in the pool) — which
//!   events each may append is the schema's authorship check, not the scope's.
//!   Nobody else reads them: not another branch, not another distributor.
//!
//! A director reads and writes the scopes of every branch assigned to it (its
//! `branches`) as their manager does. A decision or appeal on a case across branches
//! may also land in a scope its author does not write: `crate::authorship` admits
//! exactly those events, from whoever may decide or appeal the case (rule 17).
//!
//! These rules are pure functions of the device record and the scope's name, so they
//! are tested here without a database; the pull query in `store::changes` encodes the
//! same rules in SQL and the integration tests check the two agree.

use leadguard_protocol::Role;

/// An enrolled, authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub rep: String,
    pub name: String,
    pub branch: String,
    pub role: Role,
    /// A director's assigned branches (`branch` is the first); empty for others.
    pub branches: Vec<String>,
}

/// A scope string, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope<'a> {
    Branch(&'a str),
    Dist { branch: &'a str, rep: &'a str },
}

impl<'a> Scope<'a> {
    /// Parses `branch:<B>` or `dist:<B>/<rep>`; anything else is not a scope.
    pub fn parse(s: &'a str) -> Option<Self> {
        let valid = |rest: &str| !rest.is_empty() && rest.len() <= 128 && !rest.chars().any(char::is_control);
        if let Some(b) = s.strip_prefix("branch:") {
            return (valid(b) && !b.contains('/')).then_some(Scope::Branch(b));
        }
        if let Some((branch, rep)) = s.strip_prefix("dist:").and_then(|d| d.split_once('/')) {
            return (valid(branch) && valid(rep) && !rep.contains('/')).then_some(Scope::Dist { branch, rep });
        }
        None
    }
}

impl Device {
    /// The one scope this device writes into.
    pub fn write_scope(&self) -> String {
        match self.role {
            Role::Distributor => leadguard_protocol::dist_scope(&self.branch, &self.rep),
            // A receptionist (前台) reads and writes the branch as a rep of it does.
            Role::Rep | Role::Manager | Role::Receptionist | Role::Director => leadguard_protocol::branch_scope(&self.branch),
        }
    }

    /// The branches this device's user works in: a director's assigned ones, else
    /// its own.
    pub fn branches(&self) -> Vec<&str> {
        match self.role {
            Role::Director => self.branches.iter().map(String::as_str).collect(),
            _ => vec![self.branch.as_str()],
        }
    }

    /// Whether this device may push changes of `scope`.
    pub fn may_write(&self, scope: &Scope<'_>) -> bool {
        self.may_read(scope)
    }

    /// Whether this device may read `scope`.
    /// Whether the keys of a document's leads are considered for this device: what it
    /// reads, and for a rep, manager or director also every company-wide (`plain`
    /// false) document, where a case across branches may have given a customer to
    /// the rep or a rep of its branches (rule 17).
    pub fn may_hold_keys_of(&self, scope: &Scope<'_>, plain: bool) -> bool {
        self.may_read(scope) || (matches!(self.role, Role::Rep | Role::Manager | Role::Director) && !plain)
    }

    pub fn may_read(&self, scope: &Scope<'_>) -> bool {
        match (self.role, scope) {
            (Role::Distributor, Scope::Dist { branch, rep }) => *branch == self.branch && *rep == self.rep,
            (Role::Distributor, Scope::Branch(_)) => false,
            (Role::Director, Scope::Branch(b) | Scope::Dist { branch: b, .. }) => self.branches.iter().any(|x| x == b),
            (Role::Rep | Role::Manager | Role::Receptionist, Scope::Branch(b) | Scope::Dist { branch: b, .. }) => *b == self.branch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, branch: &str, role: Role) -> Device {
        Device { id: id.into(), rep: "r".into(), name: "n".into(), branch: branch.into(), role, branches: Vec::new() }
    }

    #[test]
    fn rule_17_a_director_reads_and_writes_the_branches_assigned_to_it() {
        let director = Device { branches: vec!["south".into(), "east".into()], ..device("d5", "south", Role::Director) };
        for scope in [Scope::Branch("south"), Scope::Branch("east"), Scope::Dist { branch: "east", rep: "agent-7" }] {
            assert!(director.may_read(&scope) && director.may_write(&scope), "{scope:?}");
        }
        assert!(!director.may_read(&Scope::Branch("north")) && !director.may_write(&Scope::Branch("north")));
        assert_eq!(director.branches(), vec!["south", "east"]);
        assert_eq!(director.write_scope(), "branch:south");
    }

    #[test]
    fn scopes_parse_strictly() {
        assert_eq!(Scope::parse("branch:sh"), Some(Scope::Branch("sh")));
        assert_eq!(Scope::parse("dist:sh/agent-7"), Some(Scope::Dist { branch: "sh", rep: "agent-7" }));
        for bad in ["", "branch:", "dist:", "dist:d1", "dist:sh/", "dist:/a", "dist:sh/a/b", "branch:a/b", "sh", "Branch:sh", "branch:a\nb", "team:x"] {
            assert_eq!(Scope::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_branch_device_reads_and_writes_only_its_branch() {
        let rep = device("d1", "sh", Role::Rep);
        assert!(rep.may_write(&Scope::Branch("sh")));
        assert!(!rep.may_write(&Scope::Branch("bj")));
        assert!(rep.may_read(&Scope::Branch("sh")));
        assert!(!rep.may_read(&Scope::Branch("bj")));
        assert_eq!(rep.write_scope(), "branch:sh");
    }

    #[test]
    fn distributors_see_only_what_they_reported() {
        let dist = Device { rep: "agent-7".into(), ..device("d9", "sh", Role::Distributor) };
        let own = Scope::Dist { branch: "sh", rep: "agent-7" };
        assert!(dist.may_write(&own) && dist.may_read(&own));
        for other in [Scope::Dist { branch: "sh", rep: "agent-8" }, Scope::Dist { branch: "bj", rep: "agent-7" }, Scope::Branch("sh")] {
            assert!(!dist.may_write(&other) && !dist.may_read(&other), "{other:?}");
        }
        assert_eq!(dist.write_scope(), "dist:sh/agent-7");
    }

    #[test]
    fn branch_staff_read_and_append_to_their_distributors_reports_only() {
        for role in [Role::Manager, Role::Rep] {
            let staff = device("d2", "sh", role);
            assert!(staff.may_read(&Scope::Dist { branch: "sh", rep: "agent-7" }));
            assert!(staff.may_write(&Scope::Dist { branch: "sh", rep: "agent-7" }));
            assert!(!staff.may_read(&Scope::Dist { branch: "bj", rep: "agent-7" }));
            assert!(!staff.may_write(&Scope::Dist { branch: "bj", rep: "agent-7" }));
        }
    }
}
