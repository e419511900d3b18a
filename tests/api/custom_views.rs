use crate::helpers::{csrf_token_in, location, new_client, TestApp, AGENT_PASSWORD};
use crate::on_both_backends;

fn names_in(html: &str) -> Vec<String> {
    html.split("<td class=\"name\"><a href=\"/contacts/")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest[start..].find('<')? + start;
            Some(rest[start..end].to_owned())
        })
        .collect()
}

fn sidebar_count(html: &str, label: &str) -> Option<String> {
    let marker = format!(">{label} <span class=\"count\">");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..start + html[start..].find('<')?].to_owned())
}

fn view_id_in(location: &str) -> i64 {
    location
        .strip_prefix("/contacts?view=custom-")
        .unwrap_or_else(|| panic!("not a custom view address: {location}"))
        .parse()
        .expect("a view id")
}

fn view_fields<'a>(name: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", name),
        ("account", ""),
        ("status", ""),
        ("email_domain", ""),
        ("created_from", ""),
        ("created_until", ""),
        ("open_tickets", ""),
        ("name_contains", ""),
        ("sort", "name"),
        ("dir", "asc"),
        ("visibility", "private"),
    ];
    for (key, value) in overrides {
        if let Some(field) = fields.iter_mut().find(|(existing, _)| existing == key) {
            field.1 = value;
        }
    }
    fields
}

pub(crate) async fn create_view(app: &TestApp, name: &str, overrides: &[(&str, &str)]) -> i64 {
    let response = app
        .post_form(
            "/contacts/views",
            "/contacts/views/new",
            &view_fields(name, overrides),
        )
        .await;
    assert_eq!(
        response.status().as_u16(),
        303,
        "the view {name} is created"
    );
    view_id_in(&location(&response))
}

/// A second browser, signed in as another agent.
pub(crate) async fn second_agent(app: &TestApp) -> reqwest::Client {
    app.create_agent("second@portico.test", "Second Agent", false);
    let client = new_client();
    let login = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&login);
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "second@portico.test"),
            ("password", AGENT_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "the second agent signs in");
    client
}

