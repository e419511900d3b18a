//! Help Center branding: name, logo, accent colour and sender name, checked when saved and
//! shown on every Help Center page and in the emails to customers.

use std::time::Duration;

use base64::Engine;

use crate::helpers::{csrf_token_in, get_as, new_client, post_as, subject_of, TestApp};
use crate::on_both_backends;
use crate::portal::{add_customer, open_ticket, signed_in_customer};

/// A real 1×1 PNG, for browsers that draw it.
pub(crate) fn tiny_png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap()
}

/// Posts the branding form as the signed-in admin: its text fields, and a file when given.
async fn save_branding(
    app: &TestApp,
    fields: &[(&str, &str)],
    logo: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let token = csrf_token_in(&app.get_html("/settings").await);
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some((file_name, bytes)) = logo {
        form = form.part(
            "logo",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
        );
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf_token", &token)
        .finish();
    app.client
        .post(app.url(&format!("/settings/branding?{query}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn header(mail: &crate::smtp_server::ReceivedMail, name: &str) -> String {
    mail.data
        .lines()
        .find(|line| {
            line.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .unwrap_or_default()
        .to_owned()
}

fn html_of(mail: &crate::smtp_server::ReceivedMail) -> String {
    mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .unwrap()
        .body_html(0)
        .unwrap()
        .into_owned()
}

on_both_backends! {
    async fn branding_is_checked_beside_each_field_and_nothing_half_saved(app) {
        app.sign_in_agent(true).await;
        let settings = app.get_html("/settings").await;
        for label in ["Help Center branding", "Help Center name", "Logo", "Accent colour", "Sender name", "Save branding"] {
            assert!(settings.contains(label), "{label}");
        }

        let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
        huge.resize(10 * 1024 * 1024, 7);
        let refused = save_branding(&app, &[("help_center_name", "Acme Care")], Some(("huge.png", huge))).await;
        assert_eq!(refused.status().as_u16(), 413);
        let html = refused.text().await.unwrap();
        assert!(html.contains("This file is larger than 1 MiB, the most a logo can be."), "{html}");
        assert!(html.contains("value=\"Acme Care\""), "typed values are kept");

        for (file_name, bytes) in [("notes.txt", b"just some text".to_vec()), ("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec())] {
            let refused = save_branding(&app, &[], Some((file_name, bytes))).await;
            assert_eq!(refused.status().as_u16(), 422, "{file_name}");
            assert!(refused.text().await.unwrap().contains("Upload a PNG or JPEG image."), "{file_name}");
        }

        let refused = save_branding(&app, &[("accent_colour", "#ffcc00"), ("sender_name", "help@evil.example")], None).await;
        assert_eq!(refused.status().as_u16(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("White text on #ffcc00 has a contrast of 1.51:1; choose a darker colour (at least 4.5:1, WCAG AA)."), "{html}");
        assert!(html.contains("without an address or quotes"), "{html}");
        assert!(html.contains("value=\"#ffcc00\""));
        let refused = save_branding(&app, &[("accent_colour", "blue-ish")], None).await;
        assert!(refused.text().await.unwrap().contains("Write the colour as a hex code such as #1d5fd1."));

        assert_eq!(app.get("/portal/logo").await.status().as_u16(), 404, "no logo was stored");
        let login = get_as(&app, &new_client(), "/portal/login").await.1;
        assert!(login.contains(">Portico Help Center</a>") && !login.contains("theme.css") && !login.contains("Acme Care"), "nothing was saved: {login}");
    }

    async fn the_brand_shows_on_help_center_pages_and_in_customer_emails(app) {
        app.sign_in_agent(true).await;
        let saved = save_branding(&app, &[("help_center_name", "Acme Care"), ("accent_colour", "#7B1FA2"), ("sender_name", "Acme Care Team")], Some(("logo.png", tiny_png()))).await;
        assert_eq!(saved.status().as_u16(), 303);
        let settings = app.get_html("/settings").await;
        assert!(settings.contains("Branding saved.") && settings.contains("value=\"#7b1fa2\"") && settings.contains("alt=\"The current logo\""));

        let visitor = new_client();
        let login = get_as(&app, &visitor, "/portal/login").await.1;
        let logo_src = login.split("class=\"brand-logo\" src=\"").nth(1).expect("the logo in the top bar").split('"').next().unwrap().to_owned();
        assert!(login.contains("Acme Care</a>") && login.contains("· Acme Care</title>"), "{login}");
        assert!(login.contains("/portal/theme.css?v=%237b1fa2"));
        let logo = visitor.get(app.url(&logo_src)).send().await.unwrap();
        assert_eq!(logo.headers()["content-type"], "image/png");
        assert!(logo.headers()["cache-control"].to_str().unwrap().contains("immutable"));
        assert_eq!(logo.bytes().await.unwrap().to_vec(), tiny_png());
        let theme = get_as(&app, &visitor, "/portal/theme.css?v=%237b1fa2").await.1;
        assert!(theme.contains("--accent: #7b1fa2;"), "{theme}");

        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let customer = signed_in_customer(&app, "ada@example.com").await;
        for path in ["/portal", "/portal/knowledge-base", "/portal/account", "/portal/tickets/99999"] {
            let (_, html) = get_as(&app, &customer, path).await;
            assert!(html.contains("Acme Care</a>") && html.contains(&logo_src), "{path} carries the brand");
        }

        let ticket = open_ticket(&app, ada, "Invoice is wrong", "Hello");
        let page = format!("/tickets/{ticket}");
        app.post_form(&format!("{page}/reply"), &page, &[("body", "Fixed."), ("status", "")]).await;
        let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        crate::settings::invite(&app, grace).await;
        post_as(&app, &new_client(), "/portal/password/forgot", "/portal/password/forgot", &[("email", "ada@example.com")]).await;
        let mail = app.smtp.wait_for_messages(3, Duration::from_secs(10)).await;
        assert_eq!(mail.len(), 3);
        for sent in &mail {
            let subject = subject_of(&sent.data);
            assert!(header(sent, "From").contains("\"Acme Care Team\" <help@portico.test>") || header(sent, "From").contains("Acme Care Team <help@portico.test>"), "{subject}: {}", header(sent, "From"));
            let html = html_of(sent);
            assert!(html.contains("/portal/logo?v="), "{subject} shows the logo");
            assert!(html.contains("#7b1fa2"), "{subject} uses the accent");
            assert!(html.contains("Acme Care</p>"), "{subject} names the Help Center");
        }

        let removed = save_branding(&app, &[("help_center_name", "Acme Care"), ("remove_logo", "on")], None).await;
        assert_eq!(removed.status().as_u16(), 303);
        assert_eq!(app.get("/portal/logo").await.status().as_u16(), 404);
        let login = get_as(&app, &new_client(), "/portal/login").await.1;
        assert!(login.contains("Acme Care</a>") && !login.contains("brand-logo") && !login.contains("theme.css"), "the colour and logo are gone, the name stays");
    }
}
