//! Operating Portico: settings read the way operators write them, every setting documented,
//! HSTS behind https, and backups of a SQLite database taken while the server runs.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::contacts::list;
use crate::for_both_backends;
use crate::helpers::{
    csrf_token_in, new_client, spawn_app, spawn_app_with, Backend, AGENT_PASSWORD,
};

const PORTICO: &str = env!("CARGO_BIN_EXE_portico");

/// `portico serve` on a new SQLite file with PORTICO_DEMO set to `demo`; the lines it printed
/// before it said whether demo data is loaded, or its error.
fn serve_with_demo(demo: &str) -> String {
    let folder = tempfile::tempdir().unwrap();
    let mut child = Command::new(PORTICO)
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", folder.path().join("portico.db"))
        .env("PORTICO_DATA_DIR", folder.path())
        .env("PORTICO_OUTBOX_DIR", folder.path().join("outbox"))
        .env("PORTICO_BIND", "127.0.0.1:0")
        .env("PORTICO_DEMO", demo)
        .env("PORTICO_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start portico");
    let mut printed = String::new();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines().map_while(Result::ok) {
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("Portico is running") {
            // The demo line, when there is one, follows at once; stopping the server ends the
            // output after it.
            std::thread::sleep(Duration::from_millis(300));
            let _ = child.kill();
        }
    }
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    printed.push_str(&String::from_utf8_lossy(&output.stderr));
    printed
}

#[test]
fn portico_demo_takes_one_and_yes_and_names_what_it_accepts() {
    for on in ["1", "yes", "on", "true"] {
        let printed = serve_with_demo(on);
        assert!(
            printed.contains("Demo data is loaded"),
            "PORTICO_DEMO={on}: {printed}"
        );
    }
    let printed = serve_with_demo("0");
    assert!(
        printed.contains("Portico is running") && !printed.contains("Demo data"),
        "{printed}"
    );
    let printed = serve_with_demo("maybe");
    assert!(
        printed.contains("invalid value 'maybe'")
            && printed.contains("use 1 or 0, true or false, yes or no, on or off"),
        "{printed}"
    );
}

