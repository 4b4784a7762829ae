//! Drives the `api` command through Tauri's real IPC path (mock runtime, no
//! display) with the app's real configuration and capabilities compiled in:
//! what the webview sends is what these requests send.

use leadguard_core::{ApiError, ErrorCode};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

/// The app as it starts for real: one event-loop iteration runs Tauri's setup,
/// which creates the configured windows and the app's own setup hook.
fn app(data: &std::path::Path) -> App<MockRuntime> {
    let mut app = leadguard_app::builder(mock_builder(), Some(data.to_path_buf()))
        .build(leadguard_app::context())
        .expect("app builds with the real context");
    #[allow(deprecated)] // the one-shot iteration is exactly what a test needs
    app.run_iteration(|_, _| {});
    app
}

fn main_window(app: &App<MockRuntime>) -> WebviewWindow<MockRuntime> {
    app.get_webview_window("main").expect("the config declares the main window")
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().expect("JSON response"))
}

#[test]
fn api_command_reaches_the_core() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(tmp.path());
    let info = invoke(&main_window(&app), "api", json!({ "cmd": "app_info", "args": null })).unwrap();
    assert_eq!(info["name"], "Leadguard");
    assert_eq!(info["data_dir"], tmp.path().display().to_string());
}

#[test]
fn absent_args_mean_null() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(tmp.path());
    let info = invoke(&main_window(&app), "api", json!({ "cmd": "app_info" })).unwrap();
    assert_eq!(info["name"], "Leadguard");
}

#[test]
fn errors_come_back_typed_with_a_stable_code() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(tmp.path());
    let raw = invoke(&main_window(&app), "api", json!({ "cmd": "no_such_command", "args": null })).unwrap_err();
    // The whole ApiError crosses the bridge: code, typed reason and params, message.
    assert_eq!(raw["reason"], "unknown_command", "{raw}");
    assert_eq!(raw["params"], json!({ "command": "no_such_command" }), "{raw}");
    let err: ApiError = serde_json::from_value(raw.clone()).unwrap_or_else(|e| panic!("{raw} is not an ApiError: {e}"));
    assert_eq!(err.code, ErrorCode::UnknownCommand);
    assert_eq!(err.reason, leadguard_core::Reason::UnknownCommand { command: "no_such_command".into() });
    assert_eq!(serde_json::to_value(err.code).unwrap(), "unknown_command");

    let err = invoke(&main_window(&app), "api", json!({ "cmd": "app_info", "args": { "unexpected": 1 } }));
    // `app_info` takes no arguments: an object is not `()`.
    let err: ApiError = serde_json::from_value(err.unwrap_err()).unwrap();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
}

#[test]
fn only_the_main_window_may_call_api() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(tmp.path());
    let other = WebviewWindowBuilder::new(&app, "other", Default::default()).build().unwrap();
    let denied = invoke(&other, "api", json!({ "cmd": "app_info", "args": null })).unwrap_err();
    assert!(denied.to_string().contains("not allowed"), "{denied}");
}

#[test]
fn no_other_command_or_plugin_is_exposed() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(tmp.path());
    let main = main_window(&app);
    for cmd in ["app_info", "plugin:fs|read_file", "plugin:shell|execute", "plugin:window|close"] {
        let err = invoke(&main, cmd, json!({})).unwrap_err();
        assert!(!err.is_null(), "{cmd} must be refused");
    }
}
