//! Security headers on every response.
//!
//! The CSP is the one the Tauri window uses (no `unsafe-eval`, scripts only from this
//! origin); `style-src 'unsafe-inline'` is needed because Ant Design injects its
//! CSS-in-JS styles as `<style>` elements. `Referrer-Policy: no-referrer` keeps the
//! access token in the page URL from leaking to any other site.

use axum::http::{header, HeaderValue};
use axum::{extract::Request, middleware::Next, response::Response};

/// The Content-Security-Policy of the UI (keep equal to `src-tauri/tauri.conf.json`'s,
/// minus the Tauri IPC sources).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

/// Middleware: adds the security headers; API responses are never cached.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    if is_api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
