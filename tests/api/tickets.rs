use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use portico::db::now;
use portico::db::schema::{audit_events, ticket_messages, tickets};
use portico::tickets::{NewTicket, NewTicketMessage, TicketStatus};

use crate::helpers::{location, TestApp};
use crate::on_both_backends;

/// A ticket raised by the contact and last updated at `at`, with the customer's first message.
fn add_ticket_at(
    app: &TestApp,
    contact_id: i64,
    subject: &str,
    status: TicketStatus,
    at: NaiveDateTime,
) -> i64 {
    let mut conn = app.pool.get().expect("connection");
    let ticket_id = NewTicket {
        contact_id,
        subject,
        status: status.as_str(),
        created_at: at,
        updated_at: at,
    }
    .insert(&mut conn)
    .expect("ticket added");
    NewTicketMessage {
        ticket_id,
        author_agent_id: None,
        from_customer: true,
        body: "My invoice is wrong.\nIt shows last month.\n\nPlease check.",
        created_at: at,
        internal: false,
    }
    .insert(&mut conn)
    .expect("message added");
    ticket_id
}

fn add_ticket(
    app: &TestApp,
    contact_id: i64,
    subject: &str,
    status: TicketStatus,
    minutes_ago: i64,
) -> i64 {
    add_ticket_at(
        app,
        contact_id,
        subject,
        status,
        now() - Duration::minutes(minutes_ago),
    )
}

fn subjects_in(html: &str) -> Vec<String> {
    html.split("<td><a href=\"/tickets/")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest[start..].find('<')? + start;
            Some(rest[start..end].to_owned())
        })
        .collect()
}

fn tab_count(html: &str, label: &str) -> String {
    let marker = format!(">{label} <span class=\"count\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no tab {label}"))
        + marker.len();
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("\" rel=\"{rel}\"");
    let end = html.find(&marker)?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

async fn ok_html(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.text().await.unwrap()
}

