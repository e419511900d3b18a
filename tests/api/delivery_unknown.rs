//! Slow and silent mail servers. One that takes an invitation and never confirms it leaves
//! the send "Delivery unknown", never a failure to retry, so nobody is mailed twice by
//! accident; one slower than the agent's wait lets the page answer while the emails go on.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::browser::{self, click_button, wait_for, wait_for_text};
use crate::helpers::{
    invitation_link, location, path_of, postgres_available, spawn_app, spawn_app_with, Backend,
};
use crate::journeys::sign_in;
use crate::on_both_backends;

on_both_backends! {
    async fn an_unconfirmed_send_is_delivery_unknown_and_retry_leaves_it_alone(app) {
        app.sign_in_agent(false).await;
        let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        app.smtp.stall_after_data();
        let (grace_id, ada_id) = (grace.to_string(), ada.to_string());
        let started = Instant::now();
        let posted = app.post_form("/contacts/mass-action", "/contacts", &[("action", "invite"), ("view", "all"), ("submission_key", "unconfirmed"), ("ids", grace_id.as_str()), ("ids", ada_id.as_str())]).await;
        assert!(started.elapsed() < Duration::from_secs(25), "the sends gave up after their timeout");
        let batch_path = location(&posted);
        let batch = app.get_html(&batch_path).await;
        assert!(batch.contains("Invited 0 · Skipped 0 · Failed 0 · Delivery unknown 2"), "{batch}");
        assert!(batch.contains("badge-delivery-unknown\">Delivery unknown<"));
        assert!(!batch.contains("Retry the"), "nothing failed, so nothing to retry");

        let view = app.get_html("/contacts?view=delivery-unknown").await;
        assert!(view.contains("Delivery unknown <span class=\"count\">2<"), "{view}");
        assert!(view.contains(">Grace Hopper<") && view.contains(">Ada Lovelace<"));

        app.smtp.answer_again();
        let retried = app.post_form(&format!("{batch_path}/retry"), &batch_path, &[]).await;
        assert_eq!(retried.status().as_u16(), 400, "there is nothing failed to retry");
        let again = app.post_form("/contacts/mass-action", "/contacts", &[("action", "invite"), ("view", "all"), ("submission_key", "again"), ("ids", grace_id.as_str())]).await;
        let again = app.get_html(&location(&again)).await;
        assert!(again.contains("Invited 0 · Skipped 1"), "inviting again skips a live invitation: {again}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(app.smtp.messages().is_empty(), "nobody was mailed a second time");

        let page = app.get_html(&format!("/contacts/{grace}")).await;
        assert!(page.contains("badge-delivery-unknown\">Delivery unknown<"), "{page}");
        assert!(page.contains(": delivery unknown: no reply after the message was sent"), "the attempt is listed: {page}");
        assert!(page.contains(">Resend anyway</button>"), "resending is the agent's explicit choice");
        let resent = app.post_form(&format!("/contacts/{grace}/invitation/resend"), &format!("/contacts/{grace}"), &[]).await;
        assert_eq!(resent.status().as_u16(), 303);
        let received = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        assert_eq!(received[0].rcpt_to, vec!["grace@navy.example".to_owned()]);
        assert_eq!(app.get(&path_of(&invitation_link(&received[0].data))).await.status().as_u16(), 200);
        let page = app.get_html(&format!("/contacts/{grace}")).await;
        assert!(page.contains("badge-invited\">Invited<"), "{page}");
        let view = app.get_html("/contacts?view=delivery-unknown").await;
        assert!(view.contains("Delivery unknown <span class=\"count\">1<"), "{view}");
    }
}

/// An agent finds an invitation whose delivery is unknown from the sidebar and resends it, in
/// Chromium with JavaScript on and off.
async fn an_agent_resends_an_invitation_whose_delivery_is_unknown(javascript: bool) {
    let Some(browser) = browser::launch_with(javascript).await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    app.smtp.stall_after_data();
    page.goto(&app.url(&format!("/contacts/{grace}/invite")))
        .await
        .unwrap();
    click_button(page, "Send invitation").await;
    page.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath("//*[contains(., 'but never confirmed it')]"))
        .await
        .unwrap();
    app.smtp.answer_again();

    page.goto(&app.url("/contacts")).await.unwrap();
    wait_for(
        page,
        "//a[starts-with(normalize-space(), 'Delivery unknown')]",
    )
    .await
    .click()
    .await
    .unwrap();
    wait_for(page, "//a[normalize-space()='Grace Hopper']")
        .await
        .click()
        .await
        .unwrap();
    click_button(page, "Resend anyway").await;
    wait_for_text(page, "A new invitation was sent to grace@navy.example.").await;
    assert_eq!(
        app.smtp
            .wait_for_messages(1, Duration::from_secs(10))
            .await
            .len(),
        1
    );
    browser.client.clone().close().await.unwrap();
}

