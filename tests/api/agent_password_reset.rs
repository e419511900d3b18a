//! "Forgot password?" on the agents' sign-in page: a link by email, once, for an hour.

use std::time::Duration;

use diesel::prelude::*;
use portico::db::schema::{agent_password_resets, agents};

use crate::helpers::{
    csrf_token_in, link_in, location, new_client, path_of, subject_of, AGENT_PASSWORD,
};
use crate::on_both_backends;

const NEW_PASSWORD: &str = "a fresh agent passphrase";

on_both_backends! {
    async fn an_agent_who_forgot_their_password_sets_a_new_one_from_an_emailed_link(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let laptop = new_client();
        let form = laptop.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("<a href=\"/password/forgot\">Forgot password?</a>"), "offered on the sign-in page");
        let fields = [("csrf_token", csrf_token_in(&form)), ("email", "ada@portico.test".to_owned()), ("password", AGENT_PASSWORD.to_owned())];
        assert_eq!(laptop.post(app.url("/login")).form(&fields).send().await.unwrap().status().as_u16(), 303);

        let typo = app.post_form("/password/forgot", "/password/forgot", &[("email", "ada at portico")]).await;
        assert_eq!(typo.status().as_u16(), 422);
        let typo = typo.text().await.unwrap();
        assert!(typo.contains("value=\"ada at portico\"") && typo.contains("id=\"email-error\""), "{typo}");

        let unknown = app.post_form("/password/forgot", "/password/forgot", &[("email", "nobody@portico.test")]).await;
        assert_eq!(unknown.status().as_u16(), 200);
        let unknown = unknown.text().await.unwrap();
        assert!(unknown.contains("If this address belongs to a Portico agent, we have sent it a link"));
        let asked = app.post_form("/password/forgot", "/password/forgot", &[("email", "Ada@Portico.test")]).await;
        assert_eq!(asked.status().as_u16(), 200);
        assert_eq!(
            asked.text().await.unwrap().replace("ada@portico.test", "x"),
            unknown.replace("nobody@portico.test", "x"),
            "the answer tells nothing about which addresses are agents'",
        );
        let mail = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(app.smtp.messages().len(), 1, "no mail for an address without an agent");
        assert_eq!(mail[0].rcpt_to, vec!["ada@portico.test".to_owned()]);
        assert_eq!(subject_of(&mail[0].data), "Reset your Portico password");
        let link = path_of(&link_in(&mail[0].data, "/password/reset/"));

        let stranger = new_client();
        let page = stranger.get(app.url(&link)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains("value=\"ada@portico.test\" readonly"), "{page}");
        let token = csrf_token_in(&page);
        let short = stranger.post(app.url(&link)).form(&[("csrf_token", token.as_str()), ("password", "short"), ("password_confirmation", "short")]).send().await.unwrap();
        assert_eq!(short.status().as_u16(), 422);
        assert!(short.text().await.unwrap().contains("id=\"password-error\">Use at least 12 characters."));
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303, "a refused form changes nothing");
        assert_eq!(app.post_form("/logout", "/contacts", &[]).await.status().as_u16(), 303);

        let set = stranger.post(app.url(&link)).form(&[("csrf_token", token.as_str()), ("password", NEW_PASSWORD), ("password_confirmation", NEW_PASSWORD)]).send().await.unwrap();
        assert_eq!(set.status().as_u16(), 303);
        assert_eq!(location(&set), "/contacts");
        let contacts = stranger.get(app.url("/contacts")).send().await.unwrap().text().await.unwrap();
        assert!(contacts.contains("Your password is set. You are signed in."), "signed in by the link");
        assert_eq!(laptop.get(app.url("/contacts")).send().await.unwrap().status().as_u16(), 303, "sessions from before have ended");
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 401);
        assert_eq!(app.post_login("ada@portico.test", NEW_PASSWORD).await.status().as_u16(), 303);

        let again = new_client().get(app.url(&link)).send().await.unwrap();
        assert_eq!(again.status().as_u16(), 410, "the link works once");
        assert!(again.text().await.unwrap().contains("href=\"/password/forgot\">Email me a new link</a>"));

        app.create_agent("admin@portico.test", "Grace Admin", true);
        assert_eq!(app.post_form("/logout", "/contacts", &[]).await.status().as_u16(), 303);
        assert_eq!(app.post_login("admin@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303);
        let audit = app.get_html("/settings/audit?action=agent.password_reset").await;
        assert!(audit.contains("<td>Ada Lovelace</td>\n      <td>Agent reset their password by email</td>"), "{audit}");
    }

    async fn reset_links_end_with_their_hour_a_newer_password_or_a_disabled_agent(app) {
        let ada = app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let ask = || async {
            let asked = app.post_form("/password/forgot", "/password/forgot", &[("email", "ada@portico.test")]).await;
            assert_eq!(asked.status().as_u16(), 200);
        };
        ask().await;
        ask().await;
        let mail = app.smtp.wait_for_messages(2, Duration::from_secs(5)).await;
        let (first, second) = (path_of(&link_in(&mail[0].data, "/password/reset/")), path_of(&link_in(&mail[1].data, "/password/reset/")));
        assert_eq!(new_client().get(app.url(&first)).send().await.unwrap().status().as_u16(), 200);

        // An hour later the first no longer opens.
        let first_digest = portico::domain::LinkToken::parse(first.rsplit('/').next().unwrap()).unwrap().digest();
        diesel::update(agent_password_resets::table.filter(agent_password_resets::token_digest.eq(&first_digest)))
            .set(agent_password_resets::expires_at.eq(portico::db::now() - chrono::Duration::minutes(1)))
            .execute(&mut app.pool.get().unwrap())
            .unwrap();
        assert_eq!(new_client().get(app.url(&first)).send().await.unwrap().status().as_u16(), 410);

        // A password changed on the profile page retires the second.
        assert_eq!(app.post_login("ada@portico.test", AGENT_PASSWORD).await.status().as_u16(), 303);
        let changed = app.post_form("/profile/password", "/profile/password", &[("current_password", AGENT_PASSWORD), ("password", NEW_PASSWORD), ("password_confirmation", NEW_PASSWORD)]).await;
        assert_eq!(changed.status().as_u16(), 303);
        assert_eq!(new_client().get(app.url(&second)).send().await.unwrap().status().as_u16(), 410);

        // Disabling an agent stops their link; a disabled agent is sent none.
        ask().await;
        let third = path_of(&link_in(&app.smtp.wait_for_messages(3, Duration::from_secs(5)).await[2].data, "/password/reset/"));
        diesel::update(agents::table.find(ada)).set(agents::disabled_at.eq(Some(portico::db::now()))).execute(&mut app.pool.get().unwrap()).unwrap();
        assert_eq!(new_client().get(app.url(&third)).send().await.unwrap().status().as_u16(), 410);
        let grace = app.create_agent("grace@portico.test", "Grace Hopper", false);
        diesel::update(agents::table.find(grace)).set(agents::disabled_at.eq(Some(portico::db::now()))).execute(&mut app.pool.get().unwrap()).unwrap();
        let asked = app.post_form("/password/forgot", "/password/forgot", &[("email", "grace@portico.test")]).await;
        assert_eq!(asked.status().as_u16(), 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.smtp.messages().len(), 3, "no link for a disabled agent");

        let nonsense = new_client().get(app.url("/password/reset/not-a-token")).send().await.unwrap();
        assert_eq!(nonsense.status().as_u16(), 410);
    }
}
