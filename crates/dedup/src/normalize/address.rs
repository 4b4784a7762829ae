//! Street addresses: `北京市海淀区中关村大街1号` = `海淀区中关村大街 1 号`, and
//! `123 W. Main St., Suite 4` = `123 west main street suite 4`.
//!
//! Chinese addresses lose spaces, punctuation and the leading province/city (the region
//! column carries those); Latin addresses become lowercase words with the usual
//! abbreviations spelled out. Numbers (house, building 栋, room 室) are what tell two
//! addresses on one street apart, so they are compared on their own.

use super::{regions, text};
use crate::similarity::jaro_winkler;

/// Abbreviations of Latin street addresses, expanded so both spellings compare equal.
const LATIN_WORDS: &[(&str, &str)] = &[
    ("st", "street"), ("str", "street"), ("ave", "avenue"), ("av", "avenue"), ("blvd", "boulevard"),
    ("rd", "road"), ("dr", "drive"), ("ln", "lane"), ("ct", "court"), ("pl", "place"), ("sq", "square"),
    ("hwy", "highway"), ("pkwy", "parkway"), ("cres", "crescent"), ("tce", "terrace"), ("cir", "circle"),
    ("n", "north"), ("s", "south"), ("e", "east"), ("w", "west"), ("ste", "suite"), ("apt", "apartment"),
    ("fl", "floor"), ("bldg", "building"), ("mt", "mount"), ("ft", "fort"),
];

/// The canonical form of an address, `None` when nothing is left.
pub fn canonical(raw: &str) -> Option<String> {
    let folded = text::to_simplified(&text::fold_width(raw)).to_lowercase();
    let out = if folded.chars().any(text::is_han) {
        let plain: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
        // `北京市海淀区…` and `海淀区…` are the same address.
        regions::strip_region_prefix(&plain).0.to_string()
    } else {
        let words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| LATIN_WORDS.iter().find(|(abbr, _)| *abbr == w).map_or(w, |(_, full)| full))
            .collect();
        words.join(" ")
    };
    (!out.is_empty()).then_some(out)
}

/// Digit runs of an address, in order: house, building and room numbers.
fn numbers(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty())
}

/// Similarity of two canonical addresses in [0, 1]. Addresses whose numbers differ
/// (`中关村大街1号` vs `中关村大街8号`) are another building, whatever the street.
pub fn similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    let mut sim = jaro_winkler(a, b);
    if a.contains(' ') || b.contains(' ') {
        // Latin: also word by word (each word's best match in the other address,
        // averaged both ways), so word order, a dropped word or a typo in one word
        // cost only that word.
        sim = sim.max(monge_elkan(a, b).min(monge_elkan(b, a)));
        // A part left out (a unit, a building, a locality): the shorter address, of
        // at least three words, within the longer one.
        let (short, long) = if a.split(' ').count() <= b.split(' ').count() { (a, b) } else { (b, a) };
        if short.split(' ').count() >= 3 {
            sim = sim.max(monge_elkan(short, long) - PART_LEFT_OUT_PENALTY);
        }
    }
    if latin(a) || latin(b) {
        // Words joined or split by hand (`thomso n street`, `plantroad`).
        sim = sim.max(jaro_winkler(&a.replace(' ', ""), &b.replace(' ', "")) - JOINED_PENALTY);
    }
    let (na, nb) = (house_number(a), house_number(b));
    if let (Some(x), Some(y)) = (na, nb) {
        if x != y {
            // A digit dropped or two swapped (`26` vs `62`, `106` vs `16`): a typo or a
            // neighbour, so neither the same address nor another one.
            sim = sim.min(if one_digit_off(x, y) { HOUSE_NUMBER_TYPO_SIM } else { 0.6 });
        }
    }
    sim
}

/// What an address with a part left out costs.
const PART_LEFT_OUT_PENALTY: f32 = 0.03;
/// What comparing without spaces costs (it forgives more than comparing words).
const JOINED_PENALTY: f32 = 0.02;
/// Ceiling of addresses whose house numbers are one keystroke apart.
const HOUSE_NUMBER_TYPO_SIM: f32 = 0.85;

fn latin(s: &str) -> bool {
    !s.chars().any(text::is_han)
}

/// The house number: in a Latin address the leading number (a trailing one is a
/// postcode or a unit, and a missing one is unknown); in a Chinese address the first
/// number (`中关村大街1号`).
fn house_number(s: &str) -> Option<&str> {
    if latin(s) {
        let first = s.split(' ').next()?;
        (!first.is_empty() && first.bytes().all(|c| c.is_ascii_digit())).then_some(first)
    } else {
        numbers(s).next()
    }
}

