//! The Help Center as customers use it: sign-in, password reset, self-registration, their
//! tickets, the knowledge base and their account.

use std::time::Duration;

use diesel::prelude::*;
use portico::db::now;
use portico::db::schema::{contacts, customer_tokens, portal_accounts, ticket_messages, tickets};
use portico::help_center::accounts::PortalAccount;
use portico::help_center::settings::{HelpCenterSettings, SelfRegistration};
use portico::knowledge_base::NewArticle;
use portico::tickets::Ticket;

use crate::helpers::{
    csrf_token_in, get_as, link_in, location, new_client, path_of, post_as, subject_of,
    without_reference, TestApp,
};
use crate::on_both_backends;

pub(crate) const PASSWORD: &str = "a long customer passphrase";
const NEW_PASSWORD: &str = "another long passphrase";

/// A contact with an activated Help Center account, as if they had accepted an invitation.
pub(crate) fn add_customer(app: &TestApp, name: &str, email: &str) -> i64 {
    let id = app.add_contact(name, Some(email), None);
    let hash = portico::auth::password::hash_password(PASSWORD).unwrap();
    let mut conn = app.pool.get().unwrap();
    PortalAccount::activate(&mut conn, id, &hash, now()).unwrap();
    app.mark_contact(id, "activated");
    id
}

/// Posts a form from `client` with the CSRF token of the page `token_from`.
async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    post_as(
        app,
        client,
        "/portal/login",
        "/portal/login",
        &[("email", email), ("password", password)],
    )
    .await
}

/// A new browser signed in as this customer.
pub(crate) async fn signed_in_customer(app: &TestApp, email: &str) -> reqwest::Client {
    let client = new_client();
    let response = sign_in(app, &client, email, PASSWORD).await;
    assert_eq!(response.status().as_u16(), 303, "the customer signs in");
    client
}

pub(crate) fn set_self_registration(app: &TestApp, mode: SelfRegistration) {
    let mut conn = app.pool.get().unwrap();
    HelpCenterSettings {
        self_registration: mode,
        ..HelpCenterSettings::default()
    }
    .save(&mut conn, now())
    .unwrap();
}

fn contacts_with_email(app: &TestApp, email: &str) -> Vec<(i64, String)> {
    let mut conn = app.pool.get().unwrap();
    contacts::table
        .filter(contacts::email.eq(email))
        .select((contacts::id, contacts::help_center_status))
        .load(&mut conn)
        .unwrap()
}

