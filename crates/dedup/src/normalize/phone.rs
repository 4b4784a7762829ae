//! Phone numbers: mobiles, landlines with or without area code, masked and hashed forms.
//!
//! `+86 138-1234-5678`, `0086 13812345678`, `１３８１２３４５６７８` and `138 1234 5678` are
//! one mobile. Distributor reports (报备) mask the middle (`138****5678`): such a number
//! matches a full one on its visible digits, which is weaker evidence (10⁴ numbers share
//! them). A report may also carry only a digest (`sha256:<hex>` of [`Phone::digest_full`]
//! or [`Phone::digest_visible`]) so it can be checked without revealing the number;
//! this is pseudonymisation, not secrecy (the space of mobile numbers is small).

use super::regions;
use super::text;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A normalised phone number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Phone {
    /// Nothing usable.
    #[default]
    None,
    /// A mainland mobile, 11 digits starting with 1.
    Mobile { digits: String },
    /// A landline; `area` with its leading 0 (`010`, `0512`), when known.
    Landline { area: Option<String>, number: String },
    /// A masked number: the visible leading and trailing digits.
    Masked { prefix: String, suffix: String },
    /// A hex SHA-256 digest as produced by [`Phone::digest_full`] or [`Phone::digest_visible`].
    Hashed { digest: String },
    /// Digits that fit no mainland pattern (foreign, 400/800 service numbers).
    Other { digits: String },
}

/// How two phones relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneMatch {
    /// At least one side has no phone.
    Unknown,
    /// The same number.
    Same,
    /// A masked (or visible-digest) number whose visible digits agree.
    SameVisible,
    /// Complete numbers of one kind and length one slip apart (a digit mistyped, or two
    /// neighbours swapped): probably the same number copied by hand.
    OneTypo,
    /// Both known, different numbers of the same kind.
    Different,
    /// Both known, of different kinds (a mobile vs a landline): people have both.
    DifferentKind,
}

const MASK_CHARS: &[char] = &['*', 'x', 'X', '×', '●', '•', '○', '?', '#'];
const DIGEST_PREFIX: &str = "sha256:";

/// Normalise a phone; `region` (the lead's region column, may be empty) supplies the
/// area code of a landline written without one.
pub fn normalize_phone(raw: &str, region: &str) -> Phone {
    let folded = text::fold_width(raw.trim());
    let s: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(hex) = s.to_ascii_lowercase().strip_prefix(DIGEST_PREFIX) {
        if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Phone::Hashed { digest: hex.to_string() };
        }
        return Phone::None;
    }
    let main = strip_extension(&s);
    let explicit_area = explicit_area_code(main);
    let mut digits = String::with_capacity(main.len());
    let mut masked = false;
    let mut prefix = String::new();
    for c in main.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if MASK_CHARS.contains(&c) && !digits.is_empty() {
            if !masked {
                prefix = digits.clone();
                digits.clear();
            }
            masked = true;
        }
    }
    if masked {
        let prefix = strip_country_code_prefix(&prefix);
        if prefix.is_empty() || digits.is_empty() {
            return Phone::None;
        }
        return Phone::Masked { prefix: prefix.to_string(), suffix: digits };
    }
    let international = main.trim_start_matches(['(', '（']).starts_with('+') || digits.starts_with("00");
    // North America (`+1 310 555 0100`, `001…`): the ten national digits, never a
    // mainland mobile, whatever they start with.
    let nanp = digits.strip_prefix("001").or_else(|| if international { digits.strip_prefix('1') } else { None });
    if let Some(national) = nanp.filter(|n| n.len() == 10) {
        return Phone::Other { digits: national.to_string() };
    }
    let d = strip_country_code(&digits);
    if international && d.len() != digits.len() && !(d.len() == 11 && d.starts_with('1')) {
        // `+86 10 12345678`: the area code loses its leading 0 in international form.
        return classify(&format!("0{d}"), explicit_area.map(|n| n + 1), region);
    }
    classify(d, explicit_area, region)
}

