//! "Email me a new link" on the page of an invitation link that no longer works: only the
//! link presented decides, and every answer is the same.

use std::time::Duration;

use diesel::prelude::*;
use portico::db::schema::{contacts, invitations};

use crate::browser::{self, click_button, wait_for};
use crate::helpers::{
    csrf_token_in, invitation_link, link_in, path_of, spawn_app, Backend, TestApp,
};
use crate::journeys::sign_in;
use crate::on_both_backends;
use crate::settings::invite;

const QUIET: Duration = Duration::from_millis(400);

/// Asks for a new link from the page of `link_path`, as a stranger's browser would; returns
/// the answer's status and page.
async fn ask_for_new_link(app: &TestApp, link_path: &str, extra: &[(&str, &str)]) -> (u16, String) {
    let stranger = crate::helpers::new_client();
    let page = stranger.get(app.url(link_path)).send().await.unwrap();
    assert_eq!(
        page.status().as_u16(),
        410,
        "{link_path} is no longer valid"
    );
    let page = page.text().await.unwrap();
    assert!(page.contains(">Email me a new link</button>"));
    assert!(!page.contains("name=\"email\""), "no address is typed");
    let presented = link_path
        .trim_start_matches("/portal/invitations/")
        .to_owned();
    let mut form = vec![("csrf_token", csrf_token_in(&page)), ("token", presented)];
    form.extend(
        extra
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned())),
    );
    let answer = stranger
        .post(app.url("/portal/invitations/new-link"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

fn expire_invitations_of(app: &TestApp, contact_id: i64) {
    let past = portico::db::now() - chrono::Duration::hours(1);
    app.with_connection(|conn| {
        diesel::update(invitations::table.filter(invitations::contact_id.eq(contact_id)))
            .set(invitations::expires_at.eq(past))
            .execute(conn)
            .unwrap();
        diesel::update(contacts::table.find(contact_id))
            .set(contacts::invitation_expires_at.eq(past))
            .execute(conn)
            .unwrap();
    });
}

fn invitations_of(app: &TestApp, contact_id: i64) -> i64 {
    app.with_connection(|conn| {
        invitations::table
            .filter(invitations::contact_id.eq(contact_id))
            .count()
            .get_result(conn)
            .unwrap()
    })
}

on_both_backends! {
    async fn a_new_link_never_goes_to_a_typed_address_a_live_link_or_a_revoked_contact(app) {
        app.sign_in_agent(false).await;
        let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        let never_invited = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        invite(&app, grace).await;
        let live = path_of(&invitation_link(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data));

        // A made-up link with the address of a contact never invited, as the old form took.
        let (status, unknown) = ask_for_new_link(&app, "/portal/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &[("email", "ada@example.com")]).await;
        assert_eq!(status, 200);
        assert!(unknown.contains("If this link was sent to you, we have emailed you a new one"));
        let (_, malformed) = ask_for_new_link(&app, "/portal/invitations/short", &[]).await;
        assert_eq!(malformed, unknown, "a malformed link is answered the same");

        // The live link, posted from outside: it keeps working and nothing is sent.
        let stranger = crate::helpers::new_client();
        let page = stranger.get(app.url("/portal/invitations/short")).send().await.unwrap().text().await.unwrap();
        let presented = live.trim_start_matches("/portal/invitations/");
        let answer = stranger.post(app.url("/portal/invitations/new-link")).form(&[("csrf_token", csrf_token_in(&page).as_str()), ("token", presented)]).send().await.unwrap();
        assert_eq!(answer.text().await.unwrap(), unknown, "a live link is answered the same");
        assert_eq!(app.get(&live).await.status().as_u16(), 200, "the live link still opens registration");

        // Revoked by an agent: the old link earns nothing.
        app.post_form(&format!("/contacts/{grace}/invitation/revoke"), &format!("/contacts/{grace}"), &[]).await;
        let (_, revoked) = ask_for_new_link(&app, &live, &[]).await;
        assert_eq!(revoked, unknown, "a revoked link is answered the same");

        tokio::time::sleep(QUIET).await;
        assert_eq!(app.smtp.messages().len(), 1, "only the agent's invitation was sent");
        assert_eq!(invitations_of(&app, never_invited), 0, "the typed address invited nobody");
        assert_eq!(invitations_of(&app, grace), 1, "the revoke holds");
        assert!(app.get_html(&format!("/contacts/{never_invited}")).await.contains("badge-not-invited\">Not invited<"));
    }

    async fn an_expired_link_brings_a_new_invitation_and_a_used_one_a_password_link(app) {
        app.sign_in_agent(false).await;
        let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        invite(&app, grace).await;
        let expired = path_of(&invitation_link(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data));
        expire_invitations_of(&app, grace);

        let (status, answer) = ask_for_new_link(&app, &expired, &[]).await;
        assert_eq!(status, 200);
        assert!(answer.contains("Check your email"));
        let messages = app.smtp.wait_for_messages(2, Duration::from_secs(5)).await;
        assert_eq!(messages[1].rcpt_to, vec!["grace@navy.example".to_owned()], "to the contact the link was for");
        let renewed = path_of(&invitation_link(&messages[1].data));
        assert_ne!(renewed, expired);
        let form = crate::helpers::new_client();
        let registration = form.get(app.url(&renewed)).send().await.unwrap();
        assert_eq!(registration.status().as_u16(), 200, "the new link opens registration");
        let page = app.get_html(&format!("/contacts/{grace}")).await;
        assert!(page.contains("badge-invited\">Invited<"), "{page}");

        // Grace activates with the new link; the used link then earns a password link.
        let token = csrf_token_in(&registration.text().await.unwrap());
        let password = "a long enough password";
        let accepted = form.post(app.url(&renewed)).form(&[("csrf_token", token.as_str()), ("name", "Grace Hopper"), ("password", password), ("password_confirmation", password)]).send().await.unwrap();
        assert_eq!(accepted.status().as_u16(), 303);
        let (_, used) = ask_for_new_link(&app, &renewed, &[]).await;
        assert_eq!(used, answer, "a used link is answered the same");
        let messages = app.smtp.wait_for_messages(3, Duration::from_secs(5)).await;
        assert_eq!(messages[2].rcpt_to, vec!["grace@navy.example".to_owned()]);
        let reset = link_in(&messages[2].data, "/portal/password/reset/");
        assert_eq!(app.get(&path_of(&reset)).await.status().as_u16(), 200, "the password link works");
    }

    async fn an_expired_link_earns_at_most_three_emails_an_hour(app) {
        app.sign_in_agent(false).await;
        let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        invite(&app, grace).await;
        let mut link = path_of(&invitation_link(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data));
        for sent in 2..=4 {
            expire_invitations_of(&app, grace);
            ask_for_new_link(&app, &link, &[]).await;
            let messages = app.smtp.wait_for_messages(sent, Duration::from_secs(5)).await;
            link = path_of(&invitation_link(&messages.last().unwrap().data));
        }
        expire_invitations_of(&app, grace);
        let (status, _) = ask_for_new_link(&app, &link, &[]).await;
        assert_eq!(status, 200, "the limit shows on no page");
        tokio::time::sleep(QUIET).await;
        assert_eq!(app.smtp.messages().len(), 4, "three new links an hour, then none");
    }
}

/// A customer whose invitation expired asks for a new one by its button, in Chromium with
/// JavaScript on and off.
async fn a_customer_with_an_expired_link_emails_themselves_a_new_one(javascript: bool) {
    let Some(browser) = browser::launch_with(javascript).await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    page.goto(&app.url(&format!("/contacts/{grace}/invite")))
        .await
        .unwrap();
    click_button(page, "Send invitation").await;
    let first =
        invitation_link(&app.smtp.wait_for_messages(1, Duration::from_secs(10)).await[0].data);
    expire_invitations_of(&app, grace);

    page.delete_all_cookies().await.unwrap();
    page.goto(&first).await.unwrap();
    wait_for(
        page,
        "//h1[normalize-space()='This invitation link is no longer valid']",
    )
    .await;
    click_button(page, "Email me a new link").await;
    wait_for(page, "//h1[normalize-space()='Check your email']").await;
    let second =
        invitation_link(&app.smtp.wait_for_messages(2, Duration::from_secs(10)).await[1].data);
    page.goto(&second).await.unwrap();
    wait_for(
        page,
        "//h1[contains(., 'Activate your Help Center account')]",
    )
    .await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_emails_themselves_a_new_link_with_javascript() {
    a_customer_with_an_expired_link_emails_themselves_a_new_one(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_emails_themselves_a_new_link_without_javascript() {
    a_customer_with_an_expired_link_emails_themselves_a_new_one(false).await;
}
