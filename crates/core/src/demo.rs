//! A demo registry: a branch (华南分公司) with a manager and three reps, a few
//! hundred realistic Chinese leads — some protected, some expiring soon, some in the
//! public pool, a few deals and incomplete marks — so the app has something to show.
//!
//! Leads come from a CSV (`id,company,contact,phone,email,region,industry,...`, e.g.
//! the shared dev set) or, without one, from a small deterministic generator.
//! Seeding is idempotent: an existing registry is left alone.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::model::{EventKind, FollowupKind, LeadFields, Rep, Role};
use crate::registry::{InitOptions, Registry, Target, DEFAULT_SHARD_SIZE};

/// What [`seed`] did.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    /// False if a registry already existed (nothing was changed).
    pub created: bool,
    pub data_dir: String,
    pub session_rep: String,
    pub leads: u64,
    /// Where the leads came from: a CSV path or "generated".
    pub source: String,
}

pub const BRANCH: &str = "huanan";

fn reps() -> Vec<Rep> {
    let r = |id: &str, name: &str, region: &str, role| Rep {
        id: id.into(),
        name: name.into(),
        branch: BRANCH.into(),
        region: Some(region.into()),
        role,
        active: true,
    };
    vec![
        r("zhangwei", "张伟", "华南", Role::Manager),
        r("lina", "李娜", "华南", Role::Rep),
        r("wangqiang", "王强", "华南", Role::Rep),
        r("chenjing", "陈静", "华南", Role::Rep),
    ]
}

/// Seeds a demo registry in `data_dir` unless one exists. The device's user is
/// `session_rep` (`lina` by default in the CLI: a rep, so masking is visible).
pub fn seed(data_dir: &Path, csv: Option<&Path>, count: usize, session_rep: &str, now: DateTime<Utc>) -> Result<DemoSummary> {
    if crate::store::file_path(data_dir).exists() {
        let reg = Registry::open(data_dir)?;
        let leads: i64 = reg.connection().query_row("SELECT COUNT(*) FROM lead_index", [], |r| r.get(0))?;
        return Ok(DemoSummary {
            created: false,
            data_dir: data_dir.display().to_string(),
            session_rep: reg.session()?.id.clone(),
            leads: leads as u64,
            source: "existing registry".into(),
        });
    }
    let (mut rows, mut source) = match csv.filter(|p| p.exists()) {
        Some(p) => (read_csv(p, count)?, p.display().to_string()),
        None => (Vec::new(), String::new()),
    };
    // More leads than the CSV holds (benchmarks ask for 100k): top up with generated ones.
    if rows.len() < count {
        rows.extend(generate(count - rows.len()));
        source = if source.is_empty() { "generated".into() } else { format!("{source} + generated") };
    }
    let all = reps();
    if !all.iter().any(|r| r.id == session_rep) {
        return Err(crate::Reason::DemoUser { user: session_rep.to_string() }.into());
    }
    let manager = all[0].clone();
    // Seed into a scratch directory and move the finished file into place, so a
    // failed or interrupted seed never leaves a half-built registry behind.
    let scratch = data_dir.join(".demo-seed");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)?;
    }
    let leads = build(&scratch, manager, &all, rows, session_rep, now)?;
    std::fs::rename(crate::store::file_path(&scratch), crate::store::file_path(data_dir))?;
    std::fs::remove_dir_all(&scratch)?;
    Ok(DemoSummary {
        created: true,
        data_dir: data_dir.display().to_string(),
        session_rep: session_rep.into(),
        leads,
        source,
    })
}

