//! The Leadguard sync hub.
//!
//! Laptops push the registry changes they made offline and pull what they lack
//! (protocol: `leadguard_protocol`). The hub stores Automerge changes as opaque,
//! validated bytes keyed by hash, each with its document and scope; it reads lead
//! data only to check a change's schema and authorship (`authorship`). It stamps the time it first received each change and the
//! pushing device's last successful sync: together they bound the evidence window
//! of every offline claim (docs/RULES.md, time and trust).
//!
//! Modules: [`store`] (SQLite: devices, tokens, change log), [`scope`] (who may
//! read/write what), [`validate`] (push checks), [`http`] (endpoints), [`secret`]
//! (tokens and credentials, stored hashed), [`metrics`] (`/metrics`), `store::ops`
//! (backup, restore, the hub's epoch), [`entitlement`] (who receives a lead's key).

pub mod admin;
pub mod admission;
pub mod authorship;
pub mod case_rights;
pub mod check;
pub mod entitlement;
pub mod error;
pub mod http;
pub mod metrics;
pub mod scope;
pub mod secret;
pub mod store;
pub mod validate;

pub use error::HubError;
pub use store::Store;

use std::sync::Arc;

/// The HTTP application over an opened store.
pub fn app(store: Arc<Store>) -> axum::Router {
    http::router(store)
}

/// Connections the kernel holds for the hub before it accepts them (capped by
/// `net.core.somaxconn`, 4096 on current kernels).
///
/// Why: tokio and the standard library listen with a backlog of 128. When hundreds of
/// laptops connect in the same moment (the working day starts, the network comes
/// back, the hub restarts), a handshake that finds the queue full before the hub
/// accepts is dropped and its laptop's request waits for TCP's retransmission — 200 ms,
/// then 400 ms, … (`make bench-hub`: 500 laptops at once, 171 handshakes dropped in one
/// run, none since).
pub const LISTEN_BACKLOG: u32 = 4096;

/// A listener on `address` (`host:port`; port 0 for a free one) with [`LISTEN_BACKLOG`]:
/// the first of its resolved addresses that binds.
pub async fn listen(address: &str) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host(address).await? {
        let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
        // As tokio's own bind: a restarted hub rebinds its port at once.
        socket.set_reuseaddr(true)?;
        match socket.bind(addr).and_then(|()| socket.listen(LISTEN_BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{address}: no address to listen on"))))
}

/// Serves `store` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, store, http::ServeOptions::default(), shutdown).await
}

/// [`serve`] as `options` say.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
    options: http::ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = http::router_configured(store, Arc::new(metrics::Metrics::new()), options);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    /// Hundreds of laptops connecting in the same instant all get through the handshake
    /// while the hub is busy and accepts none of them: their connections wait in the
    /// kernel's queue, none is dropped to wait for TCP's retransmission (with the
    /// standard backlog of 128 the 130th would).
    #[test]
    fn hundreds_of_laptops_connecting_at_once_are_queued_not_dropped() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let listener = runtime.block_on(super::listen("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        // Every connection stays open (and unaccepted) until the end of the test.
        let mut held = Vec::new();
        for n in 0..400 {
            // A loopback handshake takes microseconds; a dropped one is retried after 1 s.
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
                Ok(stream) => held.push(stream),
                Err(e) => panic!("laptop {n} was not let in while the hub accepted nothing: {e}"),
            }
        }
    }

    #[test]
    fn a_listen_address_that_does_not_resolve_is_an_error_not_a_panic() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        assert!(runtime.block_on(super::listen("no-such-host.invalid:0")).is_err());
        assert!(runtime.block_on(super::listen("127.0.0.1")).is_err(), "a port is required");
    }
}
