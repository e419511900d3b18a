//! A CSV file kept between its preview and the agent's confirmation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::import_uploads;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = import_uploads)]
pub struct ImportUpload {
    pub id: i64,
    pub agent_id: i64,
    pub file_name: String,
    pub contents: String,
    pub created_at: NaiveDateTime,
}

impl ImportUpload {
    /// The upload, if this agent made it: nobody confirms another agent's file.
    pub fn find_for_agent(
        conn: &mut DbConnection,
        id: i64,
        agent_id: i64,
    ) -> QueryResult<Option<ImportUpload>> {
        import_uploads::table
            .find(id)
            .filter(import_uploads::agent_id.eq(agent_id))
            .select(ImportUpload::as_select())
            .first(conn)
            .optional()
    }

    pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
        diesel::delete(import_uploads::table.find(id)).execute(conn)
    }

    /// Forgets files never confirmed: a preview left open longer than this is stale anyway.
    pub fn delete_older_than(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(import_uploads::table.filter(import_uploads::created_at.lt(cutoff)))
            .execute(conn)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = import_uploads)]
pub struct NewImportUpload<'a> {
    pub agent_id: i64,
    pub file_name: &'a str,
    pub contents: &'a str,
    pub created_at: NaiveDateTime,
}

impl NewImportUpload<'_> {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<i64> {
        diesel::insert_into(import_uploads::table)
            .values(self)
            .returning(import_uploads::id)
            .get_result(conn)
    }
}
