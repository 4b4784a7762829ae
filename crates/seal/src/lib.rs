//! Sealed personal fields and keyed digests: how a laptop can hold every customer of
//! the company for duplicate checks while only the people entitled to a customer can
//! read who it is and how to reach them (docs/VISIBILITY.md).
//!
//! * [`seal`] / [`open`]: a field value encrypted under the lead's own key
//!   ([`LeadKey`], XChaCha20-Poly1305, random nonce) with the lead id and field name as
//!   associated data, so a sealed value cannot be moved to another lead or field. The
//!   wire form is a plain string, `s1:<base64url>`, that fits inside an event's JSON.
//! * [`Digester`]: a keyed, deliberately slow (Argon2id with the company's digest key
//!   as its secret) digest of a *normalised* value, equal for equal inputs, so leads
//!   match on phone, e-mail or contact without either side reading the other. The
//!   caller normalises; this crate only hashes.
//! * [`mask_phone`]: the display form `139****3333`.
//! * [`CompanyKeys`]: the keys a device receives at enrolment, kept in a key file
//!   beside (not inside) the registry, readable only by its user.
//!
//! Errors are typed ([`SealError`]); nothing here panics on hostile input.

mod digest;
mod error;
mod keyfile;
mod keys;
mod mask;
mod sealed;

pub use digest::{DigestKind, DigestParams, Digester, DIGEST_HEX_LEN};
pub use error::SealError;
pub use keyfile::CompanyKeys;
pub use keys::{DigestKey, LeadKey, SealingKey, StaffKey};
pub use mask::mask_phone;
pub use sealed::{is_sealed, open, seal, SEALED_PREFIX};
