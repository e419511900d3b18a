//! Every page, as each kind of visitor sees it (signed out, an admin, a Help Center customer),
//! passes axe-core in Chromium with no serious or critical violation, and its HTML passes the
//! Nu HTML Checker with no error. Every GET route the route modules declare must be visited
//! (a new page without a visit fails the test). The checkers come from the npm registry
//! (`tests/page_checks/package.json`, installed by `.ci/run`); the checker runs on the
//! machine's Java.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::browser;
use crate::helpers::{get_as, location, new_client, running_in_ci, spawn_app, Backend, TestApp};

const AXE: &str = "tests/page_checks/node_modules/axe-core/axe.min.js";
const VNU: &str = "tests/page_checks/node_modules/vnu-jar/build/dist/vnu.jar";

/// axe-core's source and the checker's jar, or None outside CI when they are not installed.
fn checkers() -> Option<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (axe, vnu) = (root.join(AXE), root.join(VNU));
    if !axe.exists() || !vnu.exists() {
        assert!(
            !running_in_ci(),
            "the page checkers are required in CI (npm ci --prefix tests/page_checks)"
        );
        eprintln!("skipped: run `npm ci --prefix tests/page_checks` to check every page");
        return None;
    }
    Some((std::fs::read_to_string(axe).expect("axe-core"), vnu))
}

/// The pages to check, after making something to show on each.
struct Site {
    admin: Vec<String>,
    signed_out: Vec<String>,
    customer: Vec<String>,
    customer_client: reqwest::Client,
}

async fn populate(app: &TestApp) -> Site {
    let admin_id = app.sign_in_agent(true).await;
    let account = app.add_account("Acme Corporation");
    app.add_numbered_contacts(30);
    let (grace, customer_client) =
        crate::settings::activated_customer(app, "Grace Hopper", "grace@navy.example").await;
    let ada = app.add_contact("Ada Lovelace", Some("ada@example.com"), Some("+1 555 0100"));
    let ticket = crate::portal::open_ticket(app, grace, "Printer on fire", "It smokes.");
    let article = crate::knowledge_base::add_article(
        app,
        "Resetting your password",
        "Account",
        "Open **Forgot password?** on the sign-in page.",
    )
    .await;
    app.post_form(
        &format!("/knowledge-base/{article}/publish"),
        "/knowledge-base",
        &[],
    )
    .await;
    let slug = crate::knowledge_base::slug_of(app, article);
    let view = crate::custom_views::create_view(app, "Acme people", &[], &[]).await;
    let mass_invite = location(&crate::invitations::mass_invite(app, &[ada], "checks").await);
    let job =
        crate::bulk_jobs::start_bulk_job(app, &[("action", "invite"), ("view", "not-invited")])
            .await;
    let import_preview = crate::contacts_import::upload_for_preview(
        app,
        "name,email\nNew Person,new.person@example.com\n,missing@example.com\n",
    )
    .await;
    let imported = app
        .post_form(&format!("{import_preview}/confirm"), &import_preview, &[])
        .await;
    let imported = location(&imported);
    // A second upload stays unconfirmed, for its preview page.
    let import_preview = crate::contacts_import::upload_for_preview(
        app,
        "name,email\nAnother Person,another@example.com\n",
    )
    .await;
    let twin = app.add_contact(
        "Ada Lovelace",
        Some("ada.l@example.com"),
        Some("+1 555 0100"),
    );
    crate::portal::set_self_registration(
        app,
        portico::help_center::settings::SelfRegistration::Open,
    );
    let admin = [
        "/contacts".to_owned(),
        "/contacts?view=deleted".to_owned(),
        format!("/contacts?view=custom-{view}"),
        format!("/contacts/views/{view}/edit"),
        "/contacts/views/new".to_owned(),
        format!("/contacts/{ada}"),
        format!("/contacts/{grace}"),
        "/contacts/new".to_owned(),
        format!("/contacts/{ada}/edit"),
        format!("/contacts/{ada}/tickets/new"),
        "/contacts/import".to_owned(),
        import_preview,
        imported,
        format!("/contacts/merge?ids={ada}&ids={twin}"),
        format!("/contacts/{twin}/invite"),
        "/bulk-jobs/new?action=invite&view=not-invited".to_owned(),
        "/contacts/duplicates".to_owned(),
        mass_invite,
        "/accounts".to_owned(),
        "/accounts/new".to_owned(),
        format!("/accounts/{account}"),
        format!("/accounts/{account}/edit"),
        "/tickets".to_owned(),
        format!("/tickets/{ticket}"),
        "/knowledge-base".to_owned(),
        "/knowledge-base/new".to_owned(),
        format!("/knowledge-base/{article}"),
        format!("/knowledge-base/{article}/edit"),
        "/bulk-jobs".to_owned(),
        job,
        "/settings".to_owned(),
        format!("/settings/agents/{admin_id}/edit"),
        "/settings/audit".to_owned(),
        "/settings/invitation-email".to_owned(),
        "/profile/password".to_owned(),
        // Error pages are pages too.
        "/contacts/999999".to_owned(),
    ];
    let signed_out = [
        "/login",
        "/password/forgot",
        "/portal/login",
        "/portal/password/forgot",
        "/portal/knowledge-base",
        "/portal/invitations/not-a-real-link",
        "/portal/password/reset/not-a-real-link",
        "/portal/register",
        "/portal/register/verify/not-a-real-link",
        "/portal/no-such-page",
    ];
    let customer = [
        "/portal".to_owned(),
        "/portal/tickets/new".to_owned(),
        format!("/portal/tickets/{ticket}"),
        "/portal/knowledge-base".to_owned(),
        format!("/portal/knowledge-base/{slug}"),
        "/portal/account".to_owned(),
    ];
    Site {
        admin: admin.to_vec(),
        signed_out: signed_out.iter().map(|path| path.to_string()).collect(),
        customer: customer.to_vec(),
        customer_client,
    }
}

