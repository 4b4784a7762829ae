//! No import cycle between the core's top-level modules: the graph of
//! `crate::<module>` references in code (comments aside) must be acyclic, so the
//! modules can be read — and changed — bottom up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("a dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate root's re-exports, by the module that defines them.
fn defining_module(name: &str) -> &str {
    match name {
        "Error" | "Result" | "ApiError" | "ErrorCode" => "error",
        "Registry" => "registry",
        other => other,
    }
}

/// Top-level module → the top-level modules its code names through `crate::`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let module_of = |p: &Path| -> String {
        let rel = p.strip_prefix(&root).expect("under src");
        let first = rel.components().next().expect("a path").as_os_str().to_string_lossy().to_string();
        first.trim_end_matches(".rs").to_string()
    };
    let modules: BTreeSet<String> = files.iter().map(|p| module_of(p)).filter(|m| m != "lib").collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for path in &files {
        let from = module_of(path);
        if from == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("readable source");
        let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                // `crate::{a, b::c}`: every first segment in the group.
                Some(group) => group
                    .split('}')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|s| s.trim().split("::").next().unwrap_or_default())
                    .collect(),
                None => vec![rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default()],
            };
            for name in names {
                let to = defining_module(name.trim());
                if to != from && modules.contains(to) {
                    graph.get_mut(&from).expect("a module").insert(to.to_string());
                }
            }
        }
    }
    graph
}

/// A cycle through the graph, if there is one, as the modules along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|m| visit(m, graph, &mut done, &mut Vec::new()))
}

#[test]
fn core_modules_have_no_import_cycle() {
    let graph = module_graph();
    assert!(graph.len() > 20, "the core's modules were not found: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between core modules: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph = module_graph();
    // registry is below writes: a reference back up closes a cycle.
    graph.get_mut("registry").expect("registry").insert("writes".into());
    let cycle = find_cycle(&graph).expect("a cycle");
    assert!(cycle.contains(&"registry".to_string()) && cycle.contains(&"writes".to_string()), "{cycle:?}");
}

/// The module map in docs/ARCHITECTURE.md: its table's modules, in order.
fn documented_order() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ARCHITECTURE.md");
    let text = std::fs::read_to_string(path).expect("docs/ARCHITECTURE.md");
    let map = text.split("Module map (`crates/core/src`)").nth(1).expect("the module map");
    map.lines()
        .skip_while(|l| !l.starts_with("| module |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|l| {
            let first = l.split('|').nth(1).unwrap_or_default().to_string();
            first.split(',').map(|m| m.trim().trim_matches('`').to_string()).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_documented_module_map_lists_every_module_bottom_up() {
    let graph = module_graph();
    let order = documented_order();
    let listed: BTreeSet<String> = order.iter().cloned().collect();
    let actual: BTreeSet<String> = graph.keys().cloned().collect();
    assert_eq!(listed, actual, "docs/ARCHITECTURE.md's module map vs crates/core/src");
    let rank = |m: &str| order.iter().position(|o| o == m).expect("listed");
    for (from, tos) in &graph {
        for to in tos {
            // A module names only modules listed before it.
            assert!(rank(to) <= rank(from), "{from} names {to}, which the module map lists above it");
        }
    }
}
