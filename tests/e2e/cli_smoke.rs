use leadguard_tests::{json, leadguard};

#[test]
fn info_reports_version_and_data_dir_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = leadguard(dir.path(), &["info"]);
    assert!(out.status.success());
    let v = json(&out);
    assert_eq!(v["name"], "Leadguard");
    assert_eq!(v["data_dir"], dir.path().display().to_string());
}
