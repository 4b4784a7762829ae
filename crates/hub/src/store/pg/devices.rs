//! Devices in PostgreSQL: the SQLite backend's rules (`store/devices.rs`). A token is
//! spent by one conditional UPDATE, so two hubs handed the same token enrol it once.

use leadguard_protocol::{HubTime, Role};
use postgres::Row;

use super::pool::Pool;
use crate::error::HubError;
use crate::scope::Device;
use crate::secret;
use crate::store::devices::NewEnrolment;
use crate::store::{now_ms, DeviceRow, Enrolment};

fn role(s: String) -> Result<Role, HubError> {
    s.parse().map_err(|_| HubError::ForeignDatabase(format!("unknown role {s:?} in devices")))
}

fn device(r: &Row) -> Result<Device, HubError> {
    Ok(Device { id: r.get(0), rep: r.get(1), name: r.get(2), branch: r.get(3), role: role(r.get(4))?, branches: crate::store::devices::branch_list(r.get(5)) })
}

pub(super) fn create_enrolment(pool: &Pool, rep: &str, name: &str, branch: &str, role: Role, ttl_ms: i64) -> Result<Enrolment, HubError> {
    let NewEnrolment { device_id, token, now, expires_at } = NewEnrolment::make(rep, name, branch, ttl_ms)?;
    let (branch, branches) = crate::store::devices::assigned_branches(branch, role)?;
    let mut client = pool.get()?;
    let mut tx = client.transaction()?;
    tx.execute(
        "INSERT INTO devices (id, rep, name, branch, role, created_at, branches) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&device_id, &rep, &name, &branch, &role.as_str(), &now, &branches],
    )?;
    tx.execute(
        "INSERT INTO enrol_tokens (token_hash, device_id, expires_at) VALUES ($1, $2, $3)",
        &[&secret::digest(&token), &device_id, &expires_at],
    )?;
    tx.commit()?;
    Ok(Enrolment { device_id, token, expires_at: HubTime(expires_at) })
}

pub(super) fn enroll(pool: &Pool, token: &str) -> Result<(Device, String), HubError> {
    let now = now_ms();
    let mut client = pool.get()?;
    let mut tx = client.transaction()?;
    let spent = tx.query_opt(
        "UPDATE enrol_tokens t SET used_at = $2 FROM devices d
         WHERE t.token_hash = $1 AND d.id = t.device_id AND t.used_at IS NULL AND t.expires_at > $2 AND d.revoked_at IS NULL
         RETURNING t.device_id",
        &[&secret::digest(token), &now],
    )?;
    let device_id: String = spent.ok_or(HubError::InvalidToken)?.get(0);
    let credential = secret::generate(secret::CREDENTIAL_PREFIX)?;
    let row = tx.query_one(
        "UPDATE devices SET credential = $2, enrolled_at = $3 WHERE id = $1 RETURNING id, rep, name, branch, role, branches",
        &[&device_id, &secret::digest(&credential), &now],
    )?;
    let d = device(&row)?;
    tx.commit()?;
    Ok((d, credential))
}

pub(super) fn authenticate(pool: &Pool, credential: &str) -> Result<Option<Device>, HubError> {
    // Every request runs this: prepared once per pooled connection.
    let mut pooled = pool.get()?;
    let (client, st) = pooled.split();
    let find = st.get(client, "SELECT id, rep, name, branch, role, branches FROM devices WHERE credential = $1 AND revoked_at IS NULL")?;
    let row = client.query_opt(&find, &[&secret::digest(credential)])?;
    row.as_ref().map(device).transpose()
}

pub(super) fn revoke(pool: &Pool, device_id: &str) -> Result<(), HubError> {
    let n = pool
        .get()?
        .execute("UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", &[&device_id, &now_ms()])?;
    if n == 0 {
        return Err(HubError::NoSuchDevice(device_id.to_owned()));
    }
    Ok(())
}

pub(super) fn list(pool: &Pool) -> Result<Vec<DeviceRow>, HubError> {
    let rows = pool.get()?.query(
        "SELECT id, rep, name, branch, role, created_at, enrolled_at, revoked_at, last_sync_at
         FROM devices ORDER BY created_at, id",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(DeviceRow {
                id: r.get(0),
                rep: r.get(1),
                name: r.get(2),
                branch: r.get(3),
                role: role(r.get(4))?,
                created_at: HubTime(r.get(5)),
                enrolled_at: r.get::<_, Option<i64>>(6).map(HubTime),
                revoked_at: r.get::<_, Option<i64>>(7).map(HubTime),
                last_sync_at: r.get::<_, Option<i64>>(8).map(HubTime),
            })
        })
        .collect()
}

pub(super) fn last_sync(pool: &Pool, device_id: &str) -> Result<Option<HubTime>, HubError> {
    let row = pool.get()?.query_one("SELECT last_sync_at FROM devices WHERE id = $1", &[&device_id])?;
    Ok(row.get::<_, Option<i64>>(0).map(HubTime))
}

/// Records the revoked pseudo-device an adopted history is stored under (`store/adopt.rs`).
pub(super) fn add_adopted(pool: &Pool, d: &Device) -> Result<(), HubError> {
    let now = now_ms();
    pool.get()?.execute(
        "INSERT INTO devices (id, rep, name, branch, role, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        &[&d.id, &d.rep, &d.name, &d.branch, &d.role.as_str(), &now],
    )?;
    Ok(())
}
