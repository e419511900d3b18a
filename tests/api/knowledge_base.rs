use diesel::prelude::*;
use portico::db::schema::{audit_events, kb_articles};

use crate::helpers::{location, TestApp};
use crate::on_both_backends;

async fn create_article(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post_form("/knowledge-base", "/knowledge-base/new", fields)
        .await
}

/// Creates an article through the form and returns its id.
pub(crate) async fn add_article(app: &TestApp, title: &str, category: &str, body: &str) -> i64 {
    let response = create_article(
        app,
        &[
            ("title", title),
            ("slug", ""),
            ("category", category),
            ("body", body),
        ],
    )
    .await;
    assert_eq!(response.status().as_u16(), 303, "the article is created");
    location(&response)
        .strip_prefix("/knowledge-base/")
        .and_then(|id| id.parse().ok())
        .expect("redirects to the new article")
}

async fn ok_html(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.text().await.unwrap()
}

pub(crate) fn slug_of(app: &TestApp, id: i64) -> String {
    let mut conn = app.pool.get().unwrap();
    kb_articles::table
        .find(id)
        .select(kb_articles::slug)
        .first(&mut conn)
        .unwrap()
}

/// The state column of the article's row in the list.
fn state_in_list(html: &str, id: i64) -> &str {
    let row = &html[html
        .find(&format!("<a href=\"/knowledge-base/{id}\">"))
        .expect("the article is listed")..];
    let cell = &row[row.find("</td>").unwrap() + 5..];
    let start = cell.find("<td>").unwrap() + 4;
    &cell[start..start + cell[start..].find("</td>").unwrap()]
}

