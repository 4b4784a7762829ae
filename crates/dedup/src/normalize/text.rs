//! Character-level clean-up shared by every field normaliser.
//!
//! Chinese lead data arrives from IMEs, Excel sheets and scanned business cards, so the
//! same text shows up in full-width (`１３８`, `ＡＢＣ`, `（`), half-width, traditional
//! (`廣州`) and simplified (`广州`) forms. Every comparator works on the folded form
//! produced here, so these variations never reach the scoring.

use std::borrow::Cow;

/// Fold full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space (U+3000)
/// to their half-width forms; other characters are kept.
pub fn fold_width(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_fold) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(fold_char).collect())
}

fn needs_fold(c: char) -> bool {
    ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}'
}

/// The half-width form of one character (identity for characters without one).
pub fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Traditional → simplified Chinese (dictionary-based, MIT-licensed
/// `character_converter`). ASCII-only text is returned untouched without touching
/// the dictionary.
pub fn to_simplified(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let out = character_converter::traditional_to_simplified(s);
    if !s.chars().any(|c| KEEP.iter().any(|(k, _)| *k == c)) {
        return out;
    }
    // The dictionary turns a few simplified characters into others (宁 → 㝉, so
    // `宁波` stopped being a city): put the input's own back.
    if out.chars().count() == s.chars().count() {
        return Cow::Owned(s.chars().zip(out.chars()).map(|(i, o)| if KEEP.iter().any(|(k, _)| *k == i) { i } else { o }).collect());
    }
    Cow::Owned(out.chars().map(|o| KEEP.iter().find(|(_, wrong)| *wrong == o).map_or(o, |(k, _)| *k)).collect())
}

/// Simplified characters the converter maps away, with what it maps them to.
const KEEP: &[(char, char)] = &[('宁', '㝉'), ('么', '幺')];

/// True for CJK unified ideographs (the characters of Chinese names).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF)
}

/// Width-folded, simplified, ASCII-lowercased text with whitespace removed.
pub fn canonical(s: &str) -> String {
    let folded = fold_width(s.trim());
    let simplified = to_simplified(&folded);
    simplified
        .chars()
        .filter(|c| !c.is_whitespace() && !is_invisible(*c))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Zero-width and BOM characters that Excel exports and web forms leave behind.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{2060}' | '\u{00AD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_letters_and_brackets_fold() {
        assert_eq!(fold_width("１３８ＡＢｃ（）　"), "138ABc() ");
        assert!(matches!(fold_width("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn traditional_company_names_become_simplified() {
        assert_eq!(to_simplified("廣州市華為技術有限公司"), "广州市华为技术有限公司");
        assert_eq!(to_simplified("臺灣"), "台湾");
    }

    #[test]
    fn simplified_characters_stay_themselves() {
        assert_eq!(to_simplified("宁波南宁路"), "宁波南宁路");
        assert_eq!(to_simplified("寧波"), "宁波");
        assert_eq!(to_simplified("什么"), "什么");
    }

    #[test]
    fn canonical_strips_spaces_and_invisibles() {
        assert_eq!(canonical(" 北京 　ＡＢＣ\u{200B}科技 "), "北京abc科技");
    }
}