fn classify(d: &str, explicit_area: Option<usize>, region: &str) -> Phone {
    let n = d.len();
    if n == 11 && d.starts_with('1') {
        return Phone::Mobile { digits: d.to_string() };
    }
    if d.starts_with('0') && (10..=12).contains(&n) {
        let area_len = explicit_area.unwrap_or(if d.starts_with("01") || d.starts_with("02") { 3 } else { 4 });
        let (area, number) = d.split_at(area_len.min(n));
        if (7..=8).contains(&number.len()) {
            return Phone::Landline { area: Some(area.to_string()), number: number.to_string() };
        }
    }
    if (7..=8).contains(&n) && !d.starts_with('0') && !d.starts_with('1') {
        let area = regions::area_code(region).map(str::to_string);
        return Phone::Landline { area, number: d.to_string() };
    }
    if n >= 5 {
        return Phone::Other { digits: d.to_string() };
    }
    Phone::None
}

/// Length of an area code written with a separator (`0512-`, `(010)`), if any.
fn explicit_area_code(s: &str) -> Option<usize> {
    let t = s.trim_start_matches(['(', '（']);
    let t = t.strip_prefix("+86").or_else(|| t.strip_prefix("0086")).unwrap_or(t);
    let t = t.trim_start_matches(['(', '（', '-']);
    let lead: String = t.chars().take_while(char::is_ascii_digit).collect();
    let next = t[lead.len()..].chars().next();
    let is_sep = matches!(next, Some('-' | ')' | '）' | '.' | '/'));
    (lead.starts_with('0') && (3..=4).contains(&lead.len()) && is_sep).then_some(lead.len())
}

fn strip_extension(s: &str) -> &str {
    for marker in ["转", "ext", "Ext", "EXT", "分机"] {
        if let Some(i) = s.find(marker) {
            return &s[..i];
        }
    }
    s
}

fn strip_country_code(d: &str) -> &str {
    for cc in ["0086", "86"] {
        if let Some(rest) = d.strip_prefix(cc) {
            if rest.len() == 11 && rest.starts_with('1') || (9..=11).contains(&rest.len()) {
                return rest;
            }
        }
    }
    d
}

fn strip_country_code_prefix(d: &str) -> &str {
    for cc in ["0086", "86"] {
        if let Some(rest) = d.strip_prefix(cc) {
            if rest.starts_with('1') && rest.len() <= 7 {
                return rest;
            }
        }
    }
    d
}

impl Phone {
    /// Is there a usable number?
    pub fn is_known(&self) -> bool {
        !matches!(self, Phone::None)
    }

    /// Canonical digits of a complete number (mobile, landline with area, other).
    pub fn full_digits(&self) -> Option<String> {
        match self {
            Phone::Mobile { digits } | Phone::Other { digits } => Some(digits.clone()),
            Phone::Landline { area: Some(a), number } => Some(format!("{a}{number}")),
            Phone::Landline { area: None, number } => Some(number.clone()),
            _ => None,
        }
    }

    /// The visible-digit key of a mobile (`138****5678`): first three and last four.
    pub fn visible_key(&self) -> Option<String> {
        match self {
            Phone::Mobile { digits } => Some(format!("{}****{}", &digits[..3], &digits[7..])),
            Phone::Masked { prefix, suffix } if prefix.len() >= 3 && suffix.len() >= 4 && prefix.starts_with('1') => {
                Some(format!("{}****{}", &prefix[..3], &suffix[suffix.len() - 4..]))
            }
            _ => None,
        }
    }

    /// Hex SHA-256 of the complete number (domain-separated); `None` without one.
    pub fn digest_full(&self) -> Option<String> {
        self.full_digits().map(|d| hex_sha256(&format!("leadguard/phone/v1/{d}")))
    }

    /// Hex SHA-256 of the visible-digit key, for reports that must not reveal the
    /// number even masked.
    pub fn digest_visible(&self) -> Option<String> {
        self.visible_key().map(|k| hex_sha256(&format!("leadguard/phone-visible/v1/{k}")))
    }