on_both_backends! {
    async fn a_new_article_gets_a_slug_from_its_title_and_is_listed_under_its_category(app) {
        app.sign_in_agent(false).await;
        let reset = add_article(&app, "Reset your password!", "Account", "Open **Settings**.").await;
        let invoice = add_article(&app, "Read an invoice", "Billing", "Line by line.").await;
        assert_eq!(slug_of(&app, reset), "reset-your-password");

        let list = ok_html(&app, "/knowledge-base").await;
        let account = list.find(">Account</h2>").expect("the Account category");
        let billing = list.find(">Billing</h2>").expect("the Billing category");
        let reset_row = list.find("Reset your password!</a>").unwrap();
        let invoice_row = list.find("Read an invoice</a>").unwrap();
        assert!(account < reset_row && reset_row < billing && billing < invoice_row, "grouped by category");
        assert_eq!(state_in_list(&list, reset), "<span class=\"muted\">Draft</span>", "unticked means draft");
        assert!(list.contains("href=\"/knowledge-base/new\">New article</a>"));

        let form = ok_html(&app, "/knowledge-base/new").await;
        assert!(form.contains("<option value=\"Account\"><option value=\"Billing\">"), "existing categories are suggested");
        let _ = invoice;
    }

    async fn invalid_fields_are_explained_beside_each_with_the_values_kept(app) {
        app.sign_in_agent(false).await;
        let long_category = "c".repeat(101);
        let response = create_article(&app, &[("title", "  "), ("slug", "Typed Slug"), ("category", &long_category), ("body", " \r\n ")]).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = response.text().await.unwrap();
        assert!(html.contains("id=\"title-error\">Enter a title.</p>"));
        assert!(html.contains("id=\"category-error\">A category can be at most 100 characters; this one has 101.</p>"));
        assert!(html.contains("id=\"body-error\">Write the article&#39;s text.</p>"));
        assert!(html.contains("value=\"Typed Slug\""), "typed values are kept");
        assert!(html.contains(&format!("value=\"{long_category}\"")));

        let big = "x".repeat(200 * 1024 + 1);
        let too_big = create_article(&app, &[("title", "Big"), ("slug", ""), ("category", "C"), ("body", &big)]).await;
        assert_eq!(too_big.status().as_u16(), 422);
        assert!(too_big.text().await.unwrap().contains("an article can be at most 200 KiB"));

        let mut conn = app.pool.get().unwrap();
        let articles: i64 = kb_articles::table.count().get_result(&mut conn).unwrap();
        assert_eq!(articles, 0, "nothing was saved");
    }

    async fn a_slug_already_taken_is_refused_beside_the_field(app) {
        app.sign_in_agent(false).await;
        let first = add_article(&app, "Billing FAQ", "Billing", "Questions.").await;

        let derived = create_article(&app, &[("title", "Billing FAQ"), ("slug", ""), ("category", "Billing"), ("body", "Again.")]).await;
        assert_eq!(derived.status().as_u16(), 422);
        let html = derived.text().await.unwrap();
        assert!(html.contains("id=\"slug-error\">Another article already has this address"));
        assert!(html.contains(&format!("<a href=\"/knowledge-base/{first}\">Open the article that has it</a>")));
        assert!(html.contains(">\nAgain.</textarea>"), "the text is kept");

        let typed = create_article(&app, &[("title", "Other"), ("slug", "Billing-FAQ"), ("category", "Billing"), ("body", "Again.")]).await;
        assert_eq!(typed.status().as_u16(), 422);
        assert!(typed.text().await.unwrap().contains("id=\"slug-error\""));

        let second = add_article(&app, "Refunds", "Billing", "How to.").await;
        let edit = format!("/knowledge-base/{second}");
        let clash = app.post_form(&edit, &format!("{edit}/edit"), &[("title", "Refunds"), ("slug", "billing-faq"), ("category", "Billing"), ("body", "How to.")]).await;
        assert_eq!(clash.status().as_u16(), 422, "an edit cannot take another article's slug");
        let keep_own = app.post_form(&format!("/knowledge-base/{first}"), &format!("/knowledge-base/{first}/edit"), &[("title", "Billing FAQ"), ("slug", "billing-faq"), ("category", "Billing"), ("body", "Updated.")]).await;
        assert_eq!(keep_own.status().as_u16(), 303, "an article keeps its own slug");
        assert_eq!(slug_of(&app, second), "refunds");
    }

    async fn articles_are_edited_published_unpublished_and_deleted(app) {
        app.sign_in_agent(false).await;
        let id = add_article(&app, "Export data", "Account", "Old text.").await;
        let page = format!("/knowledge-base/{id}");

        let edit_form = ok_html(&app, &format!("{page}/edit")).await;
        assert!(edit_form.contains("value=\"export-data\""));
        assert!(edit_form.contains(">\nOld text.</textarea>"));
        let saved = app.post_form(&page, &format!("{page}/edit"), &[("title", "Export your data"), ("slug", "export-data"), ("category", "Privacy"), ("body", "## New text")]).await;
        assert_eq!(saved.status().as_u16(), 303);
        let preview = ok_html(&app, &page).await;
        assert!(preview.contains("Article saved."));
        assert!(preview.contains("<h1>Export your data</h1>") && preview.contains("<h2>New text</h2>"));
        assert!(!preview.contains("Old text"));

        let published = app.post_form(&format!("{page}/publish"), &page, &[]).await;
        assert_eq!(published.status().as_u16(), 303);
        assert!(ok_html(&app, &page).await.contains("is published: customers can read it"));
        assert_eq!(state_in_list(&ok_html(&app, "/knowledge-base").await, id), "Published");
        assert!(ok_html(&app, &format!("{page}/edit")).await.contains("value=\"1\" checked"), "the form shows it published");

        let unpublished = app.post_form(&format!("{page}/unpublish"), &page, &[]).await;
        assert_eq!(unpublished.status().as_u16(), 303);
        assert_eq!(state_in_list(&ok_html(&app, "/knowledge-base").await, id), "<span class=\"muted\">Draft</span>");

        assert!(!ok_html(&app, &page).await.contains("Delete article</button>"), "deleting asks first");
        let confirm = ok_html(&app, &format!("{page}?confirm=delete")).await;
        assert!(confirm.contains(&format!("action=\"/knowledge-base/{id}/delete\"")));
        assert!(confirm.contains("Delete article</button>"));
        let deleted = app.post_form(&format!("{page}/delete"), &page, &[]).await;
        assert_eq!(deleted.status().as_u16(), 303);
        assert_eq!(location(&deleted), "/knowledge-base");
        let list = ok_html(&app, "/knowledge-base").await;
        assert!(list.contains("Article “Export your data” deleted."));
        assert!(!list.contains(&format!("href=\"/knowledge-base/{id}\"")));
        assert_eq!(app.get(&page).await.status().as_u16(), 404);

        let mut conn = app.pool.get().unwrap();
        let trail: Vec<String> = audit_events::table
            .filter(audit_events::subject_type.eq("kb_article"))
            .order(audit_events::id.asc())
            .select(audit_events::action)
            .load(&mut conn)
            .unwrap();
        assert_eq!(trail, ["kb_article.created", "kb_article.updated", "kb_article.published", "kb_article.unpublished", "kb_article.deleted"]);
    }

    async fn the_preview_renders_markdown_and_strips_scripts_and_javascript_links(app) {
        app.sign_in_agent(false).await;
        let body = "## Steps\n\n1. Open *Settings*\n2. Press `Reset`\n\n\
                    See [the guide](https://example.com/guide).\n\n\
                    <script>alert('stolen')</script>\n\n\
                    [Click me](javascript:alert(1)) <img src=\"/x.png\" onerror=\"alert(2)\">";
        let id = add_article(&app, "Safe article", "Security", body).await;
        let preview = ok_html(&app, &format!("/knowledge-base/{id}")).await;
        assert!(preview.contains("<h2>Steps</h2>"));
        assert!(preview.contains("<li>Open <em>Settings</em></li>"));
        assert!(preview.contains("<code>Reset</code>"));
        assert!(preview.contains("<a href=\"https://example.com/guide\" rel=\"noopener noreferrer\">the guide</a>"));
        assert!(preview.contains("Click me"));
        assert!(!preview.contains("alert("), "no script, handler or javascript: link survives");
        assert!(!preview.contains("javascript:"));
        assert!(!preview.contains("onerror"));
        assert!(preview.contains("Draft</strong>: customers cannot see it"));
    }

    async fn unknown_articles_are_not_found_and_agents_must_sign_in(app) {
        assert_eq!(location(&app.get("/knowledge-base/new").await), "/login?next=%2Fknowledge-base%2Fnew");
        app.sign_in_agent(false).await;
        assert_eq!(app.get("/knowledge-base/424242").await.status().as_u16(), 404);
        assert_eq!(app.get("/knowledge-base/424242/edit").await.status().as_u16(), 404);
        for action in ["publish", "unpublish", "delete"] {
            let response = app.post_form(&format!("/knowledge-base/424242/{action}"), "/knowledge-base", &[]).await;
            assert_eq!(response.status().as_u16(), 404, "{action}");
        }
        let update = app.post_form("/knowledge-base/424242", "/knowledge-base", &[("title", "T"), ("slug", ""), ("category", "C"), ("body", "B")]).await;
        assert_eq!(update.status().as_u16(), 404);
    }
}

