//! Company names: `<行政区划><字号><行业><组织形式>` reduced to what identifies the firm.
//!
//! `北京市锦信环保科技有限公司`, `锦信环保科技公司`, `锦信（北京）环保` and
//! `北京錦信環保科技股份有限公司` are one customer written four ways. We fold width and
//! script, drop bracketed places, leading places and legal forms, and keep:
//! - `core`: 字号 + 行业 (`锦信环保科技`), the string compared for similarity;
//! - `trade`: the 字号 alone (`锦信`) when a known industry word follows it — often just
//!   two characters, which is why the index blocks on character bigrams, not trigrams.

use super::regions;
use super::text;
use serde::{Deserialize, Serialize};

/// A normalised company name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CompanyName {
    /// 字号 + 行业, without places, brackets, legal forms; empty when the input is empty.
    pub core: String,
    /// The 字号 (trade name) when it could be separated from the industry, else `core`.
    pub trade: String,
    /// Places found in the name (short forms), e.g. `["北京"]`.
    pub places: Vec<String>,
    /// Latin-script names only: the significant words, sorted and deduplicated
    /// (`the palm` and `Palm, The` give `["palm"]`); empty for Chinese names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<String>,
}

/// Legal forms and organisational suffixes, longest first so `股份有限公司` wins
/// over `有限公司`.
const LEGAL_SUFFIXES: &[&str] = &[
    "股份有限公司", "有限责任公司", "集团有限公司", "控股有限公司", "有限公司", "股份公司",
    "集团公司", "分公司", "总公司", "公司", "集团", "控股", "有限", "coltd", "corporation", "company",
    "limited", "group", "corp", "inc", "ltd", "llc",
];

/// Industry words that follow the 字号 (longest first). Used to separate the trade
/// name and to compare industries loosely (`新能源` vs `新能`).
pub const INDUSTRY_WORDS: &[&str] = &[
    "信息技术", "网络技术", "电子科技", "生物医药", "医疗器械", "机械设备", "装饰工程", "教育咨询",
    "环保科技", "新能源", "新材料", "房地产", "建筑工程", "工程技术", "企业管理", "管理咨询",
    "供应链", "进出口", "电子商务", "文化传媒", "广告", "科技", "技术", "信息", "网络", "电子",
    "软件", "智能", "机械", "设备", "能源", "新能", "环保", "医疗", "器械", "生物", "医药",
    "制药", "教育", "咨询", "培训", "装饰", "装修", "工程", "建材", "建筑", "物流", "运输",
    "食品", "餐饮", "贸易", "商贸", "实业", "发展", "投资", "管理", "服务", "文化", "传媒",
    "材料", "化工", "服饰", "纺织", "汽车", "电器", "电气", "通信", "制造", "置业", "地产",
    "物业", "酒店", "农业", "健康", "照明", "包装", "印刷", "五金", "家具", "塑胶", "光电",
    "光伏", "半导体", "集成电路", "家居", "家电", "陶瓷", "钢铁", "金属", "石化", "矿业", "水务",
    "节能", "安防", "仪器", "仪表", "自动化", "机器人", "大数据", "数据", "云计算", "人工智能",
    "互联网", "影视", "旅游", "旅行社", "美容", "医院", "门诊", "金融", "保险", "租赁", "劳务",
    "人力资源", "会展", "设计", "规划", "检测", "认证", "环境", "水处理", "制冷", "空调", "电梯",
    "门窗", "玻璃", "涂料", "油漆", "橡胶", "塑料", "模具", "轴承", "阀门", "泵业", "电缆",
    "线缆", "电池", "储能", "充电", "汽配", "配件", "药业", "生物科技", "日化", "化妆品", "服装",
    "鞋业", "皮革", "箱包", "玩具", "文具", "体育", "乳业", "茶业", "酒业", "饮料", "粮油",
    "水产", "养殖", "种业", "园林", "绿化", "市政", "路桥", "钢构", "幕墙", "消防", "监理",
];

