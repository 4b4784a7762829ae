//! Where places sit in one another (区域层级): sales areas contain provinces, provinces
//! contain cities, a city contains its districts. The region-match rule of arbitration
//! (docs/RULES.md rule 8) asks whether a rep's region covers the customer's: a rep of
//! 华南 covers a customer in 广州 (广州 is in 广东, 广东 is in 华南); a rep of 深圳 does
//! not cover 广州. Pure tables; a place the tables do not know covers only itself and
//! the places its name begins with (上海 covers 上海浦东).

/// Sales areas and their provinces (the division most Chinese sales teams use).
const AREAS: &[(&str, &[&str])] = &[
    ("华南", &["广东", "广西", "海南"]),
    ("华东", &["上海", "江苏", "浙江", "安徽", "福建", "江西", "山东"]),
    ("华北", &["北京", "天津", "河北", "山西", "内蒙古"]),
    ("华中", &["河南", "湖北", "湖南"]),
    ("西南", &["重庆", "四川", "贵州", "云南", "西藏"]),
    ("西北", &["陕西", "甘肃", "青海", "宁夏", "新疆"]),
    ("东北", &["辽宁", "吉林", "黑龙江"]),
    ("港澳台", &["香港", "澳门", "台湾"]),
];

/// Prefecture-level cities and their province (municipalities are their own province).
const CITIES: &[(&str, &str)] = &[
    ("广州", "广东"), ("深圳", "广东"), ("东莞", "广东"), ("佛山", "广东"), ("珠海", "广东"),
    ("中山", "广东"), ("惠州", "广东"), ("江门", "广东"), ("汕头", "广东"), ("湛江", "广东"),
    ("肇庆", "广东"), ("南宁", "广西"), ("柳州", "广西"), ("桂林", "广西"), ("海口", "海南"),
    ("三亚", "海南"), ("杭州", "浙江"), ("宁波", "浙江"), ("温州", "浙江"), ("绍兴", "浙江"),
    ("嘉兴", "浙江"), ("金华", "浙江"), ("台州", "浙江"), ("湖州", "浙江"), ("南京", "江苏"),
    ("苏州", "江苏"), ("无锡", "江苏"), ("常州", "江苏"), ("南通", "江苏"), ("徐州", "江苏"),
    ("扬州", "江苏"), ("镇江", "江苏"), ("泰州", "江苏"), ("盐城", "江苏"), ("合肥", "安徽"),
    ("芜湖", "安徽"), ("福州", "福建"), ("厦门", "福建"), ("泉州", "福建"), ("漳州", "福建"),
    ("南昌", "江西"), ("赣州", "江西"), ("九江", "江西"), ("济南", "山东"), ("青岛", "山东"),
    ("烟台", "山东"), ("潍坊", "山东"), ("临沂", "山东"), ("淄博", "山东"), ("威海", "山东"),
    ("石家庄", "河北"), ("保定", "河北"), ("唐山", "河北"), ("廊坊", "河北"), ("邯郸", "河北"),
    ("太原", "山西"), ("呼和浩特", "内蒙古"), ("包头", "内蒙古"), ("郑州", "河南"), ("洛阳", "河南"),
    ("武汉", "湖北"), ("宜昌", "湖北"), ("襄阳", "湖北"), ("长沙", "湖南"), ("株洲", "湖南"),
    ("湘潭", "湖南"), ("成都", "四川"), ("绵阳", "四川"), ("贵阳", "贵州"), ("遵义", "贵州"),
    ("昆明", "云南"), ("拉萨", "西藏"), ("西安", "陕西"), ("宝鸡", "陕西"), ("咸阳", "陕西"),
    ("兰州", "甘肃"), ("西宁", "青海"), ("银川", "宁夏"), ("乌鲁木齐", "新疆"), ("沈阳", "辽宁"),
    ("大连", "辽宁"), ("鞍山", "辽宁"), ("长春", "吉林"), ("哈尔滨", "黑龙江"), ("大庆", "黑龙江"),
];

