//! 256-bit keys: made from the OS random source, shown as 64 hex digits, compared in
//! constant time, wiped from memory when dropped.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::SealError;

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; 32]);

        impl $name {
            /// A fresh random key.
            pub fn generate() -> Result<Self, SealError> {
                let mut k = [0u8; 32];
                getrandom::getrandom(&mut k).map_err(|e| SealError::Random(e.to_string()))?;
                Ok($name(k))
            }

            /// Parses 64 hex digits.
            pub fn from_hex(s: &str) -> Result<Self, SealError> {
                let mut k = [0u8; 32];
                hex::decode_to_slice(s.trim(), &mut k).map_err(|_| SealError::BadKey)?;
                Ok($name(k))
            }

            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }

            pub(crate) fn bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.ct_eq(&other.0).into()
            }
        }
        impl Eq for $name {}

        // Never print key material (logs, panics, debug output).
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(…)"))
            }
        }
    };
}

key_type!(
    /// The key of one lead's personal fields; goes only to devices entitled to the lead.
    LeadKey
);
key_type!(
    /// The company's digest key: the secret of every match digest.
    DigestKey
);
key_type!(
    /// The company's staff key: seals what employees see and distributors do not.
    StaffKey
);

/// A key that seals field values: a lead's key or the staff key, never the digest key
/// (one key, one purpose).
pub trait SealingKey: sealed_trait::Sealed {
    #[doc(hidden)]
    fn sealing_bytes(&self) -> &[u8; 32];
}
impl SealingKey for LeadKey {
    fn sealing_bytes(&self) -> &[u8; 32] {
        self.bytes()
    }
}
impl SealingKey for StaffKey {
    fn sealing_bytes(&self) -> &[u8; 32] {
        self.bytes()
    }
}
mod sealed_trait {
    pub trait Sealed {}
    impl Sealed for super::LeadKey {}
    impl Sealed for super::StaffKey {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_hex_and_differ() {
        let a = LeadKey::generate().unwrap();
        let b = LeadKey::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(LeadKey::from_hex(&a.to_hex()).unwrap(), a);
        assert_eq!(a.to_hex().len(), 64);
    }

    #[test]
    fn bad_hex_is_a_typed_error() {
        for s in ["", "zz", &"0".repeat(63), &"0".repeat(65), &"g".repeat(64)] {
            assert_eq!(LeadKey::from_hex(s).unwrap_err(), SealError::BadKey, "{s:?}");
        }
    }

    #[test]
    fn debug_output_hides_the_key() {
        let k = DigestKey::generate().unwrap();
        let shown = format!("{k:?}");
        assert!(!shown.contains(&k.to_hex()[..8]), "{shown}");
    }
}
