//! A demo registry: a branch (华南分公司) with a manager and three reps, a few
//! hundred realistic Chinese leads — some protected, some expiring soon, some in the
//! public pool, a few deals and incomplete marks — and the story the product is for:
//! a collision case waiting for the manager, a decided one with an open appeal, a
//! decided split, a customer whose protection ends today.
//!
//! Leads come from a CSV (`id,company,contact,phone,email,region,industry,...`, e.g.
//! the shared dev set) or, without one, from a small deterministic generator.
//! Seeding is idempotent: an existing registry is left alone.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::model::{EventKind, FollowupKind, LeadFields, Outcome, Rep, Role, Share};
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

/// Meta key marking a registry seeded by [`seed`]: only there may the user be switched.
const DEMO_META: &str = "demo.registry";

/// Whether `reg` is a demo registry.
pub fn is_demo(reg: &Registry) -> Result<bool> {
    Ok(crate::store::meta_get(&reg.conn, DEMO_META)?.is_some())
}

/// Signs the demo registry in as another of its people (to see the manager's side and a
/// rep's). Refused on a real registry: there the user is who the device belongs to.
pub fn switch_user(reg: &mut Registry, rep: &str) -> Result<()> {
    if !is_demo(reg)? {
        return Err(crate::Reason::NotDemo {}.into());
    }
    if !reps().iter().any(|r| r.id == rep) {
        return Err(crate::Reason::DemoUser { user: rep.to_string() }.into());
    }
    reg.set_session_rep(rep)
}

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
        // 前台 (rule 16): records walk-in visits; holds no customers.
        r("zhouqian", "周倩", "华南", Role::Receptionist),
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
    // The story's customers are part of the count asked for.
    rows.truncate(count.saturating_sub(STORY_LEADS));
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
    story(&mut reg, now)?;
    crate::store::meta_set(&reg.conn, DEMO_META, Some("1"))?;
    reg.set_session_rep(session_rep)?;
    let n = (written.len() + STORY_LEADS) as u64;
    drop(reg); // closes the database: the WAL is checkpointed into the main file
    Ok(n)
}

fn story_lead(company: &str, contact: &str, phone: &str, region: &str, industry: &str, need: &str) -> LeadFields {
    LeadFields {
        company: Some(company.into()),
        contact: Some(contact.into()),
        phone: Some(phone.into()),
        region: Some(region.into()),
        industry: Some(industry.into()),
        need: Some(need.into()),
        ..LeadFields::default()
    }
}

/// The case of the customer whose leads include `lead`.
fn case_of(reg: &Registry, lead: &str) -> Result<crate::collisions::CollisionCase> {
    reg.collision_cases(None)?
        .into_iter()
        .find(|c| c.lead_ids.iter().any(|l| l == lead))
        .ok_or_else(|| crate::Reason::NotFound { kind: crate::ObjectKind::CollisionCase, id: lead.to_string() }.into())
}

/// How many customers [`story`] registers.
const STORY_LEADS: usize = 7;

/// The whole story on one screen each: a collision case waiting for the manager
/// (王强 registered 李娜's customer anyway, with his reason), a decided one with 李娜's
/// appeal open, a decided split, and 李娜's customer whose protection ends tonight.
fn story(reg: &mut Registry, now: DateTime<Utc>) -> Result<()> {
    let h = |n: i64| now - Duration::hours(n);
    let at = |rep: &str, f: LeadFields, t| (Target::New, rep.to_string(), EventKind::Register { fields: f }, t);
    // 1. Open: 李娜 follows 腾达; 王强 is warned and registers it anyway.
    let tengda = reg.write_events_at(vec![at("lina", story_lead("深圳市腾达科技有限公司", "陈明", "13912345678", "深圳", "电子科技", "采购 200 台工控机"), h(30))])?;
    let known = tengda[0].lead_id.clone();
    reg.write_events_at(vec![
        at("wangqiang", story_lead("腾达科技（深圳）", "陈明", "139 1234 5678", "深圳", "电子科技", "工控机询价"), h(6)),
        (
            Target::Previous,
            "wangqiang".into(),
            EventKind::DuplicateAcknowledged { leads: vec![known], reason: Some("客户主动来电，指定由我对接".into()), collaborate: false },
            h(6),
        ),
    ])?;
    // 2. Decided, then appealed: 陈静 and 李娜 registered 恒信物流; 张伟 gave it to 陈静.
    let hengxin = reg.write_events_at(vec![
        at("chenjing", story_lead("广州市恒信物流有限公司", "刘洋", "13800138000", "广州", "物流", "华南区域仓配外包"), h(50)),
        at("lina", story_lead("恒信物流（广州）", "刘洋", "138-0013-8000", "广州", "物流", "仓储报价"), h(44)),
    ])?;
    let case = case_of(reg, &hengxin[0].lead_id)?;
    let rep = |id: &str| Outcome::Owner { rep: id.into() };
    reg.decide_case(&case.id, rep("chenjing"), "陈静先报备，且已上门拜访，有签到记录", None, h(20))?;
    reg.set_session_rep("lina")?;
    reg.appeal_case(&case.id, "我三天前已电话联系客户并发送报价，请复核", h(3))?;
    reg.set_session_rep("zhangwei")?;
    // 3. Decided as a split: both reps worked 鼎盛精密.
    let dingsheng = reg.write_events_at(vec![
        at("wangqiang", story_lead("东莞市鼎盛精密机械有限公司", "黄磊", "13688886666", "东莞", "精密机械", "数控设备升级"), h(200)),
        at("chenjing", story_lead("鼎盛精密机械（东莞）", "黄磊", "136 8888 6666", "东莞", "精密机械", "设备维保"), h(190)),
    ])?;
    let case = case_of(reg, &dingsheng[0].lead_id)?;
    let split = Outcome::Split { shares: vec![Share { rep: "wangqiang".into(), pct: 60 }, Share { rep: "chenjing".into(), pct: 40 }] };
    reg.decide_case(&case.id, split, "双方均有有效跟进：王强先报价，陈静完成样品测试", None, h(150))?;
    // 4. 李娜's customer whose protection ends within the day (72 h from 62 h ago).
    reg.write_events_at(vec![at("lina", story_lead("佛山市瑞丰家具有限公司", "周敏", "13527779999", "佛山", "家具", "门店展柜定制"), h(62))])?;
    Ok(())
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
    // A labelled set lists one customer several times (its `cluster`): the demo takes
    // each customer once, so no rep holds the same customer twice by accident.
    let cluster = col("cluster");
    let mut seen = std::collections::HashSet::new();
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
        if let Some(c) = get(cluster) {
            if !seen.insert(c) {
                continue;
            }
        }
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
            // Every index its own name: city × industry × trade name, then a second
            // (and third ...) trade-name word — never a "（1部）" suffix.
            let city = CITIES[i % CITIES.len()];
            let ind = INDUSTRIES[(i / CITIES.len()) % INDUSTRIES.len()];
            let mut rest = i / (CITIES.len() * INDUSTRIES.len());
            let mut name = NAMES[rest % NAMES.len()].to_string();
            rest /= NAMES.len();
            while rest > 0 {
                name.push_str(NAMES[rest % NAMES.len()]);
                rest /= NAMES.len();
            }
            LeadFields {
                company: Some(format!("{city}市{name}{ind}有限公司")),
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
