//! Moving a whole installation between databases (SQLite ⇄ PostgreSQL),
//! and checking that two databases hold the same rows.
//!
//! Tables are found in each database's own catalogue and copied parents
//! first (by their foreign keys). A value is read and written as the type
//! PostgreSQL's schema gives its column, since SQLite's declared types
//! (TEXT for a time, BLOB for an id) say less; between two SQLite files the
//! declared types are used as they are. Rows stream a batch at a time.
//!
//! A table's checksum is order-free (each row's SHA-256 summed, modulo
//! 2^128), over a text form of its values that both backends give alike,
//! so it compares a table across backends without sorting it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use crate::{Db, StoreError, Tx, on_db, on_tx};

/// How a column's values are read, written and written out for a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Uuid,
    Timestamp,
    Date,
    Json,
    Bool,
    Int4,
    Int8,
    Text,
    Bytes,
}

impl Kind {
    fn of_postgres(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "uuid" => Kind::Uuid,
            "timestamp with time zone" => Kind::Timestamp,
            "date" => Kind::Date,
            "jsonb" | "json" => Kind::Json,
            "boolean" => Kind::Bool,
            "integer" | "smallint" => Kind::Int4,
            "bigint" => Kind::Int8,
            "text" | "character varying" => Kind::Text,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }

