//! Turning a customer's Help Center access off and on again. The portal account keeps its
//! password; its sessions end, and the sign-in guard refuses it while `deactivated_at` is set.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::{self, Actor};
use crate::auth::sessions::{self, Holder};
use crate::db::schema::{contacts, portal_accounts};
use crate::db::{now, write_transaction, DbConnection};
use crate::domain::HelpCenterStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessChange {
    Deactivate,
    Reactivate,
}

/// `false` when there was nothing to change: no activated account, or already in that state.
pub fn change(
    conn: &mut DbConnection,
    contact_id: i64,
    change: AccessChange,
    actor: Actor,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let at = now();
        let account = portal_accounts::table
            .filter(portal_accounts::contact_id.eq(contact_id))
            .filter(portal_accounts::activated_at.is_not_null());
        let (changed, status, action) = match change {
            AccessChange::Deactivate => (
                diesel::update(account.filter(portal_accounts::deactivated_at.is_null()))
                    .set((
                        portal_accounts::deactivated_at.eq(at),
                        portal_accounts::updated_at.eq(at),
                    ))
                    .execute(conn)?,
                HelpCenterStatus::Deactivated,
                "portal_access.deactivated",
            ),
            AccessChange::Reactivate => (
                diesel::update(account.filter(portal_accounts::deactivated_at.is_not_null()))
                    .set((
                        portal_accounts::deactivated_at.eq(None::<NaiveDateTime>),
                        portal_accounts::updated_at.eq(at),
                    ))
                    .execute(conn)?,
                HelpCenterStatus::Activated,
                "portal_access.reactivated",
            ),
        };
        if changed == 0 {
            return Ok(false);
        }
        if change == AccessChange::Deactivate {
            sessions::end_all_but(conn, Holder::Customer(contact_id), None)?;
        }
        diesel::update(contacts::table.find(contact_id))
            .set((
                contacts::help_center_status.eq(status.as_str()),
                contacts::updated_at.eq(at),
            ))
            .execute(conn)?;
        audit::record(conn, actor, action, ("contact", Some(contact_id)), "")?;
        Ok(true)
    })
}
