//! One portable schema for both backends: only types that SQLite and PostgreSQL share.

diesel::table! {
    agents (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        name -> Text,
        email -> Nullable<Text>,
        email_normalized -> Nullable<Text>,
        phone -> Nullable<Text>,
        account_id -> Nullable<BigInt>,
        is_spam -> Bool,
        help_center_status -> Text,
        last_invited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    portal_accounts (id) {
        id -> BigInt,
        contact_id -> BigInt,
        password_hash -> Text,
        activated_at -> Nullable<Timestamp>,
        deactivated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        contact_id -> BigInt,
        subject -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ticket_messages (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        author_agent_id -> Nullable<BigInt>,
        from_customer -> Bool,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kb_articles (id) {
        id -> BigInt,
        title -> Text,
        slug -> Text,
        category -> Text,
        body -> Text,
        published -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_agent_id -> Nullable<BigInt>,
        actor_contact_id -> Nullable<BigInt>,
        action -> Text,
        subject_type -> Text,
        subject_id -> Nullable<BigInt>,
        details -> Text,
    }
}

diesel::joinable!(contacts -> accounts (account_id));
diesel::joinable!(portal_accounts -> contacts (contact_id));
diesel::joinable!(tickets -> contacts (contact_id));
diesel::joinable!(ticket_messages -> tickets (ticket_id));

diesel::allow_tables_to_appear_in_same_query!(
    agents,
    accounts,
    contacts,
    portal_accounts,
    tickets,
    ticket_messages,
    kb_articles,
    audit_events,
);
