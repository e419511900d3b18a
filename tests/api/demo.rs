//! The demo a newcomer's first `cargo run --release` starts (README): an admin to sign in as,
//! contacts in accounts, and a Help Center with its knowledge base.

use crate::helpers::{spawn_app_with, Backend, TestApp};

async fn demo_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |settings| settings.demo = Some(true)).await
}

async fn the_demo_has_an_admin_contacts_and_a_knowledge_base(backend: Backend) {
    let app = demo_app(backend).await;
    let login = app.get_html("/login").await;
    assert!(
        login.contains(
            "<strong>admin@portico.test</strong> with the password <strong>portico-demo</strong>"
        ),
        "the sign-in page says how"
    );
    assert_eq!(
        app.post_login("admin@portico.test", "portico-demo")
            .await
            .status()
            .as_u16(),
        303
    );

    let contacts = app.get_html("/contacts").await;
    let marker = ">All contacts <span class=\"count\">";
    let start = contacts.find(marker).expect("the All contacts view") + marker.len();
    let all: u32 = contacts[start..]
        .split('<')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (150..=200).contains(&all),
        "about 200 contacts, some spam or deleted: {all}"
    );
    let accounts = app.get_html("/accounts").await;
    assert!(
        accounts.contains("href=\"/accounts/"),
        "contacts come in accounts"
    );

    let articles = crate::helpers::new_client()
        .get(app.url("/portal/knowledge-base"))
        .send()
        .await
        .unwrap();
    assert_eq!(articles.status().as_u16(), 200);
    let articles = articles.text().await.unwrap();
    assert!(
        articles.contains("Activating your Help Center account"),
        "{articles}"
    );
    assert_eq!(
        articles.matches("href=\"/portal/knowledge-base/").count(),
        14,
        "14 of the 15 articles are published"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_an_admin_contacts_and_a_knowledge_base_on_sqlite() {
    the_demo_has_an_admin_contacts_and_a_knowledge_base(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_an_admin_contacts_and_a_knowledge_base_on_postgres() {
    if crate::helpers::postgres_available() {
        the_demo_has_an_admin_contacts_and_a_knowledge_base(Backend::Postgres).await;
    }
}
