//! The orders the contacts list can be sorted in.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Email,
    Created,
    LastInvited,
    Status,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Sort::Name,
        Sort::Email,
        Sort::Created,
        Sort::LastInvited,
        Sort::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Email => "email",
            Sort::Created => "created",
            Sort::LastInvited => "last_invited",
            Sort::Status => "status",
        }
    }

    pub fn parse(value: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|sort| sort.as_str() == value)
    }

    /// Nullable sort columns list their NULLs after every value, in both directions.
    pub(super) fn nullable(self) -> bool {
        matches!(self, Sort::Email | Sort::LastInvited)
    }
}
