//! Emails about tickets: customers hear of replies, closing and their own new tickets; agents
//! hear of the Help Center's new tickets and answers. Asserted at the test SMTP server.

use diesel::prelude::*;
use portico::db::now;
use portico::db::schema::{contacts, portal_accounts, ticket_messages};

use crate::helpers::{get_as, link_in, location, path_of, post_as, subject_of, TestApp};
use crate::on_both_backends;
use crate::portal::{add_customer, open_ticket, signed_in_customer};
use crate::smtp_server::ReceivedMail;

fn text_of(mail: &ReceivedMail) -> String {
    mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .expect("a MIME message")
        .body_text(0)
        .expect("a text part")
        .into_owned()
}

fn html_of(mail: &ReceivedMail) -> String {
    mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .expect("a MIME message")
        .body_html(0)
        .expect("an HTML part")
        .into_owned()
}

async fn reply(app: &TestApp, ticket: i64, fields: &[(&str, &str)]) -> String {
    let page = format!("/tickets/{ticket}");
    let response = app.post_form(&format!("{page}/reply"), &page, fields).await;
    assert_eq!(response.status().as_u16(), 303, "the reply is saved");
    app.get_html(&page).await
}

async fn set_status(app: &TestApp, ticket: i64, status: &str) -> String {
    let page = format!("/tickets/{ticket}");
    let response = app
        .post_form(&format!("{page}/status"), &page, &[("status", status)])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    app.get_html(&page).await
}

fn recipients(app: &TestApp) -> Vec<String> {
    app.smtp
        .messages()
        .iter()
        .flat_map(|mail| mail.rcpt_to.clone())
        .collect()
}

