//! Property tests: normalisation is idempotent, scoring is symmetric, a masked or
//! hashed phone matches the full number it came from.

use leadguard_dedup::normalize::text;
use leadguard_dedup::{
    normalize_company, normalize_email, normalize_person, normalize_phone, score, score_at_least, score_value_at_least, dismissed, QuickKeys, LeadKeys, LeadRecord, PairContext, Phone,
    PhoneMatch,
};
use proptest::prelude::*;

const REGIONS: &[&str] = &["北京市", "上海", "广东省深圳市", "杭州市", "", "天津"];
const TRADE_CHARS: &str = "华信达兴盛恒泰鑫金源博创宏瑞安永天新中联汇德晨光海东龙凯智锦科航越腾明辉远合诚大方地";
const INDUSTRIES: &[&str] = &["环保科技", "信息技术", "机械设备", "新能源", "物流", "食品", "", "生物医药"];
const SUFFIXES: &[&str] = &["有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "公司", ""];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚";

fn pick(s: &'static str) -> impl Strategy<Value = char> {
    let chars: Vec<char> = s.chars().collect();
    proptest::sample::select(chars)
}

fn company() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(REGIONS),
        proptest::collection::vec(pick(TRADE_CHARS), 2..4),
        proptest::sample::select(INDUSTRIES),
        proptest::sample::select(SUFFIXES),
        any::<bool>(),
    )
        .prop_map(|(r, t, i, s, bracket)| {
            let t: String = t.into_iter().collect();
            if bracket && !r.is_empty() {
                format!("{t}（{r}）{i}{s}")
            } else {
                format!("{r}{t}{i}{s}")
            }
        })
}

fn mobile() -> impl Strategy<Value = String> {
    (proptest::sample::select(vec!["13", "15", "17", "18", "19"]), 0u64..1_000_000_000).prop_map(|(p, n)| format!("{p}{n:09}"))
}

fn contact() -> impl Strategy<Value = String> {
    (pick(SURNAMES), proptest::collection::vec(pick(GIVEN), 0..3), proptest::sample::select(vec!["", "总", "经理", "女士"]))
        .prop_map(|(s, g, t)| if g.is_empty() { format!("{s}{t}") } else { format!("{s}{}", g.into_iter().collect::<String>()) })
}

fn record() -> impl Strategy<Value = LeadRecord> {
    (company(), contact(), mobile(), proptest::sample::select(REGIONS), 0u8..4).prop_map(|(company, contact, phone, region, v)| {
        let phone = match v {
            0 => phone,
            1 => format!("{}****{}", &phone[..3], &phone[7..]),
            2 => String::new(),
            _ => format!("+86 {} {} {}", &phone[..3], &phone[3..7], &phone[7..]),
        };
        LeadRecord { company, contact, phone, email: String::new(), region: region.to_string(), address: None }
    })
}

/// Two leads of one 字号 (or two close ones), each in its own industry, form, spelling
/// and contact: the pairs where the company rules (bare name, typed into the industry,
/// other industry, other 字号) decide the score.
fn related_pair() -> impl Strategy<Value = (LeadRecord, LeadRecord)> {
    let side = || {
        (
            proptest::sample::select(INDUSTRIES),
            0usize..4,
            proptest::sample::select(SUFFIXES),
            proptest::sample::select(vec!["王芳", "王总", "李强", "王强", "Wang Fang", "wang fang", ""]),
            proptest::sample::select(vec!["13912345678", "139****5678", "13912345679", "02088886666", ""]),
            proptest::sample::select(vec!["wf@yuanhang.cn", "lq@yuanhang.cn", "wf@163.com", "wf@other.cn", ""]),
            proptest::sample::select(vec!["深圳", "广州", "广东", ""]),
            any::<bool>(),
        )
    };
    (proptest::collection::vec(pick(TRADE_CHARS), 1..5), pick(TRADE_CHARS), side(), side()).prop_map(|(trade, extra, x, y)| {
        let trade: String = trade.into_iter().collect();
        let make = |(industry, cut, suffix, contact, phone, email, region, other_trade): (&str, usize, &str, &str, &str, &str, &str, bool)| {
            // Cut the industry short (typed so far), or put another character in the 字号.
            let industry: String = industry.chars().take(industry.chars().count().saturating_sub(cut % 3)).collect();
            let trade = if other_trade { format!("{extra}{trade}") } else { trade.clone() };
            LeadRecord {
                company: format!("{trade}{industry}{suffix}"),
                contact: contact.into(),
                phone: phone.into(),
                email: email.into(),
                region: region.into(),
                address: (cut == 3).then(|| "南山区科技园1栋302室".to_string()),
            }
        };
        (make(x), make(y))
    })
}