fn message_count(app: &TestApp, ticket: i64) -> i64 {
    let mut conn = app.pool.get().unwrap();
    ticket_messages::table
        .filter(ticket_messages::ticket_id.eq(ticket))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

pub(crate) fn open_ticket(app: &TestApp, contact: i64, subject: &str, body: &str) -> i64 {
    let mut conn = app.pool.get().unwrap();
    Ticket::open_for_customer(
        &mut conn,
        portico::audit::Actor::Contact(contact),
        contact,
        subject,
        body,
    )
    .unwrap()
}

fn close_ticket(app: &TestApp, ticket: i64) {
    let mut conn = app.pool.get().unwrap();
    diesel::update(tickets::table.find(ticket))
        .set(tickets::status.eq("closed"))
        .execute(&mut conn)
        .unwrap();
}

async fn ask_for_reset(app: &TestApp, client: &reqwest::Client, email: &str) -> reqwest::Response {
    post_as(
        app,
        client,
        "/portal/password/forgot",
        "/portal/password/forgot",
        &[("email", email)],
    )
    .await
}

async fn register(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    email: &str,
) -> reqwest::Response {
    post_as(
        app,
        client,
        "/portal/register",
        "/portal/register",
        &[("name", name), ("email", email)],
    )
    .await
}

async fn choose_password(
    app: &TestApp,
    client: &reqwest::Client,
    link_path: &str,
    password: &str,
    confirmation: &str,
) -> reqwest::Response {
    post_as(
        app,
        client,
        link_path,
        link_path,
        &[
            ("password", password),
            ("password_confirmation", confirmation),
        ],
    )
    .await
}

on_both_backends! {
    async fn a_customer_signs_in_and_failures_all_read_the_same(app) {
        add_customer(&app, "Grace Hopper", "grace@navy.example");
        let client = new_client();
        let form = get_as(&app, &client, "/portal/login").await;
        assert_eq!(form.0, 200);
        assert!(form.1.contains("Forgot password?") && form.1.contains("href=\"/portal/password/forgot\""));

        let wrong = sign_in(&app, &client, "grace@navy.example", "not the password at all").await;
        assert_eq!(wrong.status().as_u16(), 401);
        let wrong = wrong.text().await.unwrap();
        let unknown = sign_in(&app, &client, "nobody@navy.example", "not the password at all").await;
        assert_eq!(unknown.status().as_u16(), 401);
        let unknown = unknown.text().await.unwrap();
        assert!(wrong.contains("Incorrect email or password."), "{wrong}");
        assert!(unknown.contains("Incorrect email or password."));
        assert!(wrong.contains("value=\"grace@navy.example\""), "the typed address is kept");
        assert_eq!(wrong.replace("grace@navy.example", "x"), unknown.replace("nobody@navy.example", "x"), "nothing tells the two apart");
        assert_eq!(get_as(&app, &client, "/portal").await.0, 303, "still signed out");

        let signed_in = post_as(&app, &client, "/portal/login", "/portal/login?next=/portal/knowledge-base", &[("email", " Grace@Navy.example "), ("password", PASSWORD), ("next", "/portal/knowledge-base")]).await;
        assert_eq!(signed_in.status().as_u16(), 303);
        assert_eq!(location(&signed_in), "/portal/knowledge-base", "back to the page asked for");
        let (status, home) = get_as(&app, &client, "/portal").await;
        assert_eq!(status, 200);
        assert!(home.contains("My tickets") && home.contains("Grace Hopper"));

        let signed_out = post_as(&app, &client, "/portal/logout", "/portal", &[]).await;
        assert_eq!(location(&signed_out), "/portal/login?signed_out=1");
        assert!(get_as(&app, &client, "/portal/login?signed_out=1").await.1.contains("You have signed out."));
        assert_eq!(get_as(&app, &client, "/portal").await.0, 303);

        let offsite = post_as(&app, &client, "/portal/login", "/portal/login", &[("email", "grace@navy.example"), ("password", PASSWORD), ("next", "//evil.example/")]).await;
        assert_eq!(location(&offsite), "/portal", "never sent to another site");
    }

    async fn repeated_failures_lock_a_customer_address_apart_from_agents(app) {
        add_customer(&app, "Grace Hopper", "grace@navy.example");
        app.create_agent("grace@navy.example", "Grace the agent", false);
        let client = new_client();
        for attempt in 1..=10 {
            let guess = sign_in(&app, &client, "grace@navy.example", "a wrong guess").await;
            assert_eq!(guess.status().as_u16(), 401, "guess {attempt} is only wrong");
        }
        let refused = sign_in(&app, &client, "grace@navy.example", PASSWORD).await;
        assert_eq!(refused.status().as_u16(), 429);
        assert!(refused.headers().contains_key("retry-after"));
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Too many failed sign-in attempts for this email. Try again in 15 minutes."), "{refused}");
        assert!(refused.contains("value=\"grace@navy.example\""), "the typed address is kept");
        assert!(refused.contains("href=\"/portal/password/forgot\""), "the reset link is still offered");
        assert_eq!(get_as(&app, &new_client(), "/portal").await.0, 303);
        assert_eq!(
            app.post_login("grace@navy.example", crate::helpers::AGENT_PASSWORD).await.status().as_u16(),
            303,
            "the agents' sign-in counts its own failures",
        );
    }

    async fn deactivated_spam_and_deleted_customers_cannot_sign_in(app) {
        let grace = add_customer(&app, "Grace Hopper", "grace@navy.example");
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let bob = add_customer(&app, "Bob Deleted", "bob@example.com");
        let graces_browser = signed_in_customer(&app, "grace@navy.example").await;
        {
            let mut conn = app.pool.get().unwrap();
            diesel::update(portal_accounts::table.filter(portal_accounts::contact_id.eq(grace)))
                .set(portal_accounts::deactivated_at.eq(Some(now())))
                .execute(&mut conn)
                .unwrap();
            diesel::update(contacts::table.find(ada)).set(contacts::is_spam.eq(true)).execute(&mut conn).unwrap();
            diesel::update(contacts::table.find(bob)).set(contacts::deleted_at.eq(Some(now()))).execute(&mut conn).unwrap();
        }
        for email in ["ada@example.com", "bob@example.com"] {
            let response = sign_in(&app, &new_client(), email, PASSWORD).await;
            assert_eq!(response.status().as_u16(), 401, "{email}");
            assert!(response.text().await.unwrap().contains("Incorrect email or password."));
        }
        let turned_off = sign_in(&app, &new_client(), "grace@navy.example", PASSWORD).await;
        assert_eq!(turned_off.status().as_u16(), 403, "the right password on a deactivated account is told why");
        assert!(turned_off.text().await.unwrap().contains("your Help Center access has been turned off"));
        assert_eq!(get_as(&app, &graces_browser, "/portal").await.0, 303, "a deactivated account's session ends");
    }

    async fn a_password_is_reset_through_an_emailed_link(app) {
        let id = add_customer(&app, "Grace Hopper", "grace@navy.example");
        let client = new_client();
        let known = ask_for_reset(&app, &client, "Grace@Navy.example").await;
        let unknown = ask_for_reset(&app, &client, "nobody@example.com").await;
        assert_eq!(known.status().as_u16(), 200);
        assert_eq!(unknown.status().as_u16(), 200);
        let known = known.text().await.unwrap();
        assert!(known.contains("Check your email"));
        assert_eq!(known, unknown.text().await.unwrap(), "the page is the same whatever the address");

        let messages = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(app.smtp.messages().len(), 1, "only the customer gets mail");
        assert_eq!(messages[0].rcpt_to, vec!["grace@navy.example".to_owned()]);
        assert!(subject_of(&messages[0].data).contains("Reset your"));
        let link = link_in(&messages[0].data, "/portal/password/reset/");
        assert!(link.starts_with(&app.address), "the link uses the configured base URL");
        let link = path_of(&link);

        let browser = new_client();
        for _ in 0..2 {
            let (status, form) = get_as(&app, &browser, &link).await;
            assert_eq!(status, 200, "looking does not use the link up");
            assert!(form.contains("Choose a new password") && form.contains("value=\"grace@navy.example\" readonly"));
        }
        let mismatch = choose_password(&app, &browser, &link, NEW_PASSWORD, "something else entirely").await;
        assert_eq!(mismatch.status().as_u16(), 422);
        assert!(mismatch.text().await.unwrap().contains("The two passwords do not match."));
        let short = choose_password(&app, &browser, &link, "short", "short").await;
        assert_eq!(short.status().as_u16(), 422);
        assert!(short.text().await.unwrap().contains("Use at least 12 characters."));

        let reset = choose_password(&app, &browser, &link, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(reset.status().as_u16(), 303);
        assert_eq!(location(&reset), "/portal");
        let (status, home) = get_as(&app, &browser, "/portal").await;
        assert_eq!(status, 200, "signed in");
        assert!(home.contains("Your password has been changed."));

        let used = new_client().get(app.url(&link)).send().await.unwrap();
        assert_eq!(used.status().as_u16(), 410);
        let used = used.text().await.unwrap();
        assert!(used.contains("This link is no longer valid") && used.contains("href=\"/portal/password/forgot\""));
        let replay = new_client().post(app.url(&link)).form(&[("password", NEW_PASSWORD)]).send().await.unwrap();
        assert_eq!(replay.status().as_u16(), 403, "a form from elsewhere is refused");

        assert_eq!(sign_in(&app, &new_client(), "grace@navy.example", PASSWORD).await.status().as_u16(), 401, "the old password is gone");
        assert_eq!(sign_in(&app, &new_client(), "grace@navy.example", NEW_PASSWORD).await.status().as_u16(), 303);
        assert!(contacts_with_email(&app, "grace@navy.example").iter().any(|(contact, _)| *contact == id));
    }

    async fn a_reset_link_works_once_and_only_for_an_hour(app) {
        add_customer(&app, "Grace Hopper", "grace@navy.example");
        let client = new_client();
        ask_for_reset(&app, &client, "grace@navy.example").await;
        ask_for_reset(&app, &client, "grace@navy.example").await;
        let messages = app.smtp.wait_for_messages(2, Duration::from_secs(5)).await;
        let first = path_of(&link_in(&messages[0].data, "/portal/password/reset/"));
        let second = path_of(&link_in(&messages[1].data, "/portal/password/reset/"));
        assert_ne!(first, second);

        let used = choose_password(&app, &new_client(), &first, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(used.status().as_u16(), 303);
        let browser = new_client();
        let token = csrf_token_in(&get_as(&app, &browser, "/portal/login").await.1);
        let reused = browser.post(app.url(&first)).form(&[("csrf_token", token.as_str()), ("password", "yet another long one"), ("password_confirmation", "yet another long one")]).send().await.unwrap();
        assert_eq!(reused.status().as_u16(), 410, "a used link is refused");
        assert_eq!(get_as(&app, &browser, &second).await.0, 410, "the other reset link died with the change");
        assert_eq!(sign_in(&app, &new_client(), "grace@navy.example", NEW_PASSWORD).await.status().as_u16(), 303, "the password is the first link's");

        let third = {
            ask_for_reset(&app, &client, "grace@navy.example").await;
            let messages = app.smtp.wait_for_messages(3, Duration::from_secs(5)).await;
            path_of(&link_in(&messages[2].data, "/portal/password/reset/"))
        };
        {
            let mut conn = app.pool.get().unwrap();
            diesel::update(customer_tokens::table)
                .set(customer_tokens::expires_at.eq(now() - chrono::Duration::minutes(1)))
                .execute(&mut conn)
                .unwrap();
        }
        assert_eq!(get_as(&app, &browser, &third).await.0, 410, "an expired link is refused");
        let token = csrf_token_in(&get_as(&app, &browser, "/portal/login").await.1);
        let expired = browser.post(app.url(&third)).form(&[("csrf_token", token.as_str()), ("password", "yet another long one"), ("password_confirmation", "yet another long one")]).send().await.unwrap();
        assert_eq!(expired.status().as_u16(), 410);
        assert_eq!(get_as(&app, &browser, "/portal/password/reset/not-a-token").await.0, 410);
    }

    async fn two_concurrent_resets_with_one_link_change_the_password_once(app) {
        add_customer(&app, "Grace Hopper", "grace@navy.example");
        ask_for_reset(&app, &new_client(), "grace@navy.example").await;
        let link = path_of(&link_in(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data, "/portal/password/reset/"));
        let first = new_client();
        let second = new_client();
        let first_token = csrf_token_in(&get_as(&app, &first, &link).await.1);
        let second_token = csrf_token_in(&get_as(&app, &second, &link).await.1);
        let post = |client: reqwest::Client, token: String, password: &'static str| {
            let url = app.url(&link);
            async move {
                client.post(url).form(&[("csrf_token", token.as_str()), ("password", password), ("password_confirmation", password)]).send().await.unwrap().status().as_u16()
            }
        };
        let (a, b) = tokio::join!(post(first, first_token, "first racer password"), post(second, second_token, "second racer password"));
        let mut statuses = [a, b];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 410]);
        let winner = if a == 303 { "first racer password" } else { "second racer password" };
        assert_eq!(sign_in(&app, &new_client(), "grace@navy.example", winner).await.status().as_u16(), 303);
    }

    async fn asking_for_too_many_links_is_refused(app) {
        add_customer(&app, "Grace Hopper", "grace@navy.example");
        let client = new_client();
        for _ in 0..3 {
            assert_eq!(ask_for_reset(&app, &client, "grace@navy.example").await.status().as_u16(), 200);
        }
        let limited = ask_for_reset(&app, &client, "grace@navy.example").await;
        assert_eq!(limited.status().as_u16(), 429);
        assert!(limited.text().await.unwrap().contains("Too many requests"));
        app.smtp.wait_for_messages(3, Duration::from_secs(5)).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(app.smtp.messages().len(), 3);
        let invalid = ask_for_reset(&app, &client, "not an address").await;
        assert_eq!(invalid.status().as_u16(), 422);
        assert!(invalid.text().await.unwrap().contains("is not a valid email address"));
    }

    async fn without_self_registration_accounts_are_by_invitation_only(app) {
        let client = new_client();
        let (status, page) = get_as(&app, &client, "/portal/register").await;
        assert_eq!(status, 404);
        assert!(page.contains("Accounts are by invitation"));
        assert!(!page.contains("name=\"email\""), "no form to fill in");
        assert!(!get_as(&app, &client, "/portal/login").await.1.contains("Create an account"));
        let token = csrf_token_in(&get_as(&app, &client, "/portal/login").await.1);
        let posted = client.post(app.url("/portal/register")).form(&[("csrf_token", token.as_str()), ("name", "Eve"), ("email", "eve@example.com")]).send().await.unwrap();
        assert_eq!(posted.status().as_u16(), 404);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(app.smtp.messages().is_empty());
        assert!(contacts_with_email(&app, "eve@example.com").is_empty());
    }

    async fn an_open_registration_verifies_the_address_and_creates_the_contact(app) {
        set_self_registration(&app, SelfRegistration::Open);
        let client = new_client();
        assert!(get_as(&app, &client, "/portal/login").await.1.contains("href=\"/portal/register\""));
        let invalid = register(&app, &client, "  ", "not an address").await;
        assert_eq!(invalid.status().as_u16(), 422);
        let invalid = invalid.text().await.unwrap();
        assert!(invalid.contains("Enter your name.") && invalid.contains("is not a valid email address"));

        let response = register(&app, &client, "Katherine  Johnson", "Katherine@NASA.example").await;
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.text().await.unwrap().contains("Check your email"));
        assert!(contacts_with_email(&app, "katherine@nasa.example").is_empty(), "nothing is created before the address is proven");
        let messages = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        assert_eq!(messages[0].rcpt_to, vec!["katherine@nasa.example".to_owned()]);
        let link = path_of(&link_in(&messages[0].data, "/portal/register/verify/"));

        let (status, form) = get_as(&app, &client, &link).await;
        assert_eq!(status, 200);
        assert!(form.contains("Welcome, Katherine Johnson") && form.contains("value=\"katherine@nasa.example\" readonly"));
        assert_eq!(choose_password(&app, &client, &link, PASSWORD, "does not match it").await.status().as_u16(), 422);
        let done = choose_password(&app, &client, &link, PASSWORD, PASSWORD).await;
        assert_eq!(done.status().as_u16(), 303);
        assert_eq!(location(&done), "/portal");
        let (status, home) = get_as(&app, &client, "/portal").await;
        assert_eq!(status, 200);
        assert!(home.contains("Katherine Johnson") && home.contains("Your Help Center account is ready."));
        let found = contacts_with_email(&app, "katherine@nasa.example");
        assert_eq!(found.len(), 1, "one contact");
        assert_eq!(found[0].1, "activated");
        assert_eq!(get_as(&app, &new_client(), &link).await.0, 410, "the link works once");
        assert_eq!(sign_in(&app, &new_client(), "katherine@nasa.example", PASSWORD).await.status().as_u16(), 303);
    }

    async fn registering_an_existing_contacts_address_links_that_contact(app) {
        set_self_registration(&app, SelfRegistration::Open);
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        let client = new_client();
        register(&app, &client, "Amazing Grace", "grace@navy.example").await;
        let messages = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        let link = path_of(&link_in(&messages[0].data, "/portal/register/verify/"));
        assert_eq!(choose_password(&app, &client, &link, PASSWORD, PASSWORD).await.status().as_u16(), 303);
        assert_eq!(contacts_with_email(&app, "grace@navy.example"), vec![(id, "activated".to_owned())], "the same contact, no duplicate");
        let mut conn = app.pool.get().unwrap();
        let account = PortalAccount::for_contact(&mut conn, id).unwrap().expect("an account");
        assert!(account.can_sign_in());
    }

    async fn an_address_with_an_account_is_told_to_sign_in_and_spam_gets_nothing(app) {
        set_self_registration(&app, SelfRegistration::Open);
        add_customer(&app, "Grace Hopper", "grace@navy.example");
        let spam = app.add_contact("Spammer", Some("spam@example.com"), None);
        {
            let mut conn = app.pool.get().unwrap();
            diesel::update(contacts::table.find(spam)).set(contacts::is_spam.eq(true)).execute(&mut conn).unwrap();
        }
        let client = new_client();
        let existing = register(&app, &client, "Grace", "grace@navy.example").await.text().await.unwrap();
        let newcomer = register(&app, &client, "Newcomer", "new@example.com").await.text().await.unwrap();
        let spammer = register(&app, &client, "Spammer", "spam@example.com").await.text().await.unwrap();
        assert!(existing.contains("Check your email"));
        assert_eq!(existing, newcomer, "the page does not tell who has an account");
        assert_eq!(existing, spammer);

        app.smtp.wait_for_messages(2, Duration::from_secs(5)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(app.smtp.messages_to("spam@example.com").is_empty(), "spam contacts get nothing");
        assert_eq!(app.smtp.messages().len(), 2);
        let note = &app.smtp.messages_to("grace@navy.example")[0];
        assert!(subject_of(&note.data).contains("You already have"));
        assert!(link_in(&note.data, "/portal/login").starts_with(&app.address));
        link_in(&note.data, "/portal/password/forgot");
        link_in(&app.smtp.messages_to("new@example.com")[0].data, "/portal/register/verify/");
    }

    async fn registration_can_be_limited_to_some_domains(app) {
        set_self_registration(&app, SelfRegistration::Domains(vec!["acme.example".to_owned()]));
        let client = new_client();
        let page = get_as(&app, &client, "/portal/register").await.1;
        assert!(page.contains("Registration is open to addresses at acme.example."));
        let elsewhere = register(&app, &client, "Eve", "eve@elsewhere.example").await;
        assert_eq!(elsewhere.status().as_u16(), 422);
        let elsewhere = elsewhere.text().await.unwrap();
        assert!(elsewhere.contains("Accounts can be created only with an address at acme.example."));
        assert!(elsewhere.contains("value=\"Eve\""), "the typed values are kept");
        assert_eq!(register(&app, &client, "Wile E.", "wile@ACME.example").await.status().as_u16(), 200);
        assert_eq!(app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].rcpt_to, vec!["wile@acme.example".to_owned()]);
    }
}

