//! One field value sealed under its lead's key (contact fields) or the company's staff
//! key (what employees see and distributors do not).
//!
//! Form: `s1:` then base64url (no padding) of `nonce (24 bytes) ‖ ciphertext ‖ tag (16)`.
//! The associated data binds the value to its lead and field, so a sealed phone copied
//! into another lead, or into the contact field, no longer opens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::error::SealError;
use crate::keys::SealingKey;

/// Every sealed value starts with this (the version is part of it).
pub const SEALED_PREFIX: &str = "s1:";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

fn associated_data(lead_id: &str, field: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(24 + lead_id.len() + field.len());
    aad.extend_from_slice(b"leadguard/seal/v1\0");
    aad.extend_from_slice(lead_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(field.as_bytes());
    aad
}

/// Whether `value` has the sealed form's prefix (it may still fail to open).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(SEALED_PREFIX)
}

/// Seals `plain` for `field` of `lead_id`.
pub fn seal(key: &impl SealingKey, lead_id: &str, field: &str, plain: &str) -> Result<String, SealError> {
    let cipher = XChaCha20Poly1305::new(key.sealing_bytes().into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let aad = associated_data(lead_id, field);
    let sealed = cipher
        .encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: &aad })
        .map_err(|_| SealError::Random("encryption failed".into()))?;
    let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    Ok(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Opens a value [`seal`] made for the same lead and field.
pub fn open(key: &impl SealingKey, lead_id: &str, field: &str, sealed: &str) -> Result<String, SealError> {
    let body = sealed.strip_prefix(SEALED_PREFIX).ok_or(SealError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| SealError::Malformed)?;
    if bytes.len() < NONCE_LEN + TAG_LEN {
        return Err(SealError::Malformed);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.sealing_bytes().into());
    let aad = associated_data(lead_id, field);
    let plain = cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad })
        .map_err(|_| SealError::DoesNotOpen)?;
    String::from_utf8(plain).map_err(|_| SealError::NotText)
}
