//! The subcommands besides `serve`.

use std::io::BufRead;

use diesel::RunQueryDsl;
use std::time::Instant;

use crate::accounts::NewAccount;
use crate::agents::{AgentRole, NewAgent};
use crate::auth::password::hash_password;
use crate::config::{Command, Settings};
use crate::contacts::NewContact;
use crate::db::{self, now, write_transaction, DbConnection};
use crate::demo::{email_domain_of, ACCOUNT_NAMES, FIRST_NAMES, LAST_NAMES};
use crate::domain::EmailAddress;
use crate::mail::OutgoingMail;
use crate::startup::build_mailer;

type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Large enough to amortise each statement, small enough for SQLite's bound-parameter limit.
const SEED_BATCH: usize = 2_000;
/// A COPY has no parameter limit, and each one runs the count triggers once.
const SEED_BATCH_POSTGRES: usize = 50_000;

pub fn run(command: Command, settings: &Settings) -> CliResult {
    match command {
        Command::Serve => Err("serve is run by main".into()),
        Command::Migrate => {
            let mut conn = open(settings)?;
            db::run_migrations(&mut conn)?;
            println!("Migrations are up to date.");
            Ok(())
        }
        Command::CreateAgent {
            email,
            name,
            admin,
            password_stdin: _,
        } => create_agent(settings, &email, &name, admin),
        Command::Seed { contacts, accounts } => seed(settings, contacts, accounts),
        Command::SendTestMail { to } => send_test_mail(settings, &to),
        Command::Backup { to } => backup(settings, &to),
    }
}