proptest! {
    #[test]
    fn the_cheap_company_bound_gives_the_full_score(pair in related_pair(), shared in 0u32..3) {
        let (ka, kb) = (LeadKeys::from_record(&pair.0), LeadKeys::from_record(&pair.1));
        let ctx = PairContext { phone_companies: shared };
        let full = leadguard_dedup::score_with(&ka, &kb, ctx).score;
        for t in [0.0f32, 0.5, 0.85] {
            let expected = (full >= t).then_some(full);
            prop_assert_eq!(score_value_at_least(&ka, &kb, t, ctx), expected, "{:?} t={}", pair, t);
            prop_assert_eq!(score_at_least(&ka, &kb, t, ctx).map(|s| s.score), expected, "{:?} t={}", pair, t);
        }
    }

    #[test]
    fn the_quick_dismissal_never_drops_a_pair_at_or_above_the_threshold(pair in related_pair(), a in record(), b in record()) {
        for (x, y) in [(&pair.0, &pair.1), (&a, &b), (&pair.0, &b)] {
            let (kx, ky) = (LeadKeys::from_record(x), LeadKeys::from_record(y));
            let full = leadguard_dedup::score_with(&kx, &ky, PairContext::default()).score;
            for t in [0.5f32, 0.8, 0.85] {
                if dismissed(&QuickKeys::of(&kx), &QuickKeys::of(&ky), t) {
                    prop_assert!(full < t, "{:?} / {:?} dismissed at {} but scores {}", x, y, t, full);
                }
            }
        }
    }

    #[test]
    fn canonical_text_is_idempotent(s in "\\PC{0,30}") {
        let once = text::canonical(&s);
        prop_assert_eq!(text::canonical(&once), once);
    }

    #[test]
    fn company_normalisation_is_idempotent(name in company()) {
        let once = normalize_company(&name, "");
        let twice = normalize_company(&once.core, "");
        prop_assert_eq!(&twice.core, &once.core);
        prop_assert_eq!(&twice.trade, &once.trade);
    }

    #[test]
    fn person_normalisation_is_idempotent(name in contact()) {
        let once = normalize_person(&name);
        if !once.full.is_empty() {
            prop_assert_eq!(normalize_person(&once.full), once);
        }
    }

    #[test]
    fn email_normalisation_is_idempotent(local in "[a-zA-Z0-9][a-zA-Z0-9._]{0,11}", domain in "[a-z0-9]{1,10}") {
        let raw = format!("  {local}@{domain}.COM ");
        let once = normalize_email(&raw).unwrap();
        prop_assert_eq!(normalize_email(&once), Some(once.clone()));
    }

    #[test]
    fn phone_formats_normalise_to_the_same_mobile(m in mobile()) {
        let full = Phone::Mobile { digits: m.clone() };
        for raw in [
            m.clone(),
            format!("+86 {}", m),
            format!("0086-{}-{}-{}", &m[..3], &m[3..7], &m[7..]),
            m.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect::<String>(),
        ] {
            prop_assert_eq!(normalize_phone(&raw, ""), full.clone());
        }
    }

    #[test]
    fn masked_phone_matches_its_full_number(m in mobile()) {
        let full = normalize_phone(&m, "");
        let masked = normalize_phone(&format!("{}****{}", &m[..3], &m[7..]), "");
        prop_assert_eq!(masked.compare(&full), PhoneMatch::SameVisible);
        prop_assert_eq!(full.compare(&masked), PhoneMatch::SameVisible);
        let hashed = normalize_phone(&format!("sha256:{}", full.digest_full().unwrap()), "");
        prop_assert_eq!(hashed.compare(&full), PhoneMatch::Same);
        let hashed_visible = normalize_phone(&format!("sha256:{}", full.digest_visible().unwrap()), "");
        prop_assert_eq!(hashed_visible.compare(&full), PhoneMatch::SameVisible);
    }

    #[test]
    fn score_is_symmetric_and_bounded(a in record(), b in record()) {
        let (ka, kb) = (LeadKeys::from_record(&a), LeadKeys::from_record(&b));
        let ab = score(&ka, &kb);
        let ba = score(&kb, &ka);
        prop_assert_eq!(ab.score, ba.score);
        prop_assert!((0.0..=1.0).contains(&ab.score));
        prop_assert!(score(&ka, &ka).score >= ab.score.min(0.85) || ka.is_empty());
    }

    #[test]
    fn the_quick_bound_keeps_every_pair_at_or_above_the_threshold(a in record(), b in record(), shared in 0u32..4) {
        let (ka, kb) = (LeadKeys::from_record(&a), LeadKeys::from_record(&b));
        let ctx = PairContext { phone_companies: shared };
        let full = leadguard_dedup::score_with(&ka, &kb, ctx).score;
        for t in [0.5f32, 0.85] {
            prop_assert_eq!(score_at_least(&ka, &kb, t, ctx).is_some(), full >= t, "t={} full={}", t, full);
        }
    }
}

#[test]
fn two_firms_sharing_only_a_contact_name_and_city_are_dismissed_quickly() {
    let keys = |company: &str, phone: &str| {
        LeadKeys::from_record(&LeadRecord {
            company: company.into(),
            contact: "李恒鼎".into(),
            phone: phone.into(),
            region: "深圳".into(),
            ..LeadRecord::default()
        })
    };
    let a = keys("深圳市华恒鼎3科技有限公司", "13912345678");
    let b = keys("深圳市金瑞新3科技有限公司", "13887654321");
    assert!(dismissed(&QuickKeys::of(&a), &QuickKeys::of(&b), 0.85));
    // The same firm, a mistyped number, or a shared mailbox: scored in full.
    assert!(!dismissed(&QuickKeys::of(&a), &QuickKeys::of(&keys("华恒鼎3科技", "13887654321")), 0.85));
    assert!(!dismissed(&QuickKeys::of(&a), &QuickKeys::of(&keys("深圳市金瑞新3科技有限公司", "13912345679")), 0.85));
    let mut c = b.clone();
    c.email = a.email.clone().or(Some("li@huaheng.cn".into()));
    let mut a2 = a.clone();
    a2.email = Some("li@huaheng.cn".into());
    assert!(!dismissed(&QuickKeys::of(&a2), &QuickKeys::of(&c), 0.85));
}
