//! Comparing two company names: how similar, and whether their industries agree.
//!
//! A Chinese name is `字号 + 行业` once places and legal forms are gone. The same 字号
//! with a compatible industry (`新能源` vs `新能`, `环保科技` vs `环保`) is the same
//! company written differently; the same 字号 in another industry (`金瑞食品` vs
//! `金瑞生物医药`) is a different firm or at most a sister company. Latin names are
//! compared as sets of words, so word order, articles and legal forms do not matter.

use crate::normalize::CompanyName;
use crate::similarity::jaro_winkler;

/// How the industries of two names with the same trade name relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndustryMatch {
    /// Not comparable: a side has no industry, or the trade names differ.
    Unknown,
    /// The same or a compatible industry.
    Compatible,
    /// The same trade name in another industry.
    Conflict,
}

/// The relation of two company names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompanyMatch {
    /// Similarity in [0, 1].
    pub similarity: f32,
    /// Industries, when the trade names agree.
    pub industry: IndustryMatch,
    /// One side is the bare trade name (`华强`) of the other (`华强电子科技`): the same
    /// name, but a short one many firms share.
    pub bare_trade: bool,
}

impl CompanyMatch {
    /// The best relation two names can have (used for upper bounds).
    pub const BEST: CompanyMatch = CompanyMatch { similarity: 1.0, industry: IndustryMatch::Compatible, bare_trade: false };
}

/// Words naming a kind of business, not a business: `Cafe` is not within `Cafe Bizou`.
const GENERIC_WORDS: &[&str] = &[
    "restaurant", "cafe", "bar", "grill", "hotel", "inn", "pizza", "pizzeria", "deli", "diner", "bistro", "kitchen",
    "house", "shop", "store", "market", "bakery", "group", "services", "service", "center", "centre", "club",
    "studio", "salon", "trading", "industries", "international", "holdings", "partners", "associates",
];

/// Which rule of [`compare_companies`] applies to two names: decided by the names'
/// cores and 字号 alone, before any string similarity is computed.
pub(super) enum Shape {
    /// A name is missing.
    Missing,
    /// Latin names: word sets.
    Latin,
    /// The same core.
    Equal { industry: IndustryMatch },
    /// One name typed into the other's industry (`华华蓝机` of `华华蓝机械设备`).
    Typed,
    /// Another 字号 (or one too short to tell): another firm, similarity below 0.9.
    OtherTrade,
    /// One side is the bare 字号: the same name at least this alike.
    Bare { at_least: f32, industry: IndustryMatch, bare_trade: bool },
    /// The same 字号 in compatible industries.
    Compatible,
    /// The same 字号 in another industry.
    Conflict,
}

fn shape(a: &CompanyName, b: &CompanyName) -> Shape {
    if a.core.is_empty() || b.core.is_empty() {
        return Shape::Missing;
    }
    if !a.tokens.is_empty() || !b.tokens.is_empty() {
        return Shape::Latin;
    }
    shape_of((&a.core, &a.trade), (&b.core, &b.trade))
}

/// [`shape`] of two non-empty Chinese names given as (core, 字号).
pub(super) fn shape_of(a: (&str, &str), b: (&str, &str)) -> Shape {
    #[derive(Clone, Copy)]
    struct Name<'s> {
        core: &'s str,
        trade: &'s str,
    }
    let (a, b) = (Name { core: a.0, trade: a.1 }, Name { core: b.0, trade: b.1 });
    if a.core == b.core {
        let industry = if a.trade != a.core { IndustryMatch::Compatible } else { IndustryMatch::Unknown };
        return Shape::Equal { industry };
    }
    // Typed so far (`华华蓝机` of `华华蓝机械设备`): the 字号 and part of the industry.
    let (short, long) = if a.core.len() <= b.core.len() { (a, b) } else { (b, a) };
    if a.trade != b.trade && long.trade != long.core && long.core.starts_with(short.core) && short.core.starts_with(long.trade) && long.trade.chars().count() >= 2 {
        return Shape::Typed;
    }
    if a.trade != b.trade || a.trade.chars().count() < 2 {
        return Shape::OtherTrade;
    }
    let ia = &a.core[a.trade.len()..];
    let ib = &b.core[b.trade.len()..];
    if ia.is_empty() || ib.is_empty() {
        // One side is the bare 字号 (`辉远`), the other adds an industry. A short 字号 is
        // shared by many firms; a long one (an industry word we do not know is likely
        // inside it: `华强光伏` vs `华强光伏科技`) is the firm itself.
        let bare_trade = a.trade.chars().count() <= 3;
        let industry = if bare_trade { IndustryMatch::Unknown } else { IndustryMatch::Compatible };
        return Shape::Bare { at_least: if bare_trade { 0.9 } else { 0.95 }, industry, bare_trade };
    }
    if industries_compatible(ia, ib) {
        Shape::Compatible
    } else {
        Shape::Conflict
    }
}

