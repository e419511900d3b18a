//! `spawn_app()`: the real application on port 0 with a fresh database (a temporary SQLite
//! file, or a fresh PostgreSQL database cloned from a migrated template), and a real SMTP
//! server on loopback.

use std::path::PathBuf;
use std::time::Duration;

use diesel::RunQueryDsl;
use portico::agents::NewAgent;
use portico::auth::password::hash_password;
use portico::config::{LogFormat, Settings};
use portico::db::{self, now, DbPool};
use portico::startup::Application;
use secrecy::SecretString;
use tempfile::TempDir;

use crate::smtp_server::SmtpServer;

pub const AGENT_PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub pool: DbPool,
    #[allow(dead_code)] // read by the mail-sending features' tests
    pub smtp: SmtpServer,
    #[allow(dead_code)]
    pub data_dir: TempDir,
    _database: Option<PostgresTestDatabase>,
}

/// Runs a test body once per backend: `sqlite` always, `postgres` when
/// PORTICO_TEST_POSTGRES_URL is set (and it must be set in CI).
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await;
                    $body
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if !$crate::helpers::postgres_available() {
                        return;
                    }
                    let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await;
                    $body
                }
            }
        )*
    };
}

/// Runs each named `async fn(Backend)` once per backend, as `on_both_backends!` runs a body:
/// for tests that build their app themselves (settings of their own, a browser first).
#[macro_export]
macro_rules! for_both_backends {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$test($crate::helpers::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::helpers::postgres_available() {
                        super::$test($crate::helpers::Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

pub fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

pub fn postgres_available() -> bool {
    if std::env::var("PORTICO_TEST_POSTGRES_URL").is_ok() {
        return true;
    }
    assert!(
        !running_in_ci(),
        "PORTICO_TEST_POSTGRES_URL must be set in CI: the PostgreSQL tests are mandatory there"
    );
    eprintln!("skipped: set PORTICO_TEST_POSTGRES_URL to run the PostgreSQL variant");
    false
}

pub fn test_settings(
    data_dir: &std::path::Path,
    database_url: String,
    smtp_url: Option<String>,
) -> Settings {
    Settings {
        database_url,
        bind: "127.0.0.1:0".parse().expect("literal address"),
        base_url: None,
        smtp_url: smtp_url.map(SecretString::from),
        outbox_dir: data_dir.join("outbox"),
        mail_from: "Portico Help Center <help@portico.test>".to_owned(),
        secret_key: Some(SecretString::from("k".repeat(64))),
        data_dir: data_dir.to_path_buf(),
        demo: Some(false),
        invite_ttl_hours: 168,
        log_format: LogFormat::Text,
        db_pool_size: 4,
        smtp_pool_size: 2,
        trusted_proxies: Vec::new(),
        job_workers: 1,
        job_lease_seconds: 60,
        mass_invite_wait_seconds: 15,
        log: "info".to_owned(),
        metrics_bind: None,
    }
}

/// A browser whose requests reach Portico through a proxy that names it in `X-Forwarded-For`.
pub fn visitor_behind_proxy(address: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", address.parse().unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like `spawn_app`, with a chance to change the settings first.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temporary folder");
    let smtp = SmtpServer::start().await;
    let (database_url, database) = match backend {
        Backend::Sqlite => (
            data_dir.path().join("portico.db").display().to_string(),
            None,
        ),
        Backend::Postgres => {
            let database = PostgresTestDatabase::create().await;
            (database.url.clone(), Some(database))
        }
    };
    let mut settings = test_settings(data_dir.path(), database_url, Some(smtp.url()));
    adjust(&mut settings);
    let app = tokio::task::spawn_blocking(move || Application::build(&settings))
        .await
        .expect("build task")
        .expect("the application builds");
    let port = app.port();
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: new_client(),
        pool,
        smtp,
        data_dir,
        _database: database,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests assert them).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

/// The invitation link in a received email, read through its MIME structure.
pub fn invitation_link(raw: &str) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message");
    let text = message.body_text(0).expect("a text part").into_owned();
    let start = text.find("http://").expect("a link in the text part");
    text[start..]
        .split_whitespace()
        .next()
        .expect("link")
        .to_owned()
}

/// The path part of a link, to request it from the test app.
pub fn path_of(link: &str) -> String {
    let url = url::Url::parse(link).expect("a URL");
    url.path().to_owned()
}

/// The first link in a message's text part whose path starts with `path_prefix`.
pub fn link_in(raw: &str, path_prefix: &str) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message");
    let text = message.body_text(0).expect("a text part").into_owned();
    text.split_whitespace()
        .find(|word| word.starts_with("http://") && path_of(word).starts_with(path_prefix))
        .unwrap_or_else(|| panic!("a link to {path_prefix} in {text}"))
        .to_owned()
}

pub fn subject_of(raw: &str) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message");
    message.subject().unwrap_or_default().to_owned()
}

