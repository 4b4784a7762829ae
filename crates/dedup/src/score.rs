//! Scoring: per-field comparators combined into one score in [0, 1], with reasons.
//!
//! Each comparator turns the relation of one field pair into evidence, a log-odds
//! weight (Fellegi–Sunter style): agreement on a rare, identifying value (a phone, an
//! e-mail) weighs a lot, disagreement counts against, and a missing field counts
//! nothing — so a sparse lead (company + masked phone) is judged on what it has instead
//! of being diluted by empty columns, and two firms that merely share a name but
//! differ in contact, phone and e-mail stay apart. The score is the logistic of the
//! summed weights, so 0.85 reads as "85% sure"; the reasons list the agreeing fields.

use crate::normalize::{CompanyName, PersonName, Phone, PhoneMatch};
use crate::record::LeadKeys;
use serde::{Deserialize, Serialize};
use crate::similarity::jaro_winkler;

/// Matching configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Minimum score for a match (the seeds' 85%).
    pub threshold: f32,
    /// At most this many candidates are scored per check (the ones sharing most keys).
    pub max_candidates: usize,
    /// Name-bigram postings longer than this are too common to block on alone.
    pub max_posting: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { threshold: 0.85, max_candidates: 512, max_posting: 4096 }
    }
}

/// Why two leads were judged the same customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The same phone number.
    SamePhone,
    /// A masked (or digest-only) phone whose visible digits match, e.g. `139****3333`
    /// (`visible` is empty when either side is a digest, so it reveals nothing).
    MaskedPhoneMatches { visible: String },
    /// The same e-mail address.
    SameEmail,
    /// Identical company names after normalisation.
    SameCompanyName,
    /// Company names `percent`% similar.
    CompanyNameSimilar { percent: u8 },
    /// The same contact name (also across traditional/simplified).
    SameContact,
    /// The same contact written in pinyin/Latin letters and Chinese characters.
    ContactSpellingMatches,
    /// A title-only contact (王总) matching the other's surname.
    ContactSurnameMatches,
    /// Contact names (Latin letters) `percent`% similar.
    ContactSimilar { percent: u8 },
    /// Addresses `percent`% similar.
    AddressSimilar { percent: u8 },
}

impl Reason {
    /// Chinese rendering, e.g. `公司名称相似度 92%`.
    pub fn zh(&self) -> String {
        match self {
            Reason::SamePhone => "电话相同".into(),
            Reason::MaskedPhoneMatches { visible } if visible.is_empty() => "电话可见位一致".into(),
            Reason::MaskedPhoneMatches { visible } => format!("掩码电话可见位一致（{visible}）"),
            Reason::SameEmail => "邮箱相同".into(),
            Reason::SameCompanyName => "公司名称相同".into(),
            Reason::CompanyNameSimilar { percent } => format!("公司名称相似度 {percent}%"),
            Reason::SameContact => "联系人相同".into(),
            Reason::ContactSpellingMatches => "联系人拼音一致".into(),
            Reason::ContactSurnameMatches => "联系人姓氏一致".into(),
            Reason::ContactSimilar { percent } => format!("联系人姓名相似度 {percent}%"),
            Reason::AddressSimilar { percent } => format!("地址相似度 {percent}%"),
        }
    }

    /// English rendering, e.g. `company name 92% similar`.
    pub fn en(&self) -> String {
        match self {
            Reason::SamePhone => "same phone".into(),
            Reason::MaskedPhoneMatches { visible } if visible.is_empty() => "phone matches on visible digits".into(),
            Reason::MaskedPhoneMatches { visible } => format!("masked phone matches visible digits ({visible})"),
            Reason::SameEmail => "same email".into(),
            Reason::SameCompanyName => "same company name".into(),
            Reason::CompanyNameSimilar { percent } => format!("company name {percent}% similar"),
            Reason::SameContact => "same contact".into(),
            Reason::ContactSpellingMatches => "contact name spelled alike (pinyin)".into(),
            Reason::ContactSurnameMatches => "contact surname matches".into(),
            Reason::ContactSimilar { percent } => format!("contact name {percent}% similar"),
            Reason::AddressSimilar { percent } => format!("address {percent}% similar"),
        }
    }
}

