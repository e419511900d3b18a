//! Help Center emails in a real headless Chromium: a customer's ticket reaches the agent who
//! asked for new tickets, the agent's reply reaches the customer, an internal note reaches
//! nobody; an admin without JavaScript sets reminders and turns an email off.

use std::time::Duration;

use fantoccini::Locator;

use crate::browser::{
    self, click_button, sign_in_customer, tick_labelled, type_into, wait_for, wait_for_text,
};
use crate::helpers::{link_in, path_of, spawn_app, subject_of, Backend, TestApp};
use crate::journeys::sign_in;
use crate::portal::{add_customer, open_ticket, PASSWORD};

async fn wait_for_mail_to(app: &TestApp, address: &str) -> crate::smtp_server::ReceivedMail {
    for _ in 0..100 {
        if let Some(mail) = app.smtp.messages_to(address).pop() {
            return mail;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no email reached {address}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_help_center_ticket_reaches_the_agent_and_the_reply_reaches_the_customer() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("sam@portico.test", "Sam Agent", false);
    add_customer(&app, "Ada Lovelace", "ada@example.com");
    let page = &browser.client;

    sign_in(page, &app, "sam@portico.test").await;
    page.find(Locator::LinkText("Profile"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tick_labelled(page, "Email me new Help Center tickets").await;
    click_button(page, "Save email choices").await;
    wait_for_text(page, "You will be emailed new Help Center tickets").await;

    page.delete_all_cookies().await.unwrap();
    sign_in_customer(page, &app.url(""), "ada@example.com", PASSWORD).await;
    page.find(Locator::LinkText("Submit a ticket"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(page, "//input[@name='subject']").await;
    type_into(page, "input[name=subject]", "Printer on fire").await;
    type_into(page, "textarea[name=message]", "Smoke everywhere.").await;
    click_button(page, "Submit ticket").await;
    wait_for_text(page, "Your ticket has been submitted.").await;
    let acknowledged = wait_for_mail_to(&app, "ada@example.com").await;
    assert!(subject_of(&acknowledged.data).ends_with("Received: Printer on fire"));

    let told = wait_for_mail_to(&app, "sam@portico.test").await;
    let ticket_path = path_of(&link_in(&told.data, "/tickets/"));
    page.delete_all_cookies().await.unwrap();
    sign_in(page, &app, "sam@portico.test").await;
    page.goto(&app.url(&ticket_path)).await.unwrap();
    wait_for(page, "//label[normalize-space()='Your message']").await;
    type_into(
        page,
        "textarea[name=body]",
        "Billing double-charged her; refund queued.",
    )
    .await;
    click_button(page, "Add internal note").await;
    wait_for_text(page, "Internal note added.").await;
    type_into(
        page,
        "textarea[name=body]",
        "Unplug it and step away; a technician is on the way.",
    )
    .await;
    click_button(page, "Send reply").await;
    wait_for_text(page, "Reply sent. Emailed to ada@example.com.").await;
    wait_for(page, "//section[h2='Emails']//td[normalize-space()='Sent']").await;

    let answered = app.smtp.wait_for_messages(3, Duration::from_secs(10)).await;
    assert_eq!(
        answered.len(),
        3,
        "the acknowledgement, the agent's email, the reply: no note"
    );
    let reply = &answered[2];
    assert_eq!(reply.rcpt_to, ["ada@example.com"]);
    page.delete_all_cookies().await.unwrap();
    sign_in_customer(page, &app.url(""), "ada@example.com", PASSWORD).await;
    page.goto(&app.url(&path_of(&link_in(&reply.data, "/portal/tickets/"))))
        .await
        .unwrap();
    wait_for_text(page, "a technician is on the way").await;
    let shown = page.source().await.unwrap();
    assert!(
        !shown.contains("double-charged"),
        "the customer never sees the internal note"
    );
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_without_javascript_sets_reminders_and_turns_closing_emails_off() {
    let Some(browser) = browser::launch_without_javascript().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Admin", true);
    let grace = add_customer(&app, "Grace Hopper", "grace@navy.example");
    let ticket = open_ticket(&app, grace, "Cannot sign in", "Help!");
    let page = &browser.client;
    sign_in(page, &app, "ada@portico.test").await;

    page.goto(&app.url("/settings")).await.unwrap();
    type_into(page, "input[name=remind_after_days]", "10").await;
    click_button(page, "Save Help Center settings").await;
    wait_for_text(
        page,
        "a reminder after 10 days would find every link expired",
    )
    .await;
    type_into(page, "input[name=remind_after_days]", "3").await;
    tick_labelled(page, "Their ticket is closed").await;
    click_button(page, "Save Help Center settings").await;
    wait_for_text(page, "Help Center settings saved.").await;
    let reminder = page
        .find(Locator::Css("input[name=remind_after_days]"))
        .await
        .unwrap();
    assert_eq!(reminder.prop("value").await.unwrap().as_deref(), Some("3"));

    page.goto(&app.url(&format!("/tickets/{ticket}")))
        .await
        .unwrap();
    type_into(page, "textarea[name=body]", "Your password is reset.").await;
    click_button(page, "Send reply").await;
    wait_for_text(page, "Reply sent. Emailed to grace@navy.example.").await;
    page.find(Locator::Css("select#status option[value=closed]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(page, "Update status").await;
    wait_for_text(page, "Status changed from Open to Closed.").await;
    let flash = page
        .find(Locator::Css(".flash"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !flash.contains("Emailed"),
        "closing emails are off: {flash}"
    );
    assert_eq!(app.smtp.messages().len(), 1, "only the reply was emailed");
    browser.client.clone().close().await.unwrap();
}
