//! Why a pair scored what it did, in words a rep reads while typing (zh and en).
//!
//! A match carries the reasons that raised its score (strongest first) and, separately,
//! the fields that lowered it, so a warning can say "同一公司，联系人不同" or "地区不同".

use serde::{Deserialize, Serialize};

/// One field's contribution to a score.
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
    /// E-mail addresses at the same company domain (not a free-mail provider).
    SameEmailDomain { domain: String },
    /// Identical company names after normalisation.
    SameCompanyName,
    /// Company names `percent`% similar.
    CompanyNameSimilar { percent: u8 },
    /// The same company reached through another person (contact or phone differs,
    /// which is no evidence against: a customer is a company, not a person).
    SameCompanyOtherContact,
    /// No company on the lead: the same number, e-mail or address reached through
    /// another person (a household is one customer).
    SameHouseholdOtherPerson,
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
    /// Phones one mistyped or swapped digit apart.
    PhoneOneTypo,
    // Fields that lowered the score.
    /// The same trade name (字号) in another industry: possibly a sister firm.
    IndustryDiffers,
    /// The regions (cities) differ.
    RegionDiffers,
    /// E-mails at two different company domains.
    EmailDomainDiffers,
    /// Different contact people (counts against only when the company names do not agree).
    ContactDiffers,
    /// Different phone numbers (counts against only when the company names do not agree).
    PhoneDiffers,
    /// The phone is held for `companies` different companies in the registry (a
    /// switchboard, hotel or agency), so it says little about which one.
    PhoneShared { companies: u32 },
    /// The addresses differ.
    AddressDiffers,
    /// Company names differ.
    CompanyNameDiffers,
}

impl Reason {
    /// Chinese rendering, e.g. `公司名称相似度 92%`.
    pub fn zh(&self) -> String {
        match self {
            Reason::SamePhone => "电话相同".into(),
            Reason::MaskedPhoneMatches { visible } if visible.is_empty() => "电话可见位一致".into(),
            Reason::MaskedPhoneMatches { visible } => format!("掩码电话可见位一致（{visible}）"),
            Reason::SameEmail => "邮箱相同".into(),
            Reason::SameEmailDomain { domain } => format!("同一公司邮箱域名（{domain}）"),
            Reason::SameCompanyName => "公司名称相同".into(),
            Reason::CompanyNameSimilar { percent } => format!("公司名称相似度 {percent}%"),
            Reason::SameCompanyOtherContact => "同一公司，联系人不同".into(),
            Reason::SameHouseholdOtherPerson => "同一家庭/号码，联系人不同".into(),
            Reason::SameContact => "联系人相同".into(),
            Reason::ContactSpellingMatches => "联系人拼音一致".into(),
            Reason::ContactSurnameMatches => "联系人姓氏一致".into(),
            Reason::ContactSimilar { percent } => format!("联系人姓名相似度 {percent}%"),
            Reason::AddressSimilar { percent } => format!("地址相似度 {percent}%"),
            Reason::PhoneOneTypo => "电话仅差一位（疑似笔误）".into(),
            Reason::IndustryDiffers => "字号相同但行业不同".into(),
            Reason::RegionDiffers => "地区不同".into(),
            Reason::EmailDomainDiffers => "邮箱域名不同".into(),
            Reason::ContactDiffers => "联系人不同".into(),
            Reason::PhoneDiffers => "电话不同".into(),
            Reason::PhoneShared { companies } => format!("该电话被 {companies} 家公司共用（总机）"),
            Reason::AddressDiffers => "地址不同".into(),
            Reason::CompanyNameDiffers => "公司名称不同".into(),
        }
    }

    /// English rendering, e.g. `company name 92% similar`.
    pub fn en(&self) -> String {
        match self {
            Reason::SamePhone => "same phone".into(),
            Reason::MaskedPhoneMatches { visible } if visible.is_empty() => "phone matches on visible digits".into(),
            Reason::MaskedPhoneMatches { visible } => format!("masked phone matches visible digits ({visible})"),
            Reason::SameEmail => "same email".into(),
            Reason::SameEmailDomain { domain } => format!("same company e-mail domain ({domain})"),
            Reason::SameCompanyName => "same company name".into(),
            Reason::CompanyNameSimilar { percent } => format!("company name {percent}% similar"),
            Reason::SameCompanyOtherContact => "same company, different contact".into(),
            Reason::SameHouseholdOtherPerson => "same household or number, different person".into(),
            Reason::SameContact => "same contact".into(),
            Reason::ContactSpellingMatches => "contact name spelled alike (pinyin)".into(),
            Reason::ContactSurnameMatches => "contact surname matches".into(),
            Reason::ContactSimilar { percent } => format!("contact name {percent}% similar"),
            Reason::AddressSimilar { percent } => format!("address {percent}% similar"),
            Reason::PhoneOneTypo => "phone differs by one digit (a typo?)".into(),
            Reason::IndustryDiffers => "same trade name, different industry".into(),
            Reason::RegionDiffers => "different region".into(),
            Reason::EmailDomainDiffers => "different e-mail domains".into(),
            Reason::ContactDiffers => "different contact".into(),
            Reason::PhoneDiffers => "different phone".into(),
            Reason::PhoneShared { companies } => format!("phone shared by {companies} companies (switchboard)"),
            Reason::AddressDiffers => "different address".into(),
            Reason::CompanyNameDiffers => "different company name".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_render_in_both_languages() {
        let r = Reason::CompanyNameSimilar { percent: 92 };
        assert_eq!(r.zh(), "公司名称相似度 92%");
        assert_eq!(r.en(), "company name 92% similar");
        assert_eq!(Reason::SameCompanyOtherContact.zh(), "同一公司，联系人不同");
        assert_eq!(Reason::SameCompanyOtherContact.en(), "same company, different contact");
    }
}
