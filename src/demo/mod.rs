//! Demo data, so a newcomer's first `cargo run` shows a realistic help desk.

mod articles;
mod content;

use std::collections::HashSet;

use crate::accounts::NewAccount;
use crate::agents::{Agent, AgentRole, NewAgent};
use crate::auth::password::hash_password;
use crate::contacts::NewContact;
use crate::db::{now, write_transaction, DbConnection};
use crate::domain::EmailAddress;
use crate::knowledge_base::NewArticle;
use crate::tickets::{NewTicket, NewTicketMessage, TicketStatus};

pub use content::{ACCOUNT_NAMES, FIRST_NAMES, LAST_NAMES};

pub const ADMIN_EMAIL: &str = "admin@portico.test";
pub const ADMIN_PASSWORD: &str = "portico-demo";
const CONTACTS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Hash(#[from] crate::auth::password::HashError),
}

/// Seeds only a database without agents, so a restart never duplicates anything.
pub fn seed_if_empty(conn: &mut DbConnection) -> Result<bool, DemoError> {
    if Agent::count(conn)? > 0 {
        return Ok(false);
    }
    let password_hash = hash_password(ADMIN_PASSWORD)?;
    write_transaction(conn, |conn| {
        let timestamp = now();
        let admin_id = NewAgent {
            email: ADMIN_EMAIL,
            name: "Avery Admin",
            role: AgentRole::Admin.as_str(),
            password_hash: &password_hash,
            created_at: timestamp,
            updated_at: timestamp,
        }
        .insert(conn)?;
        let account_ids = ACCOUNT_NAMES
            .iter()
            .map(|name| {
                NewAccount {
                    name,
                    created_at: timestamp,
                    updated_at: timestamp,
                }
                .insert(conn)
            })
            .collect::<Result<Vec<_>, _>>()?;
        seed_contacts(conn, &account_ids, admin_id)?;
        crate::contacts::refresh_all_duplicate_flags(conn)?;
        for (index, article) in articles::ARTICLES.iter().enumerate() {
            NewArticle {
                title: article.title,
                slug: article.slug,
                category: article.category,
                body: article.body,
                // One draft shows agents what an unpublished article looks like.
                published: index + 1 < articles::ARTICLES.len(),
                created_at: timestamp,
                updated_at: timestamp,
            }
            .insert(conn)?;
        }
        Ok::<_, DemoError>(())
    })?;
    Ok(true)
}

pub fn email_domain_of(account_name: &str) -> String {
    let slug: String = account_name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("{slug}.example")
}

/// A realistic mix: most contacts have an account and an email; some have no email, some are
/// spam, some share an address once "+tags" are ignored, some repeat a name and phone, and a
/// quarter have tickets in every status.
fn seed_contacts(
    conn: &mut DbConnection,
    account_ids: &[i64],
    admin_id: i64,
) -> Result<(), DemoError> {
    let mut taken = HashSet::new();
    let mut previous: Option<(String, String, Option<String>)> = None;
    for index in 0..CONTACTS {
        let first = FIRST_NAMES[(index * 7) % FIRST_NAMES.len()];
        let last = LAST_NAMES[(index * 13 + index / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let account_index = (index % 10 != 9).then_some(index % account_ids.len());
        let domain = account_index
            .map(|i| email_domain_of(ACCOUNT_NAMES[i]))
            .unwrap_or_else(|| "mail.example".to_owned());
        let mut name = format!("{first} {last}");
        let mut phone = Some(format!("+1 555 {:04}", 1000 + index * 37 % 9000));
        let local = match (&previous, index % 31 == 5, index % 37 == 3) {
            // Same person, second address with a +tag: a possible duplicate.
            (Some((_, _, Some(email))), true, _) => {
                let (local, _) = email.split_once('@').unwrap_or((email, ""));
                format!("{local}+billing")
            }
            // Same name and phone, different address: also a possible duplicate.
            (Some((prev_name, prev_phone, _)), _, true) => {
                name = prev_name.clone();
                phone = Some(prev_phone.clone());
                format!("{}.{}.alt", first.to_lowercase(), last.to_lowercase())
            }
            _ => format!("{}.{}", first.to_lowercase(), last.to_lowercase()),
        };
        let reuse_domain = index % 31 == 5;
        let domain = match (&previous, reuse_domain) {
            (Some((_, _, Some(email))), true) => email
                .rsplit_once('@')
                .map(|(_, d)| d.to_owned())
                .unwrap_or(domain),
            _ => domain,
        };
        let mut candidate = format!("{local}@{domain}");
        if !taken.insert(candidate.clone()) {
            candidate = format!("{local}{index}@{domain}");
            taken.insert(candidate.clone());
        }
        let email = (index % 17 != 0)
            .then(|| EmailAddress::parse(&candidate).ok())
            .flatten();
        let timestamp = now() - chrono::Duration::days((CONTACTS - index) as i64 / 4);
        let contact_id = NewContact {
            import_id: None,
            name: name.clone(),
            name_folded: crate::domain::folded_unless_ascii(&name),
            email_normalized: email.as_ref().map(EmailAddress::normalized),
            email: email.as_ref().map(|e| e.as_str().to_owned()),
            phone: phone.clone(),
            account_id: account_index.map(|i| account_ids[i]),
            is_spam: index % 29 == 11,
            created_at: timestamp,
            updated_at: timestamp,
        }
        .insert(conn)?;
        if index % 4 == 0 {
            seed_ticket(conn, contact_id, index, admin_id)?;
        }
        previous = Some((
            name,
            phone.unwrap_or_default(),
            email.map(|e| e.as_str().to_owned()),
        ));
    }
    Ok(())
}

fn seed_ticket(
    conn: &mut DbConnection,
    contact_id: i64,
    index: usize,
    admin_id: i64,
) -> Result<(), DemoError> {
    let status = TicketStatus::ALL[(index / 4) % TicketStatus::ALL.len()];
    let timestamp = now() - chrono::Duration::hours(index as i64);
    let ticket_id = NewTicket {
        contact_id,
        subject: content::TICKET_SUBJECTS[index % content::TICKET_SUBJECTS.len()],
        status: status.as_str(),
        created_at: timestamp,
        updated_at: timestamp,
    }
    .insert(conn)?;
    NewTicketMessage {
        ticket_id,
        author_agent_id: None,
        from_customer: true,
        body: content::TICKET_MESSAGES[index % content::TICKET_MESSAGES.len()],
        created_at: timestamp,
        internal: false,
    }
    .insert(conn)?;
    if status != TicketStatus::Open {
        NewTicketMessage {
            ticket_id,
            author_agent_id: Some(admin_id),
            from_customer: false,
            body: "Thanks for the details. We are on it and will update this ticket as soon as we know more.",
            created_at: timestamp + chrono::Duration::minutes(30),
            internal: false,
        }
        .insert(conn)?;
    }
    Ok(())
}
