use portico::audit::Actor;
use portico::domain::ContactDraft;

use crate::contacts::{list, names_in};
use crate::contacts_search::{listed_names, walk};
use crate::helpers::TestApp;
use crate::on_both_backends;

fn add_contact_in(app: &TestApp, name: &str, email: &str, account_id: Option<i64>) -> i64 {
    let draft = ContactDraft::parse(name, email, "").expect("valid contact");
    app.with_connection(|conn| {
        portico::contacts::create(conn, &draft, account_id, Actor::System).expect("contact added")
    })
}

async fn found(app: &TestApp, term: &str) -> Vec<String> {
    let query: String = url::form_urlencoded::byte_serialize(term.as_bytes()).collect();
    names_in(&list(app, &format!("?q={query}")).await)
}

on_both_backends! {
    async fn a_search_ignores_accents_and_finds_contacts_by_their_accounts_name(app) {
        app.sign_in_agent(false).await;
        let labs = app.add_account("Ångström Labs");
        add_contact_in(&app, "Anders Ångström", "anders@fysik.example", None);
        add_contact_in(&app, "Émilie Côté", "emilie@quebec.example", None);
        add_contact_in(&app, "Emilie Brown", "brown@example.com", None);
        let plain = add_contact_in(&app, "Plain Person", "plain@example.com", Some(labs));
        add_contact_in(&app, "Bob Smith", "bob@example.com", None);

        assert_eq!(found(&app, "ANGSTROM").await, ["Anders Ångström", "Plain Person"], "by name without its accents, and by account");
        assert_eq!(found(&app, "ångström").await, ["Anders Ångström", "Plain Person"], "and as it is spelled");
        assert_eq!(found(&app, "COTE").await, ["Émilie Côté"]);
        assert_eq!(found(&app, "émilie").await, ["Emilie Brown", "Émilie Côté"], "an accent typed finds the name without it too");
        assert_eq!(found(&app, "labs").await, ["Plain Person"], "a word of the account's name");
        assert_eq!(found(&app, "gs").await, ["Anders Ångström", "Plain Person"], "two letters, without the trigram index");

        let renamed = app.with_connection(|conn| portico::accounts::save(conn, Actor::System, Some(labs), "Zephyr Works").expect("renamed"));
        assert!(matches!(renamed, Some(portico::accounts::Saved::Done(_))));
        assert_eq!(found(&app, "labs").await, Vec::<String>::new(), "the old name no longer finds the account's contacts");
        assert_eq!(found(&app, "zephyr").await, ["Plain Person"], "the new one does");

        let draft = ContactDraft::parse("Plain Person", "plain@example.com", "").expect("valid contact");
        app.with_connection(|conn| portico::contacts::update(conn, plain, &draft, None, Actor::System).expect("moved out"));
        assert_eq!(found(&app, "zephyr").await, Vec::<String>::new(), "a contact moved out of the account");
        app.with_connection(|conn| portico::contacts::update(conn, plain, &draft, Some(labs), Actor::System).expect("moved back"));
        assert_eq!(found(&app, "zephyr").await, ["Plain Person"]);

        app.with_connection(|conn| portico::accounts::delete(conn, Actor::System, labs).expect("deleted"));
        assert_eq!(found(&app, "zephyr").await, Vec::<String>::new(), "a deleted account's name finds nothing");
        assert_eq!(found(&app, "plain").await, ["Plain Person"], "its contacts stay, found by their own names");
        app.add_account("Zephyr Again");
        let rejoined = add_contact_in(&app, "Late Comer", "late@example.com", None);
        assert!(rejoined > plain);
        assert_eq!(found(&app, "zephyr").await, Vec::<String>::new(), "an account of the same words has no contacts yet");
    }

    async fn a_broad_search_by_account_name_pages_and_exports_in_the_lists_order(app) {
        app.sign_in_agent(false).await;
        let account = app.add_account("Dense Industries");
        let workers: Vec<_> = (0..1_100)
            .map(|n| {
                let draft = ContactDraft::parse(&format!("Worker {:04}", (n * 7_919) % 1_100), &format!("w{n}@dense.example"), "").expect("valid contact");
                portico::contacts::new_contact(&draft, Some(account), None)
            })
            .collect();
        app.with_connection(|conn| portico::contacts::NewContact::insert_many(conn, &workers).expect("contacts added"));
        let guests: Vec<(String, String)> = (0..3_000)
            .map(|n| (format!("Guest {n:04}"), format!("guest{n}@elsewhere.test")))
            .collect();
        app.add_contacts(&guests);
        for sort in ["", "&sort=email", "&sort=created&dir=desc", "&sort=name&dir=desc"] {
            let expected = listed_names(&app, &format!("?per_page=100{sort}"), |name| name.starts_with("Worker")).await;
            assert_eq!(expected.len(), 1_100);
            assert_eq!(walk(&app, &format!("?q=industries&per_page=100{sort}"), "next").await, expected, "every contact of the account once, in the list's order ({sort})");
        }
        assert!(list(&app, "?q=INDUSTRIES").await.contains("1,000+ contacts"), "counted as a broad search");
    }
}

