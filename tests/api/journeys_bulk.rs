//! Whole-view actions in a real headless Chromium, clicked by their visible labels, with
//! JavaScript on and off, on both backends.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::browser;
use crate::helpers::{spawn_app, Backend};
use crate::journeys::sign_in;

const WAIT: Duration = Duration::from_secs(30);

async fn click_button(page: &Client, label: &str) {
    page.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//button[normalize-space()='{label}']"
        )))
        .await
        .unwrap_or_else(|error| panic!("no button {label:?}: {error}"))
        .click()
        .await
        .unwrap();
}

/// Clicks the confirm page's button, once that page has replaced the view (whose action button
/// can carry the same label).
async fn confirm(page: &Client, label: &str) {
    page.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//form[@action='/bulk-jobs']//button[normalize-space()='{label}']"
        )))
        .await
        .unwrap_or_else(|error| panic!("no confirm button {label:?}: {error}"))
        .click()
        .await
        .unwrap();
}

async fn wait_for(page: &Client, xpath: &str) -> fantoccini::elements::Element {
    page.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|error| panic!("nothing matches {xpath}: {error}"))
}

async fn tick_apply_to_all(page: &Client) {
    page.find(Locator::XPath("//label[contains(., 'Apply to all')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Opens `url` until a page carries the flash that a bulk job ended (shown once), for up to
/// ten seconds; its text.
async fn told_when_it_ends(page: &Client, url: &str) -> String {
    for _ in 0..40 {
        page.goto(url).await.unwrap();
        if let Ok(flash) = page.find(Locator::Css(".flash")).await {
            return flash.text().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("no page told that the bulk job ended");
}

async fn text_of(page: &Client, css: &str) -> String {
    page.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The headline flow: Apply to all → Invite all → the confirm page → the tab is closed →
/// the job finishes on the server, as a second window sees.
async fn an_agent_invites_a_whole_view_and_closes_the_tab(backend: Backend) {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(backend).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    app.add_numbered_contacts(1_200);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;

    let invite = page
        .find(Locator::XPath(
            "//button[normalize-space()='Invite to Help Center']",
        ))
        .await
        .unwrap();
    assert!(!invite.is_enabled().await.unwrap(), "nothing selected yet");
    tick_apply_to_all(page).await;
    assert_eq!(
        text_of(page, ".selection-count").await,
        "All 1,200 in this view"
    );
    click_button(page, "Invite all 1,200").await;
    wait_for(
        page,
        "//h1[contains(., 'Invite the contacts in “All contacts” to the Help Center?')]",
    )
    .await;
    assert!(text_of(page, "dl.forecast").await.contains("about 1,200"));
    confirm(page, "Invite all 1,200").await;
    wait_for(
        page,
        "//h1[normalize-space()='Invite to Help Center: All contacts']",
    )
    .await;

    // The agent closes the tab: a new one opens, the job's goes.
    let job_window = page.window().await.unwrap();
    let other = page.new_window(true).await.unwrap();
    page.switch_to_window(other.handle).await.unwrap();
    page.goto(&app.url("/contacts")).await.unwrap();
    page.switch_to_window(job_window).await.unwrap();
    page.close_window().await.unwrap();
    let remaining = page.windows().await.unwrap();
    page.switch_to_window(remaining[0].clone()).await.unwrap();

    let messages = app.smtp.wait_for_messages(1_200, WAIT).await;
    let mut recipients: Vec<String> = messages.iter().map(|m| m.rcpt_to[0].clone()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 1_200, "every contact got one email");
    // The job records its last chunk just after the last email: the next page tells of it.
    let told = told_when_it_ends(page, &app.url("/contacts")).await;
    assert!(
        told.contains("Bulk job “Invite to Help Center: All contacts” ended: Done · 1200 of 1200 processed · Invited 1200"),
        "{told}"
    );
    page.find(Locator::LinkText("Bulk jobs"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let row = text_of(page, "table.list tbody tr").await;
    assert!(row.contains("Done") && row.contains("1200 / 1200"), "{row}");
    browser.client.clone().close().await.unwrap();
}

/// Without JavaScript the same flow works: the buttons are never disabled, and the job page
/// refreshes itself until the job is done.
async fn an_agent_without_javascript_invites_a_whole_view(backend: Backend) {
    let Some(browser) = browser::launch_without_javascript().await else {
        return;
    };
    let app = spawn_app(backend).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    app.add_numbered_contacts(40);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    tick_apply_to_all(page).await;
    click_button(page, "Invite to Help Center").await;
    confirm(page, "Invite all 40").await;
    let summary = wait_for(page, "//p[@class='batch-summary' and strong='Done']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        summary.contains("40 of 40 processed · Invited 40 · Skipped 0 · Failed 0"),
        "{summary}"
    );
    assert_eq!(app.smtp.wait_for_messages(40, WAIT).await.len(), 40);
    let source = page.source().await.unwrap();
    assert!(
        !source.contains("ended: Done"),
        "the job's own page says it is done without a message: {source}"
    );
    page.goto(&app.url("/contacts")).await.unwrap();
    let source = page.source().await.unwrap();
    assert!(
        !source.contains("ended: Done"),
        "seen once is told: {source}"
    );
    browser.client.clone().close().await.unwrap();
}

/// Pause and Resume on a running job; then a whole view marked as spam, deleted, and
/// restored, each through its confirm page.
async fn an_agent_pauses_a_job_and_cleans_up_a_whole_view(backend: Backend) {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(backend).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    app.add_numbered_contacts(1_100);
    app.smtp.delay_each_message(Duration::from_millis(20));
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    tick_apply_to_all(page).await;
    click_button(page, "Invite all 1,100").await;
    confirm(page, "Invite all 1,100").await;
    click_button(page, "Pause").await;
    wait_for(
        page,
        "//*[contains(., 'Job paused after the contacts in hand.')]",
    )
    .await;
    wait_for(page, "//p[@class='batch-summary' and strong='Paused']").await;
    app.smtp.delay_each_message(Duration::ZERO);
    click_button(page, "Resume").await;
    // The page follows the job by itself and shows Done without a click.
    wait_for(page, "//p[@class='batch-summary' and strong='Done']").await;
    assert_eq!(app.smtp.wait_for_messages(1_100, WAIT).await.len(), 1_100);

    for (view, action, confirmation, after) in [
        (
            "Invited (pending)",
            "Mark as spam",
            "Mark all 1,100 as spam",
            "Spam",
        ),
        ("Spam", "Delete", "Delete all 1,100", "Recently deleted"),
        ("Recently deleted", "Restore", "Restore all 1,100", "Spam"),
    ] {
        page.goto(&app.url("/contacts")).await.unwrap();
        page.find(Locator::XPath(&format!(
            "//aside//a[starts-with(normalize-space(), '{view}')]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_for(page, &format!("//h2[normalize-space()='{view}']")).await;
        tick_apply_to_all(page).await;
        click_button(page, action).await;
        confirm(page, confirmation).await;
        wait_for(page, "//p[@class='batch-summary' and strong='Done']").await;
        page.goto(&app.url("/contacts")).await.unwrap();
        let link = page
            .find(Locator::XPath(&format!(
                "//aside//a[starts-with(normalize-space(), '{after}')]"
            )))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(link.ends_with("1,100"), "{action}: {after} reads {link}");
    }
    browser.client.clone().close().await.unwrap();
}

crate::for_both_backends!(
    an_agent_invites_a_whole_view_and_closes_the_tab,
    an_agent_without_javascript_invites_a_whole_view,
    an_agent_pauses_a_job_and_cleans_up_a_whole_view
);
