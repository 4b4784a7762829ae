//! A realistic generator of Chinese leads for the benchmark harness.
//!
//! Company names follow `<place><字号><行业><组织形式>` with a skewed (Zipf-like) choice
//! of trade-name characters, so popular characters (华, 信, 达...) produce long bigram
//! postings as they do in real registries; contacts follow the real surname skew
//! (王/李/张 ≈ 7% each). `variant` writes an existing lead the way another rep or a
//! distributor would (place or legal form dropped, bracketed place, title instead of
//! name, masked or reformatted phone, upper-case e-mail), which gives labelled
//! duplicates for the batch measurement and realistic "already known" checks.

use leadguard_dedup::LeadRecord;

/// A small, fast, seedable PRNG (SplitMix64), so runs are reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() as f64 / u64::MAX as f64) < p
    }
    /// Index with probability ∝ 1/(rank+1)^s.
    pub fn zipf(&mut self, cdf: &[f64]) -> usize {
        let u = self.next_u64() as f64 / u64::MAX as f64 * cdf[cdf.len() - 1];
        cdf.partition_point(|c| *c < u).min(cdf.len() - 1)
    }
}

fn cdf(n: usize, s: f64) -> Vec<f64> {
    let mut acc = 0.0;
    (0..n).map(|i| {
        acc += 1.0 / ((i + 1) as f64).powf(s);
        acc
    }).collect()
}

const CITIES: &[&str] = &[
    "北京", "上海", "广州", "深圳", "杭州", "苏州", "南京", "武汉", "成都", "西安", "重庆", "天津", "长沙",
    "郑州", "济南", "青岛", "大连", "宁波", "厦门", "福州", "合肥", "南昌", "昆明", "贵阳", "南宁", "石家庄",
    "太原", "沈阳", "长春", "哈尔滨", "无锡", "常州", "南通", "温州", "绍兴", "嘉兴", "东莞", "佛山", "珠海",
    "中山", "烟台", "潍坊", "泉州", "芜湖", "宜昌", "保定", "唐山",
];
const TRADE: &str = "华信达兴盛恒泰鑫金源博创宏瑞安永天新中联汇德晨光海东龙凯智锦科航越腾明辉远合诚大方地\
    美嘉佳和丰富荣昌隆顺通利祥福康健力强伟业志远星月云峰山川江湖港湾蓝绿红白银铭卓越优品尚雅致精\
    微宇宙恒久广益众鼎立豪威驰骏腾飞扬帆启航创新思维睿哲文韵书香墨林森桥屹屏亿万千百";
