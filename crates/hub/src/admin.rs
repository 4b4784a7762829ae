//! Device management from the app: a branch manager's device invites new devices
//! (an enrolment token for a rep's or distributor's laptop), lists the branch's
//! devices and revokes them — without a shell on the hub machine.
//!
//! Authorised by the caller's enrolled role and branch, never by anything in the
//! request: only managers, only their own branch, only rep and distributor devices
//! (a manager device is made on the hub, `leadguard-hub enroll`), and never the
//! caller's own device (so a manager cannot lock themselves out by mistake). A device
//! of another branch answers 404 as if it did not exist.

use axum::extract::{Path, State};
use axum::Json;
use leadguard_protocol::{DeviceInfo, Invitation, InviteRequest, Role};

use crate::error::HubError;
use crate::http::{blocking, AppState, AuthDevice};
use crate::scope::Device;

const DEFAULT_TTL_HOURS: u32 = 72;
const MAX_TTL_HOURS: u32 = 720;

fn require_manager(device: &Device) -> Result<(), HubError> {
    if device.role != Role::Manager {
        return Err(HubError::NotManager);
    }
    Ok(())
}

/// `POST /v1/devices`.
pub(crate) async fn invite(
    State(store): State<AppState>,
    AuthDevice(manager): AuthDevice,
    body: Result<Json<InviteRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Invitation>, HubError> {
    require_manager(&manager)?;
    let req = body.map(|Json(v)| v).map_err(|e| HubError::Malformed(e.body_text()))?;
    if !matches!(req.role, Role::Rep | Role::Distributor | Role::Receptionist) {
        return Err(HubError::InviteRole { role: req.role });
    }
    let ttl = req.ttl_hours.unwrap_or(DEFAULT_TTL_HOURS);
    if !(1..=MAX_TTL_HOURS).contains(&ttl) {
        return Err(HubError::Malformed(format!("ttl_hours must be 1 to {MAX_TTL_HOURS}")));
    }
    let e = blocking(move || {
        store.create_enrolment(&req.rep, &req.name, &manager.branch, req.role, i64::from(ttl) * 3_600_000).inspect(|e| {
            tracing::info!(manager = %manager.id, device = %e.device_id, rep = %req.rep, role = %req.role, "device invited");
        })
    })
    .await?;
    Ok(Json(Invitation { device_id: e.device_id, token: e.token, expires_at: e.expires_at }))
}

/// `GET /v1/devices`.
pub(crate) async fn list(State(store): State<AppState>, AuthDevice(manager): AuthDevice) -> Result<Json<Vec<DeviceInfo>>, HubError> {
    require_manager(&manager)?;
    let rows = blocking(move || store.list_devices()).await?;
    Ok(Json(rows.into_iter().filter(|d| d.branch == manager.branch).collect()))
}

/// `POST /v1/devices/{id}/revoke`.
pub(crate) async fn revoke(
    State(store): State<AppState>,
    AuthDevice(manager): AuthDevice,
    Path(id): Path<String>,
) -> Result<Json<DeviceInfo>, HubError> {
    require_manager(&manager)?;
    if id == manager.id {
        return Err(HubError::OwnDevice);
    }
    let row = blocking(move || {
        let found = store.list_devices()?.into_iter().find(|d| d.id == id && d.branch == manager.branch);
        let Some(_) = found else { return Err(HubError::NoSuchDevice(id)) };
        store.revoke(&id)?;
        tracing::info!(manager = %manager.id, device = %id, "device revoked");
        store.list_devices()?.into_iter().find(|d| d.id == id).ok_or(HubError::NoSuchDevice(id))
    })
    .await?;
    Ok(Json(row))
}