#[test]
fn every_setting_is_in_the_help_and_in_the_readme() {
    let help = Command::new(PORTICO).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let config =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/config.rs")).unwrap();
    let variables: Vec<&str> = config
        .split("env = \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(variables.len() >= 18, "{variables:?}");
    for variable in variables {
        assert!(
            help.contains(&format!("[env: {variable}")),
            "{variable} is in portico --help"
        );
        assert!(
            readme.contains(&format!("`{variable}`")),
            "{variable} is in README's table"
        );
    }
}

async fn sign_in_at(base: &str) -> reqwest::Client {
    let client = new_client();
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&page);
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "agent@portico.test"),
            ("password", AGENT_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "signed in at {base}");
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_the_same_contacts() {
    let app = spawn_app(Backend::Sqlite).await;
    app.sign_in_agent(false).await;
    app.add_numbered_contacts(120);
    app.add_contact("Émilie Côté", Some("emilie@example.com"), None);
    let before = list(&app, "?q=cote").await;
    assert!(before.contains("Émilie Côté"));

    let backup = app.data_dir.path().join("backup.db");
    let settings = app.command_line_settings();
    let to = backup.clone();
    // The server keeps answering while the copy is made.
    let copying = tokio::task::spawn_blocking(move || {
        portico::cli::run(portico::config::Command::Backup { to }, &settings)
            .map_err(|error| error.to_string())
    });
    let during = app.get("/contacts").await;
    assert_eq!(during.status().as_u16(), 200);
    copying.await.unwrap().expect("portico backup");
    assert!(backup.exists());

    let settings = app.command_line_settings();
    let to = backup.clone();
    let again = tokio::task::spawn_blocking(move || {
        portico::cli::run(portico::config::Command::Backup { to }, &settings)
            .map_err(|error| error.to_string())
    })
    .await
    .unwrap();
    assert!(
        again
            .unwrap_err()
            .contains("already exists: choose a new file"),
        "a backup never overwrites a file"
    );

    let restored = app
        .another_instance_with(|settings| settings.database_url = backup.display().to_string())
        .await;
    let client = sign_in_at(&restored).await;
    let page = client
        .get(format!("{restored}/contacts?q=cote"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Émilie Côté"),
        "the restored copy finds her: {page}"
    );
    let all = client
        .get(format!("{restored}/contacts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        all.contains("of 121 contacts"),
        "every contact is in the copy"
    );
}

async fn https_sites_tell_browsers_to_stay_on_https(backend: Backend) {
    let plain = spawn_app(backend).await;
    let answered = plain.get("/healthz").await;
    assert!(
        answered
            .headers()
            .get("strict-transport-security")
            .is_none(),
        "not over http"
    );
    let secure = spawn_app_with(backend, |settings| {
        settings.base_url = Some(url::Url::parse("https://help.example.com").unwrap());
    })
    .await;
    let answered = secure.get("/portal/login").await;
    assert_eq!(
        answered.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

for_both_backends!(https_sites_tell_browsers_to_stay_on_https);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backups_point_to_pg_dump() {
    if !crate::helpers::postgres_available() {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let settings = app.command_line_settings();
    let started = Instant::now();
    let refused = tokio::task::spawn_blocking(move || {
        portico::cli::run(
            portico::config::Command::Backup {
                to: "/tmp/never-written.db".into(),
            },
            &settings,
        )
        .map_err(|error| error.to_string())
    })
    .await
    .unwrap();
    assert!(refused.unwrap_err().contains("back it up with pg_dump"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!std::path::Path::new("/tmp/never-written.db").exists());
}

/// A `portico serve` of its own, its log (standard output, JSON lines) gathered as it runs.
struct Served {
    child: std::process::Child,
    base: String,
    /// The metrics' address, when PORTICO_METRICS_BIND was given.
    metrics: Option<String>,
    log: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
    outbox: std::path::PathBuf,
    _folder: tempfile::TempDir,
}

impl Served {
    fn start() -> Served {
        Served::start_with(&[])
    }

    /// With settings of its own (an SMTP server, a metrics address).
    fn start_with(extra: &[(&str, String)]) -> Served {
        let folder = tempfile::tempdir().unwrap();
        let outbox = folder.path().join("outbox");
        let command = |args: &[&str]| {
            let mut command = Command::new(PORTICO);
            command
                .args(args)
                .env_clear()
                .env("DATABASE_URL", folder.path().join("portico.db"))
                .env("PORTICO_DATA_DIR", folder.path())
                .env("PORTICO_OUTBOX_DIR", &outbox)
                .env("PORTICO_BIND", "127.0.0.1:0")
                .env("PORTICO_DEMO", "no")
                .env("PORTICO_LOG_FORMAT", "json")
                .env("PORTICO_LOG", "debug")
                .envs(extra.iter().map(|(name, value)| (*name, value.as_str())));
            command
        };
        let mut create = command(&[
            "create-agent",
            "--email",
            "sam@portico.test",
            "--name",
            "Sam Agent",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
        {
            use std::io::Write;
            writeln!(create.stdin.take().unwrap(), "{AGENT_PASSWORD}").unwrap();
        }
        assert!(create.wait().unwrap().success(), "the agent is created");
        let mut child = command(&["serve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (found, base) = std::sync::mpsc::channel();
        let (found_metrics, metrics_port) = std::sync::mpsc::channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let kept = log.clone();
        let reader = std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("Portico is running at ") {
                    let _ = found.send(url.trim_end_matches('/').to_owned());
                }
                if let Some(rest) = line.strip_prefix("Metrics are served on port ") {
                    let _ =
                        found_metrics.send(rest.split(' ').next().unwrap_or_default().to_owned());
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let base = base
            .recv_timeout(Duration::from_secs(30))
            .expect("portico serve starts");
        let metrics = metrics_port
            .recv_timeout(Duration::from_millis(500))
            .ok()
            .map(|port| format!("http://127.0.0.1:{port}/metrics"));
        Served {
            child,
            base,
            metrics,
            log,
            reader: Some(reader),
            outbox,
            _folder: folder,
        }
    }

    /// Stops the server and returns everything it logged.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let log = self.log.lock().unwrap().clone();
        log
    }
}

/// Posts a form with the CSRF token of the page at `token_from`; the cookies it set, by value.
async fn post_form_at(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    token_from: &str,
    fields: &[(&str, &str)],
) -> (reqwest::Response, Vec<String>) {
    let page = client
        .get(format!("{base}{token_from}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token_in(&page);
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let response = client
        .post(format!("{base}{path}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| {
            value
                .to_str()
                .ok()?
                .split(';')
                .next()?
                .split_once('=')
                .map(|(_, value)| value.to_owned())
        })
        .filter(|value| value.len() > 8)
        .collect();
    (response, cookies)
}

/// Signs Sam in as `agent`, adds Grace Hopper and invites her; the session cookies it set.
async fn sign_in_and_invite_grace(agent: &reqwest::Client, base: &str) -> Vec<String> {
    let (signed_in, cookies) = post_form_at(
        agent,
        base,
        "/login",
        "/login",
        &[("email", "sam@portico.test"), ("password", AGENT_PASSWORD)],
    )
    .await;
    assert_eq!(signed_in.status().as_u16(), 303, "Sam signs in");
    let grace = [
        ("name", "Grace Hopper"),
        ("email", "grace@navy.example"),
        ("phone", ""),
        ("account", ""),
    ];
    let (created, _) = post_form_at(agent, base, "/contacts", "/contacts/new", &grace).await;
    assert_eq!(created.status().as_u16(), 303, "Grace is added");
    let contact = created.headers()["location"].to_str().unwrap().to_owned();
    let invite = format!("{contact}/invite");
    let (invited, _) = post_form_at(agent, base, &invite, &invite, &[]).await;
    assert_eq!(invited.status().as_u16(), 303, "Grace is invited");
    cookies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_has_a_reference_and_logs_never_hold_a_secret() {
    let served = Served::start();
    let base = served.base.clone();
    let agent = new_client();
    let mut secrets = sign_in_and_invite_grace(&agent, &base).await;
    let email = std::fs::read_dir(&served.outbox)
        .unwrap()
        .flatten()
        .next()
        .expect("the invitation in the outbox")
        .path();
    let link = crate::helpers::invitation_link(&std::fs::read_to_string(email).unwrap());
    let path = crate::helpers::path_of(&link);
    let token = path.rsplit('/').next().unwrap().to_owned();
    let customer = new_client();
    let customer_password = "grace's own long passphrase";
    let (accepted, cookies) = post_form_at(
        &customer,
        &base,
        &path,
        &path,
        &[
            ("name", "Grace Hopper"),
            ("password", customer_password),
            ("password_confirmation", customer_password),
        ],
    )
    .await;
    assert_eq!(accepted.status().as_u16(), 303, "the customer activates");
    secrets.extend(cookies);
    assert_eq!(
        customer
            .get(format!("{base}/portal"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    let missing = agent
        .get(format!("{base}/contacts/987654"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let reference = missing.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let page = missing.text().await.unwrap();
    assert!(
        page.contains(&format!("Reference: <code>{reference}</code>")),
        "{page}"
    );
    let spoofed = agent
        .get(format!("{base}/healthz"))
        .header("X-Request-Id", "chosen-by-the-client")
        .send()
        .await
        .unwrap();
    assert_ne!(
        spoofed.headers()["x-request-id"],
        "chosen-by-the-client",
        "only a trusted proxy names the ID"
    );

    let log = served.stop();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let logged = lines
        .iter()
        .find(|line| line["span"]["id"] == reference.as_str() && line["fields"]["status"] == 404);
    assert!(
        logged.is_some(),
        "the 404's log line carries the page's reference: {log}"
    );
    for secret in secrets.iter().map(String::as_str).chain([
        AGENT_PASSWORD,
        customer_password,
        token.as_str(),
    ]) {
        assert!(
            !log.contains(secret),
            "the log holds a secret ({} characters)",
            secret.len()
        );
    }
}

/// The value of the sample of `metric` whose labels include every one of `labels`.
fn sample(scraped: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    scraped
        .lines()
        .filter(|line| {
            line.starts_with(&format!("{metric}{{")) || line.starts_with(&format!("{metric} "))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_a_journey_did() {
    let smtp = crate::smtp_server::SmtpServer::start().await;
    let served = Served::start_with(&[
        ("PORTICO_SMTP_URL", smtp.url()),
        ("PORTICO_METRICS_BIND", "127.0.0.1:0".to_owned()),
    ]);
    let base = served.base.clone();
    let metrics = served.metrics.clone().expect("metrics are served");
    let agent = new_client();
    let wrong = [
        ("email", "sam@portico.test"),
        ("password", "a wrong password"),
    ];
    post_form_at(&agent, &base, "/login", "/login", &wrong).await;
    sign_in_and_invite_grace(&agent, &base).await;
    let mail = smtp.wait_for_messages(1, Duration::from_secs(10)).await;
    let link = crate::helpers::invitation_link(&mail[0].data);
    let token = crate::helpers::path_of(&link)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        new_client()
            .get(format!("{base}{}", crate::helpers::path_of(&link)))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    let scraped = new_client()
        .get(&metrics)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let requests = "portico_http_requests_total";
    assert_eq!(
        sample(
            &scraped,
            requests,
            &["route=\"/login\"", "method=\"POST\"", "status=\"303\""]
        ),
        Some(1.0),
        "{scraped}"
    );
    assert_eq!(
        sample(
            &scraped,
            requests,
            &["route=\"/login\"", "method=\"POST\"", "status=\"401\""]
        ),
        Some(1.0),
        "the wrong password"
    );
    assert_eq!(
        sample(
            &scraped,
            requests,
            &["route=\"/portal/invitations/{token}\"", "method=\"GET\""]
        ),
        Some(1.0),
        "the link's route is its pattern"
    );
    assert!(!scraped.contains(&token), "no token in a label");
    assert!(sample(
        &scraped,
        "portico_http_request_duration_seconds_count",
        &["route=\"/contacts\"", "method=\"POST\""]
    )
    .is_some());
    assert_eq!(
        sample(
            &scraped,
            "portico_invitations_total",
            &["outcome=\"invited\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(&scraped, "portico_smtp_sends_total", &["outcome=\"sent\""]),
        Some(1.0)
    );
    assert_eq!(
        sample(&scraped, "portico_smtp_send_duration_seconds_count", &[]),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &scraped,
            "portico_smtp_send_duration_seconds_bucket",
            &["le=\"+Inf\""]
        ),
        Some(1.0)
    );
    assert!(sample(&scraped, "portico_db_pool_max_connections", &[]).is_some_and(|max| max >= 1.0));
    assert!(sample(&scraped, "portico_smtp_pool_max_connections", &[]).is_some());
    assert_eq!(
        sample(&scraped, "portico_bulk_jobs_running", &[]),
        Some(0.0)
    );
    let pages = new_client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        pages.status().as_u16(),
        404,
        "metrics are not on the public address"
    );
    served.stop();
}
