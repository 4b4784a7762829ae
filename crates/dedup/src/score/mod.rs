//! Scoring: per-field comparators combined into one score in [0, 1], with reasons.
//!
//! Each comparator turns the relation of one field pair into evidence, a log-odds
//! weight (Fellegi–Sunter style): agreement on a rare, identifying value (a phone, an
//! e-mail) weighs a lot, disagreement counts against, and a missing field counts
//! nothing — so a sparse lead (company + masked phone) is judged on what it has instead
//! of being diluted by empty columns, and two firms that merely share a name but
//! differ in contact, phone and e-mail stay apart. The score is the logistic of the
//! summed weights, so 0.85 reads as "85% sure"; the reasons list the agreeing fields.

mod company;
mod compare;
mod quick;
mod reason;

pub use company::{company_bound, compare_companies, CompanyMatch, IndustryMatch};
pub use compare::{compare, Comparison, ContactMatch, EmailMatch, FieldMatch};
pub use quick::{dismissed, QuickKeys};
pub use reason::Reason;

use crate::normalize::{CompanyName, Phone, PhoneMatch};
use crate::record::LeadKeys;
use compare::{compare_cheap, latin_name_similarity};
use serde::{Deserialize, Serialize};

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
    /// Scores from here up to `threshold` are *possible* matches: shown softly
    /// ("可能是同一客户"), never as a warning.
    pub possible: f32,
}

impl Default for Config {
    fn default() -> Self {
        Config { threshold: 0.85, max_candidates: 512, max_posting: 4096, possible: 0.5 }
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
    /// Fields that lowered the score, strongest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub against: Vec<Reason>,
}

/// The score of a pair and its reasons (before thresholding).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Score in [0, 1].
    pub score: f32,
    /// Agreeing fields, strongest first.
    pub reasons: Vec<Reason>,
    /// Fields that lowered the score, strongest first.
    pub against: Vec<Reason>,
}

/// What the registry knows beyond the pair itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairContext {
    /// How many different companies the registry holds under the phone the pair shares
    /// (a hotel's or an agency's switchboard serves many); 0 when unknown.
    pub phone_companies: u32,
}

/// Addresses at least this alike are the same address (house numbers agree).
const ADDRESS_EXACT_SIM: f32 = 0.95;
/// Addresses at least this alike are one household (a typo at most).
const ADDRESS_HOUSEHOLD_SIM: f32 = 0.9;

/// A phone held for this many different companies identifies none of them.
pub const SHARED_PHONE_COMPANIES: u32 = 2;

