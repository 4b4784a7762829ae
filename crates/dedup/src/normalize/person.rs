//! Contact names: `王总`, `王经理`, `王建国`, `Wang Jianguo` and `JianGuo WANG` can be
//! the same person.
//!
//! Reps often write only the surname plus a title (王总, 李工, 张女士, 小王, Mr. Zhang),
//! so such a name is kept as "surname only" and is merely *compatible* with any full
//! name of that surname — weak evidence, never a full match. Names in Latin letters are
//! compared through pinyin (without tones), in either name order.

use super::text;
use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};

/// A normalised person name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonName {
    /// Canonical text of the name without title (`王建国`, `wangjianguo`); empty if none.
    pub full: String,
    /// Surname in pinyin (`wang`), empty when unknown (Latin name without title).
    pub surname: String,
    /// The name was a surname with a title (`王总`): only the surname is known.
    pub title_only: bool,
    /// Spellings that identify the person: pinyin surname+given for Chinese names; the
    /// name as written and with its last word first for Latin ones.
    pub spellings: Vec<String>,
    /// Latin names only: the separate words (`["lydia", "doosey"]`), whose order does
    /// not tell given name from surname.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
}

impl PersonName {
    /// No usable name.
    pub fn is_empty(&self) -> bool {
        self.full.is_empty() && self.surname.is_empty()
    }
}

/// Two-character surnames (复姓) that must not be split.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "慕容", "皇甫", "令狐", "夏侯", "公孙", "长孙", "宇文",
    "司徒", "尉迟", "轩辕", "端木", "独孤", "南宫", "西门", "万俟", "闻人", "澹台", "申屠", "百里",
];

/// Titles written after a surname, longest first.
const TITLE_SUFFIXES: &[&str] = &[
    "总经理", "董事长", "副总", "总监", "总工", "经理", "先生", "女士", "小姐", "老师", "老板", "主任",
    "部长", "处长", "科长", "院长", "校长", "所长", "厂长", "店长", "主管", "博士", "教授", "律师",
    "医生", "师傅", "太太", "助理", "会计", "秘书", "总", "工", "董", "姐", "哥",
];

/// Titles written before a surname (`小王`, `老李`, `阿强`).
const TITLE_PREFIXES: &[&str] = &["小", "老", "阿"];

/// Latin titles (lowercased, punctuation removed).
const LATIN_TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "prof", "mister", "madam"];

/// Surnames whose usual reading differs from the character's most common one.
const SURNAME_READINGS: &[(char, &str)] = &[
    ('曾', "zeng"), ('单', "shan"), ('解', "xie"), ('仇', "qiu"), ('区', "ou"), ('朴', "piao"),
    ('查', "zha"), ('盖', "ge"), ('乐', "yue"), ('重', "chong"), ('覃', "qin"), ('缪', "miao"),
    ('尉', "yu"), ('翟', "zhai"), ('种', "chong"), ('秘', "bi"), ('召', "shao"), ('隗', "wei"),
];

/// Normalise a contact name.
pub fn normalize_person(name: &str) -> PersonName {
    let canon = text::canonical(name);
    let canon: String = canon.chars().filter(|c| c.is_alphanumeric()).collect();
    if canon.is_empty() {
        return PersonName::default();
    }
    if canon.chars().any(text::is_han) {
        han_name(&canon)
    } else {
        latin_name(name)
    }
}

fn han_name(canon: &str) -> PersonName {
    // Keep only the Han characters (drops stray digits/letters such as `王总2`).
    let han: String = canon.chars().filter(|c| text::is_han(*c)).collect();
    let n = han.chars().count();
    for suffix in TITLE_SUFFIXES {
        if let Some(sur) = han.strip_suffix(suffix) {
            if is_surname_shape(sur) {
                return title_only(sur);
            }
        }
    }
    if n == 2 {
        for prefix in TITLE_PREFIXES {
            if let Some(sur) = han.strip_prefix(prefix) {
                return title_only(sur);
            }
        }
    }
    let (sur, given) = split_surname(&han);
    let sur_py = surname_pinyin(sur);
    let given_py = pinyin_of(given);
    PersonName {
        full: han.clone(),
        surname: sur_py.clone(),
        title_only: false,
        // One order suffices: a Latin spelling carries both of its own orders.
        spellings: vec![format!("{sur_py}{given_py}")],
        words: Vec::new(),
    }
}

