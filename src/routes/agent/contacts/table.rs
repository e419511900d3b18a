//! The contacts table with its mass-action bar: one component for the Contacts list and an
//! account's page.

use chrono::NaiveDateTime;

use super::params::{ListParams, ViewChoice, PAGE_SIZES};
use crate::contacts::columns::Extras;
use crate::contacts::conditions::Field;
use crate::contacts::views::StandardView;
use crate::contacts::{ListedRow, Page, Sort, ViewTotal, COUNT_CAP, RESTORE_DAYS};
use crate::domain::{ShownStatus, TimeZone};

pub struct TableRow {
    pub id: i64,
    pub name: String,
    /// One for each of the table's columns after the name.
    pub cells: Vec<TableCell>,
}

/// A cell after the name: its column's class and label (the label heads it on a phone).
pub struct TableCell {
    pub class: &'static str,
    pub label: &'static str,
    pub content: Cell,
}

pub enum Cell {
    Email(Option<String>),
    /// The account's id and name.
    Account(Option<(i64, String)>),
    Text(Option<String>),
    Status(ShownStatus),
    Time(Option<ListedTime>),
    /// Recently deleted's "2026-11-25 · 12 days left".
    Deleted(String),
    Number(i64),
}

/// A time in the list: how long ago, with the exact minute in the agent's zone as its title.
pub struct ListedTime {
    pub iso: String,
    pub exact: String,
    pub ago: String,
}

impl ListedTime {
    fn of(at: NaiveDateTime, zone: TimeZone) -> ListedTime {
        ListedTime {
            iso: zone.iso(at),
            exact: zone.minute(at),
            ago: zone.ago(at),
        }
    }
}

pub struct SortHeader {
    pub label: &'static str,
    pub href: String,
    /// "sort-asc", "sort-desc" or "" for the column the list is sorted by.
    pub class: &'static str,
}

pub struct PageSizeLink {
    pub size: i64,
    pub href: String,
    pub current: bool,
}

pub struct ContactTable {
    pub rows: Vec<TableRow>,
    pub total_label: String,
    pub total: i64,
    /// The position of the first row shown, when known, and how many rows are shown.
    pub shown_from: Option<i64>,
    pub shown: i64,
    /// The name's header, then one for each column after it.
    pub headers: Vec<SortHeader>,
    pub first_href: Option<String>,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
    pub last_href: Option<String>,
    pub page_sizes: Vec<PageSizeLink>,
    /// Hidden fields that make "all N in this view" mean this view.
    pub selection: Vec<(&'static str, String)>,
    pub return_to: String,
    pub in_spam: bool,
    pub in_deleted: bool,
    /// "Invite to Help Center" is offered only where it can invite someone.
    pub offers_invite: bool,
    /// Pending and expired invitations get a new link instead.
    pub offers_resend: bool,
    pub in_activated: bool,
    pub in_deactivated: bool,
    /// What the agent had in the action bar when it refused their request.
    pub kept: KeptBar,
}

/// The action bar as the agent left it, shown again beside the error that stopped it.
#[derive(Debug, Default)]
pub struct KeptBar {
    pub error: Option<String>,
    pub ticked: Vec<i64>,
    pub account_name: String,
}

impl ContactTable {
    /// "1 contact", "193 contacts", "51–100 of 193 contacts", "10,000+ contacts".
    pub fn total_phrase(&self) -> String {
        let total = match self.total_label.as_str() {
            "1" => "1 contact".to_owned(),
            label => format!("{label} contacts"),
        };
        match self.shown_from {
            Some(from)
                if self.shown < self.total || !self.total_label.ends_with(char::is_numeric) =>
            {
                let to = from + self.shown - 1;
                format!("{}–{} of {total}", format_count(from), format_count(to))
            }
            _ => total,
        }
    }

