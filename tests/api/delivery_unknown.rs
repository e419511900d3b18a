//! A mail server that takes an invitation and never confirms it: the send is "Delivery
//! unknown", never a failure to retry, so nobody is mailed twice by accident.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::browser;
use crate::helpers::{invitation_link, location, path_of, spawn_app, Backend};
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
    let launched = if javascript {
        browser::launch().await
    } else {
        browser::launch_without_javascript().await
    };
    let Some(browser) = launched else {
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
    page.find(Locator::XPath(
        "//button[normalize-space()='Send invitation']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    page.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath("//*[contains(., 'but never confirmed it')]"))
        .await
        .unwrap();
    app.smtp.answer_again();

    page.goto(&app.url("/contacts")).await.unwrap();
    page.find(Locator::XPath(
        "//a[starts-with(normalize-space(), 'Delivery unknown')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::LinkText("Grace Hopper"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//button[normalize-space()='Resend anyway']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[contains(., 'A new invitation was sent to grace@navy.example.')]",
        ))
        .await
        .unwrap();
    assert_eq!(
        app.smtp
            .wait_for_messages(1, Duration::from_secs(10))
            .await
            .len(),
        1
    );
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_resends_an_unknown_delivery_with_javascript() {
    an_agent_resends_an_invitation_whose_delivery_is_unknown(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_resends_an_unknown_delivery_without_javascript() {
    an_agent_resends_an_invitation_whose_delivery_is_unknown(false).await;
}
