//! Bulk jobs and mass invites across instances: a Portico process killed mid-send, and two
//! instances sharing one job. The SMTP server's log is the judge of "each contact mailed once".

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use portico::db::schema::invitations;

use crate::bulk_jobs::{start_bulk_job, wait_for_job};
use crate::helpers::{csrf_token_in, location, spawn_app_with, Backend, TestApp};

fn pending_invitations(app: &TestApp) -> i64 {
    invitations::table
        .filter(invitations::state.eq("pending"))
        .count()
        .get_result(&mut app.pool.get().unwrap())
        .unwrap()
}

/// A real `portico serve` on the app's database and SMTP server, its claims lasting 2 s and
/// its mass invites answering after 1 s; returns it once it answers, with its base URL.
async fn portico_serve(app: &TestApp) -> (std::process::Child, String) {
    let settings = app.command_line_settings();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("serve")
        .env("DATABASE_URL", &settings.database_url)
        .env("PORTICO_BIND", format!("127.0.0.1:{port}"))
        .env("PORTICO_SMTP_URL", app.smtp.url())
        .env("PORTICO_SECRET_KEY", "k".repeat(64))
        .env("PORTICO_DATA_DIR", &settings.data_dir)
        .env("PORTICO_OUTBOX_DIR", &settings.outbox_dir)
        .env("PORTICO_DEMO", "false")
        .env("PORTICO_JOB_LEASE_SECONDS", "2")
        .env("PORTICO_MASS_INVITE_WAIT_SECONDS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start portico serve");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !app
        .client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|answer| answer.status().is_success())
    {
        assert!(Instant::now() < deadline, "portico serve did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, base)
}

async fn wait_for_pending_invitations(app: &TestApp, at_least: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while pending_invitations(app) < at_least {
        assert!(
            Instant::now() < deadline,
            "the worker did not write its chunk"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn distinct_recipients(app: &TestApp) -> (usize, usize) {
    let messages = app.smtp.messages();
    let mut recipients: Vec<String> = messages.iter().map(|m| m.rcpt_to[0].clone()).collect();
    recipients.sort();
    recipients.dedup();
    (messages.len(), recipients.len())
}

/// A real `portico serve` works the job and is killed (SIGKILL) while its emails hang; the
/// job then finishes on another instance once the dead one's claim runs out.
async fn a_job_cut_off_mid_chunk_finishes_on_another_instance(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.job_workers = 0).await;
    app.sign_in_agent(false).await;
    app.add_numbered_contacts(700);
    app.smtp.stall_after_data();
    let job = start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;

    let (mut worker, _) = portico_serve(&app).await;
    wait_for_pending_invitations(&app, 500).await;
    // Its chunk's invitations are written and their emails hang: the process dies here.
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.kill().expect("kill the worker");
    worker.wait().expect("the worker ended");
    app.smtp.answer_again();
    assert!(app.smtp.messages().is_empty(), "nothing was confirmed sent");

    app.another_instance().await;
    let done = wait_for_job(&app, &job, "Done").await;
    assert_eq!(
        done["progress"],
        "700 of 700 processed · Invited 200 · Skipped 0 · Failed 0 · Delivery unknown 500"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        distinct_recipients(&app),
        (200, 200),
        "the contacts cut off mid-send were not mailed again"
    );
    let page = app.get_html(&job).await;
    assert!(page.contains("Delivery unknown</a>"), "{page}");
    let view = app.get_html("/contacts?view=delivery-unknown").await;
    assert!(
        view.contains("Delivery unknown <span class=\"count\">500<"),
        "the contacts cut off are in their view: {view}"
    );
    assert!(
        page.contains(">Resend to delivery unknown (500)</button>"),
        "{page}"
    );

    let resent = app
        .post_form(&format!("{job}/resend-unknown"), &job, &[])
        .await;
    assert_eq!(resent.status().as_u16(), 303);
    let batch = app.get_html(&crate::helpers::location(&resent)).await;
    assert!(batch.contains("Invited 500"), "{batch}");
    app.smtp
        .wait_for_messages(700, Duration::from_secs(10))
        .await;
    assert_eq!(
        distinct_recipients(&app),
        (700, 700),
        "after Resend everyone has exactly one email"
    );
    let page = app.get_html(&job).await;
    assert!(
        !page.contains(">Resend to delivery unknown"),
        "nothing left to resend: {page}"
    );
}

/// A mass invite whose instance is killed (SIGKILL) while its emails hang: the page keeps
/// showing it in progress, then another instance's runner finishes it, every cut-off contact
/// "Delivery unknown" and nobody mailed twice.
async fn a_mass_invite_cut_off_mid_send_finishes_on_another_instance(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.job_workers = 0).await;
    app.sign_in_agent(false).await;
    let ids: Vec<String> = (0..8)
        .map(|n| {
            let email = format!("cut{n}@example.com");
            app.add_contact(&format!("Cut Off {n}"), Some(&email), None)
                .to_string()
        })
        .collect();
    app.smtp.stall_after_data();
    let (mut worker, base) = portico_serve(&app).await;
    // The agent's browser talks to the instance that is about to die.
    let contacts = app
        .client
        .get(format!("{base}/contacts"))
        .send()
        .await
        .expect("the contacts page")
        .text()
        .await
        .expect("its HTML");
    let token = csrf_token_in(&contacts);
    let mut form = vec![
        ("csrf_token", token.as_str()),
        ("action", "invite"),
        ("view", "all"),
        ("submission_key", "cut-off"),
    ];
    form.extend(ids.iter().map(|id| ("ids", id.as_str())));
    let posted = app
        .client
        .post(format!("{base}/contacts/mass-action"))
        .form(&form)
        .send()
        .await
        .expect("the mass invite");
    assert_eq!(posted.status().as_u16(), 303);
    let batch_path = location(&posted);
    wait_for_pending_invitations(&app, 8).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.kill().expect("kill the worker");
    worker.wait().expect("the worker ended");
    app.smtp.answer_again();
    let page = app.get_html(&batch_path).await;
    assert!(page.contains("8 invitations are being sent"), "{page}");

    app.another_instance().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = loop {
        let page = app.get_html(&batch_path).await;
        if page.contains("batch-summary") {
            break page;
        }
        assert!(Instant::now() < deadline, "nobody finished it: {page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        done.contains("Invited 0 · Skipped 0 · Failed 0 · Delivery unknown 8"),
        "{done}"
    );
    assert!(
        done.contains("the work sending it was interrupted"),
        "{done}"
    );
    let view = app.get_html("/contacts?view=delivery-unknown").await;
    assert!(
        view.contains("Delivery unknown <span class=\"count\">8<"),
        "{view}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.smtp.messages().is_empty(), "nobody was mailed again");
}

/// SIGTERM: the instance finishes and records the chunk in hand, then exits; the job goes on
/// elsewhere and nobody is mailed twice.
async fn a_stopped_instance_finishes_its_chunk_before_it_exits(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.job_workers = 0).await;
    app.sign_in_agent(false).await;
    app.add_numbered_contacts(1_500);
    app.smtp.delay_each_message(Duration::from_millis(10));
    let job = start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;
    let (mut worker, _) = portico_serve(&app).await;
    wait_for_pending_invitations(&app, 1).await;
    let pid = i32::try_from(worker.id()).expect("a pid");
    // SAFETY: kill(2) with a child's pid and a signal number touches no memory of ours.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let stopped = Instant::now();
    let status = loop {
        if let Some(status) = worker.try_wait().expect("the worker's status") {
            break status;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(30),
            "the worker did not stop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "a clean stop: {status}");
    assert_eq!(
        pending_invitations(&app),
        0,
        "the chunk in hand was recorded"
    );
    let progress = crate::bulk_jobs::progress_of(&app, &job).await;
    assert_eq!(progress["label"], "Running", "{progress}");
    let processed = crate::bulk_jobs::processed(&progress);
    assert!(
        processed > 0 && processed % 500 == 0 && processed < 1_500,
        "{progress}"
    );

    app.smtp.delay_each_message(Duration::ZERO);
    app.another_instance().await;
    let done = wait_for_job(&app, &job, "Done").await;
    assert_eq!(
        done["progress"],
        "1500 of 1500 processed · Invited 1500 · Skipped 0 · Failed 0"
    );
    app.smtp
        .wait_for_messages(1_500, Duration::from_secs(10))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(distinct_recipients(&app), (1_500, 1_500));
}

/// Two instances on one database, both running jobs, share one job of 5,000 contacts.
async fn two_instances_work_one_job_and_mail_each_contact_once(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.job_workers = 2).await;
    app.another_instance_with(|settings| settings.job_workers = 2)
        .await;
    app.sign_in_agent(false).await;
    app.add_numbered_contacts(5_000);
    let job = start_bulk_job(&app, &[("action", "invite"), ("view", "all")]).await;
    let done = wait_for_job(&app, &job, "Done").await;
    assert_eq!(
        done["progress"],
        "5000 of 5000 processed · Invited 5000 · Skipped 0 · Failed 0"
    );
    app.smtp
        .wait_for_messages(5_000, Duration::from_secs(20))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(distinct_recipients(&app), (5_000, 5_000));
}

crate::for_both_backends!(
    a_job_cut_off_mid_chunk_finishes_on_another_instance,
    a_mass_invite_cut_off_mid_send_finishes_on_another_instance,
    a_stopped_instance_finishes_its_chunk_before_it_exits,
    two_instances_work_one_job_and_mail_each_contact_once
);