/// One known lead matching a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// The caller's id of the known lead.
    pub id: u64,
    /// Score in [0, 1]; at least the configured threshold.
    pub score: f32,
    /// Agreeing fields, strongest first.
    pub reasons: Vec<Reason>,
}

/// The score of a pair and its reasons (before thresholding).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Score in [0, 1].
    pub score: f32,
    /// Agreeing fields.
    pub reasons: Vec<Reason>,
}

/// Log-odds weights. Tuned on leads-dev.csv with general rules only (no per-file hacks).
mod w {
    /// Log-odds before any evidence: two leads the blocking proposed are usually not
    /// the same customer.
    pub const PRIOR: f32 = -4.0;
    /// Company names ≥ 90% similar (same 字号, legal form/place/industry truncated).
    /// Registered names are unique within a region, so alone (with the same region and
    /// no conflicting field) this is enough for a warning.
    pub const COMPANY_HIGH: f32 = 5.5;
    pub const COMPANY_MID: f32 = 1.5;
    pub const COMPANY_LOW: f32 = -1.0;
    pub const COMPANY_DIFFERENT: f32 = -4.0;
    pub const CONTACT_SAME: f32 = 3.0;
    /// 王总 vs 王建国: compatible, weak (common surnames are shared by millions).
    pub const CONTACT_SURNAME: f32 = 1.0;
    /// Latin spellings ≥ 90% similar: probably a typo of the same name.
    pub const CONTACT_SIMILAR: f32 = 2.0;
    pub const CONTACT_SAME_SURNAME_OTHER_GIVEN: f32 = -3.5;
    pub const CONTACT_DIFFERENT: f32 = -4.0;
    /// An identical number is the strongest single identity signal a lead carries:
    /// it outweighs a differently written contact name (nicknames, typos, a colleague).
    pub const PHONE_SAME: f32 = 7.0;
    pub const PHONE_VISIBLE: f32 = 3.5;
    pub const PHONE_DIFFERENT: f32 = -3.0;
    /// A mobile vs a landline: people have both, so barely a conflict.
    pub const PHONE_DIFFERENT_KIND: f32 = -0.5;
    pub const EMAIL_SAME: f32 = 4.0;
    pub const EMAIL_DIFFERENT: f32 = -3.0;
    pub const REGION_SAME: f32 = 0.8;
    pub const REGION_DIFFERENT: f32 = -4.0;
    pub const ADDRESS_SAME: f32 = 2.0;
    pub const ADDRESS_DIFFERENT: f32 = -1.0;
}

/// How a pair of contact names relates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMatch {
    /// At least one side has no name.
    Unknown,
    /// The same full name.
    Same,
    /// The same name across Chinese characters and pinyin/Latin letters.
    SameSpelling,
    /// Names in Latin letters spelled nearly alike (a typo, `Zhang Xiaomin` vs
    /// `Zhang Xiaoming`); not used between names in Chinese characters, where one
    /// character more or less is usually another person.
    Similar,
    /// A title-only name (王总) whose surname agrees with the other name.
    SurnameAgrees,
    /// Same surname, different given names.
    SameSurnameOtherGiven,
    /// Different surnames.
    Different,
}

/// How a pair of optional values (e-mail, region) relates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldMatch {
    /// At least one side is empty.
    Unknown,
    /// Equal.
    Same,
    /// Both present, different.
    Different,
}

/// The field-by-field relation of two leads: what the weights are applied to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Company name similarity in [0, 1], `None` when a name is missing.
    pub company: Option<f32>,
    /// Contact names.
    pub contact: ContactMatch,
    /// Phones.
    pub phone: PhoneMatch,
    /// E-mails.
    pub email: FieldMatch,
    /// Regions.
    pub region: FieldMatch,
    /// Address similarity in [0, 1], `None` when an address is missing.
    pub address: Option<f32>,
}

