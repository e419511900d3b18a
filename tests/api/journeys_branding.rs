//! Branding in a real headless Chromium: an admin uploads a logo and picks a colour, and the
//! Help Center shows them; without JavaScript a colour too light is refused beside its field.

use fantoccini::Locator;

use crate::branding::tiny_png;
use crate::browser::{self, click_button, type_into, wait_for, wait_for_text};
use crate::helpers::{spawn_app, Backend};
use crate::journeys::sign_in;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_brands_the_help_center_with_a_logo_and_a_colour() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Admin", true);
    let logo_file = app.data_dir.path().join("acme-logo.png");
    std::fs::write(&logo_file, tiny_png()).unwrap();
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    page.goto(&app.url("/settings")).await.unwrap();
    type_into(page, "input[name=help_center_name]", "Acme Care").await;
    page.find(Locator::Css("input[name=logo]"))
        .await
        .unwrap()
        .send_keys(&logo_file.display().to_string())
        .await
        .unwrap();
    type_into(page, "input[name=accent_colour]", "#7b1fa2").await;
    click_button(page, "Save branding").await;
    wait_for_text(page, "Branding saved.").await;
    wait_for(page, "//img[@alt='The current logo']").await;

    page.delete_all_cookies().await.unwrap();
    page.goto(&app.url("/portal/login")).await.unwrap();
    let brand = wait_for(page, "//a[@class='brand' and contains(., 'Acme Care')]").await;
    let drawn = page
        .execute(
            "return document.querySelector('.brand-logo').naturalWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(drawn, serde_json::json!(1), "the logo is loaded and drawn");
    assert!(brand.html(false).await.unwrap().contains("brand-logo"));
    let topbar = page.find(Locator::Css(".topbar")).await.unwrap();
    assert_eq!(
        topbar.css_value("border-top-color").await.unwrap(),
        "rgba(123, 31, 162, 1)",
        "the accent colour applies"
    );
    let button = page.find(Locator::Css(".button-primary")).await.unwrap();
    assert_eq!(
        button.css_value("background-color").await.unwrap(),
        "rgba(123, 31, 162, 1)"
    );
    assert_eq!(page.title().await.unwrap(), "Sign in · Acme Care");
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_colour_too_light_is_refused_beside_its_field() {
    let Some(browser) = browser::launch_without_javascript().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Admin", true);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    page.goto(&app.url("/settings")).await.unwrap();
    type_into(page, "input[name=accent_colour]", "#ffcc00").await;
    type_into(page, "input[name=sender_name]", "Acme Care Team").await;
    click_button(page, "Save branding").await;
    wait_for_text(page, "White text on #ffcc00 has a contrast of 1.51:1").await;
    let kept = page
        .find(Locator::Css("input[name=sender_name]"))
        .await
        .unwrap();
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("Acme Care Team")
    );
    type_into(page, "input[name=accent_colour]", "#0b6e4f").await;
    click_button(page, "Save branding").await;
    wait_for_text(page, "Branding saved.").await;
    browser.client.clone().close().await.unwrap();
}
