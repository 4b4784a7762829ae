/// Why sealing, opening, digesting or reading keys failed. Stable variants: callers
/// map them to their own reasons (a sealed value that does not open is evidence of
/// tampering or a wrong key, never a crash).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// Not of the form `s1:<base64url>` with room for a nonce and a tag.
    #[error("not a sealed value")]
    Malformed,
    /// The value does not open with this key for this lead and field: a wrong key,
    /// or a value altered or moved from another lead or field.
    #[error("the sealed value does not open with this key for this lead and field")]
    DoesNotOpen,
    /// The opened bytes are not UTF-8 text.
    #[error("the sealed value is not text")]
    NotText,
    /// A key is not 64 hex digits.
    #[error("a key must be 64 hex digits")]
    BadKey,
    /// Digest cost parameters outside what Argon2 accepts or we allow.
    #[error("digest parameters out of range: {0}")]
    BadParams(&'static str),
    /// The key file is not in the expected form.
    #[error("key file: {0}")]
    BadKeyFile(String),
    /// Reading or writing the key file failed.
    #[error("key file: {0}")]
    Io(String),
    /// The operating system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
}