/// Compare two normalised leads field by field. Symmetric.
pub fn compare(a: &LeadKeys, b: &LeadKeys) -> Comparison {
    let address = match (&a.address, &b.address) {
        (Some(x), Some(y)) => Some(jaro_winkler(x, y)),
        _ => None,
    };
    Comparison { company: company_similarity(&a.company, &b.company), address, ..compare_without_strings(a, b) }
}

/// [`score`], but `None` without computing the string similarities when the pair
/// cannot reach `threshold` whatever the company names and addresses say (the index
/// uses this to dismiss most candidates in a few nanoseconds).
pub fn score_at_least(a: &LeadKeys, b: &LeadKeys, threshold: f32) -> Option<Scored> {
    let cheap = Comparison {
        company: None,
        address: None,
        ..compare_without_strings(a, b)
    };
    let mut bound = weigh(a, b, &cheap).1;
    if !a.company.core.is_empty() && !b.company.core.is_empty() {
        bound += w::COMPANY_HIGH;
    }
    if a.address.is_some() && b.address.is_some() {
        bound += w::ADDRESS_SAME;
    }
    if logistic(bound) < threshold {
        return None;
    }
    let s = score(a, b);
    (s.score >= threshold).then_some(s)
}

fn compare_without_strings(a: &LeadKeys, b: &LeadKeys) -> Comparison {
    let email = match (&a.email, &b.email) {
        (Some(x), Some(y)) if x == y => FieldMatch::Same,
        (Some(_), Some(_)) => FieldMatch::Different,
        _ => FieldMatch::Unknown,
    };
    let region = match (a.region.is_empty(), b.region.is_empty()) {
        (false, false) if a.region == b.region => FieldMatch::Same,
        (false, false) => FieldMatch::Different,
        _ => FieldMatch::Unknown,
    };
    Comparison {
        company: None,
        contact: contact_match(&a.contact, &b.contact),
        phone: a.phone.compare(&b.phone),
        email,
        region,
        address: None,
    }
}

/// Score two normalised leads. Symmetric: `score(a, b) == score(b, a)`.
pub fn score(a: &LeadKeys, b: &LeadKeys) -> Scored {
    let (reasons, total) = weigh(a, b, &compare(a, b));
    Scored { score: logistic(total), reasons }
}

/// Apply the weights to a comparison: the reasons (strongest first) and the log-odds.
fn weigh(a: &LeadKeys, b: &LeadKeys, c: &Comparison) -> (Vec<Reason>, f32) {
    let mut total = w::PRIOR;
    let mut reasons: Vec<(f32, Reason)> = Vec::new();

    if let Some(sim) = c.company {
        let weight = if sim >= 0.9 {
            w::COMPANY_HIGH
        } else if sim >= 0.8 {
            w::COMPANY_MID
        } else if sim >= 0.6 {
            w::COMPANY_LOW
        } else {
            w::COMPANY_DIFFERENT
        };
        total += weight;
        if sim >= 0.999 {
            reasons.push((weight, Reason::SameCompanyName));
        } else if weight > 0.0 {
            reasons.push((weight, Reason::CompanyNameSimilar { percent: percent(sim) }));
        }
    }

    let (weight, reason) = match c.contact {
        ContactMatch::Unknown => (0.0, None),
        ContactMatch::Same => (w::CONTACT_SAME, Some(Reason::SameContact)),
        ContactMatch::SameSpelling => (w::CONTACT_SAME, Some(Reason::ContactSpellingMatches)),
        ContactMatch::SurnameAgrees => (w::CONTACT_SURNAME, Some(Reason::ContactSurnameMatches)),
        ContactMatch::Similar => {
            let sim = latin_name_similarity(&a.contact, &b.contact);
            (w::CONTACT_SIMILAR, Some(Reason::ContactSimilar { percent: percent(sim) }))
        }
        ContactMatch::SameSurnameOtherGiven => (w::CONTACT_SAME_SURNAME_OTHER_GIVEN, None),
        ContactMatch::Different => (w::CONTACT_DIFFERENT, None),
    };
    total += weight;
    if let Some(r) = reason {
        reasons.push((weight, r));
    }

    match c.phone {
        PhoneMatch::Same => {
            total += w::PHONE_SAME;
            reasons.push((w::PHONE_SAME, Reason::SamePhone));
        }
        PhoneMatch::SameVisible => {
            total += w::PHONE_VISIBLE;
            // A digest-only report must not get the digits back in the reason.
            let hashed = matches!(a.phone, Phone::Hashed { .. }) || matches!(b.phone, Phone::Hashed { .. });
            let visible = if hashed { None } else { a.phone.visible_key().or_else(|| b.phone.visible_key()) };
            let visible = visible.unwrap_or_default();
            reasons.push((w::PHONE_VISIBLE, Reason::MaskedPhoneMatches { visible }));
        }
        PhoneMatch::Different => total += w::PHONE_DIFFERENT,
        PhoneMatch::DifferentKind => total += w::PHONE_DIFFERENT_KIND,
        PhoneMatch::Unknown => {}
    }

    match c.email {
        FieldMatch::Same => {
            total += w::EMAIL_SAME;
            reasons.push((w::EMAIL_SAME, Reason::SameEmail));
        }
        FieldMatch::Different => total += w::EMAIL_DIFFERENT,
        FieldMatch::Unknown => {}
    }

    match c.region {
        FieldMatch::Same => total += w::REGION_SAME,
        FieldMatch::Different => total += w::REGION_DIFFERENT,
        FieldMatch::Unknown => {}
    }

    if let Some(sim) = c.address {
        if sim >= 0.9 {
            total += w::ADDRESS_SAME;
            reasons.push((w::ADDRESS_SAME, Reason::AddressSimilar { percent: percent(sim) }));
        } else if sim < 0.7 {
            total += w::ADDRESS_DIFFERENT;
        }
    }

    reasons.sort_by(|x, y| y.0.total_cmp(&x.0));
    (reasons.into_iter().map(|(_, r)| r).collect(), total)
}