/// Log-odds weights. Tuned on the labelled sets in `tests/data` with general rules only.
mod w {
    /// Before any evidence: two leads the blocking proposed are usually not one customer.
    pub const PRIOR: f32 = -4.0;
    /// The same company: the same 字号 with a compatible industry (or the same Latin
    /// words). Registered names are unique within a city, so with the same or an
    /// unknown region this alone is the same customer, whoever the contact is.
    pub const COMPANY_SAME: f32 = 6.0;
    /// One side is the bare 字号 (`华强` vs `华强电子科技`): many firms share it.
    pub const COMPANY_BARE: f32 = 4.5;
    pub const COMPANY_MID: f32 = 1.5;
    pub const COMPANY_LOW: f32 = -1.0;
    pub const COMPANY_DIFFERENT: f32 = -4.0;
    /// The same 字号 in another industry: a possible link (a sister firm at most),
    /// kept below the threshold by the cap unless a phone or e-mail identifies it.
    pub const INDUSTRY_CONFLICT: f32 = 3.5;
    pub const CONTACT_SAME: f32 = 3.0;
    /// 王总 vs 王建国: compatible, weak (common surnames are shared by millions).
    pub const CONTACT_SURNAME: f32 = 1.0;
    /// Latin spellings ≥ 90% similar: probably a typo of the same name.
    pub const CONTACT_SIMILAR: f32 = 2.5;
    pub const CONTACT_SAME_SURNAME_OTHER_GIVEN: f32 = -3.5;
    /// Latin names sharing a first or last name: a relative or a changed surname.
    pub const CONTACT_SHARES_WORD: f32 = -1.5;
    /// …which in one household (same number or address) is family: some evidence for.
    pub const CONTACT_SHARES_WORD_HOUSEHOLD: f32 = 1.0;
    pub const CONTACT_DIFFERENT: f32 = -4.0;
    /// An identical number is the strongest single identity signal a lead carries.
    pub const PHONE_SAME: f32 = 7.0;
    /// …unless the registry has it for many companies (a switchboard).
    pub const PHONE_SHARED: f32 = 1.0;
    pub const PHONE_VISIBLE: f32 = 3.5;
    /// One digit mistyped or two swapped: most likely the same number copied by hand.
    pub const PHONE_ONE_TYPO: f32 = 3.5;
    pub const PHONE_DIFFERENT: f32 = -3.0;
    /// A mobile vs a landline: people have both, so barely a conflict.
    pub const PHONE_DIFFERENT_KIND: f32 = -0.5;
    pub const EMAIL_SAME: f32 = 4.0;
    /// Two people at one company domain.
    pub const EMAIL_DOMAIN: f32 = 1.5;
    /// Two company domains: two companies, even under one name.
    pub const EMAIL_DOMAIN_DIFFERENT: f32 = -4.5;
    /// Different addresses, one at a free-mail provider: another person, company unknown.
    pub const EMAIL_DIFFERENT: f32 = -2.0;
    pub const REGION_SAME: f32 = 0.8;
    pub const REGION_DIFFERENT: f32 = -4.0;
    /// The same company name in another city: only a possible match.
    pub const REGION_DIFFERENT_COMPANY: f32 = -1.8;
    /// Regions differ but a phone or e-mail identifies the customer (a city written
    /// as its district, a move): little evidence.
    pub const REGION_DIFFERENT_IDENTIFIED: f32 = -0.5;
    pub const ADDRESS_SAME: f32 = 2.5;
    /// The same address to the house number (≥ 95% alike, numbers equal).
    pub const ADDRESS_EXACT: f32 = 4.0;
    pub const ADDRESS_DIFFERENT: f32 = -0.5;
    /// Ceiling of a pair linked only by a name in another city or industry.
    pub const POSSIBLE_CAP: f32 = 0.8;
}

/// Score two normalised leads. Symmetric: `score(a, b) == score(b, a)`.
pub fn score(a: &LeadKeys, b: &LeadKeys) -> Scored {
    score_with(a, b, PairContext::default())
}

/// [`score`] with what the registry knows about the pair.
pub fn score_with(a: &LeadKeys, b: &LeadKeys, ctx: PairContext) -> Scored {
    weigh(a, b, &compare(a, b), ctx, true).scored()
}

/// [`score_with`], but `None` without computing the string similarities when the pair
/// cannot reach `threshold` whatever the company names and addresses say (the index
/// uses this to dismiss most candidates in a few nanoseconds).
pub fn score_at_least(a: &LeadKeys, b: &LeadKeys, threshold: f32, ctx: PairContext) -> Option<Scored> {
    // The best the names and addresses can do: the best relation their 字号 and
    // industries allow (no string similarity computed), at the same address.
    let best = Comparison {
        company: company_bound(&a.company, &b.company),
        address: (a.address.is_some() && b.address.is_some()).then_some(1.0),
        ..compare_cheap(a, b)
    };
    let mut bound = weigh(a, b, &best, ctx, false);
    // The cap of "the same name elsewhere" holds for the best case, not for every case.
    bound.cap = 1.0;
    if bound.probability() < threshold {
        return None;
    }
    let s = score_with(a, b, ctx);
    (s.score >= threshold).then_some(s)
}

