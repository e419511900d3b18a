//! Whole-view actions: confirmed, then worked by the job runner with no page open.

use std::time::{Duration, Instant};

use crate::helpers::{location, TestApp};
use crate::on_both_backends;

/// The hidden fields of the form posting to `action` on `html`, unescaped.
pub fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("a form posting to {action}: {html}"));
    let form = &html[start..start + html[start..].find("</form>").expect("the form's end")];
    let mut fields = Vec::new();
    for input in form.split("<input type=\"hidden\" ").skip(1) {
        let attribute = |name: &str| {
            let marker = format!("{name}=\"");
            let from = input.find(&marker).map(|at| at + marker.len())?;
            let to = input[from..].find('"')? + from;
            Some(unescape(&input[from..to]))
        };
        if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
            fields.push((name, value));
        }
    }
    fields
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Ticks "Apply to all in this view" with `fields` (action, view...) on the Contacts page's
/// action bar, and confirms on the page that follows; returns the job's page.
pub async fn start_bulk_job(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let mut posted = vec![("all_in_view", "1")];
    posted.extend_from_slice(fields);
    let asked = app
        .post_form("/contacts/mass-action", "/contacts", &posted)
        .await;
    assert_eq!(asked.status().as_u16(), 303, "the bar asks first");
    let confirm = location(&asked);
    assert!(confirm.starts_with("/bulk-jobs/new?"), "{confirm}");
    let html = app.get_html(&confirm).await;
    let fields = hidden_fields(&html, "/bulk-jobs");
    let started = app
        .client
        .post(app.url("/bulk-jobs"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status().as_u16(), 303, "the job starts");
    let job = location(&started);
    assert!(job.starts_with("/bulk-jobs/"), "{job}");
    job
}

pub async fn progress_of(app: &TestApp, job: &str) -> serde_json::Value {
    let response = app
        .client
        .get(app.url(&format!("{job}/progress")))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    serde_json::from_str(&response.text().await.unwrap()).expect("the progress as JSON")
}

/// "1500 of 1600 processed · ..." → 1500.
pub fn processed(progress: &serde_json::Value) -> i64 {
    let line = progress["progress"].as_str().expect("a progress line");
    line.split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count first")
}

/// Waits, without opening its page, until the job reads `state` (Done, Paused...).
pub async fn wait_for_job(app: &TestApp, job: &str, state: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let progress = progress_of(app, job).await;
        if progress["label"] == state {
            return progress;
        }
        assert!(
            Instant::now() < deadline,
            "the job did not reach {state} within 60 s: {progress}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

on_both_backends! {
    async fn a_whole_view_invite_says_what_it_will_do_then_finishes_with_no_page_open(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(1_100);
        app.add_contact("No Address", None, None);
        let activated = app.add_contact("Already Here", Some("here@example.com"), None);
        app.mark_contact(activated, "activated");

        let asked = app.post_form("/contacts/mass-action", "/contacts", &[("action", "invite"), ("all_in_view", "1"), ("view", "all")]).await;
        let confirm = app.get_html(&location(&asked)).await;
        assert!(confirm.contains("Invite the contacts in “All contacts” to the Help Center?"), "{confirm}");
        assert!(confirm.contains("<dt>Contacts in this view</dt><dd>1,102</dd>"), "{confirm}");
        assert!(confirm.contains("about 1,100"), "{confirm}");
        assert!(confirm.contains("1 no email address") && confirm.contains("1 already activated"), "{confirm}");
        assert!(confirm.contains("<dt>Subject</dt>"), "the email is previewed: {confirm}");
        assert!(confirm.contains(">Invite all 1,102</button>"), "{confirm}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(app.smtp.messages().is_empty(), "nothing is sent before Confirm");

        let job = start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;
        let done = wait_for_job(&app, &job, "Done").await;
        assert_eq!(done["progress"], "1102 of 1102 processed · Invited 1100 · Skipped 2 · Failed 0");
        assert_eq!(done["percent"], 100);
        let messages = app.smtp.wait_for_messages(1_100, Duration::from_secs(10)).await;
        let mut recipients: Vec<String> = messages.iter().map(|m| m.rcpt_to[0].clone()).collect();
        recipients.sort();
        recipients.dedup();
        assert_eq!(recipients.len(), 1_100, "each contact got one email");

        let page = app.get_html(&job).await;
        assert!(page.contains("<strong>Done</strong>"), "{page}");
        assert!(!page.contains("Pause") && !page.contains("http-equiv=\"refresh\""), "a finished job offers nothing to do: {page}");
        assert!(page.contains(">No Address</a>") && page.contains("no email address"), "skipped contacts are listed with why: {page}");
        assert!(page.contains(">Already Here</a>") && page.contains("already activated"), "{page}");
        let csv = app.get(&format!("{job}/rows.csv")).await.text().await.unwrap();
        assert!(csv.starts_with("contact_id,name,email,outcome,reason\n"), "{csv}");
        assert!(csv.contains(",No Address,,skipped,no email address"), "{csv}");
        assert_eq!(csv.lines().count(), 3, "{csv}");

        let jobs = app.get_html("/bulk-jobs").await;
        assert!(jobs.contains("Invite to Help Center: All contacts"), "{jobs}");
        let id = job.trim_start_matches("/bulk-jobs/");
        let bookmarked = app.get(&format!("/invitations/bulk/{id}")).await;
        assert_eq!(bookmarked.status().as_u16(), 308, "an old bookmark still leads to the job");
        assert_eq!(location(&bookmarked), job);
    }

    async fn the_agent_who_started_a_job_is_told_once_when_it_ends(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(30);
        let job = start_bulk_job(&app, &[("action", "spam"), ("view", "all")]).await;
        wait_for_job(&app, &job, "Done").await;
        let next = app.get_html("/accounts").await;
        assert!(next.contains("Bulk job “Mark as spam: All contacts” ended: Done · 30 of 30 processed · Marked as spam 30 · Skipped 0."), "{next}");
        let after = app.get_html("/contacts?view=spam").await;
        assert!(!after.contains("ended: Done"), "said once: {after}");
        assert!(after.contains("<p class=\"total\">30 contacts</p>"), "{after}");
    }

    async fn pausing_stops_a_job_within_a_chunk_and_resume_finishes_it(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(1_500);
        // 500 emails at 20 ms each over the 2 pooled connections: a chunk takes about 5 s.
        app.smtp.delay_each_message(Duration::from_millis(20));
        let job = start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;
        let paused = app.post_form(&format!("{job}/pause"), &job, &[]).await;
        assert_eq!(paused.status().as_u16(), 303);
        let at_pause = processed(&wait_for_job(&app, &job, "Paused").await);
        // The chunk in hand when Pause was clicked is finished and counted, then nothing.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let settled = processed(&progress_of(&app, &job).await);
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(processed(&progress_of(&app, &job).await), settled, "nothing moves while paused");
        assert!(settled - at_pause <= 500 && settled < 1_500, "paused within a chunk: {at_pause} then {settled}");
        let page = app.get_html(&job).await;
        assert!(page.contains(">Resume</button>"), "{page}");
        app.post_form(&format!("{job}/resume"), &job, &[]).await;
        let done = wait_for_job(&app, &job, "Done").await;
        app.smtp.delay_each_message(Duration::ZERO);
        assert_eq!(done["progress"], "1500 of 1500 processed · Invited 1500 · Skipped 0 · Failed 0");
        assert_eq!(app.smtp.wait_for_messages(1_500, Duration::from_secs(10)).await.len(), 1_500);
    }

    async fn resending_to_a_whole_pending_view_replaces_every_link(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(3);
        let first = start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;
        wait_for_job(&app, &first, "Done").await;
        let sent = app.smtp.wait_for_messages(3, Duration::from_secs(5)).await;
        let old_link = crate::helpers::invitation_link(&sent[0].data);
        let asked = app.post_form("/contacts/mass-action", "/contacts?view=invited", &[("action", "resend"), ("all_in_view", "1"), ("view", "invited")]).await;
        let confirm = app.get_html(&location(&asked)).await;
        assert!(confirm.contains("Send a new invitation link to the contacts in “Invited (pending)”?"), "{confirm}");
        assert!(confirm.contains("<dt>Will get an invitation</dt><dd>about 3</dd>") && confirm.contains(">Resend to all 3</button>"), "{confirm}");
        let job = start_bulk_job(&app, &[("action", "resend"), ("view", "invited")]).await;
        let done = wait_for_job(&app, &job, "Done").await;
        assert_eq!(done["progress"], "3 of 3 processed · Resent 3 · Skipped 0 · Failed 0");
        let all = app.smtp.wait_for_messages(6, Duration::from_secs(5)).await;
        assert_eq!(all.len(), 6, "one new email each");
        assert_eq!(app.get(&crate::helpers::path_of(&old_link)).await.status().as_u16(), 410, "the first link stopped working");
        let new_link = crate::helpers::invitation_link(&all[3].data);
        assert_eq!(app.get(&crate::helpers::path_of(&new_link)).await.status().as_u16(), 200);
    }

    async fn failed_invitations_are_listed_and_retried(app) {
        app.sign_in_agent(false).await;
        app.add_numbered_contacts(10);
        app.smtp.reject_recipient("contact0003@example.com", 550, "5.1.1 no such mailbox");
        let job = start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;
        let done = wait_for_job(&app, &job, "Done").await;
        assert_eq!(done["progress"], "10 of 10 processed · Invited 9 · Skipped 0 · Failed 1");
        let page = app.get_html(&format!("{job}?kind=failed")).await;
        assert!(page.contains(">Contact 0003</a>") && page.contains("no such mailbox"), "{page}");
        assert!(!page.contains(">Contact 0004</a>"), "only the failed one: {page}");
        assert!(page.contains(">Retry failed (1)</button>"), "{page}");
        app.smtp.clear_rejections();
        let retried = app.post_form(&format!("{job}/retry-failed"), &job, &[]).await;
        assert_eq!(retried.status().as_u16(), 303);
        let batch = app.get_html(&location(&retried)).await;
        assert!(batch.contains("Invited 1 ·"), "{batch}");
        assert_eq!(app.smtp.messages_to("contact0003@example.com").len(), 1);
        let page = app.get_html(&job).await;
        assert!(!page.contains(">Retry failed"), "nothing left to retry: {page}");
    }

    async fn views_offer_the_actions_that_fit_them(app) {
        app.sign_in_agent(false).await;
        let id = app.add_contact("Ada", Some("ada@example.com"), None);
        let all = app.get_html("/contacts").await;
        assert!(all.contains(">Invite to Help Center</button>") && !all.contains(">Resend invitation</button>"));
        assert!(all.contains("Bulk jobs</a>"), "Contacts leads to Bulk jobs");
        let pending = app.get_html("/contacts?view=invited").await;
        assert!(!pending.contains(">Invite to Help Center</button>") && pending.contains(">Resend invitation</button>"), "{pending}");
        for view in ["spam", "activated", "without-email"] {
            let html = app.get_html(&format!("/contacts?view={view}")).await;
            assert!(!html.contains(">Invite to Help Center</button>"), "{view}: {html}");
        }
        let (customer, _) = crate::settings::activated_customer(&app, "Grace Hopper", "grace@navy.example").await;
        let activated = app.get_html("/contacts?view=activated").await;
        assert!(activated.contains(">Deactivate Help Center access</button>"), "{activated}");
        let job = start_bulk_job(&app, &[("action", "deactivate"), ("view", "activated")]).await;
        let done = wait_for_job(&app, &job, "Done").await;
        assert_eq!(done["progress"], "1 of 1 processed · Deactivated 1 · Skipped 0");
        let page = app.get_html(&format!("/contacts/{customer}")).await;
        assert!(page.contains("badge-deactivated"), "{page}");
        let deactivated = app.get_html("/contacts?view=deactivated").await;
        assert!(deactivated.contains(">Reactivate Help Center access</button>"), "{deactivated}");
        app.mark_contact(id, "activated");
        let job = start_bulk_job(&app, &[("action", "spam"), ("view", "activated")]).await;
        wait_for_job(&app, &job, "Done").await;
        let spam = app.get_html("/contacts?view=spam").await;
        assert!(spam.contains(">Not spam</button>") && !spam.contains(">Invite to Help Center</button>"), "{spam}");
        assert!(spam.contains(">Ada</a>"), "{spam}");
    }
}

/// On an instance that runs no jobs (PORTICO_JOB_WORKERS=0) a job waits for another one:
/// Contacts counts it as running, its page refreshes itself, and Cancel ends it.
async fn contacts_counts_the_running_jobs_and_cancel_ends_one(backend: crate::helpers::Backend) {
    let app = crate::helpers::spawn_app_with(backend, |settings| settings.job_workers = 0).await;
    app.sign_in_agent(false).await;
    app.add_numbered_contacts(3);
    let job = start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;
    let contacts = app.get_html("/contacts").await;
    assert!(
        contacts.contains(">Bulk jobs (1 running)</a>"),
        "{contacts}"
    );
    let page = app.get_html(&job).await;
    assert!(
        page.contains("<noscript><meta http-equiv=\"refresh\" content=\"3\"></noscript>"),
        "without JavaScript the page refreshes itself: {page}"
    );
    assert!(
        page.contains("<strong>Running</strong> · <span data-job-summary>0 of 3 processed"),
        "{page}"
    );
    let cancelled = app.post_form(&format!("{job}/cancel"), &job, &[]).await;
    assert_eq!(cancelled.status().as_u16(), 303);
    let page = app.get_html(&job).await;
    assert!(
        page.contains("<strong>Cancelled</strong>") && !page.contains("http-equiv"),
        "{page}"
    );
    let contacts = app.get_html("/contacts").await;
    assert!(contacts.contains(">Bulk jobs</a>"), "{contacts}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.smtp.messages().is_empty());
}

crate::for_both_backends!(contacts_counts_the_running_jobs_and_cancel_ends_one);
