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
        password_changed_at -> Nullable<Timestamp>,
        time_zone -> Nullable<Text>,
        notify_new_tickets -> Bool,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_folded -> Nullable<Text>,
        /// Generated: how names sort (folded, else lowercased).
        name_sort -> Text,
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
        invitation_expires_at -> Nullable<Timestamp>,
        possible_duplicate -> Bool,
        import_id -> Nullable<BigInt>,
        name_folded -> Nullable<Text>,
        /// Generated: how names sort (folded, else lowercased).
        name_sort -> Text,
    }
}

diesel::table! {
    contact_imports (id) {
        id -> BigInt,
        agent_id -> Nullable<BigInt>,
        file_name -> Text,
        imported -> BigInt,
        rejected -> BigInt,
        rejected_csv -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contact_view_counts (help_center_status, is_spam, is_deleted, has_email, possible_duplicate) {
        help_center_status -> Text,
        is_spam -> Bool,
        is_deleted -> Bool,
        has_email -> Bool,
        possible_duplicate -> Bool,
        contacts -> BigInt,
    }
}

diesel::table! {
    contact_daily_counts (day) {
        day -> Text,
        contacts -> BigInt,
    }
}

diesel::table! {
    contact_views (id) {
        id -> BigInt,
        agent_id -> BigInt,
        name -> Text,
        shared -> Bool,
        /// JSON: `contacts::conditions::Condition`s.
        conditions -> Text,
        match_any -> Bool,
        sort -> Text,
        descending -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// JSON: the fields shown as columns after the name; NULL for the usual ones.
        shown_columns -> Nullable<Text>,
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
        password_changed_at -> Nullable<Timestamp>,
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
        internal -> Bool,
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

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    bulk_invite_jobs (id) {
        id -> BigInt,
        agent_id -> Nullable<BigInt>,
        description -> Text,
        criteria -> Text,
        max_contact_id -> BigInt,
        total -> BigInt,
        cursor_contact_id -> BigInt,
        invited -> BigInt,
        skipped -> BigInt,
        failed -> BigInt,
        state -> Text,
        claimed_until -> Nullable<Timestamp>,
        claim_token -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        action -> Text,
        account_id -> Nullable<BigInt>,
        unknown -> BigInt,
        announced_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    bulk_job_rows (job_id, contact_id) {
        job_id -> BigInt,
        contact_id -> BigInt,
        outcome -> Text,
        reason -> Text,
    }
}

diesel::table! {
    invite_batches (id) {
        id -> BigInt,
        agent_id -> Nullable<BigInt>,
        submission_key -> Text,
        invited -> BigInt,
        skipped -> BigInt,
        failed -> BigInt,
        created_at -> Timestamp,
        unknown -> BigInt,
        contact_ids -> Text,
        resend -> Bool,
        claimed_until -> Nullable<Timestamp>,
        claim_token -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        contact_id -> BigInt,
        token_digest -> Text,
        created_by_agent_id -> Nullable<BigInt>,
        batch_id -> Nullable<BigInt>,
        bulk_job_id -> Nullable<BigInt>,
        state -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        attempts -> BigInt,
        last_error -> Nullable<Text>,
        smtp_message_id -> Nullable<Text>,
        unconfirmed_at -> Nullable<Timestamp>,
        link_seed -> Nullable<Text>,
        reminded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    delivery_attempts (id) {
        id -> BigInt,
        invitation_id -> BigInt,
        attempted_at -> Timestamp,
        outcome -> Text,
        smtp_code -> Nullable<BigInt>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    invite_batch_rows (id) {
        id -> BigInt,
        batch_id -> BigInt,
        contact_id -> BigInt,
        outcome -> Text,
        reason -> Text,
    }
}

diesel::table! {
    import_uploads (id) {
        id -> BigInt,
        agent_id -> BigInt,
        file_name -> Text,
        contents -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agent_password_resets (id) {
        id -> BigInt,
        agent_id -> BigInt,
        token_digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contact_merges (contact_id) {
        contact_id -> BigInt,
        merged_into_id -> BigInt,
        merged_at -> Timestamp,
    }
}

diesel::table! {
    customer_tokens (id) {
        id -> BigInt,
        purpose -> Text,
        token_digest -> Text,
        contact_id -> Nullable<BigInt>,
        email -> Text,
        name -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> BigInt,
        audience -> Text,
        email -> Text,
        failed_at -> Timestamp,
        client -> Text,
    }
}

diesel::table! {
    email_requests (id) {
        id -> BigInt,
        address -> Text,
        client -> Text,
        requested_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_digest -> Text,
        agent_id -> Nullable<BigInt>,
        contact_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        client_address -> Text,
        user_agent -> Text,
    }
}

diesel::table! {
    ticket_emails (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        event -> Text,
        recipient -> Text,
        outcome -> Text,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    help_center_logo (id) {
        id -> BigInt,
        content_type -> Text,
        image -> Binary,
        version -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::joinable!(contacts -> accounts (account_id));
diesel::joinable!(agent_password_resets -> agents (agent_id));
diesel::joinable!(portal_accounts -> contacts (contact_id));
diesel::joinable!(tickets -> contacts (contact_id));
diesel::joinable!(ticket_messages -> tickets (ticket_id));
diesel::joinable!(ticket_emails -> tickets (ticket_id));

diesel::joinable!(contacts -> contact_imports (import_id));
diesel::joinable!(contact_views -> agents (agent_id));

diesel::joinable!(invitations -> contacts (contact_id));
diesel::joinable!(invitations -> agents (created_by_agent_id));
diesel::joinable!(delivery_attempts -> invitations (invitation_id));
diesel::joinable!(invite_batch_rows -> contacts (contact_id));
diesel::joinable!(bulk_job_rows -> contacts (contact_id));
diesel::joinable!(bulk_job_rows -> bulk_invite_jobs (job_id));

diesel::table! {
    email_previews (id) {
        id -> BigInt,
        preview_key -> Text,
        agent_id -> BigInt,
        html -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    email_previews,
    sessions,
    customer_tokens,
    import_uploads,
    agents,
    settings,
    bulk_invite_jobs,
    bulk_job_rows,
    invite_batches,
    invitations,
    delivery_attempts,
    invite_batch_rows,
    contact_imports,
    contact_view_counts,
    contact_daily_counts,
    contact_views,
    accounts,
    contacts,
    portal_accounts,
    tickets,
    ticket_messages,
    ticket_emails,
    help_center_logo,
    kb_articles,
    audit_events,
    sign_in_failures,
    email_requests,
    agent_password_resets,
    contact_merges,
);
