//! Sessions end on the server: a copy of a cookie taken before signing out, disabling or
//! deactivating works no more, and "Where you're signed in" lists and ends sessions.

use diesel::prelude::*;
use fantoccini::Locator;
use portico::db::schema::{contacts, sessions};

use crate::browser::{self, wait_for, wait_for_text};
use crate::helpers::{
    csrf_token_in, get_as, location, new_client, post_as, spawn_app, Backend, TestApp,
    AGENT_PASSWORD,
};
use crate::journeys::sign_in;
use crate::on_both_backends;
use crate::settings::activated_customer;

/// A browser whose session cookie was copied: every request sends that cookie, as a thief
/// replaying it would, whatever the server answers.
struct CopiedCookie(String);

const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

impl CopiedCookie {
    /// Signs in at `login` (the agents' or the Help Center's page) and keeps the cookie.
    async fn sign_in(app: &TestApp, login: &str, email: &str, password: &str) -> CopiedCookie {
        CopiedCookie::sign_in_with(app, reqwest::Client::builder(), login, email, password).await
    }

    /// Signs an agent in from a browser that names itself `user_agent`.
    async fn sign_in_as(app: &TestApp, user_agent: &str, email: &str) -> CopiedCookie {
        CopiedCookie::sign_in_with(
            app,
            reqwest::Client::builder().user_agent(user_agent),
            "/login",
            email,
            AGENT_PASSWORD,
        )
        .await
    }

