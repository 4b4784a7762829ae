//! Column names to lead fields: the Chinese and English names teams actually use.

use serde::Serialize;

/// A lead field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Company,
    Contact,
    Phone,
    Email,
    Region,
    Industry,
    Size,
    Need,
    Notes,
    Address,
    /// The rep who should own the customer (a manager's import for named owners).
    Owner,
}

impl Field {
    /// Characters a value may have (the registry's limits: single-line fields 200,
    /// the need 1,000, notes 4,000).
    pub fn max_chars(self) -> usize {
        match self {
            Field::Need => 1_000,
            Field::Notes => 4_000,
            Field::Owner => 64,
            _ => 200,
        }
    }

    /// Whether line breaks belong in the value (free text).
    pub fn multiline(self) -> bool {
        matches!(self, Field::Need | Field::Notes | Field::Address)
    }

    pub const ALL: [Field; 11] = [
        Field::Company,
        Field::Contact,
        Field::Phone,
        Field::Email,
        Field::Region,
        Field::Industry,
        Field::Size,
        Field::Need,
        Field::Notes,
        Field::Address,
        Field::Owner,
    ];

    /// The field named by [`Field::as_str`].
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Company => "company",
            Field::Contact => "contact",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Region => "region",
            Field::Industry => "industry",
            Field::Size => "size",
            Field::Need => "need",
            Field::Notes => "notes",
            Field::Address => "address",
            Field::Owner => "owner",
        }
    }
}

const SYNONYMS: &[(Field, &[&str])] = &[
    (Field::Company, &["公司名称", "单位名称", "客户名称", "企业名称", "公司", "单位", "客户", "客户单位", "company", "companyname", "customer", "customername", "account", "accountname", "organization", "organisation"]),
    (Field::Contact, &["联系人", "联系人姓名", "姓名", "客户姓名", "对接人", "contact", "contactname", "contactperson", "name"]),
    (Field::Phone, &["手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "联系方式", "移动电话", "phone", "phonenumber", "mobile", "mobilephone", "tel", "telephone", "cell"]),
    (Field::Email, &["邮箱", "电子邮箱", "邮件", "电子邮件", "邮箱地址", "email", "e-mail", "mail", "emailaddress"]),
    (Field::Region, &["地区", "城市", "所在城市", "区域", "所在地区", "省市", "所在地", "region", "city", "area", "location"]),
    (Field::Industry, &["行业", "所属行业", "行业类别", "industry", "sector"]),
    (Field::Size, &["规模", "公司规模", "企业规模", "人数", "员工人数", "size", "companysize", "employees"]),
    (Field::Need, &["需求", "客户需求", "意向", "需求描述", "意向产品", "need", "needs", "requirement", "requirements", "interest"]),
    (Field::Notes, &["备注", "说明", "备注信息", "notes", "note", "remark", "remarks", "comment", "comments"]),
    (Field::Address, &["地址", "公司地址", "详细地址", "联系地址", "address", "companyaddress"]),
    (Field::Owner, &["负责人", "跟进人", "销售", "业务员", "所属销售", "客户经理", "owner", "salesrep", "rep", "accountmanager"]),
];

/// The normal form of a column name: brackets and what they hold (（必填）, (optional))
/// dropped, spaces, `*`, `:`/`：`, `_` removed, Latin lower-cased.
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.trim().chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '*' | ':' | '：' | '_' | ' ' | '\u{3000}' | '\t' => {}
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The field a column named `name` fills, if any.
pub fn field_for_header(name: &str) -> Option<Field> {
    let n = normalise(name);
    if n.is_empty() {
        return None;
    }
    SYNONYMS.iter().find(|(_, names)| names.iter().any(|s| *s == n)).map(|(f, _)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_names_and_decorations_map_to_fields() {
        for (name, field) in [
            ("公司名称", Field::Company),
            ("单位名称*", Field::Company),
            ("客户名称（必填）", Field::Company),
            ("Company Name", Field::Company),
            ("联系人姓名", Field::Contact),
            ("手机号码", Field::Phone),
            ("联系电话：", Field::Phone),
            ("Mobile", Field::Phone),
            ("电子邮箱", Field::Email),
            ("E-mail", Field::Email),
            ("所在城市", Field::Region),
            ("所属行业", Field::Industry),
            ("客户需求", Field::Need),
            ("备注", Field::Notes),
            ("负责人", Field::Owner),
            ("Sales Rep", Field::Owner),
        ] {
            assert_eq!(field_for_header(name), Some(field), "{name}");
        }
        for name in ["", "序号", "No.", "创建时间", "(空)"] {
            assert_eq!(field_for_header(name), None, "{name}");
        }
    }
}
