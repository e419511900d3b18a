//! Custom views: an agent's saved criteria and sort, private or shared with every agent.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::contacts::{Criteria, Sort};
use crate::db::schema::contact_views;
use crate::db::DbConnection;
use crate::domain::ShownStatus;

/// A saved view of the contacts list: criteria, a sort, and who may see it.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = contact_views)]
pub struct CustomView {
    pub id: i64,
    pub agent_id: i64,
    pub name: String,
    pub shared: bool,
    pub account_id: Option<i64>,
    pub help_center_status: Option<String>,
    pub email_domain: Option<String>,
    pub created_from: Option<NaiveDateTime>,
    pub created_until: Option<NaiveDateTime>,
    pub has_open_tickets: Option<bool>,
    pub name_contains: Option<String>,
    pub sort: String,
    pub descending: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = contact_views, treat_none_as_null = true)]
pub struct CustomViewFields {
    pub name: String,
    pub shared: bool,
    pub account_id: Option<i64>,
    pub help_center_status: Option<String>,
    pub email_domain: Option<String>,
    pub created_from: Option<NaiveDateTime>,
    pub created_until: Option<NaiveDateTime>,
    pub has_open_tickets: Option<bool>,
    pub name_contains: Option<String>,
    pub sort: String,
    pub descending: bool,
}

impl CustomView {
    pub fn criteria(&self) -> Criteria {
        Criteria {
            status: self
                .help_center_status
                .as_deref()
                .and_then(ShownStatus::from_slug),
            account_id: self.account_id,
            email_domain: self.email_domain.clone(),
            created_from: self.created_from,
            created_until: self.created_until,
            has_open_tickets: self.has_open_tickets,
            name_contains: self.name_contains.clone(),
            ..Criteria::default()
        }
    }

    pub fn sort(&self) -> Sort {
        Sort::parse(&self.sort).unwrap_or_default()
    }

    pub fn is_editable_by(&self, agent_id: i64) -> bool {
        self.agent_id == agent_id
    }

    /// The agent's own views and every shared one, by name.
    pub fn visible_to(conn: &mut DbConnection, agent_id: i64) -> QueryResult<Vec<CustomView>> {
        contact_views::table
            .filter(
                contact_views::agent_id
                    .eq(agent_id)
                    .or(contact_views::shared.eq(true)),
            )
            .order((contact_views::name.asc(), contact_views::id.asc()))
            .select(CustomView::as_select())
            .load(conn)
    }

    pub fn find_visible(
        conn: &mut DbConnection,
        id: i64,
        agent_id: i64,
    ) -> QueryResult<Option<CustomView>> {
        contact_views::table
            .find(id)
            .filter(
                contact_views::agent_id
                    .eq(agent_id)
                    .or(contact_views::shared.eq(true)),
            )
            .select(CustomView::as_select())
            .first(conn)
            .optional()
    }

    pub fn create(
        conn: &mut DbConnection,
        agent_id: i64,
        fields: &CustomViewFields,
        now: NaiveDateTime,
    ) -> QueryResult<i64> {
        diesel::insert_into(contact_views::table)
            .values((
                fields,
                contact_views::agent_id.eq(agent_id),
                contact_views::created_at.eq(now),
                contact_views::updated_at.eq(now),
            ))
            .returning(contact_views::id)
            .get_result(conn)
    }

    pub fn update(
        conn: &mut DbConnection,
        id: i64,
        agent_id: i64,
        fields: &CustomViewFields,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            contact_views::table
                .find(id)
                .filter(contact_views::agent_id.eq(agent_id)),
        )
        .set((fields, contact_views::updated_at.eq(now)))
        .execute(conn)
    }

    pub fn delete(conn: &mut DbConnection, id: i64, agent_id: i64) -> QueryResult<usize> {
        diesel::delete(
            contact_views::table
                .find(id)
                .filter(contact_views::agent_id.eq(agent_id)),
        )
        .execute(conn)
    }
}