    fn of_sqlite(declared: &str) -> Option<Kind> {
        Some(match declared.to_ascii_uppercase().as_str() {
            "INTEGER" | "BIGINT" => Kind::Int8,
            "BOOLEAN" => Kind::Bool,
            "TEXT" => Kind::Text,
            "BLOB" => Kind::Bytes,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// Its foreign keys: (column, the table it refers to).
    pub references: Vec<(String, String)>,
}

/// One value, typed as its column is (`None` is NULL of that type).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Uuid(Option<Uuid>),
    Timestamp(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Json(Option<serde_json::Value>),
    Bool(Option<bool>),
    Int4(Option<i32>),
    Int8(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Value {
    /// The text a checksum is taken over: the same value gives the same
    /// text from either backend (JSON with its keys sorted, times to the
    /// microsecond in UTC).
    fn write_canonical(&self, out: &mut Vec<u8>) {
        fn put(out: &mut Vec<u8>, v: Option<String>) {
            match v {
                Some(text) => {
                    out.push(b'=');
                    out.extend_from_slice(text.as_bytes());
                }
                None => out.push(b'-'),
            }
        }
        match self {
            Value::Uuid(v) => put(out, v.map(|u| u.to_string())),
            Value::Timestamp(v) => {
                put(out, v.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()));
            }
            Value::Date(v) => put(out, v.map(|d| d.to_string())),
            Value::Json(v) => put(out, v.as_ref().map(serde_json::Value::to_string)),
            Value::Bool(v) => put(out, v.map(|b| b.to_string())),
            Value::Int4(v) => put(out, v.map(|i| i.to_string())),
            Value::Int8(v) => put(out, v.map(|i| i.to_string())),
            Value::Text(v) => put(out, v.as_ref().map(|t| t.replace('\u{1f}', "\u{1f}\u{1f}"))),
            Value::Bytes(v) => put(out, v.as_ref().map(|b| hex(b))),
        }
        out.push(0x1f);
    }
}

impl Value {
    fn is_null(&self) -> bool {
        matches!(
            self,
            Value::Uuid(None)
                | Value::Timestamp(None)
                | Value::Date(None)
                | Value::Json(None)
                | Value::Bool(None)
                | Value::Int4(None)
                | Value::Int8(None)
                | Value::Text(None)
                | Value::Bytes(None)
        )
    }

    /// NULL of the same type.
    fn null(&self) -> Value {
        match self {
            Value::Uuid(_) => Value::Uuid(None),
            Value::Timestamp(_) => Value::Timestamp(None),
            Value::Date(_) => Value::Date(None),
            Value::Json(_) => Value::Json(None),
            Value::Bool(_) => Value::Bool(None),
            Value::Int4(_) => Value::Int4(None),
            Value::Int8(_) => Value::Int8(None),
            Value::Text(_) => Value::Text(None),
            Value::Bytes(_) => Value::Bytes(None),
        }
    }

    /// The value as JSON, for a person's copy of what is held about them.
    /// SQLite keeps ids as 16-byte BLOBs: those are written as ids.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Uuid(v) => v.map_or(J::Null, |u| J::String(u.to_string())),
            Value::Timestamp(v) => v.map_or(J::Null, |t| J::String(t.to_rfc3339())),
            Value::Date(v) => v.map_or(J::Null, |d| J::String(d.to_string())),
            Value::Json(v) => v.clone().unwrap_or(J::Null),
            Value::Bool(v) => v.map_or(J::Null, J::Bool),
            Value::Int4(v) => v.map_or(J::Null, J::from),
            Value::Int8(v) => v.map_or(J::Null, J::from),
            Value::Text(v) => v.clone().map_or(J::Null, J::String),
            Value::Bytes(v) => match v.as_deref() {
                None => J::Null,
                Some(b) => Uuid::from_slice(b)
                    .map_or_else(|_| J::String(hex(b)), |u| J::String(u.to_string())),
            },
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads column `i` of a row as `kind`; expands once per backend.
macro_rules! read_value {
    ($row:expr, $i:expr, $kind:expr) => {
        match $kind {
            Kind::Uuid => Value::Uuid($row.try_get($i)?),
            Kind::Timestamp => Value::Timestamp($row.try_get($i)?),
            Kind::Date => Value::Date($row.try_get($i)?),
            Kind::Json => Value::Json(
                $row.try_get::<Option<sqlx::types::Json<serde_json::Value>>, _>($i)?.map(|j| j.0),
            ),
            Kind::Bool => Value::Bool($row.try_get($i)?),
            Kind::Int4 => Value::Int4($row.try_get($i)?),
            Kind::Int8 => Value::Int8($row.try_get($i)?),
            Kind::Text => Value::Text($row.try_get($i)?),
            Kind::Bytes => Value::Bytes($row.try_get($i)?),
        }
    };
}

pub(crate) use read_value;

/// Binds a value to a query; expands once per backend.
macro_rules! bind_value {
    ($query:expr, $value:expr) => {
        match $value {
            Value::Uuid(v) => $query.bind(v),
            Value::Timestamp(v) => $query.bind(v),
            Value::Date(v) => $query.bind(v),
            Value::Json(v) => $query.bind(v.map(sqlx::types::Json)),
            Value::Bool(v) => $query.bind(v),
            Value::Int4(v) => $query.bind(v),
            Value::Int8(v) => $query.bind(v),
            Value::Text(v) => $query.bind(v),
            Value::Bytes(v) => $query.bind(v),
        }
    };
}

/// Table names; (table, column, declared type); (table, column, parent).
type Catalogue = (Vec<String>, Vec<(String, String, String)>, Vec<(String, String, String)>);

/// The tables a database holds (its migrations' bookkeeping aside), each
/// after the tables it refers to, with its columns in order.
pub async fn tables(db: &Db) -> Result<Vec<Table>, StoreError> {
    let (names, columns, references): Catalogue = match db {
        Db::Sqlite(pool) => {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
            )
            .fetch_all(pool)
            .await?;
            let mut columns = Vec::new();
            let mut references = Vec::new();
            for name in &names {
                let cols: Vec<(String, String)> =
                    sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                        .bind(name)
                        .fetch_all(pool)
                        .await?;
                columns.extend(cols.into_iter().map(|(c, t)| (name.clone(), c, t)));
                let parents: Vec<(String, String)> =
                    sqlx::query_as("SELECT \"from\", \"table\" FROM pragma_foreign_key_list($1)")
                        .bind(name)
                        .fetch_all(pool)
                        .await?;
                references.extend(parents.into_iter().map(|(c, p)| (name.clone(), c, p)));
            }
            (names, columns, references)
        }
        Db::Postgres(pool) => {
            let names = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                     AND table_name <> '_sqlx_migrations' ORDER BY table_name",
            )
            .fetch_all(pool)
            .await?;
            let columns = sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text \
                     FROM information_schema.columns WHERE table_schema = current_schema() \
                     ORDER BY table_name, ordinal_position",
            )
            .fetch_all(pool)
            .await?;
            let references = sqlx::query_as(
                "SELECT c.relname::text, a.attname::text, p.relname::text FROM pg_constraint k \
                     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
                     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE k.contype = 'f' AND n.nspname = current_schema()",
            )
            .fetch_all(pool)
            .await?;
            (names, columns, references)
        }
    };
    let postgres = matches!(db, Db::Postgres(_));
    let mut by_table: BTreeMap<String, Vec<Column>> =
        names.iter().map(|n| (n.clone(), Vec::new())).collect();
    for (table, name, declared) in columns {
        let Some(list) = by_table.get_mut(&table) else { continue };
        let kind = if postgres { Kind::of_postgres(&declared) } else { Kind::of_sqlite(&declared) };
        let kind = kind.ok_or_else(|| {
            StoreError::Copy(format!("{table}.{name} has a type this copy cannot move: {declared}"))
        })?;
        list.push(Column { name, kind });
    }
    let pairs: Vec<(String, String)> =
        references.iter().map(|(t, _, p)| (t.clone(), p.clone())).collect();
    let order = parents_first(&names, &pairs)?;
    Ok(order
        .into_iter()
        .map(|name| {
            let columns = by_table.remove(&name).unwrap_or_default();
            let mut refs: Vec<(String, String)> = references
                .iter()
                .filter(|(t, _, _)| *t == name)
                .map(|(_, c, p)| (c.clone(), p.clone()))
                .collect();
            refs.sort();
            Table { name, columns, references: refs }
        })
        .collect())
}

/// Tables in an order where each comes after those it refers to.
fn parents_first(
    names: &[String],
    references: &[(String, String)],
) -> Result<Vec<String>, StoreError> {
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> =
        names.iter().map(|n| (n.as_str(), BTreeSet::new())).collect();
    for (child, parent) in references {
        if child != parent
            && let Some(parents) = waiting.get_mut(child.as_str())
        {
            parents.insert(parent.as_str());
        }
    }
    let mut order = Vec::with_capacity(names.len());
    while !waiting.is_empty() {
        let ready: Vec<&str> =
            waiting.iter().filter(|(_, p)| p.is_empty()).map(|(n, _)| *n).collect();
        if ready.is_empty() {
            return Err(StoreError::Copy("the tables' foreign keys form a cycle".into()));
        }
        for name in ready {
            waiting.remove(name);
            for parents in waiting.values_mut() {
                parents.remove(name);
            }
            order.push(name.to_owned());
        }
    }
    Ok(order)
}

/// The tables of a copy from `from` to `to`, typed by PostgreSQL's schema
/// when either side is PostgreSQL. The two must be at the same migration.
pub async fn plan(from: &Db, to: &Db) -> Result<Vec<Table>, StoreError> {
    let source = tables(from).await?;
    let target = tables(to).await?;
    let names = |t: &[Table]| t.iter().map(|t| t.name.clone()).collect::<BTreeSet<_>>();
    if names(&source) != names(&target) {
        return Err(StoreError::Copy(
            "the two databases have different tables: migrate both with this version".into(),
        ));
    }
    let (typed, other) = match (from, to) {
        (_, Db::Postgres(_)) => (&target, &source),
        _ => (&source, &target),
    };
    // Parents-first order is the source's; the columns' kinds come from
    // the better-typed side.
    source
        .iter()
        .map(|table| {
            let typed_table = typed.iter().find(|t| t.name == table.name);
            let other_table = other.iter().find(|t| t.name == table.name);
            let (Some(typed_table), Some(other_table)) = (typed_table, other_table) else {
                return Err(StoreError::Copy(format!("{} is missing on one side", table.name)));
            };
            let mine: Vec<&str> = typed_table.columns.iter().map(|c| c.name.as_str()).collect();
            let theirs: Vec<&str> = other_table.columns.iter().map(|c| c.name.as_str()).collect();
            let (mut a, mut b) = (mine.clone(), theirs);
            a.sort_unstable();
            b.sort_unstable();
            if a != b {
                return Err(StoreError::Copy(format!(
                    "{} has different columns in the two databases",
                    table.name
                )));
            }
            Ok(Table { columns: typed_table.columns.clone(), ..table.clone() })
        })
        .collect()
}

/// How many rows a table holds and their checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSum {
    pub rows: u64,
    pub checksum: u128,
}

impl TableSum {
    fn add(&mut self, row: &[Value], buf: &mut Vec<u8>) {
        buf.clear();
        for value in row {
            value.write_canonical(buf);
        }
        let digest = Sha256::digest(buf.as_slice());
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        self.checksum = self.checksum.wrapping_add(u128::from_be_bytes(first));
        self.rows += 1;
    }

