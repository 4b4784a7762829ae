//! Lead fields as command-line flags, shared by `lead add`, `lead update` and `check`.

use clap::Args;
use leadguard_core::model::LeadFields;

#[derive(Args, Debug, Clone, Default)]
pub struct FieldArgs {
    /// Company name (客户/公司名称).
    #[arg(long)]
    pub company: Option<String>,
    /// Contact person (联系人).
    #[arg(long)]
    pub contact: Option<String>,
    /// Phone, any format.
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// Region / city (地区).
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub industry: Option<String>,
    /// Company size.
    #[arg(long)]
    pub size: Option<String>,
    /// What the customer needs (需求).
    #[arg(long)]
    pub need: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

impl FieldArgs {
    pub fn into_fields(self) -> LeadFields {
        LeadFields {
            company: self.company,
            contact: self.contact,
            phone: self.phone,
            email: self.email,
            region: self.region,
            industry: self.industry,
            size: self.size,
            need: self.need,
            notes: self.notes,
            relations: None,
            ..LeadFields::default()
        }
    }
}

/// Parses an RFC 3339 time (`2026-03-02T09:00:00+08:00`).
pub fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("`{s}` is not an RFC 3339 time (e.g. 2026-03-02T09:00:00+08:00): {e}"))
}
