//! E-mail addresses: case, surrounding/embedded whitespace, full-width characters and
//! `mailto:` prefixes are noise; anything that is not `local@domain.tld` afterwards is
//! treated as no e-mail rather than compared as text.

use super::text;

/// The canonical e-mail, or `None` when the text is not an address.
pub fn normalize_email(raw: &str) -> Option<String> {
    let folded = text::fold_width(raw);
    let mut s: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && !text::is_invisible(*c))
        .map(|c| if c == '＠' { '@' } else { c.to_ascii_lowercase() })
        .collect();
    if let Some(rest) = s.strip_prefix("mailto:") {
        s = rest.to_string();
    }
    let s = s.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | ',' | ';' | '.'));
    let (local, domain) = s.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@');
    valid.then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_spaces_and_width_fold() {
        let e = Some("zhou400@ke8bebe.com".to_string());
        assert_eq!(normalize_email(" ZHOU400@KE8BEBE.COM "), e);
        assert_eq!(normalize_email("ｚｈｏｕ４００＠ｋｅ８ｂｅｂｅ．ｃｏｍ"), e);
        assert_eq!(normalize_email("mailto:zhou400@ke8bebe.com"), e);
        assert_eq!(normalize_email("<zhou400@ke8bebe.com>"), e);
    }

    #[test]
    fn non_addresses_are_none() {
        for raw in ["", "无", "zhou400", "a@b", "@x.com", "a@b@c.com"] {
            assert_eq!(normalize_email(raw), None, "{raw}");
        }
    }
}
