use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::on_both_backends;

on_both_backends! {
    async fn liveness_and_readiness_answer(app) {
        let live = app.get("/healthz").await;
        assert_eq!(live.status().as_u16(), 200);
        assert_eq!(live.text().await.unwrap(), "ok");
        let ready = app.get("/readyz").await;
        assert_eq!(ready.status().as_u16(), 200);
        assert_eq!(ready.text().await.unwrap(), "ready");
    }

    async fn an_unknown_address_gets_a_404_page(app) {
        let response = app.get("/no/such/page").await;
        assert_eq!(response.status().as_u16(), 404);
        let html = response.text().await.unwrap();
        assert!(html.contains("Page not found"), "{html}");
    }
}

/// Reads one HTTP/1.1 response with a Content-Length body from a keep-alive connection.
fn read_response(reader: &mut BufReader<TcpStream>) -> (u16, usize) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, length)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_requests_for_the_stylesheet_do_not_stall() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    let port = app.port;
    let elapsed = tokio::task::spawn_blocking(move || {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let request = format!("GET /static/portico.css HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        writer.write_all(request.as_bytes()).unwrap();
        let (status, length) = read_response(&mut reader);
        assert_eq!(status, 200);
        assert!(length > 4096, "the stylesheet is served whole");
        // With Nagle's algorithm on, each of these waits ~40 ms for a delayed ACK.
        let started = Instant::now();
        for _ in 0..10 {
            writer.write_all(request.as_bytes()).unwrap();
            assert_eq!(read_response(&mut reader).0, 200);
        }
        started.elapsed()
    })
    .await
    .unwrap();
    assert!(
        elapsed < Duration::from_millis(200),
        "10 keep-alive requests took {elapsed:?}; a delayed-ACK stall costs 40 ms each"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stylesheet_and_script_come_with_an_etag_and_revalidate_to_304() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    let css = app.get("/static/portico.css").await;
    assert_eq!(css.status().as_u16(), 200);
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header(&css, "content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(header(&css, "cache-control").as_deref(), Some("no-cache"));
    let etag = header(&css, "etag").expect("an ETag");
    assert!(
        css.text().await.unwrap().contains(".contacts"),
        "the stylesheet itself"
    );

    let revalidated = app
        .client
        .get(app.url("/static/portico.css"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status().as_u16(), 304);
    assert!(revalidated.bytes().await.unwrap().is_empty());

    let script = app.get("/static/portico.js").await;
    assert_eq!(script.status().as_u16(), 200);
    assert_eq!(
        header(&script, "content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert_ne!(
        header(&script, "etag"),
        Some(etag),
        "each file has its own ETag"
    );
    assert_eq!(app.get("/static/missing.css").await.status().as_u16(), 404);
}