/// Posts a form as `client`, with the CSRF token of the page at `token_from`.
pub async fn post_as(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    token_from: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = client
        .get(app.url(token_from))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&html);
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    client.post(app.url(path)).form(&form).send().await.unwrap()
}

/// The status and page at `path` as `client` sees it.
pub async fn get_as(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// An error page without its line naming the request's reference, which differs each time.
pub fn without_reference(page: &str) -> String {
    page.lines()
        .filter(|line| !line.contains("Reference: <code>"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn csrf_token_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("the page has a CSRF token field") + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .expect("ASCII location")
        .to_owned()
}

impl TestApp {
    /// Runs `work` on a connection of the app's pool, as another program would.
    pub fn with_connection<T>(&self, work: impl FnOnce(&mut db::DbConnection) -> T) -> T {
        work(&mut self.pool.get().expect("a connection"))
    }

    /// The settings a command such as `portico seed` would run with against this app's database.
    pub fn command_line_settings(&self) -> Settings {
        let database_url = match &self._database {
            Some(database) => database.url.clone(),
            None => self
                .data_dir
                .path()
                .join("portico.db")
                .display()
                .to_string(),
        };
        test_settings(self.data_dir.path(), database_url, None)
    }

    /// Starts a second instance of Portico on this app's database, as a load balancer would
    /// have beside the first, mailing to the same SMTP server; returns its base URL.
    pub async fn another_instance(&self) -> String {
        self.another_instance_with(|_| {}).await
    }

    /// Like `another_instance`, with a chance to change its settings first.
    pub async fn another_instance_with(&self, adjust: impl FnOnce(&mut Settings)) -> String {
        let mut settings = self.command_line_settings();
        settings.smtp_url = Some(SecretString::from(self.smtp.url()));
        adjust(&mut settings);
        let app = tokio::task::spawn_blocking(move || Application::build(&settings))
            .await
            .expect("build task")
            .expect("the second instance builds");
        let port = app.port();
        tokio::spawn(app.run_until_stopped());
        format!("http://127.0.0.1:{port}")
    }

    /// The contacts table's indexes and triggers, by name.
    pub fn contact_schema_objects(&self) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Named {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
        }
        let mut conn = self.pool.get().expect("a connection");
        let named: Vec<Named> = match &mut *conn {
            db::DbConnection::Sqlite(sqlite) => diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'contacts' \
                 AND type IN ('index', 'trigger') ORDER BY name",
            )
            .load(sqlite),
            db::DbConnection::Postgresql(pg) => diesel::sql_query(
                "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'contacts' \
                 UNION ALL SELECT tgname FROM pg_trigger \
                 WHERE tgrelid = 'contacts'::regclass AND NOT tgisinternal ORDER BY name",
            )
            .load(pg),
        }
        .expect("the contacts table's indexes");
        named.into_iter().map(|row| row.name).collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// Posts a form with the CSRF token of the page `token_from`.
    pub async fn post_form(
        &self,
        path: &str,
        token_from: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = csrf_token_in(&self.get_html(token_from).await);
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        form.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .expect("POST")
    }

    pub async fn post_login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub fn create_agent(&self, email: &str, name: &str, admin: bool) -> i64 {
        let hash = hash_password(AGENT_PASSWORD).expect("hash");
        let timestamp = now();
        self.with_connection(|conn| {
            NewAgent {
                email,
                name,
                role: if admin { "admin" } else { "agent" },
                password_hash: &hash,
                created_at: timestamp,
                updated_at: timestamp,
            }
            .insert(conn)
            .expect("insert agent")
        })
    }

    /// Adds a contact through the same workflow the pages use.
    pub fn add_account(&self, name: &str) -> i64 {
        let now = portico::db::now();
        self.with_connection(|conn| {
            portico::accounts::NewAccount {
                name,
                created_at: now,
                updated_at: now,
            }
            .insert(conn)
            .expect("account added")
        })
    }

    pub fn add_contact(&self, name: &str, email: Option<&str>, phone: Option<&str>) -> i64 {
        let draft =
            portico::domain::ContactDraft::parse(name, email.unwrap_or(""), phone.unwrap_or(""))
                .expect("valid contact");
        self.with_connection(|conn| {
            portico::contacts::create(conn, &draft, None, portico::audit::Actor::System)
                .expect("contact added")
        })
    }

    /// Adds `count` contacts, a thousand a statement, named "Contact 0001"… with matching emails.
    pub fn add_numbered_contacts(&self, count: usize) {
        let contacts: Vec<(String, String)> = (0..count)
            .map(|number| {
                (
                    format!("Contact {number:04}"),
                    format!("contact{number:04}@example.com"),
                )
            })
            .collect();
        for chunk in contacts.chunks(1_000) {
            self.add_contacts(chunk);
        }
    }

    /// Adds contacts (name, email) in one statement, in the order given.
    pub fn add_contacts(&self, contacts: &[(String, String)]) {
        let rows: Vec<_> = contacts
            .iter()
            .map(|(name, email)| {
                let draft =
                    portico::domain::ContactDraft::parse(name, email, "").expect("valid contact");
                portico::contacts::new_contact(&draft, None, None)
            })
            .collect();
        self.with_connection(|conn| {
            portico::contacts::NewContact::insert_many(conn, &rows).expect("contacts added")
        });
    }

    /// Sets columns of a contact directly, to arrange a state the test needs.
    pub fn mark_contact(&self, id: i64, status: &str) {
        use diesel::prelude::*;
        use portico::db::schema::contacts;
        self.with_connection(|conn| {
            diesel::update(contacts::table.find(id))
                .set(contacts::help_center_status.eq(status))
                .execute(conn)
                .expect("contact updated")
        });
    }

    /// Creates an agent and signs this app's client in as them.
    pub async fn sign_in_agent(&self, admin: bool) -> i64 {
        let email = if admin {
            "admin@portico.test"
        } else {
            "agent@portico.test"
        };
        let id = self.create_agent(email, if admin { "Ada Admin" } else { "Sam Agent" }, admin);
        let response = self.post_login(email, AGENT_PASSWORD).await;
        assert_eq!(response.status().as_u16(), 303, "sign-in redirects");
        id
    }
}

/// A PostgreSQL database for one test, cloned from a template migrated once, dropped after.
struct PostgresTestDatabase {
    server_url: String,
    name: String,
    url: String,
}

impl PostgresTestDatabase {
    async fn create() -> PostgresTestDatabase {
        let server_url =
            std::env::var("PORTICO_TEST_POSTGRES_URL").expect("PORTICO_TEST_POSTGRES_URL");
        tokio::task::spawn_blocking(move || {
            let template = ensure_template(&server_url);
            let name = format!("portico_test_{}", random_suffix());
            let mut conn = db::establish_postgres(&server_url).expect("connect to PostgreSQL");
            let mut attempts = 0;
            // Two clones of one template at the same instant can collide; a retry settles it.
            while let Err(error) =
                diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut conn)
            {
                attempts += 1;
                assert!(attempts < 20, "could not create {name}: {error}");
                std::thread::sleep(Duration::from_millis(100));
            }
            let url = database_url(&server_url, &name);
            PostgresTestDatabase {
                server_url,
                name,
                url,
            }
        })
        .await
        .expect("create database task")
    }
}

impl Drop for PostgresTestDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = db::establish_postgres(&self.server_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

fn database_url(server_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(server_url).expect("PORTICO_TEST_POSTGRES_URL is a URL");
    url.set_path(name);
    url.to_string()
}

fn random_suffix() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| rng.sample(rand::distributions::Alphanumeric) as char)
        .collect::<String>()
        .to_lowercase()
}

