//! Rows of one file that are the same customer become one: a team's list often holds
//! a company twice (two contacts, a re-entered row). The pairs come from the same
//! matcher as the registry's duplicate check (`leadguard_dedup`), over the whole file
//! at once, so the grouping does not depend on row order.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::header::Field;
use crate::rows::{ImportRow, ImportTable};

/// One customer of the file: the rows it was written in (first row first) and their
/// fields, the first row's value winning where rows differ and later rows filling
/// what earlier ones left empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileCustomer {
    pub rows: Vec<usize>,
    pub fields: BTreeMap<Field, String>,
}

impl FileCustomer {
    pub fn get(&self, f: Field) -> Option<&str> {
        self.fields.get(&f).map(String::as_str)
    }

    /// Rows merged into this one (all but the first).
    pub fn merged_rows(&self) -> &[usize] {
        &self.rows[1..]
    }
}

fn record(row: &ImportRow) -> leadguard_dedup::LeadRecord {
    let text = |f: Field| row.get(f).unwrap_or_default().to_owned();
    leadguard_dedup::LeadRecord {
        company: text(Field::Company),
        contact: text(Field::Contact),
        phone: text(Field::Phone),
        email: text(Field::Email),
        region: text(Field::Region),
        address: row.get(Field::Address).map(str::to_owned),
    }
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

impl ImportTable {
    /// The file's customers: rows scoring at least `threshold` as the same customer
    /// (transitively) become one, in the order of their first row.
    pub fn customers(&self, threshold: f32) -> Vec<FileCustomer> {
        let records: Vec<_> = self.rows.iter().map(record).collect();
        let config = leadguard_dedup::Config { threshold, ..leadguard_dedup::Config::default() };
        let mut parent: Vec<usize> = (0..records.len()).collect();
        for (i, j, _) in leadguard_dedup::dedup_pairs(&records, &config) {
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            // The earlier row is the root, so a group is named by its first row.
            parent[a.max(b)] = a.min(b);
        }
        let mut groups: BTreeMap<usize, FileCustomer> = BTreeMap::new();
        for (i, row) in self.rows.iter().enumerate() {
            let g = groups.entry(root(&mut parent, i)).or_insert_with(|| FileCustomer { rows: Vec::new(), fields: BTreeMap::new() });
            g.rows.push(row.row);
            for (f, v) in &row.fields {
                g.fields.entry(*f).or_insert_with(|| v.clone());
            }
        }
        groups.into_values().collect()
    }
}
