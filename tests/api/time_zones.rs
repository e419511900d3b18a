//! Times read in the reader's zone: an agent's (their browser's at first sign-in, then their
//! choice on the profile page) and a customer's (their browser's), the zone named.

use diesel::prelude::*;
use portico::db::schema::{agents, contacts};

use crate::browser::{self, click_button, wait_for, wait_for_text};
use crate::helpers::{
    get_as, location, new_client, post_as, spawn_app, Backend, TestApp, AGENT_PASSWORD,
};
use crate::journeys::sign_in;
use crate::on_both_backends;

/// A contact created at 23:30 UTC yesterday: already today in Tokyo.
fn contact_created_late_last_night(app: &TestApp) -> (i64, chrono::NaiveDateTime) {
    let id = app.add_contact("Night Owl", Some("owl@example.com"), None);
    let yesterday = portico::db::now().date() - chrono::Duration::days(1);
    let late = yesterday.and_hms_opt(23, 30, 0).unwrap();
    app.with_connection(|conn| {
        diesel::update(contacts::table.find(id))
            .set(contacts::created_at.eq(late))
            .execute(conn)
            .unwrap()
    });
    (id, late)
}

fn zone_of(app: &TestApp, email: &str) -> Option<String> {
    app.with_connection(|conn| {
        agents::table
            .filter(agents::email.eq(email))
            .select(agents::time_zone)
            .first(conn)
            .unwrap()
    })
}

async fn sign_in_from(app: &TestApp, client: &reqwest::Client, email: &str, time_zone: &str) {
    let fields = [
        ("email", email),
        ("password", AGENT_PASSWORD),
        ("time_zone", time_zone),
    ];
    let signed_in = post_as(app, client, "/login", "/login", &fields).await;
    assert_eq!(signed_in.status().as_u16(), 303);
}

on_both_backends! {
    async fn an_agent_in_tokyo_sees_a_late_contact_on_the_next_day(app) {
        app.create_agent("ada@portico.test", "Ada Lovelace", false);
        let (id, late) = contact_created_late_last_night(&app);
        let utc_day = late.format("%Y-%m-%d").to_string();
        let tokyo_day = (late + chrono::Duration::hours(9)).format("%Y-%m-%d").to_string();

        let laptop = new_client();
        sign_in_from(&app, &laptop, "ada@portico.test", "Asia/Tokyo").await;
        assert_eq!(zone_of(&app, "ada@portico.test").as_deref(), Some("Asia/Tokyo"), "the browser's zone is kept at first sign-in");
        let (_, list) = get_as(&app, &laptop, "/contacts").await;
        assert!(list.contains(&format!("title=\"{tokyo_day} 08:30 JST\">")), "the list says how long ago, the exact time in its title: {list}");
        let (_, page) = get_as(&app, &laptop, &format!("/contacts/{id}")).await;
        assert!(page.contains(&format!(">{tokyo_day} 08:30 JST</time>")), "{page}");

        // Another browser elsewhere does not move the agent's zone; their choice does.
        let travelling = new_client();
        sign_in_from(&app, &travelling, "ada@portico.test", "Europe/Paris").await;
        assert_eq!(zone_of(&app, "ada@portico.test").as_deref(), Some("Asia/Tokyo"));
        let (_, profile) = get_as(&app, &travelling, "/profile/password").await;
        assert!(profile.contains("<option selected>Asia/Tokyo</option>"));
        let refused = post_as(&app, &travelling, "/profile/time-zone", "/profile/password", &[("time_zone", "Mars/Olympus")]).await;
        assert_eq!(refused.status().as_u16(), 422);
        assert!(refused.text().await.unwrap().contains("Choose a time zone from the list."));
        let chosen = post_as(&app, &travelling, "/profile/time-zone", "/profile/password", &[("time_zone", "UTC")]).await;
        assert_eq!(location(&chosen), "/profile/password");
        let (_, list) = get_as(&app, &laptop, "/contacts").await;
        assert!(list.contains(&format!("title=\"{utc_day} 23:30 UTC\">")), "{list}");
    }

    async fn a_customer_sees_their_tickets_in_their_browsers_zone(app) {
        app.sign_in_agent(false).await;
        let (grace, _) = crate::settings::activated_customer(&app, "Grace Hopper", "grace@navy.example").await;
        let ticket = crate::portal::open_ticket(&app, grace, "Printer on fire", "It smokes.");
        let customer = new_client();
        let fields = [("email", "grace@navy.example"), ("password", "a long enough password"), ("time_zone", "Asia/Tokyo")];
        post_as(&app, &customer, "/portal/login", "/portal/login", &fields).await;
        let (_, page) = get_as(&app, &customer, &format!("/portal/tickets/{ticket}")).await;
        assert!(page.contains(" JST</time>"), "{page}");
        let (_, home) = get_as(&app, &customer, "/portal").await;
        assert!(home.contains(" JST\">just now</time>"), "{home}");
    }
}

/// In Chromium: with JavaScript the browser's zone is the agent's from the first sign-in;
/// without it, the agent picks the zone on their profile.
async fn an_agent_in_tokyo_reads_tokyo_times(javascript: bool) {
    let Some(browser) = browser::launch_in_time_zone(javascript, "Asia/Tokyo").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let (_, late) = contact_created_late_last_night(&app);
    let tokyo_day = (late + chrono::Duration::hours(9))
        .format("%Y-%m-%d")
        .to_string();
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    if !javascript {
        wait_for(page, "//a[normalize-space()='Profile']")
            .await
            .click()
            .await
            .unwrap();
        wait_for_text(page, "Until you choose, times are shown in UTC.").await;
        page.find(fantoccini::Locator::Id("time_zone"))
            .await
            .unwrap()
            .select_by_label("Asia/Tokyo")
            .await
            .unwrap();
        click_button(page, "Save time zone").await;
        wait_for_text(page, "Times are now shown in Asia/Tokyo.").await;
        page.goto(&app.url("/contacts")).await.unwrap();
    }
    wait_for(
        page,
        &format!("//td[@data-label='Created']/time[starts-with(@title, '{tokyo_day} 08:30 JST')]"),
    )
    .await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_in_tokyo_reads_tokyo_times_with_javascript() {
    an_agent_in_tokyo_reads_tokyo_times(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_in_tokyo_reads_tokyo_times_without_javascript() {
    an_agent_in_tokyo_reads_tokyo_times(false).await;
}
