//! E-mail addresses: case, surrounding/embedded whitespace, full-width characters and
//! `mailto:` prefixes are noise; anything that is not `local@domain.tld` afterwards is
//! treated as no e-mail rather than compared as text.

use super::text;

/// The canonical e-mail, or `None` when the text is not an address.
pub fn normalize_email(raw: &str) -> Option<String> {
    let folded = text::fold_width(raw);
    let mut s: String = folded
        .chars()
        .filter(|c| !c.is_whitespace() && !text::is_invisible(*c))
        .map(|c| if c == '＠' { '@' } else { c.to_ascii_lowercase() })
        .collect();
    if let Some(rest) = s.strip_prefix("mailto:") {
        s = rest.to_string();
    }
    let s = s.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | ',' | ';' | '.'));
    let (local, domain) = s.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@');
    valid.then(|| s.to_string())
}

/// Free-mail providers: an address there says nothing about the employer.
const FREE_MAIL: &[&str] = &[
    "qq.com", "vip.qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "vip.163.com", "vip.126.com",
    "sina.com", "sina.cn", "vip.sina.com", "sohu.com", "139.com", "189.cn", "wo.cn", "aliyun.com", "tom.com",
    "21cn.com", "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "yahoo.com.cn", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com",
    "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "mail.ru", "yandex.ru", "yandex.com", "zoho.com",
    "hotmail.co.uk", "yahoo.co.uk", "naver.com", "daum.net", "qq.cn",
];

/// The domain of a canonical address (`a@b.com` → `b.com`).
pub fn domain(email: &str) -> Option<&str> {
    email.rsplit_once('@').map(|(_, d)| d).filter(|d| !d.is_empty())
}

/// Is `domain` a free-mail provider (qq.com, 163.com, gmail.com, …)? Regional
/// variants of the big providers (`hotmail.fr`, `yahoo.co.jp`) count too.
pub fn is_free_mail(domain: &str) -> bool {
    if FREE_MAIL.contains(&domain) {
        return true;
    }
    let first = domain.split('.').next().unwrap_or_default();
    matches!(first, "hotmail" | "yahoo" | "outlook" | "live" | "gmail" | "gmx" | "yandex")
}

/// The company domain of an address: its domain unless that is a free-mail provider.
pub fn company_domain(email: &str) -> Option<&str> {
    domain(email).filter(|d| !is_free_mail(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_spaces_and_width_fold() {
        let e = Some("zhou400@ke8bebe.com".to_string());
        assert_eq!(normalize_email(" ZHOU400@KE8BEBE.COM "), e);
        assert_eq!(normalize_email("ｚｈｏｕ４００＠ｋｅ８ｂｅｂｅ．ｃｏｍ"), e);
        assert_eq!(normalize_email("mailto:zhou400@ke8bebe.com"), e);
        assert_eq!(normalize_email("<zhou400@ke8bebe.com>"), e);
    }

    #[test]
    fn non_addresses_are_none() {
        for raw in ["", "无", "zhou400", "a@b", "@x.com", "a@b@c.com"] {
            assert_eq!(normalize_email(raw), None, "{raw}");
        }
    }

    #[test]
    fn free_mail_has_no_company_domain() {
        for e in ["li@qq.com", "wang@163.com", "x@126.com", "a@gmail.com", "b@sina.com", "c@foxmail.com", "d@hotmail.fr", "e@139.com", "f@aliyun.com"] {
            assert_eq!(company_domain(e), None, "{e}");
        }
        assert_eq!(company_domain("li@huaqiang.com.cn"), Some("huaqiang.com.cn"));
    }
}