/// [`score_at_least`]'s score alone, without reasons (no allocation per pair): what
/// deriving links in bulk needs. Equal to `score_at_least(..).map(|s| s.score)`.
pub fn score_value_at_least(a: &LeadKeys, b: &LeadKeys, threshold: f32, ctx: PairContext) -> Option<f32> {
    let cheap = compare_cheap(a, b);
    let best = Comparison {
        company: company_bound(&a.company, &b.company),
        address: (a.address.is_some() && b.address.is_some()).then_some(1.0),
        ..cheap
    };
    let mut bound = weigh(a, b, &best, ctx, false);
    bound.cap = 1.0;
    if bound.probability() < threshold {
        return None;
    }
    let address = match (&a.address, &b.address) {
        (Some(x), Some(y)) => Some(crate::normalize::address::similarity(x, y)),
        _ => None,
    };
    let full = Comparison { company: compare_companies(&a.company, &b.company), address, ..cheap };
    let score = weigh(a, b, &full, ctx, false).probability();
    (score >= threshold).then_some(score)
}

/// Evidence summed so far.
struct Evidence {
    total: f32,
    cap: f32,
    /// Whether reasons are kept: a bound needs the total only (no allocation per pair).
    record: bool,
    reasons: Vec<(f32, Reason)>,
    against: Vec<(f32, Reason)>,
}

impl Evidence {
    fn add(&mut self, weight: f32, reason: Option<Reason>) {
        self.total += weight;
        if let Some(r) = reason.filter(|_| self.record) {
            if weight < 0.0 {
                self.against.push((weight, r));
            } else {
                self.reasons.push((weight, r));
            }
        }
    }

    fn probability(&self) -> f32 {
        (1.0 / (1.0 + (-self.total).exp())).min(self.cap)
    }

    fn scored(self) -> Scored {
        let score = self.probability();
        let order = |mut v: Vec<(f32, Reason)>| {
            v.sort_by(|x, y| y.0.abs().total_cmp(&x.0.abs()));
            v.into_iter().map(|(_, r)| r).collect()
        };
        Scored { score, reasons: order(self.reasons), against: order(self.against) }
    }

    /// A reason against that adds no weight of its own.
    fn against(&mut self, weight: f32, reason: Reason) {
        if self.record {
            self.against.push((weight, reason));
        }
    }
}