/// Lower-cased, trimmed, without an administrative suffix (省, 市, 区, 地区, 大区,
/// 自治区 ...).
pub fn normalize(s: &str) -> String {
    let mut s = s.trim().to_lowercase();
    for suffix in ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "地区", "大区", "省", "市", "区"] {
        if let Some(x) = s.strip_suffix(suffix) {
            if !x.is_empty() {
                s = x.to_string();
                break;
            }
        }
    }
    s
}

/// The chain of places containing `place` (normalised), nearest first, place itself
/// excluded: 广州 → [广东, 华南]; 广东省广州市 reads as 广州 in 广东.
fn parents(place: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    // A place written with its province in front (广东广州, 广东省广州市天河区).
    let city = CITIES.iter().find(|(c, p)| place.starts_with(c) || place.strip_prefix(p).is_some_and(|r| r.trim_start_matches('省').starts_with(c)));
    let province = match city {
        Some((c, p)) if *c != place => {
            out.push(*c);
            Some(*p)
        }
        Some((_, p)) => Some(*p),
        None => AREAS.iter().flat_map(|(_, ps)| ps.iter()).find(|p| place.starts_with(**p) && **p != place).copied(),
    };
    let province = province.or_else(|| AREAS.iter().flat_map(|(_, ps)| ps.iter()).find(|p| **p == place).copied());
    if let Some(p) = province {
        if p != place {
            out.push(p);
        }
        if let Some((area, _)) = AREAS.iter().find(|(_, ps)| ps.contains(&p)) {
            out.push(area);
        }
    }
    out
}

/// Whether a rep's region covers the customer's: the same place, a place the
/// customer's lies in (华南 ⊃ 广东 ⊃ 广州 ⊃ 广州天河), or a prefix of it (上海 for
/// 上海浦东). An empty region covers nothing.
pub fn covers(rep_region: &str, customer_region: &str) -> bool {
    let (r, c) = (normalize(rep_region), normalize(customer_region));
    if r.is_empty() || c.is_empty() {
        return false;
    }
    c.starts_with(&r) || parents(&c).iter().any(|p| *p == r)
}

/// `place` and every place the tables put inside it, as names a region field starts
/// with: 华南 → 华南, 广东, 广州, 深圳, …, 广西, …; an unknown place → itself. A lead lies
/// in `place` when its region begins with one of them (a list filter).
pub fn within(place: &str) -> Vec<String> {
    let p = normalize(place);
    if p.is_empty() {
        return Vec::new();
    }
    let mut out = vec![p.clone()];
    let provinces: Vec<&str> = match AREAS.iter().find(|(a, _)| *a == p) {
        Some((_, ps)) => ps.to_vec(),
        None => AREAS.iter().flat_map(|(_, ps)| ps.iter().copied()).filter(|x| *x == p).collect(),
    };
    for province in provinces {
        if province != p {
            out.push(province.to_string());
        }
        out.extend(CITIES.iter().filter(|(_, pr)| *pr == province).map(|(c, _)| c.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sales_area_covers_its_provinces_and_their_cities() {
        for (rep, customer) in [("华南", "广州"), ("华南", "广东省广州市"), ("华南大区", "深圳市"), ("广东", "广州"), ("广东省", "深圳"), ("华南", "广东")] {
            assert!(covers(rep, customer), "{rep} should cover {customer}");
        }
    }

    #[test]
    fn a_city_covers_itself_and_its_districts_not_its_neighbours_or_its_province() {
        assert!(covers("广州", "广州"));
        assert!(covers("广州", "广州市天河区"));
        assert!(covers("上海", "上海浦东"));
        assert!(!covers("深圳", "广州"));
        assert!(!covers("广州", "广东"));
        assert!(!covers("广州", "华南"));
        assert!(!covers("华东", "广州"));
        assert!(!covers("", "广州"));
    }

    #[test]
    fn within_lists_an_area_with_its_provinces_and_cities() {
        let south = within("华南");
        for place in ["华南", "广东", "广州", "深圳", "广西", "海口"] {
            assert!(south.iter().any(|p| p == place), "{place} in {south:?}");
        }
        assert!(!south.iter().any(|p| p == "杭州"));
        assert_eq!(within("广州市"), vec!["广州".to_string()]);
        assert_eq!(within("某地"), vec!["某地".to_string()]);
    }
}
