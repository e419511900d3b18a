//! A number that moves whenever the SQLite database may have changed, so that a page built
//! from one read can be kept and shown again until it moves (see `read_cache`).
//!
//! Each pooled connection remembers what it last saw: SQLite's `data_version`, which moves
//! when any other connection (of this process or another, such as `portico seed`) commits,
//! and its own `total_changes()`, which moves when it writes itself. A read transaction whose
//! connection sees both where they were has the same data as its previous read; one that
//! sees either moved bumps the process-wide generation, so everything kept from before is
//! dropped. A commit is thus noticed by the first read on each connection after it: more
//! bumps than commits, never fewer.
//!
//! Why two reads given the same generation see the same data: the generation is read before
//! the transaction's snapshot starts. A commit noticed before that was visible before it, so
//! every snapshot given that generation holds it. A commit not yet noticed is held by none of
//! them: a connection whose snapshot held it would have seen its `data_version` or
//! `total_changes` move since its previous read (and been given no generation), or would have
//! noticed it at an earlier read, before this generation was read.
//!
//! PostgreSQL offers no such signal on a connection, and several instances share one database.
//! There the generation is moved by the change feed (`db::change_feed`): every commit that
//! writes a table notifies a channel this process listens on, and this process also moves it
//! itself as soon as a write of its own has committed (before the page that made it answers).
//! A read given a generation is thus told it before its snapshot starts, as on SQLite; what it
//! may miss is a commit by another instance or program whose notification is still on its way
//! (sent at commit, under a millisecond on one host). While the feed is not listening (before
//! it first connects, and from a lost connection until it has listened again) reads there are
//! given no generation.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::sql_types::BigInt;
use diesel::{QueryResult, RunQueryDsl};

use super::literal::CodeSql;
use super::{DbConnection, PooledConnection};

/// Set in the generation while no change feed follows the database: SQLite's reads ask their
/// connection instead, and PostgreSQL's get no generation while the feed is not listening.
const UNFOLLOWED: u64 = 1 << 63;

#[derive(Debug)]
pub struct DataGeneration {
    current: AtomicU64,
}

impl Default for DataGeneration {
    fn default() -> Self {
        DataGeneration {
            current: AtomicU64::new(UNFOLLOWED),
        }
    }
}

/// What one connection saw of the database at its last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LastSeen {
    data_version: i64,
    total_changes: i64,
}

impl LastSeen {
    /// Inside a read transaction: reading `data_version` also starts its snapshot, if no
    /// statement has yet.
    fn read(conn: &mut DbConnection) -> QueryResult<LastSeen> {
        // Built, not `sql_query`, so the prepared statement is cached.
        let (data_version, total_changes) = diesel::select((
            CodeSql::<BigInt>::new("(SELECT data_version FROM pragma_data_version)"),
            CodeSql::<BigInt>::new("total_changes()"),
        ))
        .get_result(conn)?;
        Ok(LastSeen {
            data_version,
            total_changes,
        })
    }
}

/// A read transaction's data: that of generation `generation` when `Some`; `None` when the
/// data may differ from what that generation's pages were built from (a change was just
/// noticed, or the backend cannot tell), so nothing may be reused or kept.
pub type Generation = Option<u64>;

impl DataGeneration {
    pub fn current(&self) -> u64 {
        self.current.load(Ordering::Acquire)
    }

    /// Runs `work` in one read transaction on a SQLite connection, telling it which
    /// generation the transaction's data belongs to.
    pub fn read_transaction<T, E>(
        &self,
        conn: &mut PooledConnection,
        work: impl FnOnce(&mut DbConnection, Generation) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        // Read before the snapshot starts: every change noticed up to this value was
        // committed before it, so the snapshot holds it.
        let before = self.current();
        let last_seen = PooledConnection::extensions_mut(conn).remove::<LastSeen>();
        let outcome = diesel::Connection::transaction(&mut **conn, |conn| {
            let seen = LastSeen::read(conn)?;
            let generation = if last_seen == Some(seen) {
                Some(before)
            } else {
                self.changed();
                None
            };
            work(conn, generation).map(|value| (value, seen))
        });
        outcome.map(|(value, seen)| {
            PooledConnection::extensions_mut(conn).insert(seen);
            value
        })
    }

    /// The generation of the data a read starting now will see, when a change feed follows the
    /// database; `None` otherwise (SQLite, whose reads learn it in their transaction, or a
    /// PostgreSQL feed not listening).
    pub fn followed(&self) -> Generation {
        Some(self.current()).filter(|generation| generation & UNFOLLOWED == 0)
    }

    /// A change was noticed: nothing read before it may be reused.
    pub fn changed(&self) {
        self.current.fetch_add(1, Ordering::AcqRel);
    }

    /// A write of this process has committed. A change feed would report it too, but later:
    /// moving now lets the very next page show it. SQLite's reads notice it themselves.
    pub fn wrote(&self) {
        if self.followed().is_some() {
            self.changed();
        }
    }

    /// The change feed listens from now on: every later commit will be reported. Anything
    /// committed before is in every snapshot started after this.
    pub fn follow(&self) {
        self.update(|generation| (generation + 1) & !UNFOLLOWED);
    }

    /// The change feed stopped listening: commits from now on may go unreported.
    pub fn unfollow(&self) {
        self.update(|generation| (generation + 1) | UNFOLLOWED);
    }

    fn update(&self, next: impl Fn(u64) -> u64) {
        // `fetch_update` retries on a race, so the closure always returns `Some`.
        let _ = self
            .current
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |generation| {
                Some(next(generation))
            });
    }

    /// Whether what was read in `generation` is still worth keeping: once a change has been
    /// noticed, no read will ask for that generation again.
    pub fn still(&self, generation: u64) -> bool {
        self.current() == generation
    }
}
