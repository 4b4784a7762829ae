//! `leadguard serve`: the web UI and the API on loopback, for a browser.
//!
//! The first line on stdout is the URL to open (with the per-run access token), so
//! scripts and tests can read it; everything else goes to stderr. Runs until Ctrl-C
//! or SIGTERM, then lets requests in flight finish.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use leadguard_core::api::Context;
use leadguard_core::{ApiError, Reason};
use leadguard_web::{BoundServer, ServeError, ServerConfig};

/// Arguments of `leadguard serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. Loopback only unless
    /// --allow-non-loopback is given.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The built web UI directory (ui/dist). Without it only /api/* is served.
    #[arg(long, env = "LEADGUARD_UI")]
    ui: Option<PathBuf>,
    /// Access token (16+ URL-safe characters); a random one is made when omitted.
    #[arg(long, env = "LEADGUARD_WEB_TOKEN")]
    token: Option<String>,
    /// Open the URL in the default browser.
    #[arg(long)]
    open: bool,
    /// Allow listening on a non-loopback address (the token still guards the API).
    #[arg(long)]
    allow_non_loopback: bool,
}

fn to_api_error(e: ServeError) -> ApiError {
    let detail = e.to_string();
    ApiError::from(match &e {
        ServeError::NotLoopback(_) | ServeError::Token(_) | ServeError::Bind { .. } => Reason::BadArguments { detail },
        ServeError::NoUi(_) => Reason::UiMissing { detail },
        ServeError::Io(_) => Reason::Internal { detail },
    })
}

/// Serves `ctx` until interrupted; returns `{"stopped": true, "url": ...}`.
pub fn run(ctx: Context, args: ServeArgs) -> Result<serde_json::Value, ApiError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::from(Reason::Internal { detail: format!("tokio runtime: {e}") }))?;
    runtime.block_on(async move {
        let config = ServerConfig {
            listen: args.listen,
            ui_dir: args.ui,
            token: args.token,
            allow_non_loopback: args.allow_non_loopback,
        };
        let server = BoundServer::bind(ctx, config).await.map_err(to_api_error)?;
        let url = server.url();
        let mut out = std::io::stdout().lock();
        writeln!(out, "{url}").and_then(|()| out.flush()).map_err(|e| ApiError::from(Reason::Internal { detail: e.to_string() }))?;
        drop(out);
        eprintln!("Leadguard web UI on {} — open the URL above; Ctrl-C stops it.", server.addr());
        if args.open {
            open_browser(&url);
        }
        server.serve(shutdown_signal()).await.map_err(to_api_error)?;
        Ok(serde_json::json!({ "stopped": true, "url": url }))
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else {
        std::process::Command::new("xdg-open")
    };
    if let Err(e) = cmd.arg(url).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn() {
        eprintln!("could not open a browser ({e}); open the URL yourself");
    }
}
