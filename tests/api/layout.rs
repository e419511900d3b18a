//! Pages fit the screen: at 1280×800 no agent page scrolls sideways, and on a phone (390×844)
//! neither the contact list, a contact, a mass invite's result nor any Help Center page does.
//! The first Tab stop skips past the navigation.

use fantoccini::Client;

use crate::browser::{self, wait_for};
use crate::helpers::{spawn_app, Backend};
use crate::journeys::sign_in;

/// How far the page at `path` reaches past the window's width, in CSS pixels (0 when it fits).
async fn overflow_of(page: &Client, url: &str) -> i64 {
    page.goto(url).await.unwrap();
    wait_for(page, "//main").await;
    let measured = page
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await
        .unwrap();
    measured.as_i64().unwrap()
}

async fn assert_fits(page: &Client, base: &str, paths: &[String], screen: &str) {
    for path in paths {
        let overflow = overflow_of(page, &format!("{base}{path}")).await;
        if overflow > 0 {
            let beyond = page
                .execute(
                    "var width = document.documentElement.clientWidth; \
                     return Array.from(document.querySelectorAll('body *')) \
                       .filter(function (e) { return e.getBoundingClientRect().right > width + 1; }) \
                       .slice(0, 8).map(function (e) { return e.tagName + '.' + e.className; });",
                    vec![],
                )
                .await
                .unwrap();
            panic!("{path} scrolls sideways by {overflow} px at {screen}: {beyond}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_and_help_center_pages_fit_a_laptop_and_a_phone() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.sign_in_agent(false).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let account = app.add_account("Northwind Analytics and Logistics International");
    let long = app.add_contact(
        "Maximiliana Bartholomew-Featherstonehaugh",
        Some("maximiliana.bartholomew-featherstonehaugh@northwind-analytics-international.example"),
        Some("+1 555 0100 200"),
    );
    app.with_connection(|conn| {
        use diesel::prelude::*;
        use portico::db::schema::contacts;
        diesel::update(contacts::table.find(long))
            .set(contacts::account_id.eq(account))
            .execute(conn)
            .unwrap();
    });
    app.add_numbered_contacts(60);
    let (customer, _) =
        crate::settings::activated_customer(&app, "Grace Hopper", "grace@navy.example").await;
    let mass_invite = crate::invitations::mass_invite(&app, &[long], "layout").await;
    let mass_invite = crate::helpers::location(&mass_invite);

    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    let base = app.url("");
    let agent_pages: Vec<String> = [
        "/contacts",
        "/contacts?view=not-invited",
        &format!("/contacts/{long}"),
        &format!("/contacts/{customer}"),
        &mass_invite,
        "/accounts",
        &format!("/accounts/{account}"),
        "/tickets",
        "/knowledge-base",
        "/bulk-jobs",
        "/profile/password",
    ]
    .iter()
    .map(|path| path.to_string())
    .collect();
    page.set_window_size(1280, 800).await.unwrap();
    assert_fits(page, &base, &agent_pages, "1280×800").await;

    page.goto(&app.url("/contacts")).await.unwrap();
    page.active_element()
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let first_stop = page.active_element().await.unwrap().text().await.unwrap();
    assert_eq!(first_stop, "Skip to the contacts list");

    page.set_window_size(390, 844).await.unwrap();
    let phone_pages = [
        "/contacts".to_owned(),
        format!("/contacts/{long}"),
        mass_invite.clone(),
    ];
    assert_fits(page, &base, &phone_pages, "390×844").await;

    // The Help Center, signed out and then as the customer.
    page.delete_all_cookies().await.unwrap();
    let signed_out = [
        "/portal/login".to_owned(),
        "/portal/knowledge-base".to_owned(),
    ];
    assert_fits(page, &base, &signed_out, "390×844").await;
    crate::browser::sign_in_customer(page, &base, "grace@navy.example", "a long enough password")
        .await;
    let customer_pages = [
        "/portal".to_owned(),
        "/portal/tickets/new".to_owned(),
        "/portal/knowledge-base".to_owned(),
        "/portal/account".to_owned(),
    ];
    assert_fits(page, &base, &customer_pages, "390×844").await;
    browser.client.clone().close().await.unwrap();
}
