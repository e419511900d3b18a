use std::time::Duration;

use crate::helpers::{
    csrf_token_in, invitation_link, location, path_of, spawn_app_with, Backend, TestApp,
};
use crate::on_both_backends;

async fn invite_from_contact_page(app: &TestApp, contact_id: i64) -> reqwest::Response {
    app.post_form(
        &format!("/contacts/{contact_id}/invite"),
        &format!("/contacts/{contact_id}/invite"),
        &[],
    )
    .await
}

pub(crate) async fn mass_invite(
    app: &TestApp,
    ids: &[i64],
    submission_key: &str,
) -> reqwest::Response {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("action", "invite"),
        ("view", "all"),
        ("submission_key", submission_key),
    ];
    fields.extend(ids.iter().map(|id| ("ids", id.as_str())));
    app.post_form("/contacts/mass-action", "/contacts", &fields)
        .await
}

on_both_backends! {
    async fn one_contact_is_invited_from_its_page_and_the_link_opens_registration(app) {
        app.sign_in_agent(false).await;
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        let preview = app.get_html(&format!("/contacts/{id}/invite")).await;
        assert!(preview.contains("invited to the Portico Help Center") || preview.contains("Help Center"), "{preview}");
        assert!(preview.contains("Send invitation"));
        let response = invite_from_contact_page(&app, id).await;
        assert_eq!(response.status().as_u16(), 303);
        let page = app.get_html(&location(&response)).await;
        assert!(page.contains("Invitation sent to grace@navy.example."));
        assert!(page.contains("badge-invited\">Invited<"), "the Help Center panel says Invited");
        assert!(page.contains("Invitation history"));

        let received = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].rcpt_to, vec!["grace@navy.example".to_owned()]);
        let message = mail_parser::MessageParser::default().parse(received[0].data.as_bytes()).unwrap();
        assert!(message.body_html(0).is_some() && message.body_text(0).is_some(), "multipart/alternative with both parts");
        assert!(message.message_id().is_some());
        let link = invitation_link(&received[0].data);
        assert!(link.starts_with(&app.address), "the link uses the configured base URL: {link}");
        let registration = app.get(&path_of(&link)).await;
        assert_eq!(registration.status().as_u16(), 200);
        let form = registration.text().await.unwrap();
        assert!(form.contains("Activate account"));
        assert!(form.contains("value=\"Grace Hopper\""));
        assert!(form.contains("value=\"grace@navy.example\" readonly"));
    }

    async fn a_mass_invite_reports_each_row_and_skips_with_reasons(app) {
        app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada", Some("ada@example.com"), None);
        let bob = app.add_contact("Bob", Some("bob@example.com"), None);
        let spam = app.add_contact("Spammy", Some("spam@example.com"), None);
        let no_email = app.add_contact("Nomail", None, None);
        let active = app.add_contact("Active", Some("active@example.com"), None);
        app.mark_contact(active, "activated");
        app.post_form(&format!("/contacts/{spam}/spam"), &format!("/contacts/{spam}"), &[]).await;
        let response = mass_invite(&app, &[ada, bob, spam, no_email, active], "key-1").await;
        assert_eq!(response.status().as_u16(), 303);
        let result_page = location(&response);
        let html = app.get_html(&result_page).await;
        assert!(html.contains("Invited 2 · Skipped 3 (1 spam, 1 no email address, 1 already activated) · Failed 0"), "{html}");
        assert_eq!(app.smtp.wait_for_messages(2, Duration::from_secs(5)).await.len(), 2);
        for invited in [ada, bob] {
            let detail = app.get_html(&format!("/contacts/{invited}")).await;
            assert!(detail.contains("badge-invited\">Sent<"), "each invitation reads Sent once its email left: {detail}");
            assert!(detail.contains(": sent</div>"), "with its delivery attempt: {detail}");
        }

        // The same form posted again (a double click, a reload) sends nothing more.
        let again = mass_invite(&app, &[ada, bob, spam, no_email, active], "key-1").await;
        assert_eq!(location(&again), result_page);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(app.smtp.messages().len(), 2);

        // A new form for the same contacts skips them as already invited.
        let second = mass_invite(&app, &[ada, bob], "key-2").await;
        let html = app.get_html(&location(&second)).await;
        assert!(html.contains("Invited 0 · Skipped 2 (2 already invited)"), "{html}");
        let list = app.get_html("/contacts?view=invited").await;
        assert!(list.contains(">Ada<") && list.contains(">Bob<"));
    }

    async fn selecting_more_than_500_points_to_the_bulk_action(app) {
        app.sign_in_agent(false).await;
        let ids: Vec<i64> = (1..=501).collect();
        let response = mass_invite(&app, &ids, "too-many").await;
        assert_eq!(response.status().as_u16(), 400);
        assert!(response.text().await.unwrap().contains("Apply to all in this view"));
        let empty = mass_invite(&app, &[], "none").await;
        assert_eq!(empty.status().as_u16(), 400);
    }

    async fn resend_kills_the_old_link_and_revoke_kills_the_new(app) {
        app.sign_in_agent(false).await;
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        invite_from_contact_page(&app, id).await;
        let first = invitation_link(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data);
        let resent = app.post_form(&format!("/contacts/{id}/invitation/resend"), &format!("/contacts/{id}"), &[]).await;
        assert_eq!(resent.status().as_u16(), 303);
        let messages = app.smtp.wait_for_messages(2, Duration::from_secs(5)).await;
        let second = invitation_link(&messages[1].data);
        assert_ne!(first, second);
        let old = app.get(&path_of(&first)).await;
        assert_eq!(old.status().as_u16(), 410);
        assert!(old.text().await.unwrap().contains("This invitation link is no longer valid"));
        assert_eq!(app.get(&path_of(&second)).await.status().as_u16(), 200);
        let page = app.get_html(&format!("/contacts/{id}")).await;
        assert!(page.contains("badge-deactivated\">Replaced<"), "a resend replaces, it does not revoke: {page}");
        assert!(!page.contains(">Revoked<"));
        assert!(page.contains("<dt>Link valid until</dt>"));
        assert!(page.contains("<td>Invitation resent</td><td>link valid until "), "the history says what matters, not an id: {page}");

        app.post_form(&format!("/contacts/{id}/invitation/revoke"), &format!("/contacts/{id}"), &[]).await;
        assert_eq!(app.get(&path_of(&second)).await.status().as_u16(), 410);
        let page = app.get_html(&format!("/contacts/{id}")).await;
        assert!(page.contains("badge-deactivated\">Revoked<"));
        assert!(page.contains("badge-not-invited\">Not invited<"));
        assert!(!page.contains("Link valid until"), "a revoked link is valid no more");
    }

    async fn an_expired_invitation_reads_expired_and_its_link_is_refused(app) {
        app.sign_in_agent(false).await;
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        invite_from_contact_page(&app, id).await;
        let link = invitation_link(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data);
        {
            use diesel::prelude::*;
            use portico::db::schema::{contacts, invitations};
            let past = portico::db::now() - chrono::Duration::hours(1);
            let mut conn = app.pool.get().unwrap();
            diesel::update(invitations::table).set(invitations::expires_at.eq(past)).execute(&mut conn).unwrap();
            diesel::update(contacts::table.find(id)).set(contacts::invitation_expires_at.eq(past)).execute(&mut conn).unwrap();
        }
        assert_eq!(app.get(&path_of(&link)).await.status().as_u16(), 410);
        let expired = app.get_html("/contacts?view=expired").await;
        assert!(expired.contains(">Grace Hopper<"));
        assert!(expired.contains("Invitation expired <span class=\"count\">1<"));
        // Inviting an expired contact again is allowed: the old link is replaced.
        invite_from_contact_page(&app, id).await;
        assert_eq!(app.smtp.wait_for_messages(2, Duration::from_secs(5)).await.len(), 2);
    }

    async fn smtp_refusals_and_temporary_failures_are_recorded_with_the_server_reply(app) {
        app.sign_in_agent(false).await;
        let gone = app.add_contact("Gone", Some("gone@example.com"), None);
        let busy = app.add_contact("Busy", Some("busy@example.com"), None);
        let fine = app.add_contact("Fine", Some("fine@example.com"), None);
        app.smtp.reject_recipient("gone@example.com", 550, "5.1.1 mailbox unavailable");
        app.smtp.reject_recipient("busy@example.com", 451, "4.3.0 try again later");
        let response = mass_invite(&app, &[gone, busy, fine], "smtp").await;
        let html = app.get_html(&location(&response)).await;
        assert!(html.contains("Invited 1 · Skipped 0 · Failed 2"), "{html}");
        assert!(html.contains("mailbox unavailable"), "the server's reply is shown");
        assert!(html.contains("temporary failure, retry"));
        let failed_view = app.get_html("/contacts?view=failed").await;
        assert!(failed_view.contains(">Gone<") && failed_view.contains(">Busy<"));
        let detail = app.get_html(&format!("/contacts/{gone}")).await;
        assert!(detail.contains("refused (550)"), "{detail}");

        app.smtp.clear_rejections();
        let retry_form = app.get_html(&location(&response)).await;
        let token = csrf_token_in(&retry_form);
        let batch_path = location(&response);
        let retried = app.client.post(app.url(&format!("{batch_path}/retry"))).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        let html = app.get_html(&location(&retried)).await;
        assert!(html.contains("Invited 2 · Skipped 0 · Failed 0"), "{html}");
    }

    async fn accepting_an_invitation_activates_and_signs_the_customer_in(app) {
        app.sign_in_agent(false).await;
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        invite_from_contact_page(&app, id).await;
        let link = path_of(&invitation_link(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data));
        let customer = crate::helpers::new_client();
        let form = customer.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
        // Looking at the form twice uses nothing up.
        let form = { let _ = customer.get(app.url(&link)).send().await.unwrap(); form };
        let token = csrf_token_in(&form);
        let mismatch = customer.post(app.url(&link)).form(&[("csrf_token", token.as_str()), ("name", "Grace Hopper"), ("password", "a long enough password"), ("password_confirmation", "a different password")]).send().await.unwrap();
        assert_eq!(mismatch.status().as_u16(), 422);
        assert!(mismatch.text().await.unwrap().contains("The two passwords do not match."));
        let short = customer.post(app.url(&link)).form(&[("csrf_token", token.as_str()), ("name", "Grace Hopper"), ("password", "short"), ("password_confirmation", "short")]).send().await.unwrap();
        assert_eq!(short.status().as_u16(), 422);

        let accepted = customer.post(app.url(&link)).form(&[("csrf_token", token.as_str()), ("name", "Grace B. Hopper"), ("password", "a long enough password"), ("password_confirmation", "a long enough password")]).send().await.unwrap();
        assert_eq!(accepted.status().as_u16(), 303);
        assert_eq!(location(&accepted), "/portal");
        let home = customer.get(app.url("/portal")).send().await.unwrap();
        assert_eq!(home.status().as_u16(), 200);
        let home = home.text().await.unwrap();
        assert!(home.contains("My tickets") && home.contains("Knowledge base"));

        assert_eq!(customer.get(app.url(&link)).send().await.unwrap().status().as_u16(), 410, "a used link is refused");
        assert_eq!(customer.get(app.url("/contacts")).send().await.unwrap().status().as_u16(), 303, "a customer never reaches agent pages");
        assert_eq!(app.get("/portal").await.status().as_u16(), 303, "an agent session is not a customer");
        let detail = app.get_html(&format!("/contacts/{id}")).await;
        assert!(detail.contains("badge-activated\">Activated<"));
        assert!(detail.contains("Grace B. Hopper"));
    }

    async fn two_concurrent_acceptances_activate_once(app) {
        app.sign_in_agent(false).await;
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        invite_from_contact_page(&app, id).await;
        let link = path_of(&invitation_link(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data));
        let first = crate::helpers::new_client();
        let second = crate::helpers::new_client();
        let first_token = csrf_token_in(&first.get(app.url(&link)).send().await.unwrap().text().await.unwrap());
        let second_token = csrf_token_in(&second.get(app.url(&link)).send().await.unwrap().text().await.unwrap());
        let post = |client: reqwest::Client, token: String| {
            let url = app.url(&link);
            async move {
                client.post(url).form(&[("csrf_token", token.as_str()), ("name", "Grace"), ("password", "a long enough password"), ("password_confirmation", "a long enough password")]).send().await.unwrap().status().as_u16()
            }
        };
        let (a, b) = tokio::join!(post(first, first_token), post(second, second_token));
        let mut statuses = [a, b];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 410]);
    }

    async fn two_concurrent_mass_invites_send_one_email_per_contact(app) {
        app.sign_in_agent(false).await;
        let ids: Vec<i64> = (0..20).map(|n| app.add_contact(&format!("Person {n:02}"), Some(&format!("p{n}@example.com")), None)).collect();
        let (a, b) = tokio::join!(mass_invite(&app, &ids, "tab-a"), mass_invite(&app, &ids, "tab-b"));
        assert_eq!(a.status().as_u16(), 303);
        assert_eq!(b.status().as_u16(), 303);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let messages = app.smtp.messages();
        assert_eq!(messages.len(), 20, "one email per contact");
        let mut recipients: Vec<String> = messages.iter().map(|m| m.rcpt_to[0].clone()).collect();
        recipients.sort();
        recipients.dedup();
        assert_eq!(recipients.len(), 20);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_smtp_server_is_a_temporary_failure() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.smtp_url = Some(secrecy::SecretString::from(format!(
            "smtp://127.0.0.1:{closed}"
        )));
    })
    .await;
    app.sign_in_agent(false).await;
    let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
    let response = invite_from_contact_page(&app, id).await;
    let page = app.get_html(&location(&response)).await;
    assert!(page.contains("could not be sent yet"), "{page}");
    assert!(page.contains("badge-failed\">Invitation failed<"));
}

