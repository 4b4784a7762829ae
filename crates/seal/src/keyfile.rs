//! The company keys a device keeps beside its registry (`company.keys`): the digest key
//! and cost every device shares, and the staff key employees hold. A separate file so
//! that the registry file alone, copied away, opens nothing and digests nothing; only
//! its user may read it (mode 0600 on Unix), and it is replaced atomically.
//!
//! Form (text, one `name=value` per line, unknown names refused):
//! ```text
//! leadguard-keys 1
//! digest=<64 hex>
//! digest_memory_kib=8192
//! digest_passes=2
//! staff=<64 hex>          (absent for distributors)
//! ```

use std::io::Write;
use std::path::Path;

use crate::digest::DigestParams;
use crate::error::SealError;
use crate::keys::{DigestKey, StaffKey};

const HEADER: &str = "leadguard-keys 1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyKeys {
    pub digest: DigestKey,
    pub digest_params: DigestParams,
    /// Employees only; a distributor's device has none.
    pub staff: Option<StaffKey>,
}

impl CompanyKeys {
    /// Fresh keys for a new company (the hub makes them once).
    pub fn generate() -> Result<Self, SealError> {
        Ok(CompanyKeys { digest: DigestKey::generate()?, digest_params: DigestParams::DEFAULT, staff: Some(StaffKey::generate()?) })
    }

    /// The keys a distributor's device gets: no staff key.
    pub fn for_distributor(&self) -> CompanyKeys {
        CompanyKeys { staff: None, ..self.clone() }
    }

    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{HEADER}\ndigest={}\ndigest_memory_kib={}\ndigest_passes={}\n",
            self.digest.to_hex(),
            self.digest_params.memory_kib,
            self.digest_params.passes
        );
        if let Some(staff) = &self.staff {
            s.push_str(&format!("staff={}\n", staff.to_hex()));
        }
        s
    }

    pub fn parse(text: &str) -> Result<Self, SealError> {
        let bad = |m: &str| SealError::BadKeyFile(m.to_string());
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some(HEADER) {
            return Err(bad("not a Leadguard key file (first line)"));
        }
        let (mut digest, mut memory, mut passes, mut staff) = (None, None, None, None);
        for line in lines {
            let (name, value) = line.split_once('=').ok_or_else(|| bad("a line is not name=value"))?;
            let number = |v: &str| v.parse::<u32>().map_err(|_| bad("a cost is not a number"));
            let slot_taken = match name {
                "digest" => digest.replace(DigestKey::from_hex(value)?).is_some(),
                "digest_memory_kib" => memory.replace(number(value)?).is_some(),
                "digest_passes" => passes.replace(number(value)?).is_some(),
                "staff" => staff.replace(StaffKey::from_hex(value)?).is_some(),
                _ => return Err(bad("unknown entry")),
            };
            if slot_taken {
                return Err(bad("an entry appears twice"));
            }
        }
        let digest_params = DigestParams {
            memory_kib: memory.ok_or_else(|| bad("digest_memory_kib missing"))?,
            passes: passes.ok_or_else(|| bad("digest_passes missing"))?,
        }
        .check()?;
        Ok(CompanyKeys { digest: digest.ok_or_else(|| bad("digest key missing"))?, digest_params, staff })
    }

    pub fn read(path: &Path) -> Result<Self, SealError> {
        let text = std::fs::read_to_string(path).map_err(|e| SealError::Io(format!("{}: {e}", path.display())))?;
        Self::parse(&text)
    }

    /// Writes the file readable by its owner only, replacing any previous one whole.
    pub fn write(&self, path: &Path) -> Result<(), SealError> {
        let io = |e: std::io::Error| SealError::Io(format!("{}: {e}", path.display()));
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut tmp = tempfile_in(dir).map_err(io)?;
        tmp.1.write_all(self.to_text().as_bytes()).map_err(io)?;
        tmp.1.sync_all().map_err(io)?;
        std::fs::rename(&tmp.0, path).map_err(io)
    }
}

/// A new file in `dir`, created with owner-only permissions from the start (not
/// chmod-ed after the key was written).
fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut suffix = [0u8; 8];
    getrandom::getrandom(&mut suffix).map_err(std::io::Error::other)?;
    let path = dir.join(format!(".company.keys.{}", hex::encode(suffix)));
    Ok((path.clone(), opts.open(path)?))
}