    pub fn is_ticked(&self, id: &i64) -> bool {
        self.kept.ticked.contains(id)
    }
}

pub fn format_count(count: i64) -> String {
    let digits = count.abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if count < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

pub fn total_label(total: ViewTotal) -> String {
    if total.is_exact() {
        format_count(total.count())
    } else {
        format!("{}+", format_count(COUNT_CAP))
    }
}

/// "2026-11-25 · 12 days left": when a deleted contact was deleted, and how long it can
/// still be restored.
fn deleted_on(deleted_at: NaiveDateTime, now: NaiveDateTime, zone: TimeZone) -> String {
    let remaining = (deleted_at + chrono::Duration::days(RESTORE_DAYS) - now).num_seconds();
    let left = (remaining.max(0) + 86_399) / 86_400;
    let days = match left {
        0 => "removed today".to_owned(),
        1 => "1 day left".to_owned(),
        left => format!("{left} days left"),
    };
    format!("{} · {days}", zone.day(deleted_at))
}

impl ContactTable {
    pub fn build(
        base: &str,
        params: &ListParams,
        page: Page,
        total: ViewTotal,
        now: NaiveDateTime,
        zone: TimeZone,
        shown: &Shown,
    ) -> ContactTable {
        let (columns, extras) = (&shown.columns, &shown.extras);
        let in_deleted = params.view == ViewChoice::Standard(StandardView::RecentlyDeleted);
        let header = |label: &'static str, sort: Option<Sort>| SortHeader {
            label,
            href: sort.map_or_else(String::new, |sort| params.sort_href(base, sort)),
            class: match (sort == Some(params.sort), params.descending) {
                (true, false) => "sort-asc",
                (true, true) => "sort-desc",
                (false, _) => "",
            },
        };
        let headers = std::iter::once(header("Name", Some(Sort::Name)))
            .chain(columns.iter().map(|field| {
                let (label, sort) = column_head(*field, in_deleted);
                header(label, sort)
            }))
            .collect();
        let on_first_page = params.cursor.is_none() && !params.backward;
        let on_last_page = page.next.is_none();
        let shown = page.rows.len() as i64;
        let exact_total = total.is_exact().then(|| total.count());
        // The last page is the view's last rows, a full page of them.
        let last_from = exact_total.map(|total| (total - params.page_size + 1).max(1));
        let first_row = if on_first_page {
            Some(1)
        } else if params.backward && params.cursor.is_none() {
            last_from
        } else {
            params.from
        };
        let view = params.view;
        ContactTable {
            rows: page
                .rows
                .into_iter()
                .map(|row| {
                    let cells = columns
                        .iter()
                        .map(|field| cell(*field, &row, extras, in_deleted, now, zone))
                        .collect();
                    TableRow {
                        id: row.contact.id,
                        name: row.contact.name,
                        cells,
                    }
                })
                .collect(),
            total_label: total_label(total),
            total: total.count(),
            headers,
            first_href: (!on_first_page).then(|| params.first_page_href(base)),
            previous_href: page.previous.as_ref().map(|cursor| {
                let from = first_row.map(|first| (first - params.page_size).max(1));
                params.before_href(base, cursor, from)
            }),
            next_href: page.next.as_ref().map(|cursor| {
                params.after_href(base, cursor, first_row.map(|first| first + shown))
            }),
            last_href: (!on_last_page).then(|| params.last_page_href(base, last_from)),
            shown_from: first_row.filter(|_| shown > 0),
            shown,
            page_sizes: PAGE_SIZES
                .into_iter()
                .map(|size| PageSizeLink {
                    size,
                    href: params.page_size_href(base, size),
                    current: size == params.page_size,
                })
                .collect(),
            selection: params.selection_pairs(),
            return_to: params.first_page_href(base),
            in_spam: view == ViewChoice::Standard(StandardView::Spam),
            in_deleted: view == ViewChoice::Standard(StandardView::RecentlyDeleted),
            offers_invite: !matches!(
                view,
                ViewChoice::Standard(
                    StandardView::Spam
                        | StandardView::RecentlyDeleted
                        | StandardView::WithoutEmail
                        | StandardView::Status(
                            ShownStatus::Activated
                                | ShownStatus::Invited
                                | ShownStatus::Expired
                                | ShownStatus::DeliveryUnknown
                                | ShownStatus::Deactivated
                        )
                )
            ),
            offers_resend: matches!(
                view,
                ViewChoice::Standard(StandardView::Status(
                    ShownStatus::Invited | ShownStatus::Expired
                ))
            ),
            in_activated: view
                == ViewChoice::Standard(StandardView::Status(ShownStatus::Activated)),
            in_deactivated: view
                == ViewChoice::Standard(StandardView::Status(ShownStatus::Deactivated)),
            kept: KeptBar::default(),
        }
    }
}

/// The columns a table shows after the name, and what its rows need for them.
pub struct Shown {
    pub columns: Vec<Field>,
    pub extras: Extras,
}

/// A column's header, and the sort it offers: the sorts the list's indexes serve.
fn column_head(field: Field, in_deleted: bool) -> (&'static str, Option<Sort>) {
    match field {
        Field::Email => ("Email", Some(Sort::Email)),
        Field::Status => ("Help Center", Some(Sort::Status)),
        // Recently deleted says when each contact goes for good instead.
        Field::LastInvited if in_deleted => ("Deleted", None),
        Field::LastInvited => ("Last invited", Some(Sort::LastInvited)),
        Field::Created => ("Created", Some(Sort::Created)),
        other => (other.label(), None),
    }
}

fn cell(
    field: Field,
    row: &ListedRow,
    extras: &Extras,
    in_deleted: bool,
    now: NaiveDateTime,
    zone: TimeZone,
) -> TableCell {
    let contact = &row.contact;
    let time = |at: Option<NaiveDateTime>| Cell::Time(at.map(|at| ListedTime::of(at, zone)));
    let (class, content) = match field {
        Field::Email => ("email", Cell::Email(contact.email.clone())),
        Field::Account => (
            "account",
            Cell::Account(contact.account_id.zip(row.account_name.clone())),
        ),
        Field::Phone => ("phone", Cell::Text(contact.phone.clone())),
        Field::Status => ("status", Cell::Status(contact.shown_status(now))),
        Field::LastInvited => match (in_deleted, contact.deleted_at) {
            (true, Some(deleted_at)) => ("date", Cell::Deleted(deleted_on(deleted_at, now, zone))),
            _ => ("date", time(contact.last_invited_at)),
        },
        Field::Created => ("date", time(Some(contact.created_at))),
        Field::Updated => ("date", time(Some(contact.updated_at))),
        Field::InvitationExpires => ("date", time(contact.invitation_expires_at)),
        Field::Activated => ("date", time(extras.activated.get(&contact.id).copied())),
        Field::LastTicket => ("date", time(extras.last_ticket.get(&contact.id).copied())),
        Field::OpenTickets => (
            "number",
            Cell::Number(extras.open_tickets.get(&contact.id).copied().unwrap_or(0)),
        ),
        Field::Import => (
            "text",
            Cell::Text(
                contact
                    .import_id
                    .and_then(|id| extras.import_names.get(&id).cloned()),
            ),
        ),
        Field::Spam => (
            "text",
            Cell::Text(Some(if contact.is_spam { "Yes" } else { "No" }.to_owned())),
        ),
        Field::EmailDomain => (
            "text",
            Cell::Text(
                contact
                    .email
                    .as_deref()
                    .and_then(|email| email.rsplit_once('@'))
                    .map(|(_, domain)| domain.to_owned()),
            ),
        ),
        Field::Name => ("text", Cell::Text(Some(contact.name.clone()))),
    };
    TableCell {
        class,
        label: column_head(field, in_deleted).0,
        content,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(1234567), "1,234,567");
        assert_eq!(
            total_label(ViewTotal::counted_up_to_cap(COUNT_CAP + 1)),
            "1,000+"
        );
        assert_eq!(
            total_label(ViewTotal::counted_up_to_cap(COUNT_CAP)),
            "1,000"
        );
        assert_eq!(total_label(ViewTotal::exact(1_000_000)), "1,000,000");
    }

    #[test]
    fn calendar_days_are_zero_padded() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 7)
            .and_then(|day| day.and_hms_opt(23, 59, 59))
            .expect("a valid date");
        assert_eq!(TimeZone::UTC.day(at), "2026-03-07");
    }
}
