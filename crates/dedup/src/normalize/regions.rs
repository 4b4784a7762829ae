//! Chinese place names and landline area codes.
//!
//! Company names are registered as `<行政区划><字号><行业><组织形式>`; the leading
//! place (北京, 广东省深圳市, ...) is optional in everyday use, so it is stripped before
//! names are compared. Landlines are written with or without the city's area code, so
//! the code of the lead's region fills it in. The table covers the provinces and the
//! prefecture-level cities where most leads come from; an unknown place simply stays
//! part of the name (a smaller similarity, never a wrong match).

/// Provincial-level divisions (short forms; `省`/`市`/`自治区` suffixes are handled by
/// [`strip_region_prefix`]).
const PROVINCES: &[&str] = &[
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门", "中国",
];

/// Cities with their landline area codes (without the leading 0 stripped: `010`).
const CITIES: &[(&str, &str)] = &[
    ("北京", "010"), ("上海", "021"), ("天津", "022"), ("重庆", "023"), ("广州", "020"),
    ("深圳", "0755"), ("杭州", "0571"), ("苏州", "0512"), ("南京", "025"), ("武汉", "027"),
    ("成都", "028"), ("西安", "029"), ("沈阳", "024"), ("长沙", "0731"), ("郑州", "0371"),
    ("济南", "0531"), ("青岛", "0532"), ("大连", "0411"), ("宁波", "0574"), ("厦门", "0592"),
    ("福州", "0591"), ("合肥", "0551"), ("南昌", "0791"), ("昆明", "0871"), ("贵阳", "0851"),
    ("南宁", "0771"), ("海口", "0898"), ("三亚", "0898"), ("石家庄", "0311"), ("太原", "0351"),
    ("呼和浩特", "0471"), ("长春", "0431"), ("哈尔滨", "0451"), ("兰州", "0931"),
    ("西宁", "0971"), ("银川", "0951"), ("乌鲁木齐", "0991"), ("拉萨", "0891"),
    ("无锡", "0510"), ("常州", "0519"), ("南通", "0513"), ("徐州", "0516"), ("扬州", "0514"),
    ("镇江", "0511"), ("泰州", "0523"), ("盐城", "0515"), ("温州", "0577"), ("绍兴", "0575"),
    ("嘉兴", "0573"), ("金华", "0579"), ("台州", "0576"), ("湖州", "0572"), ("东莞", "0769"),
    ("佛山", "0757"), ("珠海", "0756"), ("中山", "0760"), ("惠州", "0752"), ("江门", "0750"),
    ("汕头", "0754"), ("湛江", "0759"), ("烟台", "0535"), ("潍坊", "0536"), ("临沂", "0539"),
    ("淄博", "0533"), ("威海", "0631"), ("洛阳", "0379"), ("泉州", "0595"), ("漳州", "0596"),
    ("芜湖", "0553"), ("宜昌", "0717"), ("襄阳", "0710"), ("株洲", "0731"), ("湘潭", "0731"),
    ("绵阳", "0816"), ("保定", "0312"), ("唐山", "0315"), ("廊坊", "0316"), ("邯郸", "0310"),
    ("鞍山", "0412"), ("吉林", "0432"), ("大庆", "0459"), ("包头", "0472"), ("柳州", "0772"),
    ("桂林", "0773"), ("赣州", "0797"), ("九江", "0792"), ("遵义", "0851"), ("宝鸡", "0917"),
    ("咸阳", "029"), ("香港", "852"), ("澳门", "853"),
];

/// Suffixes of administrative names, longest first.
const ADMIN_SUFFIXES: &[&str] = &["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"];

/// Sales areas written in the region field instead of a city.
const AREAS: &[&str] = &["华南", "华东", "华北", "华中", "西南", "西北", "东北", "华西", "全国"];

/// Is `name` a province or a sales area (`广东`, `华南`) rather than a city? Such a
/// region contains cities, so it neither agrees nor conflicts with one.
pub fn is_broad_region(name: &str) -> bool {
    let short = strip_admin_suffix(name);
    AREAS.contains(&short) || (PROVINCES.contains(&short) && !CITIES.iter().any(|(c, _)| *c == short))
}

/// Is `name` (short form, e.g. `北京` or `北京市`) a known province or city?
pub fn is_region(name: &str) -> bool {
    let short = strip_admin_suffix(name);
    PROVINCES.contains(&short) || CITIES.iter().any(|(c, _)| *c == short)
}

/// The short form of a region name: `北京市` → `北京`, `广东省` → `广东`.
pub fn strip_admin_suffix(name: &str) -> &str {
    for suffix in ADMIN_SUFFIXES {
        if let Some(short) = name.strip_suffix(suffix) {
            if !short.is_empty() {
                return short;
            }
        }
    }
    name
}

/// The landline area code of a city (`北京` → `010`), if known.
pub fn area_code(region: &str) -> Option<&'static str> {
    let short = strip_admin_suffix(region.trim());
    CITIES.iter().find(|(c, _)| *c == short).map(|(_, code)| *code)
}

/// Remove leading place names (`广东省深圳市华为` → (`华为`, [`广东`, `深圳`])).
/// Only places followed by more text are removed, so a bare `北京` stays itself.
pub fn strip_region_prefix(s: &str) -> (&str, Vec<&'static str>) {
    strip_region_prefix_max(s, usize::MAX)
}

/// [`strip_region_prefix`] removing at most `max` places.
pub fn strip_region_prefix_max(s: &str, max: usize) -> (&str, Vec<&'static str>) {
    let mut rest = s;
    let mut found = Vec::new();
    'outer: while found.len() < max {
        for name in PROVINCES.iter().copied().chain(CITIES.iter().map(|(c, _)| *c)) {
            if let Some(after) = rest.strip_prefix(name) {
                let mut after = after;
                for suffix in ADMIN_SUFFIXES {
                    if let Some(a) = after.strip_prefix(suffix) {
                        after = a;
                        break;
                    }
                }
                if after.chars().count() >= 2 {
                    rest = after;
                    found.push(name);
                    continue 'outer;
                }
            }
        }
        break;
    }
    (rest, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_province_and_city_prefixes() {
        assert_eq!(strip_region_prefix("广东省深圳市华为技术").0, "华为技术");
        assert_eq!(strip_region_prefix("北京市锦信环保").0, "锦信环保");
        assert_eq!(strip_region_prefix("北京锦信环保").0, "锦信环保");
        assert_eq!(strip_region_prefix("锦信环保").0, "锦信环保");
    }

    #[test]
    fn never_strips_the_whole_name() {
        assert_eq!(strip_region_prefix("北京").0, "北京");
        assert_eq!(strip_region_prefix("上海市").0, "上海市");
    }

    #[test]
    fn provinces_and_sales_areas_are_broad_cities_are_not() {
        assert!(is_broad_region("广东省") && is_broad_region("华南"));
        assert!(!is_broad_region("广州") && !is_broad_region("北京") && !is_broad_region("los angeles"));
    }

    #[test]
    fn area_codes_of_regions() {
        assert_eq!(area_code("北京市"), Some("010"));
        assert_eq!(area_code("苏州"), Some("0512"));
        assert_eq!(area_code("火星"), None);
    }
}