const INDUSTRIES: &[&str] = &[
    "信息技术", "网络科技", "电子科技", "生物医药", "医疗器械", "机械设备", "装饰工程", "教育咨询", "环保科技",
    "新能源", "新材料", "建筑工程", "企业管理", "供应链管理", "进出口贸易", "电子商务", "文化传媒", "广告",
    "软件", "智能科技", "物流", "食品", "餐饮管理", "商贸", "实业", "投资管理", "化工", "服饰", "纺织",
    "汽车服务", "电气", "通信技术", "精密制造", "置业", "物业管理", "酒店管理", "农业科技", "健康管理",
    "照明", "包装材料", "印刷", "五金", "家具", "塑胶制品", "光电科技",
];
const SUFFIXES: &[(&str, u32)] = &[
    ("有限公司", 50), ("有限责任公司", 15), ("股份有限公司", 10), ("集团有限公司", 5), ("公司", 10), ("", 10),
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡\
    余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞萍红鹏建国文辉力晓燕雪琳斌宇浩\
    凯子轩梓涵欣怡佳琪俊峰海波志成思雨婷晨阳欣然嘉瑞博文天佑一诺若曦";
const TITLES: &[&str] = &["总", "经理", "先生", "女士", "工"];

/// Generates leads and variants of them.
pub struct Synth {
    trade: Vec<char>,
    trade_cdf: Vec<f64>,
    surnames: Vec<char>,
    surname_cdf: Vec<f64>,
    given: Vec<char>,
    city_cdf: Vec<f64>,
    industry_cdf: Vec<f64>,
}

impl Default for Synth {
    fn default() -> Self {
        let trade: Vec<char> = TRADE.chars().collect();
        let surnames: Vec<char> = SURNAMES.chars().collect();
        Synth {
            trade_cdf: cdf(trade.len(), 0.8),
            trade,
            surname_cdf: cdf(surnames.len(), 1.0),
            surnames,
            given: GIVEN.chars().collect(),
            city_cdf: cdf(CITIES.len(), 0.9),
            industry_cdf: cdf(INDUSTRIES.len(), 0.6),
        }
    }
}

/// Names already given out: a registered company name (字号 + 行业) is unique within its
/// city, so a new firm never reuses one there.
#[derive(Default)]
pub struct Registered(std::collections::HashSet<(String, String)>);

impl Synth {
    /// A new lead of a firm not in `registered` (then recorded there).
    pub fn unique_lead(&self, rng: &mut Rng, n: usize, registered: &mut Registered) -> LeadRecord {
        loop {
            let l = self.lead(rng, n);
            let core = leadguard_dedup::normalize_company(&l.company, &l.region).core;
            if registered.0.insert((l.region.clone(), core)) {
                return l;
            }
        }
    }

    /// A new lead (its `n` makes the e-mail unique).
    pub fn lead(&self, rng: &mut Rng, n: usize) -> LeadRecord {
        let city = CITIES[rng.zipf(&self.city_cdf)];
        let len = match rng.below(20) {
            0 => 4,
            1..=4 => 3,
            _ => 2,
        };
        let trade: String = (0..len).map(|_| self.trade[rng.zipf(&self.trade_cdf)]).collect();
        let industry = INDUSTRIES[rng.zipf(&self.industry_cdf)];
        let mut pick = rng.below(100) as u32;
        let suffix = SUFFIXES.iter().find(|(_, w)| if pick < *w { true } else { pick -= w; false }).map_or("", |s| s.0);
        let company = match rng.below(10) {
            0..=5 => format!("{city}市{trade}{industry}{suffix}"),
            6 | 7 => format!("{city}{trade}{industry}{suffix}"),
            8 => format!("{trade}（{city}）{industry}{suffix}"),
            _ => format!("{trade}{industry}{suffix}"),
        };
        let surname = self.surnames[rng.zipf(&self.surname_cdf)];
        let given: String = (0..1 + rng.below(2)).map(|_| self.given[rng.below(self.given.len())]).collect();
        let contact = if rng.chance(0.1) { format!("{surname}{}", TITLES[rng.below(TITLES.len())]) } else { format!("{surname}{given}") };
        let phone = match rng.below(20) {
            0 => String::new(),
            1 | 2 => format!("0{}-{}", 20 + rng.below(900), 20_000_000 + rng.below(70_000_000)),
            _ => format!("1{}{}{:08}", [3, 5, 7, 8, 9][rng.below(5)], rng.below(10), rng.below(100_000_000)),
        };
        let email = if rng.chance(0.7) { format!("u{n}@c{}.com.cn", rng.below(100_000)) } else { String::new() };
        LeadRecord { company, contact, phone, email, region: city.to_string(), address: None }
    }

    /// The same customer written by someone else.
    pub fn variant(&self, rng: &mut Rng, r: &LeadRecord) -> LeadRecord {
        let mut v = r.clone();
        let core = leadguard_dedup::normalize_company(&r.company, &r.region).core;
        v.company = match rng.below(5) {
            0 => core.clone(),
            1 => format!("{}{core}有限公司", r.region),
            2 => format!("{}市{core}公司", r.region),
            3 => format!("{core}（{}）", r.region),
            _ => r.company.clone(),
        };
        if rng.chance(0.3) {
            let surname: String = r.contact.chars().take(1).collect();
            v.contact = format!("{surname}{}", TITLES[rng.below(TITLES.len())]);
        } else if rng.chance(0.1) {
            v.contact.clear();
        }
        let digits: String = r.phone.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 11 {
            v.phone = match rng.below(6) {
                0 => format!("{}****{}", &digits[..3], &digits[7..]),
                1 => format!("+86 {} {} {}", &digits[..3], &digits[3..7], &digits[7..]),
                2 => digits.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)).collect(),
                3 => String::new(),
                _ => format!("{}-{}-{}", &digits[..3], &digits[3..7], &digits[7..]),
            };
        }
        if rng.chance(0.3) {
            v.email = if rng.chance(0.5) { v.email.to_uppercase() } else { String::new() };
        }
        v
    }

    /// What a rep has typed after two characters of the trade name: `<city> + 字号`.
    pub fn typing_prefix(&self, r: &LeadRecord) -> LeadRecord {
        let core = leadguard_dedup::normalize_company(&r.company, &r.region);
        LeadRecord { company: core.trade.chars().take(2).collect(), region: r.region.clone(), ..LeadRecord::default() }
    }
}
