//! Reading the cases this device derived ([`super::detect`] keeps them current).

use rusqlite::OptionalExtension;

use crate::collisions::model::CollisionCase;
use crate::error::{Error, Result};
use crate::registry::Registry;

impl Registry {
    /// The cases on this device, newest first; only those naming `rep` if given.
    pub fn collision_cases(&self, rep: Option<&str>) -> Result<Vec<CollisionCase>> {
        let sql = match rep {
            Some(_) => {
                "SELECT c.body FROM cases c JOIN case_reps r ON r.case_id = c.case_id WHERE r.rep = ?1
                 ORDER BY c.surfaced_at IS NOT NULL, c.surfaced_at DESC, c.case_id"
            }
            None => "SELECT body FROM cases WHERE ?1 IS NULL OR 1 ORDER BY surfaced_at IS NOT NULL, surfaced_at DESC, case_id",
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([rep], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for body in rows {
            let body = body?;
            out.push(serde_json::from_str(&body).map_err(|e| Error::Corrupt(format!("collision case: {e}")))?);
        }
        Ok(out)
    }

    /// One case by id.
    pub fn collision_case(&self, id: &str) -> Result<Option<CollisionCase>> {
        let body: Option<String> =
            self.conn.query_row("SELECT body FROM cases WHERE case_id = ?1", [id], |r| r.get(0)).optional()?;
        body.map(|b| serde_json::from_str(&b).map_err(|e| Error::Corrupt(format!("collision case {id}: {e}"))))
            .transpose()
    }

    /// Cases of a lead (ids).
    pub fn cases_for_lead(&self, lead: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT case_id FROM case_leads WHERE lead_id = ?1")?;
        let rows = stmt.query_map([lead], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }
}
