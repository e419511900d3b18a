//! A loopback SMTP server that accepts everything and keeps count: the benchmark's mail
//! destination. One thread per connection, Nagle off, replies written in one write each, so
//! the sink answers as fast as loopback allows and is never what a measurement waits for.
//!
//! Each message's invitation link (from its text part, decoded) is appended to the links file,
//! one per line, for the registration benchmark. A control port answers `stats` with the
//! counts and `reset-peak` by starting the peak of open connections again from the current
//! number.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use anyhow::Context;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

const LINK_PATH: &str = "/portal/invitations/";

#[derive(Default)]
struct Counters {
    messages: AtomicU64,
    message_bytes: AtomicU64,
    connections: AtomicU64,
    links: AtomicU64,
    messages_without_link: AtomicU64,
    /// Open connections and their peak, changed together.
    open: Mutex<(u64, u64)>,
}

impl Counters {
    fn opened(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
        let mut open = lock(&self.open);
        open.0 += 1;
        open.1 = open.1.max(open.0);
    }

    fn closed(&self) {
        lock(&self.open).0 -= 1;
    }

    fn report(&self) -> String {
        let (open, peak) = *lock(&self.open);
        format!(
            "messages={} bytes={} connections={} open={open} max_open={peak} links={} without_link={}\n",
            self.messages.load(Ordering::Relaxed),
            self.message_bytes.load(Ordering::Relaxed),
            self.connections.load(Ordering::Relaxed),
            self.links.load(Ordering::Relaxed),
            self.messages_without_link.load(Ordering::Relaxed),
        )
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Sink {
    counters: Counters,
    links: Mutex<File>,
}

pub fn run(port_file: &Path, control_port_file: &Path, links_file: &Path) -> anyhow::Result<()> {
    let smtp = TcpListener::bind("127.0.0.1:0").context("binding the SMTP port")?;
    let control = TcpListener::bind("127.0.0.1:0").context("binding the control port")?;
    let links = OpenOptions::new()
        .create(true)
        .append(true)
        .open(links_file)
        .with_context(|| format!("opening {}", links_file.display()))?;
    let sink = Arc::new(Sink {
        counters: Counters::default(),
        links: Mutex::new(links),
    });
    let control_port = control.local_addr()?.port();
    let control_sink = Arc::clone(&sink);
    thread::spawn(move || serve_control(&control, &control_sink));
    // The port files appear only once both ports accept connections.
    write_port(control_port_file, control_port)?;
    write_port(port_file, smtp.local_addr()?.port())?;
    for stream in smtp.incoming() {
        let Ok(stream) = stream else { continue };
        let sink = Arc::clone(&sink);
        sink.counters.opened();
        thread::spawn(move || {
            // A client that hangs up mid-session is its own business.
            let _ = serve_smtp(stream, &sink);
            sink.counters.closed();
        });
    }
    Ok(())
}

fn write_port(path: &Path, port: u16) -> anyhow::Result<()> {
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    std::fs::write(&partial, format!("{port}\n"))
        .with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}

fn serve_control(listener: &TcpListener, sink: &Sink) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut line = String::new();
        let Ok(mut reader) = stream.try_clone().map(BufReader::new) else {
            continue;
        };
        if reader.read_line(&mut line).is_err() {
            continue;
        }
        let answer = match line.trim() {
            "stats" => sink.counters.report(),
            "reset-peak" => {
                let mut open = lock(&sink.counters.open);
                open.1 = open.0;
                "ok\n".to_owned()
            }
            other => format!("unknown command {other:?}\n"),
        };
        let _ = stream.write_all(answer.as_bytes());
    }
}

fn serve_smtp(stream: TcpStream, sink: &Sink) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    writer.write_all(b"220 portico-bench-sink ESMTP\r\n")?;
    let mut line = Vec::with_capacity(512);
    let mut message = Vec::with_capacity(16 * 1024);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let verb = line
            .split(|byte| *byte == b' ' || *byte == b'\r' || *byte == b'\n')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_slice() {
            b"EHLO" => b"250-portico-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            b"HELO" => b"250 portico-bench-sink\r\n",
            b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => b"250 2.0.0 OK\r\n",
            b"DATA" => {
                writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                message.clear();
                if !read_data(&mut reader, &mut message)? {
                    return Ok(());
                }
                receive(sink, &message);
                b"250 2.0.0 queued\r\n"
            }
            b"QUIT" => {
                writer.write_all(b"221 2.0.0 Bye\r\n")?;
                return Ok(());
            }
            _ => b"502 5.5.2 Command not recognised\r\n",
        };
        writer.write_all(reply)?;
    }
}

/// Reads the DATA lines up to the lone ".", undoing the dot-stuffing. False when the client
/// hung up first.
fn read_data(reader: &mut impl BufRead, message: &mut Vec<u8>) -> io::Result<bool> {
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(false);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(true);
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        message.extend_from_slice(unstuffed);
    }
}