on_both_backends! {
    async fn a_mass_invite_its_instance_left_unsent_is_finished_by_the_runner(app) {
        use diesel::prelude::*;
        use portico::db::schema::{contacts, invite_batches};
        let agent = app.sign_in_agent(false).await;
        let alice = app.add_contact("Alice Adams", Some("alice@example.com"), None);
        let bob = app.add_contact("Bob Brown", Some("bob@example.com"), None);
        let spam = app.add_contact("Spam Sender", Some("spam@example.com"), None);
        app.with_connection(|conn| {
            diesel::update(contacts::table.find(spam)).set(contacts::is_spam.eq(true)).execute(conn).unwrap();
            // As an instance leaves it when it dies between recording a mass invite and
            // writing its invitations: claimed, never renewed, nothing sent.
            let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(5);
            diesel::insert_into(invite_batches::table)
                .values((
                    invite_batches::agent_id.eq(agent),
                    invite_batches::submission_key.eq("abandoned"),
                    invite_batches::created_at.eq(long_ago),
                    invite_batches::contact_ids.eq(format!("[{alice},{bob},{spam}]")),
                    invite_batches::claimed_until.eq(long_ago),
                    invite_batches::claim_token.eq("gone"),
                ))
                .execute(conn)
                .unwrap();
        });
        let id: i64 = app.with_connection(|conn| invite_batches::table.filter(invite_batches::submission_key.eq("abandoned")).select(invite_batches::id).first(conn).unwrap());
        let path = format!("/invitations/batches/{id}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let done = loop {
            let page = app.get_html(&path).await;
            if page.contains("batch-summary") {
                break page;
            }
            // 3 asked for until the runner writes the 2 it invites; the spam contact is skipped.
            assert!(page.contains("3 invitations are being sent") || page.contains("2 invitations are being sent"), "{page}");
            assert!(Instant::now() < deadline, "the runner did not take it over: {page}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(done.contains("Invited 2 · Skipped 1 (1 spam) · Failed 0"), "{done}");
        let received = app.smtp.wait_for_messages(2, Duration::from_secs(5)).await;
        let mut recipients: Vec<&str> = received.iter().map(|m| m.rcpt_to[0].as_str()).collect();
        recipients.sort();
        assert_eq!(recipients, ["alice@example.com", "bob@example.com"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_resends_an_unknown_delivery_with_javascript() {
    an_agent_resends_an_invitation_whose_delivery_is_unknown(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_resends_an_unknown_delivery_without_javascript() {
    an_agent_resends_an_invitation_whose_delivery_is_unknown(false).await;
}

/// A mass invite to a mail server slower than the agent's wait: the page answers in time and
/// shows it in progress, the emails go on being sent, and each contact gets exactly one.
async fn a_mass_invite_to_a_slow_server_answers_in_time_and_finishes_after(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.mass_invite_wait_seconds = 1).await;
    app.sign_in_agent(false).await;
    let ids: Vec<String> = (0..4)
        .map(|n| {
            app.add_contact(
                &format!("Slow {n}"),
                Some(&format!("slow{n}@example.com")),
                None,
            )
            .to_string()
        })
        .collect();
    app.smtp.delay_each_message(Duration::from_millis(1_500));
    let mut fields = vec![
        ("action", "invite"),
        ("view", "all"),
        ("submission_key", "slow"),
    ];
    fields.extend(ids.iter().map(|id| ("ids", id.as_str())));
    let started = Instant::now();
    let posted = app
        .post_form("/contacts/mass-action", "/contacts", &fields)
        .await;
    assert!(
        started.elapsed() < Duration::from_millis(2_900),
        "answered after the wait, not the sends: {:?}",
        started.elapsed()
    );
    let batch_path = location(&posted);
    let page = app.get_html(&batch_path).await;
    assert!(page.contains("4 invitations are being sent"), "{page}");
    assert!(
        page.contains("<meta http-equiv=\"refresh\" content=\"3\">"),
        "the page follows by itself"
    );

    let again = app
        .post_form("/contacts/mass-action", "/contacts", &fields)
        .await;
    assert_eq!(
        location(&again),
        batch_path,
        "the same submission is the same mass invite"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let done = loop {
        let page = app.get_html(&batch_path).await;
        if page.contains("Invited 4") {
            break page;
        }
        assert!(
            Instant::now() < deadline,
            "the mass invite did not finish: {page}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(!done.contains("being sent"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut recipients: Vec<String> = app
        .smtp
        .messages()
        .iter()
        .map(|m| m.rcpt_to[0].clone())
        .collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "slow0@example.com",
            "slow1@example.com",
            "slow2@example.com",
            "slow3@example.com"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_mass_invite_answers_in_time_on_sqlite() {
    a_mass_invite_to_a_slow_server_answers_in_time_and_finishes_after(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_mass_invite_answers_in_time_on_postgres() {
    if postgres_available() {
        a_mass_invite_to_a_slow_server_answers_in_time_and_finishes_after(Backend::Postgres).await;
    }
}

/// The same in Chromium: the page shows the mass invite in progress, then its outcome by
/// itself, with JavaScript on and off.
async fn an_agent_watches_a_slow_mass_invite_finish(javascript: bool) {
    let Some(browser) = browser::launch_with(javascript).await else {
        return;
    };
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.mass_invite_wait_seconds = 1
    })
    .await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let ids = [
        app.add_contact("Alice Adams", Some("alice@example.com"), None),
        app.add_contact("Bob Brown", Some("bob@example.com"), None),
        app.add_contact("Carol Clark", Some("carol@example.com"), None),
    ];
    app.smtp.delay_each_message(Duration::from_millis(1_500));
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    crate::browser::tick_contacts(page, &ids).await;
    click_button(page, "Invite to Help Center").await;
    wait_for_text(page, "3 invitations are being sent").await;
    let summary = crate::browser::mass_invite_summary(page, Duration::from_secs(20)).await;
    assert!(summary.contains("Invited 3"), "{summary}");
    assert_eq!(app.smtp.messages().len(), 3);
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_watches_a_slow_mass_invite_with_javascript() {
    an_agent_watches_a_slow_mass_invite_finish(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_watches_a_slow_mass_invite_without_javascript() {
    an_agent_watches_a_slow_mass_invite_finish(false).await;
}
