//! The view list is the one place views are named, and nothing outside the pipeline
//! changes a view's state. (That incremental upkeep equals a rebuild is tested on
//! real write and pull schedules in `tests/derived_views.rs`.)

use std::path::{Path, PathBuf};

use super::VIEWS;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("a dir entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn crate_sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).expect("under src").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).expect("readable source"))
        })
        .collect()
}

/// Code lines only: a comment may name anything.
fn code(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim_start().starts_with("//"))
}

#[test]
fn every_view_is_named_once_in_the_list() {
    let files = crate_sources();
    let list = &files.iter().find(|(p, _)| p == "derived/mod.rs").expect("derived/mod.rs").1;
    let decl = list.split("static VIEWS").nth(1).expect("the VIEWS list").split(';').next().unwrap_or_default();
    let listed: Vec<&str> = decl.split("views::").skip(1).map(|s| s.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default()).collect();
    assert_eq!(listed.len(), VIEWS.len(), "VIEWS as written: {listed:?}");
    let implemented: Vec<String> = files
        .iter()
        .flat_map(|(_, text)| code(text).filter_map(|l| l.trim().strip_prefix("impl DerivedView for ")).map(|s| s.trim_end_matches(" {").to_string()))
        .collect();
    let mut sorted_listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
    sorted_listed.sort();
    let mut sorted_impl = implemented.clone();
    sorted_impl.sort();
    assert_eq!(sorted_listed, sorted_impl, "every view is in VIEWS, once");
    for name in &listed {
        for (path, text) in &files {
            if path == "derived/views.rs" || path == "derived/mod.rs" {
                continue;
            }
            let named = code(text).any(|l| l.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == *name));
            assert!(!named, "{path} names the view {name}: views are reached through VIEWS only");
        }
    }
}

#[test]
fn only_the_views_change_derived_state() {
    let files = crate_sources();
    let names: Vec<&str> = VIEWS.iter().map(|v| v.name()).collect();
    assert!(names.iter().all(|n| !n.is_empty()));
    for view in VIEWS {
        for writer in view.writers() {
            let call = format!("{writer}(");
            let defined = format!("fn {}(", writer.rsplit("::").next().unwrap_or(writer));
            for (path, text) in &files {
                if path.starts_with("derived/") {
                    continue;
                }
                let outside = code(text).find(|l| l.contains(&call) && !l.contains(&defined));
                assert!(outside.is_none(), "{path} changes the view {} behind the pipeline: `{}`", view.name(), outside.unwrap_or_default().trim());
            }
        }
    }
}
