//! A branch manager manages the branch's devices from the app: invite a laptop (a
//! one-time enrolment token, shown as text and as a QR code of an enrolment link), list
//! the branch's devices, revoke one. The hub decides who may (managers, their branch);
//! the checks here only spare a useless round trip and name the problem sooner.

use chrono::{DateTime, Utc};
use leadguard_protocol::client::ClientError;
use leadguard_protocol::{DeviceInfo, InviteRequest, Role};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::Context;
use crate::sync::{client, retry, SyncError, META_HUB_DEVICE_ID};
use crate::{store, ApiError, ObjectKind, Reason};

/// Invite a laptop for a rep or distributor of the manager's branch.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DeviceInviteArgs {
    /// The rep id the laptop is for.
    pub rep: String,
    /// Display name; defaults to the rep's name in the branch directory.
    #[serde(default)]
    pub name: Option<String>,
    /// `rep` (default) or `distributor`.
    #[serde(default)]
    pub role: Option<String>,
    /// Hours the token stays valid (default 72, at most 720).
    #[serde(default)]
    pub ttl_hours: Option<u32>,
}

/// A one-time enrolment token for a new laptop.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DeviceInvitation {
    pub device_id: String,
    pub rep: String,
    pub name: String,
    pub role: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub hub_url: String,
    /// `leadguard://enroll?hub=…&token=…`: what the QR code encodes.
    pub enrol_link: String,
}

/// A device of the branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeviceRecord {
    pub id: String,
    pub rep: String,
    pub name: String,
    pub role: String,
    /// `pending` (token not used yet), `enrolled` or `revoked`.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The device this app runs on.
    pub this_device: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DeviceList {
    pub devices: Vec<DeviceRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DeviceIdArgs {
    pub id: String,
}

fn manager_only(ctx: &mut Context) -> Result<(), ApiError> {
    ctx.registry()?.require_role(&[Role::Manager], "manage devices")?;
    Ok(())
}

/// The hub's refusals keep their meaning (forbidden, not found) instead of becoming
/// a generic sync failure.
fn hub_error(e: SyncError, device: Option<&str>) -> ApiError {
    match &e {
        SyncError::Hub(ClientError::Hub { code: leadguard_protocol::ErrorCode::Forbidden, message, .. }) => {
            Reason::HubRefused { detail: message.clone() }.into()
        }
        SyncError::Hub(ClientError::Hub { code: leadguard_protocol::ErrorCode::NotFound, .. }) if device.is_some() => {
            Reason::NotFound { kind: ObjectKind::Device, id: device.unwrap_or_default().to_owned() }.into()
        }
        SyncError::Hub(ClientError::Hub { code: leadguard_protocol::ErrorCode::Malformed, message, .. }) => {
            Reason::BadArguments { detail: message.clone() }.into()
        }
        _ => e.into(),
    }
}

fn time(t: leadguard_protocol::HubTime) -> Result<DateTime<Utc>, ApiError> {
    t.to_datetime().ok_or_else(|| Reason::SyncFailed { detail: format!("the hub's time {} ms is out of range", t.0) }.into())
}

fn record(d: DeviceInfo, this_device: Option<&str>) -> Result<DeviceRecord, ApiError> {
    let state = match (&d.revoked_at, &d.enrolled_at) {
        (Some(_), _) => "revoked",
        (None, Some(_)) => "enrolled",
        (None, None) => "pending",
    };
    Ok(DeviceRecord {
        this_device: this_device == Some(d.id.as_str()),
        state: state.into(),
        role: d.role.as_str().into(),
        created_at: time(d.created_at)?,
        enrolled_at: d.enrolled_at.map(time).transpose()?,
        revoked_at: d.revoked_at.map(time).transpose()?,
        last_sync_at: d.last_sync_at.map(time).transpose()?,
        id: d.id,
        rep: d.rep,
        name: d.name,
    })
}

pub fn device_invite(ctx: &mut Context, args: DeviceInviteArgs) -> Result<DeviceInvitation, ApiError> {
    manager_only(ctx)?;
    let role: Role = match args.role.as_deref().unwrap_or("rep") {
        "rep" => Role::Rep,
        "distributor" => Role::Distributor,
        other => return Err(Reason::InviteRole { role: other.to_owned() }.into()),
    };
    let reg = ctx.registry()?;
    let name = match args.name.filter(|n| !n.trim().is_empty()) {
        Some(n) => n,
        None => reg
            .rep(&args.rep)
            .map(|r| r.name.clone())
            .ok_or_else(|| ApiError::from(Reason::InviteNeedsName { rep: args.rep.clone() }))?,
    };
    let hub_url = reg.hub_url()?.ok_or_else(|| ApiError::from(SyncError::NotEnrolled))?;
    let c = client(reg)?;
    let request = InviteRequest { rep: args.rep.clone(), name: name.clone(), role, ttl_hours: args.ttl_hours };
    let issued = retry(|| c.invite(&request)).map_err(|e| hub_error(e, None))?;
    let enrol_link = format!("leadguard://enroll?hub={}&token={}", link_encode(&hub_url), link_encode(&issued.token));
    Ok(DeviceInvitation {
        device_id: issued.device_id,
        rep: args.rep,
        name,
        role: role.as_str().into(),
        token: issued.token,
        expires_at: time(issued.expires_at)?,
        hub_url,
        enrol_link,
    })
}

pub fn device_list(ctx: &mut Context, _args: ()) -> Result<DeviceList, ApiError> {
    manager_only(ctx)?;
    let reg = ctx.registry()?;
    let mine = store::meta_get(reg.connection(), META_HUB_DEVICE_ID)?;
    let c = client(reg)?;
    let devices = retry(|| c.devices()).map_err(|e| hub_error(e, None))?;
    let devices = devices.into_iter().map(|d| record(d, mine.as_deref())).collect::<Result<_, _>>()?;
    Ok(DeviceList { devices })
}

pub fn device_revoke(ctx: &mut Context, args: DeviceIdArgs) -> Result<DeviceRecord, ApiError> {
    manager_only(ctx)?;
    let reg = ctx.registry()?;
    let mine = store::meta_get(reg.connection(), META_HUB_DEVICE_ID)?;
    let c = client(reg)?;
    let revoked = retry(|| c.revoke_device(&args.id)).map_err(|e| hub_error(e, Some(&args.id)))?;
    record(revoked, mine.as_deref())
}

/// Percent-encodes a query value of the enrolment link.
fn link_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
