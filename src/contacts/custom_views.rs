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

    /// Its conditions in one line, as the list shows them under its title: "Account is Acme ·
    /// Help Center status is Invited · Created 2026-01-01 to 2026-03-31". `account_name` is
    /// the name of its account, None when that account was deleted.
    pub fn conditions(&self, account_name: Option<&str>) -> String {
        let day = |at: NaiveDateTime| at.date().format("%Y-%m-%d").to_string();
        // Stored as the midnight after the last day.
        let last_day = |at: NaiveDateTime| day(at - chrono::Duration::nanoseconds(1));
        let mut said = Vec::new();
        if self.account_id.is_some() {
            said.push(match account_name {
                Some(name) => format!("Account is {name}"),
                None => "Account is one that was deleted".to_owned(),
            });
        }
        if let Some(status) = self.criteria().status {
            said.push(format!("Help Center status is {}", status.label()));
        }
        if let Some(domain) = &self.email_domain {
            said.push(format!("Email domain is {domain}"));
        }
        match (self.created_from, self.created_until) {
            (Some(from), Some(until)) => {
                said.push(format!("Created {} to {}", day(from), last_day(until)))
            }
            (Some(from), None) => said.push(format!("Created on or after {}", day(from))),
            (None, Some(until)) => said.push(format!("Created on or before {}", last_day(until))),
            (None, None) => {}
        }
        match self.has_open_tickets {
            Some(true) => said.push("Has open tickets".to_owned()),
            Some(false) => said.push("Has no open tickets".to_owned()),
            None => {}
        }
        if let Some(part) = &self.name_contains {
            said.push(format!("Name contains “{part}”"));
        }
        if said.is_empty() {
            "Every contact".to_owned()
        } else {
            said.join(" · ")
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
