//! The Contacts list keeps what it showed while nothing changed; every change must still show
//! on the very next page, wherever it came from (on PostgreSQL, a change made outside the app
//! once its change feed has reported the commit).

use std::time::Duration;

use diesel::prelude::*;
use portico::db::schema::contacts;

use crate::contacts::{list, names_in, sidebar_count};
use crate::custom_views::{create_view, second_agent};
use crate::helpers::{csrf_token_in, TestApp};
use crate::on_both_backends;

/// Shows the list twice, so that the next look at it would be the kept page if nothing
/// noticed the change in between.
async fn list_twice(app: &TestApp, query: &str) -> String {
    let first = list(app, query).await;
    let second = list(app, query).await;
    assert_eq!(names_in(&first), names_in(&second));
    second
}

async fn edit_contact(app: &TestApp, id: i64, name: &str, email: &str) {
    let form_path = format!("/contacts/{id}/edit");
    let response = app
        .post_form(
            &format!("/contacts/{id}"),
            &form_path,
            &[
                ("name", name),
                ("email", email),
                ("phone", ""),
                ("account", ""),
            ],
        )
        .await;
    assert_eq!(response.status().as_u16(), 303, "the contact is saved");
}

on_both_backends! {
    async fn a_change_made_on_the_pages_shows_on_the_next_list_page(app) {
        app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        app.add_contact("Bob Jones", Some("bob@example.com"), None);
        let html = list_twice(&app, "").await;
        assert_eq!(names_in(&html), ["Ada Lovelace", "Bob Jones"]);

        edit_contact(&app, ada, "Ada King", "ada@example.com").await;
        assert_eq!(names_in(&list(&app, "").await), ["Ada King", "Bob Jones"]);

        let token = csrf_token_in(&app.get_html("/contacts/new").await);
        let added = app
            .client
            .post(app.url("/contacts"))
            .form(&[("csrf_token", token.as_str()), ("name", "Cleo Park"), ("email", "cleo@example.com"), ("phone", ""), ("account", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(added.status().as_u16(), 303, "the contact is added");
        let html = list(&app, "").await;
        assert_eq!(names_in(&html), ["Ada King", "Bob Jones", "Cleo Park"]);
        assert_eq!(sidebar_count(&html, "All contacts"), "3");
        assert!(html.contains("<p class=\"total\">3 contacts</p>"));
    }

    async fn a_change_made_by_another_program_shows_on_the_next_list_page(app) {
        app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let on_postgres = app.wait_until_following_changes();
        list_twice(&app, "").await;
        list_twice(&app, "?q=lovelace").await;

        // Another program on the same database: its own connection, not the app's pool.
        let other_program = portico::db::connect(&app.command_line_settings().database_url, 1)
            .expect("a second pool on the database");
        let before = app.generation.current();
        diesel::update(contacts::table.find(ada))
            .set(contacts::name.eq("Ada Byron"))
            .execute(&mut other_program.get().unwrap())
            .expect("renamed from outside the app");
        // On PostgreSQL, once the change feed has reported the commit; on SQLite at once.
        if on_postgres {
            app.wait_until_noticed(before);
        }

        assert_eq!(names_in(&list(&app, "").await), ["Ada Byron"]);
        assert!(names_in(&list(&app, "?q=lovelace").await).is_empty(), "the old name no longer matches");
        assert_eq!(names_in(&list(&app, "?q=byron").await), ["Ada Byron"]);
    }

    async fn an_invitation_expiring_shows_on_a_list_page_nothing_else_changed(app) {
        app.sign_in_agent(false).await;
        let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let expires_at = portico::db::now() + chrono::Duration::milliseconds(2_500);
        diesel::update(contacts::table.find(ada))
            .set((contacts::help_center_status.eq("invited"), contacts::invitation_expires_at.eq(expires_at)))
            .execute(&mut app.pool.get().unwrap())
            .unwrap();
        let html = list_twice(&app, "").await;
        assert_eq!(sidebar_count(&html, "Invited (pending)"), "1");
        assert_eq!(sidebar_count(&html, "Invitation expired"), "0");
        assert!(html.contains("badge-invited"));

        let wait = expires_at - portico::db::now() + chrono::Duration::milliseconds(300);
        tokio::time::sleep(wait.to_std().unwrap_or(Duration::ZERO)).await;
        let html = list(&app, "").await;
        assert_eq!(sidebar_count(&html, "Invited (pending)"), "0");
        assert_eq!(sidebar_count(&html, "Invitation expired"), "1");
        assert!(html.contains("badge-expired"), "the row shows the expired invitation");
    }

    async fn another_agent_never_sees_a_list_page_kept_for_the_first(app) {
        app.sign_in_agent(false).await;
        app.add_contact("Ada Lovelace", Some("ada@example.com"), None);
        let private = create_view(&app, "Just Mine", &[("visibility", "private")]).await;
        let private_path = format!("/contacts?view=custom-{private}");
        // Signed in before the first agent's pages are kept: signing in writes.
        let other = second_agent(&app).await;
        let mine = list_twice(&app, "").await;
        assert!(mine.contains(">Just Mine <span class=\"count\">1</span>"));
        list_twice(&app, &format!("?view=custom-{private}")).await;

        let theirs = other.get(app.url("/contacts")).send().await.unwrap().text().await.unwrap();
        assert_eq!(names_in(&theirs), ["Ada Lovelace"]);
        assert!(!theirs.contains("Just Mine"), "another agent's private view stays private");
        let refused = other.get(app.url(&private_path)).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 404);
    }
}

/// A table without the trigger would leave pages kept after its rows changed.
/// Tables no page shows are left out on purpose, so that writing them drops no kept page:
/// failed sign-ins and emails requested are read only by the limits on the next attempt.
const READ_BY_NO_PAGE: &[&str] = &[
    "agent_password_resets",
    "email_requests",
    "sign_in_failures",
];

#[tokio::test]
async fn every_postgres_table_notifies_the_change_feed() {
    if !crate::helpers::postgres_available() {
        return;
    }
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await;
    #[derive(QueryableByName)]
    struct Named {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let mut conn = app.pool.get().unwrap();
    let portico::db::DbConnection::Postgresql(pg) = &mut *conn else {
        panic!("a PostgreSQL connection");
    };
    let silent: Vec<Named> = diesel::sql_query(
        "SELECT tablename::text AS name FROM pg_tables t \
         WHERE schemaname = current_schema() AND tablename NOT LIKE '\\_\\_diesel%' \
         AND NOT EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid \
             WHERE g.tgrelid = format('%I', t.tablename)::regclass \
             AND p.proname = 'portico_notify_change') \
         ORDER BY 1",
    )
    .load(pg)
    .unwrap();
    let tables: Vec<String> = silent
        .into_iter()
        .map(|table| table.name)
        .filter(|name| !READ_BY_NO_PAGE.contains(&name.as_str()))
        .collect();
    assert!(
        tables.is_empty(),
        "tables whose changes no instance would notice: {tables:?}"
    );
    let listed: i64 = diesel::sql_query(
        "SELECT count(*) AS count FROM pg_tables WHERE schemaname = current_schema()",
    )
    .get_result::<Counted>(pg)
    .unwrap()
    .count;
    assert!(listed > 15, "the query saw the schema's tables ({listed})");
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}
