use chrono::NaiveDateTime;

/// Where a contact stands with the Help Center, as stored on the contact row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpCenterStatus {
    NotInvited,
    Invited,
    Activated,
    InvitationFailed,
    /// The mail server took the invitation but never confirmed it.
    DeliveryUnknown,
    Deactivated,
}

impl HelpCenterStatus {
    pub const ALL: [HelpCenterStatus; 6] = [
        HelpCenterStatus::NotInvited,
        HelpCenterStatus::Invited,
        HelpCenterStatus::Activated,
        HelpCenterStatus::InvitationFailed,
        HelpCenterStatus::DeliveryUnknown,
        HelpCenterStatus::Deactivated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HelpCenterStatus::NotInvited => "not_invited",
            HelpCenterStatus::Invited => "invited",
            HelpCenterStatus::Activated => "activated",
            HelpCenterStatus::InvitationFailed => "failed",
            HelpCenterStatus::DeliveryUnknown => "delivery_unknown",
            HelpCenterStatus::Deactivated => "deactivated",
        }
    }

    pub fn parse(value: &str) -> Option<HelpCenterStatus> {
        HelpCenterStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

/// What an agent sees: an invitation past its expiry reads "Invitation expired" although the
/// row still says invited, so no background job has to flip it on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ShownStatus {
    NotInvited,
    Invited,
    Activated,
    Expired,
    Failed,
    DeliveryUnknown,
    Deactivated,
}

impl ShownStatus {
    pub const ALL: [ShownStatus; 7] = [
        ShownStatus::NotInvited,
        ShownStatus::Invited,
        ShownStatus::Activated,
        ShownStatus::Expired,
        ShownStatus::Failed,
        ShownStatus::DeliveryUnknown,
        ShownStatus::Deactivated,
    ];

    pub fn of(stored: &str, expires_at: Option<NaiveDateTime>, now: NaiveDateTime) -> ShownStatus {
        match HelpCenterStatus::parse(stored) {
            Some(HelpCenterStatus::Invited) if expires_at.is_some_and(|at| at <= now) => {
                ShownStatus::Expired
            }
            Some(HelpCenterStatus::Invited) => ShownStatus::Invited,
            Some(HelpCenterStatus::Activated) => ShownStatus::Activated,
            Some(HelpCenterStatus::InvitationFailed) => ShownStatus::Failed,
            Some(HelpCenterStatus::DeliveryUnknown) => ShownStatus::DeliveryUnknown,
            Some(HelpCenterStatus::Deactivated) => ShownStatus::Deactivated,
            Some(HelpCenterStatus::NotInvited) | None => ShownStatus::NotInvited,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ShownStatus::NotInvited => "Not invited",
            ShownStatus::Invited => "Invited",
            ShownStatus::Activated => "Activated",
            ShownStatus::Expired => "Invitation expired",
            ShownStatus::Failed => "Invitation failed",
            ShownStatus::DeliveryUnknown => "Delivery unknown",
            ShownStatus::Deactivated => "Deactivated",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            ShownStatus::NotInvited => "not-invited",
            ShownStatus::Invited => "invited",
            ShownStatus::Activated => "activated",
            ShownStatus::Expired => "expired",
            ShownStatus::Failed => "failed",
            ShownStatus::DeliveryUnknown => "delivery-unknown",
            ShownStatus::Deactivated => "deactivated",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ShownStatus> {
        ShownStatus::ALL
            .into_iter()
            .find(|status| status.slug() == slug)
    }

    /// The stored status behind this one (Expired is a stored "invited" past its time).
    pub fn stored(self) -> HelpCenterStatus {
        match self {
            ShownStatus::NotInvited => HelpCenterStatus::NotInvited,
            ShownStatus::Invited | ShownStatus::Expired => HelpCenterStatus::Invited,
            ShownStatus::Activated => HelpCenterStatus::Activated,
            ShownStatus::Failed => HelpCenterStatus::InvitationFailed,
            ShownStatus::DeliveryUnknown => HelpCenterStatus::DeliveryUnknown,
            ShownStatus::Deactivated => HelpCenterStatus::Deactivated,
        }
    }
}