    /// Compare two phones.
    pub fn compare(&self, other: &Phone) -> PhoneMatch {
        use Phone::*;
        match (self, other) {
            (None, _) | (_, None) => PhoneMatch::Unknown,
            (Hashed { digest: a }, Hashed { digest: b }) => same_or(a == b, PhoneMatch::Different),
            (Hashed { digest }, p) | (p, Hashed { digest }) => {
                if p.digest_full().as_deref() == Some(digest) {
                    PhoneMatch::Same
                } else if p.digest_visible().as_deref() == Some(digest) {
                    PhoneMatch::SameVisible
                } else {
                    PhoneMatch::Different
                }
            }
            (Masked { prefix: p1, suffix: s1 }, Masked { prefix: p2, suffix: s2 }) => {
                let agree = (p1.starts_with(p2.as_str()) || p2.starts_with(p1.as_str()))
                    && (s1.ends_with(s2.as_str()) || s2.ends_with(s1.as_str()));
                if agree {
                    PhoneMatch::SameVisible
                } else {
                    PhoneMatch::Different
                }
            }
            (Masked { prefix, suffix }, p) | (p, Masked { prefix, suffix }) => match p.full_digits() {
                Some(full) if full.len() >= prefix.len() + suffix.len() => {
                    if full.starts_with(prefix.as_str()) && full.ends_with(suffix.as_str()) {
                        PhoneMatch::SameVisible
                    } else if matches!(p, Mobile { .. }) && prefix.starts_with('1') {
                        PhoneMatch::Different
                    } else {
                        PhoneMatch::DifferentKind
                    }
                }
                _ => PhoneMatch::DifferentKind,
            },
            (Landline { area: a1, number: n1 }, Landline { area: a2, number: n2 }) => {
                let area_agrees = match (a1, a2) {
                    (Some(x), Some(y)) => x == y,
                    _ => true,
                };
                if !area_agrees {
                    PhoneMatch::Different
                } else {
                    same_or(n1 == n2, near_or_different(n1, n2))
                }
            }
            (Mobile { digits: a }, Mobile { digits: b }) | (Other { digits: a }, Other { digits: b }) => {
                same_or(a == b, near_or_different(a, b))
            }
            _ => PhoneMatch::DifferentKind,
        }
    }
}

/// [`PhoneMatch::OneTypo`] for equal-length numbers differing in one digit or in two
/// swapped neighbours, else [`PhoneMatch::Different`].
pub(crate) fn near_or_different(a: &str, b: &str) -> PhoneMatch {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a.len() < 7 {
        return PhoneMatch::Different;
    }
    // The first two differing positions and whether there is a third (no allocation:
    // this runs for every candidate pair of a bulk merge).
    let mut diff = (0..a.len()).filter(|&i| a[i] != b[i]);
    let one_typo = match (diff.next(), diff.next(), diff.next()) {
        (Some(_), None, _) => true,
        (Some(i), Some(j), None) => j == i + 1 && a[i] == b[j] && a[j] == b[i],
        _ => false,
    };
    if one_typo {
        PhoneMatch::OneTypo
    } else {
        PhoneMatch::Different
    }
}

fn same_or(same: bool, otherwise: PhoneMatch) -> PhoneMatch {
    if same {
        PhoneMatch::Same
    } else {
        otherwise
    }
}

