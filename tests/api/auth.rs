use crate::helpers::{
    csrf_token_in, location, post_as, postgres_available, spawn_app_with, visitor_behind_proxy,
    Backend, TestApp, AGENT_PASSWORD,
};
use crate::on_both_backends;

on_both_backends! {
    async fn an_agent_signs_in_and_lands_on_contacts(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let response = app.post_login("Ada@Portico.test", AGENT_PASSWORD).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), "/contacts");
        let html = app.get_html("/contacts").await;
        assert!(html.contains("Ada Lovelace"), "the layout shows who is signed in");
        assert!(html.contains("<h1>Contacts</h1>"));
        assert!(html.contains(">Sign out<"));
    }

    async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let wrong_password = app.post_login("ada@portico.test", "not the password").await;
        assert_eq!(wrong_password.status().as_u16(), 401);
        let wrong_password = wrong_password.text().await.unwrap();
        assert!(wrong_password.contains("Incorrect email or password."));
        assert!(wrong_password.contains("value=\"ada@portico.test\""), "the typed email is kept");

        let unknown = app.post_login("nobody@portico.test", "not the password").await;
        assert_eq!(unknown.status().as_u16(), 401);
        assert!(unknown.text().await.unwrap().contains("Incorrect email or password."));
        assert_eq!(app.get("/contacts").await.status().as_u16(), 303, "still signed out");
    }

    async fn repeated_failures_lock_an_address_for_fifteen_minutes(app) {
        use diesel::prelude::*;
        use portico::db::schema::sign_in_failures;
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        app.create_agent("grace@portico.test", "Grace Hopper", false);

        // A typo or two is forgotten once the owner signs in.
        for _ in 0..9 {
            assert_eq!(app.post_login("ada@portico.test", "a wrong guess").await.status().as_u16(), 401);
        }
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303);
        assert_eq!(app.post_form("/logout", "/contacts", &[]).await.status().as_u16(), 303);
        for attempt in 1..=10 {
            let guess = app.post_login("ada@portico.test", "a wrong guess").await;
            assert_eq!(guess.status().as_u16(), 401, "guess {attempt} is only wrong");
        }

        let refused = app.post_login(" Ada@Portico.test", AGENT_PASSWORD).await;
        assert_eq!(refused.status().as_u16(), 429, "the right password no longer gets in");
        let retry_after: i64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry_after), "Retry-After: {retry_after}");
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Too many failed sign-in attempts for this email. Try again in 15 minutes."), "{refused}");
        assert!(refused.contains("value=\" Ada@Portico.test\""), "the typed email is kept");
        assert_eq!(app.get("/contacts").await.status().as_u16(), 303, "not signed in");

        // An address without an account is limited the same way, so the limit tells nothing.
        for _ in 0..10 {
            assert_eq!(app.post_login("nobody@portico.test", "a wrong guess").await.status().as_u16(), 401);
        }
        let unknown = app.post_login("nobody@portico.test", "a wrong guess").await;
        assert_eq!(unknown.status().as_u16(), 429);
        assert_eq!(
            unknown.text().await.unwrap().replace("nobody@portico.test", "x"),
            refused.replace(" Ada@Portico.test", "x"),
        );

        let grace = app.post_login("grace@portico.test", AGENT_PASSWORD).await;
        assert_eq!(grace.status().as_u16(), 303, "other addresses sign in as usual");
        assert_eq!(app.post_form("/logout", "/contacts", &[]).await.status().as_u16(), 303);

        // Fifteen minutes after the failures, the address may try again.
        let mut conn = app.pool.get().unwrap();
        diesel::update(sign_in_failures::table)
            .set(sign_in_failures::failed_at.eq(portico::db::now() - chrono::Duration::minutes(16)))
            .execute(&mut conn)
            .unwrap();
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303);
    }

    async fn guesses_sent_at_once_get_no_more_than_the_limit(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let token = csrf_token_in(&app.get_html("/login").await);
        let guesses: Vec<_> = (0..25)
            .map(|_| {
                let (client, url, token) = (app.client.clone(), app.url("/login"), token.clone());
                tokio::spawn(async move {
                    let form = [("csrf_token", token.as_str()), ("email", "ada@portico.test"), ("password", "a wrong guess")];
                    client.post(url).form(&form).send().await.unwrap().status().as_u16()
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for guess in guesses {
            statuses.push(guess.await.unwrap());
        }
        let checked = statuses.iter().filter(|status| **status == 401).count();
        let refused = statuses.iter().filter(|status| **status == 429).count();
        assert_eq!((checked, refused), (10, 15), "{statuses:?}");
    }

    async fn an_agent_signs_out_of_their_other_sessions_and_keeps_their_password(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let shared_computer = crate::helpers::new_client();
        let form = shared_computer.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let fields = [("csrf_token", csrf_token_in(&form)), ("email", "ada@portico.test".to_owned()), ("password", AGENT_PASSWORD.to_owned())];
        assert_eq!(shared_computer.post(app.url("/login")).form(&fields).send().await.unwrap().status().as_u16(), 303);
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303);
        let page = app.get_html("/profile/password").await;
        assert!(page.contains("action=\"/profile/sessions/sign-out-others\"") && page.contains("Sign out other sessions</button>"));

        let ended = app.post_form("/profile/sessions/sign-out-others", "/profile/password", &[]).await;
        assert_eq!(ended.status().as_u16(), 303);
        assert_eq!(location(&ended), "/profile/password");
        assert!(app.get_html("/profile/password").await.contains("You have been signed out of your other sessions. This one goes on."));
        assert_eq!(app.get("/contacts").await.status().as_u16(), 200, "this browser stays signed in");
        let elsewhere = shared_computer.get(app.url("/contacts")).send().await.unwrap();
        assert_eq!(elsewhere.status().as_u16(), 303, "the shared computer's session has ended");
        assert!(location(&elsewhere).starts_with("/login"));

        assert_eq!(app.post_form("/logout", "/contacts", &[]).await.status().as_u16(), 303);
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303, "the password is unchanged");

        app.create_agent("admin@portico.test", "Grace Admin", true);
        assert_eq!(app.post_form("/logout", "/contacts", &[]).await.status().as_u16(), 303);
        assert_eq!(app.post_login("admin@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303);
        let log = app.get_html("/settings/audit?action=agent.signed_out_elsewhere").await;
        assert!(log.contains("<td>Ada Lovelace</td>\n      <td>Agent signed out of their other sessions</td>"), "{log}");
    }

    async fn an_agent_changes_their_password_and_their_other_sessions_end(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let other_browser = crate::helpers::new_client();
        let form = other_browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let fields = [("csrf_token", csrf_token_in(&form)), ("email", "ada@portico.test".to_owned()), ("password", AGENT_PASSWORD.to_owned())];
        assert_eq!(other_browser.post(app.url("/login")).form(&fields).send().await.unwrap().status().as_u16(), 303);
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303);
        let contacts = app.get_html("/contacts").await;
        assert!(contacts.contains("href=\"/profile/password\">Profile</a>"), "linked beside the agent's name");

        let new_password = "a brand new agent passphrase";
        let wrong = app.post_form("/profile/password", "/profile/password", &[("current_password", "not it"), ("password", new_password), ("password_confirmation", "something else")]).await;
        assert_eq!(wrong.status().as_u16(), 422);
        let wrong = wrong.text().await.unwrap();
        assert!(wrong.contains("id=\"current-error\">Your current password is not right."), "{wrong}");
        assert!(wrong.contains("id=\"confirm-error\">The two passwords do not match."));
        let short = app.post_form("/profile/password", "/profile/password", &[("current_password", AGENT_PASSWORD), ("password", "short"), ("password_confirmation", "short")]).await;
        assert_eq!(short.status().as_u16(), 422);
        assert!(short.text().await.unwrap().contains("id=\"password-error\">Use at least 12 characters."));

        let changed = app.post_form("/profile/password", "/profile/password", &[("current_password", AGENT_PASSWORD), ("password", new_password), ("password_confirmation", new_password)]).await;
        assert_eq!(changed.status().as_u16(), 303);
        assert_eq!(location(&changed), "/profile/password");
        assert!(app.get_html("/profile/password").await.contains("Your password has been changed."));
        assert_eq!(app.get("/contacts").await.status().as_u16(), 200, "this browser stays signed in");
        let ended = other_browser.get(app.url("/accounts")).send().await.unwrap();
        assert_eq!(ended.status().as_u16(), 303, "the other browser's session has ended");
        assert!(location(&ended).starts_with("/login"));
        assert_eq!(other_browser.get(app.url("/contacts")).send().await.unwrap().status().as_u16(), 303);

        assert_eq!(app.post_form("/logout", "/contacts", &[]).await.status().as_u16(), 303);
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 401);
        assert_eq!(app.post_login("ada@portico.test", new_password).await.status().as_u16(), 303);

        app.create_agent("admin@portico.test", "Grace Admin", true);
        assert_eq!(app.post_form("/logout", "/contacts", &[]).await.status().as_u16(), 303);
        assert_eq!(app.post_login("admin@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303);
        let audit = app.get_html("/settings/audit?action=agent.password_changed").await;
        assert!(audit.contains("<td>Ada Lovelace</td>\n      <td>Agent changed their password</td>"), "{audit}");
    }

    async fn a_disabled_agent_cannot_sign_in(app) {
        let id = app.create_agent("gone@portico.test", "Gone Agent", false);
        {
            use diesel::prelude::*;
            use portico::db::schema::agents;
            let mut conn = app.pool.get().unwrap();
            diesel::update(agents::table.find(id))
                .set(agents::disabled_at.eq(portico::db::now()))
                .execute(&mut conn)
                .unwrap();
        }
        let response = app.post_login("gone@portico.test", AGENT_PASSWORD).await;
        assert_eq!(response.status().as_u16(), 401);
    }

    async fn a_post_without_a_valid_csrf_token_is_refused(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        app.get("/login").await;
        let missing = app
            .client
            .post(app.url("/login"))
            .form(&[("email", "ada@portico.test"), ("password", AGENT_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status().as_u16(), 403);
        assert!(missing.text().await.unwrap().contains("This form has expired"));

        let forged = app
            .client
            .post(app.url("/login"))
            .form(&[("csrf_token", "forged-token"), ("email", "ada@portico.test"), ("password", AGENT_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 403);

        // A token from another browser's session is as good as none.
        let other_browser = crate::helpers::new_client();
        let other_page = other_browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let foreign = app
            .client
            .post(app.url("/login"))
            .form(&[("csrf_token", csrf_token_in(&other_page).as_str()), ("email", "ada@portico.test"), ("password", AGENT_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status().as_u16(), 403);
        assert_eq!(app.get("/contacts").await.status().as_u16(), 303, "none of them signed in");
    }

    async fn anonymous_visitors_are_sent_to_sign_in_and_back(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        for page in ["/contacts", "/accounts", "/tickets", "/knowledge-base", "/settings"] {
            let response = app.get(page).await;
            assert_eq!(response.status().as_u16(), 303, "{page}");
            let expected = format!("/login?next=%2F{}", &page[1..]);
            assert_eq!(location(&response), expected);
        }
        let response = app
            .post_form("/login", "/login?next=/accounts", &[
                ("email", "ada@portico.test"),
                ("password", AGENT_PASSWORD),
                ("next", "/accounts"),
            ])
            .await;
        assert_eq!(location(&response), "/accounts");
    }

    async fn an_offsite_next_is_ignored(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let response = app
            .post_form("/login", "/login", &[
                ("email", "ada@portico.test"),
                ("password", AGENT_PASSWORD),
                ("next", "//evil.example/phish"),
            ])
            .await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), "/contacts");
    }

    async fn signing_out_ends_the_session(app) {
        app.sign_in_agent(false).await;
        assert_eq!(app.get("/contacts").await.status().as_u16(), 200);
        let response = app.post_form("/logout", "/contacts", &[]).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), "/login?signed_out=1");
        assert!(app.get_html("/login?signed_out=1").await.contains("You have signed out."));
        assert_eq!(app.get("/contacts").await.status().as_u16(), 303);
    }

    async fn settings_are_for_admins_only(app) {
        app.sign_in_agent(false).await;
        let html = app.get_html("/contacts").await;
        assert!(!html.contains("href=\"/settings\""), "agents do not see Settings");
        let response = app.get("/settings").await;
        assert_eq!(response.status().as_u16(), 403);
    }
}

on_both_backends! {
    async fn an_oversized_form_gets_a_413_page(app) {
        app.get("/login").await;
        let token = csrf_token_in(&app.get_html("/login").await);
        let huge = "x".repeat(300 * 1024);
        let response = app
            .client
            .post(app.url("/login"))
            .form(&[("csrf_token", token.as_str()), ("email", huge.as_str()), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 413);
        assert!(response.text().await.unwrap().contains("Form too large"));
    }

    async fn a_malformed_form_gets_a_400_page(app) {
        let response = app.post_form("/login", "/login", &[("email", "ada@portico.test")]).await;
        assert_eq!(response.status().as_u16(), 400);
        assert!(response.text().await.unwrap().contains("The form could not be read"));
    }

    async fn the_session_cookie_is_http_only_and_same_site(app) {
        let response = app.get("/login").await;
        let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
        assert!(cookie.starts_with("portico_session="));
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"), "plain http in tests");
    }
}

/// Signs in to the agents' page as `visitor` and answers the attempt's status and page.
async fn agent_sign_in(
    app: &TestApp,
    visitor: &reqwest::Client,
    email: &str,
    password: &str,
) -> (u16, String) {
    let fields = [("email", email), ("password", password)];
    let answer = post_as(app, visitor, "/login", "/login", &fields).await;
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// Someone guessing an agent's password from one network locks out only that network; guesses
/// spread over many networks, or one network trying many addresses, are limited too.
async fn guessing_is_limited_per_network_and_the_owner_still_signs_in(backend: Backend) {
    let app = spawn_app_with(backend, |settings| {
        settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    app.create_agent("grace@portico.test", "Grace Hopper", false);

    let guesser = visitor_behind_proxy("198.51.100.7");
    for guess in 1..=10 {
        assert_eq!(
            agent_sign_in(&app, &guesser, "ada@portico.test", "a wrong guess")
                .await
                .0,
            401,
            "guess {guess}"
        );
    }
    let (status, page) = agent_sign_in(&app, &guesser, "ada@portico.test", AGENT_PASSWORD).await;
    assert_eq!(
        status, 429,
        "the guesser's network is refused even the right password"
    );
    assert!(
        page.contains("Too many failed sign-in attempts for this email."),
        "{page}"
    );

    let ada = visitor_behind_proxy("203.0.113.5");
    assert_eq!(
        agent_sign_in(&app, &ada, "ada@portico.test", AGENT_PASSWORD)
            .await
            .0,
        303,
        "Ada signs in from her own network"
    );
    assert_eq!(
        agent_sign_in(&app, &guesser, "ada@portico.test", AGENT_PASSWORD)
            .await
            .0,
        429,
        "her signing in does not forgive the guesser",
    );

    // One network trying a list of addresses: 50 failures across them, then none may be tried.
    let sprayer = visitor_behind_proxy("198.51.100.8");
    for n in 1..=50 {
        let address = format!("someone{n}@portico.test");
        assert_eq!(
            agent_sign_in(&app, &sprayer, &address, "password1").await.0,
            401,
            "address {n}"
        );
    }
    let (status, page) = agent_sign_in(&app, &sprayer, "grace@portico.test", AGENT_PASSWORD).await;
    assert_eq!(status, 429);
    assert!(
        page.contains(
            "Too many failed sign-in attempts from your network. Try again in 15 minutes."
        ),
        "{page}"
    );
    let grace = visitor_behind_proxy("203.0.113.6");
    assert_eq!(
        agent_sign_in(&app, &grace, "grace@portico.test", AGENT_PASSWORD)
            .await
            .0,
        303,
        "other networks are not refused"
    );

    // Guesses at one address spread over many networks: 100 failures in all, then it is refused
    // from everywhere until they age.
    for network in 1..=10 {
        let guesser = visitor_behind_proxy(&format!("192.0.2.{network}"));
        for guess in 1..=10 {
            let status = agent_sign_in(&app, &guesser, "grace@portico.test", "a wrong guess")
                .await
                .0;
            assert_eq!(status, 401, "network {network}, guess {guess}");
        }
    }
    let elsewhere = visitor_behind_proxy("203.0.113.99");
    let (status, page) =
        agent_sign_in(&app, &elsewhere, "grace@portico.test", AGENT_PASSWORD).await;
    assert_eq!(status, 429, "a network that never failed is refused too");
    assert!(
        page.contains("Too many failed sign-in attempts for this email."),
        "{page}"
    );
    assert_eq!(
        agent_sign_in(&app, &elsewhere, "ada@portico.test", AGENT_PASSWORD)
            .await
            .0,
        303,
        "only that address"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_is_limited_per_network_on_sqlite() {
    guessing_is_limited_per_network_and_the_owner_still_signs_in(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_is_limited_per_network_on_postgres() {
    if postgres_available() {
        guessing_is_limited_per_network_and_the_owner_still_signs_in(Backend::Postgres).await;
    }
}

/// A sign-in records the attempt, so it waits for another program's write lock (SQLite's one
/// writer; on PostgreSQL a lock on the table of failed sign-ins), for at most 10 seconds
/// (`busy_timeout`, `lock_timeout`), and past that answers that Portico is busy.
async fn a_sign_in_blocked_by_another_writer_is_told_to_try_again(
    backend: Backend,
    take_lock: &str,
) {
    use diesel::connection::SimpleConnection;
    let app = crate::helpers::spawn_app(backend).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let mut writer = app.pool.get().unwrap();
    writer.batch_execute(take_lock).unwrap();

    let blocked = app.post_login("ada@portico.test", AGENT_PASSWORD).await;
    assert_eq!(blocked.status().as_u16(), 503);
    assert_eq!(blocked.headers()["retry-after"], "5");
    let page = blocked.text().await.unwrap();
    assert!(page.contains("Portico is busy with other changes right now, so nothing was saved. Try again in a moment."), "{page}");

    writer.batch_execute("ROLLBACK").unwrap();
    drop(writer);
    assert_eq!(
        app.post_login("ada@portico.test", AGENT_PASSWORD)
            .await
            .status()
            .as_u16(),
        303,
        "trying again works"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_blocked_by_another_writer_is_told_to_try_again_on_sqlite() {
    a_sign_in_blocked_by_another_writer_is_told_to_try_again(Backend::Sqlite, "BEGIN IMMEDIATE")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_blocked_by_another_writer_is_told_to_try_again_on_postgres() {
    if postgres_available() {
        let take_lock = "BEGIN; LOCK TABLE sign_in_failures IN ACCESS EXCLUSIVE MODE";
        a_sign_in_blocked_by_another_writer_is_told_to_try_again(Backend::Postgres, take_lock)
            .await;
    }
}
