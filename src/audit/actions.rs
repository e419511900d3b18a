//! The actions the audit trail records, and how its pages say each.

/// Every action Portico records, with how the log says it.
pub const KNOWN_ACTIONS: &[(&str, &str)] = &[
    ("contact.created", "Contact added"),
    ("contact.updated", "Contact edited"),
    ("contact.deleted", "Contact deleted"),
    ("contact.restored", "Contact restored"),
    ("contact.marked_spam", "Marked as spam"),
    ("contact.unmarked_spam", "Marked as not spam"),
    ("contact.moved", "Moved to another account"),
    ("contact.merged", "Duplicates merged into this contact"),
    ("contact.merged_into", "Merged into another contact"),
    ("contacts.imported", "Contacts imported"),
    ("account.created", "Account created"),
    ("account.renamed", "Account renamed"),
    ("account.deleted", "Account deleted"),
    ("invitation.created", "Invited to the Help Center"),
    ("invitation.resent", "Invitation resent"),
    ("invitation.revoked", "Invitation revoked"),
    ("invitation.accepted", "Invitation accepted"),
    ("invitation.delivery_failed", "Invitation not delivered"),
    ("invitation.reminded", "Invitation reminder sent"),
    (
        "invitation.reminder_failed",
        "Invitation reminder not delivered",
    ),
    (
        "portal_access.deactivated",
        "Help Center access deactivated",
    ),
    (
        "portal_access.reactivated",
        "Help Center access reactivated",
    ),
    ("ticket.created", "Ticket created"),
    ("ticket.status_changed", "Ticket status changed"),
    ("kb_article.created", "Article created"),
    ("kb_article.updated", "Article edited"),
    ("kb_article.published", "Article published"),
    ("kb_article.unpublished", "Article unpublished"),
    ("kb_article.deleted", "Article deleted"),
    ("settings.updated", "Help Center settings changed"),
    (
        "settings.invitation_email_updated",
        "Invitation email changed",
    ),
    (
        "settings.invitation_email_reset",
        "Invitation email reset to the default",
    ),
    ("agent.created", "Agent added"),
    ("agent.updated", "Agent edited"),
    ("agent.disabled", "Agent disabled"),
    ("agent.enabled", "Agent enabled"),
    ("agent.password_changed", "Agent changed their password"),
    (
        "agent.password_reset",
        "Agent reset their password by email",
    ),
    (
        "agent.signed_out_elsewhere",
        "Agent signed out of their other sessions",
    ),
    ("portal.registered", "Registered in the Help Center"),
    (
        "portal.password_changed",
        "Changed their Help Center password",
    ),
    (
        "portal.password_reset",
        "Reset their Help Center password by email",
    ),
    (
        "portal.signed_out_elsewhere",
        "Signed out of their other Help Center sessions",
    ),
];

/// The action in words; one Portico does not know yet reads as recorded.
pub fn describe(action: &str) -> &str {
    KNOWN_ACTIONS
        .iter()
        .find(|(known, _)| *known == action)
        .map_or(action, |(_, words)| words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_actions_read_as_words_and_unknown_ones_as_recorded() {
        assert_eq!(describe("invitation.created"), "Invited to the Help Center");
        assert_eq!(describe("something.new"), "something.new");
    }
}
