use diesel::prelude::*;
use portico::accounts::NewAccount;
use portico::audit::Actor;
use portico::db::schema::contacts;

use crate::helpers::{location, TestApp};
use crate::on_both_backends;

fn contact_names_in(html: &str) -> Vec<String> {
    links_in(html, "<td class=\"name\"><a href=\"/contacts/")
}

pub(crate) fn account_names_in(html: &str) -> Vec<String> {
    links_in(html, "<td><a href=\"/accounts/")
}

fn links_in(html: &str, marker: &str) -> Vec<String> {
    html.split(marker)
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest[start..].find('<')? + start;
            Some(rest[start..end].to_owned())
        })
        .collect()
}

fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("\" rel=\"{rel}\"");
    let end = html.find(&marker)?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// The two count cells after an account's name in the accounts list.
fn counts_of(html: &str, account_id: i64) -> (String, String) {
    let row_start = html
        .find(&format!("<td><a href=\"/accounts/{account_id}\">"))
        .unwrap_or_else(|| panic!("account {account_id} is listed"));
    let cells: Vec<String> = html[row_start..]
        .split("<td class=\"num\">")
        .skip(1)
        .take(2)
        .map(|cell| cell[..cell.find('<').expect("cell end")].to_owned())
        .collect();
    (cells[0].clone(), cells[1].clone())
}

async fn add_account(app: &TestApp, name: &str) -> i64 {
    let response = app
        .post_form("/accounts", "/accounts/new", &[("name", name)])
        .await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "the account {name} is added"
    );
    location(&response)
        .strip_prefix("/accounts/")
        .and_then(|id| id.parse().ok())
        .expect("redirected to the new account")
}

fn add_contact_to(app: &TestApp, account_id: i64, name: &str, email: &str) -> i64 {
    let draft = portico::domain::ContactDraft::parse(name, email, "").expect("valid contact");
    let mut conn = app.pool.get().expect("connection");
    portico::contacts::create(&mut conn, &draft, Some(account_id), Actor::System)
        .expect("contact added")
}

fn set_status(app: &TestApp, contact_id: i64, status: &str) {
    let mut conn = app.pool.get().expect("connection");
    diesel::update(contacts::table.find(contact_id))
        .set(contacts::help_center_status.eq(status))
        .execute(&mut conn)
        .expect("status set");
}

