//! Invitation reminders: one, after the days Settings name, with the same link, sent by the
//! job runner of whichever instance claims it; never for expired, revoked, accepted or failed
//! invitations. Time is moved by moving the invitations' times back in the database.

use std::time::Duration;

use diesel::prelude::*;
use portico::db::now;
use portico::db::schema::invitations;

use crate::helpers::{invitation_link, path_of, subject_of, TestApp};
use crate::on_both_backends;
use crate::settings::invite;

async fn remind_after(app: &TestApp, days: &str) -> reqwest::Response {
    app.post_form(
        "/settings/help-center",
        "/settings",
        &[("self_registration", "off"), ("remind_after_days", days)],
    )
    .await
}

/// As if every invitation had been sent `days` days earlier.
fn sent_days_ago(app: &TestApp, days: i64) {
    app.with_connection(|conn| {
        let back = chrono::Duration::days(days);
        let rows: Vec<(i64, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> =
            invitations::table
                .select((
                    invitations::id,
                    invitations::created_at,
                    invitations::sent_at,
                ))
                .load(conn)
                .unwrap();
        for (id, created_at, sent_at) in rows {
            diesel::update(invitations::table.find(id))
                .set((
                    invitations::created_at.eq(created_at - back),
                    invitations::sent_at.eq(sent_at.map(|at| at - back)),
                ))
                .execute(conn)
                .unwrap();
        }
    });
}

fn reminders(app: &TestApp) -> Vec<crate::smtp_server::ReceivedMail> {
    app.smtp
        .messages()
        .into_iter()
        .filter(|mail| subject_of(&mail.data).starts_with("Reminder: "))
        .collect()
}

on_both_backends! {
    async fn the_reminder_setting_is_checked_beside_its_field(app) {
        app.sign_in_agent(true).await;
        let settings = app.get_html("/settings").await;
        assert!(settings.contains("Remind after (days)") && settings.contains("placeholder=\"Off\""), "off by default");
        let refused = remind_after(&app, "several").await;
        assert_eq!(refused.status().as_u16(), 422);
        assert!(refused.text().await.unwrap().contains("Enter a whole number of days from 1 to 30, or leave it blank for no reminders."));
        let refused = remind_after(&app, "9").await;
        assert_eq!(refused.status().as_u16(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("Links are valid for 168 hours, so a reminder after 9 days would find every link expired."), "{html}");
        assert!(html.contains("value=\"9\""), "the typed value is kept");
        assert_eq!(remind_after(&app, "3").await.status().as_u16(), 303);
        assert!(app.get_html("/settings").await.contains("name=\"remind_after_days\" inputmode=\"numeric\" value=\"3\""));
    }

    async fn an_unopened_invitation_gets_one_reminder_with_the_same_link(app) {
        app.sign_in_agent(true).await;
        assert_eq!(remind_after(&app, "3").await.status().as_u16(), 303);
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        assert_eq!(invite(&app, ada).await.status().as_u16(), 303);
        let first = app.smtp.wait_for_messages(1, Duration::from_secs(5)).await;
        let link = invitation_link(&first[0].data);

        sent_days_ago(&app, 2);
        app.another_instance().await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(reminders(&app).is_empty(), "not before the third day");

        sent_days_ago(&app, 1);
        // Two more instances start at once, each runner looking for reminders as it starts.
        tokio::join!(app.another_instance(), app.another_instance());
        let mail = app.smtp.wait_for_messages(2, Duration::from_secs(10)).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let sent = reminders(&app);
        assert_eq!(sent.len(), 1, "one reminder, whichever instance claimed it");
        assert_eq!(app.smtp.messages().len(), 2);
        assert_eq!(mail[1].rcpt_to, ["ada@example.com"]);
        assert_eq!(subject_of(&sent[0].data), "Reminder: You're invited to the Portico Help Center");
        // Each test instance has its own port; a deployment's instances share one base URL.
        assert_eq!(path_of(&invitation_link(&sent[0].data)), path_of(&link), "the same link as the invitation");

        let page = app.get_html(&format!("/contacts/{ada}")).await;
        assert!(page.contains("reminder sent"), "the invitation's attempts list it: {page}");
        assert!(page.contains("Invitation reminder sent"), "the contact's history lists it");
        let opened = app.get(&path_of(&link)).await;
        assert_eq!(opened.status().as_u16(), 200, "the link still works");
    }

    async fn expired_revoked_accepted_and_failed_invitations_get_no_reminder(app) {
        app.sign_in_agent(true).await;
        assert_eq!(remind_after(&app, "2").await.status().as_u16(), 303);
        let waiting = app.add_contact("Wendy Waiting", Some("waiting@example.com"), None);
        let expired = app.add_contact("Eve Expired", Some("expired@example.com"), None);
        let revoked = app.add_contact("Rob Revoked", Some("revoked@example.com"), None);
        let accepted = app.add_contact("Ann Accepted", Some("accepted@example.com"), None);
        let failed = app.add_contact("Fay Failed", Some("failed@example.com"), None);
        app.smtp.reject_recipient("failed@example.com", 550, "5.1.1 No such mailbox");
        for contact in [waiting, expired, revoked, accepted, failed] {
            invite(&app, contact).await;
        }
        app.smtp.wait_for_messages(4, Duration::from_secs(5)).await;
        app.post_form(&format!("/contacts/{revoked}/invitation/revoke"), &format!("/contacts/{revoked}"), &[]).await;
        app.with_connection(|conn| {
            diesel::update(invitations::table.filter(invitations::contact_id.eq(expired)))
                .set(invitations::expires_at.eq(now() - chrono::Duration::hours(1)))
                .execute(conn)
                .unwrap();
            diesel::update(invitations::table.filter(invitations::contact_id.eq(accepted)))
                .set((invitations::state.eq("accepted"), invitations::accepted_at.eq(Some(now()))))
                .execute(conn)
                .unwrap();
        });
        sent_days_ago(&app, 3);
        app.another_instance().await;
        app.smtp.wait_for_messages(5, Duration::from_secs(10)).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let sent = reminders(&app);
        assert_eq!(sent.len(), 1, "only the invitation still waiting");
        assert_eq!(sent[0].rcpt_to, ["waiting@example.com"]);
    }
}
