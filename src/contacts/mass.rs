//! One change applied to many contacts at once: the action bar's selected rows, or a chunk of
//! a bulk job over a whole view.

use super::{delete, move_to_account, restore, set_spam, ContactError};
use crate::audit::Actor;
use crate::db::DbConnection;
use crate::invitations::access::{self, AccessChange};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MassChange {
    Spam,
    NotSpam,
    Delete,
    Restore,
    /// To this account (None: to no account).
    Move(Option<i64>),
    /// Help Center access of activated customers, turned off or on again.
    Access(AccessChange),
}

/// What a change did: how many contacts it changed, and the contacts it left as they were
/// with why, where there is more to say than "already so".
#[derive(Debug, Default)]
pub struct Applied {
    pub changed: usize,
    pub left: Vec<(i64, &'static str)>,
}

pub fn apply(
    conn: &mut DbConnection,
    change: MassChange,
    ids: &[i64],
    actor: Actor,
) -> Result<Applied, ContactError> {
    let changed = match change {
        MassChange::Spam => set_spam(conn, ids, true, actor)?,
        MassChange::NotSpam => set_spam(conn, ids, false, actor)?,
        MassChange::Delete => delete(conn, ids, actor)?,
        MassChange::Move(account_id) => move_to_account(conn, ids, account_id, actor)?,
        MassChange::Access(wanted) => {
            let mut changed = 0;
            for &id in ids {
                if access::change(conn, id, wanted, actor)? {
                    changed += 1;
                }
            }
            changed
        }
        MassChange::Restore => {
            let mut applied = Applied::default();
            for &id in ids {
                match restore(conn, id, actor) {
                    Ok(()) => applied.changed += 1,
                    // Each of these stays deleted; the count and the job's list say why.
                    Err(ContactError::DuplicateEmail { .. }) => applied
                        .left
                        .push((id, "another contact has its email address now")),
                    Err(ContactError::MergedInto { .. }) => {
                        applied.left.push((id, "merged into another contact"))
                    }
                    Err(ContactError::NotFound) => applied.left.push((id, "no longer deleted")),
                    Err(error) => return Err(error),
                }
            }
            return Ok(applied);
        }
    };
    Ok(Applied {
        changed,
        left: Vec::new(),
    })
}
