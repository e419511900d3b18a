//! The fields a condition looks at, their kinds, and the operators that fit each kind.

/// What a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Email,
    EmailDomain,
    Phone,
    Account,
    Status,
    Created,
    Updated,
    LastInvited,
    InvitationExpires,
    Activated,
    OpenTickets,
    LastTicket,
    Import,
    Spam,
}

/// The kinds of value a field holds, each with its operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// An account or an import, chosen by name.
    Reference,
    Status,
    Date,
    Count,
    /// Yes or no.
    Flag,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::Name,
        Field::Email,
        Field::EmailDomain,
        Field::Phone,
        Field::Account,
        Field::Status,
        Field::Created,
        Field::Updated,
        Field::LastInvited,
        Field::InvitationExpires,
        Field::Activated,
        Field::OpenTickets,
        Field::LastTicket,
        Field::Import,
        Field::Spam,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::EmailDomain => "email_domain",
            Field::Phone => "phone",
            Field::Account => "account",
            Field::Status => "status",
            Field::Created => "created",
            Field::Updated => "updated",
            Field::LastInvited => "last_invited",
            Field::InvitationExpires => "invitation_expires",
            Field::Activated => "activated",
            Field::OpenTickets => "open_tickets",
            Field::LastTicket => "last_ticket",
            Field::Import => "import",
            Field::Spam => "spam",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Email => "Email",
            Field::EmailDomain => "Email domain",
            Field::Phone => "Phone",
            Field::Account => "Account",
            Field::Status => "Help Center status",
            Field::Created => "Created",
            Field::Updated => "Updated",
            Field::LastInvited => "Last invited",
            Field::InvitationExpires => "Invitation expires",
            Field::Activated => "Activated",
            Field::OpenTickets => "Open tickets",
            Field::LastTicket => "Last ticket",
            Field::Import => "Imported in",
            Field::Spam => "Spam",
        }
    }

    pub fn parse(slug: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.slug() == slug)
    }

    pub fn kind(self) -> Kind {
        match self {
            Field::Name | Field::Email | Field::EmailDomain | Field::Phone => Kind::Text,
            Field::Account | Field::Import => Kind::Reference,
            Field::Status => Kind::Status,
            Field::Created
            | Field::Updated
            | Field::LastInvited
            | Field::InvitationExpires
            | Field::Activated
            | Field::LastTicket => Kind::Date,
            Field::OpenTickets => Kind::Count,
            Field::Spam => Kind::Flag,
        }
    }
}

/// How a condition compares the field with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Is,
    IsNot,
    Contains,
    DoesNotContain,
    StartsWith,
    IsEmpty,
    IsNotEmpty,
    Before,
    After,
    InTheLast,
    MoreThanAgo,
    Between,
    Equals,
    NotEquals,
    LessThan,
    GreaterThan,
}

impl Operator {
    pub const ALL: [Operator; 16] = [
        Operator::Is,
        Operator::IsNot,
        Operator::Contains,
        Operator::DoesNotContain,
        Operator::StartsWith,
        Operator::IsEmpty,
        Operator::IsNotEmpty,
        Operator::Before,
        Operator::After,
        Operator::InTheLast,
        Operator::MoreThanAgo,
        Operator::Between,
        Operator::Equals,
        Operator::NotEquals,
        Operator::LessThan,
        Operator::GreaterThan,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Operator::Is => "is",
            Operator::IsNot => "is_not",
            Operator::Contains => "contains",
            Operator::DoesNotContain => "does_not_contain",
            Operator::StartsWith => "starts_with",
            Operator::IsEmpty => "is_empty",
            Operator::IsNotEmpty => "is_not_empty",
            Operator::Before => "before",
            Operator::After => "after",
            Operator::InTheLast => "in_the_last",
            Operator::MoreThanAgo => "more_than_ago",
            Operator::Between => "between",
            Operator::Equals => "equals",
            Operator::NotEquals => "not_equals",
            Operator::LessThan => "less_than",
            Operator::GreaterThan => "greater_than",
        }
    }

    /// As the form's list offers it.
    pub fn label(self) -> &'static str {
        match self {
            Operator::Is => "is",
            Operator::IsNot => "is not",
            Operator::Contains => "contains",
            Operator::DoesNotContain => "does not contain",
            Operator::StartsWith => "starts with",
            Operator::IsEmpty => "is empty",
            Operator::IsNotEmpty => "is not empty",
            Operator::Before => "before (date)",
            Operator::After => "after (date)",
            Operator::InTheLast => "in the last (days)",
            Operator::MoreThanAgo => "more than (days) ago",
            Operator::Between => "between (dates)",
            Operator::Equals => "=",
            Operator::NotEquals => "≠",
            Operator::LessThan => "<",
            Operator::GreaterThan => ">",
        }
    }

    pub fn parse(slug: &str) -> Option<Operator> {
        Operator::ALL
            .into_iter()
            .find(|operator| operator.slug() == slug)
    }

    pub fn fits(self, kind: Kind) -> bool {
        use Operator::*;
        match kind {
            Kind::Text => matches!(
                self,
                Is | IsNot | Contains | DoesNotContain | StartsWith | IsEmpty | IsNotEmpty
            ),
            Kind::Reference => matches!(self, Is | IsNot | IsEmpty | IsNotEmpty),
            Kind::Status | Kind::Flag => matches!(self, Is | IsNot),
            Kind::Date => matches!(
                self,
                Before | After | InTheLast | MoreThanAgo | Between | IsEmpty | IsNotEmpty
            ),
            Kind::Count => matches!(self, Equals | NotEquals | LessThan | GreaterThan),
        }
    }

    pub(super) fn takes_no_value(self) -> bool {
        matches!(self, Operator::IsEmpty | Operator::IsNotEmpty)
    }
}
