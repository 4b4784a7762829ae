//! Build script: declares the app's only command so Tauri generates an app-level
//! permission for it (`allow-api`). With an app manifest present, Tauri refuses
//! every app command a capability does not grant — the webview can call `api`
//! from the main window and nothing else.

fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/index.html");
    if !dist.exists() {
        // tauri's context macro embeds ui/dist; fail with the fix rather than its message.
        println!(
            "cargo:warning=ui/dist is missing: build the UI first with `make ui-build` (scripts/ui-build.sh)"
        );
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["api"])),
    )
    .expect("tauri-build failed");
}