/// Normalise a company name. `region` is the lead's region column (may be empty); a
/// bracketed or leading place equal to it or to any known place is dropped.
pub fn normalize_company(name: &str, region: &str) -> CompanyName {
    let canon = text::canonical(name);
    if !canon.is_empty() && !canon.chars().any(text::is_han) {
        return latin_company(name);
    }
    let mut places = Vec::new();
    // Brackets: a bracketed place is dropped, other bracketed text is kept unbracketed.
    let mut out = String::with_capacity(canon.len());
    let mut rest = canon.as_str();
    while let Some((open_at, open)) = rest.char_indices().find(|(_, c)| is_open(*c)) {
        out.push_str(&rest[..open_at]);
        let after = &rest[open_at + open.len_utf8()..];
        match after.char_indices().find(|(_, c)| is_close(*c)) {
            Some((close_at, close)) => {
                let inner = &after[..close_at];
                let short = regions::strip_admin_suffix(inner);
                if regions::is_region(inner) || (!region.is_empty() && short == region_short(region)) {
                    places.push(short.to_string());
                } else {
                    out.push_str(inner);
                }
                rest = &after[close_at + close.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let cleaned: String = out.chars().filter(|c| c.is_alphanumeric() || is_kept_symbol(*c)).collect();

    // Legal forms at the end, repeatedly (`集团有限公司` → ``, `xx分公司` keeps its branch place out).
    let mut core: &str = &cleaned;
    loop {
        let before = core;
        for suffix in LEGAL_SUFFIXES {
            if let Some(s) = core.strip_suffix(suffix) {
                if !s.is_empty() {
                    core = s;
                    break;
                }
            }
        }
        // `华为技术深圳分公司` → the branch's place is noise once `分公司` is gone.
        if before.ends_with("分公司") {
            let (c, _) = strip_place_suffix(core);
            core = c;
        }
        if core == before {
            break;
        }
    }
    // Leading places (`广东省深圳市`), and the lead's own region if not in the table.
    let (mut stripped, mut found) = regions::strip_region_prefix(core);
    // `上海市广东新能`: a place can be the 字号 itself; never strip down to a bare industry.
    while !found.is_empty() && is_only_industry(stripped) {
        found.pop();
        stripped = regions::strip_region_prefix_max(core, found.len()).0;
    }
    places.extend(found.into_iter().map(str::to_string));
    let own = region_short(region);
    if !own.is_empty() && !regions::is_region(own) {
        if let Some(s) = stripped.strip_prefix(own) {
            let s = s.strip_prefix('市').unwrap_or(s);
            if s.chars().count() >= 2 {
                stripped = s;
                places.push(own.to_string());
            }
        }
    }
    let core = stripped.to_string();
    let trade = trade_name(&core).to_string();
    CompanyName { core, trade, places, tokens: Vec::new() }
}

/// Words of Latin names that say nothing about which firm it is: articles, `and`/`&`,
/// legal forms.
const LATIN_NOISE: &[&str] = &[
    "the", "a", "an", "and", "of", "inc", "incorporated", "llc", "ltd", "limited", "co", "corp", "corporation",
    "company", "gmbh", "plc", "sa", "ag", "bv", "nv", "pty", "llp", "lp", "srl", "spa", "sarl", "kg", "ab", "oy",
];

/// A Latin-script name: lowercase words without punctuation, bracketed qualifiers
/// (`(Los Angeles)`), articles and legal forms. `core` keeps the words in their order
/// (for blocking and typos), `tokens` holds them as a set (for word order).
fn latin_company(name: &str) -> CompanyName {
    let folded = text::to_simplified(&text::fold_width(name)).to_lowercase();
    let mut depth = 0usize;
    let mut plain = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            c if is_open(c) => depth += 1,
            c if is_close(c) => depth = depth.saturating_sub(1),
            '&' | '+' if depth == 0 => plain.push(' '),
            // `o'brien`, `macy's`: the apostrophe joins, it does not split.
            '\'' | '’' => {}
            c if depth == 0 => plain.push(if c.is_alphanumeric() { c } else { ' ' }),
            _ => {}
        }
    }
    let words: Vec<String> = plain.split_whitespace().filter(|w| !LATIN_NOISE.contains(w)).map(str::to_string).collect();
    // A name that is nothing but noise (`The Company`) keeps its words.
    let words = if words.is_empty() { plain.split_whitespace().map(str::to_string).collect() } else { words };
    let core = words.concat();
    let mut tokens = words;
    tokens.sort();
    tokens.dedup();
    CompanyName { trade: core.clone(), core, places: Vec::new(), tokens }
}

/// The 字号: `core` with trailing industry words removed (at least two characters kept).
pub fn trade_name(core: &str) -> &str {
    let mut t = core;
    loop {
        let before = t;
        for w in INDUSTRY_WORDS {
            if let Some(s) = t.strip_suffix(w) {
                if s.chars().count() >= 2 {
                    t = s;
                    break;
                }
            }
        }
        if t == before {
            return t;
        }
    }
}

/// Nothing but industry words (`新能源`, `生物医药`): no 字号 left.
fn is_only_industry(s: &str) -> bool {
    let mut t = s;
    while !t.is_empty() {
        match INDUSTRY_WORDS.iter().find_map(|w| t.strip_suffix(w)) {
            Some(rest) => t = rest,
            None => return false,
        }
    }
    !s.is_empty()
}

fn strip_place_suffix(s: &str) -> (&str, Option<&str>) {
    for (i, _) in s.char_indices().skip(1) {
        let tail = &s[i..];
        if regions::is_region(tail) && s[..i].chars().count() >= 2 {
            return (&s[..i], Some(tail));
        }
    }
    (s, None)
}

fn region_short(region: &str) -> &str {
    regions::strip_admin_suffix(region.trim())
}

fn is_open(c: char) -> bool {
    matches!(c, '(' | '[' | '{' | '【' | '〔' | '［' | '「' | '《' | '<')
}

fn is_close(c: char) -> bool {
    matches!(c, ')' | ']' | '}' | '】' | '〕' | '］' | '」' | '》' | '>')
}

fn is_kept_symbol(c: char) -> bool {
    c == '&'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core(name: &str) -> String {
        normalize_company(name, "").core
    }

    #[test]
    fn legal_forms_and_places_are_removed() {
        assert_eq!(core("北京市锦信环保科技有限公司"), "锦信环保科技");
        assert_eq!(core("北京锦信环保科技股份有限公司"), "锦信环保科技");
        assert_eq!(core("锦信环保科技有限责任公司"), "锦信环保科技");
        assert_eq!(core("武汉市方海医疗器械集团有限公司"), "方海医疗器械");
        assert_eq!(core("广东省深圳市华为技术有限公司"), "华为技术");
    }

    #[test]
    fn bracketed_places_are_removed_other_brackets_kept() {
        assert_eq!(core("晨永（西安）信息技术"), "晨永信息技术");
        assert_eq!(core("腾讯科技(深圳)有限公司"), "腾讯科技");
        assert_eq!(core("安合（中国）食品公司"), "安合食品");
        assert_eq!(core("华星（光电）公司"), "华星光电");
    }

    #[test]
    fn traditional_and_full_width_names_match_simplified() {
        assert_eq!(core("廣州市華信物流有限公司"), "华信物流");
        assert_eq!(core("ＡＢＣ科技（上海）有限公司"), "abc科技");
    }

    #[test]
    fn branch_offices_lose_their_place() {
        assert_eq!(core("华为技术有限公司深圳分公司"), "华为技术");
    }

    #[test]
    fn latin_names_drop_legal_forms() {
        assert_eq!(core("Acme Trading Co., Ltd."), "acmetrading");
    }

    #[test]
    fn trade_name_is_separated_from_industry() {
        assert_eq!(normalize_company("杭州源大新能源集团有限公司", "").trade, "源大");
        assert_eq!(normalize_company("杭州源大新能有限公司", "").trade, "源大");
        assert_eq!(normalize_company("西安市科博信息技术有限公司", "").trade, "科博");
        // Never reduced below two characters.
        assert_eq!(trade_name("科技"), "科技");
    }

    #[test]
    fn a_place_used_as_trade_name_is_kept() {
        assert_eq!(core("上海市广东新能"), "广东新能");
        assert_eq!(core("上海广东新能源公司"), "广东新能源");
    }

    #[test]
    fn latin_words_are_a_set() {
        let a = normalize_company("The Palm (Los Angeles)", "");
        assert_eq!(a.tokens, ["palm"]);
        assert_eq!(normalize_company("Palm, The", "").tokens, a.tokens);
        assert_eq!(normalize_company("Smith & Sons Ltd.", "").tokens, ["smith", "sons"]);
    }

    #[test]
    fn region_column_strips_unknown_places() {
        assert_eq!(normalize_company("昆山市宏达机械", "昆山").core, "宏达机械");
    }
}