on_both_backends! {
    async fn adding_an_account_refuses_an_empty_or_taken_name(app) {
        app.sign_in_agent(false).await;
        let list = app.get_html("/accounts").await;
        assert!(list.contains("href=\"/accounts/new\""), "an Add account button");
        let acme = add_account(&app, "  Acme Ltd ").await;
        let page = app.get_html(&format!("/accounts/{acme}")).await;
        assert!(page.contains("<h1>Acme Ltd</h1>"), "stored trimmed");
        assert!(page.contains("Account added."));

        let empty = app.post_form("/accounts", "/accounts/new", &[("name", "   ")]).await;
        assert_eq!(empty.status().as_u16(), 422);
        assert!(empty.text().await.unwrap().contains("Enter the account’s name."));
        let too_long = "a".repeat(201);
        assert_eq!(app.post_form("/accounts", "/accounts/new", &[("name", &too_long)]).await.status().as_u16(), 422);

        let duplicate = app.post_form("/accounts", "/accounts/new", &[("name", "ACME LTD")]).await;
        assert_eq!(duplicate.status().as_u16(), 409);
        let html = duplicate.text().await.unwrap();
        assert!(html.contains(&format!("href=\"/accounts/{acme}\"")), "links to the existing account");
        assert!(html.contains("value=\"ACME LTD\""), "the typed name is kept");
        assert_eq!(account_names_in(&app.get_html("/accounts").await), ["Acme Ltd"], "nothing else was added");
    }

    async fn the_list_counts_live_and_activated_contacts_per_account(app) {
        app.sign_in_agent(false).await;
        let acme = add_account(&app, "Acme").await;
        let globex = add_account(&app, "Globex").await;
        let ada = add_contact_to(&app, acme, "Ada", "ada@acme.example");
        add_contact_to(&app, acme, "Bob", "bob@acme.example");
        add_contact_to(&app, acme, "Cy", "cy@acme.example");
        let spammer = add_contact_to(&app, acme, "Spammer", "spam@acme.example");
        app.add_contact("No Account", Some("none@example.com"), None);
        set_status(&app, ada, "activated");
        let marked = app.post_form(&format!("/contacts/{spammer}/spam"), &format!("/contacts/{spammer}"), &[]).await;
        assert_eq!(marked.status().as_u16(), 303);

        let html = app.get_html("/accounts").await;
        assert_eq!(account_names_in(&html), ["Acme", "Globex"]);
        assert_eq!(counts_of(&html, acme), ("3".to_owned(), "1".to_owned()), "spam is not counted");
        assert_eq!(counts_of(&html, globex), ("0".to_owned(), "0".to_owned()));
        assert!(html.contains("2 accounts"));

        let searched = app.get_html("/accounts?q=LOBE").await;
        assert_eq!(account_names_in(&searched), ["Globex"], "search ignores case and matches inside names");
        assert!(app.get_html("/accounts?q=%25").await.contains("0 accounts"), "wildcards are literal");

        add_account(&app, "ÄRZTE OHNE GRENZEN").await;
        let german = app.get_html("/accounts?q=%C3%A4rzte").await;
        assert_eq!(account_names_in(&german), ["ÄRZTE OHNE GRENZEN"], "case is ignored beyond ASCII too");
        let taken = app.post_form("/accounts", "/accounts/new", &[("name", "Ärzte ohne Grenzen")]).await;
        assert_eq!(taken.status().as_u16(), 409, "a name differing only in the case of Ä is taken");
    }

    async fn the_list_pages_fifty_accounts_at_a_time(app) {
        app.sign_in_agent(false).await;
        {
            let mut conn = app.pool.get().expect("connection");
            let now = portico::db::now();
            for number in 1..=120 {
                let name = format!("Account {number:03}");
                NewAccount { name: &name, created_at: now, updated_at: now }.insert(&mut conn).expect("account");
            }
        }
        let first = app.get_html("/accounts").await;
        assert_eq!(account_names_in(&first).len(), 50);
        assert!(link(&first, "prev").is_none());
        let second = app.get_html(&link(&first, "next").expect("a next page")).await;
        let third = app.get_html(&link(&second, "next").expect("a third page")).await;
        let mut seen = account_names_in(&first);
        seen.extend(account_names_in(&second));
        seen.extend(account_names_in(&third));
        let expected: Vec<String> = (1..=120).map(|number| format!("Account {number:03}")).collect();
        assert_eq!(seen, expected);
        assert!(link(&third, "next").is_none());
        let back = app.get_html(&link(&third, "prev").expect("a previous page")).await;
        assert_eq!(account_names_in(&back), account_names_in(&second));

        let searched = app.get_html("/accounts?q=account%2011").await;
        assert_eq!(account_names_in(&searched), ["Account 110", "Account 111", "Account 112", "Account 113", "Account 114", "Account 115", "Account 116", "Account 117", "Account 118", "Account 119"]);
        assert_eq!(app.get("/accounts?after=garbage").await.status().as_u16(), 400);

        // Name, Z to A, page by page and back.
        let first = app.get_html("/accounts?dir=desc").await;
        let second = app.get_html(&link(&first, "next").expect("a next page")).await;
        let third = app.get_html(&link(&second, "next").expect("a third page")).await;
        let mut seen = account_names_in(&first);
        seen.extend(account_names_in(&second));
        seen.extend(account_names_in(&third));
        let backwards: Vec<String> = expected.iter().rev().cloned().collect();
        assert_eq!(seen, backwards);
        let back = app.get_html(&link(&third, "prev").expect("a previous page")).await;
        assert_eq!(account_names_in(&back), account_names_in(&second));
    }

    async fn accounts_sort_by_name_or_by_when_they_were_created(app) {
        app.sign_in_agent(false).await;
        for name in ["Beta Labs", "Alpha Inc", "Gamma GmbH"] {
            app.add_account(name);
        }
        let list = app.get_html("/accounts").await;
        assert_eq!(account_names_in(&list), ["Alpha Inc", "Beta Labs", "Gamma GmbH"]);
        assert!(list.contains("<a href=\"/accounts?dir=desc\" class=\"sort-asc\">Name</a>"), "{list}");
        assert!(list.contains("<a href=\"/accounts?sort=created\" class=\"\">Created</a>"));
        assert_eq!(account_names_in(&app.get_html("/accounts?dir=desc").await), ["Gamma GmbH", "Beta Labs", "Alpha Inc"]);
        let by_created = app.get_html("/accounts?sort=created").await;
        assert_eq!(account_names_in(&by_created), ["Beta Labs", "Alpha Inc", "Gamma GmbH"]);
        assert!(by_created.contains("<a href=\"/accounts?sort=created&amp;dir=desc\" class=\"sort-asc\">Created</a>") || by_created.contains("<a href=\"/accounts?sort=created&#38;dir=desc\" class=\"sort-asc\">Created</a>"), "{by_created}");
        assert_eq!(account_names_in(&app.get_html("/accounts?sort=created&dir=desc").await), ["Gamma GmbH", "Alpha Inc", "Beta Labs"]);
        assert_eq!(app.get("/accounts?sort=size").await.status().as_u16(), 400);
    }

    async fn an_accounts_page_lists_sorts_and_pages_its_own_contacts(app) {
        app.sign_in_agent(false).await;
        let acme = add_account(&app, "Acme").await;
        for number in 0..30 {
            add_contact_to(&app, acme, &format!("Acme Person {number:02}"), &format!("p{number:02}@acme.example"));
        }
        app.add_contact("Outsider", Some("out@example.com"), None);
        let base = format!("/accounts/{acme}");

        let first = app.get_html(&format!("{base}?per_page=25")).await;
        assert!(first.contains("30 contacts"));
        let names = contact_names_in(&first);
        assert_eq!(names.len(), 25);
        assert_eq!(names[0], "Acme Person 00");
        assert!(!names.contains(&"Outsider".to_owned()));
        assert!(first.contains(&format!("name=\"account\" value=\"{acme}\"")), "mass actions apply within the account");
        let next = link(&first, "next").expect("a second page");
        assert!(next.starts_with(&format!("{base}?")), "paging stays on the account: {next}");
        let second = app.get_html(&next).await;
        assert_eq!(contact_names_in(&second).len(), 5);

        let unescaped = first.replace("&#38;", "&").replace("&amp;", "&");
        assert!(unescaped.contains(&format!("href=\"{base}?account={acme}&sort=email&per_page=25\"")), "sort links stay on the account");
        let descending = app.get_html(&format!("{base}?sort=name&dir=desc")).await;
        assert_eq!(contact_names_in(&descending)[0], "Acme Person 29");
        let searched = app.get_html(&format!("{base}?q=person%2007")).await;
        assert_eq!(contact_names_in(&searched), ["Acme Person 07"]);
        assert_eq!(app.get("/accounts/999999").await.status().as_u16(), 404);
    }

    async fn renaming_an_account_keeps_names_unique(app) {
        app.sign_in_agent(false).await;
        let acme = add_account(&app, "Acme").await;
        let globex = add_account(&app, "Globex").await;
        let edit = format!("/accounts/{acme}/edit");
        assert!(app.get_html(&edit).await.contains("value=\"Acme\""));
        let clash = app.post_form(&format!("/accounts/{acme}"), &edit, &[("name", "globex")]).await;
        assert_eq!(clash.status().as_u16(), 409);
        assert!(clash.text().await.unwrap().contains(&format!("href=\"/accounts/{globex}\"")));
        let same_in_other_case = app.post_form(&format!("/accounts/{acme}"), &edit, &[("name", "ACME")]).await;
        assert_eq!(same_in_other_case.status().as_u16(), 303, "an account may change the case of its own name");
        let renamed = app.post_form(&format!("/accounts/{acme}"), &edit, &[("name", "Acme Corporation")]).await;
        assert_eq!(renamed.status().as_u16(), 303);
        let page = app.get_html(&location(&renamed)).await;
        assert!(page.contains("<h1>Acme Corporation</h1>"));
        assert!(page.contains("Account saved."));
        assert_eq!(account_names_in(&app.get_html("/accounts").await), ["Acme Corporation", "Globex"]);
    }

    async fn deleting_an_account_keeps_its_contacts_without_an_account(app) {
        app.sign_in_agent(false).await;
        let acme = add_account(&app, "Acme").await;
        let ada = add_contact_to(&app, acme, "Ada Lovelace", "ada@acme.example");
        assert!(app.get_html(&format!("/contacts/{ada}")).await.contains(&format!("<a href=\"/accounts/{acme}\">Acme</a>")));

        let confirm = app.get_html(&format!("/accounts/{acme}?confirm=delete")).await;
        assert!(confirm.contains("Delete the account Acme?"));
        assert!(confirm.contains("Its contacts are kept"));
        let deleted = app.post_form(&format!("/accounts/{acme}/delete"), &format!("/accounts/{acme}"), &[]).await;
        assert_eq!(deleted.status().as_u16(), 303);
        assert_eq!(location(&deleted), "/accounts");
        let list = app.get_html("/accounts").await;
        assert!(list.contains("Account “Acme” deleted. Its contact was kept and now has no account."));
        assert!(account_names_in(&list).is_empty());
        assert_eq!(app.get(&format!("/accounts/{acme}")).await.status().as_u16(), 404);

        let contact = app.get_html(&format!("/contacts/{ada}")).await;
        assert!(contact.contains("<h1>Ada Lovelace</h1>"), "the contact is still there");
        assert!(!contact.contains(&format!("/accounts/{acme}")), "without the account");
        assert_eq!(contact_names_in(&app.get_html("/contacts").await), ["Ada Lovelace"]);
    }
}

/// In Chromium: the Created header sorts the accounts oldest first, and again newest first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_sorts_accounts_by_clicking_the_headers() {
    let Some(browser) = crate::browser::launch().await else {
        return;
    };
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    app.create_agent("ada@portico.test", "Ada Lovelace", false);
    for name in ["Beta Labs", "Alpha Inc", "Gamma GmbH"] {
        app.add_account(name);
    }
    let page = &browser.client;
    crate::journeys::sign_in(page, &app, "ada@portico.test").await;
    page.goto(&app.url("/accounts")).await.unwrap();
    let first_row = "//table/tbody/tr[1]/td[1]/a";
    for (click, expected) in [
        ("Created", "Beta Labs"),
        ("Created", "Gamma GmbH"),
        ("Name", "Alpha Inc"),
    ] {
        crate::browser::wait_for(page, &format!("//th/a[normalize-space()='{click}']"))
            .await
            .click()
            .await
            .unwrap();
        crate::browser::wait_for(
            page,
            &format!("{first_row}[normalize-space()='{expected}']"),
        )
        .await;
    }
    browser.client.clone().close().await.unwrap();
}