fn receive(sink: &Sink, message: &[u8]) {
    let counters = &sink.counters;
    counters
        .message_bytes
        .fetch_add(message.len() as u64, Ordering::Relaxed);
    match invitation_link(message) {
        Some(link) => {
            let mut file = lock(&sink.links);
            if file.write_all(format!("{link}\n").as_bytes()).is_ok() {
                counters.links.fetch_add(1, Ordering::Relaxed);
            }
        }
        None => {
            counters
                .messages_without_link
                .fetch_add(1, Ordering::Relaxed);
        }
    }
    // Counted last: once a client holds its 250 reply, the stats include its link.
    counters.messages.fetch_add(1, Ordering::Relaxed);
}

/// The registration link of an invitation email: from the text/plain part, decoded from its
/// transfer encoding (lettre wraps long lines in quoted-printable), else from any part.
pub fn invitation_link(message: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(message);
    let (headers, body) = split_headers(&text);
    let parts = match boundary(headers) {
        Some(boundary) => mime_parts(body, &boundary),
        None => vec![text.as_ref()],
    };
    let mut decoded: Vec<(bool, String)> = parts
        .into_iter()
        .map(|part| {
            let (headers, body) = split_headers(part);
            let plain = header(headers, "content-type")
                .is_some_and(|value| value.to_ascii_lowercase().starts_with("text/plain"));
            let encoding = header(headers, "content-transfer-encoding")
                .map(|value| value.trim().to_ascii_lowercase())
                .unwrap_or_default();
            (plain, decode_body(body, &encoding))
        })
        .collect();
    decoded.sort_by_key(|(plain, _)| !plain);
    decoded.iter().find_map(|(_, body)| find_link(body))
}

fn split_headers(text: &str) -> (&str, &str) {
    match text.find("\r\n\r\n") {
        Some(end) => (&text[..end], &text[end + 4..]),
        None => match text.find("\n\n") {
            Some(end) => (&text[..end], &text[end + 2..]),
            None => (text, ""),
        },
    }
}

/// A header's value, with folded continuation lines joined.
fn header(headers: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in headers.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some(value) = value.as_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((key, rest)) = line.split_once(':') {
            if key.trim().eq_ignore_ascii_case(name) {
                value = Some(rest.trim().to_owned());
            }
        }
    }
    value
}

fn boundary(headers: &str) -> Option<String> {
    let content_type = header(headers, "content-type")?;
    let start = content_type.to_ascii_lowercase().find("boundary=")? + "boundary=".len();
    let rest = &content_type[start..];
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split([';', ' ']).next()?,
    };
    Some(value.to_owned())
}

/// The parts of a multipart body, nested multiparts flattened.
fn mime_parts<'a>(body: &'a str, boundary: &str) -> Vec<&'a str> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in body.split(delimiter.as_str()).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let part = chunk.trim_start_matches(['\r', '\n']);
        let (headers, inner) = split_headers(part);
        match boundary_of_part(headers) {
            Some(nested) => parts.extend(mime_parts(inner, &nested)),
            None => parts.push(part),
        }
    }
    parts
}

fn boundary_of_part(headers: &str) -> Option<String> {
    header(headers, "content-type")
        .filter(|value| value.to_ascii_lowercase().starts_with("multipart/"))
        .and_then(|_| boundary(headers))
}

fn decode_body(body: &str, encoding: &str) -> String {
    match encoding {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            STANDARD
                .decode(compact)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default()
        }
        _ => body.to_owned(),
    }
}

fn decode_quoted_printable(body: &str) -> String {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'=' if bytes[index + 1..].starts_with(b"\r\n") => index += 3,
            b'=' if bytes[index + 1..].starts_with(b"\n") => index += 2,
            b'=' if index + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[index + 1..index + 3])
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    Some(byte) => {
                        out.push(byte);
                        index += 3;
                    }
                    None => {
                        out.push(b'=');
                        index += 1;
                    }
                }
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find_link(text: &str) -> Option<String> {
    let at = text.find(LINK_PATH)?;
    let start = text[..at].rfind("http")?;
    let token_len = text[at + LINK_PATH.len()..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(text.len() - at - LINK_PATH.len());
    let end = at + LINK_PATH.len() + token_len;
    (token_len > 0).then(|| text[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_quoted_printable_link_is_found_whole() {
        let message = "Content-Type: multipart/alternative;\r\n boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello,\r\n\r\nhttp://127.0.0.1:8080/portal/invitations/abc=\r\nDEF-_x\r\n\r\n--b1\r\nContent-Type: text/html\r\n\r\n<a href=3D\"x\">\r\n--b1--\r\n";
        assert_eq!(
            invitation_link(message.as_bytes()).as_deref(),
            Some("http://127.0.0.1:8080/portal/invitations/abcDEF-_x")
        );
    }
}
