//! README's screenshots, made in Chromium from the demo data. Not run by `cargo test`; to make
//! them again: `cargo test --test api readme_screenshots -- --ignored`.

use std::path::Path;

use crate::browser;
use crate::helpers::{location, spawn_app_with, Backend};

async fn shoot(page: &fantoccini::Client, url: &str, file: &str) {
    page.goto(url).await.unwrap();
    browser::wait_for(page, "//main").await;
    let png = page.screenshot().await.unwrap();
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(file), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/screenshots; run it when the pages change"]
async fn readme_screenshots() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app_with(Backend::Sqlite, |settings| settings.demo = Some(true)).await;
    assert_eq!(
        app.post_login("admin@portico.test", "portico-demo")
            .await
            .status()
            .as_u16(),
        303
    );
    let (grace, _) =
        crate::settings::activated_customer(&app, "Grace Hopper", "grace@navy.example").await;
    crate::portal::open_ticket(
        &app,
        grace,
        "Invoices are sent to the wrong address",
        "Our invoices still go to the old office.",
    );
    crate::portal::open_ticket(
        &app,
        grace,
        "Export to CSV misses the totals row",
        "The monthly export has no totals.",
    );
    let ids: Vec<i64> = ["Maya Chen", "Tom Okafor", "Lena Novak"]
        .iter()
        .enumerate()
        .map(|(n, name)| app.add_contact(name, Some(&format!("person{n}@example.com")), None))
        .collect();
    let mass_invite = location(&crate::invitations::mass_invite(&app, &ids, "screenshots").await);
    let job =
        crate::bulk_jobs::start_bulk_job(&app, &[("action", "invite"), ("view", "not-invited")])
            .await;
    crate::bulk_jobs::wait_for_job(&app, &job, "Done").await;

    let page = &browser.client;
    page.set_window_size(1280, 800).await.unwrap();
    page.goto(&app.url("/login")).await.unwrap();
    for (field, value) in [
        ("email", "admin@portico.test"),
        ("password", "portico-demo"),
    ] {
        page.find(fantoccini::Locator::Css(&format!("input[name={field}]")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    browser::click_button(page, "Sign in").await;
    browser::wait_for(page, "//h1[normalize-space()='Contacts']").await;
    let base = app.url("");
    shoot(page, &format!("{base}/contacts"), "contacts.png").await;
    shoot(page, &format!("{base}/contacts/{grace}"), "contact.png").await;
    shoot(page, &format!("{base}{mass_invite}"), "mass-invite.png").await;
    shoot(page, &format!("{base}{job}"), "bulk-job.png").await;
    // Added after the bulk job, so not invited yet: its page previews the invitation email.
    let fresh = app.add_contact("Noor Haddad", Some("noor.haddad@example.com"), None);
    shoot(
        page,
        &format!("{base}/contacts/{fresh}/invite"),
        "invitation-email.png",
    )
    .await;
    page.delete_all_cookies().await.unwrap();
    browser::sign_in_customer(page, &base, "grace@navy.example", "a long enough password").await;
    shoot(page, &format!("{base}/portal"), "help-center.png").await;
    browser.client.clone().close().await.unwrap();
}