/// Apply the weights to a comparison.
///
/// Two readings of a pair: the *same company* (the names agree as firms: then another
/// contact, phone or private e-mail is just another person there and counts nothing),
/// or otherwise the *same person* (contact, phone and e-mail must agree, and
/// disagreement counts against).
fn weigh(a: &LeadKeys, b: &LeadKeys, c: &Comparison, ctx: PairContext, record: bool) -> Evidence {
    let mut e = Evidence { total: w::PRIOR, cap: 1.0, record, reasons: Vec::new(), against: Vec::new() };
    // A number the registry holds for several companies, shared by two names that are
    // not one firm, is a switchboard (a hotel's restaurants, an agency), not an identity.
    let names_agree = c.company.is_some_and(|m| m.similarity >= 0.9 && m.industry != IndustryMatch::Conflict);
    // The same person or mailbox on both sides makes the number theirs, not a switchboard.
    let same_person = matches!(c.contact, ContactMatch::Same | ContactMatch::SameSpelling | ContactMatch::Similar) || c.email == EmailMatch::Same;
    let shared_phone = c.phone == PhoneMatch::Same && ctx.phone_companies >= SHARED_PHONE_COMPANIES && !names_agree && !same_person;
    let identified = (c.phone == PhoneMatch::Same && !shared_phone) || c.email == EmailMatch::Same;

    let mut same_company = false;
    let mut possible_only = false;
    if let Some(m) = c.company {
        let reason = if m.similarity >= 0.999 {
            Reason::SameCompanyName
        } else {
            Reason::CompanyNameSimilar { percent: percent(m.similarity) }
        };
        if m.industry == IndustryMatch::Conflict {
            possible_only = true;
            e.add(w::INDUSTRY_CONFLICT, Some(reason));
            e.against(-w::INDUSTRY_CONFLICT, Reason::IndustryDiffers);
        } else if m.similarity >= 0.9 {
            same_company = true;
            e.add(if m.bare_trade { w::COMPANY_BARE } else { w::COMPANY_SAME }, Some(reason));
        } else if m.similarity >= 0.8 {
            e.add(w::COMPANY_MID, Some(reason));
        } else if m.similarity >= 0.6 {
            e.add(w::COMPANY_LOW, Some(Reason::CompanyNameDiffers));
        } else {
            e.add(w::COMPANY_DIFFERENT, Some(Reason::CompanyNameDiffers));
        }
    }

    // Without a company on both sides the customer is a person or a household (family
    // members count as one customer): a personal number, e-mail or the same address
    // identifies it, and another name there is another member, not evidence against.
    let household = c.company.is_none() && (identified || c.address.is_some_and(|a| a >= ADDRESS_HOUSEHOLD_SIM));
    let same_company = same_company || household;
    let mut other_person = false;
    match c.contact {
        ContactMatch::Unknown => {}
        ContactMatch::Same => e.add(w::CONTACT_SAME, Some(Reason::SameContact)),
        ContactMatch::SameSpelling => e.add(w::CONTACT_SAME, Some(Reason::ContactSpellingMatches)),
        ContactMatch::SurnameAgrees => e.add(w::CONTACT_SURNAME, Some(Reason::ContactSurnameMatches)),
        ContactMatch::Similar => {
            let sim = if e.record { latin_name_similarity(&a.contact, &b.contact) } else { 0.0 };
            e.add(w::CONTACT_SIMILAR, Some(Reason::ContactSimilar { percent: percent(sim) }));
        }
        ContactMatch::SharesWord if household => {
            e.add(w::CONTACT_SHARES_WORD_HOUSEHOLD, None);
            other_person = true;
        }
        ContactMatch::SameSurnameOtherGiven | ContactMatch::SharesWord | ContactMatch::Different if same_company => other_person = true,
        ContactMatch::SharesWord => e.add(w::CONTACT_SHARES_WORD, Some(Reason::ContactDiffers)),
        ContactMatch::SameSurnameOtherGiven => e.add(w::CONTACT_SAME_SURNAME_OTHER_GIVEN, Some(Reason::ContactDiffers)),
        ContactMatch::Different => e.add(w::CONTACT_DIFFERENT, Some(Reason::ContactDiffers)),
    }

    match c.phone {
        PhoneMatch::Same if shared_phone => {
            e.add(w::PHONE_SHARED, Some(Reason::SamePhone));
            e.against(-w::PHONE_SHARED, Reason::PhoneShared { companies: ctx.phone_companies });
        }
        PhoneMatch::Same => e.add(w::PHONE_SAME, Some(Reason::SamePhone)),
        PhoneMatch::SameVisible => {
            // A digest-only report must not get the digits back in the reason.
            let hashed = matches!(a.phone, Phone::Hashed { .. }) || matches!(b.phone, Phone::Hashed { .. });
            let visible = if hashed || !e.record { None } else { a.phone.visible_key().or_else(|| b.phone.visible_key()) };
            e.add(w::PHONE_VISIBLE, Some(Reason::MaskedPhoneMatches { visible: visible.unwrap_or_default() }));
        }
        PhoneMatch::OneTypo => e.add(w::PHONE_ONE_TYPO, Some(Reason::PhoneOneTypo)),
        PhoneMatch::Different | PhoneMatch::DifferentKind if same_company => other_person = true,
        PhoneMatch::Different => e.add(w::PHONE_DIFFERENT, Some(Reason::PhoneDiffers)),
        PhoneMatch::DifferentKind => e.add(w::PHONE_DIFFERENT_KIND, None),
        PhoneMatch::Unknown => {}
    }

    match c.email {
        EmailMatch::Unknown => {}
        EmailMatch::Same => e.add(w::EMAIL_SAME, Some(Reason::SameEmail)),
        EmailMatch::SameDomain => {
            let domain = if e.record {
                a.email.as_deref().and_then(crate::normalize::email::domain).unwrap_or_default().to_string()
            } else {
                String::new()
            };
            e.add(w::EMAIL_DOMAIN, Some(Reason::SameEmailDomain { domain }));
        }
        EmailMatch::DifferentDomain => e.add(w::EMAIL_DOMAIN_DIFFERENT, Some(Reason::EmailDomainDiffers)),
        EmailMatch::Different if same_company => other_person = true,
        EmailMatch::Different => e.add(w::EMAIL_DIFFERENT, None),
    }
    if other_person {
        e.add(0.0, Some(if household { Reason::SameHouseholdOtherPerson } else { Reason::SameCompanyOtherContact }));
    }

    if let Some(sim) = c.address {
        if sim >= ADDRESS_EXACT_SIM {
            e.add(w::ADDRESS_EXACT, Some(Reason::AddressSimilar { percent: percent(sim) }));
        } else if sim >= 0.9 {
            e.add(w::ADDRESS_SAME, Some(Reason::AddressSimilar { percent: percent(sim) }));
        } else if sim < 0.7 {
            e.add(w::ADDRESS_DIFFERENT, Some(Reason::AddressDiffers));
        }
    }

    match c.region {
        FieldMatch::Same => e.add(w::REGION_SAME, None),
        FieldMatch::Different if identified => e.add(w::REGION_DIFFERENT_IDENTIFIED, Some(Reason::RegionDiffers)),
        FieldMatch::Different if same_company => {
            possible_only = true;
            e.add(w::REGION_DIFFERENT_COMPANY, Some(Reason::RegionDiffers));
        }
        FieldMatch::Different => e.add(w::REGION_DIFFERENT, Some(Reason::RegionDiffers)),
        FieldMatch::Unknown => {}
    }
    if possible_only && !identified {
        e.cap = w::POSSIBLE_CAP;
    }
    e
}

