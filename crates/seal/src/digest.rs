//! Keyed, deliberately slow digests of normalised values.
//!
//! Argon2id with the company's digest key as its secret and a fixed salt per kind of
//! value: equal inputs give equal digests on every device (that is what lets two leads
//! match without either side reading the other), a copied registry without the key
//! gives nothing, and whoever holds the key pays the full cost per guess — bulk
//! recovery of a branch's phones from a dictionary takes core-months at the default
//! cost, a typing check a few milliseconds. `make bench-seal` prints the figures.

use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::SealError;
use crate::keys::DigestKey;

/// Length of a digest in hex (16 bytes).
pub const DIGEST_HEX_LEN: usize = 32;

/// What a digest is of; each kind hashes with its own salt, so a phone and an
/// e-mail that happen to share text never share a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestKind {
    Phone,
    Email,
    Contact,
    Company,
}

impl DigestKind {
    fn salt(self) -> &'static [u8] {
        match self {
            DigestKind::Phone => b"leadguard/digest/phone",
            DigestKind::Email => b"leadguard/digest/email",
            DigestKind::Contact => b"leadguard/digest/contact",
            DigestKind::Company => b"leadguard/digest/company",
        }
    }
}

/// Argon2id cost: memory in KiB and passes. Part of the company's keys, so every
/// device and the hub use the same (a digest under other parameters never matches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestParams {
    pub memory_kib: u32,
    pub passes: u32,
}

impl DigestParams {
    /// Chosen with `make bench-seal` on a 2-core laptop: ≈10 ms per digest.
    pub const DEFAULT: DigestParams = DigestParams { memory_kib: 8 * 1024, passes: 2 };
    /// For tests only: the same construction at negligible cost.
    pub const TEST: DigestParams = DigestParams { memory_kib: 64, passes: 1 };

    pub fn check(self) -> Result<Self, SealError> {
        if !(8..=1024 * 1024).contains(&self.memory_kib) {
            return Err(SealError::BadParams("memory must be 8 KiB to 1 GiB"));
        }
        if !(1..=16).contains(&self.passes) {
            return Err(SealError::BadParams("passes must be 1 to 16"));
        }
        Ok(self)
    }
}

/// Computes digests under one key and cost.
pub struct Digester {
    key: DigestKey,
    params: Params,
}

impl std::fmt::Debug for Digester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Digester").field("m_kib", &self.params.m_cost()).field("t", &self.params.t_cost()).finish()
    }
}

impl Digester {
    pub fn new(key: DigestKey, params: DigestParams) -> Result<Self, SealError> {
        let p = params.check()?;
        let params = Params::new(p.memory_kib, p.passes, 1, Some(16)).map_err(|_| SealError::BadParams("rejected by Argon2"))?;
        Ok(Digester { key, params })
    }

    /// The digest of `normalised` (the caller's normal form: a phone's national
    /// number, a lower-cased e-mail, ...) as 32 hex digits. Empty input has no digest.
    pub fn digest(&self, kind: DigestKind, normalised: &str) -> Option<String> {
        if normalised.is_empty() {
            return None;
        }
        let argon = Argon2::new_with_secret(self.key.bytes(), Algorithm::Argon2id, Version::V0x13, self.params.clone())
            .expect("a 32-byte secret is within Argon2's limits");
        let mut out = [0u8; 16];
        argon
            .hash_password_into(normalised.as_bytes(), kind.salt(), &mut out)
            .expect("salt, output length and parameters were checked in Digester::new");
        Some(hex::encode(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> DigestKey {
        DigestKey::from_hex(&format!("{byte:02x}").repeat(32)).unwrap()
    }

    #[test]
    fn equal_inputs_digest_alike_and_kinds_differ() {
        let d = Digester::new(key(1), DigestParams::TEST).unwrap();
        let a = d.digest(DigestKind::Phone, "13912343333").unwrap();
        assert_eq!(a.len(), DIGEST_HEX_LEN);
        assert_eq!(d.digest(DigestKind::Phone, "13912343333").unwrap(), a);
        assert_ne!(d.digest(DigestKind::Phone, "13912343334").unwrap(), a);
        assert_ne!(d.digest(DigestKind::Contact, "13912343333").unwrap(), a);
        assert_eq!(d.digest(DigestKind::Email, ""), None);
    }

    #[test]
    fn another_company_key_gives_another_digest() {
        let a = Digester::new(key(1), DigestParams::TEST).unwrap().digest(DigestKind::Phone, "13912343333");
        let b = Digester::new(key(2), DigestParams::TEST).unwrap().digest(DigestKind::Phone, "13912343333");
        assert_ne!(a, b);
    }

    #[test]
    fn cost_parameters_out_of_range_are_refused() {
        for p in [DigestParams { memory_kib: 0, passes: 1 }, DigestParams { memory_kib: 64, passes: 0 }, DigestParams { memory_kib: 64, passes: 99 }] {
            assert!(matches!(Digester::new(key(1), p), Err(SealError::BadParams(_))), "{p:?}");
        }
    }

    /// Frozen: a digest stored in a registry must be recomputed identically by every
    /// later version, or leads stop matching after an upgrade.
    #[test]
    fn digest_golden_value_is_frozen() {
        let d = Digester::new(key(7), DigestParams::TEST).unwrap();
        assert_eq!(d.digest(DigestKind::Phone, "13912343333").unwrap(), GOLDEN_PHONE_DIGEST);
    }
    const GOLDEN_PHONE_DIGEST: &str = "13d2ba125cfa1e9c445e910b387c5c5e";
}
