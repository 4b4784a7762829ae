//! What a device pulls, as ranges of scopes: the PostgreSQL pull's index ranges and
//! the feed's tail (`tail.rs`) on either backend decide by the same ranges.

use crate::scope::Device;
use leadguard_protocol::Role;

/// What a device pulls.
pub(crate) enum Ranges {
    /// One scope.
    Scope(String),
    /// Its branches' scopes and their distributors' as ranges `[from, to)`, and the
    /// company-wide changes.
    Employee(Vec<(String, String)>),
}

/// The end of the range that holds `scope` alone: no text sorts between `scope` and
/// `scope` + U+0001 (PostgreSQL text holds no U+0000; no scope the hub accepts holds a
/// control character).
pub(crate) fn exact_end(scope: &str) -> String {
    format!("{scope}\u{1}")
}

/// What `device` pulls. With `only_scope`, just that scope (which the caller has
/// checked the device may read).
pub(crate) fn pull_ranges(device: &Device, only_scope: Option<&str>) -> Ranges {
    match (only_scope, device.role) {
        (Some(scope), _) => Ranges::Scope(scope.to_owned()),
        (None, Role::Distributor) => Ranges::Scope(device.write_scope()),
        // The branches' own scopes and their distributors' (`dist:<B>/…`: the range
        // ['dist:<B>/', 'dist:<B>0'), '0' follows '/'), and every other document of the
        // company that holds no plain contact: contacts there are sealed, opened only
        // with keys the device is granted (docs/VISIBILITY.md). A director: each branch
        // assigned to it (rule 17).
        (None, Role::Rep | Role::Manager | Role::Receptionist | Role::Director) => {
            // Each branch once: the ranges must not overlap (each change served once).
            let mut branches = device.branches();
            branches.sort_unstable();
            branches.dedup();
            let own = branches.iter().map(|b| leadguard_protocol::branch_scope(b)).map(|s| {
                let end = exact_end(&s);
                (s, end)
            });
            let distributors = branches.iter().map(|b| (format!("dist:{b}/"), format!("dist:{b}0")));
            Ranges::Employee(own.chain(distributors).collect())
        }
    }
}