    pub fn checksum_hex(&self) -> String {
        format!("{:032x}", self.checksum)
    }
}

pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(crate) fn select_all(table: &Table) -> String {
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
    format!("SELECT {} FROM {}", columns.join(", "), quoted(&table.name))
}

/// How many rows of `width` values one INSERT writes. SQLite finds each
/// bound parameter by a linear search of the statement's names, so its
/// time per row grows with the statement: it gets small statements (which
/// its statement cache then reuses); PostgreSQL gets large ones.
pub(crate) fn rows_per_insert(tx: &Tx, width: usize) -> usize {
    let binds = match tx {
        Tx::Sqlite(_) => 999,
        Tx::Postgres(_) => 30_000,
    };
    (binds / width.max(1)).clamp(1, 500)
}

/// The row count and checksum of each table, read over one snapshot.
pub async fn checksums(db: &Db, tables: &[Table]) -> Result<Vec<TableSum>, StoreError> {
    let mut tx = db.begin_read().await?;
    let mut sums = Vec::with_capacity(tables.len());
    for table in tables {
        sums.push(stream_table(&mut tx, table, None).await?);
    }
    tx.rollback().await?;
    Ok(sums)
}

/// Reads every row of `table`, summing it and, when given a target,
/// inserting it there a batch at a time.
async fn stream_table(
    source: &mut Tx,
    table: &Table,
    mut target: Option<&mut Tx>,
) -> Result<TableSum, StoreError> {
    let sql = select_all(table);
    let kinds: Vec<Kind> = table.columns.iter().map(|c| c.kind).collect();
    let batch_rows = match target.as_deref() {
        Some(target) => rows_per_insert(target, kinds.len()),
        None => 500,
    };
    let mut sum = TableSum { rows: 0, checksum: 0 };
    let mut buf = Vec::new();
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(batch_rows);
    // A row may refer to another row of its own table (a target carried
    // from an earlier one) that comes later in storage order: such
    // references are written once the whole table is in.
    let own: Vec<usize> = table
        .references
        .iter()
        .filter(|(_, parent)| *parent == table.name)
        .filter_map(|(column, _)| table.columns.iter().position(|c| c.name == *column))
        .collect();
    let id = table.columns.iter().position(|c| c.name == "id");
    let mut later: Vec<(usize, Value, Value)> = Vec::new();
    on_tx!(source, conn => {
        let mut rows = sqlx::query(&sql).fetch(conn);
        while let Some(row) = rows.try_next().await? {
            let mut values = Vec::with_capacity(kinds.len());
            for (i, kind) in kinds.iter().enumerate() {
                values.push(read_value!(row, i, kind));
            }
            sum.add(&values, &mut buf);
            if let Some(target) = target.as_deref_mut() {
                if let Some(id) = id {
                    for &column in &own {
                        if !values[column].is_null() {
                            let null = values[column].null();
                            let value = std::mem::replace(&mut values[column], null);
                            later.push((column, values[id].clone(), value));
                        }
                    }
                }
                batch.push(values);
                if batch.len() == batch_rows {
                    insert_batch(target, table, std::mem::take(&mut batch)).await?;
                }
            }
        }
    });
    if let Some(target) = target {
        if !batch.is_empty() {
            insert_batch(target, table, batch).await?;
        }
        for (column, id, value) in later {
            let sql = format!(
                "UPDATE {} SET {} = $1 WHERE id = $2",
                quoted(&table.name),
                quoted(&table.columns[column].name)
            );
            on_tx!(target, conn => {
                let query = bind_value!(sqlx::query(&sql), value);
                bind_value!(query, id).execute(conn).await?;
            });
        }
    }
    Ok(sum)
}

pub(crate) async fn insert_batch(
    tx: &mut Tx,
    table: &Table,
    rows: Vec<Vec<Value>>,
) -> Result<(), StoreError> {
    let width = table.columns.len();
    let columns: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| format!("({})", crate::db::placeholders(r * width + 1, width)))
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quoted(&table.name),
        columns.join(", "),
        tuples.join(", ")
    );
    on_tx!(tx, conn => {
        let mut query = sqlx::query(&sql);
        for value in rows.into_iter().flatten() {
            query = bind_value!(query, value);
        }
        query.execute(conn).await?;
    });
    Ok(())
}

