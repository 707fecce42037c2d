//! Rows written many at a time: a generator adds rows table by table and
//! they go to the database in multi-row INSERTs, parents first (tables are
//! written in the order their first row was added, so a row added after the
//! row it refers to is written after it).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::copy::{Column, Kind, Table, Value, insert_batch, rows_per_insert};
use crate::{StoreError, Tx};

/// How many rows are held before [`Bulk::flush_if_full`] writes them.
const HOLD_ROWS: usize = 20_000;

/// A table's waiting rows, all with the same columns.
struct Waiting {
    table: Table,
    rows: Vec<Vec<Value>>,
}

/// Rows waiting to be written.
#[derive(Default)]
pub struct Bulk {
    tables: Vec<Waiting>,
    held: usize,
    written: u64,
}

impl Bulk {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a row to `table`: its columns and values, in the same order for
    /// every row of the table.
    pub fn add(&mut self, table: &str, row: Vec<(&str, Value)>) {
        let index = match self.tables.iter().position(|w| w.table.name == table) {
            Some(index) => index,
            None => {
                let columns = row
                    .iter()
                    .map(|(name, _)| Column { name: (*name).to_owned(), kind: Kind::Text })
                    .collect();
                let table = Table { name: table.to_owned(), columns, references: Vec::new() };
                self.tables.push(Waiting { table, rows: Vec::new() });
                self.tables.len() - 1
            }
        };
        let waiting = &mut self.tables[index];
        debug_assert!(
            waiting.table.columns.iter().map(|c| c.name.as_str()).eq(row.iter().map(|(n, _)| *n)),
            "every row of {table} names the same columns"
        );
        waiting.rows.push(row.into_iter().map(|(_, value)| value).collect());
        self.held += 1;
    }

    /// Rows written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Writes the waiting rows once there are enough of them.
    pub async fn flush_if_full(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        if self.held >= HOLD_ROWS { self.flush(tx).await } else { Ok(()) }
    }

    /// Writes every waiting row, parents first.
    pub async fn flush(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        for waiting in &mut self.tables {
            let per_insert = rows_per_insert(tx, waiting.table.columns.len());
            let mut rows = std::mem::take(&mut waiting.rows);
            self.written += rows.len() as u64;
            while !rows.is_empty() {
                let rest = rows.split_off(rows.len().min(per_insert));
                insert_batch(tx, &waiting.table, rows).await?;
                rows = rest;
            }
        }
        self.held = 0;
        Ok(())
    }
}

impl From<Uuid> for Value {
    fn from(v: Uuid) -> Self {
        Value::Uuid(Some(v))
    }
}

impl From<Option<Uuid>> for Value {
    fn from(v: Option<Uuid>) -> Self {
        Value::Uuid(v)
    }
}

impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Timestamp(Some(v))
    }
}

impl From<Option<DateTime<Utc>>> for Value {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Value::Timestamp(v)
    }
}

impl From<NaiveDate> for Value {
    fn from(v: NaiveDate) -> Self {
        Value::Date(Some(v))
    }
}

impl From<Option<NaiveDate>> for Value {
    fn from(v: Option<NaiveDate>) -> Self {
        Value::Date(v)
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        Value::Json(Some(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(Some(v))
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int4(Some(v))
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int8(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int8(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_owned))
    }
}