fn logistic(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn percent(sim: f32) -> u8 {
    (sim * 100.0).floor().clamp(0.0, 100.0) as u8
}

/// Similarity of two company names in [0, 1]; `None` when either is empty.
///
/// Identical cores score 1. The same 字号 (trade name) with compatible industries
/// (`新能源` vs `新能`, `机械设备` vs `机械`) scores 0.9–1; otherwise Jaro–Winkler over
/// the cores, which rewards the shared leading 字号.
pub fn company_similarity(a: &CompanyName, b: &CompanyName) -> Option<f32> {
    if a.core.is_empty() || b.core.is_empty() {
        return None;
    }
    if a.core == b.core {
        return Some(1.0);
    }
    let jw = jaro_winkler(&a.core, &b.core);
    if a.trade == b.trade && a.trade.chars().count() >= 2 && a.trade != a.core && b.trade != b.core {
        let ia = &a.core[a.trade.len()..];
        let ib = &b.core[b.trade.len()..];
        let industry = if ia.starts_with(ib) || ib.starts_with(ia) { 1.0 } else { jaro_winkler(ia, ib) };
        return Some(jw.max(0.75 + 0.24 * industry));
    }
    if a.trade == b.trade && a.trade.chars().count() >= 2 {
        // One side is the bare 字号 (`辉远`) and the other adds an industry.
        return Some(jw.max(0.9));
    }
    Some(jw)
}

const LATIN_SIMILAR: f32 = 0.9;

/// Best Jaro–Winkler similarity between the spellings of two names when at least one
/// is written in Latin letters (0 when both are in Chinese characters).
fn latin_name_similarity(a: &PersonName, b: &PersonName) -> f32 {
    let latin = |p: &PersonName| p.surname.is_empty() && !p.full.is_empty();
    if !latin(a) && !latin(b) {
        return 0.0;
    }
    let mut best = 0.0f32;
    for x in &a.spellings {
        for y in &b.spellings {
            best = best.max(jaro_winkler(x, y));
        }
    }
    best
}

fn contact_match(a: &PersonName, b: &PersonName) -> ContactMatch {
    if a.is_empty() || b.is_empty() {
        return ContactMatch::Unknown;
    }
    if !a.title_only && !b.title_only {
        if !a.full.is_empty() && a.full == b.full {
            return ContactMatch::Same;
        }
        if a.spellings.iter().any(|s| b.spellings.contains(s)) {
            return ContactMatch::SameSpelling;
        }
        if latin_name_similarity(a, b) >= LATIN_SIMILAR {
            return ContactMatch::Similar;
        }
        if !a.surname.is_empty() && a.surname == b.surname {
            return ContactMatch::SameSurnameOtherGiven;
        }
        return ContactMatch::Different;
    }
    // At least one side is a surname with a title.
    let agrees = |p: &PersonName, other: &PersonName| -> bool {
        !p.surname.is_empty()
            && (p.surname == other.surname
                || (other.surname.is_empty()
                    && other.spellings.iter().any(|s| s.starts_with(&p.surname) || s.ends_with(&p.surname))))
    };
    if agrees(a, b) || agrees(b, a) {
        ContactMatch::SurnameAgrees
    } else {
        ContactMatch::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::LeadRecord;

    fn keys(company: &str, contact: &str, phone: &str, email: &str, region: &str) -> LeadKeys {
        LeadKeys::from_record(&LeadRecord {
            company: company.into(),
            contact: contact.into(),
            phone: phone.into(),
            email: email.into(),
            region: region.into(),
            address: None,
        })
    }

    #[test]
    fn same_customer_written_differently_matches_with_reasons() {
        let a = keys("北京市锦信环保科技有限公司", "丁艳", "136****5365", "zhou982@ie994a6.com", "北京");
        let b = keys("北京锦信环保科技公司", "丁艳", "13626445365", " ZHOU982@ie994a6.com ", "北京");
        let s = score(&a, &b);
        assert!(s.score >= 0.85, "{s:?}");
        assert!(s.reasons.contains(&Reason::SameEmail));
        assert!(s.reasons.contains(&Reason::SameCompanyName));
        assert!(s.reasons.contains(&Reason::MaskedPhoneMatches { visible: "136****5365".into() }));
    }

    #[test]
    fn same_name_but_different_people_and_numbers_do_not_match() {
        let a = keys("南京市辉源教育咨询集团有限公司", "郭国宇", "17211016014", "guo3@re8be89.com", "南京");
        let b = keys("南京市辉源教育咨询集团有限公司", "钟杰艳", "16107311772", "zhou637@ze8be89.com", "南京");
        assert!(score(&a, &b).score < 0.5);
    }

    #[test]
    fn shared_email_alone_does_not_make_a_match() {
        let a = keys("北京市博汇机械设备有限公司", "许敏", "19118961288", "zhou838@he58d9a.com", "北京");
        let b = keys("成都市博瑞机械股份有限公司", "万静", "17003383829", "zhou838@he58d9a.com", "成都");
        assert!(score(&a, &b).score < 0.5);
    }

    #[test]
    fn addresses_with_and_without_city_agree() {
        let mut a = keys("北京市锦信环保科技有限公司", "丁艳", "", "", "北京");
        let mut b = keys("锦信环保", "", "", "", "北京");
        a.address = LeadKeys::from_record(&LeadRecord { address: Some("北京市海淀区中关村大街 1 号".into()), ..LeadRecord::default() }).address;
        b.address = LeadKeys::from_record(&LeadRecord { address: Some("海淀区中关村大街1号".into()), ..LeadRecord::default() }).address;
        let s = score(&a, &b);
        assert!(s.reasons.contains(&Reason::AddressSimilar { percent: 100 }), "{s:?}");
    }

    #[test]
    fn reasons_render_in_both_languages() {
        let r = Reason::CompanyNameSimilar { percent: 92 };
        assert_eq!(r.zh(), "公司名称相似度 92%");
        assert_eq!(r.en(), "company name 92% similar");
    }

    #[test]
    fn company_similarity_tolerates_industry_truncation() {
        let a = crate::normalize::normalize_company("杭州市源大新能源集团有限公司", "");
        let b = crate::normalize::normalize_company("杭州源大新能有限公司", "");
        assert!(company_similarity(&a, &b).unwrap() >= 0.9);
        let c = crate::normalize::normalize_company("杭州市源大食品有限公司", "");
        assert!(company_similarity(&a, &c).unwrap() < 0.9);
    }
}