/// What a copy moved: each table's rows and checksum, read from the
/// source as it was copied and from the target afterwards.
#[derive(Debug, Clone)]
pub struct CopiedTable {
    pub name: String,
    pub source: TableSum,
    pub target: TableSum,
}

impl CopiedTable {
    pub fn matches(&self) -> bool {
        self.source == self.target
    }
}

/// Copies every row of `from` into `to` (migrated, and empty) in one
/// transaction, over one snapshot of the source, then reads the target
/// back to check each table's rows and checksum.
pub async fn copy_database(from: &Db, to: &Db) -> Result<Vec<CopiedTable>, StoreError> {
    let tables = plan(from, to).await?;
    for table in &tables {
        let sql = format!("SELECT COUNT(*) FROM {}", quoted(&table.name));
        let count: i64 = on_db!(to, pool => sqlx::query_scalar(&sql).fetch_one(pool).await?);
        if count > 0 {
            return Err(StoreError::Copy(format!(
                "the target is not empty ({} has {count} rows): copy into a new database",
                table.name
            )));
        }
    }
    let mut source = from.begin_read().await?;
    let mut target = to.begin().await?;
    let mut sent = Vec::with_capacity(tables.len());
    for table in &tables {
        sent.push(stream_table(&mut source, table, Some(&mut target)).await?);
    }
    target.commit().await?;
    source.rollback().await?;
    let received = checksums(to, &tables).await?;
    Ok(tables
        .into_iter()
        .zip(sent.into_iter().zip(received))
        .map(|(table, (source, target))| CopiedTable { name: table.name, source, target })
        .collect())
}

/// A consistent copy of a live SQLite database written to `path` (which
/// must not exist), taken without stopping writers.
pub async fn sqlite_snapshot(db: &Db, path: &str) -> Result<(), StoreError> {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query("VACUUM INTO $1").bind(path).execute(pool).await?;
            Ok(())
        }
        Db::Postgres(_) => Err(StoreError::Copy(
            "openpep backup snapshots SQLite; back PostgreSQL up with pg_dump".into(),
        )),
    }
}
