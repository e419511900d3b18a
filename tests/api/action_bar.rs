//! The action bar forgives: a request it cannot carry out shows the same list again with the
//! reason beside the bar, the view, search, ticked rows and typed account kept; the account
//! field suggests existing accounts.

use fantoccini::Locator;

use crate::browser::{self, click_button, wait_for, wait_for_text};
use crate::helpers::{spawn_app, Backend};
use crate::journeys::sign_in;
use crate::on_both_backends;

on_both_backends! {
    async fn a_mistyped_account_keeps_the_view_the_ticks_and_the_typed_name(app) {
        app.sign_in_agent(false).await;
        app.add_account("Acme Corporation");
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None).to_string();
        let grace = app.add_contact("Grace Hopper", Some("grace@example.com"), None).to_string();
        app.add_contact("Alan Turing", Some("alan@example.com"), None);
        let list = "/contacts?view=not-invited&q=example";
        let refused = app.post_form("/contacts/mass-action", list, &[("action", "move"), ("ids", ada.as_str()), ("ids", grace.as_str()), ("account_name", "Acme Corp"), ("view", "not-invited"), ("q", "example"), ("return_to", list)]).await;
        assert_eq!(refused.status().as_u16(), 400);
        let page = refused.text().await.unwrap();
        assert!(page.contains("There is no account called “Acme Corp”. Did you mean “Acme Corporation”?"), "{page}");
        assert!(page.contains("id=\"bar-error\" role=\"alert\""), "beside the bar");
        assert!(page.contains(&format!("value=\"{ada}\" aria-label=\"Select Ada Lovelace\" checked")), "{page}");
        assert!(page.contains(&format!("value=\"{grace}\" aria-label=\"Select Grace Hopper\" checked")));
        assert!(!page.contains("aria-label=\"Select Alan Turing\" checked"));
        assert!(page.contains("value=\"Acme Corp\""), "the typed name is kept");
        assert!(page.contains("value=\"example\""), "the search is kept");
        assert!(page.contains("aria-current=\"page\">Not invited"), "the view is kept");

        let nothing = app.post_form("/contacts/mass-action", list, &[("action", "spam"), ("view", "not-invited"), ("return_to", list)]).await;
        assert_eq!(nothing.status().as_u16(), 400);
        assert!(nothing.text().await.unwrap().contains("<p class=\"flash flash-error bar-error\" id=\"bar-error\" role=\"alert\">Select at least one contact"));

        let suggestions: Vec<String> = serde_json::from_str(&app.get_html("/accounts/names?q=acme").await).unwrap();
        assert_eq!(suggestions, ["Acme Corporation"]);
    }

    async fn a_refusal_on_an_accounts_page_stays_on_that_page(app) {
        app.sign_in_agent(false).await;
        let acme = app.add_account("Acme Corporation");
        let page = format!("/accounts/{acme}");
        let refused = app.post_form("/contacts/mass-action", &page, &[("action", "delete"), ("account", &acme.to_string()), ("return_to", &page)]).await;
        assert_eq!(refused.status().as_u16(), 400);
        let html = refused.text().await.unwrap();
        assert!(html.contains("<h1>Acme Corporation</h1>"), "{html}");
        assert!(html.contains("Select at least one contact"));
    }
}

/// In Chromium, with JavaScript on and off: a mistyped account is refused beside the bar with
/// the rows still ticked; corrected, the move goes through.
async fn an_agent_corrects_a_mistyped_account(javascript: bool) {
    let Some(browser) = browser::launch_with(javascript).await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    app.add_account("Acme Corporation");
    let ids = [
        app.add_contact("Alice Adams", Some("alice@example.com"), None),
        app.add_contact("Bob Brown", Some("bob@example.com"), None),
    ];
    app.add_contact("Carol Clark", Some("carol@example.com"), None);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    crate::browser::tick_contacts(page, &ids).await;
    let account = page.find(Locator::Id("move-account")).await.unwrap();
    account.send_keys("Acme Corp").await.unwrap();
    click_button(page, "Move to account").await;
    wait_for_text(page, "Did you mean “Acme Corporation”?").await;
    for id in ids {
        let ticked = page
            .find(Locator::Css(&format!("input[name=ids][value='{id}']")))
            .await
            .unwrap()
            .prop("checked")
            .await
            .unwrap();
        assert_eq!(
            ticked.as_deref(),
            Some("true"),
            "contact {id} is still ticked"
        );
    }
    let account = page.find(Locator::Id("move-account")).await.unwrap();
    account.clear().await.unwrap();
    account.send_keys("Acme Corporation").await.unwrap();
    click_button(page, "Move to account").await;
    wait_for_text(page, "Moved 2 contacts to Acme Corporation.").await;
    wait_for(page, "//a[normalize-space()='Acme Corporation']").await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_corrects_a_mistyped_account_with_javascript() {
    an_agent_corrects_a_mistyped_account(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_corrects_a_mistyped_account_without_javascript() {
    an_agent_corrects_a_mistyped_account(false).await;
}
