//! Human-readable output for registry results (without `--json`). Shapes it does not
//! know are printed as pretty JSON.

use serde_json::Value;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn lead_line(l: &Value) -> String {
    let f = &l["fields"];
    let mut out = format!("{}  {}  [{}] {}", s(&l["id"]), s(&f["company"]), s(&l["state"]), s(&l["summary"]));
    for key in ["contact", "phone", "email", "region", "need"] {
        if let Some(v) = f[key].as_str() {
            out.push_str(&format!("\n    {key}: {v}"));
        }
    }
    out
}

fn joined(rs: &Value) -> String {
    rs.as_array().into_iter().flatten().map(|r| s(&r["zh"])).collect::<Vec<_>>().join("，")
}

fn match_line(mark: &str, label: &str, m: &Value) -> String {
    let lowered = joined(&m["lowered_by"]);
    format!(
        "\n  {mark} {label} {:.0}%: {} {} — {} ({}){}",
        m["score"].as_f64().unwrap_or(0.0) * 100.0,
        s(&m["lead"]["id"]),
        s(&m["lead"]["fields"]["company"]),
        s(&m["lead"]["summary"]),
        joined(&m["reasons"]),
        if lowered.is_empty() { String::new() } else { format!(" 降低相似度: {lowered}") }
    ) + &relations(&m["related"])
}

/// Likely matches grouped by who holds them (the lead summary names the owner), so
/// every customer a rep may collide with is listed, not just the best one.
fn matches(ms: &Value) -> String {
    let mut groups: Vec<(&str, Vec<&Value>)> = Vec::new();
    for m in ms.as_array().into_iter().flatten() {
        let owner = m["lead"]["owner_name"].as_str().unwrap_or_else(|| s(&m["lead"]["state"]));
        match groups.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, g)) => g.push(m),
            None => groups.push((owner, vec![m])),
        }
    }
    groups.into_iter().flat_map(|(_, g)| g).map(|m| match_line("!", "疑似重复", m)).collect()
}

/// A relation as one line: 直系亲属 张伟家 (李娜), 转介绍 王强.
fn relation_line(r: &Value) -> String {
    let kind = match s(&r["kind"]) {
        "family" => "直系亲属",
        "same_unit" => "同一购买单位",
        _ => "转介绍",
    };
    let mut out = format!("\n    {kind}");
    if let Some(l) = r["lead"].as_object() {
        out.push_str(&format!(" {} {}", s(&l["id"]), s(&l["company"])));
        if let Some(o) = l["owner_name"].as_str() {
            out.push_str(&format!(" (由 {o} 跟进)"));
        }
    }
    if let Some(n) = r["referrer_name"].as_str().or(r["referrer"].as_str()) {
        out.push_str(&format!(" 转介绍人: {n}"));
    }
    out
}

fn relations(rs: &Value) -> String {
    rs.as_array().into_iter().flatten().map(relation_line).collect()
}

fn possible(ms: &Value) -> String {
    ms.as_array().into_iter().flatten().map(|m| match_line("?", "可能是同一客户", m)).collect()
}

/// A distributor's online check (the hub's answer about other parties' customers).
fn online(o: &Value) -> String {
    match o["status"].as_str() {
        Some("protected") => match o["until"].as_str() {
            Some(until) => format!("\n! 该客户已在保护期内（至 {until}），不能报备 (already protected until {until})"),
            None => "\n! 该客户已成交绑定，不能报备 (bound by a deal)".into(),
        },
        Some("free") => "\n  服务器查重：未发现受保护的同一客户 (the hub knows no protected match)".into(),
        Some("rate_limited") => "\n? 服务器查重：查询过于频繁，稍后再试 (too many checks; try again shortly)".into(),
        Some("offline") => format!("\n? 服务器查重：无法连接服务器，未能查重 (could not check with the hub: {})", s(&o["detail"])),
        _ => String::new(),
    }
}

/// Renders a command result for a terminal.
pub fn human(v: &Value) -> String {
    // Commands that render their own text return it as a string.
    if let Some(text) = v.as_str() {
        return text.to_string();
    }
    if v.get("lead").is_some() && v.get("duplicates").is_some() {
        let mut out = lead_line(&v["lead"]);
        if v["missing"].as_array().is_some_and(|m| !m.is_empty()) {
            out.push_str(&format!("\n  未完成登记，缺少: {}", v["missing"]));
        }
        out.push_str(&matches(&v["duplicates"]));
        return out;
    }
    if v.get("lead").is_some() && v.get("relations").is_some() && v.get("history").is_none() {
        return lead_line(&v["lead"]) + &relations(&v["relations"]);
    }
    if v.get("lead").is_some() && v.get("history").is_some() {
        let mut out = lead_line(&v["lead"]) + &relations(&v["relations"]);
        for e in v["history"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "\n  {}  {:<9} {} {}{}",
                s(&e["device_time"]),
                s(&e["kind"]),
                e["rep_name"].as_str().unwrap_or(s(&e["rep"])),
                e["note"].as_str().unwrap_or(""),
                serde_json::from_value::<leadguard_core::Reason>(e["ignored"].clone())
                    .map(|r| format!("  (无效: {r})"))
                    .unwrap_or_default()
            ));
        }
        return out;
    }
    if let (Some(items), Some(assigned)) = (v.get("items").and_then(Value::as_array), v.get("assigned")) {
        let mut out: Vec<String> = items
            .iter()
            .map(|a| format!("{}  {}  {}", s(&a["lead_id"]), s(&a["company"]), s(&a["explanation_zh"])))
            .collect();
        out.push(format!("已分配 {assigned} / {} 个客户", items.len()));
        return out.join("\n");
    }
    if let (Some(items), Some(total)) = (v.get("items").and_then(Value::as_array), v.get("total")) {
        let mut out: Vec<String> = items.iter().map(|l| {
            format!("{}  {}  [{}] {}", s(&l["id"]), s(&l["fields"]["company"]), s(&l["state"]), s(&l["summary"]))
        }).collect();
        out.push(format!("({} of {total})", items.len()));
        return out.join("\n");
    }
    if let Some(cases) = v.get("cases").and_then(Value::as_array) {
        if cases.is_empty() {
            return "没有撞单 (no collision cases)".into();
        }
        return cases.iter().map(case_line).collect::<Vec<_>>().join("\n");
    }
    if let Some(ms) = v.get("matches") {
        let out = matches(ms) + &possible(&v["possible"]) + &online(&v["online"]);
        return if out.is_empty() { "无疑似重复".into() } else { out.trim_start().into() };
    }
    if v.get("fields").is_some() && v.get("summary").is_some() {
        return lead_line(v);
    }
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn case_line(c: &Value) -> String {
    let list = |k: &str| c[k].as_array().into_iter().flatten().map(s).collect::<Vec<_>>().join(",");
    format!(
        "{}  {}  reps: {}  leads: {}  surfaced: {}",
        s(&c["id"]),
        s(&c["kind"]),
        list("reps"),
        list("lead_ids"),
        c["surfaced_at"].as_str().unwrap_or("-")
    )
}