fn badge_of(html: &str) -> String {
    let start = html
        .find("id=\"ticket-status\">")
        .expect("the status badge")
        + 19;
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

on_both_backends! {
    async fn the_list_filters_by_status_with_exact_counts(app) {
        app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let bob = app.add_contact("Bob Builder", None, None);
        add_ticket(&app, ada, "Open newest", TicketStatus::Open, 1);
        add_ticket(&app, bob, "Held", TicketStatus::OnHold, 2);
        add_ticket(&app, ada, "Closed one", TicketStatus::Closed, 3);
        add_ticket(&app, bob, "Open oldest", TicketStatus::Open, 4);
        add_ticket(&app, ada, "Closed two", TicketStatus::Closed, 5);
        add_ticket(&app, ada, "Closed three", TicketStatus::Closed, 6);

        let all = ok_html(&app, "/tickets").await;
        assert_eq!(
            subjects_in(&all),
            ["Open newest", "Held", "Closed one", "Open oldest", "Closed two", "Closed three"],
            "newest update first"
        );
        assert_eq!(tab_count(&all, "All tickets"), "6");
        assert_eq!(tab_count(&all, "Open"), "2");
        assert_eq!(tab_count(&all, "On hold"), "1");
        assert_eq!(tab_count(&all, "Closed"), "3");
        assert!(all.contains(&format!("<a href=\"/contacts/{bob}\">Bob Builder</a>")));
        assert!(all.contains("<span class=\"badge badge-on-hold\">On hold</span>"));

        let closed = ok_html(&app, "/tickets?status=closed").await;
        assert_eq!(subjects_in(&closed), ["Closed one", "Closed two", "Closed three"]);
        assert_eq!(tab_count(&closed, "Open"), "2", "every tab keeps its count");
        let held = ok_html(&app, "/tickets?status=on_hold").await;
        assert_eq!(subjects_in(&held), ["Held"]);
        assert_eq!(app.get("/tickets?status=lost").await.status().as_u16(), 400);
        assert_eq!(app.get("/tickets?after=garbage").await.status().as_u16(), 400);
    }

    async fn pages_of_fifty_walk_forward_and_back_without_gaps(app) {
        app.sign_in_agent(false).await;
        let contact = app.add_contact("Busy Customer", None, None);
        let base = now();
        for number in 0..120 {
            // Pairs share an update time, so the id has to break the tie.
            let at = base - Duration::minutes(number / 2);
            add_ticket_at(&app, contact, &format!("Ticket {number:03}"), TicketStatus::Open, at);
        }
        let first = ok_html(&app, "/tickets?status=open").await;
        assert_eq!(subjects_in(&first).len(), 50);
        assert!(link(&first, "prev").is_none());
        let second = ok_html(&app, &link(&first, "next").unwrap()).await;
        let third = ok_html(&app, &link(&second, "next").unwrap()).await;
        assert!(link(&third, "next").is_none(), "the last page has no next");
        let mut seen = subjects_in(&first);
        seen.extend(subjects_in(&second));
        seen.extend(subjects_in(&third));
        let mut expected: Vec<String> = Vec::new();
        for pair in 0..60 {
            // Within a pair the later insert has the higher id and comes first.
            expected.push(format!("Ticket {:03}", pair * 2 + 1));
            expected.push(format!("Ticket {:03}", pair * 2));
        }
        assert_eq!(seen, expected);
        let back = ok_html(&app, &link(&third, "prev").unwrap()).await;
        assert_eq!(subjects_in(&back), subjects_in(&second));
        assert!(link(&second, "next").unwrap().contains("status=open"), "pages keep the filter");
    }

    async fn an_agent_reply_appears_marked_as_from_the_agent_and_bumps_the_ticket(app) {
        app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let ticket = add_ticket(&app, ada, "Invoice is wrong", TicketStatus::Open, 90);
        add_ticket(&app, ada, "Newer question", TicketStatus::Open, 5);
        assert_eq!(subjects_in(&ok_html(&app, "/tickets").await), ["Newer question", "Invoice is wrong"]);

        let page = format!("/tickets/{ticket}");
        let before = ok_html(&app, &page).await;
        assert!(before.contains("<h3>Ada Lovelace <span class=\"badge\">Customer</span></h3>"));
        assert!(before.contains("<p>My invoice is wrong.<br>It shows last month.</p><p>Please check.</p>"));

        let response = app.post_form(&format!("{page}/reply"), &page, &[("body", "We fixed it <b>today</b>.\r\nSorry!"), ("status", "")]).await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(location(&response), page);
        let after = ok_html(&app, &page).await;
        assert!(after.contains("Reply sent."));
        assert!(after.contains("<h3>Sam Agent <span class=\"badge\">Agent</span></h3>"));
        assert!(after.contains("<p>We fixed it &#60;b&#62;today&#60;/b&#62;.<br>Sorry!</p>"), "the reply is shown as text");
        assert!(after.find("Ada Lovelace <span").unwrap() < after.find("Sam Agent <span").unwrap(), "in the order written");
        assert_eq!(badge_of(&after), "Open", "no status chosen: it stays");
        assert_eq!(subjects_in(&ok_html(&app, "/tickets").await), ["Invoice is wrong", "Newer question"], "the reply updated the ticket");
    }

    async fn changing_the_status_shows_on_the_ticket_its_contact_and_the_audit_trail(app) {
        let agent_id = app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let ticket = add_ticket(&app, ada, "Cannot sign in", TicketStatus::Open, 10);
        let page = format!("/tickets/{ticket}");

        let response = app.post_form(&format!("{page}/status"), &page, &[("status", "closed")]).await;
        assert_eq!(response.status().as_u16(), 303);
        let closed = ok_html(&app, &page).await;
        assert!(closed.contains("Status changed from Open to Closed."));
        assert_eq!(badge_of(&closed), "Closed");
        assert!(closed.contains("<span class=\"badge badge-closed\" id=\"ticket-status\">"));
        let contact_page = ok_html(&app, &format!("/contacts/{ada}")).await;
        assert!(contact_page.contains("<span class=\"badge badge-closed\">Closed</span>"), "the contact's page shows the new status");

        let reply = app.post_form(&format!("{page}/reply"), &page, &[("body", "Reopening: it happened again."), ("status", "on_hold")]).await;
        assert_eq!(reply.status().as_u16(), 303);
        let held = ok_html(&app, &page).await;
        assert!(held.contains("Reply sent. Status changed from Closed to On hold."));
        assert_eq!(badge_of(&held), "On hold");
        assert!(held.contains("Reopening: it happened again."));

        let same = app.post_form(&format!("{page}/status"), &page, &[("status", "on_hold")]).await;
        assert_eq!(same.status().as_u16(), 303);
        assert!(ok_html(&app, &page).await.contains("The ticket is already On hold."));

        let mut conn = app.pool.get().unwrap();
        let trail: Vec<(Option<i64>, Option<i64>, String)> = audit_events::table
            .filter(audit_events::action.eq("ticket.status_changed"))
            .order(audit_events::id.asc())
            .select((audit_events::actor_agent_id, audit_events::subject_id, audit_events::details))
            .load(&mut conn)
            .unwrap();
        assert_eq!(trail, [
            (Some(agent_id), Some(ticket), "open → closed".to_owned()),
            (Some(agent_id), Some(ticket), "closed → on_hold".to_owned()),
        ], "one event per real change");
        let bad = app.post_form(&format!("{page}/status"), &page, &[("status", "deleted")]).await;
        assert_eq!(bad.status().as_u16(), 422);
        assert!(bad.text().await.unwrap().contains("Choose one of the statuses in the list."));
    }

    async fn an_empty_reply_is_refused_beside_the_field_and_typed_text_is_kept(app) {
        app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada Lovelace", None, None);
        let ticket = add_ticket(&app, ada, "Question", TicketStatus::Open, 10);
        let page = format!("/tickets/{ticket}");
        let updated_before: NaiveDateTime = {
            let mut conn = app.pool.get().unwrap();
            tickets::table.find(ticket).select(tickets::updated_at).first(&mut conn).unwrap()
        };

        let empty = app.post_form(&format!("{page}/reply"), &page, &[("body", "  \r\n "), ("status", "closed")]).await;
        assert_eq!(empty.status().as_u16(), 422);
        let html = empty.text().await.unwrap();
        assert!(html.contains("<p class=\"field-error\" id=\"body-error\">Write a reply before sending it.</p>"));
        assert!(html.contains("<option value=\"closed\" selected>Closed</option>"), "the chosen status is kept");

        let bad_status = app.post_form(&format!("{page}/reply"), &page, &[("body", "Keep this text"), ("status", "archived")]).await;
        assert_eq!(bad_status.status().as_u16(), 422);
        let html = bad_status.text().await.unwrap();
        assert!(html.contains(">\nKeep this text</textarea>"), "the typed reply is kept");
        assert!(html.contains("id=\"reply-status-error\""));

        let long = "x".repeat(64 * 1024 + 1);
        let too_long = app.post_form(&format!("{page}/reply"), &page, &[("body", &long), ("status", "")]).await;
        assert_eq!(too_long.status().as_u16(), 422);
        assert!(too_long.text().await.unwrap().contains("a reply can be at most 64 KiB"));

        let mut conn = app.pool.get().unwrap();
        let messages: i64 = ticket_messages::table
            .filter(ticket_messages::ticket_id.eq(ticket))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(messages, 1, "nothing was written");
        let (status, updated_after): (String, NaiveDateTime) = tickets::table
            .find(ticket)
            .select((tickets::status, tickets::updated_at))
            .first(&mut conn)
            .unwrap();
        assert_eq!(status, "open");
        assert_eq!(updated_after, updated_before);
    }

    async fn unknown_tickets_are_not_found_and_agents_must_sign_in(app) {
        assert_eq!(location(&app.get("/tickets").await), "/login?next=%2Ftickets");
        app.sign_in_agent(false).await;
        assert_eq!(app.get("/tickets/424242").await.status().as_u16(), 404);
        let reply = app.post_form("/tickets/424242/reply", "/tickets", &[("body", "Hello"), ("status", "")]).await;
        assert_eq!(reply.status().as_u16(), 404);
        let status = app.post_form("/tickets/424242/status", "/tickets", &[("status", "closed")]).await;
        assert_eq!(status.status().as_u16(), 404);
    }
}
