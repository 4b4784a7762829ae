//! `leadguard devices invite|list|revoke`: a branch manager manages the branch's
//! laptops through the hub, without a shell on the hub machine.

use clap::Subcommand;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum DevicesCmd {
    /// A one-time enrolment token for a rep's or distributor's new laptop.
    Invite {
        /// The rep id the laptop is for.
        #[arg(long)]
        rep: String,
        /// Display name (default: the rep's name in the branch directory).
        #[arg(long)]
        name: Option<String>,
        /// rep or distributor.
        #[arg(long, default_value = "rep")]
        role: String,
        /// Hours the token stays valid (1–720).
        #[arg(long, default_value_t = 72)]
        ttl_hours: u32,
    },
    /// The branch's devices: pending, enrolled, revoked, last sync.
    List,
    /// Revoke a device: its credential stops working at once.
    Revoke { id: String },
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("-")
}

pub fn run(ctx: &mut Context, cmd: DevicesCmd, as_json: bool) -> Result<Value, ApiError> {
    match cmd {
        DevicesCmd::Invite { rep, name, role, ttl_hours } => {
            let v = api::dispatch(ctx, "device_invite", json!({ "rep": rep, "name": name, "role": role, "ttl_hours": ttl_hours }))?;
            if as_json {
                return Ok(v);
            }
            Ok(Value::String(format!(
                "设备邀请码（{} {}，{}，有效至 {}）/ enrolment token for {} ({}), valid until {}:\n{}\n\n在新电脑上 / on the new laptop:\n  leadguard enroll --hub {} --token {}\n链接 / link: {}",
                s(&v["name"]), s(&v["rep"]), s(&v["role"]), s(&v["expires_at"]),
                s(&v["name"]), s(&v["role"]), s(&v["expires_at"]),
                s(&v["token"]),
                s(&v["hub_url"]), s(&v["token"]),
                s(&v["enrol_link"])
            )))
        }
        DevicesCmd::List => {
            let v = api::dispatch(ctx, "device_list", Value::Null)?;
            if as_json {
                return Ok(v);
            }
            let devices = v["devices"].as_array().cloned().unwrap_or_default();
            let mut out = format!("{} 台设备 ({} devices)", devices.len(), devices.len());
            for d in &devices {
                out.push_str(&format!(
                    "\n{}{:<14} {:<10} {:<12} {:<9} last sync {}",
                    if d["this_device"].as_bool() == Some(true) { "* " } else { "  " },
                    s(&d["id"]),
                    s(&d["rep"]),
                    s(&d["role"]),
                    s(&d["state"]),
                    d["last_sync_at"].as_str().unwrap_or("never")
                ));
            }
            Ok(Value::String(out))
        }
        DevicesCmd::Revoke { id } => api::dispatch(ctx, "device_revoke", json!({ "id": id })),
    }
}
