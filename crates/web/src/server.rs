//! Binding and running the server.
//!
//! [`BoundServer::bind`] binds first and serves later, so the caller learns the real
//! port (with `--listen 127.0.0.1:0`) and can print the URL before any request comes.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::{Json, Router};
use leadguard_core::api::{Context, Host};
use leadguard_core::{ApiError, Reason};
use tokio::net::TcpListener;

use crate::api_route::{self, ApiState};
use crate::guard::{self, Guard};

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The built UI (`ui/dist`); `None` serves the API only.
    pub ui_dir: Option<PathBuf>,
    /// Access token; `None` generates a random one.
    pub token: Option<String>,
    /// Allow a non-loopback listen address (the API then is reachable from the network,
    /// still behind the token).
    pub allow_non_loopback: bool,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("refusing to listen on {0}: not a loopback address (pass --allow-non-loopback to insist)")]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("{0} has no index.html: build the UI first (scripts/ui-build.sh)")]
    NoUi(PathBuf),
    #[error("invalid access token: {0}")]
    Token(#[from] guard::TokenError),
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A server bound to its port, not yet serving.
pub struct BoundServer {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    token: String,
}

impl BoundServer {
    /// Validates the configuration and binds the listening socket.
    pub async fn bind(ctx: Context, config: ServerConfig) -> Result<BoundServer, ServeError> {
        if !config.listen.ip().is_loopback() && !config.allow_non_loopback {
            return Err(ServeError::NotLoopback(config.listen));
        }
        let token = match config.token {
            Some(t) => {
                guard::validate_token(&t)?;
                t
            }
            None => guard::random_token(),
        };
        if let Some(dir) = &config.ui_dir {
            if !dir.join("index.html").is_file() {
                return Err(ServeError::NoUi(dir.clone()));
            }
        }
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServeError::Bind { addr: config.listen, source })?;
        let addr = listener.local_addr()?;
        let guard = Arc::new(Guard::new(addr, token.clone()));
        let router = router(ctx, guard, config.ui_dir.as_deref());
        Ok(BoundServer { listener, router, addr, token })
    }

    /// The bound address (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The URL to open: this server's origin with the token in the query.
    pub fn url(&self) -> String {
        let host = if self.addr.ip().is_unspecified() {
            format!("127.0.0.1:{}", self.addr.port())
        } else {
            self.addr.to_string()
        };
        format!("http://{host}/?token={}", self.token)
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServeError> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await?;
        Ok(())
    }
}

fn router(ctx: Context, guard: Arc<Guard>, ui_dir: Option<&Path>) -> Router {
    let state = ApiState { host: Arc::new(Host::from_context(ctx)), guard: guard.clone() };
    let api = Router::new()
        .route("/api/{cmd}", post(api_route::call).fallback(api_route::method_not_allowed))
        .route("/api/{cmd}/{*rest}", any(api_route::not_found))
        .route("/api", any(api_route::not_found))
        .route("/api/", any(api_route::not_found))
        .layer(DefaultBodyLimit::max(crate::MAX_BODY_BYTES))
        .with_state(state);
    let app = match ui_dir {
        Some(dir) => api.merge(crate::static_files::router(dir)),
        None => api.fallback(no_ui),
    };
    app.layer(middleware::from_fn_with_state(guard, host_check))
        .layer(middleware::from_fn(crate::headers::security_headers))
}

async fn no_ui() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(ApiError::from(Reason::UiMissing { detail: "this server was started without --ui; only /api/* is served".into() })),
    )
        .into_response()
}

/// Middleware: every request (static files too) must name this server in Host.
async fn host_check(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    if let Err(rejection) = guard.check_host(host) {
        return (StatusCode::FORBIDDEN, Json(rejection.to_api_error())).into_response();
    }
    next.run(req).await
}
