//! Storage: one connection type over SQLite and PostgreSQL, chosen at run time from the URL.

pub mod literal;
mod name_folds;
pub mod schema;
pub mod timestamp;

use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Keeps concurrently starting app instances from running the same migration twice.
const MIGRATION_LOCK_KEY: i64 = 0x0070_6f72_7469_636f;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("could not create the database folder {path}: {source}")]
    CreateFolder {
        path: String,
        source: std::io::Error,
    },
    #[error("could not open the database: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("could not run database migrations: {0}")]
    Migrations(String),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
}

/// How long a PostgreSQL statement waits for a lock another transaction holds before it gives
/// up (and the request answers "busy", `error::is_contention`), as SQLite's `busy_timeout`
/// bounds the wait for its write lock. Unset, a request could wait for as long as the lock is
/// held.
const LOCK_TIMEOUT: &str = "SET lock_timeout = '10s'";

/// Opens connections for the backend the URL names, so a PostgreSQL URL whose server is down
/// fails instead of being mistaken for a SQLite file name.
#[derive(Debug)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => {
                let mut conn =
                    establish_postgres(&self.url).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(LOCK_TIMEOUT)
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Postgresql(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(&self.url))
                    .map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the one writer; busy_timeout makes a second
                // writer wait instead of failing, and comes first so that switching a new
                // file to WAL waits for the pool's other opening connections too; NORMAL is
                // durable enough under WAL.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA temp_store = MEMORY;
                     PRAGMA cache_size = -32768;",
                )
                .map_err(r2d2::Error::QueryError)?;
                unicode_lower_utils::register_impl(&mut conn, |text: Option<String>| {
                    text.map(|text| text.to_lowercase())
                })
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map(|_| ())
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        match conn {
            DbConnection::Postgresql(pg) => pg.is_broken(),
            DbConnection::Sqlite(sqlite) => sqlite.is_broken(),
        }
    }
}

diesel::define_sql_function! {
    /// SQLite's own `lower()` changes only A to Z. Every SQLite connection the app opens has
    /// this one as well, so that a comparison can ignore case in every alphabet, as
    /// PostgreSQL's `lower()` does ("ÖZTÜRK" is found by "öztürk"). See `lower_function`.
    #[sql_name = "unicode_lower"]
    fn unicode_lower(
        text: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The SQL function that lowercases stored text for comparing it with `value` (lowercased by
/// the code): `lower`, except on SQLite when `value` holds letters beyond ASCII, which only
/// `unicode_lower` folds. For ASCII values SQLite's own stays: it costs a tenth as much per
/// row (the app's function is called through diesel), and no other letter lowercases into
/// plain ASCII (but for the Kelvin sign and the dotted capital I).
pub fn lower_function(backend: Backend, value: &str) -> &'static str {
    match backend {
        Backend::Sqlite if !value.is_ascii() => "unicode_lower",
        _ => "lower",
    }
}

/// A `LIKE` pattern (for `ESCAPE '\'`) finding `lowered` anywhere in the text.
pub fn contains_pattern(lowered: &str) -> String {
    format!("%{}%", escape_like(lowered))
}

/// `%`, `_` and `\` typed by someone are characters to find, not wildcards.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

pub fn connect(url: &str, max_connections: u32) -> Result<DbPool, DbSetupError> {
    let backend = Backend::of_url(url);
    if backend == Backend::Sqlite {
        if let Some(folder) = Path::new(sqlite_path(url)).parent() {
            if !folder.as_os_str().is_empty() {
                std::fs::create_dir_all(folder).map_err(|source| DbSetupError::CreateFolder {
                    path: folder.display().to_string(),
                    source,
                })?;
            }
        }
    }
    let manager = ConnectionManager {
        url: url.to_owned(),
        backend,
    };
    let pool = r2d2::Pool::builder()
        .max_size(max_connections)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(false)
        .build(manager)?;
    Ok(pool)
}

/// Opens a PostgreSQL connection. libpq would otherwise be the first to start OpenSSL and
/// register its exit-time cleanup, which frees TLS state under threads still connected when
/// the process exits (openssl/openssl#3505: a SIGSEGV at exit); openssl-sys starts it without.
pub fn establish_postgres(url: &str) -> diesel::ConnectionResult<PgConnection> {
    openssl_sys::init();
    PgConnection::establish(url)
}

pub fn backend_of(conn: &DbConnection) -> Backend {
    match conn {
        DbConnection::Postgresql(_) => Backend::Postgres,
        DbConnection::Sqlite(_) => Backend::Sqlite,
    }
}

pub fn run_migrations(conn: &mut DbConnection) -> Result<(), DbSetupError> {
    let to_setup_error = |error: Box<dyn std::error::Error + Send + Sync>| {
        DbSetupError::Migrations(error.to_string())
    };
    match conn {
        DbConnection::Sqlite(sqlite) => {
            let applied = sqlite
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(to_setup_error)?;
            if name_folds::came_with(&applied) {
                name_folds::fill_in(conn)?;
            }
        }
        DbConnection::Postgresql(pg) => {
            // Another instance may be migrating: wait for it however long it takes.
            pg.batch_execute("SET lock_timeout = 0")?;
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(pg)?;
            let applied = pg
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|applied| name_folds::came_with(&applied))
                .map_err(to_setup_error);
            // Still under the lock: an instance starting beside this one finds the folds made.
            let outcome = match applied {
                Ok(true) => name_folds::fill_in(conn).map_err(DbSetupError::from),
                Ok(false) => Ok(()),
                Err(error) => Err(error),
            };
            let DbConnection::Postgresql(pg) = conn else {
                unreachable!("matched as PostgreSQL above")
            };
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .execute(pg)?;
            pg.batch_execute(LOCK_TIMEOUT)?;
            outcome?;
        }
    }
    Ok(())
}

/// Runs `work` in a transaction that takes SQLite's write lock up front (`BEGIN IMMEDIATE`),
/// so two writers queue on busy_timeout instead of one failing with SQLITE_BUSY mid-way.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgresql(pg) => AnsiTransactionManager::begin_transaction(pg)?,
    }
    match work(conn) {
        Ok(value) => {
            match conn {
                DbConnection::Sqlite(sqlite) => AnsiTransactionManager::commit_transaction(sqlite)?,
                DbConnection::Postgresql(pg) => AnsiTransactionManager::commit_transaction(pg)?,
            }
            Ok(value)
        }
        Err(error) => {
            // The work's error is what the caller needs; a failed rollback marks the
            // connection broken and the pool discards it.
            let _ = match conn {
                DbConnection::Sqlite(sqlite) => {
                    AnsiTransactionManager::rollback_transaction(sqlite)
                }
                DbConnection::Postgresql(pg) => AnsiTransactionManager::rollback_transaction(pg),
            };
            Err(error)
        }
    }
}

/// Runs a page's reads in one read transaction on SQLite: one snapshot (its counts and rows
/// agree) and one lock taken instead of one per statement. On PostgreSQL, whose read-committed
/// transaction would not hold one snapshot either, they run as they are, sparing two round trips.
pub fn reads<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(_) => conn.transaction(work),
        DbConnection::Postgresql(_) => work(conn),
    }
}

/// Rows or ids per multi-row statement. With up to nine bound values a row this stays well
/// under both backends' limits on bound parameters (SQLite 32,766, PostgreSQL 65,535), and a
/// batch of a thousand is one round trip on PostgreSQL instead of a thousand.
pub const ROWS_PER_STATEMENT: usize = 1_000;

pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
