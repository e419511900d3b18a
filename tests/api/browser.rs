//! Headless Chromium over WebDriver (Debian's chromium and chromium-driver).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::helpers::running_in_ci;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends chromedriver and the Chromium it started: they share a process group of their
    /// own, so a test that failed before closing its session leaves no browser running.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A fresh browser, or None outside CI when chromedriver is not installed.
pub async fn launch() -> Option<Browser> {
    launch_with(true).await
}

/// A fresh browser that runs no script, as some agents' browsers are set up.
pub async fn launch_without_javascript() -> Option<Browser> {
    launch_with(false).await
}

/// A fresh browser that runs script or not, for journeys tried both ways.
pub async fn launch_with(javascript: bool) -> Option<Browser> {
    launch_in(javascript, None).await
}

/// A fresh browser whose clock says it is in `time_zone` (an IANA name), as a browser in
/// Tokyo would.
pub async fn launch_in_time_zone(javascript: bool, time_zone: &str) -> Option<Browser> {
    launch_in(javascript, Some(time_zone)).await
}

async fn launch_in(javascript: bool, time_zone: Option<&str>) -> Option<Browser> {
    let driver_path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.to_owned());
    if !std::path::Path::new(&driver_path).exists() {
        assert!(
            !running_in_ci(),
            "chromedriver is required in CI (apt-get install chromium-driver)"
        );
        eprintln!("skipped: no chromedriver at {driver_path}");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut driver = Command::new(&driver_path);
    if let Some(zone) = time_zone {
        driver.env("TZ", zone);
    }
    let driver = driver
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().expect("profile folder");
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--window-size=1280,900".to_owned(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    if !javascript {
        args.push("--blink-settings=scriptEnabled=false".to_owned());
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_owned()),
            "args": args,
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");
    Some(Browser {
        client,
        driver,
        _profile: profile,
    })
}

/// Waits up to ten seconds for what `xpath` names.
pub async fn wait_for(page: &Client, xpath: &str) -> fantoccini::elements::Element {
    page.wait()
        .at_most(Duration::from_secs(10))
        .for_element(fantoccini::Locator::XPath(xpath))
        .await
        .unwrap_or_else(|error| panic!("nothing matches {xpath}: {error}"))
}

/// Clicks the button labelled `label`, once it is there.
pub async fn click_button(page: &Client, label: &str) {
    wait_for(page, &format!("//button[normalize-space()=\"{label}\"]"))
        .await
        .click()
        .await
        .unwrap();
}

/// Waits for `text` anywhere on the page.
pub async fn wait_for_text(page: &Client, text: &str) {
    wait_for(page, &format!("//*[contains(., \"{text}\")]")).await;
}

/// Replaces what the field at `css` holds with `text`, typed as a person would.
pub async fn type_into(page: &Client, css: &str, text: &str) {
    let field = page.find(fantoccini::Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks the checkbox inside the label that reads `label`, once it is there.
pub async fn tick_labelled(page: &Client, label: &str) {
    wait_for(
        page,
        &format!("//label[contains(normalize-space(), \"{label}\")]/input"),
    )
    .await
    .click()
    .await
    .unwrap();
}

/// Ticks the checkbox of each contact in the list shown.
pub async fn tick_contacts(page: &Client, ids: &[i64]) {
    for id in ids {
        page.find(fantoccini::Locator::Css(&format!(
            "input[name=ids][value='{id}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    }
}

/// Signs a customer in on the Help Center's sign-in page and waits for My tickets.
pub async fn sign_in_customer(page: &Client, base: &str, email: &str, password: &str) {
    try_customer_sign_in(page, base, email, password).await;
    wait_for(page, "//h1[normalize-space()='My tickets']").await;
}

/// Fills in and sends the Help Center's sign-in form, whatever it answers.
pub async fn try_customer_sign_in(page: &Client, base: &str, email: &str, password: &str) {
    page.goto(&format!("{base}/portal/login")).await.unwrap();
    for (field, value) in [("email", email), ("password", password)] {
        page.find(fantoccini::Locator::Css(&format!("input[name={field}]")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click_button(page, "Sign in").await;
}

/// Asserts that the invitation email in the preview frame `frame` shows its button styled as
/// the email styles it (its inline styles apply there), then comes back to the page.
pub async fn assert_the_framed_email_is_styled(page: &Client, frame: &str) {
    wait_for(page, frame).await.enter_frame().await.unwrap();
    let button = wait_for(page, "//a[normalize-space()='Activate your account']").await;
    assert_eq!(
        button.css_value("background-color").await.unwrap(),
        "rgba(29, 78, 216, 1)",
        "the button is styled as in the email"
    );
    page.enter_parent_frame().await.unwrap();
}

/// The mass invite's summary ("Invited 3 · Skipped 0 · Failed 0"), once its page shows it.
pub async fn mass_invite_summary(page: &Client, wait: Duration) -> String {
    page.wait()
        .at_most(wait)
        .for_element(fantoccini::Locator::Css(".batch-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
