use std::time::Duration;

use crate::helpers::{csrf_token_in, invitation_link, location, new_client, path_of, TestApp};
use crate::on_both_backends;

const CUSTOM_SUBJECT: &str = "Welcome {{contact_name}} to {{company_name}}";
const CUSTOM_TEXT: &str = "Hi {{contact_name}},\n\n{{agent_name}} opened an account for you:\n{{link}}\n\nValid until {{expires_at}}.";
const CUSTOM_HTML: &str =
    "<p>Hi {{contact_name}}</p><p><a href=\"{{link}}\">Join {{company_name}}</a></p>";

async fn save_help_center(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post_form("/settings/help-center", "/settings", fields)
        .await
}

async fn save_template(app: &TestApp, subject: &str, text: &str, html: &str) -> reqwest::Response {
    let fields = [
        ("subject", subject),
        ("text_body", text),
        ("html_body", html),
    ];
    app.post_form(
        "/settings/invitation-email",
        "/settings/invitation-email",
        &fields,
    )
    .await
}

pub async fn invite(app: &TestApp, contact_id: i64) -> reqwest::Response {
    let page = format!("/contacts/{contact_id}");
    app.post_form(&format!("{page}/invite"), &page, &[]).await
}

fn parsed(raw: &str) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message")
}

fn invitations_of(
    app: &TestApp,
    contact_id: i64,
) -> Vec<(chrono::NaiveDateTime, chrono::NaiveDateTime)> {
    use diesel::prelude::*;
    use portico::db::schema::invitations;
    let mut conn = app.pool.get().unwrap();
    invitations::table
        .filter(invitations::contact_id.eq(contact_id))
        .select((invitations::created_at, invitations::expires_at))
        .load(&mut conn)
        .unwrap()
}