/// A consistent copy of a SQLite database, taken while the server runs: `VACUUM INTO` reads
/// one snapshot and writes a compact file that opens as a database of its own.
fn backup(settings: &Settings, to: &std::path::Path) -> CliResult {
    if db::Backend::of_url(&settings.database_url) == db::Backend::Postgres {
        return Err(
            "this database is PostgreSQL: back it up with pg_dump, for example \
                    pg_dump --format=custom --file=portico.dump \"$DATABASE_URL\""
                .into(),
        );
    }
    if to.exists() {
        return Err(format!("{} already exists: choose a new file", to.display()).into());
    }
    let Some(path) = to.to_str() else {
        return Err("the backup's path must be valid UTF-8".into());
    };
    let started = Instant::now();
    let mut conn = open(settings)?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(path)
        .execute(&mut *conn)?;
    let bytes = std::fs::metadata(to).map(|meta| meta.len()).unwrap_or(0);
    println!(
        "Backed up {} to {} ({:.1} MiB) in {:.1} s.",
        settings.database_url,
        to.display(),
        bytes as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn open(settings: &Settings) -> Result<db::PooledConnection, Box<dyn std::error::Error>> {
    let pool = db::connect(&settings.database_url, 1)?;
    let mut conn = pool.get()?;
    db::run_migrations(&mut conn)?;
    Ok(conn)
}

fn create_agent(settings: &Settings, email: &str, name: &str, admin: bool) -> CliResult {
    let email = EmailAddress::parse(email)?;
    let name = name.trim();
    if name.is_empty() {
        return Err("--name must not be empty".into());
    }
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < 12 {
        return Err("the password must be at least 12 characters".into());
    }
    let password_hash = hash_password(password)?;
    let mut conn = open(settings)?;
    let timestamp = now();
    let role = if admin {
        AgentRole::Admin
    } else {
        AgentRole::Agent
    };
    let id = NewAgent {
        email: email.as_str(),
        name,
        role: role.as_str(),
        password_hash: &password_hash,
        created_at: timestamp,
        updated_at: timestamp,
    }
    .insert(&mut conn)
    .map_err(|error| match error {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => {
            format!("an agent with the email {email} already exists")
        }
        other => other.to_string(),
    })?;
    println!("Created {} {email} (id {id}).", role.as_str());
    Ok(())
}

fn seed(settings: &Settings, contacts: u64, accounts: Option<u64>) -> CliResult {
    let started = Instant::now();
    let mut conn = open(settings)?;
    let accounts = accounts.unwrap_or((contacts / 50).clamp(1, 10_000));
    // A per-run tag keeps emails unique when seeding the same database twice.
    let run_tag = chrono::Utc::now().format("%H%M%S").to_string();
    match &mut *conn {
        DbConnection::Sqlite(_) => seed_sqlite_in_bulk(&mut conn, contacts, accounts, &run_tag)?,
        DbConnection::Postgresql(_) => {
            seed_postgres_in_bulk(&mut conn, contacts, accounts, &run_tag)?
        }
    }
    println!(
        "Seeded {contacts} contacts in {accounts} accounts in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct SchemaObject {
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

/// SQLite maintains a dozen indexes, a trigram index and the count triggers row by row; for a
/// million rows it is far quicker to set them aside, insert, and build each once. All in one
/// transaction, so a failure leaves the database as it was.
///
/// When no other connection has the file open, the seed runs with a rollback journal instead
/// of WAL: nearly every page it writes is new, so the journal stays small, whereas WAL would
/// write the whole database twice (into the log, then into the file at the checkpoint; 2.8 of
/// 19 s at 1M contacts).
fn seed_sqlite_in_bulk(
    conn: &mut DbConnection,
    contacts: u64,
    accounts: u64,
    run_tag: &str,
) -> Result<(), diesel::result::Error> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("PRAGMA cache_size = -524288; PRAGMA synchronous = OFF;")?;
    // Leaving WAL needs the file to itself; with a server running the seed stays in WAL.
    conn.batch_execute("PRAGMA busy_timeout = 0;")?;
    let left_wal = conn.batch_execute("PRAGMA journal_mode = DELETE;").is_ok();
    conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
    let outcome = write_transaction(conn, |conn| {
        let query = diesel::sql_query(
            "SELECT type AS kind, name, sql FROM sqlite_master \
             WHERE tbl_name = 'contacts' AND type IN ('index', 'trigger') AND sql IS NOT NULL \
             ORDER BY type = 'trigger', name",
        );
        let objects: Vec<SchemaObject> = match conn {
            DbConnection::Sqlite(sqlite) => query.load(sqlite)?,
            DbConnection::Postgresql(_) => Vec::new(),
        };
        for object in &objects {
            let kind = if object.kind == "index" {
                "INDEX"
            } else {
                "TRIGGER"
            };
            conn.batch_execute(&format!("DROP {kind} \"{}\"", object.name))?;
        }
        seed_rows(conn, contacts, accounts, run_tag)?;
        // SQLite's sorter sorts in runs the size of the page cache: many 16 MiB runs on two
        // threads build the indexes far faster than one 512 MiB run (target: P8, the seed).
        conn.batch_execute("PRAGMA cache_size = -16384; PRAGMA threads = 2;")?;
        for object in &objects {
            conn.batch_execute(&object.sql)?;
        }
        conn.batch_execute(
            // A 64 MiB term buffer (1 MiB by default) writes the index as a few large segments
            // instead of merging hundreds of small ones (target: P8). In key order, since FTS5 writes out its buffer whenever a key is lower than the
            // one before ('rebuild' would read the contacts in table order).
            "INSERT INTO contacts_search (contacts_search, rank) VALUES ('hashsize', 67108864);
             INSERT INTO contacts_search (contacts_search) VALUES ('delete-all');
             INSERT INTO contacts_search (rowid, name, email, phone, account)
             SELECT contacts.search_key, contacts.name, contacts.email, contacts.phone, accounts.name
             FROM contacts LEFT JOIN accounts ON accounts.id = contacts.account_id
             ORDER BY contacts.search_key;
             INSERT INTO contacts_search (contacts_search, rank) VALUES ('hashsize', 1048576);
             DELETE FROM contact_view_counts;
             INSERT INTO contact_view_counts
             SELECT help_center_status, is_spam, deleted_at IS NOT NULL, email IS NOT NULL, possible_duplicate, count(*)
             FROM contacts GROUP BY 1, 2, 3, 4, 5;
             DELETE FROM contact_daily_counts;
             INSERT INTO contact_daily_counts (day, contacts)
             SELECT substr(created_at, 1, 10), count(*) FROM contacts
             WHERE deleted_at IS NULL AND is_spam = 0 GROUP BY 1;
             PRAGMA analysis_limit = 1000;
             ANALYZE;",
        )
    });
    conn.batch_execute(
        "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768; PRAGMA threads = 0;",
    )?;
    if left_wal {
        conn.batch_execute("PRAGMA journal_mode = WAL;")?;
    }
    outcome
}

/// PostgreSQL keeps the contacts' indexes and their search table's trigram GIN index up to
/// date row by row; building each once after the load is quicker, as on SQLite. Their foreign
/// keys are set aside too: checked row by row, the account's cost 3 of 9 s of the load at 1M
/// contacts, and re-adding it checks every row in one join (0.2 s). The count and search
/// triggers run once per statement and stay. One transaction, so a failure leaves the database
/// as it was; dropping the indexes locks the tables, so a running server's pages wait for the
/// seed to finish.
fn seed_postgres_in_bulk(
    conn: &mut DbConnection,
    contacts: u64,
    accounts: u64,
    run_tag: &str,
) -> Result<(), diesel::result::Error> {
    use diesel::connection::SimpleConnection;
    write_transaction(conn, |conn| {
        let query = diesel::sql_query(
            "SELECT 'index' AS kind, indexname AS name, indexdef AS sql FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN ('contacts', 'contacts_search') \
             AND indexname NOT IN (SELECT conname FROM pg_constraint \
                 WHERE conrelid IN ('contacts'::regclass, 'contacts_search'::regclass)) \
             UNION ALL \
             SELECT 'foreign key', conname, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid = 'contacts'::regclass AND contype = 'f' \
             ORDER BY 1, 2",
        );
        let objects: Vec<SchemaObject> = match conn {
            DbConnection::Postgresql(pg) => query.load(pg)?,
            DbConnection::Sqlite(_) => Vec::new(),
        };
        // Room to sort a million entries in memory when each index is built.
        conn.batch_execute("SET LOCAL maintenance_work_mem = '256MB'")?;
        for object in &objects {
            conn.batch_execute(&match object.kind.as_str() {
                "index" => format!("DROP INDEX \"{}\"", object.name),
                _ => format!("ALTER TABLE contacts DROP CONSTRAINT \"{}\"", object.name),
            })?;
        }
        seed_rows(conn, contacts, accounts, run_tag)?;
        for object in &objects {
            conn.batch_execute(&match object.kind.as_str() {
                "index" => object.sql.clone(),
                _ => format!(
                    "ALTER TABLE contacts ADD CONSTRAINT \"{}\" {}",
                    object.name, object.sql
                ),
            })?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    // What PostgreSQL advises after a bulk load: fresh planner statistics, and a visibility
    // map so index-only scans work, instead of autovacuum doing both while the first pages
    // are served.
    conn.batch_execute("VACUUM (ANALYZE) contacts, contacts_search, accounts")
}

fn seed_rows(
    conn: &mut DbConnection,
    contacts: u64,
    accounts: u64,
    run_tag: &str,
) -> Result<(), diesel::result::Error> {
    let timestamp = now();
    let mut account_ids = Vec::with_capacity(accounts as usize);
    for number in 0..accounts {
        let base = ACCOUNT_NAMES[number as usize % ACCOUNT_NAMES.len()];
        let name = format!("{base} {}", number + 1);
        account_ids.push(
            NewAccount {
                name: &name,
                created_at: timestamp,
                updated_at: timestamp,
            }
            .insert(conn)?,
        );
    }
    let batch_size = match conn {
        DbConnection::Sqlite(_) => SEED_BATCH,
        DbConnection::Postgresql(_) => SEED_BATCH_POSTGRES,
    };
    let mut batch = Vec::with_capacity(batch_size);
    for number in 0..contacts {
        let index = number as usize;
        let first = FIRST_NAMES[index % FIRST_NAMES.len()];
        let last = LAST_NAMES[(index / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let account = index % account_ids.len();
        let domain = email_domain_of(ACCOUNT_NAMES[account % ACCOUNT_NAMES.len()]);
        let email = format!(
            "{}.{}.{run_tag}{number}@{domain}",
            first.to_lowercase(),
            last.to_lowercase()
        );
        // Spread over three years, as a real help desk's contacts would be.
        let spread_seconds = 3 * 365 * 24 * 3600 / contacts.max(1);
        let created_at =
            timestamp - chrono::Duration::seconds(((contacts - number) * spread_seconds) as i64);
        let name = format!("{first} {last}");
        batch.push(NewContact {
            import_id: None,
            name_folded: crate::domain::folded_unless_ascii(&name),
            name,
            email_normalized: Some(email.clone()),
            email: Some(email),
            phone: Some(format!("+1 555 {:07}", number % 10_000_000)),
            account_id: Some(account_ids[account]),
            is_spam: false,
            created_at,
            updated_at: created_at,
        });
        if batch.len() == batch_size {
            NewContact::insert_many(conn, &batch)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        NewContact::insert_many(conn, &batch)?;
    }
    Ok(())
}

fn send_test_mail(settings: &Settings, to: &str) -> CliResult {
    let to = EmailAddress::parse(to)?;
    let mailer = build_mailer(settings)?;
    let delivery = mailer.send(&OutgoingMail {
        to,
        to_name: None,
        from_name: None,
        subject: "Portico test message".to_owned(),
        text: "This is a test message from Portico. Mail delivery works.".to_owned(),
        html: "<p>This is a test message from <strong>Portico</strong>. Mail delivery works.</p>"
            .to_owned(),
    })?;
    println!("Sent through {}: {}", mailer.describe(), delivery.receipt);
    Ok(())
}