/// axe-core's serious and critical violations on the page the browser shows.
async fn axe_violations(page: &fantoccini::Client, axe: &str) -> Vec<String> {
    page.execute(axe, vec![]).await.expect("axe-core loads");
    let found = page
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(function (result) {
               done(result.violations
                 .filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
                 .map(function (v) {
                   return v.id + ' (' + v.help + '): ' + v.nodes.slice(0, 3)
                     .map(function (n) { return n.target.join(' '); }).join(' | ');
                 }));
             });",
            vec![],
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(found).expect("a list of violations")
}

/// The Nu HTML Checker's errors for every file in `folder`, as "file: message".
fn html_errors(vnu: &Path, folder: &Path) -> Vec<String> {
    let output = Command::new("java")
        .arg("-jar")
        .arg(vnu)
        .args(["--errors-only", "--format", "json", "--exit-zero-always"])
        .arg(folder)
        .output()
        .expect("java runs the Nu HTML Checker");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stderr).expect("the checker's JSON report");
    report["messages"]
        .as_array()
        .map(|messages| {
            messages
                .iter()
                .map(|message| {
                    let file = message["url"]
                        .as_str()
                        .unwrap_or("")
                        .rsplit('/')
                        .next()
                        .unwrap_or("");
                    format!(
                        "{file}: {} [{}]",
                        message["message"].as_str().unwrap_or(""),
                        message["extract"].as_str().unwrap_or("").trim()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// GET routes that answer with something other than a page: data, files, health, redirects
/// and the email frames (emails, checked by their own tests).
const NOT_PAGES: [&str; 13] = [
    "/",
    "/healthz",
    "/readyz",
    "/static/{name}",
    "/accounts/names",
    "/contacts/export",
    "/contacts/imports/{import_id}/rejected.csv",
    "/bulk-jobs/{id}/progress",
    "/bulk-jobs/{id}/rows.csv",
    "/invitations/bulk",
    "/invitations/bulk/{id}",
    "/contacts/{id}/invite/email.html",
    "/settings/invitation-email/preview/{key}",
];

/// The GET routes the app declares, read from its route modules: each `route("path", …)` or
/// `resource("path")` whose declaration (up to the next one) answers `web::get()`.
fn page_routes() -> Vec<String> {
    let mut files = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes")];
    let mut routes = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .map(|entry| entry.unwrap().path()),
            );
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let starts: Vec<usize> = text
            .match_indices("route(")
            .chain(text.match_indices("resource("))
            .map(|(at, call)| at + call.len())
            .filter(|at| text[*at..].trim_start().starts_with('"'))
            .collect();
        for &start in &starts {
            let declared = text[start..].trim_start();
            let route = declared[1..].split('"').next().unwrap().to_owned();
            let next = starts
                .iter()
                .filter(|other| **other > start)
                .min()
                .map_or(text.len(), |other| *other);
            let extent = &text[start..next];
            let extent = extent.split(';').next().unwrap_or(extent);
            if extent.contains("web::get()") && !NOT_PAGES.contains(&route.as_str()) {
                routes.push(route);
            }
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

/// Whether `path` (a visit, perhaps with a query) is an instance of `route` ("/contacts/{id}").
fn matches(route: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (route_parts, path_parts): (Vec<&str>, Vec<&str>) =
        (route.split('/').collect(), path.split('/').collect());
    route_parts.len() == path_parts.len()
        && route_parts
            .iter()
            .zip(&path_parts)
            .all(|(expected, got)| expected.starts_with('{') || expected == got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_and_the_html_checker() {
    let Some(browser) = browser::launch().await else {
        return;
    };
    let Some((axe, vnu)) = checkers() else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let site = populate(&app).await;
    let pages = tempfile::tempdir().expect("a folder for the pages");
    let mut problems = Vec::new();
    let mut visited: Vec<String> = Vec::new();
    let page = &browser.client;
    let visitors: [(&str, &Vec<String>, reqwest::Client); 3] = [
        ("signed-out", &site.signed_out, new_client()),
        ("admin", &site.admin, app.client.clone()),
        ("customer", &site.customer, site.customer_client.clone()),
    ];
    for (who, paths, client) in visitors {
        page.delete_all_cookies().await.unwrap();
        match who {
            "admin" => crate::journeys::sign_in(page, &app, "admin@portico.test").await,
            "customer" => {
                browser::sign_in_customer(
                    page,
                    &app.url(""),
                    "grace@navy.example",
                    "a long enough password",
                )
                .await
            }
            _ => {}
        }
        for (n, path) in paths.iter().enumerate() {
            let (status, html) = get_as(&app, &client, path).await;
            let error_page = path.contains("999999")
                || path.contains("no-such-page")
                || path.contains("not-a-real-link");
            visited.push(path.clone());
            assert!(
                status == 200 || (error_page && (400..500).contains(&status)),
                "{who} {path}: {status}"
            );
            std::fs::write(pages.path().join(format!("{who}-{n:02}.html")), &html).unwrap();
            page.goto(&app.url(path)).await.unwrap();
            for violation in axe_violations(page, &axe).await {
                problems.push(format!("{who} {path}: {violation}"));
            }
        }
    }
    let errors = html_errors(&vnu, pages.path());
    problems.extend(errors);
    for route in page_routes() {
        if !visited.iter().any(|path| matches(&route, path)) {
            problems.push(format!(
                "{route}: a page no visit checks; add it to `populate`"
            ));
        }
    }
    browser.client.clone().close().await.unwrap();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
