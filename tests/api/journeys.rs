//! Journeys in a real headless Chromium.

use std::time::Duration;

use fantoccini::Locator;

use crate::browser;
use crate::helpers::{spawn_app, Backend, AGENT_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_in_and_reaches_customers_contacts() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", true);
    {
        use portico::db::models::contact::NewContact;
        let mut conn = app.pool.get().unwrap();
        let timestamp = portico::db::now();
        NewContact {
            import_id: None,
            name: "Grace Hopper".into(),
            email: Some("grace@navy.example".into()),
            email_normalized: Some("grace@navy.example".into()),
            phone: None,
            account_id: None,
            is_spam: false,
            created_at: timestamp,
            updated_at: timestamp,
        }
        .insert(&mut conn)
        .unwrap();
    }
    let page = &browser.client;
    page.goto(&app.url("/contacts")).await.unwrap();
    let url = page.current_url().await.unwrap();
    assert_eq!(
        url.path(),
        "/login",
        "anonymous visitors are sent to sign in"
    );

    page.find(Locator::Css("input[name=email]"))
        .await
        .unwrap()
        .send_keys("ada@portico.test")
        .await
        .unwrap();
    page.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(AGENT_PASSWORD)
        .await
        .unwrap();
    page.find(Locator::XPath("//button[normalize-space()='Sign in']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[normalize-space()='Contacts']"))
        .await
        .unwrap();

    page.find(Locator::LinkText("Accounts"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[normalize-space()='Accounts']"))
        .await
        .unwrap();
    page.find(Locator::LinkText("Customers"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[normalize-space()='Contacts']"))
        .await
        .unwrap();
    let body = page
        .find(Locator::Css("table.list"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Grace Hopper"), "{body}");
    assert!(body.contains("grace@navy.example"));
    browser.client.clone().close().await.unwrap();
}