/// Two numbers one slip of the hand apart: a digit inserted or dropped, or two adjacent
/// digits swapped. Not one digit replaced: `123` vs `125` is more likely the
/// neighbour than a typo.
fn one_digit_off(x: &str, y: &str) -> bool {
    let (x, y) = (x.as_bytes(), y.as_bytes());
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    match long.len() - short.len() {
        0 => {
            let diff: Vec<usize> = (0..x.len()).filter(|&i| x[i] != y[i]).collect();
            diff.len() == 2 && diff[1] == diff[0] + 1 && x[diff[0]] == y[diff[1]] && x[diff[1]] == y[diff[0]]
        }
        1 => (0..long.len()).any(|i| long[..i] == short[..i] && long[i + 1..] == short[i..]),
        _ => false,
    }
}

/// Mean over the words of `a` of the best Jaro–Winkler similarity to a word of `b`.
fn monge_elkan(a: &str, b: &str) -> f32 {
    let words: Vec<&str> = a.split(' ').collect();
    let best = |w: &str| b.split(' ').map(|v| jaro_winkler(w, v)).fold(0.0f32, f32::max);
    words.iter().map(|w| best(w)).sum::<f32>() / words.len().max(1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f32 {
        similarity(&canonical(a).unwrap(), &canonical(b).unwrap())
    }

    #[test]
    fn chinese_addresses_with_and_without_city_agree() {
        assert_eq!(sim("北京市海淀区中关村大街 1 号", "海淀区中关村大街1号"), 1.0);
        assert!(sim("深圳市南山区科技园1栋302室", "南山区科技园一期1栋302室") >= 0.9);
    }

    #[test]
    fn another_house_number_is_another_address() {
        assert!(sim("海淀区中关村大街1号", "海淀区中关村大街8号") < 0.7);
        assert!(sim("123 Main St.", "125 Main Street") < 0.7);
    }

    #[test]
    fn latin_abbreviations_are_spelled_out() {
        assert_eq!(canonical("123 W. Main St., Ste 4").unwrap(), "123 west main street suite 4");
        assert_eq!(sim("8358 Sunset Blvd.", "8358 sunset boulevard"), 1.0);
    }

    #[test]
    fn a_house_number_one_digit_off_is_neither_the_same_nor_another_address() {
        // A typo or a neighbour: below "the same address", above "another address".
        for (a, b) in [("26 Lance Hill Ave", "62 Lance Hill Ave"), ("106 Isis Close", "16 Isis Close")] {
            let s = sim(a, b);
            assert!((0.7..0.9).contains(&s), "{a} / {b}: {s}");
        }
        assert!(sim("147 Allott Place", "20 Allott Place") < 0.7);
        assert!(sim("123 Main St", "125 Main St") < 0.7);
        assert!(one_digit_off("26", "62") && one_digit_off("106", "16") && one_digit_off("7", "70"));
        assert!(!one_digit_off("147", "20") && !one_digit_off("1", "8") && !one_digit_off("123", "312"));
    }

    #[test]
    fn words_joined_or_split_by_hand_still_agree() {
        assert!(sim("25 Thom son Street Salisbury", "25 Thomson Street Salisbury") >= 0.95);
        assert!(sim("65 Plantroad Findon", "65 Plant Road Findon") >= 0.95);
    }

    #[test]
    fn a_trailing_postcode_is_not_a_house_number() {
        // Without a leading number the house number is unknown, not the postcode.
        assert!(sim("Pennefather Street North Sydney 3057", "346 Pennefather Street North Sydney 3057") >= 0.9);
        assert_eq!(house_number("346 pennefather street 3057"), Some("346"));
        assert_eq!(house_number("pennefather street 3057"), None);
        assert_eq!(house_number("海淀区中关村大街1号"), Some("1"));
    }

    #[test]
    fn an_address_with_a_part_left_out_is_the_same_address() {
        assert!(sim("25 Thomson Street Salisbury 3188", "25 Thomson Street Warrina Lakes Salisbury 3188") >= 0.95);
        assert!(sim("100 Main St", "100 Main St Suite 200") >= 0.95);
        // …but not one word of it.
        assert!(sim("Main", "100 Main St Springfield") < 0.9);
        assert!(sim("100 Main St Springfield", "100 Main St Shelbyville") < 0.95);
    }
}
