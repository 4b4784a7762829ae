//! The UI's TypeScript types are generated from the Rust command set. This test
//! regenerates them and fails if the committed copy in `ui/src/api/generated/`
//! differs. Run with `UPDATE_BINDINGS=1` to rewrite the committed copy.

use std::path::{Path, PathBuf};

fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "ts") {
                out.insert(
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn bindings_are_current() {
    let committed: PathBuf = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string())).join("../../ui/src/api/generated");
    let tmp = tempfile::tempdir().unwrap();
    let commands = leadguard_core::api::export_typescript(tmp.path()).unwrap();
    std::fs::write(tmp.path().join("commands.ts"), commands).unwrap();
    let fresh = read_tree(tmp.path());
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed).unwrap();
        for (name, text) in &fresh {
            std::fs::write(committed.join(name), text).unwrap();
        }
        return;
    }
    let old = read_tree(&committed);
    assert_eq!(
        old.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>(),
        "generated TypeScript files differ: run `make bindings`"
    );
    for (name, text) in &fresh {
        assert_eq!(&old[name], text, "ui/src/api/generated/{name} is stale: run `make bindings`");
    }
}
