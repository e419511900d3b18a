//! Reading SQLite's text timestamps without chrono's format parser.
//!
//! diesel reads a SQLite timestamp by trying chrono format strings one after another, and
//! chrono parses the format string itself on every call: a tenth of the contacts list's CPU
//! went to the hundred-odd timestamps on a page. Timestamps written by diesel (and by SQLite's
//! own `datetime()`) all have one shape, `YYYY-MM-DD HH:MM:SS[.fraction]`, read here directly;
//! anything else falls back to diesel. PostgreSQL's binary timestamps go straight to diesel.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Nullable, Timestamp};
use diesel::sqlite::{Sqlite, SqliteValue};

use super::multi_connection_impl::MultiRawValue;
use super::MultiBackend;

/// A `Timestamp` column read as `NaiveDateTime`; use with `#[diesel(deserialize_as = ...)]`.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct StoredTime(NaiveDateTime);

/// A nullable `Timestamp` column read as `Option<NaiveDateTime>`.
#[derive(Debug, Clone, Copy, FromSqlRow)]
pub struct OptionalStoredTime(Option<NaiveDateTime>);

impl From<StoredTime> for NaiveDateTime {
    fn from(time: StoredTime) -> NaiveDateTime {
        time.0
    }
}

impl From<OptionalStoredTime> for Option<NaiveDateTime> {
    fn from(time: OptionalStoredTime) -> Option<NaiveDateTime> {
        time.0
    }
}

impl FromSql<Timestamp, Sqlite> for StoredTime {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        if let Some(time) = parse_canonical(value.read_text()) {
            return Ok(StoredTime(time));
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(StoredTime)
    }
}

impl FromSql<Timestamp, Pg> for StoredTime {
    fn from_sql(
        value: <Pg as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(StoredTime)
    }
}

impl FromSql<Timestamp, MultiBackend> for StoredTime {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<StoredTime, Timestamp>()
    }
}

impl FromSql<Nullable<Timestamp>, MultiBackend> for OptionalStoredTime {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        <StoredTime as FromSql<Timestamp, MultiBackend>>::from_sql(value)
            .map(|time| OptionalStoredTime(Some(time.0)))
    }

    fn from_nullable_sql(value: Option<MultiRawValue<'_>>) -> deserialize::Result<Self> {
        match value {
            Some(value) => Self::from_sql(value),
            None => Ok(OptionalStoredTime(None)),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS`, optionally followed by `.` and one to nine digits of fraction.
fn parse_canonical(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    if bytes.len() < 19
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || bytes[10] != b' '
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |total, byte| {
            byte.is_ascii_digit()
                .then(|| total * 10 + u32::from(byte - b'0'))
        })
    };
    let nanoseconds = match &bytes[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let fraction = number(20..bytes.len())?;
            fraction * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?.and_hms_nano_opt(
        number(11..13)?,
        number(14..16)?,
        number(17..19)?,
        nanoseconds,
    )
}

#[cfg(test)]
mod tests {
    use super::parse_canonical;

    fn chrono_reads(text: &str, format: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(text, format).expect("a valid timestamp")
    }

    #[test]
    fn reads_what_diesel_and_sqlite_write() {
        for text in [
            "2026-11-25 13:45:07",
            "2026-11-25 13:45:07.5",
            "2026-11-25 13:45:07.123456",
            "2026-02-28 00:00:00.000000001",
        ] {
            assert_eq!(
                parse_canonical(text),
                Some(chrono_reads(text, "%F %T%.f")),
                "{text}"
            );
        }
    }

    #[test]
    fn leaves_other_shapes_to_diesel() {
        for text in [
            "2026-11-25T13:45:07",
            "2026-11-25 13:45",
            "2026-11-25 13:45:07Z",
            "2026-11-25 13:45:07.",
            "2026-11-25 13:45:07.1234567890",
            "2026-13-25 13:45:07",
            "2026-11-25 24:00:00",
            "2460999.5",
        ] {
            assert_eq!(parse_canonical(text), None, "{text}");
        }
    }
}
