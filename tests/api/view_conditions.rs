//! Each operator of each kind of field, on a small set of contacts with edge cases: empty
//! values, accents, a contact at the edge of "today" in Tokyo.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use portico::audit::Actor;
use portico::db::schema::{contact_imports, contacts};
use portico::domain::ContactDraft;

use crate::custom_views::{create_view, Row};
use crate::helpers::{location, TestApp};
use crate::on_both_backends;
use crate::portal::open_ticket;

fn names_in(html: &str) -> Vec<String> {
    crate::contacts::names_in(html)
}

struct Seeded {
    now: NaiveDateTime,
    /// "Tokyo Late": made a minute into today in Tokyo.
    tokyo_late_created: NaiveDateTime,
}

fn contact(app: &TestApp, name: &str, email: &str, phone: &str, account: Option<i64>) -> i64 {
    let draft = ContactDraft::parse(name, email, phone).expect("valid contact");
    app.with_connection(|conn| {
        portico::contacts::create(conn, &draft, account, Actor::System).expect("added")
    })
}

fn set(app: &TestApp, id: i64, change: impl FnOnce(&mut portico::db::DbConnection, i64)) {
    app.with_connection(|conn| change(conn, id));
}

fn seed(app: &TestApp) -> Seeded {
    let now = portico::db::now();
    let acme = app.add_account("Acme");
    let globex = app.add_account("Globex");
    let emilie = contact(
        app,
        "Émilie Côté",
        "emilie@acme.example",
        "+33 1 23 45 67",
        Some(acme),
    );
    let bob = contact(app, "Bob Jones", "bob@eu.acme.example", "", None);
    let carla = contact(app, "Carla Díaz", "", "+44 20 7946 0958", Some(globex));
    let dan = contact(app, "Dan Old", "dan@old.example", "", None);
    let eve = contact(app, "Eve Spam", "eve@spam.example", "", None);
    let tokyo = contact(app, "Tokyo Late", "tokyo@example.com", "", None);
    let tokyo_today = (now + Duration::hours(9)).date();
    let tokyo_late_created = tokyo_today.and_hms_opt(0, 1, 0).unwrap() - Duration::hours(9);
    let created = |id: i64, at: NaiveDateTime| {
        set(app, id, |conn, id| {
            diesel::update(contacts::table.find(id))
                .set((contacts::created_at.eq(at), contacts::updated_at.eq(at)))
                .execute(conn)
                .unwrap();
        })
    };
    created(emilie, now - Duration::days(400));
    created(bob, now - Duration::days(10));
    created(carla, now - Duration::days(1));
    created(dan, now - Duration::days(800));
    created(tokyo, tokyo_late_created);
    set(app, emilie, |conn, id| {
        diesel::update(contacts::table.find(id))
            .set((
                contacts::help_center_status.eq("invited"),
                contacts::last_invited_at.eq(now - Duration::days(2)),
                contacts::invitation_expires_at.eq(now + Duration::days(5)),
            ))
            .execute(conn)
            .unwrap();
    });
    set(app, dan, |conn, id| {
        diesel::update(contacts::table.find(id))
            .set((
                contacts::help_center_status.eq("invited"),
                contacts::last_invited_at.eq(now - Duration::days(20)),
                contacts::invitation_expires_at.eq(now - Duration::days(1)),
            ))
            .execute(conn)
            .unwrap();
        let import: i64 = diesel::insert_into(contact_imports::table)
            .values((
                contact_imports::file_name.eq("old-customers.csv"),
                contact_imports::imported.eq(1_i64),
                contact_imports::rejected.eq(0_i64),
                contact_imports::rejected_csv.eq(""),
                contact_imports::created_at.eq(now),
            ))
            .returning(contact_imports::id)
            .get_result(conn)
            .unwrap();
        diesel::update(contacts::table.find(id))
            .set(contacts::import_id.eq(import))
            .execute(conn)
            .unwrap();
    });
    app.mark_contact(carla, "activated");
    set(app, carla, |conn, id| {
        portico::help_center::accounts::PortalAccount::activate(
            conn,
            id,
            "not-a-real-hash",
            now - Duration::days(5),
        )
        .unwrap();
    });
    set(app, eve, |conn, id| {
        diesel::update(contacts::table.find(id))
            .set(contacts::is_spam.eq(true))
            .execute(conn)
            .unwrap();
    });
    open_ticket(app, bob, "Printer on fire", "Again.");
    open_ticket(app, bob, "Still on fire", "Help.");
    let closed = open_ticket(app, emilie, "Thanks", "All good.");
    app.with_connection(|conn| {
        use portico::db::schema::tickets;
        diesel::update(tickets::table.find(closed))
            .set(tickets::status.eq("closed"))
            .execute(conn)
            .unwrap();
    });
    Seeded {
        now,
        tokyo_late_created,
    }
}