on_both_backends! {
    async fn agents_search_articles_drafts_included_best_first(app) {
        app.sign_in_agent(false).await;
        add_article(&app, "Resetting your password", "Account", "Open **Forgot password?** on the sign-in page.").await;
        let draft = add_article(&app, "Password rules (draft)", "Account", "At least twelve characters.").await;
        add_article(&app, "Billing cycles", "Billing", "Invoices go out monthly.").await;
        let found = ok_html(&app, "/knowledge-base?q=password").await;
        assert!(found.contains("Results for “password”"), "{found}");
        assert!(found.contains(&format!("href=\"/knowledge-base/{draft}\">Password rules (draft)</a> <span class=\"muted\">· Account · Draft</span>")), "drafts are found on the agents' side: {found}");
        assert!(!found.contains("Billing cycles"));
        assert!(found.contains("<mark>password</mark>"), "{found}");
        let nothing = ok_html(&app, "/knowledge-base?q=zebra").await;
        assert!(nothing.contains("No article holds every word of “zebra”."));
        assert!(!nothing.contains("No articles yet"), "the empty list is not shown under the results");
    }
}

/// In Chromium, on the demo's knowledge base: a visitor's "reset password" finds "Resetting
/// your password" first, the words marked in its snippet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_finds_an_article_by_its_words() {
    let Some(browser) = crate::browser::launch().await else {
        return;
    };
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |settings| {
        settings.demo = Some(true)
    })
    .await;
    let page = &browser.client;
    page.goto(&app.url("/portal/knowledge-base")).await.unwrap();
    page.find(fantoccini::Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("reset password")
        .await
        .unwrap();
    crate::browser::click_button(page, "Search").await;
    let first = crate::browser::wait_for(page, "//ul[@class='kb-results']/li[1]/a").await;
    assert_eq!(first.text().await.unwrap(), "Resetting your password");
    crate::browser::wait_for(page, "//ul[@class='kb-results']/li[1]//mark").await;
    browser.client.clone().close().await.unwrap();
}