/// A customer who accepted an invitation, signed in on their own client.
pub async fn activated_customer(app: &TestApp, name: &str, email: &str) -> (i64, reqwest::Client) {
    let id = app.add_contact(name, Some(email), None);
    invite(app, id).await;
    let messages = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
    let link = path_of(&invitation_link(&messages.last().unwrap().data));
    let customer = new_client();
    let form = customer
        .get(app.url(&link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&form);
    let password = "a long enough password";
    let accepted = customer
        .post(app.url(&link))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", name),
            ("password", password),
            ("password_confirmation", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status().as_u16(), 303);
    assert_eq!(
        customer
            .get(app.url("/portal"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    (id, customer)
}

on_both_backends! {
    async fn agents_who_are_not_admins_get_403_on_every_settings_page(app) {
        app.sign_in_agent(false).await;
        for page in ["/settings", "/settings/invitation-email", "/settings/audit", "/settings/agents/1/edit"] {
            assert_eq!(app.get(page).await.status().as_u16(), 403, "GET {page}");
        }
        for form in ["/settings/help-center", "/settings/agents", "/settings/agents/1/disable", "/settings/agents/1/enable", "/settings/agents/1/edit", "/settings/invitation-email", "/settings/invitation-email/preview", "/settings/invitation-email/reset"] {
            let response = app.post_form(form, "/contacts", &[("subject", "x"), ("name", "x")]).await;
            assert_eq!(response.status().as_u16(), 403, "POST {form}");
        }
        assert!(!app.get_html("/contacts").await.contains("href=\"/settings\""), "no Settings tab");
    }

    async fn help_center_settings_are_validated_beside_each_field_and_then_used(app) {
        app.sign_in_agent(true).await;
        let refused = save_help_center(&app, &[("self_registration", "domains"), ("domains", "acme.test, not a domain!"), ("invite_ttl_hours", "0"), ("daily_invite_quota", "lots"), ("company_name", "Acme")]).await;
        assert_eq!(refused.status().as_u16(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("id=\"domains-error\""), "{html}");
        assert!(html.contains("is not a domain name"));
        assert!(html.contains("id=\"ttl-error\">Enter a whole number of hours from 1 to 720"));
        assert!(html.contains("id=\"quota-error\""));
        assert!(html.contains("value=\"lots\"") && html.contains("value=\"Acme\""), "typed values are kept");
        assert!(!app.get_html("/settings").await.contains("value=\"Acme\""), "nothing was saved");

        let saved = save_help_center(&app, &[("self_registration", "domains"), ("domains", "Acme.test, @example.org"), ("auto_invite", "on"), ("invite_ttl_hours", "48"), ("daily_invite_quota", "10"), ("company_name", "Acme Support")]).await;
        assert_eq!(saved.status().as_u16(), 303);
        assert_eq!(location(&saved), "/settings");
        let html = app.get_html("/settings").await;
        assert!(html.contains("Help Center settings saved."));
        assert!(html.contains("value=\"domains\" checked"));
        assert!(html.contains("value=\"acme.test, example.org\""));
        assert!(html.contains("name=\"auto_invite\" value=\"on\" checked"));
        assert!(html.contains("value=\"48\"") && html.contains("value=\"10\"") && html.contains("value=\"Acme Support\""));

        // The link validity and the company name reach the next invitation.
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        assert_eq!(invite(&app, id).await.status().as_u16(), 303);
        let messages = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        assert_eq!(parsed(&messages[0].data).subject(), Some("You're invited to the Acme Support Help Center"));
        let (created, expires) = invitations_of(&app, id)[0];
        assert_eq!(expires - created, chrono::Duration::hours(48));
    }

    async fn a_custom_template_is_used_with_values_escaped_in_the_html_body(app) {
        app.sign_in_agent(true).await;
        let saved = save_template(&app, CUSTOM_SUBJECT, CUSTOM_TEXT, CUSTOM_HTML).await;
        assert_eq!(saved.status().as_u16(), 303);
        let page = app.get_html("/settings/invitation-email").await;
        assert!(page.contains("Invitation email saved.") && page.contains("Reset to default"));

        let id = app.add_contact("Tom <b>Thumb</b> & Co", Some("tom@example.com"), None);
        assert_eq!(invite(&app, id).await.status().as_u16(), 303);
        let messages = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        let message = parsed(&messages[0].data);
        assert_eq!(message.subject(), Some("Welcome Tom <b>Thumb</b> & Co to Portico"));
        let text = message.body_text(0).unwrap();
        assert!(text.starts_with("Hi Tom <b>Thumb</b> & Co,"), "text values are not escaped: {text}");
        assert!(text.contains("Ada Admin opened an account for you"));
        let link = invitation_link(&messages[0].data);
        let html = message.body_html(0).unwrap();
        assert!(html.contains("<p>Hi Tom &lt;b&gt;Thumb&lt;/b&gt; &amp; Co</p>"), "{html}");
        assert!(html.contains(&format!("<a href=\"{link}\">Join Portico</a>")), "{html}");
        assert_eq!(app.get(&path_of(&link)).await.status().as_u16(), 200, "the link works");
    }

    async fn a_template_without_the_link_or_with_unknown_placeholders_is_refused_beside_the_field(app) {
        app.sign_in_agent(true).await;
        let refused = save_template(&app, CUSTOM_SUBJECT, "Hello {{contact_name}}, no link here", "<p>{{first_name}}</p> {{link}} {{oops").await;
        assert_eq!(refused.status().as_u16(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("id=\"text-body-error\">Include {{link}}"), "{html}");
        assert!(html.contains("id=\"html-body-error\">Line 1: {{first_name}} is not a placeholder Portico knows."), "{html}");
        assert!(!html.contains("id=\"subject-error\""));
        assert!(html.contains("Hello {{contact_name}}, no link here</textarea>"), "typed values are kept");
        let unbalanced = save_template(&app, "Hi }} there", CUSTOM_TEXT, CUSTOM_HTML).await;
        assert_eq!(unbalanced.status().as_u16(), 422);
        assert!(unbalanced.text().await.unwrap().contains("closes a placeholder that was never opened"));

        let page = app.get_html("/settings/invitation-email").await;
        assert!(page.contains("Portico's default wording"), "nothing was saved");
        assert!(page.contains("invited to the {{company_name}} Help Center"), "the form starts from the default wording: {page}");
    }

    async fn the_preview_shows_the_email_for_a_sample_contact_without_running_its_html(app) {
        app.sign_in_agent(true).await;
        let html_body = "<p>Hello {{contact_name}}</p><script>alert(1)</script><a href=\"{{link}}\">Go</a>";
        let preview = app.post_form("/settings/invitation-email/preview", "/settings/invitation-email", &[("subject", CUSTOM_SUBJECT), ("text_body", CUSTOM_TEXT), ("html_body", html_body)]).await;
        assert_eq!(preview.status().as_u16(), 200);
        let page = preview.text().await.unwrap();
        assert!(page.contains("id=\"preview-subject\">Welcome Alex Sample to Portico<"), "{page}");
        assert!(page.contains("Hi Alex Sample,"));
        assert!(!page.contains("<script>alert(1)</script>"), "no script reaches the page");
        let frame = page.split("id=\"preview-html\" src=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("the preview's frame").to_owned();
        let shown = app.get(&frame).await;
        assert_eq!(shown.status().as_u16(), 200);
        let policy = shown.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(policy.contains("default-src 'none'") && policy.contains("sandbox"), "nothing in the frame runs: {policy}");
        assert!(shown.text().await.unwrap().contains("<p>Hello Alex Sample</p>"), "the frame shows the draft's HTML");
        let other_admin = crate::helpers::new_client();
        app.create_agent("root@portico.test", "Root Admin", true);
        let fields = [("email", "root@portico.test"), ("password", crate::helpers::AGENT_PASSWORD)];
        crate::helpers::post_as(&app, &other_admin, "/login", "/login", &fields).await;
        assert_eq!(crate::helpers::get_as(&app, &other_admin, &frame).await.0, 404, "a preview is its author's alone");
        assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "the source is shown escaped: {page}");
        assert!(app.get_html("/settings/invitation-email").await.contains("Portico's default wording"), "a preview saves nothing");
    }

    async fn reset_to_default_brings_back_the_default_subject(app) {
        app.sign_in_agent(true).await;
        save_template(&app, CUSTOM_SUBJECT, CUSTOM_TEXT, CUSTOM_HTML).await;
        let first = app.add_contact("Ada", Some("ada@example.com"), None);
        invite(&app, first).await;
        let messages = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        assert_eq!(parsed(&messages[0].data).subject(), Some("Welcome Ada to Portico"));

        let reset = app.post_form("/settings/invitation-email/reset", "/settings/invitation-email", &[]).await;
        assert_eq!(reset.status().as_u16(), 303);
        assert!(app.get_html("/settings/invitation-email").await.contains("Portico's default wording"));
        let second = app.add_contact("Bob", Some("bob@example.com"), None);
        invite(&app, second).await;
        let messages = app.smtp.wait_for_messages(2, Duration::from_secs(5)).await;
        assert_eq!(parsed(&messages[1].data).subject(), Some("You're invited to the Portico Help Center"));
    }

    async fn the_daily_quota_refuses_the_invitation_that_would_exceed_it(app) {
        app.sign_in_agent(true).await;
        save_help_center(&app, &[("self_registration", "off"), ("daily_invite_quota", "2")]).await;
        let ids: Vec<i64> = ["a", "b", "c", "d"].iter().map(|name| app.add_contact(name, Some(&format!("{name}@example.com")), None)).collect();
        assert_eq!(invite(&app, ids[0]).await.status().as_u16(), 303);
        let mass = app.post_form("/contacts/mass-action", "/contacts", &[("action", "invite"), ("view", "all"), ("submission_key", "quota-1"), ("ids", &ids[1].to_string()), ("ids", &ids[2].to_string())]).await;
        assert_eq!(mass.status().as_u16(), 400);
        assert!(mass.text().await.unwrap().contains("You can send 1 more invitation today; the daily limit is 2."));
        assert_eq!(invite(&app, ids[1]).await.status().as_u16(), 303);
        let third = invite(&app, ids[2]).await;
        assert_eq!(third.status().as_u16(), 400);
        assert!(third.text().await.unwrap().contains("You can send 0 more invitations today; the daily limit is 2."));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(app.smtp.messages().len(), 2);
        assert!(invitations_of(&app, ids[2]).is_empty(), "nothing was written for the refused invite");
        assert!(app.get_html(&format!("/contacts/{}", ids[2])).await.contains("badge-not-invited\">Not invited<"));
    }

    async fn a_bulk_job_stops_at_the_quota_and_says_why(app) {
        app.sign_in_agent(true).await;
        save_help_center(&app, &[("daily_invite_quota", "3")]).await;
        app.add_numbered_contacts(5);
        let asked = app.post_form("/contacts/mass-action", "/contacts", &[("action", "invite"), ("all_in_view", "1"), ("view", "all")]).await;
        let confirm = app.get_html(&location(&asked)).await;
        assert!(confirm.contains("Your daily limit is 3 invitations, and 3 are left for today."), "{confirm}");
        let job_page = crate::bulk_jobs::start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;
        crate::bulk_jobs::wait_for_job(&app, &job_page, "Paused").await;
        let html = app.get_html(&job_page).await;
        assert!(html.contains("<strong>Paused</strong> · <span data-job-summary>3 of 5 processed · Invited 3"), "{html}");
        assert!(html.contains("you have sent your 3 invitations for today"), "{html}");
        assert_eq!(app.smtp.wait_for_messages(3, Duration::from_secs(5)).await.len(), 3);
    }

    async fn auto_invite_sends_one_invitation_for_a_new_ticket_only_when_on(app) {
        app.sign_in_agent(false).await;
        let off = app.add_contact("Quiet Caller", Some("quiet@example.com"), None);
        let form = app.get_html(&format!("/contacts/{off}/tickets/new")).await;
        assert!(form.contains("First message"));
        let empty = app.post_form(&format!("/contacts/{off}/tickets/new"), &format!("/contacts/{off}"), &[("subject", " "), ("message", "Printer on fire")]).await;
        assert_eq!(empty.status().as_u16(), 422);
        assert!(empty.text().await.unwrap().contains("Printer on fire</textarea>"));
        let created = app.post_form(&format!("/contacts/{off}/tickets/new"), &format!("/contacts/{off}"), &[("subject", "Printer"), ("message", "Printer on fire")]).await;
        assert_eq!(created.status().as_u16(), 303);
        assert!(app.get_html(&format!("/contacts/{off}")).await.contains(">Printer</a>"), "the ticket is listed on the contact");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(app.smtp.messages().is_empty(), "auto-invite is off by default");

        {
            use diesel::prelude::*;
            use portico::db::schema::settings;
            let mut conn = app.pool.get().unwrap();
            diesel::insert_into(settings::table).values((settings::key.eq("auto_invite"), settings::value.eq("true"), settings::updated_at.eq(portico::db::now()))).execute(&mut conn).unwrap();
        }
        let on = app.add_contact("Loud Caller", Some("loud@example.com"), None);
        let created = app.post_form(&format!("/contacts/{on}/tickets/new"), &format!("/contacts/{on}"), &[("subject", "Scanner"), ("message", "Scanner jammed")]).await;
        assert_eq!(created.status().as_u16(), 303);
        let messages = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].rcpt_to, vec!["loud@example.com".to_owned()]);
        // A second ticket finds the contact already invited: no second email.
        app.post_form(&format!("/contacts/{on}/tickets/new"), &format!("/contacts/{on}"), &[("subject", "Again"), ("message", "Still jammed")]).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.smtp.messages().len(), 1);
        let history = app.get_html(&format!("/contacts/{on}")).await;
        assert!(history.contains("Invited to the Help Center") && history.contains(">System<"), "{history}");
    }

    async fn a_deactivated_customer_can_no_longer_reach_the_help_center(app) {
        app.sign_in_agent(false).await;
        let (id, customer) = activated_customer(&app, "Grace Hopper", "grace@navy.example").await;
        let page = app.get_html(&format!("/contacts/{id}")).await;
        assert!(page.contains("Deactivate Help Center access"));
        let deactivated = app.post_form(&format!("/contacts/{id}/portal/deactivate"), &format!("/contacts/{id}"), &[]).await;
        assert_eq!(deactivated.status().as_u16(), 303);
        let page = app.get_html(&format!("/contacts/{id}")).await;
        assert!(page.contains("badge-deactivated"), "{page}");
        assert!(page.contains("Reactivate Help Center access") && !page.contains("Invite again"));
        assert!(page.contains("Help Center access deactivated"), "the History panel records it");
        let home = customer.get(app.url("/portal")).send().await.unwrap();
        assert_eq!(home.status().as_u16(), 303);
        assert!(location(&home).starts_with("/portal/login"));

        // Asking for a new invitation link does not bring access back.
        let used = path_of(&invitation_link(&app.smtp.messages()[0].data));
        let form = customer.get(app.url(&used)).send().await.unwrap().text().await.unwrap();
        let token = csrf_token_in(&form);
        let presented = used.trim_start_matches("/portal/invitations/");
        customer.post(app.url("/portal/invitations/new-link")).form(&[("csrf_token", token.as_str()), ("token", presented)]).send().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.smtp.messages().len(), 1, "only the original invitation");

        // Signing in says why, but only to whoever knows the password.
        let visitor = crate::helpers::new_client();
        let right = crate::helpers::post_as(&app, &visitor, "/portal/login", "/portal/login", &[("email", "grace@navy.example"), ("password", "a long enough password")]).await;
        assert_eq!(right.status().as_u16(), 403);
        assert!(right.text().await.unwrap().contains("your Help Center access has been turned off"));
        let wrong = crate::helpers::post_as(&app, &visitor, "/portal/login", "/portal/login", &[("email", "grace@navy.example"), ("password", "not the password")]).await;
        assert_eq!(wrong.status().as_u16(), 401);
        let page = wrong.text().await.unwrap();
        assert!(page.contains("Incorrect email or password.") && !page.contains("turned off"));

        let reactivated = app.post_form(&format!("/contacts/{id}/portal/reactivate"), &format!("/contacts/{id}"), &[]).await;
        assert_eq!(reactivated.status().as_u16(), 303);
        assert!(app.get_html(&format!("/contacts/{id}")).await.contains("badge-activated\">Activated<"));
        let back = crate::helpers::post_as(&app, &visitor, "/portal/login", "/portal/login", &[("email", "grace@navy.example"), ("password", "a long enough password")]).await;
        assert_eq!(back.status().as_u16(), 303, "reactivated, the same password signs in");
    }

    async fn the_audit_log_lists_invitations_and_filters_by_action(app) {
        app.sign_in_agent(true).await;
        let id = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
        invite(&app, id).await;
        let log = app.get_html("/settings/audit").await;
        assert!(log.contains("Invited to the Help Center"), "{log}");
        assert!(log.contains(&format!("<a href=\"/contacts/{id}\">Grace Hopper</a>")));
        assert!(log.contains("Ada Admin") && log.contains("Contact added"));
        let filtered = app.get_html("/settings/audit?action=invitation.created").await;
        assert!(filtered.contains("Invited to the Help Center") && !filtered.contains("<td>Contact added</td>"), "{filtered}");
        let other = app.get_html("/settings/audit?action=contact.deleted").await;
        assert!(other.contains("No events match."));
        let today = portico::db::now().format("%Y-%m-%d").to_string();
        assert!(app.get_html(&format!("/settings/audit?from={today}&to={today}")).await.contains("Invited to the Help Center"));
        let bad = app.get(&format!("/settings/audit?from=yesterday&to={today}")).await;
        assert_eq!(bad.status().as_u16(), 422);
        assert!(bad.text().await.unwrap().contains("id=\"from-error\">Enter a date as YYYY-MM-DD."));
    }

    async fn the_audit_log_pages_fifty_events_at_a_time(app) {
        app.sign_in_agent(true).await;
        app.add_numbered_contacts(3);
        {
            let mut conn = app.pool.get().unwrap();
            for n in 0..60 {
                portico::audit::record(&mut conn, portico::audit::Actor::System, "contact.updated", ("contact", Some(1)), &format!("event {n:02}")).unwrap();
            }
        }
        let first = app.get_html("/settings/audit").await;
        assert!(first.contains("event 59") && first.contains("event 10") && !first.contains("event 09"));
        let start = first.find("rel=\"next\"").map(|end| first[..end].rfind("href=\"").unwrap() + 6).expect("an Older link");
        let older = first[start..].split('"').next().unwrap().replace("&amp;", "&");
        let second = app.get_html(&older).await;
        assert!(second.contains("event 09") && second.contains("event 00") && !second.contains("event 10"), "{second}");
        assert!(second.contains("rel=\"prev\""), "a Newer link");
    }

    async fn an_agent_added_without_a_password_is_emailed_a_link_to_choose_one(app) {
        app.sign_in_agent(true).await;
        let page = app.get_html("/settings").await;
        assert!(page.contains("Leave it empty to email the agent a link to choose their own"));
        let added = app.post_form("/settings/agents", "/settings", &[("name", "Nina Simone"), ("email", "nina@portico.test"), ("role", "admin"), ("password", "")]).await;
        assert_eq!(added.status().as_u16(), 303);
        assert!(app.get_html("/settings").await.contains("Nina Simone is added. We have emailed nina@portico.test a link to choose a password; it works for three days."));

        let mail = app.smtp.wait_for_messages(1, std::time::Duration::from_secs(5)).await;
        assert_eq!(mail[0].rcpt_to, vec!["nina@portico.test".to_owned()]);
        assert_eq!(crate::helpers::subject_of(&mail[0].data), "You have been added to Portico");
        assert!(mail[0].data.contains("as an admin"), "{}", mail[0].data);
        let link = crate::helpers::path_of(&crate::helpers::link_in(&mail[0].data, "/password/reset/"));

        let nina = new_client();
        let login_form = nina.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let no_password = nina.post(app.url("/login")).form(&[("csrf_token", csrf_token_in(&login_form).as_str()), ("email", "nina@portico.test"), ("password", "")]).send().await.unwrap();
        assert_eq!(no_password.status().as_u16(), 401, "no password signs in before she chooses one");

        let choose = nina.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
        assert!(choose.contains("value=\"nina@portico.test\" readonly"));
        let chosen = nina.post(app.url(&link)).form(&[("csrf_token", csrf_token_in(&choose).as_str()), ("password", "nina's own passphrase"), ("password_confirmation", "nina's own passphrase")]).send().await.unwrap();
        assert_eq!(chosen.status().as_u16(), 303);
        assert_eq!(nina.get(app.url("/settings")).send().await.unwrap().status().as_u16(), 200, "signed in, as an admin");

        // Three days later an unused welcome link no longer opens; within them it does.
        let added = app.post_form("/settings/agents", "/settings", &[("name", "Otto"), ("email", "otto@portico.test"), ("role", "agent"), ("password", "")]).await;
        assert_eq!(added.status().as_u16(), 303);
        let otto = crate::helpers::path_of(&crate::helpers::link_in(&app.smtp.wait_for_messages(2, std::time::Duration::from_secs(5)).await[1].data, "/password/reset/"));
        {
            use diesel::prelude::*;
            use portico::db::schema::agent_password_resets;
            let mut conn = app.pool.get().unwrap();
            let expires: chrono::NaiveDateTime = agent_password_resets::table.order(agent_password_resets::id.desc()).select(agent_password_resets::expires_at).first(&mut conn).unwrap();
            let hours = (expires - portico::db::now()).num_minutes() as f64 / 60.0;
            assert!((71.9..=72.0).contains(&hours), "valid three days: {hours} h");
        }
        assert_eq!(new_client().get(app.url(&otto)).send().await.unwrap().status().as_u16(), 200);
    }

    async fn admins_edit_an_agents_name_email_and_role_but_keep_one_admin(app) {
        let admin_id = app.sign_in_agent(true).await;
        let nina = app.create_agent("nina@portico.test", "Nina", false);
        let settings = app.get_html("/settings").await;
        assert!(settings.contains(&format!("href=\"/settings/agents/{nina}/edit\">Edit</a>")));
        let form = app.get_html(&format!("/settings/agents/{nina}/edit")).await;
        assert!(form.contains("value=\"nina@portico.test\"") && form.contains("<h1>Edit Nina</h1>"));

        let bad = app.post_form(&format!("/settings/agents/{nina}/edit"), &format!("/settings/agents/{nina}/edit"), &[("name", "  "), ("email", "nina at portico"), ("role", "agent")]).await;
        assert_eq!(bad.status().as_u16(), 422);
        let bad = bad.text().await.unwrap();
        assert!(bad.contains("id=\"agent-name-error\">Enter the agent&#39;s name.") && bad.contains("id=\"agent-email-error\"") && bad.contains("value=\"nina at portico\""), "{bad}");
        let taken = app.post_form(&format!("/settings/agents/{nina}/edit"), &format!("/settings/agents/{nina}/edit"), &[("name", "Nina"), ("email", "admin@portico.test"), ("role", "agent")]).await;
        assert_eq!(taken.status().as_u16(), 409);
        assert!(taken.text().await.unwrap().contains("Another agent already has this email address."));

        let saved = app.post_form(&format!("/settings/agents/{nina}/edit"), &format!("/settings/agents/{nina}/edit"), &[("name", "Nina Simone"), ("email", "Nina.Simone@portico.test"), ("role", "admin")]).await;
        assert_eq!(saved.status().as_u16(), 303);
        assert_eq!(location(&saved), "/settings#agents");
        let settings = app.get_html("/settings").await;
        assert!(settings.contains("Nina Simone is updated.") && settings.contains("<td>nina.simone@portico.test</td>"), "{settings}");
        let audit = app.get_html("/settings/audit?action=agent.updated").await;
        assert!(audit.contains("name: Nina → Nina Simone; email: nina@portico.test → nina.simone@portico.test; role: agent → admin"), "{audit}");
        let nina_signs_in = new_client();
        let login = nina_signs_in.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let signed_in = nina_signs_in.post(app.url("/login")).form(&[("csrf_token", csrf_token_in(&login).as_str()), ("email", "nina.simone@portico.test"), ("password", crate::helpers::AGENT_PASSWORD)]).send().await.unwrap();
        assert_eq!(signed_in.status().as_u16(), 303, "she signs in with the new address");
        assert_eq!(nina_signs_in.get(app.url("/settings")).send().await.unwrap().status().as_u16(), 200, "as an admin");

        // With Nina an admin, Ada may step down; then Nina is the last admin and stays one.
        let stepped_down = app.post_form(&format!("/settings/agents/{admin_id}/edit"), &format!("/settings/agents/{admin_id}/edit"), &[("name", "Ada Admin"), ("email", "admin@portico.test"), ("role", "agent")]).await;
        assert_eq!(stepped_down.status().as_u16(), 303);
        assert_eq!(location(&stepped_down), "/contacts");
        assert_eq!(app.get("/settings").await.status().as_u16(), 403, "Ada no longer manages settings");
        let form = nina_signs_in.get(app.url(&format!("/settings/agents/{nina}/edit"))).send().await.unwrap().text().await.unwrap();
        let last = nina_signs_in.post(app.url(&format!("/settings/agents/{nina}/edit"))).form(&[("csrf_token", csrf_token_in(&form).as_str()), ("name", "Nina Simone"), ("email", "nina.simone@portico.test"), ("role", "agent")]).send().await.unwrap();
        assert_eq!(last.status().as_u16(), 409);
        assert!(last.text().await.unwrap().contains("This is the only enabled admin"));
        assert_eq!(nina_signs_in.get(app.url("/settings")).send().await.unwrap().status().as_u16(), 200, "still an admin");

        assert_eq!(app.get(&format!("/settings/agents/{nina}/edit")).await.status().as_u16(), 403, "agents cannot edit agents");
        assert_eq!(nina_signs_in.get(app.url("/settings/agents/999999/edit")).send().await.unwrap().status().as_u16(), 404);
    }

    async fn admins_add_agents_and_disable_them_but_not_themselves(app) {
        let admin_id = app.sign_in_agent(true).await;
        let short = app.post_form("/settings/agents", "/settings", &[("name", "Nina"), ("email", "nina@portico.test"), ("role", "agent"), ("password", "short")]).await;
        assert_eq!(short.status().as_u16(), 422);
        let html = short.text().await.unwrap();
        assert!(html.contains("id=\"agent-password-error\">Use at least 12 characters."));
        assert!(html.contains("value=\"nina@portico.test\""));
        let added = app.post_form("/settings/agents", "/settings", &[("name", "Nina"), ("email", "Nina@Portico.test"), ("role", "agent"), ("password", "nina's long password")]).await;
        assert_eq!(added.status().as_u16(), 303);
        let again = app.post_form("/settings/agents", "/settings", &[("name", "Nina 2"), ("email", "nina@portico.test"), ("role", "agent"), ("password", "nina's long password")]).await;
        assert_eq!(again.status().as_u16(), 409);

        let nina = new_client();
        let signed_in = nina.post(app.url("/login")).form(&[("csrf_token", csrf_token_in(&nina.get(app.url("/login")).send().await.unwrap().text().await.unwrap()).as_str()), ("email", "nina@portico.test"), ("password", "nina's long password")]).send().await.unwrap();
        assert_eq!(signed_in.status().as_u16(), 303);
        assert_eq!(nina.get(app.url("/contacts")).send().await.unwrap().status().as_u16(), 200);

        let nina_id = {
            use diesel::prelude::*;
            use portico::db::schema::agents;
            let mut conn = app.pool.get().unwrap();
            agents::table.filter(agents::email.eq("nina@portico.test")).select(agents::id).first::<i64>(&mut conn).unwrap()
        };
        let disabled = app.post_form(&format!("/settings/agents/{nina_id}/disable"), "/settings", &[]).await;
        assert_eq!(disabled.status().as_u16(), 303);
        assert!(app.get_html("/settings").await.contains("Nina is disabled and can no longer sign in."));
        let contacts = nina.get(app.url("/contacts")).send().await.unwrap();
        assert_eq!(contacts.status().as_u16(), 303, "her session ends");
        assert!(location(&contacts).starts_with("/login"), "{}", location(&contacts));
        assert_eq!(nina.get(app.url("/accounts")).send().await.unwrap().status().as_u16(), 303, "on every page");
        let myself = app.post_form(&format!("/settings/agents/{admin_id}/disable"), "/settings", &[]).await;
        assert_eq!(myself.status().as_u16(), 400);
        assert!(myself.text().await.unwrap().contains("You cannot disable your own account."));
    }
}

/// When the welcome email cannot go out, the admin is told so, and how the agent can still get in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_is_told_when_the_welcome_email_could_not_be_sent() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |settings| {
        // Nothing listens on port 9 of loopback: every delivery is refused.
        settings.smtp_url = Some("smtp://127.0.0.1:9".to_owned().into());
    })
    .await;
    app.sign_in_agent(true).await;
    let added = app
        .post_form(
            "/settings/agents",
            "/settings",
            &[
                ("name", "Nina Simone"),
                ("email", "nina@portico.test"),
                ("role", "agent"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(added.status().as_u16(), 303);
    let page = app.get_html("/settings").await;
    assert!(
        page.contains("Nina Simone is added, but the email with their link could not be sent ("),
        "{page}"
    );
    assert!(
        page.contains(
            "They can use &#34;Forgot password?&#34; on the sign-in page once mail works."
        ),
        "{page}"
    );
    assert!(
        page.contains("<td>nina@portico.test</td>"),
        "the agent is added all the same"
    );
}

/// A deactivated customer who signs in with the right password is told their access was
/// turned off, in Chromium with JavaScript on and off.
async fn a_deactivated_customer_is_told_why_they_cannot_sign_in(javascript: bool) {
    let Some(browser) = crate::browser::launch_with(javascript).await else {
        return;
    };
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    app.sign_in_agent(false).await;
    let (id, _) = activated_customer(&app, "Grace Hopper", "grace@navy.example").await;
    app.post_form(
        &format!("/contacts/{id}/portal/deactivate"),
        &format!("/contacts/{id}"),
        &[],
    )
    .await;
    let page = &browser.client;
    let base = app.url("");
    crate::browser::try_customer_sign_in(
        page,
        &base,
        "grace@navy.example",
        "a long enough password",
    )
    .await;
    crate::browser::wait_for_text(page, "your Help Center access has been turned off").await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_customer_is_told_why_with_javascript() {
    a_deactivated_customer_is_told_why_they_cannot_sign_in(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_customer_is_told_why_without_javascript() {
    a_deactivated_customer_is_told_why_they_cannot_sign_in(false).await;
}

/// In Chromium: the template editor's preview shows the email's button styled as it will
/// arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_template_preview_shows_the_styled_button() {
    let Some(browser) = crate::browser::launch().await else {
        return;
    };
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Admin", true);
    let page = &browser.client;
    crate::journeys::sign_in(page, &app, "ada@portico.test").await;
    page.goto(&app.url("/settings/invitation-email"))
        .await
        .unwrap();
    crate::browser::click_button(page, "Preview").await;
    crate::browser::assert_the_framed_email_is_styled(page, "//iframe[@id='preview-html']").await;
    browser.client.clone().close().await.unwrap();
}