on_both_backends! {
    async fn names_written_before_search_folded_accents_are_folded_at_upgrade(app) {
        use diesel::connection::SimpleConnection;
        use diesel::RunQueryDsl;
        app.sign_in_agent(false).await;
        app.with_connection(|conn| {
            let backend = match portico::db::backend_of(conn) {
                portico::db::Backend::Sqlite => "sqlite",
                portico::db::Backend::Postgres => "postgres",
            };
            for migration in [
                "2026-12-07-000087_names_sort_without_case_or_accents",
                "2026-12-07-000086_search_without_accents_and_by_account",
            ] {
                let undo = std::fs::read_to_string(format!("migrations/{backend}/{migration}/down.sql"))
                    .expect("the migration's down.sql");
                conn.batch_execute(&undo).expect("back to the schema before folding");
            }
            diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version IN ('20261207000086', '20261207000087')")
                .execute(conn)
                .expect("the migrations forgotten");
            // Rows as the version before wrote them.
            conn.batch_execute(
                "INSERT INTO accounts (name, created_at, updated_at) \
                 VALUES ('Société Générale', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
                 INSERT INTO contacts (name, email, account_id, created_at, updated_at) \
                 VALUES ('Anders Ångström', 'anders@fysik.example', NULL, '2026-01-01 00:00:00', '2026-01-01 00:00:00');
                 INSERT INTO contacts (name, email, account_id, created_at, updated_at) \
                 SELECT 'Bob Plain', 'bob@bank.example', id, '2026-01-01 00:00:00', '2026-01-01 00:00:00' \
                 FROM accounts WHERE name = 'Société Générale';",
            )
            .expect("rows written");
            portico::db::run_migrations(conn).expect("upgraded");
        });
        assert_eq!(found(&app, "angstrom").await, ["Anders Ångström"]);
        assert_eq!(found(&app, "SOCIETE").await, ["Bob Plain"], "by the account's name, without its accents");
        assert_eq!(found(&app, "ångström").await, ["Anders Ångström"]);
    }
}

on_both_backends! {
    async fn names_sort_without_case_or_accents_page_by_page(app) {
        app.sign_in_agent(false).await;
        let stems = ["Zed Young", "Émilie Côté", "de Vries", "Eve Adams", "Ömer Aksoy", "Oscar Wilde", "alice Liddell", "Bob", "Łukasz Nowak", "Ærin Ash"];
        let contacts: Vec<(String, String)> = (0..30)
            .map(|n| (format!("{} {n:02}", stems[n % stems.len()]), format!("person{n}@example.com")))
            .collect();
        app.add_contacts(&contacts);
        let mut expected: Vec<String> = contacts.iter().map(|(name, _)| name.clone()).collect();
        expected.sort_by_key(|name| portico::domain::folded(name));
        assert_eq!(walk(&app, "?per_page=25", "next").await, expected, "É with the E's, lowercase with the rest, page by page");
        assert_eq!(walk(&app, "?per_page=25&before=end", "prev").await, expected, "and back");
        let mut descending = expected.clone();
        descending.reverse();
        assert_eq!(walk(&app, "?per_page=25&dir=desc", "next").await, descending, "and from Z to A");
        assert_eq!(&expected[..3], ["alice Liddell 06", "alice Liddell 16", "alice Liddell 26"]);

        for name in ["Zeta", "Émile AB", "acme", "Beta", "Ærø Shipping"] {
            app.add_account(name);
        }
        assert_eq!(
            crate::accounts::account_names_in(&app.get_html("/accounts").await),
            ["acme", "Beta", "Émile AB", "Zeta", "Ærø Shipping"],
            "accounts sort the same way (Æ is a letter of its own, after Z as in Danish)"
        );
    }
}