async fn status_of(client: &reqwest::Client, app: &TestApp, path: &str) -> u16 {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn html_of(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

on_both_backends! {
    async fn a_custom_view_says_what_it_filters_under_its_title(app) {
        app.sign_in_agent(false).await;
        app.add_account("Acme Corporation");
        let view = create_view(&app, "Acme this spring", &[("account", "Acme Corporation"), ("status", "invited"), ("created_from", "2026-03-01"), ("created_until", "2026-05-31"), ("open_tickets", "yes"), ("name_contains", "ada")]).await;
        let page = app.get_html(&format!("/contacts?view=custom-{view}")).await;
        assert!(page.contains("<p class=\"view-conditions\">Account is Acme Corporation · Help Center status is Invited · Created 2026-03-01 to 2026-05-31 · Has open tickets · Name contains “ada”</p>"), "{page}");
        let everyone = create_view(&app, "Everyone", &[]).await;
        assert!(app.get_html(&format!("/contacts?view=custom-{everyone}")).await.contains("<p class=\"view-conditions\">Every contact</p>"));
    }

    async fn a_view_s_count_is_exact_on_either_side_of_a_full_first_page(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(51);
        app.add_contact("Someone Else", Some("else@example.com"), None);
        let id = create_view(&app, "Numbered", &[("name_contains", "contact 0")]).await;
        let address = format!("/contacts?view=custom-{id}");
        let html = app.get_html(&address).await;
        assert_eq!(names_in(&html).len(), 50, "a full first page");
        assert!(html.contains("<p class=\"total\">1–50 of 51 contacts</p>"), "the count goes past the page");
        assert!(html.contains("rel=\"next\""));
        assert_eq!(sidebar_count(&html, "Numbered").as_deref(), Some("51"));

        let last: i64 = {
            use diesel::prelude::*;
            use portico::db::schema::contacts;
            contacts::table
                .filter(contacts::name.eq("Contact 0050"))
                .select(contacts::id)
                .first(&mut app.pool.get().unwrap())
                .unwrap()
        };
        let deleted = app.post_form(&format!("/contacts/{last}/delete"), &format!("/contacts/{last}"), &[]).await;
        assert_eq!(deleted.status().as_u16(), 303);
        let html = app.get_html(&address).await;
        assert_eq!(names_in(&html).len(), 50, "every match on one page");
        assert!(html.contains("<p class=\"total\">50 contacts</p>"));
        assert!(!html.contains("rel=\"next\""));
        let searched = app.get_html(&format!("{address}&q=contact0007")).await;
        assert_eq!(names_in(&searched), ["Contact 0007"]);
        assert!(searched.contains("<p class=\"total\">1 contact</p>"), "a search within the view counts its one match");
    }

    async fn a_new_view_lists_only_matching_contacts_with_its_count_in_the_sidebar(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Ada Lovelace", Some("ada@acme.example"), None);
        app.add_contact("Adam Smith", Some("adam@acme.example"), None);
        app.add_contact("Ada Elsewhere", Some("ada@other.example"), None);
        app.add_contact("Bob Jones", Some("bob@acme.example"), None);
        app.add_contact("Ada Subdomain", Some("ada@eu.acme.example"), None);

        let form = app.get_html("/contacts/views/new").await;
        assert!(form.contains("name=\"email_domain\""));
        assert!(form.contains("type=\"date\""));
        let response = app.post_form("/contacts/views", "/contacts/views/new", &view_fields("Acme Adas", &[
            ("email_domain", "ACME.example"), ("name_contains", "ADA"), ("sort", "name"), ("dir", "desc"),
        ])).await;
        assert_eq!(response.status().as_u16(), 303);
        let address = location(&response);
        let id = view_id_in(&address);

        let html = app.get_html(&address).await;
        assert!(html.contains("View created."));
        assert_eq!(names_in(&html), ["Adam Smith", "Ada Lovelace"], "the saved criteria and descending sort");
        assert_eq!(sidebar_count(&html, "Acme Adas").as_deref(), Some("2"));
        assert!(html.contains(&format!("href=\"/contacts/views/{id}/edit\"")), "the owner can edit it");
        assert_eq!(sidebar_count(&app.get_html("/contacts").await, "Acme Adas").as_deref(), Some("2"), "the count shows on every list page");

        let edit = app.get_html(&format!("/contacts/views/{id}/edit")).await;
        assert!(edit.contains("value=\"acme.example\""), "the domain is kept, lowercased");
        assert!(edit.contains("value=\"ADA\""));
        assert!(edit.contains("<option value=\"desc\" selected>"));
    }

    async fn the_created_between_dates_include_both_days(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Made Today", Some("today@example.com"), None);
        let today = chrono::Utc::now().date_naive();
        let yesterday = (today - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let today = today.format("%Y-%m-%d").to_string();
        let until_today = create_view(&app, "Until today", &[("created_from", &today), ("created_until", &today)]).await;
        let until_yesterday = create_view(&app, "Until yesterday", &[("created_until", &yesterday)]).await;
        assert_eq!(names_in(&app.get_html(&format!("/contacts?view=custom-{until_today}")).await), ["Made Today"]);
        assert!(names_in(&app.get_html(&format!("/contacts?view=custom-{until_yesterday}")).await).is_empty());
        let edit = app.get_html(&format!("/contacts/views/{until_today}/edit")).await;
        assert!(edit.contains(&format!("name=\"created_until\" type=\"date\" value=\"{today}\"")), "the last day shows as typed");
    }

    async fn invalid_views_come_back_with_errors_beside_the_fields_and_are_not_saved(app) {
        app.sign_in_agent(false).await;
        let response = app.post_form("/contacts/views", "/contacts/views/new", &view_fields("", &[
            ("email_domain", "sales@acme.example"), ("created_from", "2026-02-01"), ("created_until", "2026-01-01"),
            ("name_contains", "keep me"), ("account", "No Such Account"),
        ])).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = response.text().await.unwrap();
        assert!(html.contains("Give the view a name."));
        assert!(html.contains("without the @"));
        assert!(html.contains("The first date must be on or before the second."));
        assert!(html.contains("There is no account called “No Such Account”"));
        assert!(html.contains("value=\"sales@acme.example\""), "typed values are kept");
        assert!(html.contains("value=\"2026-02-01\""));
        assert!(html.contains("value=\"2026-01-01\""));
        assert!(html.contains("value=\"keep me\""));

        let bad_domain = app.post_form("/contacts/views", "/contacts/views/new", &view_fields("Named", &[("email_domain", "acme")])).await;
        assert_eq!(bad_domain.status().as_u16(), 422);
        assert!(bad_domain.text().await.unwrap().contains("Enter a domain like acme.example."));
        let long_name = "x".repeat(101);
        let too_long = app.post_form("/contacts/views", "/contacts/views/new", &view_fields(&long_name, &[])).await;
        assert_eq!(too_long.status().as_u16(), 422);

        assert!(!app.get_html("/contacts").await.contains("view=custom-"), "nothing was saved");
    }

    async fn a_shared_view_shows_to_other_agents_who_cannot_change_it(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Ada Lovelace", Some("ada@acme.example"), None);
        app.add_contact("Bob Jones", Some("bob@other.example"), None);
        let shared = create_view(&app, "Team Acme", &[("email_domain", "acme.example"), ("visibility", "shared")]).await;
        let private = create_view(&app, "Just Mine", &[("visibility", "private")]).await;

        let other = second_agent(&app).await;
        let sidebar = html_of(&other, &app, "/contacts").await;
        assert_eq!(sidebar_count(&sidebar, "Team Acme").as_deref(), Some("1"));
        assert!(sidebar_count(&sidebar, "Just Mine").is_none(), "a private view stays private");
        let shared_page = html_of(&other, &app, &format!("/contacts?view=custom-{shared}")).await;
        assert_eq!(names_in(&shared_page), ["Ada Lovelace"]);
        assert!(!shared_page.contains("Edit view"), "only the owner is offered editing");
        assert_eq!(status_of(&other, &app, &format!("/contacts?view=custom-{private}")).await, 404);
        assert_eq!(status_of(&other, &app, &format!("/contacts/views/{shared}/edit")).await, 403);
        assert_eq!(status_of(&other, &app, &format!("/contacts/views/{private}/edit")).await, 404);

        let token = csrf_token_in(&sidebar);
        let mut fields = vec![("csrf_token", token.as_str())];
        fields.extend(view_fields("Hijacked", &[("visibility", "shared")]));
        let rename = other.post(app.url(&format!("/contacts/views/{shared}"))).form(&fields).send().await.unwrap();
        assert_eq!(rename.status().as_u16(), 403);
        let delete = other.post(app.url(&format!("/contacts/views/{shared}/delete"))).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(delete.status().as_u16(), 403);
        assert!(app.get_html("/contacts").await.contains(">Team Acme <span"), "the view is unchanged");

        let renamed = app.post_form(&format!("/contacts/views/{shared}"), &format!("/contacts/views/{shared}/edit"), &view_fields("Team Acme EU", &[("email_domain", "acme.example"), ("visibility", "shared")])).await;
        assert_eq!(renamed.status().as_u16(), 303);
        assert!(app.get_html(&location(&renamed)).await.contains("View saved."));
        assert!(html_of(&other, &app, "/contacts").await.contains(">Team Acme EU <span"));
    }

    async fn deleting_a_view_asks_first_then_removes_it_for_everyone(app) {
        app.sign_in_agent(false).await;
        let id = create_view(&app, "Short Lived", &[("visibility", "shared")]).await;
        let confirm = app.get_html(&format!("/contacts/views/{id}/edit?confirm=delete")).await;
        assert!(confirm.contains("Delete the view “Short Lived”?"));
        assert!(confirm.contains(&format!("action=\"/contacts/views/{id}/delete\"")));
        let deleted = app.post_form(&format!("/contacts/views/{id}/delete"), &format!("/contacts/views/{id}/edit"), &[]).await;
        assert_eq!(deleted.status().as_u16(), 303);
        assert_eq!(location(&deleted), "/contacts");
        let html = app.get_html("/contacts").await;
        assert!(html.contains("View “Short Lived” deleted."));
        assert!(sidebar_count(&html, "Short Lived").is_none());
        assert_eq!(app.get(&format!("/contacts?view=custom-{id}")).await.status().as_u16(), 404);
        let other = second_agent(&app).await;
        assert!(sidebar_count(&html_of(&other, &app, "/contacts").await, "Short Lived").is_none());
    }
}
