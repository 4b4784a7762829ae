//! What reaches the terminal. Field values come from other people's laptops, so a
//! value may carry an escape sequence (clear the screen, rewrite a line, set the
//! window title) or a bidi override that makes "李娜" read as someone else. Human
//! output shows such characters as visible `\u{..}` escapes; JSON output escapes
//! them as `\uXXXX`, which every JSON reader turns back into the same string.

use leadguard_schema::text::{self, Lines};

/// Human output: unsafe characters become `\u{1b}`-style escapes; newlines and tabs
/// (the renderer's own layout) stay.
pub fn human(text: &str) -> String {
    text::escape(text, Lines::Many)
}

/// JSON output (already serialised): unsafe characters become `\uXXXX` escapes.
/// serde_json escapes C0 controls itself; this covers DEL, C1 and bidi controls,
/// which it leaves raw. They can only occur inside JSON strings, where `\uXXXX` is
/// the same character to a reader.
pub fn json(text: &str) -> String {
    text::escape_with(text, Lines::Many, |c| format!("\\u{:04x}", c as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_sent_to_the_terminal() {
        let s = human("深圳\u{1b}[2J腾达\u{9b}31m");
        assert_eq!(s, "深圳\\u{1b}[2J腾达\\u{9b}31m");
        assert!(!s.chars().any(text::is_forbidden_char));
    }

    #[test]
    fn bidi_overrides_are_shown_not_applied() {
        assert_eq!(human("张伟\u{202e}理经"), "张伟\\u{202e}理经");
        assert_eq!(human("a\u{2066}b\u{2069}"), "a\\u{2066}b\\u{2069}");
    }

    #[test]
    fn layout_newlines_and_plain_chinese_pass_unchanged() {
        let s = "深圳市腾达科技有限公司\n    contact: 陈明\t13912345678";
        assert_eq!(human(s), s);
        assert_eq!(json(s), s);
    }

    #[test]
    fn json_escapes_read_back_as_the_same_string() {
        let value = serde_json::json!({ "company": "腾达\u{202e}\u{9b}\u{7f}\u{1b}" });
        let text = json(&value.to_string());
        assert!(!text.chars().any(text::is_forbidden_char), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