fn hex_sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mobile(d: &str) -> Phone {
        Phone::Mobile { digits: d.to_string() }
    }

    #[test]
    fn mobile_formats_normalise_to_eleven_digits() {
        for raw in [
            "13812345678", "+86 138-1234-5678", "0086 13812345678", "8613812345678", "138 1234 5678",
            "138.1234.5678", "（+86）13812345678", "１３８１２３４５６７８", "+86-138 1234 5678",
        ] {
            assert_eq!(normalize_phone(raw, ""), mobile("13812345678"), "{raw}");
        }
    }

    #[test]
    fn landlines_with_and_without_area_code() {
        let l = |a: &str, n: &str| Phone::Landline { area: Some(a.into()), number: n.into() };
        assert_eq!(normalize_phone("010-12345678", ""), l("010", "12345678"));
        assert_eq!(normalize_phone("(0512)87654315", ""), l("0512", "87654315"));
        assert_eq!(normalize_phone("0512 8765 4315", ""), l("0512", "87654315"));
        assert_eq!(normalize_phone("027-3112285", ""), l("027", "3112285"));
        assert_eq!(normalize_phone("+86 10 12345678", ""), l("010", "12345678"));
        assert_eq!(normalize_phone("+86-512-87654315", ""), l("0512", "87654315"));
        assert_eq!(normalize_phone("87654315", "苏州"), l("0512", "87654315"));
        assert_eq!(normalize_phone("0512-87654315转8001", ""), l("0512", "87654315"));
        let no_area = normalize_phone("87654315", "");
        assert_eq!(no_area.compare(&l("0512", "87654315")), PhoneMatch::Same);
    }

    #[test]
    fn masked_numbers_match_on_visible_digits() {
        let m = normalize_phone("139****3333", "");
        assert_eq!(m, Phone::Masked { prefix: "139".into(), suffix: "3333".into() });
        assert_eq!(m.compare(&mobile("13912343333")), PhoneMatch::SameVisible);
        assert_eq!(m.compare(&mobile("13912343334")), PhoneMatch::Different);
        assert_eq!(normalize_phone("+86 139-xxxx-3333", ""), m);
        assert_eq!(normalize_phone("１３９＊＊＊＊３３３３", ""), m);
        assert_eq!(m.compare(&normalize_phone("139****3333", "")), PhoneMatch::SameVisible);
        assert_eq!(m.visible_key(), mobile("13912343333").visible_key());
    }

    #[test]
    fn hashed_numbers_match_without_revealing_them() {
        let full = mobile("13912343333");
        let h = normalize_phone(&format!("sha256:{}", full.digest_full().unwrap()), "");
        assert!(matches!(h, Phone::Hashed { .. }));
        assert_eq!(h.compare(&full), PhoneMatch::Same);
        let hv = normalize_phone(&format!("SHA256:{}", full.digest_visible().unwrap()), "");
        assert_eq!(hv.compare(&mobile("13900003333")), PhoneMatch::SameVisible);
        assert_eq!(hv.compare(&mobile("13800003333")), PhoneMatch::Different);
        assert_eq!(normalize_phone("sha256:nothex", ""), Phone::None);
    }

    #[test]
    fn one_mistyped_or_swapped_digit_is_a_typo() {
        assert_eq!(mobile("13912343333").compare(&mobile("13912343334")), PhoneMatch::OneTypo);
        assert_eq!(mobile("13912343333").compare(&mobile("13912334333")), PhoneMatch::OneTypo);
        assert_eq!(mobile("13912343333").compare(&mobile("13912343344")), PhoneMatch::Different);
        // Two digits apart, or a swap and a third digit off, are another number.
        assert_eq!(mobile("13912343333").compare(&mobile("13812343334")), PhoneMatch::Different);
        assert_eq!(mobile("13912343333").compare(&mobile("31912343334")), PhoneMatch::Different);
        let l = normalize_phone("4892623", "");
        assert_eq!(l.compare(&normalize_phone("4892613", "")), PhoneMatch::OneTypo);
    }

    #[test]
    fn north_american_numbers_with_and_without_country_code_agree() {
        let plain = normalize_phone("(310) 555-0100", "");
        assert_eq!(plain, Phone::Other { digits: "3105550100".into() });
        assert_eq!(normalize_phone("+1 310 555 0100", ""), plain);
        assert_eq!(normalize_phone("310/555-0100", ""), plain);
        // A mainland mobile with +86 is still one.
        assert_eq!(normalize_phone("+86 131 0555 0100", ""), mobile("13105550100"));
    }

    #[test]
    fn junk_is_no_phone() {
        assert_eq!(normalize_phone("", ""), Phone::None);
        assert_eq!(normalize_phone("无", ""), Phone::None);
        assert_eq!(normalize_phone("123", ""), Phone::None);
    }

    #[test]
    fn mobile_and_landline_are_different_kinds() {
        let l = normalize_phone("010-12345678", "");
        assert_eq!(l.compare(&mobile("13812345678")), PhoneMatch::DifferentKind);
    }
}