async fn view_names(app: &TestApp, rows: &[Row<'_>], extra: &[(&str, &str)]) -> Vec<String> {
    let id = create_view(app, "Checked", rows, extra).await;
    let names = names_in(
        &app.get_html(&format!("/contacts?view=custom-{id}&per_page=100"))
            .await,
    );
    let deleted = app
        .post_form(
            &format!("/contacts/views/{id}/delete"),
            &format!("/contacts/views/{id}/edit"),
            &[],
        )
        .await;
    assert_eq!(deleted.status().as_u16(), 303);
    names
}

const BOB: &str = "Bob Jones";
const CARLA: &str = "Carla Díaz";
const DAN: &str = "Dan Old";
const EMILIE: &str = "Émilie Côté";
const TOKYO: &str = "Tokyo Late";

on_both_backends! {
    async fn each_operator_of_each_field_finds_exactly_its_contacts(app) {
        app.sign_in_agent(false).await;
        let seeded = seed(&app);
        let day = |days_ago: i64| (seeded.now - Duration::days(days_ago)).format("%Y-%m-%d").to_string();
        let (before_100, after_50, from_15, to_5, today) = (day(100), day(50), day(15), day(5), day(0));
        let checks: Vec<(Vec<Row>, Vec<&str>)> = vec![
            (vec![("name", "is", "EMILIE COTE")], vec![EMILIE]),
            (vec![("name", "is_not", "émilie côté")], vec![BOB, CARLA, DAN, TOKYO]),
            (vec![("name", "contains", "diaz")], vec![CARLA]),
            (vec![("name", "does_not_contain", "o")], vec![CARLA]),
            (vec![("name", "starts_with", "Em")], vec![EMILIE]),
            (vec![("email", "is_empty", "")], vec![CARLA]),
            (vec![("email", "is_not_empty", "")], vec![BOB, DAN, EMILIE, TOKYO]),
            (vec![("email", "contains", "ACME")], vec![BOB, EMILIE]),
            (vec![("email_domain", "is", "acme.example")], vec![EMILIE]),
            (vec![("email_domain", "contains", "acme")], vec![BOB, EMILIE]),
            (vec![("email_domain", "is_empty", "")], vec![CARLA]),
            (vec![("phone", "starts_with", "+44")], vec![CARLA]),
            (vec![("phone", "is_empty", "")], vec![BOB, DAN, TOKYO]),
            (vec![("account", "is", "acme")], vec![EMILIE]),
            (vec![("account", "is_not", "Acme")], vec![BOB, CARLA, DAN, TOKYO]),
            (vec![("account", "is_empty", "")], vec![BOB, DAN, TOKYO]),
            (vec![("account", "is_not_empty", "")], vec![CARLA, EMILIE]),
            (vec![("status", "is", "Invited")], vec![EMILIE]),
            (vec![("status", "is", "Invitation expired")], vec![DAN]),
            (vec![("status", "is", "activated")], vec![CARLA]),
            (vec![("status", "is_not", "Not invited")], vec![CARLA, DAN, EMILIE]),
            (vec![("created", "in_the_last", "7")], vec![CARLA, TOKYO]),
            (vec![("created", "more_than_ago", "7")], vec![BOB, DAN, EMILIE]),
            (vec![("created", "before", &before_100)], vec![DAN, EMILIE]),
            (vec![("created", "after", &after_50)], vec![BOB, CARLA, TOKYO]),
            (vec![("created", "between", &from_15)], vec![BOB]),
            (vec![("updated", "more_than_ago", "300")], vec![DAN, EMILIE]),
            (vec![("last_invited", "is_empty", "")], vec![BOB, CARLA, TOKYO]),
            (vec![("last_invited", "in_the_last", "7")], vec![EMILIE]),
            (vec![("last_invited", "more_than_ago", "7")], vec![DAN]),
            (vec![("invitation_expires", "before", &today)], vec![DAN]),
            (vec![("invitation_expires", "after", &today)], vec![EMILIE]),
            (vec![("invitation_expires", "is_empty", "")], vec![BOB, CARLA, TOKYO]),
            (vec![("activated", "is_not_empty", "")], vec![CARLA]),
            (vec![("activated", "in_the_last", "7")], vec![CARLA]),
            (vec![("activated", "is_empty", "")], vec![BOB, DAN, EMILIE, TOKYO]),
            (vec![("open_tickets", "greater_than", "0")], vec![BOB]),
            (vec![("open_tickets", "equals", "2")], vec![BOB]),
            (vec![("open_tickets", "equals", "0")], vec![CARLA, DAN, EMILIE, TOKYO]),
            (vec![("open_tickets", "less_than", "2")], vec![CARLA, DAN, EMILIE, TOKYO]),
            (vec![("open_tickets", "not_equals", "0")], vec![BOB]),
            (vec![("last_ticket", "is_empty", "")], vec![CARLA, DAN, TOKYO]),
            (vec![("last_ticket", "in_the_last", "7")], vec![BOB, EMILIE]),
            (vec![("import", "is", "old-customers.csv")], vec![DAN]),
            (vec![("import", "is_not", "old-customers.csv")], vec![BOB, CARLA, EMILIE, TOKYO]),
            (vec![("import", "is_empty", "")], vec![BOB, CARLA, EMILIE, TOKYO]),
            (vec![("spam", "is", "yes")], vec!["Eve Spam"]),
            (vec![("spam", "is", "no")], vec![BOB, CARLA, DAN, EMILIE, TOKYO]),
            (vec![("spam", "is_not", "yes")], vec![BOB, CARLA, DAN, EMILIE, TOKYO]),
        ];
        for (rows, expected) in &checks {
            let extra: Vec<(&str, &str)> = match rows[0].1 {
                "between" => vec![("until_0", to_5.as_str())],
                _ => vec![],
            };
            assert_eq!(view_names(&app, rows, &extra).await, *expected, "{rows:?}");
        }
    }

    async fn all_or_any_and_the_edge_of_today_in_the_agents_zone(app) {
        app.sign_in_agent(false).await;
        let seeded = seed(&app);
        let either: [Row; 2] = [("name", "contains", "diaz"), ("account", "is", "Acme")];
        assert_eq!(view_names(&app, &either, &[("match", "any")]).await, [CARLA, EMILIE]);
        assert!(view_names(&app, &either, &[("match", "all")]).await.is_empty());

        // Made a minute into today in Tokyo: today there, and in UTC only once UTC's day has
        // caught up with Tokyo's.
        let today_in_utc = seeded.tokyo_late_created.date() == seeded.now.date();
        let utc_today = view_names(&app, &[("created", "in_the_last", "1")], &[]).await;
        assert_eq!(utc_today.contains(&TOKYO.to_owned()), today_in_utc, "{utc_today:?}");
        let chosen = app.post_form("/profile/time-zone", "/profile/password", &[("time_zone", "Asia/Tokyo")]).await;
        assert_eq!(location(&chosen), "/profile/password");
        let tokyo_today = view_names(&app, &[("created", "in_the_last", "1")], &[]).await;
        assert!(tokyo_today.contains(&TOKYO.to_owned()), "{tokyo_today:?}");
        assert!(!tokyo_today.contains(&CARLA.to_owned()), "a day ago is not today anywhere");
    }

    async fn a_views_count_list_export_and_apply_to_all_hold_the_same_contacts(app) {
        app.sign_in_agent(false).await;
        for (name, email) in [("Ann Acme", "ann@acme.example"), ("Zed Solo", "zed@solo.example"), ("Bea Acme", "bea@acme.example"), ("Cy Other", "cy@other.example"), ("Dee Elsewhere", "dee@elsewhere.example")] {
            app.add_contact(name, Some(email), None);
        }
        let id = create_view(&app, "Campaign", &[("email_domain", "is", "acme.example"), ("name", "starts_with", "zed")], &[("match", "any")]).await;
        let address = format!("/contacts?view=custom-{id}");
        let page = app.get_html(&address).await;
        assert_eq!(names_in(&page), ["Ann Acme", "Bea Acme", "Zed Solo"]);
        assert!(page.contains("<p class=\"total\">3 contacts</p>"));
        assert!(page.contains(">Campaign <span class=\"count\">3</span>"), "the sidebar's count");
        let export = app.get_html(&format!("/contacts/export?view=custom-{id}")).await;
        let rows: Vec<String> = csv::Reader::from_reader(export.as_bytes()).records().map(|record| record.unwrap()[0].to_owned()).collect();
        assert_eq!(rows, ["Ann Acme", "Bea Acme", "Zed Solo"], "the export");

        let view = format!("custom-{id}");
        let job = crate::bulk_jobs::start_bulk_job(&app, &[("action", "invite"), ("view", &view)]).await;
        crate::bulk_jobs::wait_for_job(&app, &job, "Done").await;
        let mut invited: Vec<String> = app.smtp.messages().into_iter().flat_map(|mail| mail.rcpt_to).collect();
        invited.sort();
        assert_eq!(invited, ["ann@acme.example", "bea@acme.example", "zed@solo.example"], "Apply to all invites exactly the view's contacts");
    }
}

/// The view form built by its visible labels in Chromium: two conditions matched any.
async fn an_agent_builds_an_any_view_in_the_browser(javascript: bool) {
    use crate::browser::{self, click_button, wait_for, wait_for_text};
    use crate::journeys::sign_in;
    use fantoccini::Locator;
    let Some(browser) = browser::launch_with(javascript).await else {
        return;
    };
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    app.add_contact("Ann Acme", Some("ann@acme.example"), None);
    app.add_contact("Zed Solo", Some("zed@solo.example"), None);
    app.add_contact("Cy Other", Some("cy@other.example"), None);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    page.find(Locator::LinkText("New custom view"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(page, "New custom view").await;
    page.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Acme or Zed")
        .await
        .unwrap();
    page.find(Locator::XPath(
        "//label[normalize-space()='Any one of them']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let choose = |select: &'static str, label: &'static str| async move {
        let select = page
            .find(Locator::XPath(&format!(
                "//select[@id=//label[normalize-space()='{select}']/@for]"
            )))
            .await
            .unwrap();
        select.select_by_label(label).await.unwrap();
    };
    choose("Condition 1: field", "Email domain").await;
    choose("Condition 1: operator", "is").await;
    page.find(Locator::XPath(
        "//input[@id=//label[normalize-space()='Condition 1: value']/@for]",
    ))
    .await
    .unwrap()
    .send_keys("acme.example")
    .await
    .unwrap();
    choose("Condition 2: field", "Name").await;
    choose("Condition 2: operator", "starts with").await;
    page.find(Locator::XPath(
        "//input[@id=//label[normalize-space()='Condition 2: value']/@for]",
    ))
    .await
    .unwrap()
    .send_keys("zed")
    .await
    .unwrap();
    choose("Column 1", "Created").await;
    choose("Column 2", "Open tickets").await;
    for column in ["Column 3", "Column 4", "Column 5", "Column 6"] {
        choose(column, "None").await;
    }
    if javascript {
        let shown: Vec<String> = {
            let select = page.find(Locator::Id("operator_0")).await.unwrap();
            let mut labels = Vec::new();
            for option in select
                .find_all(Locator::Css("option:not([hidden])"))
                .await
                .unwrap()
            {
                labels.push(option.text().await.unwrap());
            }
            labels
        };
        assert!(
            !shown.iter().any(|label| label == "in the last (days)"),
            "a text field is offered text operators only: {shown:?}"
        );
    }
    click_button(page, "Create view").await;
    wait_for_text(page, "View created.").await;
    wait_for(page, "//p[@class='view-conditions' and normalize-space()='Any of: Email domain is “acme.example” · Name starts with “zed”']").await;
    let names: Vec<String> = {
        let mut names = Vec::new();
        for link in page.find_all(Locator::Css("td.name a")).await.unwrap() {
            names.push(link.text().await.unwrap());
        }
        names
    };
    assert_eq!(names, ["Ann Acme", "Zed Solo"]);
    let mut headers = Vec::new();
    for header in page
        .find_all(Locator::Css("table.contacts thead th:not(.check)"))
        .await
        .unwrap()
    {
        headers.push(header.text().await.unwrap());
    }
    assert_eq!(
        headers,
        ["Name", "Created", "Open tickets"],
        "the two columns chosen"
    );
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_builds_an_any_view_with_javascript() {
    an_agent_builds_an_any_view_in_the_browser(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_builds_an_any_view_without_javascript() {
    an_agent_builds_an_any_view_in_the_browser(false).await;
}