    async fn sign_in_with(
        app: &TestApp,
        builder: reqwest::ClientBuilder,
        login: &str,
        email: &str,
        password: &str,
    ) -> CopiedCookie {
        let plain = builder
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let form = plain.get(app.url(login)).send().await.unwrap();
        let first = cookie_of(&form);
        let token = csrf_token_in(&form.text().await.unwrap());
        let signed_in = plain
            .post(app.url(login))
            .header("cookie", &first)
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status().as_u16(), 303, "{email} signs in");
        CopiedCookie(cookie_of(&signed_in))
    }

    async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        let plain = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        plain
            .get(app.url(path))
            .header("cookie", &self.0)
            .send()
            .await
            .unwrap()
    }

    async fn status_of(&self, app: &TestApp, path: &str) -> u16 {
        self.get(app, path).await.status().as_u16()
    }

    async fn post(
        &self,
        app: &TestApp,
        path: &str,
        csrf_token: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let plain = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut form = vec![("csrf_token", csrf_token)];
        form.extend_from_slice(fields);
        plain
            .post(app.url(path))
            .header("cookie", &self.0)
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

fn cookie_of(response: &reqwest::Response) -> String {
    let header = response
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap();
    header.split(';').next().unwrap().to_owned()
}

fn is_spam(app: &TestApp, id: i64) -> bool {
    app.with_connection(|conn| {
        contacts::table
            .find(id)
            .select(contacts::is_spam)
            .first(conn)
            .unwrap()
    })
}

on_both_backends! {
    async fn a_cookie_copied_before_signing_out_works_no_more(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        let copied = CopiedCookie::sign_in(&app, "/login", "ada@portico.test", AGENT_PASSWORD).await;
        let page = copied.get(&app, "/contacts").await;
        assert_eq!(page.status().as_u16(), 200);
        let token = csrf_token_in(&page.text().await.unwrap());

        let signed_out = copied.post(&app, "/logout", &token, &[]).await;
        assert_eq!(location(&signed_out), "/login?signed_out=1");

        let replayed = copied.get(&app, "/contacts").await;
        assert_eq!(replayed.status().as_u16(), 303, "the copy reads nothing");
        assert!(location(&replayed).starts_with("/login"));
        let spam = copied.post(&app, &format!("/contacts/{grace}/spam"), &token, &[]).await;
        assert_eq!(spam.status().as_u16(), 303);
        assert!(location(&spam).starts_with("/login"), "the copy changes nothing");
        assert!(!is_spam(&app, grace));
    }

    async fn disabling_an_agent_ends_their_sessions_for_good(app) {
        let admin = app.sign_in_agent(true).await;
        let nina = app.create_agent("nina@portico.test", "Nina Agent", false);
        let copied = CopiedCookie::sign_in(&app, "/login", "nina@portico.test", AGENT_PASSWORD).await;
        assert_eq!(copied.status_of(&app, "/contacts").await, 200);
        assert_eq!(app.post_form(&format!("/settings/agents/{nina}/disable"), "/settings", &[]).await.status().as_u16(), 303);
        assert_eq!(copied.status_of(&app, "/contacts").await, 303);
        assert_eq!(app.post_form(&format!("/settings/agents/{nina}/enable"), "/settings", &[]).await.status().as_u16(), 303);
        assert_eq!(copied.status_of(&app, "/contacts").await, 303, "enabling her again does not bring the old session back");
        assert_ne!(admin, nina);
        let again = CopiedCookie::sign_in(&app, "/login", "nina@portico.test", AGENT_PASSWORD).await;
        assert_eq!(again.status_of(&app, "/contacts").await, 200, "she signs in afresh");
    }

    async fn deactivating_a_customer_ends_their_sessions_for_good(app) {
        app.sign_in_agent(false).await;
        let (grace, _) = activated_customer(&app, "Grace Hopper", "grace@navy.example").await;
        let copied = CopiedCookie::sign_in(&app, "/portal/login", "grace@navy.example", "a long enough password").await;
        assert_eq!(copied.status_of(&app, "/portal").await, 200);
        app.post_form(&format!("/contacts/{grace}/portal/deactivate"), &format!("/contacts/{grace}"), &[]).await;
        app.post_form(&format!("/contacts/{grace}/portal/reactivate"), &format!("/contacts/{grace}"), &[]).await;
        assert_eq!(copied.status_of(&app, "/portal").await, 303, "reactivating does not bring the old session back");

        let customer = CopiedCookie::sign_in(&app, "/portal/login", "grace@navy.example", "a long enough password").await;
        let page = customer.get(&app, "/portal").await;
        let token = csrf_token_in(&page.text().await.unwrap());
        customer.post(&app, "/portal/logout", &token, &[]).await;
        assert_eq!(customer.status_of(&app, "/portal").await, 303, "a copy taken before signing out works no more");
    }

    async fn where_youre_signed_in_lists_each_browser_and_signs_one_out(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let laptop = new_client();
        let fields = [("email", "ada@portico.test"), ("password", AGENT_PASSWORD)];
        assert_eq!(post_as(&app, &laptop, "/login", "/login", &fields).await.status().as_u16(), 303);
        let phone = CopiedCookie::sign_in_as(&app, IPHONE, "ada@portico.test").await;

        let (_, page) = get_as(&app, &laptop, "/profile/password").await;
        assert!(page.contains("Where you're signed in"), "{page}");
        assert!(page.contains("Safari on iPhone"), "the phone is named: {page}");
        assert!(page.contains("<strong>This browser</strong>"));
        assert_eq!(page.matches("/sign-out\">").count(), 1, "one other session to sign out");
        let phone_session: i64 = app.with_connection(|conn| sessions::table.filter(sessions::user_agent.like("%iPhone%")).select(sessions::id).first(conn).unwrap());
        assert!(page.contains(&format!("action=\"/profile/sessions/{phone_session}/sign-out\"")));

        let ended = post_as(&app, &laptop, &format!("/profile/sessions/{phone_session}/sign-out"), "/profile/password", &[]).await;
        assert_eq!(location(&ended), "/profile/password");
        assert_eq!(phone.status_of(&app, "/contacts").await, 303, "the phone is signed out");
        let (_, page) = get_as(&app, &laptop, "/profile/password").await;
        assert!(page.contains("That browser has been signed out."));
        assert!(!page.contains("iPhone"));

        // Another agent cannot end Ada's session by its number.
        app.create_agent("nina@portico.test", "Nina Agent", false);
        let nina = CopiedCookie::sign_in(&app, "/login", "nina@portico.test", AGENT_PASSWORD).await;
        let ada_session: i64 = app.with_connection(|conn| sessions::table.select(sessions::id).order(sessions::id).first(conn).unwrap());
        let token = csrf_token_in(&nina.get(&app, "/profile/password").await.text().await.unwrap());
        nina.post(&app, &format!("/profile/sessions/{ada_session}/sign-out"), &token, &[]).await;
        assert_eq!(get_as(&app, &laptop, "/contacts").await.0, 200, "Ada's session holds");
    }

    async fn a_session_idle_for_two_hours_ends_and_its_row_is_purged(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let idle = CopiedCookie::sign_in(&app, "/login", "ada@portico.test", AGENT_PASSWORD).await;
        let long_ago = portico::db::now() - chrono::Duration::hours(3);
        app.with_connection(|conn| diesel::update(sessions::table).set(sessions::last_seen_at.eq(long_ago)).execute(conn).unwrap());
        assert_eq!(idle.status_of(&app, "/contacts").await, 303);
        let stale = CopiedCookie::sign_in(&app, "/login", "ada@portico.test", AGENT_PASSWORD).await;
        let created_long_ago = portico::db::now() - chrono::Duration::hours(13);
        app.with_connection(|conn| diesel::update(sessions::table).set(sessions::created_at.eq(created_long_ago)).execute(conn).unwrap());
        assert_eq!(stale.status_of(&app, "/contacts").await, 303, "twelve hours is the most a session lasts");
        CopiedCookie::sign_in(&app, "/login", "ada@portico.test", AGENT_PASSWORD).await;
        let rows: i64 = app.with_connection(|conn| sessions::table.count().get_result(conn).unwrap());
        assert_eq!(rows, 1, "only the live session is kept");
    }
}

/// An agent signs out of a second browser from "Where you're signed in", in Chromium with
/// JavaScript on and off.
async fn an_agent_signs_out_another_browser_from_the_list(javascript: bool) {
    let Some(browser) = browser::launch_with(javascript).await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let other = CopiedCookie::sign_in(&app, "/login", "ada@portico.test", AGENT_PASSWORD).await;
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    page.find(Locator::LinkText("Profile"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        page,
        "//section[h2=\"Where you're signed in\"]//button[normalize-space()='Sign out']",
    )
    .await
    .click()
    .await
    .unwrap();
    wait_for_text(page, "That browser has been signed out.").await;
    assert_eq!(other.status_of(&app, "/contacts").await, 303);
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_out_another_browser_with_javascript() {
    an_agent_signs_out_another_browser_from_the_list(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_out_another_browser_without_javascript() {
    an_agent_signs_out_another_browser_from_the_list(false).await;
}

/// A customer who signed in on another computer signs it out from their Help Center account
/// page, in Chromium with JavaScript on and off.
async fn a_customer_signs_out_their_other_sessions(javascript: bool) {
    let Some(browser) = browser::launch_with(javascript).await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.sign_in_agent(false).await;
    activated_customer(&app, "Grace Hopper", "grace@navy.example").await;
    let password = "a long enough password";
    let library =
        CopiedCookie::sign_in(&app, "/portal/login", "grace@navy.example", password).await;
    assert_eq!(library.status_of(&app, "/portal").await, 200);

    let page = &browser.client;
    crate::browser::sign_in_customer(page, &app.url(""), "grace@navy.example", password).await;
    wait_for(page, "//a[normalize-space()='Grace Hopper']")
        .await
        .click()
        .await
        .unwrap();
    wait_for_text(page, "Where you're signed in").await;
    crate::browser::click_button(page, "Sign out other sessions").await;
    wait_for_text(page, "You have been signed out of your other sessions.").await;
    assert_eq!(
        library.status_of(&app, "/portal").await,
        303,
        "the other computer is signed out"
    );
    page.goto(&app.url("/portal")).await.unwrap();
    wait_for(page, "//h1[normalize-space()='My tickets']").await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_signs_out_other_sessions_with_javascript() {
    a_customer_signs_out_their_other_sessions(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_signs_out_other_sessions_without_javascript() {
    a_customer_signs_out_their_other_sessions(false).await;
}
