//! Words and dates in the user's language for the files the core writes (an import
//! report, an export): a reason's sentence comes from the UI's own catalogs
//! (`reason.*`, `formField.*`), compiled in, so a report says exactly what the screen
//! says; dates read as the UI shows them (2026/11/25 14:30, Nov 25, 2026, 2:30 PM) in
//! the device's time zone.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::ApiError;
use crate::notifications::UiLocale;

const ZH_CN: &str = include_str!("../../../ui/src/i18n/zh-CN.ts");
const EN_US: &str = include_str!("../../../ui/src/i18n/en-US.ts");

/// `"key": "value",` lines of a catalog (each message is one line there).
fn parse(source: &str) -> HashMap<&str, &str> {
    source
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix('"')?;
            let (key, rest) = l.split_once("\": \"")?;
            let value = rest.trim_end_matches(',').strip_suffix('"')?;
            Some((key, value))
        })
        .collect()
}

fn catalog(locale: UiLocale) -> &'static HashMap<&'static str, &'static str> {
    static ZH: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match locale {
        UiLocale::ZhCn => ZH.get_or_init(|| parse(ZH_CN)),
        UiLocale::EnUs => EN.get_or_init(|| parse(EN_US)),
    }
}

/// A catalog message by key, if the catalog has it.
pub fn message(locale: UiLocale, key: &str) -> Option<&'static str> {
    catalog(locale).get(key).copied()
}

fn param_words(locale: UiLocale, name: &str, v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(|x| param_words(locale, name, x)).collect::<Vec<_>>().join(" / "),
        other => other.to_string(),
    };
    match name {
        "field" => message(locale, &format!("formField.{text}")).map_or(text, str::to_owned),
        "roles" => message(locale, &format!("session.role.{text}")).map_or(text, str::to_owned),
        _ => chrono::DateTime::parse_from_rfc3339(&text)
            .map(|d| date_time(locale, d.with_timezone(&chrono::Utc)))
            .unwrap_or(text),
    }
}

/// A moment as the UI shows it in `locale`, in the device's time zone.
pub fn date_time(locale: UiLocale, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&chrono::Local);
    match locale {
        UiLocale::ZhCn => local.format("%Y/%m/%d %H:%M").to_string(),
        UiLocale::EnUs => local.format("%b %-d, %Y, %-I:%M %p").to_string(),
    }
}

/// The sentence for `error` in `locale`; its English message when the catalog has none.
pub fn sentence(locale: UiLocale, error: &ApiError) -> String {
    let value = serde_json::to_value(error).unwrap_or_default();
    let Some(template) = value["reason"].as_str().and_then(|r| message(locale, &format!("reason.{r}"))) else {
        return error.message.clone();
    };
    let mut out = template.to_owned();
    if let Some(params) = value["params"].as_object() {
        for (name, v) in params {
            out = out.replace(&format!("{{{name}}}"), &param_words(locale, name, v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FormField, Reason};

    #[test]
    fn an_import_row_reason_reads_in_chinese_with_the_field_named() {
        let e: ApiError = Reason::ImportTooLong { field: FormField::Company, chars: 250, max: 200 }.into();
        assert_eq!(sentence(UiLocale::ZhCn, &e), "公司名称过长：250 个字符，上限 200");
        assert!(sentence(UiLocale::EnUs, &e).contains("250"));
        let e: ApiError = Reason::FieldRequired { field: FormField::Company }.into();
        assert_eq!(sentence(UiLocale::ZhCn, &e), "请填写公司名称");
    }

    #[test]
    fn dates_read_as_the_ui_shows_them() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-25T14:30:00Z").unwrap().with_timezone(&chrono::Utc);
        let zh = date_time(UiLocale::ZhCn, at);
        let en = date_time(UiLocale::EnUs, at);
        assert!(zh.starts_with("2026/11/2") && zh.len() == 16, "{zh}");
        assert!(en.starts_with("Nov 2") && en.contains(", 2026, ") && (en.ends_with("AM") || en.ends_with("PM")), "{en}");
    }
}