/// The template's name carries a hash of the migrations, so a changed schema gets a new one.
fn ensure_template(server_url: &str) -> String {
    static TEMPLATE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let mut cached = TEMPLATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(name) = cached.as_ref() {
        return name.clone();
    }
    let name = format!("portico_tpl_{}", migrations_fingerprint());
    let mut conn = db::establish_postgres(server_url).expect("connect to PostgreSQL");
    diesel::sql_query("SELECT pg_advisory_lock(7270)")
        .execute(&mut conn)
        .expect("lock");
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let existing: Found =
        diesel::sql_query("SELECT count(*) AS count FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result(&mut conn)
            .expect("look up template");
    if existing.count == 0 {
        let building = format!("{name}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .execute(&mut conn)
            .expect("drop");
        diesel::sql_query(format!("CREATE DATABASE {building}"))
            .execute(&mut conn)
            .expect("create template");
        {
            let pool = db::connect(&database_url(server_url, &building), 1).expect("template pool");
            let mut template_conn = pool.get().expect("template connection");
            db::run_migrations(&mut template_conn).expect("migrate template");
        }
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
            .execute(&mut conn)
            .expect("rename template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(7270)")
        .execute(&mut conn)
        .expect("unlock");
    *cached = Some(name.clone());
    name
}

fn migrations_fingerprint() -> String {
    use std::hash::{Hash, Hasher};
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<PathBuf> = walk(&root);
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in files {
        file.strip_prefix(&root).ok().hash(&mut hasher);
        std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn walk(folder: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
