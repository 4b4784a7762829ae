//! Field values: what text may be stored and shown.
//!
//! Values end up in terminals, tables and notifications on every laptop, so control
//! characters (terminal escapes) and bidi overrides (text that reads differently from
//! what it is) are refused everywhere; line breaks and tabs only in notes and other
//! free-text descriptions (a lead's need and notes, follow-up notes, decision reasons,
//! appeals), never in names, companies, phones or ids.

use crate::error::{refuse, Reason, Violation};

/// Longest single-line value (company, contact, phone, ...), in characters.
pub const MAX_LINE_CHARS: usize = 200;
/// Longest need description, in characters.
pub const MAX_NEED_CHARS: usize = 1000;
/// Longest note (follow-up note, notes field, decision reason, appeal), in characters.
pub const MAX_NOTE_CHARS: usize = 4000;
/// Longest name in the branch directory, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// Single line or note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// No line breaks or tabs.
    One,
    /// Line breaks (`\n`) and tabs allowed.
    Many,
}

/// True for characters no stored value may hold in any field.
pub fn is_forbidden_char(c: char) -> bool {
    let u = c as u32;
    u < 0x20 && c != '\n' && c != '\t'
        || (0x7f..=0x9f).contains(&u)
        || matches!(u, 0x061c | 0x200e | 0x200f | 0x2028 | 0x2029)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
}

/// Prefix of a sealed value (`leadguard-seal`: a field encrypted under its lead's key
/// or the staff key, docs/VISIBILITY.md).
pub const SEALED_PREFIX: &str = "s1:";
/// Nonce and tag around a sealed value's ciphertext, in bytes.
const SEAL_OVERHEAD: usize = 24 + 16;

/// The longest sealed form of a value of at most `max_chars` characters: four bytes a
/// character at most, plus nonce and tag, in unpadded base64.
pub fn max_sealed_len(max_chars: usize) -> usize {
    SEALED_PREFIX.len() + (SEAL_OVERHEAD + 4 * max_chars).div_ceil(3) * 4
}

/// Whether `value` has the sealed form: the prefix, then unpadded base64url of at
/// least a nonce and a tag. Only the form: replicas without the key cannot open it.
pub fn is_sealed_form(value: &str) -> bool {
    value.strip_prefix(SEALED_PREFIX).is_some_and(|body| {
        body.len() >= (SEAL_OVERHEAD * 4).div_ceil(3) && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Checks one text value of field `field`. A sealed value (see [`is_sealed_form`])
/// holds only base64url characters and is bounded by the sealed length of the field's
/// limit; anything else is checked as the text a person typed.
pub fn check(field: &str, value: &str, lines: Lines, max_chars: usize) -> Result<(), Violation> {
    if is_sealed_form(value) {
        let max = max_sealed_len(max_chars);
        if value.len() > max {
            return refuse(Reason::TooLong, format!("{field} is sealed to {} characters; the limit is {max}", value.len()));
        }
        return Ok(());
    }
    if let Some(c) = value.chars().find(|c| is_forbidden_char(*c) || (lines == Lines::One && matches!(c, '\n' | '\t'))) {
        return refuse(
            Reason::BadText,
            format!("{field} holds the character U+{:04X} (control characters and bidi overrides are not allowed{})", c as u32,
                if lines == Lines::One { "; line breaks only in notes" } else { "" }),
        );
    }
    let n = value.chars().count();
    if n > max_chars {
        return refuse(Reason::TooLong, format!("{field} is {n} characters; the limit is {max_chars}"));
    }
    Ok(())
}

/// The same text with every forbidden character (and line breaks when `lines` is
/// `One`) shown as `\u{..}`, for printing values that were stored before these rules.
pub fn escape(value: &str, lines: Lines) -> String {
    escape_with(value, lines, |c| format!("\\u{{{:x}}}", c as u32))
}

/// [`escape`] with the caller's notation for an escaped character (JSON output uses
/// `\uXXXX`; every forbidden character is in the Basic Multilingual Plane).
pub fn escape_with(value: &str, lines: Lines, notation: impl Fn(char) -> String) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if is_forbidden_char(c) || (lines == Lines::One && matches!(c, '\n' | '\t')) {
            out.push_str(&notation(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_is_bounded_by_the_sealed_length_of_its_field() {
        let body = |bytes: usize| "A".repeat((bytes * 4).div_ceil(3));
        let smallest = format!("s1:{}", body(40));
        assert!(is_sealed_form(&smallest));
        assert!(check("phone", &smallest, Lines::One, MAX_LINE_CHARS).is_ok());
        // A 200-character company sealed is far longer than 200 characters, and fits.
        let largest = format!("s1:{}", body(40 + 4 * MAX_LINE_CHARS));
        assert!(largest.len() > MAX_LINE_CHARS && largest.len() <= max_sealed_len(MAX_LINE_CHARS));
        assert!(check("company", &largest, Lines::One, MAX_LINE_CHARS).is_ok());
        let too_long = format!("{largest}AAAA");
        assert_eq!(check("company", &too_long, Lines::One, MAX_LINE_CHARS).unwrap_err().reason, Reason::TooLong);
        // Not the sealed form: checked as typed text (a person may type "s1: …").
        for typed in ["s1:", "s1: 见面再谈", "s1:AAAA", "s1:AAAA+AAAA"] {
            assert!(!is_sealed_form(typed), "{typed}");
        }
        assert!(check("notes", "s1: 见面再谈", Lines::Many, MAX_NOTE_CHARS).is_ok());
        assert_eq!(check("company", &format!("s1:{}", "x".repeat(300) + " "), Lines::One, MAX_LINE_CHARS).unwrap_err().reason, Reason::TooLong);
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_refused() {
        for bad in ["a\u{1b}[31mb", "x\u{202e}y", "\u{2066}", "a\u{0}", "\u{85}", "a\rb", "\u{7f}"] {
            assert_eq!(check("company", bad, Lines::Many, 100).unwrap_err().reason, Reason::BadText, "{bad:?}");
        }
        assert!(check("notes", "第一行\n第二行\t完", Lines::Many, 100).is_ok());
        assert_eq!(check("company", "a\nb", Lines::One, 100).unwrap_err().reason, Reason::BadText);
        assert!(check("company", "深圳市腾达科技有限公司 (R&D) 😀", Lines::One, 100).is_ok());
        assert_eq!(check("company", &"华".repeat(101), Lines::One, 100).unwrap_err().reason, Reason::TooLong);
        assert_eq!(escape("a\u{1b}[0m\u{202e}", Lines::One), "a\\u{1b}[0m\\u{202e}");
    }
}
