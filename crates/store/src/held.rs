//! Everything held about one child, table by table: the rows that name
//! them (a `child_id`), and the rows that hang from those (a PEP's pages,
//! a meeting's invitees), found from the database's own foreign keys so a
//! table added later is included without anyone remembering to.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use sqlx::Row;
use uuid::Uuid;

use crate::copy::{self, Kind, Value, quoted, read_value, select_all};
use crate::{Db, StoreError, on_db};

/// One table's rows about the child, each as column → value.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRows {
    pub table: String,
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// The rows of every table about the child (`child_id` must be checked
/// to be the caller's to see). Tables with no rows about them are left out.
pub async fn about_child(db: &Db, child_id: Uuid) -> Result<Vec<HeldRows>, StoreError> {
    let tables = copy::tables(db).await?;
    // Each table's condition, given the child's id as $1; parents come
    // first, so a table's parents' conditions are known when it is reached.
    let mut conditions: HashMap<String, String> = HashMap::new();
    let mut held = Vec::new();
    for table in &tables {
        let condition = if table.name == "children" {
            "id = $1".to_owned()
        } else if table.columns.iter().any(|c| c.name == "child_id") {
            "child_id = $1".to_owned()
        } else if let Some((column, parent, parent_condition)) =
            table.references.iter().find_map(|(column, parent)| {
                let condition = conditions.get(parent).filter(|_| *parent != table.name)?;
                Some((column, parent, condition))
            })
        {
            format!(
                "{} IN (SELECT id FROM {} WHERE {parent_condition})",
                quoted(column),
                quoted(parent)
            )
        } else {
            continue;
        };
        let sql = format!("{} WHERE {condition}", select_all(table));
        let kinds: Vec<(&str, Kind)> =
            table.columns.iter().map(|c| (c.name.as_str(), c.kind)).collect();
        let mut rows = Vec::new();
        on_db!(db, pool => {
            let mut stream = sqlx::query(&sql).bind(child_id).fetch(pool);
            while let Some(row) = stream.try_next().await? {
                let mut object = serde_json::Map::new();
                for (i, (name, kind)) in kinds.iter().enumerate() {
                    let value: Value = read_value!(row, i, kind);
                    object.insert((*name).to_owned(), value.to_json());
                }
                rows.push(object);
            }
        });
        conditions.insert(table.name.clone(), condition);
        if !rows.is_empty() {
            held.push(HeldRows { table: table.name.clone(), rows });
        }
    }
    Ok(held)
}
