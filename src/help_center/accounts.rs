use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::sessions::{self, Holder};
use crate::db::schema::portal_accounts;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = portal_accounts)]
pub struct PortalAccount {
    pub id: i64,
    pub contact_id: i64,
    pub password_hash: String,
    pub activated_at: Option<NaiveDateTime>,
    pub deactivated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub password_changed_at: Option<NaiveDateTime>,
}

impl PortalAccount {
    /// Activated and not deactivated since.
    pub fn can_sign_in(&self) -> bool {
        self.activated_at.is_some() && self.deactivated_at.is_none()
    }

    pub fn for_contact(
        conn: &mut DbConnection,
        contact_id: i64,
    ) -> QueryResult<Option<PortalAccount>> {
        portal_accounts::table
            .filter(portal_accounts::contact_id.eq(contact_id))
            .select(PortalAccount::as_select())
            .first(conn)
            .optional()
    }

    /// Sets the password and activates, creating the account if the contact has none; any
    /// session from before ends.
    pub fn activate(
        conn: &mut DbConnection,
        contact_id: i64,
        password_hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        let updated = diesel::update(
            portal_accounts::table.filter(portal_accounts::contact_id.eq(contact_id)),
        )
        .set((
            portal_accounts::password_hash.eq(password_hash),
            portal_accounts::activated_at.eq(now),
            portal_accounts::deactivated_at.eq(None::<NaiveDateTime>),
            portal_accounts::updated_at.eq(now),
            portal_accounts::password_changed_at.eq(now),
        ))
        .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(portal_accounts::table)
                .values((
                    portal_accounts::contact_id.eq(contact_id),
                    portal_accounts::password_hash.eq(password_hash),
                    portal_accounts::activated_at.eq(now),
                    portal_accounts::created_at.eq(now),
                    portal_accounts::updated_at.eq(now),
                    portal_accounts::password_changed_at.eq(now),
                ))
                .execute(conn)?;
        }
        sessions::end_all_but(conn, Holder::Customer(contact_id), None)?;
        Ok(())
    }
}