on_both_backends! {
    async fn an_agent_reply_emails_the_customer_once_with_a_link_to_the_ticket(app) {
        app.sign_in_agent(false).await;
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let ticket = open_ticket(&app, ada, "Invoice is wrong", "It shows last month.");
        assert!(app.get_html(&format!("/tickets/{ticket}")).await.contains("in the Help Center and emails it to ada@example.com;"));

        let page = reply(&app, ticket, &[("body", "We fixed it <b>today</b>.\n\nSorry for the trouble."), ("status", "")]).await;
        assert!(page.contains("Reply sent. Emailed to ada@example.com."), "{page}");
        let mail = app.smtp.messages();
        assert_eq!(mail.len(), 1, "one email for one reply");
        assert_eq!(mail[0].rcpt_to, ["ada@example.com"]);
        assert_eq!(subject_of(&mail[0].data), format!("[#{ticket}] Re: Invoice is wrong"));
        let text = text_of(&mail[0]);
        assert!(text.contains("Hello Ada Lovelace,") && text.contains("Sam Agent replied to your ticket “Invoice is wrong”:"), "{text}");
        assert!(text.contains("> We fixed it <b>today</b>.") && text.contains("> Sorry for the trouble."), "{text}");
        assert!(html_of(&mail[0]).contains("We fixed it &#60;b&#62;today&#60;/b&#62;."), "the HTML part shows the reply as text");
        let link = link_in(&mail[0].data, "/portal/tickets/");
        assert_eq!(path_of(&link), format!("/portal/tickets/{ticket}"));
        assert!(!text.contains("token") && !text.contains("password"), "no secret in a reply email");

        let customer = signed_in_customer(&app, "ada@example.com").await;
        let (status, seen) = get_as(&app, &customer, &path_of(&link)).await;
        assert_eq!(status, 200);
        assert!(seen.contains("We fixed it &#60;b&#62;today&#60;/b&#62;."), "the link opens the ticket with the reply");
        assert!(page.contains("<td>ada@example.com</td>") && page.contains("<td>Agent&#39;s reply</td>") && page.contains("<td>Sent</td>"), "the ticket's history lists the email: {page}");
    }

    async fn internal_notes_are_neither_emailed_nor_shown_to_the_customer(app) {
        app.sign_in_agent(false).await;
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let ticket = open_ticket(&app, ada, "Invoice is wrong", "It shows last month.");

        let page = reply(&app, ticket, &[("body", "Billing says she was charged twice."), ("status", ""), ("internal", "true")]).await;
        assert!(page.contains("Internal note added."), "{page}");
        assert!(!page.contains("Emailed to"));
        assert!(page.contains("Internal note</span></h3>") && page.contains("Billing says she was charged twice."));
        assert!(app.smtp.messages().is_empty(), "an internal note emails nobody");
        let customer = signed_in_customer(&app, "ada@example.com").await;
        let seen = get_as(&app, &customer, &format!("/portal/tickets/{ticket}")).await.1;
        assert!(seen.contains("It shows last month.") && !seen.contains("charged twice"), "customers never see internal notes");

        set_status(&app, ticket, "on_hold").await;
        assert!(app.smtp.messages().is_empty(), "putting a ticket on hold emails nobody");
        let closed_by_note = reply(&app, ticket, &[("body", "Refunded; closing."), ("status", "closed"), ("internal", "true")]).await;
        assert!(closed_by_note.contains("Internal note added. Status changed from On hold to Closed. Emailed to ada@example.com."), "{closed_by_note}");
        let mail = app.smtp.messages();
        assert_eq!(mail.len(), 1, "closing is news even when the note is not");
        assert_eq!(subject_of(&mail[0].data), format!("[#{ticket}] Closed: Invoice is wrong"));
        assert!(!text_of(&mail[0]).contains("Refunded"), "the note's text stays inside");
    }

    async fn closing_emails_the_customer_and_a_reply_that_closes_sends_one_email(app) {
        app.sign_in_agent(false).await;
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let ticket = open_ticket(&app, ada, "Cannot sign in", "Help!");

        let page = set_status(&app, ticket, "closed").await;
        assert!(page.contains("Status changed from Open to Closed. Emailed to ada@example.com."), "{page}");
        let mail = app.smtp.messages();
        assert_eq!(mail.len(), 1);
        let text = text_of(&mail[0]);
        assert!(text.contains("Your ticket “Cannot sign in” is now closed.") && text.contains("it opens again"), "{text}");
        set_status(&app, ticket, "closed").await;
        assert_eq!(app.smtp.messages().len(), 1, "a ticket already closed is not closed again");

        set_status(&app, ticket, "open").await;
        reply(&app, ticket, &[("body", "Your password is reset."), ("status", "closed")]).await;
        let mail = app.smtp.messages();
        assert_eq!(mail.len(), 2, "a reply that closes is one email, not two");
        assert_eq!(subject_of(&mail[1].data), format!("[#{ticket}] Re: Cannot sign in"));
        let text = text_of(&mail[1]);
        assert!(text.contains("replied to your ticket “Cannot sign in” and closed it:") && text.contains("> Your password is reset."), "{text}");
    }

    async fn spam_deactivated_deleted_and_addressless_contacts_get_no_email(app) {
        app.sign_in_agent(false).await;
        let spam = add_customer(&app, "Sven Spam", "spam@example.com");
        let off = add_customer(&app, "Olga Off", "off@example.com");
        let gone = add_customer(&app, "Gus Gone", "gone@example.com");
        let silent = app.add_contact("Pat Phone", None, Some("+44 20 7946 0958"));
        let never_invited = app.add_contact("Nia New", Some("nia@example.com"), None);
        app.with_connection(|conn| {
            diesel::update(contacts::table.find(spam)).set(contacts::is_spam.eq(true)).execute(conn).unwrap();
            diesel::update(contacts::table.find(gone)).set(contacts::deleted_at.eq(Some(now()))).execute(conn).unwrap();
            diesel::update(portal_accounts::table.filter(portal_accounts::contact_id.eq(off)))
                .set(portal_accounts::deactivated_at.eq(Some(now())))
                .execute(conn)
                .unwrap();
        });
        for (contact, why) in [
            (spam, "the contact is marked as spam"),
            (off, "the contact&#39;s Help Center access is deactivated"),
            (gone, "the contact is deleted"),
            (silent, "the contact has no email address"),
        ] {
            let ticket = open_ticket(&app, contact, "A question", "Hello?");
            let form = app.get_html(&format!("/tickets/{ticket}")).await;
            assert!(form.contains(&format!("in the Help Center (not emailed: {why});")), "the reply form says so first: {form}");
            let page = reply(&app, ticket, &[("body", "An answer."), ("status", "closed")]).await;
            assert!(page.contains(&format!("Reply sent. Status changed from Open to Closed. Not emailed: {why}.")), "{page}");
        }
        assert!(app.smtp.messages().is_empty(), "{:?}", recipients(&app));

        let ticket = open_ticket(&app, never_invited, "Phoned in", "Called about her order.");
        reply(&app, ticket, &[("body", "Your order ships today."), ("status", "")]).await;
        assert_eq!(recipients(&app), ["nia@example.com"], "a contact without a Help Center account still hears the answer");
    }

    async fn each_setting_turns_its_kind_of_customer_email_off(app) {
        app.sign_in_agent(true).await;
        let settings = app.get_html("/settings").await;
        for label in ["An agent replies to their ticket", "Their ticket is closed", "They submit a ticket in the Help Center"] {
            assert!(settings.contains(label), "{label}");
        }
        assert_eq!(settings.matches("name=\"email_on_").count(), 3);
        assert_eq!(settings.matches("value=\"on\" checked> An agent").count() + settings.matches("value=\"on\" checked> Their").count() + settings.matches("value=\"on\" checked> They").count(), 3, "all on by default");
        let saved = app.post_form("/settings/help-center", "/settings", &[("self_registration", "off")]).await;
        assert_eq!(saved.status().as_u16(), 303);
        let settings = app.get_html("/settings").await;
        assert!(!settings.contains("checked> An agent replies") && !settings.contains("checked> Their ticket is closed"));

        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let ticket = open_ticket(&app, ada, "Invoice is wrong", "Hello");
        reply(&app, ticket, &[("body", "Fixed."), ("status", "")]).await;
        set_status(&app, ticket, "closed").await;
        let customer = signed_in_customer(&app, "ada@example.com").await;
        let submitted = post_as(&app, &customer, "/portal/tickets/new", "/portal/tickets/new", &[("subject", "Another"), ("message", "One more.")]).await;
        assert_eq!(submitted.status().as_u16(), 303);
        assert!(app.smtp.messages_to("ada@example.com").is_empty(), "every kind is off");

        app.post_form("/settings/help-center", "/settings", &[("self_registration", "off"), ("email_on_closed", "on")]).await;
        set_status(&app, ticket, "open").await;
        reply(&app, ticket, &[("body", "Reopened and fixed."), ("status", "closed")]).await;
        let mail = app.smtp.messages_to("ada@example.com");
        assert_eq!(mail.len(), 1, "only the kind left on");
        assert_eq!(subject_of(&mail[0].data), format!("[#{ticket}] Closed: Invoice is wrong"));
    }

    async fn a_help_center_ticket_is_acknowledged_and_told_to_opted_in_agents(app) {
        app.create_agent("quiet@portico.test", "Quinn Quiet", false);
        app.sign_in_agent(false).await;
        let profile = app.get_html("/profile/password").await;
        assert!(profile.contains("Email me new Help Center tickets that no agent has answered yet"));
        let saved = app.post_form("/profile/emails", "/profile/password", &[("notify_new_tickets", "on")]).await;
        assert_eq!(saved.status().as_u16(), 303);
        let profile = app.get_html("/profile/password").await;
        assert!(profile.contains("value=\"on\" checked> Email me new Help Center tickets"), "the choice is kept");

        add_customer(&app, "Ada Lovelace", "ada@example.com");
        let customer = signed_in_customer(&app, "ada@example.com").await;
        let created = post_as(&app, &customer, "/portal/tickets/new", "/portal/tickets/new", &[("subject", "Printer on fire"), ("message", "Smoke everywhere.")]).await;
        assert_eq!(created.status().as_u16(), 303);
        let ticket: i64 = location(&created).rsplit('/').next().unwrap().parse().unwrap();

        let acknowledged = app.smtp.messages_to("ada@example.com");
        assert_eq!(acknowledged.len(), 1);
        assert_eq!(subject_of(&acknowledged[0].data), format!("[#{ticket}] Received: Printer on fire"));
        assert!(text_of(&acknowledged[0]).contains("> Smoke everywhere."));
        assert_eq!(path_of(&link_in(&acknowledged[0].data, "/portal/tickets/")), format!("/portal/tickets/{ticket}"));

        let told = app.smtp.messages_to("agent@portico.test");
        assert_eq!(told.len(), 1, "the agent who opted in hears of it");
        assert_eq!(subject_of(&told[0].data), format!("[#{ticket}] New Help Center ticket: Printer on fire"));
        let text = text_of(&told[0]);
        assert!(text.contains("Ada Lovelace (ada@example.com) submitted a ticket") && text.contains("> Smoke everywhere."), "{text}");
        assert_eq!(path_of(&link_in(&told[0].data, "/tickets/")), format!("/tickets/{ticket}"));
        assert!(app.smtp.messages_to("quiet@portico.test").is_empty(), "agents who did not opt in hear nothing");
        assert_eq!(app.smtp.messages().len(), 2);

        let page = app.get_html(&format!("/tickets/{ticket}")).await;
        assert!(page.contains("<td>Ticket received</td>") && page.contains("<td>New Help Center ticket</td>"), "{page}");
    }

    async fn a_customer_reply_goes_to_the_agent_who_answered_last(app) {
        let answering = app.create_agent("answering@portico.test", "Avery Answer", false);
        app.sign_in_agent(false).await;
        app.post_form("/profile/emails", "/profile/password", &[("notify_new_tickets", "on")]).await;
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let ticket = open_ticket(&app, ada, "Invoice is wrong", "It shows last month.");
        let customer = signed_in_customer(&app, "ada@example.com").await;
        let path = format!("/portal/tickets/{ticket}");

        post_as(&app, &customer, &format!("{path}/reply"), &path, &[("body", "Any news?")]).await;
        assert_eq!(recipients(&app), ["agent@portico.test"], "unanswered: the agents who opted in");

        app.with_connection(|conn| {
            portico::tickets::Ticket::add_agent_reply(conn, ticket, answering, "Looking into it.", false, Some(portico::tickets::TicketStatus::Closed)).unwrap();
        });
        let answered = post_as(&app, &customer, &format!("{path}/reply"), &path, &[("body", "Still wrong, sorry.")]).await;
        assert_eq!(answered.status().as_u16(), 303);
        let mail = app.smtp.messages_to("answering@portico.test");
        assert_eq!(mail.len(), 1, "the ticket's agent hears of the answer");
        assert_eq!(subject_of(&mail[0].data), format!("[#{ticket}] Ada Lovelace replied: Invoice is wrong"));
        assert!(text_of(&mail[0]).contains("which opened it again:") && text_of(&mail[0]).contains("> Still wrong, sorry."));
        assert_eq!(app.smtp.messages().len(), 2, "and nobody else");
    }

    async fn a_failed_email_is_recorded_on_the_ticket_and_the_reply_is_kept(app) {
        app.sign_in_agent(false).await;
        let ada = add_customer(&app, "Ada Lovelace", "ada@example.com");
        let ticket = open_ticket(&app, ada, "Invoice is wrong", "It shows last month.");
        app.smtp.reject_recipient("ada@example.com", 550, "5.1.1 Mailbox unavailable");

        let page = reply(&app, ticket, &[("body", "We fixed it."), ("status", "")]).await;
        assert!(page.contains("Reply sent. The email to ada@example.com failed:") && page.contains("Mailbox unavailable"), "{page}");
        assert!(page.contains("<p>We fixed it.</p>"), "the reply is saved whatever the email did");
        assert!(page.contains("class=\"field-error\">Failed: ") , "the history says it failed and why: {page}");
        let saved: i64 = app.with_connection(|conn| {
            ticket_messages::table.filter(ticket_messages::ticket_id.eq(ticket)).count().get_result(conn).unwrap()
        });
        assert_eq!(saved, 2);
    }
}