fn percent(sim: f32) -> u8 {
    (sim * 100.0).floor().clamp(0.0, 100.0) as u8
}

/// Similarity of two company names in [0, 1]; `None` when either is empty
/// (see [`compare_companies`]).
pub fn company_similarity(a: &CompanyName, b: &CompanyName) -> Option<f32> {
    compare_companies(a, b).map(|m| m.similarity)
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
    fn score_value_at_least_is_the_score_of_score_at_least() {
        let leads = [
            keys("北京市锦信环保科技有限公司", "丁艳", "136****5365", "zhou982@ie994a6.com", "北京"),
            keys("北京锦信环保科技公司", "丁艳", "13626445365", " ZHOU982@ie994a6.com ", "北京"),
            keys("锦信环保", "丁总", "13626445365", "", "北京"),
            keys("广州市华强电子科技有限公司", "刘伟", "13800001111", "liuwei@huaqiang.cn", "广州"),
            keys("华强电子", "杨波", "13900002222", "yangbo@huaqiang.cn", "广州"),
            keys("华强电子科技", "杨波", "13900002222", "yangbo@hq-group.com", "深圳"),
            keys("", "Zhang Xiaomin", "13900002223", "", "广州"),
            keys("", "Zhang Xiaoming", "13900002223", "", ""),
        ];
        for threshold in [0.0, 0.5, 0.85] {
            for a in &leads {
                for b in &leads {
                    let full = score_at_least(a, b, threshold, PairContext::default()).map(|s| s.score);
                    assert_eq!(score_value_at_least(a, b, threshold, PairContext::default()), full);
                }
            }
        }
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
    fn same_company_other_contact_is_the_same_customer() {
        let known = keys("广州市华强电子科技有限公司", "刘伟", "13800001111", "liuwei@huaqiang.cn", "广州");
        for (company, contact, phone, email, region) in [
            ("华强电子科技", "杨总", "13900002222", "", "广州"),
            ("广州市华强电子科技有限公司", "杨波", "", "", ""),
            ("广州市华强电子科技有限公司", "", "13900002222", "", "广州"),
            ("华强电子", "杨波", "13900002222", "yangbo@huaqiang.cn", "广州"),
        ] {
            let s = score(&known, &keys(company, contact, phone, email, region));
            assert!(s.score >= 0.85, "{company} {contact} {phone}: {s:?}");
            assert!(s.against.is_empty(), "another person there is no evidence against: {s:?}");
        }
        let s = score(&known, &keys("华强电子科技", "杨总", "13900002222", "", "广州"));
        assert!(s.reasons.contains(&Reason::SameCompanyOtherContact), "{s:?}");
    }

    #[test]
    fn same_company_email_domain_is_company_evidence() {
        let known = keys("广州市华强电子科技有限公司", "刘伟", "13800001111", "liuwei@huaqiang.cn", "广州");
        let s = score(&known, &keys("华强电子", "杨波", "13900002222", "yangbo@huaqiang.cn", "广州"));
        assert!(s.reasons.contains(&Reason::SameEmailDomain { domain: "huaqiang.cn".into() }), "{s:?}");
        // Two company domains under one name are two companies.
        let other = score(&known, &keys("华强电子科技", "杨波", "13900002222", "yangbo@hq-group.com", "广州"));
        assert!(other.score < 0.5 && other.against.contains(&Reason::EmailDomainDiffers), "{other:?}");
    }

    #[test]
    fn free_mail_domain_is_not_company_evidence() {
        let a = keys("广州市华强电子科技有限公司", "刘伟", "", "liuwei@qq.com", "广州");
        let b = keys("华强电子科技", "杨波", "", "yangbo@qq.com", "广州");
        let s = score(&a, &b);
        assert!(!s.reasons.iter().any(|r| matches!(r, Reason::SameEmailDomain { .. })), "{s:?}");
        // Nor is it evidence against: the names decide.
        assert!(s.score >= 0.85, "{s:?}");
        let shared_domain_other_firm = score(&keys("深圳市远航物流有限公司", "王芳", "", "wf@163.com", "深圳"), &keys("深圳市金石食品有限公司", "李强", "", "lq@163.com", "深圳"));
        assert!(shared_domain_other_firm.score < 0.5, "{shared_domain_other_firm:?}");
    }

    #[test]
    fn same_trade_name_other_industry_is_only_possible() {
        let a = keys("广州市华强电子科技有限公司", "刘伟", "", "", "广州");
        for b in [keys("广州市华强食品有限公司", "", "", "", "广州"), keys("华强物流", "刘伟", "", "", "广州")] {
            let s = score(&a, &b);
            assert!(s.score < 0.85, "{s:?}");
            assert!(s.against.contains(&Reason::IndustryDiffers), "{s:?}");
        }
    }

    #[test]
    fn same_trade_name_other_city_is_only_possible() {
        let a = keys("广州市华强电子科技有限公司", "刘伟", "", "", "广州");
        let b = keys("深圳市华强电子科技有限公司", "刘伟", "", "", "深圳");
        let s = score(&a, &b);
        assert!(s.score >= 0.5 && s.score < 0.85, "possible, not likely: {s:?}");
        assert!(s.against.contains(&Reason::RegionDiffers), "{s:?}");
    }

    #[test]
    fn a_province_or_sales_area_does_not_conflict_with_a_city() {
        let a = keys("广州市华强电子科技有限公司", "刘伟", "", "", "广州");
        for region in ["广东", "华南"] {
            let s = score(&a, &keys("华强电子科技", "杨总", "", "", region));
            assert!(s.score >= 0.85 && !s.against.contains(&Reason::RegionDiffers), "{region}: {s:?}");
        }
    }

    #[test]
    fn region_conflict_weighs_little_when_phone_and_address_agree() {
        let mut a = keys("Katsu", "", "213-555-0100", "", "los angeles");
        let mut b = keys("Restaurant Katsu", "", "(213) 555 0100", "", "w. hollywood");
        a.address = crate::normalize::address::canonical("1972 N. Hillhurst Ave.");
        b.address = crate::normalize::address::canonical("1972 Hillhurst Avenue North");
        let s = score(&a, &b);
        assert!(s.score >= 0.85, "{s:?}");
    }

    #[test]
    fn without_a_company_the_same_number_through_another_person_is_one_household() {
        let a = keys("", "Lydia Doosey", "1835068", "", "nsw");
        let b = keys("", "Lydia McCattmhy", "1835068", "", "nsw");
        let s = score(&a, &b);
        assert!(s.score >= 0.85 && s.reasons.contains(&Reason::SameHouseholdOtherPerson), "{s:?}");
        // Another number and another name: nothing links them.
        assert!(score(&a, &keys("", "Rosie Rundle", "9092692", "", "nsw")).score < 0.5);
    }

    #[test]
    fn a_phone_one_digit_off_with_the_same_name_matches() {
        let a = keys("", "Dylan Zilm", "4892623", "", "vic");
        let s = score(&a, &keys("", "Dylan Zilm", "4892613", "", "vic"));
        assert!(s.score >= 0.85 && s.reasons.contains(&Reason::PhoneOneTypo), "{s:?}");
    }

    #[test]
    fn different_restaurants_of_one_hotel_are_not_one_customer() {
        let mut idx = crate::Index::new(Config::default());
        let hotel = |name: &str| crate::LeadRecord {
            company: name.into(),
            phone: "310/274-9999".into(),
            region: "beverly hills".into(),
            address: Some("9500 Wilshire Blvd.".into()),
            ..crate::LeadRecord::default()
        };
        idx.insert(1, &hotel("The Dining Room"));
        assert!(idx.check(&hotel("Lobby Lounge"), 5).is_empty());
        // The same restaurant written another way still matches.
        assert_eq!(idx.check(&hotel("Dining Room, The"), 5).first().map(|m| m.id), Some(1));
    }

    #[test]
    fn the_quick_bound_never_dismisses_a_match() {
        let mut a = keys("深圳市远航物流有限公司", "王芳", "139****3333", "wf@yuanhang.cn", "深圳");
        let mut b = keys("深圳市远航达物流有限公司", "王芳", "13912343333", "wang.fang@yuanhang.cn", "广州");
        a.address = crate::normalize::address::canonical("南山区科技园1栋302室");
        b.address = crate::normalize::address::canonical("南山区科技园1栋302室");
        // Another 字号 in another city, yet the same person, mailbox domain and office.
        let full = score(&a, &b);
        assert!(full.score >= 0.85, "{full:?}");
        assert_eq!(score_at_least(&a, &b, 0.85, PairContext::default()).map(|s| s.score), Some(full.score));
    }

    #[test]
    fn a_switchboard_shared_by_many_companies_weighs_little() {
        let a = keys("The Grill Room", "", "310-555-0199", "", "beverly hills");
        let b = keys("Lobby Lounge", "", "310-555-0199", "", "beverly hills");
        let alone = score_with(&a, &b, PairContext { phone_companies: 1 });
        let shared = score_with(&a, &b, PairContext { phone_companies: 4 });
        assert!(shared.score < alone.score && shared.score < 0.5, "{shared:?}");
        assert!(shared.against.contains(&Reason::PhoneShared { companies: 4 }));
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
