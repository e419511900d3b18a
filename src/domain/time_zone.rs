//! A time zone as people pick it, by its IANA name (Asia/Tokyo), and times shown in it.

use chrono::{Datelike, NaiveDateTime, TimeZone as _, Timelike};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

/// A moment as code holds it: a UTC time, or a reference to one (as templates pass them).
pub trait Moment {
    fn utc(&self) -> NaiveDateTime;
}

impl Moment for NaiveDateTime {
    fn utc(&self) -> NaiveDateTime {
        *self
    }
}

impl<T: Moment + ?Sized> Moment for &T {
    fn utc(&self) -> NaiveDateTime {
        (**self).utc()
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone::UTC
    }
}

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(Tz::UTC);

    /// The zone an IANA name names, if any.
    pub fn parse(name: &str) -> Option<TimeZone> {
        name.trim().parse::<Tz>().ok().map(TimeZone)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Every zone, by name, for the profile's choice.
    pub fn all() -> impl Iterator<Item = TimeZone> {
        chrono_tz::TZ_VARIANTS.iter().copied().map(TimeZone)
    }

    fn local(self, at: NaiveDateTime) -> chrono::DateTime<Tz> {
        self.0.from_utc_datetime(&at)
    }

    /// The day it is here at the UTC time `at`.
    pub fn day_of(self, at: NaiveDateTime) -> chrono::NaiveDate {
        self.local(at).date_naive()
    }

    /// When `day` begins here, as a UTC time: its first minute that exists (a zone that moves
    /// its clocks at midnight skips it).
    pub fn start_of_day(self, day: chrono::NaiveDate) -> NaiveDateTime {
        (0..=2)
            .find_map(|hour| {
                self.0
                    .from_local_datetime(&day.and_hms_opt(hour, 0, 0)?)
                    .earliest()
            })
            .map(|start| start.naive_utc())
            .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN))
    }

    /// "2026-12-08": written directly, since a list page shows a hundred dates and chrono's
    /// `format` parses its pattern on every call.
    pub fn day(self, at: impl Moment) -> String {
        let at = at.utc();
        let local = self.local(at);
        format!(
            "{:04}-{:02}-{:02}",
            local.year(),
            local.month(),
            local.day()
        )
    }

    /// "2026-12-08 08:30 JST".
    pub fn minute(self, at: impl Moment) -> String {
        let at = at.utc();
        let local = self.local(at);
        format!(
            "{} {:02}:{:02} {}",
            self.day(at),
            local.hour(),
            local.minute(),
            local.format("%Z")
        )
    }

    /// "2026-12-08 08:30:15 JST".
    pub fn second(self, at: impl Moment) -> String {
        let at = at.utc();
        self.local(at).format("%Y-%m-%d %H:%M:%S %Z").to_string()
    }

    /// "3 days ago": how long ago `at` was (the same in every zone).
    pub fn ago(self, at: impl Moment) -> String {
        let at = at.utc();
        relative(at, chrono::Utc::now().naive_utc())
    }

    /// "2026-12-07T23:30:00Z", for a `<time datetime>`: the instant, whatever the zone.
    pub fn iso(self, at: impl Moment) -> String {
        let at = at.utc();
        at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// "just now", "5 minutes ago", "3 days ago", "in 2 hours": how long ago `at` was at `now`.
pub fn relative(at: NaiveDateTime, now: NaiveDateTime) -> String {
    let seconds = (now - at).num_seconds();
    let (amount, future) = (seconds.unsigned_abs(), seconds < 0);
    let (count, unit) = match amount {
        0..60 => return "just now".to_owned(),
        60..3_600 => (amount / 60, "minute"),
        3_600..86_400 => (amount / 3_600, "hour"),
        86_400..2_592_000 => (amount / 86_400, "day"),
        2_592_000..31_536_000 => (amount / 2_592_000, "month"),
        _ => (amount / 31_536_000, "year"),
    };
    let plural = if count == 1 { "" } else { "s" };
    if future {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn late_evening_utc_is_the_next_morning_in_tokyo() {
        let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
        assert_eq!(tokyo.day(at("2026-12-07 23:30:00")), "2026-12-08");
        assert_eq!(
            tokyo.minute(at("2026-12-07 23:30:00")),
            "2026-12-08 08:30 JST"
        );
        assert_eq!(
            TimeZone::UTC.minute(at("2026-12-07 23:30:00")),
            "2026-12-07 23:30 UTC"
        );
        assert_eq!(tokyo.iso(at("2026-12-07 23:30:00")), "2026-12-07T23:30:00Z");
        assert_eq!(TimeZone::parse("Mars/Olympus"), None);
    }

    #[test]
    fn relative_times_read_as_people_say_them() {
        let now = at("2026-12-07 12:00:00");
        assert_eq!(relative(at("2026-12-07 11:59:30"), now), "just now");
        assert_eq!(relative(at("2026-12-07 11:00:00"), now), "1 hour ago");
        assert_eq!(relative(at("2026-12-04 12:00:00"), now), "3 days ago");
        assert_eq!(relative(at("2026-12-09 12:00:00"), now), "in 2 days");
    }
}
