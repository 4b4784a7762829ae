//! Enrolment tokens and device credentials.
//!
//! Both are 256-bit random strings shown exactly once. The hub stores only their
//! SHA-256, so a copy of the hub database does not let anyone sync as a device;
//! lookups go by the hash (an indexed equality), never by comparing secrets.

use sha2::{Digest, Sha256};

/// Prefix of one-time enrolment tokens (recognisable when pasted in the wrong place).
pub const TOKEN_PREFIX: &str = "lge_";
/// Prefix of long-lived device credentials.
pub const CREDENTIAL_PREFIX: &str = "lgd_";

/// The operating system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("no randomness available from the operating system: {0}")]
pub struct RandomnessError(String);

/// A fresh secret: `prefix` then 64 hex digits.
pub fn generate(prefix: &str) -> Result<String, RandomnessError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RandomnessError(e.to_string()))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

/// A short random identifier (16 hex digits), e.g. for device ids.
pub fn short_id() -> Result<String, RandomnessError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| RandomnessError(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// SHA-256 of a secret, as stored.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_prefixed_and_hashed() {
        let a = generate(TOKEN_PREFIX).unwrap();
        let b = generate(TOKEN_PREFIX).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("lge_") && a.len() == 4 + 64);
        assert_eq!(digest(&a).len(), 32);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(short_id().unwrap().len(), 16);
    }
}