fn title_only(sur: &str) -> PersonName {
    PersonName { full: String::new(), surname: surname_pinyin(sur), title_only: true, spellings: Vec::new(), words: Vec::new() }
}

fn latin_name(raw: &str) -> PersonName {
    let folded = text::fold_width(raw).to_lowercase();
    let mut tokens: Vec<String> = folded
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == '-' || c == '_')
        .map(|t| t.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|t| !t.is_empty())
        .collect();
    let titled = tokens.first().is_some_and(|t| LATIN_TITLES.contains(&t.as_str()));
    if titled {
        tokens.remove(0);
        if let Some(sur) = tokens.last() {
            return PersonName { full: String::new(), surname: sur.clone(), title_only: true, spellings: Vec::new(), words: Vec::new() };
        }
        return PersonName::default();
    }
    let full: String = tokens.concat();
    let mut spellings = vec![full.clone()];
    if tokens.len() >= 2 {
        // `Xiaoming Zhang` → also `zhangxiaoming`; `ZHANG Xiaoming` → also `xiaomingzhang`.
        let mut rotated = tokens.clone();
        let last = rotated.pop().unwrap_or_default();
        rotated.insert(0, last);
        spellings.push(rotated.concat());
    }
    let words = if tokens.len() >= 2 { tokens } else { Vec::new() };
    PersonName { full, surname: String::new(), title_only: false, spellings, words }
}

fn is_surname_shape(s: &str) -> bool {
    let n = s.chars().count();
    n == 1 || (n == 2 && COMPOUND_SURNAMES.contains(&s))
}

fn split_surname(han: &str) -> (&str, &str) {
    if han.chars().count() >= 3 {
        for c in COMPOUND_SURNAMES {
            if let Some(rest) = han.strip_prefix(c) {
                return (&han[..c.len()], rest);
            }
        }
    }
    let first = han.chars().next().map(char::len_utf8).unwrap_or(0);
    (&han[..first], &han[first..])
}

fn surname_pinyin(sur: &str) -> String {
    let mut chars = sur.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if let Some((_, py)) = SURNAME_READINGS.iter().find(|(k, _)| *k == c) {
            return (*py).to_string();
        }
    }
    pinyin_of(sur)
}

/// Toneless pinyin of Han text, syllables concatenated; other characters are kept.
pub fn pinyin_of(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for (c, py) in s.chars().zip(s.to_pinyin()) {
        match py {
            Some(p) => out.push_str(p.plain()),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_leave_only_the_surname() {
        for n in ["王总", "王经理", "王先生", "王女士", "王工", "小王", "老王", "王总经理", "Mr. Wang"] {
            let p = normalize_person(n);
            assert!(p.title_only, "{n}");
            assert_eq!(p.surname, "wang", "{n}");
        }
        assert_eq!(normalize_person("欧阳女士").surname, "ouyang");
    }

    #[test]
    fn full_names_keep_surname_and_spellings() {
        let p = normalize_person("王建国");
        assert!(!p.title_only);
        assert_eq!(p.full, "王建国");
        assert_eq!(p.surname, "wang");
        assert!(p.spellings.contains(&"wangjianguo".to_string()));
        assert_eq!(normalize_person("欧阳娜娜").surname, "ouyang");
    }

    #[test]
    fn surname_readings_override_common_readings() {
        assert_eq!(normalize_person("曾志伟").surname, "zeng");
        assert_eq!(normalize_person("单田芳").surname, "shan");
    }

    #[test]
    fn latin_spellings_in_either_order() {
        let han = normalize_person("张晓明");
        for latin in ["Zhang Xiaoming", "Xiaoming Zhang", "XIAO-MING ZHANG", "zhang xiao ming"] {
            let l = normalize_person(latin);
            assert!(l.spellings.iter().any(|s| han.spellings.contains(s)), "{latin}: {:?}", l.spellings);
        }
    }

    #[test]
    fn traditional_and_spaced_names_fold() {
        assert_eq!(normalize_person("張 偉").full, "张伟");
        assert!(normalize_person("  ").is_empty());
    }
}