on_both_backends! {
    async fn the_invite_preview_shows_the_html_email_as_sent_and_runs_nothing(app) {
        app.sign_in_agent(false).await;
        let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        let page = app.get_html(&format!("/contacts/{grace}/invite")).await;
        assert!(page.contains(&format!("<iframe class=\"email-frame\" src=\"/contacts/{grace}/invite/email.html\" sandbox")), "{page}");
        let email = app.get(&format!("/contacts/{grace}/invite/email.html")).await;
        assert_eq!(email.status().as_u16(), 200);
        let policy = email.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(policy.contains("style-src 'unsafe-inline'") && policy.contains("sandbox") && policy.contains("default-src 'none'"), "{policy}");
        assert_eq!(email.headers()["x-frame-options"], "SAMEORIGIN");
        let html = email.text().await.unwrap();
        assert!(html.contains("Hello Grace Hopper,") && html.contains("background: #1d4ed8"), "the HTML part, styled: {html}");

        let spam = app.add_contact("Spam Sender", Some("spam@example.com"), None);
        app.with_connection(|conn| {
            use diesel::prelude::*;
            diesel::update(portico::db::schema::contacts::table.find(spam))
                .set(portico::db::schema::contacts::is_spam.eq(true))
                .execute(conn)
                .unwrap()
        });
        assert_eq!(app.get(&format!("/contacts/{spam}/invite/email.html")).await.status().as_u16(), 404);
        let visitor = crate::helpers::new_client();
        let (status, _) = crate::helpers::get_as(&app, &visitor, &format!("/contacts/{grace}/invite/email.html")).await;
        assert_eq!(status, 303, "agents only");
    }
}

/// In Chromium: the preview frame shows the email's button styled as it will arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invite_preview_shows_the_styled_button() {
    let Some(browser) = crate::browser::launch().await else {
        return;
    };
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
    let page = &browser.client;
    crate::journeys::sign_in(page, &app, "ada@portico.test").await;
    page.goto(&app.url(&format!("/contacts/{grace}")))
        .await
        .unwrap();
    crate::browser::wait_for(page, "//a[normalize-space()='Invite to Help Center']")
        .await
        .click()
        .await
        .unwrap();
    crate::browser::assert_the_framed_email_is_styled(page, "//iframe[@class='email-frame']").await;
    crate::browser::click_button(page, "Send invitation").await;
    crate::browser::wait_for_text(page, "Invitation sent").await;
    browser.client.clone().close().await.unwrap();
}