on_both_backends! {
    async fn a_customer_sees_only_their_own_tickets(app) {
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let bob = add_customer(&app, "Bob Builder", "bob@example.com");
        let adas = open_ticket(&app, ada, "Engine will not start", "It stopped at step 3.");
        let bobs = open_ticket(&app, bob, "Bob's private trouble", "Secret details.");
        let client = signed_in_customer(&app, "ada@example.com").await;

        let (status, page) = get_as(&app, &client, &format!("/portal/tickets/{adas}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Engine will not start") && page.contains("It stopped at step 3."));
        let (status, other) = get_as(&app, &client, &format!("/portal/tickets/{bobs}")).await;
        assert_eq!(status, 404);
        assert!(!other.contains("Secret details."));
        let (unknown_status, unknown) = get_as(&app, &client, "/portal/tickets/987654").await;
        assert_eq!(unknown_status, 404);
        assert_eq!(without_reference(&other), without_reference(&unknown), "another customer's ticket looks like no ticket at all");
        assert!(unknown.contains("<a href=\"/portal\">Back to the Help Center</a>"), "a Help Center error page: {unknown}");
        assert!(!unknown.contains("href=\"/contacts\"") && !unknown.contains("Back to Portico"), "nothing of the agents' layout");
        assert!(unknown.contains("My tickets") && unknown.contains("Sign out"), "the signed-in customer's menu: {unknown}");
        let (status, nowhere) = get_as(&app, &client, "/portal/no-such-page").await;
        assert_eq!(status, 404);
        assert!(nowhere.contains("Back to the Help Center"));
        let stale = app.client.post(app.url("/portal/logout")).form(&[("csrf_token", "stale")]).send().await.unwrap();
        assert_eq!(stale.status().as_u16(), 403);
        let stale = stale.text().await.unwrap();
        assert!(stale.contains("Back to the Help Center"), "a refused form too");
        assert!(stale.contains("href=\"/portal/login\">Sign in<"), "a visitor is offered to sign in: {stale}");
        assert_eq!(get_as(&app, &client, "/portal/tickets/abc").await.0, 404);

        let reply = post_as(&app, &client, &format!("/portal/tickets/{bobs}/reply"), "/portal", &[("body", "Let me in")]).await;
        assert_eq!(reply.status().as_u16(), 404);
        assert_eq!(message_count(&app, bobs), 1, "nothing was added to Bob's ticket");
        let home = get_as(&app, &client, "/portal").await.1;
        assert!(home.contains("Engine will not start") && !home.contains("private trouble"));
        assert_eq!(get_as(&app, &new_client(), &format!("/portal/tickets/{adas}")).await.0, 303, "anonymous visitors sign in first");
    }

    async fn a_reply_appears_in_order_and_reopens_a_closed_ticket(app) {
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let ticket = open_ticket(&app, ada, "Engine will not start", "First message.");
        close_ticket(&app, ticket);
        let client = signed_in_customer(&app, "ada@example.com").await;
        let page = format!("/portal/tickets/{ticket}");
        assert!(get_as(&app, &client, &page).await.1.contains("Replying opens it again"));
        let sent = post_as(&app, &client, &format!("{page}/reply"), &page, &[("body", "Second message.\n\nWith a paragraph.")]).await;
        assert_eq!(sent.status().as_u16(), 303);
        assert_eq!(location(&sent), page);
        let html = get_as(&app, &client, &page).await.1;
        assert!(html.contains("Your reply has been sent, and the ticket is open again."));
        let first = html.find("First message.").expect("the first message");
        let second = html.find("Second message.").expect("the reply");
        assert!(first < second, "messages in the order they were written");
        assert!(html.contains("badge-open\" id=\"ticket-status\">Open<"), "{html}");
        assert_eq!(message_count(&app, ticket), 2);
    }

    async fn empty_and_oversized_replies_are_refused_with_nothing_stored(app) {
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let ticket = open_ticket(&app, ada, "Engine will not start", "First message.");
        let client = signed_in_customer(&app, "ada@example.com").await;
        let page = format!("/portal/tickets/{ticket}");
        let empty = post_as(&app, &client, &format!("{page}/reply"), &page, &[("body", "   ")]).await;
        assert_eq!(empty.status().as_u16(), 422);
        assert!(empty.text().await.unwrap().contains("Write a message before sending it."));
        let long = "x".repeat(64 * 1024 + 1);
        let too_long = post_as(&app, &client, &format!("{page}/reply"), &page, &[("body", &long)]).await;
        assert_eq!(too_long.status().as_u16(), 413);
        assert!(too_long.text().await.unwrap().contains("This message is too long: shorten it by about 1% and send it again."));
        let huge = "y".repeat(5 * 1024 * 1024);
        let several_mib = post_as(&app, &client, &format!("{page}/reply"), &page, &[("body", &huge)]).await;
        assert_eq!(several_mib.status().as_u16(), 413);
        assert!(several_mib.text().await.unwrap().contains("larger than"));
        assert_eq!(message_count(&app, ticket), 1, "nothing was stored");
    }

    async fn a_customer_submits_a_ticket_and_filters_the_list(app) {
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let old = open_ticket(&app, ada, "An old question", "Long answered.");
        close_ticket(&app, old);
        let client = signed_in_customer(&app, "ada@example.com").await;
        let form = get_as(&app, &client, "/portal/tickets/new").await;
        assert_eq!(form.0, 200);
        let invalid = post_as(&app, &client, "/portal/tickets/new", "/portal/tickets/new", &[("subject", ""), ("message", "Keep this text")]).await;
        assert_eq!(invalid.status().as_u16(), 422);
        let invalid = invalid.text().await.unwrap();
        assert!(invalid.contains("Enter a subject.") && invalid.contains("Keep this text</textarea>"));
        let long_subject = "s".repeat(201);
        assert_eq!(post_as(&app, &client, "/portal/tickets/new", "/portal/tickets/new", &[("subject", &long_subject), ("message", "Body")]).await.status().as_u16(), 422);

        let created = post_as(&app, &client, "/portal/tickets/new", "/portal/tickets/new", &[("subject", "Printer on fire"), ("message", "Smoke everywhere.")]).await;
        assert_eq!(created.status().as_u16(), 303);
        let page = location(&created);
        let html = get_as(&app, &client, &page).await.1;
        assert!(html.contains("Printer on fire") && html.contains("Smoke everywhere.") && html.contains(">Open<"));

        let open = get_as(&app, &client, "/portal?status=open").await.1;
        assert!(open.contains("Printer on fire") && !open.contains("An old question"));
        let closed = get_as(&app, &client, "/portal?status=closed").await.1;
        assert!(closed.contains("An old question") && !closed.contains("Printer on fire"));
        assert!(closed.contains("badge-closed\">Closed<"));
        let all = get_as(&app, &client, "/portal").await.1;
        assert!(all.contains("An old question") && all.contains("Printer on fire"));
        assert!(all.contains("All (2)") && all.contains("Open (1)") && all.contains("Closed (1)"));
    }

    async fn the_knowledge_base_finds_published_articles_and_never_drafts(app) {
        {
            let mut conn = app.pool.get().unwrap();
            for (title, slug, body, published) in [
                ("Resetting your Router", "resetting-your-router", "Hold the **reset** button for 10 seconds.", true),
                ("Billing cycles", "billing-cycles", "Invoices go out monthly. The ROUTER is not billed.", true),
                ("Upcoming router firmware", "upcoming-router-firmware", "Secret roadmap.", false),
                ("ÜBER UNS", "uber-uns", "Wir sind ein kleines Team.", true),
            ] {
                NewArticle { title, slug, category: "Devices", body, published, created_at: now(), updated_at: now() }.insert(&mut conn).unwrap();
            }
        }
        let visitor = new_client();
        let (status, index) = get_as(&app, &visitor, "/portal/knowledge-base").await;
        assert_eq!(status, 200, "the knowledge base is public");
        assert!(index.contains("Devices") && index.contains("Resetting your Router") && !index.contains("Upcoming router firmware"));
        let (status, found) = get_as(&app, &visitor, "/portal/knowledge-base?q=rOuTeR").await;
        assert_eq!(status, 200);
        assert!(found.contains("href=\"/portal/knowledge-base/resetting-your-router\""), "found by title");
        assert!(found.contains("href=\"/portal/knowledge-base/billing-cycles\""), "found by body");
        assert!(!found.contains("upcoming-router-firmware"), "never a draft");
        let title_first = found.find("resetting-your-router").unwrap() < found.find("billing-cycles").unwrap();
        assert!(title_first, "a title match ranks above a body match: {found}");
        assert!(found.contains("<mark>ROUTER</mark>"), "a snippet shows the word in its body: {found}");
        let (_, stemmed) = get_as(&app, &visitor, "/portal/knowledge-base?q=how+to+reset+the+routers").await;
        assert!(stemmed.contains("href=\"/portal/knowledge-base/resetting-your-router\""), "words, not a phrase: reset finds Resetting, routers finds Router: {stemmed}");
        assert!(!stemmed.contains("billing-cycles"), "every word must be there");
        let nothing = get_as(&app, &visitor, "/portal/knowledge-base?q=%25").await.1;
        assert!(nothing.contains("No article matches"), "symbols alone find nothing");
        let german = get_as(&app, &visitor, "/portal/knowledge-base?q=%C3%BCber").await.1;
        assert!(german.contains("href=\"/portal/knowledge-base/uber-uns\""), "case is ignored beyond ASCII too (über finds ÜBER)");

        let (status, article) = get_as(&app, &visitor, "/portal/knowledge-base/resetting-your-router").await;
        assert_eq!(status, 200);
        assert!(article.contains("<strong>reset</strong>"), "rendered from Markdown");
        assert_eq!(get_as(&app, &visitor, "/portal/knowledge-base/upcoming-router-firmware").await.0, 404);

        add_customer(&app, "Ada Lovelace", "ada@example.com");
        let customer = signed_in_customer(&app, "ada@example.com").await;
        let inside = get_as(&app, &customer, "/portal/knowledge-base").await.1;
        assert!(inside.contains("Ada Lovelace") && inside.contains("My tickets"), "a customer reads it in their own layout");
    }

    async fn customer_and_agent_sessions_stay_apart(app) {
        add_customer(&app, "Ada Lovelace", "ada@example.com");
        let customer = signed_in_customer(&app, "ada@example.com").await;
        for page in ["/contacts", "/tickets", "/knowledge-base"] {
            let response = customer.get(app.url(page)).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 303, "{page}");
            assert!(location(&response).starts_with("/login"), "{page}");
        }
        app.sign_in_agent(false).await;
        let response = app.get("/portal").await;
        assert_eq!(response.status().as_u16(), 303, "an agent is not a customer");
        assert_eq!(location(&response), "/portal/login?next=%2Fportal");
        assert_eq!(app.get("/portal/account").await.status().as_u16(), 303);
    }

    async fn the_limit_on_reset_emails_holds_across_instances(app) {
        add_customer(&app, "Grace Hopper", "grace@navy.example");
        let second = app.another_instance().await;
        let ask_at = |base: String| async move {
            let client = new_client();
            let form = client.get(format!("{base}/portal/password/forgot")).send().await.unwrap().text().await.unwrap();
            let fields = [("csrf_token", csrf_token_in(&form)), ("email", "grace@navy.example".to_owned())];
            client.post(format!("{base}/portal/password/forgot")).form(&fields).send().await.unwrap().status().as_u16()
        };
        for base in [&app.address, &second, &app.address] {
            assert_eq!(ask_at(base.clone()).await, 200, "{base}");
        }
        assert_eq!(ask_at(second.clone()).await, 429, "the other instance counts the first's requests");
        assert_eq!(ask_at(app.address.clone()).await, 429);
        app.smtp.wait_for_messages(3, Duration::from_secs(5)).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(app.smtp.messages().len(), 3, "Grace got three emails in all");
    }

    async fn a_customer_signs_out_of_their_other_sessions_and_keeps_their_password(app) {
        add_customer(&app, "Ada Lovelace", "ada@example.com");
        let library_computer = signed_in_customer(&app, "ada@example.com").await;
        let laptop = signed_in_customer(&app, "ada@example.com").await;
        let page = get_as(&app, &laptop, "/portal/account").await.1;
        assert!(page.contains("<h2 id=\"sessions-title\">Where you're signed in</h2>") && page.contains("Sign out other sessions</button>"));

        let ended = post_as(&app, &laptop, "/portal/account/sessions/sign-out-others", "/portal/account", &[]).await;
        assert_eq!(ended.status().as_u16(), 303);
        assert_eq!(location(&ended), "/portal/account");
        let (status, page) = get_as(&app, &laptop, "/portal/account").await;
        assert_eq!(status, 200, "this session goes on");
        assert!(page.contains("You have been signed out of your other sessions. This one goes on."));
        assert_eq!(get_as(&app, &library_computer, "/portal").await.0, 303, "the other session has ended");

        let again = new_client();
        assert_eq!(sign_in(&app, &again, "ada@example.com", PASSWORD).await.status().as_u16(), 303, "the password is unchanged");
        assert_eq!(get_as(&app, &again, "/portal").await.0, 200);
        assert_eq!(get_as(&app, &laptop, "/portal").await.0, 200);
    }

    async fn a_new_password_signs_out_the_customers_other_sessions(app) {
        add_customer(&app, "Ada Lovelace", "ada@example.com");
        let laptop = signed_in_customer(&app, "ada@example.com").await;
        let phone = signed_in_customer(&app, "ada@example.com").await;
        let changed = post_as(&app, &laptop, "/portal/account", "/portal/account", &[("section", "password"), ("current_password", PASSWORD), ("password", NEW_PASSWORD), ("password_confirmation", NEW_PASSWORD)]).await;
        assert_eq!(changed.status().as_u16(), 303);
        let (status, page) = get_as(&app, &laptop, "/portal/account").await;
        assert_eq!(status, 200, "the session that changed it goes on");
        assert!(page.contains("Your password has been changed."));
        let (status, _) = get_as(&app, &phone, "/portal/tickets/new").await;
        assert_eq!(status, 303, "a session from before the change has ended");
        assert_eq!(get_as(&app, &phone, "/portal/account").await.0, 303, "and stays ended");

        // A reset through an emailed link ends the sessions from before it, the changer's too.
        let phone = new_client();
        assert_eq!(sign_in(&app, &phone, "ada@example.com", NEW_PASSWORD).await.status().as_u16(), 303);
        ask_for_reset(&app, &new_client(), "ada@example.com").await;
        let link = path_of(&link_in(&app.smtp.wait_for_messages(1, Duration::from_secs(5)).await[0].data, "/portal/password/reset/"));
        let stranger = new_client();
        let reset = post_as(&app, &stranger, &link, &link, &[("password", PASSWORD), ("password_confirmation", PASSWORD)]).await;
        assert_eq!(reset.status().as_u16(), 303);
        assert_eq!(get_as(&app, &stranger, "/portal/account").await.0, 200, "the reset signs its browser in");
        assert_eq!(get_as(&app, &phone, "/portal/account").await.0, 303);
        assert_eq!(get_as(&app, &laptop, "/portal/account").await.0, 303);
    }

    async fn a_customer_changes_their_name_and_password(app) {
        let id = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let client = signed_in_customer(&app, "ada@example.com").await;
        let (status, page) = get_as(&app, &client, "/portal/account").await;
        assert_eq!(status, 200);
        assert!(page.contains("value=\"Ada Lovelace\"") && page.contains("value=\"ada@example.com\" readonly"));

        let empty = post_as(&app, &client, "/portal/account", "/portal/account", &[("section", "name"), ("name", " ")]).await;
        assert_eq!(empty.status().as_u16(), 422);
        assert!(empty.text().await.unwrap().contains("id=\"name-error\">Enter your name."));
        let renamed = post_as(&app, &client, "/portal/account", "/portal/account", &[("section", "name"), ("name", "Augusta Ada King")]).await;
        assert_eq!(location(&renamed), "/portal/account");
        let page = get_as(&app, &client, "/portal/account").await.1;
        assert!(page.contains("Your name has been updated.") && page.contains("value=\"Augusta Ada King\""));
        assert_eq!(contacts_with_email(&app, "ada@example.com"), vec![(id, "activated".to_owned())]);

        let wrong = post_as(&app, &client, "/portal/account", "/portal/account", &[("section", "password"), ("current_password", "not my password"), ("password", NEW_PASSWORD), ("password_confirmation", "different")]).await;
        assert_eq!(wrong.status().as_u16(), 422);
        let wrong = wrong.text().await.unwrap();
        assert!(wrong.contains("id=\"current-error\">Your current password is not right."));
        assert!(wrong.contains("id=\"confirm-error\">The two passwords do not match."));
        assert!(wrong.contains("value=\"Augusta Ada King\""));
        let changed = post_as(&app, &client, "/portal/account", "/portal/account", &[("section", "password"), ("current_password", PASSWORD), ("password", NEW_PASSWORD), ("password_confirmation", NEW_PASSWORD)]).await;
        assert_eq!(changed.status().as_u16(), 303);
        assert!(get_as(&app, &client, "/portal/account").await.1.contains("Your password has been changed."));
        assert_eq!(sign_in(&app, &new_client(), "ada@example.com", PASSWORD).await.status().as_u16(), 401);
        assert_eq!(sign_in(&app, &new_client(), "ada@example.com", NEW_PASSWORD).await.status().as_u16(), 303);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_behind_a_trusted_proxy_are_limited_one_by_one() {
    let proxied = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |settings| {
        settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let first = crate::helpers::visitor_behind_proxy("198.51.100.1");
    // Twenty reset requests an hour per client, each for a different address (three each).
    for n in 0..20 {
        let asked = ask_for_reset(&proxied, &first, &format!("someone{n}@example.com")).await;
        assert_eq!(asked.status().as_u16(), 200, "request {n}");
    }
    let over = ask_for_reset(&proxied, &first, "one.more@example.com").await;
    assert_eq!(
        over.status().as_u16(),
        429,
        "one visitor's own limit still holds"
    );
    let second = crate::helpers::visitor_behind_proxy("198.51.100.2");
    let other = ask_for_reset(&proxied, &second, "one.more@example.com").await;
    assert_eq!(
        other.status().as_u16(),
        200,
        "the next visitor through the same proxy is not refused"
    );

    // Without the setting, anyone could name any client: the header is ignored.
    let direct = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    for n in 0..20 {
        let visitor = crate::helpers::visitor_behind_proxy(&format!("198.51.100.{n}"));
        let asked = ask_for_reset(&direct, &visitor, &format!("someone{n}@example.com")).await;
        assert_eq!(asked.status().as_u16(), 200, "request {n}");
    }
    let spoofing = crate::helpers::visitor_behind_proxy("203.0.113.77");
    let refused = ask_for_reset(&direct, &spoofing, "one.more@example.com").await;
    assert_eq!(refused.status().as_u16(), 429);
}
