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

/// Checks one text value of field `field`.
pub fn check(field: &str, value: &str, lines: Lines, max_chars: usize) -> Result<(), Violation> {
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
