//! Input that once gave a 500 or slipped through: control characters, a broken return_to,
//! addresses no mailer can use, bidi overrides; and the headers every answer owes.

use diesel::prelude::*;
use portico::db::schema::contacts;

use crate::helpers::{csrf_token_in, location, new_client, TestApp};
use crate::on_both_backends;

fn contact_names(app: &TestApp) -> Vec<String> {
    app.with_connection(|conn| {
        contacts::table
            .select(contacts::name)
            .order(contacts::id)
            .load(conn)
            .unwrap()
    })
}

on_both_backends! {
    async fn a_nul_byte_is_refused_with_a_400_page_wherever_it_is_typed(app) {
        app.sign_in_agent(false).await;
        for search in ["/contacts?q=a%00b", "/accounts?q=%00", "/contacts/1%00"] {
            let page = app.get(search).await;
            assert_eq!(page.status().as_u16(), 400, "{search}");
            assert!(page.text().await.unwrap().contains("control character (such as NUL)"), "{search}");
        }
        let added = app.post_form("/contacts", "/contacts/new", &[("name", "Gr\0ace"), ("email", "grace@navy.example"), ("phone", ""), ("account", "")]).await;
        assert_eq!(added.status().as_u16(), 400);
        assert!(contact_names(&app).is_empty(), "nothing was saved");

        let visitor = new_client();
        let form = visitor.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let sign_in = visitor.post(app.url("/login")).form(&[("csrf_token", csrf_token_in(&form).as_str()), ("email", "ada\0@portico.test"), ("password", "x")]).send().await.unwrap();
        assert_eq!(sign_in.status().as_u16(), 400);
        let portal = visitor.get(app.url("/portal/knowledge-base?q=pass%00word")).send().await.unwrap();
        assert_eq!(portal.status().as_u16(), 400);

        let text = app.post_form("/contacts", "/contacts/new", &[("name", "Line\tbreaks are fine"), ("email", ""), ("phone", ""), ("account", "")]).await;
        assert_eq!(text.status().as_u16(), 303, "tabs and line breaks pass the edge");
    }

    async fn a_broken_return_to_falls_back_before_the_action_and_never_500s(app) {
        app.sign_in_agent(false).await;
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        let ids = id.to_string();
        let marked = app.post_form("/contacts/mass-action", "/contacts", &[("action", "spam"), ("ids", ids.as_str()), ("view", "all"), ("return_to", "/contacts\r\nSet-Cookie: planted=1")]).await;
        assert_eq!(marked.status().as_u16(), 303);
        assert_eq!(location(&marked), "/contacts");
        assert!(marked.headers().get_all("set-cookie").iter().all(|cookie| !cookie.to_str().unwrap().contains("planted")));
    }

    async fn an_address_no_mailer_can_use_is_refused_beside_its_field(app) {
        app.sign_in_agent(false).await;
        let refused = app.post_form("/contacts", "/contacts/new", &[("name", "Mallory"), ("email", "\"<script>\"@example.test"), ("phone", ""), ("account", "")]).await;
        assert_eq!(refused.status().as_u16(), 422);
        assert!(refused.text().await.unwrap().contains("is not a valid email address"));
        assert!(contact_names(&app).is_empty());
    }

    async fn bidi_overrides_are_stripped_from_names(app) {
        app.sign_in_agent(false).await;
        let added = app.post_form("/contacts", "/contacts/new", &[("name", "Invoice\u{202E}fdp.exe \u{2066}Ltd\u{2069}"), ("email", ""), ("phone", ""), ("account", "")]).await;
        assert_eq!(added.status().as_u16(), 303);
        assert_eq!(contact_names(&app), ["Invoicefdp.exe Ltd"]);
    }

    async fn too_many_reset_emails_say_when_to_try_again(app) {
        let visitor = new_client();
        let mut last = None;
        for _ in 0..4 {
            let form = visitor.get(app.url("/portal/password/forgot")).send().await.unwrap().text().await.unwrap();
            last = Some(visitor.post(app.url("/portal/password/forgot")).form(&[("csrf_token", csrf_token_in(&form).as_str()), ("email", "someone@example.com")]).send().await.unwrap());
        }
        let refused = last.unwrap();
        assert_eq!(refused.status().as_u16(), 429);
        let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((3_500..=3_600).contains(&wait), "an hour after the first request: {wait}");
        assert!(refused.text().await.unwrap().contains("Try again in 60 minutes."));
    }

    async fn pages_with_data_or_tokens_are_never_kept_by_the_browser(app) {
        app.sign_in_agent(false).await;
        for path in ["/contacts", "/portal/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/login"] {
            let page = app.get(path).await;
            assert_eq!(page.headers()["cache-control"], "no-store", "{path}");
        }
        let stylesheet = app.get("/static/portico.css").await;
        assert_ne!(stylesheet.headers()["cache-control"], "no-store", "assets keep their own caching");
    }
}
