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

/// A condition row of the view form: field, operator and value, as the lists name them.
pub(crate) type Row<'a> = (&'a str, &'a str, &'a str);

/// The form's fields for a view named `name` with these conditions; `extra` adds or replaces
/// other fields ("match", "sort", "until_0", …).
pub(crate) fn view_fields(
    name: &str,
    rows: &[Row],
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![
        ("name".into(), name.into()),
        ("match".into(), "all".into()),
        ("sort".into(), "name".into()),
        ("dir".into(), "asc".into()),
        ("visibility".into(), "private".into()),
    ];
    for (index, (field, operator, value)) in rows.iter().enumerate() {
        fields.push((format!("field_{index}"), field.to_string()));
        fields.push((format!("operator_{index}"), operator.to_string()));
        fields.push((format!("value_{index}"), value.to_string()));
    }
    for (key, value) in extra {
        match fields.iter_mut().find(|(existing, _)| existing == key) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((key.to_string(), value.to_string())),
        }
    }
    fields
}

pub(crate) async fn post_view(
    app: &TestApp,
    action: &str,
    from: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    app.post_form(action, from, &pairs).await
}

pub(crate) async fn create_view(
    app: &TestApp,
    name: &str,
    rows: &[Row<'_>],
    extra: &[(&str, &str)],
) -> i64 {
    let response = post_view(
        app,
        "/contacts/views",
        "/contacts/views/new",
        &view_fields(name, rows, extra),
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
    agent_client(app, "second@portico.test", false).await
}

/// A browser of its own, signed in as a new agent with this address.
async fn agent_client(app: &TestApp, email: &str, admin: bool) -> reqwest::Client {
    app.create_agent(email, "Another Agent", admin);
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
            ("email", email),
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
        let view = create_view(&app, "Acme this spring", &[
            ("account", "is", "Acme Corporation"),
            ("status", "is", "invited"),
            ("created", "between", "2026-03-01"),
            ("open_tickets", "greater_than", "0"),
            ("name", "contains", "ada"),
        ], &[("until_2", "2026-05-31")]).await;
        let page = app.get_html(&format!("/contacts?view=custom-{view}")).await;
        assert!(page.contains("<p class=\"view-conditions\">Account is Acme Corporation · Help Center status is Invited · Created 2026-03-01 to 2026-05-31 · Open tickets &#62; 0 · Name contains “ada”</p>"), "{page}");
        assert!(page.contains(&format!("href=\"/contacts/views/{view}/edit\">Edit view</a>")));
        assert!(page.contains(&format!("href=\"/contacts/views/new?from={view}\">Duplicate view</a>")));
        let either = create_view(&app, "Either", &[("name", "starts_with", "ada"), ("spam", "is", "yes")], &[("match", "any")]).await;
        assert!(app.get_html(&format!("/contacts?view=custom-{either}")).await.contains("<p class=\"view-conditions\">Any of: Name starts with “ada” · Marked as spam</p>"));
        let everyone = create_view(&app, "Everyone", &[], &[]).await;
        assert!(app.get_html(&format!("/contacts?view=custom-{everyone}")).await.contains("<p class=\"view-conditions\">Every contact</p>"));
    }

    async fn a_view_s_count_is_exact_on_either_side_of_a_full_first_page(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(51);
        app.add_contact("Someone Else", Some("else@example.com"), None);
        let id = create_view(&app, "Numbered", &[("name", "contains", "contact 0")], &[]).await;
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
        assert!(form.contains("name=\"field_0\""), "rows of conditions");
        assert!(form.contains(">Add condition</button>"));
        let response = post_view(&app, "/contacts/views", "/contacts/views/new", &view_fields("Acme Adas", &[
            ("email_domain", "is", "ACME.example"), ("name", "contains", "ADA"),
        ], &[("dir", "desc")])).await;
        assert_eq!(response.status().as_u16(), 303);
        let address = location(&response);
        let id = view_id_in(&address);

        let html = app.get_html(&address).await;
        assert!(html.contains("View created."));
        assert_eq!(names_in(&html), ["Adam Smith", "Ada Lovelace"], "the saved conditions and descending sort");
        assert_eq!(sidebar_count(&html, "Acme Adas").as_deref(), Some("2"));
        assert!(html.contains(&format!("href=\"/contacts/views/{id}/edit\"")), "the owner can edit it");
        assert_eq!(sidebar_count(&app.get_html("/contacts").await, "Acme Adas").as_deref(), Some("2"), "the count shows on every list page");

        let edit = app.get_html(&format!("/contacts/views/{id}/edit")).await;
        assert!(edit.contains("<option value=\"email_domain\" data-kind=\"text\" data-list=\"\" selected>Email domain</option>"), "each row's field is kept");
        assert!(edit.contains("value=\"ACME.example\""), "and its value as typed");
        assert!(edit.contains("value=\"ADA\""));
        assert!(edit.contains("<option value=\"desc\" selected>"));
        assert!(edit.contains("name=\"field_3\""), "with empty rows to add more");
    }

    async fn the_dates_of_a_view_include_both_days_and_count_in_the_agents_days(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Made Today", Some("today@example.com"), None);
        let today = chrono::Utc::now().date_naive();
        let tomorrow = (today + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let today = today.format("%Y-%m-%d").to_string();
        let today_only = create_view(&app, "Today only", &[("created", "between", &today)], &[("until_0", &today)]).await;
        let before_today = create_view(&app, "Before today", &[("created", "before", &today)], &[]).await;
        let before_tomorrow = create_view(&app, "Before tomorrow", &[("created", "before", &tomorrow)], &[]).await;
        let last_day = create_view(&app, "Last day", &[("created", "in_the_last", "1")], &[]).await;
        let older = create_view(&app, "Older", &[("created", "more_than_ago", "1")], &[]).await;
        for (view, expected) in [(today_only, vec!["Made Today"]), (before_today, vec![]), (before_tomorrow, vec!["Made Today"]), (last_day, vec!["Made Today"]), (older, vec![])] {
            assert_eq!(names_in(&app.get_html(&format!("/contacts?view=custom-{view}")).await), expected, "view {view}");
        }
        let edit = app.get_html(&format!("/contacts/views/{today_only}/edit")).await;
        assert!(edit.contains(&format!("name=\"until_0\" value=\"{today}\"")), "the last day shows as typed");
    }

    async fn invalid_views_come_back_with_errors_beside_the_rows_and_are_not_saved(app) {
        app.sign_in_agent(false).await;
        let response = post_view(&app, "/contacts/views", "/contacts/views/new", &view_fields("", &[
            ("created", "contains", "2026"),
            ("created", "between", "2026-02-01"),
            ("account", "is", "No Such Account"),
            ("name", "contains", "keep me"),
            ("", "is", "orphan"),
        ], &[("until_1", "2026-01-01")])).await;
        assert_eq!(response.status().as_u16(), 422);
        let html = response.text().await.unwrap();
        assert!(html.contains("Give the view a name."));
        assert!(html.contains("Pick what “Created” should be"), "an operator the field cannot take");
        assert!(html.contains("Pick a field from the list."));
        assert!(html.contains("value=\"keep me\""), "typed values are kept");
        assert!(html.contains("value=\"2026-02-01\""));
        assert!(html.contains("value=\"2026-01-01\""));
        assert!(html.contains("aria-describedby=\"condition-0-error\""), "the error is tied to its row");

        // With a name and fields that fit, the values themselves are checked.
        let values = post_view(&app, "/contacts/views", "/contacts/views/new", &view_fields("Named", &[
            ("created", "between", "2026-02-01"),
            ("account", "is", "No Such Account"),
            ("open_tickets", "greater_than", "several"),
            ("created", "in_the_last", "0"),
        ], &[("until_0", "2026-01-01")])).await;
        assert_eq!(values.status().as_u16(), 422);
        let html = values.text().await.unwrap();
        assert!(html.contains("Enter two dates as YYYY-MM-DD, the first on or before the second."));
        assert!(html.contains("There is no account called “No Such Account”"));
        assert!(html.contains("Enter a whole number, 0 or more."));
        assert!(html.contains("Enter a whole number of days from 1 to"));
        let long_name = "x".repeat(101);
        let too_long = post_view(&app, "/contacts/views", "/contacts/views/new", &view_fields(&long_name, &[], &[])).await;
        assert_eq!(too_long.status().as_u16(), 422);

        assert!(!app.get_html("/contacts").await.contains("view=custom-"), "nothing was saved");
    }

    async fn add_condition_and_remove_change_the_rows_without_saving(app) {
        app.sign_in_agent(false).await;
        let added = post_view(&app, "/contacts/views", "/contacts/views/new", &view_fields("Growing", &[("name", "contains", "ann")], &[("add", "1")])).await;
        assert_eq!(added.status().as_u16(), 200);
        let html = added.text().await.unwrap();
        assert!(html.contains("name=\"field_1\""), "a new empty row");
        assert!(html.contains("value=\"ann\"") && html.contains("value=\"Growing\""), "the rest kept");
        let removed = post_view(&app, "/contacts/views", "/contacts/views/new", &view_fields("Growing", &[("name", "contains", "ann"), ("email", "contains", "bob")], &[("remove", "0")])).await;
        assert_eq!(removed.status().as_u16(), 200);
        let html = removed.text().await.unwrap();
        assert!(!html.contains("value=\"ann\""), "the row removed");
        assert!(html.contains("value=\"bob\""), "the other kept");
        assert!(!app.get_html("/contacts").await.contains("view=custom-"), "nothing was saved");
    }

    async fn a_shared_view_shows_to_other_agents_who_cannot_change_it(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Ada Lovelace", Some("ada@acme.example"), None);
        app.add_contact("Bob Jones", Some("bob@other.example"), None);
        let acme = [("email_domain", "is", "acme.example")];
        let shared = create_view(&app, "Team Acme", &acme, &[("visibility", "shared")]).await;
        let private = create_view(&app, "Just Mine", &[], &[]).await;

        let other = second_agent(&app).await;
        let sidebar = html_of(&other, &app, "/contacts").await;
        assert_eq!(sidebar_count(&sidebar, "Team Acme").as_deref(), Some("1"));
        assert!(sidebar_count(&sidebar, "Just Mine").is_none(), "a private view stays private");
        let shared_page = html_of(&other, &app, &format!("/contacts?view=custom-{shared}")).await;
        assert_eq!(names_in(&shared_page), ["Ada Lovelace"]);
        assert!(!shared_page.contains("Edit view"), "only the owner is offered editing");
        assert!(shared_page.contains("Duplicate view"), "anyone who sees it may copy it");
        assert_eq!(status_of(&other, &app, &format!("/contacts?view=custom-{private}")).await, 404);
        assert_eq!(status_of(&other, &app, &format!("/contacts/views/{shared}/edit")).await, 403);
        assert_eq!(status_of(&other, &app, &format!("/contacts/views/{private}/edit")).await, 404);
        assert_eq!(status_of(&other, &app, &format!("/contacts/views/new?from={private}")).await, 404);
        let copy = html_of(&other, &app, &format!("/contacts/views/new?from={shared}")).await;
        assert!(copy.contains("value=\"Copy of Team Acme\"") && copy.contains("value=\"acme.example\""), "a duplicate starts from the view");

        let token = csrf_token_in(&sidebar);
        let mut fields = vec![("csrf_token".to_owned(), token.clone())];
        fields.extend(view_fields("Hijacked", &[], &[("visibility", "shared")]));
        let rename = other.post(app.url(&format!("/contacts/views/{shared}"))).form(&fields).send().await.unwrap();
        assert_eq!(rename.status().as_u16(), 403);
        let delete = other.post(app.url(&format!("/contacts/views/{shared}/delete"))).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(delete.status().as_u16(), 403);
        assert!(app.get_html("/contacts").await.contains(">Team Acme <span"), "the view is unchanged");

        let renamed = post_view(&app, &format!("/contacts/views/{shared}"), &format!("/contacts/views/{shared}/edit"), &view_fields("Team Acme EU", &acme, &[("visibility", "shared")])).await;
        assert_eq!(renamed.status().as_u16(), 303);
        assert!(app.get_html(&location(&renamed)).await.contains("View saved."));
        assert!(html_of(&other, &app, "/contacts").await.contains(">Team Acme EU <span"));
    }

    async fn a_view_naming_a_deleted_account_says_so_and_matches_no_one(app) {
        app.sign_in_agent(false).await;
        let acme = app.add_account("Acme Corporation");
        let draft = portico::domain::ContactDraft::parse("Ada Lovelace", "ada@acme.example", "").unwrap();
        app.with_connection(|conn| portico::contacts::create(conn, &draft, Some(acme), portico::audit::Actor::System).unwrap());
        app.add_contact("Bob Jones", Some("bob@other.example"), None);
        let view = create_view(&app, "Acme people", &[("account", "is", "Acme Corporation")], &[]).await;
        let warned = app.get_html(&format!("/accounts/{acme}?confirm=delete")).await;
        assert!(warned.contains("1 custom view names this account in a condition"), "{warned}");
        app.with_connection(|conn| portico::accounts::delete(conn, portico::audit::Actor::System, acme).unwrap());
        let page = app.get_html(&format!("/contacts?view=custom-{view}")).await;
        assert!(page.contains("<p class=\"view-conditions\">Account is an account that was deleted</p>"), "{page}");
        assert!(names_in(&page).is_empty(), "the view does not widen to every contact");
        let edit = app.get_html(&format!("/contacts/views/{view}/edit")).await;
        assert_eq!(edit.matches("<option value=\"account\" data-kind=\"reference\" data-list=\"condition-accounts\" selected>").count(), 1, "the row stays, for the agent to change");
    }

    async fn an_admin_may_change_a_shared_view_but_never_sees_a_private_one(app) {
        app.sign_in_agent(false).await;
        let shared = create_view(&app, "Team view", &[], &[("visibility", "shared")]).await;
        let private = create_view(&app, "Mine", &[], &[]).await;
        let admin = agent_client(&app, "boss@portico.test", true).await;
        let list = html_of(&admin, &app, &format!("/contacts?view=custom-{shared}")).await;
        assert!(list.contains(&format!("href=\"/contacts/views/{shared}/edit\">Edit view</a>")), "an admin is offered editing a shared view");
        assert_eq!(status_of(&admin, &app, &format!("/contacts/views/{shared}/edit")).await, 200);
        assert_eq!(status_of(&admin, &app, &format!("/contacts/views/{private}/edit")).await, 404);
        let token = csrf_token_in(&list);
        let mut fields = vec![("csrf_token".to_owned(), token.clone())];
        fields.extend(view_fields("Team view, tidied", &[("name", "contains", "a")], &[("visibility", "shared")]));
        let saved = admin.post(app.url(&format!("/contacts/views/{shared}"))).form(&fields).send().await.unwrap();
        assert_eq!(saved.status().as_u16(), 303);
        assert!(app.get_html("/contacts").await.contains(">Team view, tidied <span"), "the owner sees the admin's change");
        let deleted = admin.post(app.url(&format!("/contacts/views/{shared}/delete"))).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(deleted.status().as_u16(), 303);
        assert!(!app.get_html("/contacts").await.contains("Team view"));
    }

    async fn deleting_a_view_asks_first_then_removes_it_for_everyone(app) {
        app.sign_in_agent(false).await;
        let id = create_view(&app, "Short Lived", &[], &[("visibility", "shared")]).await;
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
