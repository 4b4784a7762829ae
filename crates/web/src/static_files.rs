//! The built UI: files from the dist directory, and `index.html` for client-side
//! routes (a path without a file extension), so a reload on a deep link works.
//! A missing asset (a path with an extension) is a plain 404, never HTML in its place.

use std::path::{Path, PathBuf};

use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tower_http::services::ServeDir;

/// Routes serving `dir`.
pub fn router(dir: &Path) -> Router {
    let index: PathBuf = dir.join("index.html");
    let fallback = move |uri: Uri| {
        let index = index.clone();
        async move { spa_fallback(uri, &index).await }
    };
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .fallback(axum::handler::HandlerWithoutStateExt::into_service(fallback));
    Router::new().fallback_service(files)
}

async fn spa_fallback(uri: Uri, index: &Path) -> Response {
    let last = uri.path().rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match tokio::fs::read_to_string(index).await {
        Ok(html) => ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{}: {e}", index.display())).into_response(),
    }
}
