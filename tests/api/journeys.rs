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
        use portico::contacts::NewContact;
        let mut conn = app.pool.get().unwrap();
        let timestamp = portico::db::now();
        NewContact {
            import_id: None,
            name: "Grace Hopper".into(),
            name_folded: None,
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

    fill_in_sign_in(page, "ada@portico.test").await;

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

pub async fn sign_in(page: &fantoccini::Client, app: &crate::helpers::TestApp, email: &str) {
    page.goto(&app.url("/login")).await.unwrap();
    fill_in_sign_in(page, email).await;
}

/// Types the agent's email and password into the sign-in page shown, signs in, and waits for
/// the Contacts list.
async fn fill_in_sign_in(page: &fantoccini::Client, email: &str) {
    page.find(Locator::Css("input[name=email]"))
        .await
        .unwrap()
        .send_keys(email)
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
}

/// Types `term` in the contacts search box, presses Search, and waits for the count `total`.
async fn search_for(page: &fantoccini::Client, term: &str, total: &str) {
    let search_box = page.find(Locator::Css("input[name=q]")).await.unwrap();
    search_box.clear().await.unwrap();
    search_box.send_keys(term).await.unwrap();
    crate::browser::click_button(page, "Search").await;
    crate::browser::wait_for(
        page,
        &format!("//p[@class='total' and normalize-space()='{total}']"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_searches_edits_a_contact_and_marks_another_as_spam() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    app.add_contact(
        "Grace Hopper",
        Some("grace@navy.example"),
        Some("+1 555 0101"),
    );
    let spammer = app.add_contact("Cheap Watches", Some("deals@spam.example"), None);
    app.add_contact("Alan Turing", Some("alan@bletchley.example"), None);
    app.add_contact("Émilie Côté", Some("emilie@quebec.example"), None);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;

    // Typed without its accents, in capitals.
    search_for(page, "COTE", "1 contact").await;
    page.find(Locator::LinkText("Émilie Côté")).await.unwrap();
    search_for(page, "hopp", "1 contact").await;
    page.find(Locator::LinkText("Grace Hopper"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[normalize-space()='Grace Hopper']"))
        .await
        .unwrap();
    page.find(Locator::LinkText("Edit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = page
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("input[name=name]"))
        .await
        .unwrap();
    name.clear().await.unwrap();
    name.send_keys("Rear Admiral Grace Hopper").await.unwrap();
    page.find(Locator::XPath("//button[normalize-space()='Save contact']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//h1[normalize-space()='Rear Admiral Grace Hopper']",
        ))
        .await
        .unwrap();
    assert!(page.source().await.unwrap().contains("Contact saved."));

    page.goto(&app.url("/contacts")).await.unwrap();
    page.find(Locator::Css(&format!("input[name=ids][value='{spammer}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let count = page
        .find(Locator::Css(".selection-count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        count.contains('1'),
        "the bar counts the selection: {count:?}"
    );
    page.find(Locator::XPath("//button[normalize-space()='Mark as spam']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[contains(., 'Marked 1 contact as spam.')]",
        ))
        .await
        .unwrap();
    let table = page
        .find(Locator::Css("table.list"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!table.contains("Cheap Watches"), "spam leaves All contacts");
    assert!(table.contains("Alan Turing"));
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_invites_three_selected_contacts_and_three_emails_arrive() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let ids = [
        app.add_contact("Alice Adams", Some("alice@example.com"), None),
        app.add_contact("Bob Brown", Some("bob@example.com"), None),
        app.add_contact("Carol Clark", Some("carol@example.com"), None),
    ];
    app.add_contact("Dan Davis", Some("dan@example.com"), None);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    crate::browser::tick_contacts(page, &ids).await;
    page.find(Locator::XPath(
        "//button[normalize-space()='Invite to Help Center']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let summary = crate::browser::mass_invite_summary(page, Duration::from_secs(15)).await;
    assert!(summary.contains("Invited 3"), "{summary}");
    let messages = app.smtp.wait_for_messages(3, Duration::from_secs(10)).await;
    let mut recipients: Vec<String> = messages.iter().map(|m| m.rcpt_to[0].clone()).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        ["alice@example.com", "bob@example.com", "carol@example.com"]
    );
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_customer_activates_and_sees_my_tickets_and_the_knowledge_base() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    let grace = app.add_contact("Grace Hopper", Some("grace@navy.example"), None);
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;
    page.goto(&app.url(&format!("/contacts/{grace}")))
        .await
        .unwrap();
    page.find(Locator::LinkText("Invite to Help Center"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//button[normalize-space()='Send invitation']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[contains(., 'Invitation sent to grace@navy.example.')]",
        ))
        .await
        .unwrap();
    let message = app.smtp.wait_for_messages(1, Duration::from_secs(10)).await;
    let link = crate::helpers::invitation_link(&message[0].data);

    // The customer opens the link in a browser of their own: a fresh session.
    page.delete_all_cookies().await.unwrap();
    page.goto(&link).await.unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//h1[contains(., 'Activate your Help Center account')]",
        ))
        .await
        .unwrap();
    page.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("my very own passphrase")
        .await
        .unwrap();
    page.find(Locator::Css("input[name=password_confirmation]"))
        .await
        .unwrap()
        .send_keys("my very own passphrase")
        .await
        .unwrap();
    page.find(Locator::XPath(
        "//button[normalize-space()='Activate account']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[normalize-space()='My tickets']"))
        .await
        .unwrap();
    page.find(Locator::LinkText("Knowledge base"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[normalize-space()='How can we help?']"))
        .await
        .unwrap();
    assert_eq!(
        page.current_url().await.unwrap().path(),
        "/portal/knowledge-base"
    );
    browser.client.clone().close().await.unwrap();
}