fn build(dir: &Path, manager: Rep, all: &[Rep], rows: Vec<LeadFields>, session_rep: &str, now: DateTime<Utc>) -> Result<u64> {
    let mut reg = Registry::init(dir, InitOptions { rep: manager.clone(), shard_size: DEFAULT_SHARD_SIZE }, now - Duration::days(30))?;
    for r in &all[1..] {
        reg.put_rep(r.clone(), now - Duration::days(30))?;
    }
    let sellers = ["lina", "wangqiang", "chenjing"];
    let mut rng = Lcg(0x5eed);
    // Pass 1: registrations at various times.
    let mut plan = Vec::new();
    for (i, mut f) in rows.into_iter().enumerate() {
        let rep = sellers[i % 3].to_string();
        let kind = i % 10;
        let hours_ago = match kind {
            0..=3 => rng.range(1, 40),     // protected, fresh
            4 | 5 => rng.range(50, 70),    // expiring within a day
            6 | 7 => rng.range(100, 400),  // expired: public pool
            8 => rng.range(1, 300),        // incomplete mark
            _ => rng.range(110, 160),      // kept alive by follow-ups
        };
        if kind == 8 {
            f.need = None;
        }
        plan.push((kind, rep, now - Duration::hours(hours_ago as i64), f));
    }
    let written = reg.write_events_at(
        plan.iter()
            .map(|(_, rep, at, f)| (Target::New, rep.clone(), EventKind::Register { fields: f.clone() }, *at))
            .collect(),
    )?;
    // Pass 2: follow-ups, deals, releases, pool claims.
    let mut events = Vec::new();
    for (i, ((kind, rep, at, _), w)) in plan.iter().zip(&written).enumerate() {
        if w.status.state != crate::status::LeadState::Protected {
            continue; // incomplete rows (e.g. no contact in the CSV) stay marks
        }
        let id = Target::Lead(w.lead_id.clone());
        let fu = |k, note: &str| EventKind::Followup { followup: k, note: note.into() };
        match kind {
            0..=3 => {
                events.push((id.clone(), rep.clone(), fu(FollowupKind::Call, "电话沟通需求，客户有意向"), *at + Duration::minutes(30)));
                if i % 25 == 0 {
                    events.push((id, rep.clone(), fu(FollowupKind::Deal, "签订年度采购合同"), *at + Duration::hours(1)));
                }
            }
            6 if i % 4 == 0 => {
                // Released early by one rep, claimed from the pool by another.
                let other = sellers[(i + 1) % 3].to_string();
                events.push((id.clone(), rep.clone(), EventKind::Release, *at + Duration::hours(5)));
                events.push((id, other, EventKind::Claim, now - Duration::hours(rng.range(2, 30) as i64)));
            }
            9 => {
                events.push((id.clone(), rep.clone(), fu(FollowupKind::Visit, "上门拜访，了解采购流程"), *at + Duration::hours(48)));
                events.push((id.clone(), rep.clone(), fu(FollowupKind::Sample, "寄送样品"), *at + Duration::hours(100)));
                if i % 3 == 0 {
                    events.push((id, rep.clone(), fu(FollowupKind::Deal, "成交：首批订单"), now - Duration::hours(2)));
                }
            }
            _ => {}
        }
    }
    reg.write_events_at(events)?;
    reg.set_session_rep(session_rep)?;
    let n = written.len() as u64;
    drop(reg); // closes the database: the WAL is checkpointed into the main file
    Ok(n)
}

const NEEDS: &[&str] = &["年度集中采购", "替换现有供应商", "新厂房配套", "样品测试后批量下单", "寻求长期合作", "询价比价"];

fn need_for(industry: &str, i: usize) -> String {
    let base = NEEDS[i % NEEDS.len()];
    if industry.is_empty() {
        base.to_string()
    } else {
        format!("{industry}：{base}")
    }
}

/// Reads up to `count` leads from a CSV with a header naming its columns.
fn read_csv(path: &Path, count: usize) -> Result<Vec<LeadFields>> {
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').map(str::trim).collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (company, contact, phone, email, region, industry) =
        (col("company"), col("contact"), col("phone"), col("email"), col("region"), col("industry"));
    if company.is_none() {
        return Err(crate::Reason::CsvMissingColumn { path: path.display().to_string(), column: "company".into() }.into());
    }
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        if out.len() >= count {
            break;
        }
        let cells: Vec<&str> = line.split(',').collect();
        let get = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let Some(co) = get(company) else { continue };
        let ind = get(industry).unwrap_or_default();
        out.push(LeadFields {
            company: Some(co),
            contact: get(contact),
            phone: get(phone),
            email: get(email),
            region: get(region),
            industry: (!ind.is_empty()).then(|| ind.clone()),
            need: Some(need_for(&ind, i)),
            ..LeadFields::default()
        });
    }
    Ok(out)
}

/// Deterministic generated leads (when no CSV is available).
fn generate(count: usize) -> Vec<LeadFields> {
    const CITIES: &[&str] = &["深圳", "广州", "东莞", "佛山", "珠海", "惠州", "中山", "汕头"];
    const NAMES: &[&str] = &["华强", "恒达", "鼎盛", "宏图", "金辉", "瑞丰", "新锐", "海纳", "博远", "正通"];
    const INDUSTRIES: &[&str] = &["电子科技", "精密机械", "新材料", "物流", "食品", "建材", "医疗器械", "家具"];
    const SURNAMES: &[&str] = &["李", "王", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"];
    const GIVEN: &[&str] = &["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军"];
    let mut rng = Lcg(7);
    (0..count)
        .map(|i| {
            let city = CITIES[i % CITIES.len()];
            let ind = INDUSTRIES[(i / 3) % INDUSTRIES.len()];
            let name = NAMES[(i / 7) % NAMES.len()];
            LeadFields {
                company: Some(format!("{city}市{name}{ind}有限公司{}", if i >= 80 { format!("（{}部）", i / 80) } else { String::new() })),
                contact: Some(format!("{}{}", SURNAMES[rng.range(0, 10)], GIVEN[rng.range(0, 10)])),
                phone: Some(format!("13{}{:08}", rng.range(0, 10), rng.range(0, 100_000_000))),
                email: None,
                region: Some(city.into()),
                industry: Some(ind.into()),
                need: Some(need_for(ind, i)),
                ..LeadFields::default()
            }
        })
        .collect()
}

/// A tiny deterministic generator (the demo must look the same every time).
struct Lcg(u64);

impl Lcg {
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        lo + ((self.0 >> 33) as usize) % (hi - lo).max(1)
    }
}
