//! The standard views of the Customers tab, in sidebar order.

use chrono::NaiveDateTime;

use crate::contacts::{counts_recent_start, Criteria, Scope, ViewCounts};
use crate::domain::ShownStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandardView {
    All,
    Status(ShownStatus),
    Spam,
    PossibleDuplicates,
    Recent,
    WithoutEmail,
    RecentlyDeleted,
}

impl StandardView {
    pub fn sidebar() -> Vec<StandardView> {
        let mut views = vec![StandardView::All];
        views.extend(ShownStatus::ALL.into_iter().map(StandardView::Status));
        views.extend([
            StandardView::Spam,
            StandardView::PossibleDuplicates,
            StandardView::Recent,
            StandardView::WithoutEmail,
            StandardView::RecentlyDeleted,
        ]);
        views
    }

    pub fn slug(self) -> &'static str {
        match self {
            StandardView::All => "all",
            StandardView::Status(status) => status.slug(),
            StandardView::Spam => "spam",
            StandardView::PossibleDuplicates => "duplicates",
            StandardView::Recent => "recent",
            StandardView::WithoutEmail => "without-email",
            StandardView::RecentlyDeleted => "deleted",
        }
    }

    pub fn from_slug(slug: &str) -> Option<StandardView> {
        StandardView::sidebar()
            .into_iter()
            .find(|view| view.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            StandardView::All => "All contacts",
            StandardView::Status(ShownStatus::Invited) => "Invited (pending)",
            StandardView::Status(status) => status.label(),
            StandardView::Spam => "Spam",
            StandardView::PossibleDuplicates => "Possible duplicates",
            StandardView::Recent => "Added in the last 30 days",
            StandardView::WithoutEmail => "Without email",
            StandardView::RecentlyDeleted => "Recently deleted",
        }
    }

    pub fn criteria(self, now: NaiveDateTime) -> Criteria {
        match self {
            StandardView::All => Criteria::default(),
            StandardView::Status(status) => Criteria {
                status: Some(status),
                ..Criteria::default()
            },
            StandardView::Spam => Criteria {
                scope: Scope::Spam,
                ..Criteria::default()
            },
            StandardView::PossibleDuplicates => Criteria {
                scope: Scope::PossibleDuplicates,
                ..Criteria::default()
            },
            StandardView::Recent => Criteria {
                created_from: Some(counts_recent_start(now)),
                ..Criteria::default()
            },
            StandardView::WithoutEmail => Criteria {
                without_email: true,
                ..Criteria::default()
            },
            StandardView::RecentlyDeleted => Criteria {
                scope: Scope::RecentlyDeleted,
                ..Criteria::default()
            },
        }
    }

    pub fn count(self, counts: &ViewCounts) -> i64 {
        match self {
            StandardView::All => counts.all,
            StandardView::Status(status) => counts.status(status),
            StandardView::Spam => counts.spam,
            StandardView::PossibleDuplicates => counts.possible_duplicates,
            StandardView::Recent => counts.recent,
            StandardView::WithoutEmail => counts.without_email,
            StandardView::RecentlyDeleted => counts.recently_deleted,
        }
    }
}
