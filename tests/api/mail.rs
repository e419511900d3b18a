use std::time::{Duration, Instant};

use portico::domain::EmailAddress;
use portico::mail::{MailError, OutgoingMail};
use portico::startup::build_mailer;

use crate::helpers::test_settings;
use crate::smtp_server::SmtpServer;

fn message_to(address: &str, number: usize) -> OutgoingMail {
    OutgoingMail {
        to: EmailAddress::parse(address).unwrap(),
        from_name: None,
        to_name: Some("Grace Hopper".to_owned()),
        subject: format!("Message {number}"),
        text: format!("Hello {number}.\n.A line that starts with a dot.\n"),
        html: format!("<p>Hello {number}.</p>"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hundred_messages_reach_a_loopback_server_within_a_second() {
    let server = SmtpServer::start().await;
    let folder = tempfile::tempdir().unwrap();
    let settings = test_settings(folder.path(), String::new(), Some(server.url()));
    let elapsed = tokio::task::spawn_blocking(move || {
        let mailer = build_mailer(&settings).unwrap();
        // The first message opens the connection; time the steady state and the whole run.
        let started = Instant::now();
        for number in 0..100 {
            mailer
                .send(&message_to("grace@example.com", number))
                .unwrap();
        }
        started.elapsed()
    })
    .await
    .unwrap();
    let received = server.wait_for_messages(100, Duration::from_secs(5)).await;
    assert_eq!(received.len(), 100);
    assert!(
        elapsed < Duration::from_secs(1),
        "100 messages took {elapsed:?}"
    );
    assert!(server.connections_accepted() <= 2, "connections are reused");
    let first = &received[0];
    assert_eq!(first.rcpt_to, vec!["grace@example.com".to_owned()]);
    assert!(first.data.contains("Subject: Message 0"));
    assert!(
        first.data.contains("\r\n.A line that starts with a dot."),
        "dot-stuffing is undone intact"
    );
    assert!(first.data.contains("Message-ID: <"));
    assert!(first.data.contains("multipart/alternative"));
    assert!(
        first
            .data
            .contains("From: \"Portico Help Center\" <help@portico.test>")
            || first
                .data
                .contains("From: Portico Help Center <help@portico.test>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_recipient_is_a_permanent_failure_and_the_next_message_still_goes() {
    let server = SmtpServer::start().await;
    server.reject_recipient("gone@example.com", 550, "5.1.1 mailbox unavailable");
    server.reject_recipient("busy@example.com", 451, "4.3.0 try again later");
    let folder = tempfile::tempdir().unwrap();
    let settings = test_settings(folder.path(), String::new(), Some(server.url()));
    let (gone, busy, fine) = tokio::task::spawn_blocking(move || {
        let mailer = build_mailer(&settings).unwrap();
        (
            mailer.send(&message_to("gone@example.com", 1)),
            mailer.send(&message_to("busy@example.com", 2)),
            mailer.send(&message_to("fine@example.com", 3)),
        )
    })
    .await
    .unwrap();
    match gone {
        Err(error @ MailError::Permanent { .. }) => {
            assert_eq!(error.code(), Some(550));
            assert!(error.to_string().contains("mailbox unavailable"), "{error}");
        }
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    assert!(
        matches!(
            busy,
            Err(MailError::Transient {
                code: Some(451),
                ..
            })
        ),
        "{busy:?}"
    );
    assert!(fine.is_ok(), "{fine:?}");
    assert_eq!(server.messages_to("fine@example.com").len(), 1);
    assert!(server.messages_to("gone@example.com").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_the_server_closed_after_its_last_message_is_replaced_and_nothing_is_lost() {
    let server = SmtpServer::start().await;
    server.hang_up_after_each_message();
    let folder = tempfile::tempdir().unwrap();
    let settings = test_settings(folder.path(), String::new(), Some(server.url()));
    let outcomes = tokio::task::spawn_blocking(move || {
        let mailer = build_mailer(&settings).unwrap();
        (1..=3)
            .map(|number| mailer.send(&message_to("again@example.com", number)))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for outcome in &outcomes {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
    assert_eq!(server.messages_to("again@example.com").len(), 3);
    assert_eq!(server.connections_accepted(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_a_transient_failure() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let folder = tempfile::tempdir().unwrap();
    let settings = test_settings(
        folder.path(),
        String::new(),
        Some(format!("smtp://127.0.0.1:{port}")),
    );
    let outcome = tokio::task::spawn_blocking(move || {
        build_mailer(&settings)
            .unwrap()
            .send(&message_to("grace@example.com", 1))
    })
    .await
    .unwrap();
    assert!(
        matches!(outcome, Err(MailError::Transient { .. })),
        "{outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mail_lands_in_the_outbox_as_eml_files() {
    let folder = tempfile::tempdir().unwrap();
    let settings = test_settings(folder.path(), String::new(), None);
    let outbox = settings.outbox_dir.clone();
    let delivery = tokio::task::spawn_blocking(move || {
        build_mailer(&settings)
            .unwrap()
            .send(&message_to("grace@example.com", 7))
    })
    .await
    .unwrap()
    .unwrap();
    let file = delivery.outbox_file.expect("an outbox file");
    assert_eq!(file.parent().unwrap(), outbox);
    assert_eq!(file.extension().unwrap(), "eml");
    let contents = std::fs::read_to_string(&file).unwrap();
    assert!(
        contents.contains("To: \"Grace Hopper\" <grace@example.com>")
            || contents.contains("To: Grace Hopper <grace@example.com>")
    );
    assert!(contents.contains("Subject: Message 7"));
}