/// The similarity below "the same company" of two names with different 字号.
const OTHER_TRADE_MAX: f32 = 0.89;
/// The similarity of the same 字号 in another industry is at most this.
const CONFLICT_MAX: f32 = 0.85;

/// Compare two company names; `None` when either is empty.
pub fn compare_companies(a: &CompanyName, b: &CompanyName) -> Option<CompanyMatch> {
    let plain = |similarity| CompanyMatch { similarity, industry: IndustryMatch::Unknown, bare_trade: false };
    Some(match shape(a, b) {
        Shape::Missing => return None,
        Shape::Latin => plain(latin_similarity(a, b)),
        Shape::Equal { industry } => CompanyMatch { similarity: 1.0, industry, bare_trade: false },
        Shape::Typed => CompanyMatch { similarity: jaro_winkler(&a.core, &b.core).max(0.9), industry: IndustryMatch::Unknown, bare_trade: true },
        // Another 字号 is another firm, however alike the rest (`华恒智能` vs
        // `天华恒智能`): such names stay below "the same company".
        Shape::OtherTrade => plain(jaro_winkler(&a.core, &b.core).min(OTHER_TRADE_MAX)),
        Shape::Bare { at_least, industry, bare_trade } => {
            CompanyMatch { similarity: jaro_winkler(&a.core, &b.core).max(at_least), industry, bare_trade }
        }
        Shape::Compatible => CompanyMatch { similarity: jaro_winkler(&a.core, &b.core).max(0.95), industry: IndustryMatch::Compatible, bare_trade: false },
        Shape::Conflict => CompanyMatch { similarity: jaro_winkler(&a.core, &b.core).min(CONFLICT_MAX), industry: IndustryMatch::Conflict, bare_trade: false },
    })
}

/// A relation at least as good, for the weights, as [`compare_companies`]'s, found
/// without computing any string similarity: the weights read a similarity only
/// through its thresholds (0.9, 0.8, 0.6), and every rule but two pins it on one side
/// of them — names of another 字号 are bounded by their cap, Latin names by the best.
/// `None` when either name is empty.
pub fn company_bound(a: &CompanyName, b: &CompanyName) -> Option<CompanyMatch> {
    let plain = |similarity| CompanyMatch { similarity, industry: IndustryMatch::Unknown, bare_trade: false };
    Some(match shape(a, b) {
        Shape::Missing => return None,
        Shape::Latin => CompanyMatch::BEST,
        Shape::Equal { industry } => CompanyMatch { similarity: 1.0, industry, bare_trade: false },
        Shape::Typed => CompanyMatch { similarity: 0.9, industry: IndustryMatch::Unknown, bare_trade: true },
        Shape::OtherTrade => plain(OTHER_TRADE_MAX),
        Shape::Bare { at_least, industry, bare_trade } => CompanyMatch { similarity: at_least, industry, bare_trade },
        Shape::Compatible => CompanyMatch { similarity: 0.95, industry: IndustryMatch::Compatible, bare_trade: false },
        Shape::Conflict => CompanyMatch { similarity: CONFLICT_MAX, industry: IndustryMatch::Conflict, bare_trade: false },
    })
}

