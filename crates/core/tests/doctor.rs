//! The doctor: derived tables checked against the documents, differences rebuilt and
//! reported; and its run at open after an unclean shutdown.

mod support;

use leadguard_core::doctor::DoctorReport;
use leadguard_core::model::{EventKind, Role};
use leadguard_core::registry::Target;
use leadguard_core::Registry;
use support::simhub::team;
use support::*;

/// A manager's registry holding a duplicate-registration case between two reps, plus
/// a few unrelated leads. Returns the manager's registry and the team's registries.
fn team_with_a_case(dir: &std::path::Path) -> Vec<Registry> {
    let (mut hub, mut regs) = team(dir);
    write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "13912345678") }, h(1));
    write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达科技（深圳）", "陈明", "+86 139 1234 5678") }, h(2));
    for (i, name) in ["华强电子", "天泰生物", "地远物流"].iter().enumerate() {
        write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields(name, "刘伟", &format!("1380000000{i}")) }, h(3));
    }
    hub.tick(60);
    hub.sync_all(&mut regs);
    assert_eq!(regs[0].collision_cases(None).unwrap().len(), 1, "the fixture has one case");
    regs
}

fn differing(r: &DoctorReport, table: &str) -> u64 {
    let t = r.tables.iter().find(|t| t.table == table).unwrap_or_else(|| panic!("no table {table} in {r:#?}"));
    t.changed + t.missing + t.extra
}

fn company_in_index(reg: &Registry, lead: &str) -> String {
    reg.connection().query_row("SELECT company FROM lead_index WHERE lead_id = ?1", [lead], |r| r.get(0)).unwrap()
}

#[test]
fn a_healthy_registry_passes_the_doctor_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut regs = team_with_a_case(dir.path());
    for reg in regs.iter_mut() {
        let report = reg.doctor(true, "command").unwrap();
        assert_eq!(report.integrity, "ok");
        assert!(report.audit_ok, "{report:#?}");
        assert_eq!(report.differences, 0, "{report:#?}");
        assert!(!report.repaired);
        assert!(report.tables.iter().any(|t| t.table == "cases" && t.rows >= 1) || reg.session().unwrap().role != Role::Manager);
    }
}

#[test]
fn a_bit_flip_in_a_derived_row_is_found_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut regs = team_with_a_case(dir.path());
    let m = &mut regs[0];
    let lead = m.connection().query_row("SELECT lead_id FROM lead_index WHERE company = '华强电子'", [], |r| r.get::<_, String>(0)).unwrap();
    // What `lead list` shows now differs from what `lead show` derives.
    m.connection().execute("UPDATE lead_index SET company = '华强电孑' WHERE lead_id = ?1", [&lead]).unwrap();

    let check = m.doctor(false, "command").unwrap();
    assert_eq!(differing(&check, "lead_index"), 1, "{check:#?}");
    assert_eq!(differing(&check, "lead_fts"), 1, "the search text follows the row: {check:#?}");
    assert!(check.tables.iter().find(|t| t.table == "lead_index").unwrap().sample.contains(&lead));
    assert!(!check.repaired);
    assert_eq!(company_in_index(m, &lead), "华强电孑", "a check changes nothing");

    let fix = m.doctor(true, "command").unwrap();
    assert!(fix.repaired);
    assert_eq!(fix.differences, check.differences);
    assert_eq!(company_in_index(m, &lead), "华强电子");
    assert_eq!(m.doctor(false, "command").unwrap().differences, 0);
}

#[test]
fn lost_and_invented_derived_rows_are_restored_and_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut regs = team_with_a_case(dir.path());
    let m = &mut regs[0];
    m.connection()
        .execute_batch(
            "DELETE FROM cases; DELETE FROM case_leads;
             INSERT INTO lead_index(lead_id, doc_id, branch, company, state, updated_at)
                 VALUES ('00000000deadbeef', 'sz/x/0', 'sz', '伪造客户', 'protected', 0);
             INSERT INTO lead_fts(rowid, text) VALUES (999999, 'orphan text');",
        )
        .unwrap();
    assert!(m.collision_cases(None).unwrap().is_empty(), "the case is gone from the list");

    let fix = m.doctor(true, "command").unwrap();
    assert_eq!(fix.tables.iter().find(|t| t.table == "cases").unwrap().missing, 1, "{fix:#?}");
    assert_eq!(fix.tables.iter().find(|t| t.table == "lead_index").unwrap().extra, 1, "{fix:#?}");
    assert!(fix.tables.iter().find(|t| t.table == "lead_fts").unwrap().extra >= 1, "{fix:#?}");
    assert_eq!(m.collision_cases(None).unwrap().len(), 1, "the case is back");
    let fake: i64 = m.connection().query_row("SELECT COUNT(*) FROM lead_index WHERE lead_id = '00000000deadbeef'", [], |r| r.get(0)).unwrap();
    assert_eq!(fake, 0);
}

#[test]
fn the_doctor_runs_at_open_after_an_unclean_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("r1");
    let lead = {
        let mut reg = branch(dir.path(), "r1");
        register(&mut reg, "r1", "深圳市腾达科技有限公司", h(1))
    };
    // A clean close leaves no marker: the next open does not run the doctor.
    assert!(!data.join("registry.open").exists(), "a clean close removes the marker");
    let tamper = |company: &str| {
        let c = rusqlite::Connection::open(data.join("registry.sqlite")).unwrap();
        c.execute("UPDATE lead_index SET company = ?2 WHERE lead_id = ?1", rusqlite::params![lead, company]).unwrap();
    };
    tamper("被改过");
    {
        let reg = Registry::open(&data).unwrap();
        assert_eq!(company_in_index(&reg, &lead), "被改过", "no doctor after a clean shutdown");
        assert!(data.join("registry.open").exists(), "the marker exists while open");
    }
    // A process that dies while the registry is open leaves the marker behind.
    std::fs::write(data.join("registry.open"), b"").unwrap();
    let reg = Registry::open(&data).unwrap();
    assert_eq!(company_in_index(&reg, &lead), "深圳市腾达科技有限公司", "repaired at open");
    let report: DoctorReport = reg.last_crash_report().unwrap().expect("report kept");
    assert_eq!(report.trigger, "unclean_shutdown");
    assert!(report.repaired && report.differences >= 1, "{report:#?}");
}

#[test]
fn a_second_process_opening_a_registry_in_use_does_not_mistake_it_for_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("r1");
    let lead = {
        let mut reg = branch(dir.path(), "r1");
        register(&mut reg, "r1", "深圳市腾达科技有限公司", h(1))
    };
    let first = Registry::open(&data).unwrap();
    let c = rusqlite::Connection::open(data.join("registry.sqlite")).unwrap();
    c.execute("UPDATE lead_index SET company = '被改过' WHERE lead_id = ?1", [&lead]).unwrap();
    // The marker exists because `first` is open; the lock says someone holds it.
    let second = Registry::open(&data).unwrap();
    assert_eq!(company_in_index(&second, &lead), "被改过", "no doctor while another opener is alive");
    drop(first);
    assert!(data.join("registry.open").exists(), "the marker stays while `second` is open");
    drop(second);
    assert!(!data.join("registry.open").exists(), "the last one out removes it");
}
