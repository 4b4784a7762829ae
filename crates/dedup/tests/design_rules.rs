//! docs/RULES.md rule 2, 线索查重: a new lead is compared with existing ones on company,
//! contact, phone and e-mail; a match above the threshold (85%) warns with reasons;
//! matching understands suffixes, region prefixes, full-width text, phone formats,
//! masked phones and pinyin/Latin spellings.

use leadguard_dedup::{Config, Index, LeadRecord, Reason};

fn lead(company: &str, contact: &str, phone: &str, email: &str, region: &str) -> LeadRecord {
    LeadRecord {
        company: company.into(),
        contact: contact.into(),
        phone: phone.into(),
        email: email.into(),
        region: region.into(),
        address: None,
    }
}

fn registry() -> Index {
    let mut idx = Index::new(Config::default());
    idx.insert(1, &lead("北京市锦信环保科技有限公司", "丁艳", "13626445365", "dingyan@jinxin.cn", "北京"));
    idx.insert(2, &lead("上海安光医疗器械有限公司", "张晓明", "021-61234567", "", "上海"));
    idx.insert(3, &lead("廣州市華信物流有限公司", "李娜", "13912343333", "", "广州"));
    idx
}

#[test]
fn rule_2_duplicate_check_on_entry_warns_at_85_percent() {
    assert_eq!(Config::default().threshold, 0.85);
    let idx = registry();
    // Suffix and region prefix dropped, title instead of name, masked phone.
    let m = idx.check(&lead("锦信环保", "丁女士", "136****5365", "", "北京"), 5);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].id, 1);
    assert!(m[0].score >= 0.85);
    assert!(m[0].reasons.contains(&Reason::MaskedPhoneMatches { visible: "136****5365".into() }));
    assert!(m[0].reasons.iter().any(|r| matches!(r, Reason::SameCompanyName | Reason::CompanyNameSimilar { .. })));
}

#[test]
fn rule_2_understands_full_width_traditional_and_phone_formats() {
    let idx = registry();
    let m = idx.check(&lead("华信物流（广州）", "李娜", "+86 139-1234-3333", "", "广州"), 5);
    assert_eq!(m.first().map(|m| m.id), Some(3), "{m:?}");
    let m = idx.check(&lead("ＡＢＣ", "丁艳", "１３６２６４４５３６５", "DINGYAN@JINXIN.CN", "北京"), 5);
    assert_eq!(m.first().map(|m| m.id), Some(1), "{m:?}");
}

#[test]
fn rule_2_understands_pinyin_spellings_of_contacts() {
    let idx = registry();
    let m = idx.check(&lead("上海市安光医疗器械公司", "Xiaoming Zhang", "", "", "上海"), 5);
    assert_eq!(m.first().map(|m| m.id), Some(2), "{m:?}");
    assert!(m[0].reasons.contains(&Reason::ContactSpellingMatches));
}

#[test]
fn rule_2_same_name_with_conflicting_contact_phone_and_email_is_not_a_warning() {
    let idx = registry();
    let m = idx.check(&lead("北京市锦信环保科技有限公司", "王建国", "18800001111", "wang@other.cn", "北京"), 5);
    assert!(m.is_empty(), "{m:?}");
}

#[test]
fn rule_12_distributor_report_with_a_hashed_phone_matches_without_revealing_it() {
    // docs/RULES.md rules 2 and 12: a distributor's report may carry only a digest of
    // the phone's visible digits; it still finds the customer.
    let idx = registry();
    let digest = leadguard_dedup::normalize_phone("139****3333", "").digest_visible().unwrap();
    let m = idx.check(&lead("华信物流", "李女士", &format!("sha256:{digest}"), "", "广州"), 5);
    assert_eq!(m.first().map(|m| m.id), Some(3), "{m:?}");
    assert!(m[0].reasons.contains(&Reason::MaskedPhoneMatches { visible: String::new() }), "{m:?}");
}