/// `新能源`/`新能`, `医疗器械`/`医疗`, `环保科技`/`科技`: one is a truncation of the
/// other, or they start with the same word.
fn industries_compatible(x: &str, y: &str) -> bool {
    let first2 = |s: &str| s.chars().take(2).collect::<String>();
    x.starts_with(y)
        || y.starts_with(x)
        || x.ends_with(y)
        || y.ends_with(x)
        || first2(x) == first2(y)
}

/// Latin names as word sets: equal sets score 1 (`the palm` = `palm the`); a name whose
/// words are all inside the other's (`katsu` in `restaurant katsu`) scores 0.92;
/// otherwise Jaro–Winkler over the sorted words (typos).
fn latin_similarity(a: &CompanyName, b: &CompanyName) -> f32 {
    if a.tokens.is_empty() || b.tokens.is_empty() {
        return jaro_winkler(&a.core, &b.core);
    }
    if a.tokens == b.tokens {
        return 1.0;
    }
    let (small, large) = if a.tokens.len() <= b.tokens.len() { (&a.tokens, &b.tokens) } else { (&b.tokens, &a.tokens) };
    let contained = small.iter().all(|t| large.contains(t));
    if contained && small.iter().any(|t| t.len() >= 3 && !GENERIC_WORDS.contains(&t.as_str())) {
        return 0.92;
    }
    let sorted_a = a.tokens.concat();
    let sorted_b = b.tokens.concat();
    jaro_winkler(&sorted_a, &sorted_b).max(jaro_winkler(&a.core, &b.core))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_company;

    fn cmp(a: &str, b: &str) -> CompanyMatch {
        compare_companies(&normalize_company(a, ""), &normalize_company(b, "")).unwrap()
    }

    #[test]
    fn truncated_industry_is_the_same_company() {
        let m = cmp("杭州市源大新能源集团有限公司", "杭州源大新能有限公司");
        assert!(m.similarity >= 0.9 && m.industry == IndustryMatch::Compatible, "{m:?}");
        assert!(cmp("华博环保科技有限公司", "华博环保公司").similarity >= 0.9);
    }

    #[test]
    fn same_trade_name_in_another_industry_conflicts() {
        let m = cmp("杭州市源大新能源集团有限公司", "杭州市源大食品有限公司");
        assert_eq!(m.industry, IndustryMatch::Conflict);
        assert!(m.similarity < 0.9);
        // A shared second word (科技) does not make two industries one.
        assert_eq!(cmp("天泰电子科技有限公司", "天泰环保科技有限公司").industry, IndustryMatch::Conflict);
    }

    #[test]
    fn a_long_name_with_an_unknown_industry_word_is_the_firm() {
        let m = cmp("华强光子", "华强光子科技有限公司");
        assert!(!m.bare_trade && m.similarity >= 0.9, "{m:?}");
        assert!(cmp("华强", "华强电子科技有限公司").bare_trade);
    }

    #[test]
    fn a_name_typed_into_its_industry_is_the_bare_trade_name() {
        let m = cmp("华华蓝机", "上海华华蓝机械设备有限公司");
        assert!(m.bare_trade && m.similarity >= 0.9, "{m:?}");
        assert!(cmp("天华恒智能", "华恒智能科技").similarity < 0.9);
    }

    #[test]
    fn latin_names_ignore_order_articles_and_legal_forms() {
        assert_eq!(cmp("The Palm", "Palm, The (Los Angeles)").similarity, 1.0);
        assert_eq!(cmp("Smith & Sons Ltd.", "smith and sons, inc").similarity, 1.0);
        assert!(cmp("Restaurant Katsu", "Katsu").similarity >= 0.9);
        assert!(cmp("Cafe", "Cafe Bizou").similarity < 0.9);
        assert!(cmp("Acme Trading Co., Ltd.", "Zenith Logistics GmbH").similarity < 0.8);
    }
}
