//! Who may call the API of a loopback server.
//!
//! Binding to 127.0.0.1 keeps other machines out, but not other web pages: any page
//! the user has open can send requests to `http://127.0.0.1:PORT`, and a DNS-rebinding
//! page can even make them same-origin under its own host name. Three checks close that:
//!
//! - **Host** must name this server (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`
//!   or the listen address): a rebinding page's requests carry its own host name.
//! - **Origin**, when the browser sends one, must be this server's origin: cross-site
//!   requests are refused before the command runs (a rejected CORS preflight alone
//!   would not stop a "simple" POST from running).
//! - **Token**: a per-run random secret, given to the user in the printed URL and sent
//!   by the UI in the [`crate::TOKEN_HEADER`] header, which a foreign page cannot know.

use std::net::SocketAddr;

use leadguard_core::{ApiError, Reason};

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("Host header {0:?} does not name this server")]
    ForeignHost(Option<String>),
    #[error("cross-origin request from {0:?} refused")]
    ForeignOrigin(String),
    #[error("missing or wrong access token: open the URL printed by `leadguard serve`")]
    BadToken,
}

impl Rejection {
    /// 401 for a missing token (the user can fix it by opening the printed URL),
    /// 403 for requests that come from somewhere else.
    pub fn status(&self) -> u16 {
        match self {
            Rejection::BadToken => 401,
            Rejection::ForeignHost(_) | Rejection::ForeignOrigin(_) => 403,
        }
    }

    pub fn to_api_error(&self) -> ApiError {
        ApiError::from(match self {
            Rejection::BadToken => Reason::TokenInvalid {},
            _ => Reason::RequestRefused { detail: self.to_string() },
        })
    }
}

/// The checks for one running server.
#[derive(Debug, Clone)]
pub struct Guard {
    token: String,
    hosts: Vec<String>,
}

impl Guard {
    /// A guard for a server listening on `addr` with access token `token`.
    pub fn new(addr: SocketAddr, token: impl Into<String>) -> Guard {
        let port = addr.port();
        let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
        if !addr.ip().is_unspecified() {
            let own = addr.to_string();
            if !hosts.contains(&own) {
                hosts.push(own);
            }
        }
        Guard { token: token.into(), hosts }
    }

    /// The `host:port` values this server answers to.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// Checks the Host header (every request, static files included).
    pub fn check_host(&self, host: Option<&str>) -> Result<(), Rejection> {
        match host {
            Some(h) if self.hosts.iter().any(|a| a.eq_ignore_ascii_case(h)) => Ok(()),
            other => Err(Rejection::ForeignHost(other.map(str::to_owned))),
        }
    }

    /// Checks the Origin header of an API call. No Origin (curl, scripts) is accepted:
    /// browsers always send one on cross-origin POSTs, and the token is still required.
    pub fn check_origin(&self, origin: Option<&str>) -> Result<(), Rejection> {
        let Some(origin) = origin else { return Ok(()) };
        let ok = origin
            .strip_prefix("http://")
            .is_some_and(|host| self.hosts.iter().any(|a| a.eq_ignore_ascii_case(host)));
        if ok {
            Ok(())
        } else {
            Err(Rejection::ForeignOrigin(origin.to_owned()))
        }
    }

    /// Checks the access token, in time independent of where the first difference is.
    pub fn check_token(&self, token: Option<&str>) -> Result<(), Rejection> {
        match token {
            Some(t) if constant_time_eq(t.as_bytes(), self.token.as_bytes()) => Ok(()),
            _ => Err(Rejection::BadToken),
        }
    }

    /// All API checks, in order: host, origin, token.
    pub fn check_api(&self, host: Option<&str>, origin: Option<&str>, token: Option<&str>) -> Result<(), Rejection> {
        self.check_host(host)?;
        self.check_origin(origin)?;
        self.check_token(token)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Unequal lengths answer at once: the length of a token is no secret.
    bool::from(subtle::ConstantTimeEq::ct_eq(a, b))
}

/// A fresh random token from the OS generator: 40 hex digits (160 random bits).
pub fn random_token() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    hex::encode(bytes)
}

/// Why a token given with `--token` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token must be at least 16 characters")]
    TooShort,
    #[error("the access token may only contain letters, digits, '-' and '_'")]
    NotUrlSafe,
}

/// A token given with `--token` must be URL-safe and long enough not to be guessed.
pub fn validate_token(token: &str) -> Result<(), TokenError> {
    if token.len() < 16 {
        return Err(TokenError::TooShort);
    }
    if !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(TokenError::NotUrlSafe);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard::new("127.0.0.1:4321".parse().unwrap(), "secret-token-0123456789")
    }

    #[test]
    fn loopback_names_of_this_port_are_accepted_as_host() {
        let g = guard();
        for h in ["127.0.0.1:4321", "localhost:4321", "LOCALHOST:4321", "[::1]:4321"] {
            assert_eq!(g.check_host(Some(h)), Ok(()), "{h}");
        }
    }

    #[test]
    fn rebinding_hosts_and_other_ports_are_refused() {
        let g = guard();
        for h in ["evil.example:4321", "127.0.0.1:80", "127.0.0.1", "localhost"] {
            assert!(matches!(g.check_host(Some(h)), Err(Rejection::ForeignHost(_))), "{h}");
        }
        assert!(g.check_host(None).is_err());
    }

    #[test]
    fn same_origin_or_no_origin_is_accepted_and_foreign_origins_refused() {
        let g = guard();
        assert_eq!(g.check_origin(None), Ok(()));
        assert_eq!(g.check_origin(Some("http://127.0.0.1:4321")), Ok(()));
        assert_eq!(g.check_origin(Some("http://localhost:4321")), Ok(()));
        for o in ["null", "https://127.0.0.1:4321", "http://evil.example", "http://127.0.0.1:4322"] {
            assert!(matches!(g.check_origin(Some(o)), Err(Rejection::ForeignOrigin(_))), "{o}");
        }
    }

    #[test]
    fn only_the_exact_token_is_accepted() {
        let g = guard();
        assert_eq!(g.check_token(Some("secret-token-0123456789")), Ok(()));
        assert_eq!(g.check_token(Some("secret-token-012345678")), Err(Rejection::BadToken));
        assert_eq!(g.check_token(Some("secret-token-0123456788")), Err(Rejection::BadToken));
        assert_eq!(g.check_token(None), Err(Rejection::BadToken));
    }

    #[test]
    fn a_non_loopback_listen_address_is_also_a_valid_host() {
        let g = Guard::new("192.168.1.5:8080".parse().unwrap(), "t");
        assert_eq!(g.check_host(Some("192.168.1.5:8080")), Ok(()));
        let any = Guard::new("0.0.0.0:8080".parse().unwrap(), "t");
        assert!(any.check_host(Some("0.0.0.0:8080")).is_err());
    }

    #[test]
    fn random_tokens_are_long_distinct_and_valid() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 40);
        assert_eq!(validate_token(&a), Ok(()));
    }

    #[test]
    fn weak_or_unsafe_tokens_are_refused() {
        assert_eq!(validate_token("short"), Err(TokenError::TooShort));
        assert_eq!(validate_token("has space in it 123456"), Err(TokenError::NotUrlSafe));
        assert_eq!(validate_token("a/b?c=d&0123456789"), Err(TokenError::NotUrlSafe));
    }
}
