//! A small, real SMTP server for integration tests.
//!
//! Tests point the app's lettre transport at this server on loopback TCP, so the real client
//! code (connections, dot-stuffing, error mapping) runs end to end instead of behind a mock.
//! Like Postfix or aiosmtpd, it leaves delayed ACKs on, so a client that splits its writes
//! stalls here as it would in production.
#![allow(dead_code)]

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::{collections::HashMap, io, time::Duration};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

/// Messages past this size are refused with 552, so a runaway test cannot exhaust memory.
const MAX_MESSAGE_BYTES: usize = 20 * 1024 * 1024;
/// Bounds one read so a peer that never sends a newline cannot grow a buffer forever.
const MAX_LINE_BYTES: u64 = 64 * 1024;

/// One message that was answered with 250 after DATA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// Headers and body as sent: CRLF kept, dot-stuffing undone, final `.` line dropped.
    pub data: String,
}

#[derive(Default)]
struct State {
    messages: Vec<ReceivedMail>,
    /// Keyed by lower-cased address: mailbox matching in tests is case-insensitive.
    rejected_recipients: HashMap<String, String>,
    data_rejection: Option<String>,
    /// Never answer the end of DATA: a server that hangs, for client timeouts.
    stall_after_data: bool,
    /// Take this long to accept each message, as a busy server would.
    delay_per_message: Duration,
    /// Close the session right after accepting a message, as a server shutting down would.
    hang_up_after_message: bool,
    connections_accepted: usize,
    open_now: usize,
    max_concurrent: usize,
}

impl State {
    fn recipient_rejection(&self, addr: &str) -> Option<String> {
        let key = addr.to_ascii_lowercase();
        self.rejected_recipients.get(&key).cloned()
    }
}

/// Poisoning could only follow a panic elsewhere; the recorded state is still meaningful.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct SmtpServer {
    port: u16,
    state: Arc<Mutex<State>>,
    /// The accept loop; it owns every session task, so aborting it stops the whole server.
    task: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("listen");
        let port = listener.local_addr().expect("local address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        SmtpServer { port, state, task }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        lock(&self.state).messages.clone()
    }

    pub fn messages_to(&self, addr: &str) -> Vec<ReceivedMail> {
        let mut found = self.messages();
        found.retain(|mail| mail.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(addr)));
        found
    }

    /// Returns once `n` messages have arrived, or whatever has arrived when `timeout` runs out.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        while lock(&self.state).messages.len() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.messages()
    }

    pub fn connections_accepted(&self) -> usize {
        lock(&self.state).connections_accepted
    }

    pub fn max_concurrent_connections(&self) -> usize {
        lock(&self.state).max_concurrent
    }

    pub fn reject_recipient(&self, addr: &str, code: u16, text: &str) {
        let (key, reply) = (addr.to_ascii_lowercase(), format!("{code} {text}"));
        lock(&self.state).rejected_recipients.insert(key, reply);
    }

    pub fn delay_each_message(&self, delay: Duration) {
        lock(&self.state).delay_per_message = delay;
    }

    /// Never answers the end of DATA again (until `answer_again`).
    pub fn answer_again(&self) {
        lock(&self.state).stall_after_data = false;
    }

    pub fn stall_after_data(&self) {
        lock(&self.state).stall_after_data = true;
    }

    pub fn hang_up_after_each_message(&self) {
        lock(&self.state).hang_up_after_message = true;
    }

    pub fn reject_all_data(&self, code: u16, text: &str) {
        lock(&self.state).data_rejection = Some(format!("{code} {text}"));
    }

    pub fn clear_rejections(&self) {
        let mut state = lock(&self.state);
        state.rejected_recipients.clear();
        state.data_rejection = None;
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>) {
    let mut sessions = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Our replies are small writes; Nagle would hold them back waiting for ACKs.
        let _ = stream.set_nodelay(true);
        let mut counts = lock(&state);
        counts.connections_accepted += 1;
        counts.open_now += 1;
        counts.max_concurrent = counts.max_concurrent.max(counts.open_now);
        drop(counts);
        // Reap finished sessions so a long test run does not pile them up.
        while sessions.try_join_next().is_some() {}
        let state = Arc::clone(&state);
        sessions.spawn(async move {
            // A client hanging up mid-session is an ordinary outcome here, not a failure.
            let _ = run_session(stream, &state).await;
            lock(&state).open_now -= 1;
        });
    }
}

#[derive(Default)]
struct Envelope {
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

async fn run_session(stream: TcpStream, state: &Mutex<State>) -> io::Result<()> {
    let (read_half, mut writer) = stream.into_split();
    // Pipelined commands that arrive together wait here and are answered one by one, in order.
    let mut reader = BufReader::new(read_half);
    let mut envelope = Envelope::default();
    let mut line = Vec::new();
    send(&mut writer, "220 localhost ESMTP test").await?;
    while read_line(&mut reader, &mut line).await? {
        let text = String::from_utf8_lossy(&line);
        let command = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = command.split_once(' ').unwrap_or((command, ""));
        let verb = verb.to_ascii_uppercase();
        if matches!(verb.as_str(), "EHLO" | "HELO" | "RSET") {
            envelope = Envelope::default();
        }
        let reply: String = match verb.as_str() {
            "EHLO" => "250-localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8".into(),
            "HELO" | "RSET" | "NOOP" => "250 2.0.0 OK".into(),
            "MAIL" if envelope.mail_from.is_some() => "503 5.5.1 nested MAIL command".into(),
            "MAIL" => match parse_path(arg, "FROM:") {
                Some(from) => {
                    envelope.mail_from = Some(from);
                    "250 2.1.0 OK".into()
                }
                None => "501 5.5.4 syntax: MAIL FROM:<address>".into(),
            },
            "RCPT" if envelope.mail_from.is_none() => "503 5.5.1 need MAIL before RCPT".into(),
            "RCPT" => match parse_path(arg, "TO:") {
                Some(to) => lock(state).recipient_rejection(&to).unwrap_or_else(|| {
                    envelope.rcpt_to.push(to);
                    "250 2.1.5 OK".into()
                }),
                None => "501 5.5.4 syntax: RCPT TO:<address>".into(),
            },
            "DATA" if envelope.rcpt_to.is_empty() => "503 5.5.1 need RCPT before DATA".into(),
            "DATA" => {
                send(&mut writer, "354 end data with <CRLF>.<CRLF>").await?;
                let body = read_data(&mut reader).await?;
                let delay = lock(state).delay_per_message;
                tokio::time::sleep(delay).await;
                if lock(state).stall_after_data {
                    // Hold the connection open without a word until the client gives up.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                let reply = finish_data(state, std::mem::take(&mut envelope), body);
                if lock(state).hang_up_after_message {
                    return send(&mut writer, &reply).await;
                }
                reply
            }
            "VRFY" => "252 2.5.0 cannot VRFY user, but will accept message".into(),
            "STARTTLS" | "AUTH" => "502 5.5.1 not implemented".into(),
            "QUIT" => return send(&mut writer, "221 2.0.0 bye").await,
            _ => "500 5.5.2 command not recognized".into(),
        };
        send(&mut writer, &reply).await?;
    }
    Ok(())
}

/// Records the message, unless it was too big or DATA failures are being injected.
fn finish_data(state: &Mutex<State>, envelope: Envelope, body: Option<Vec<u8>>) -> String {
    let Some(body) = body else {
        return "552 5.3.4 message too big".into();
    };
    let mut state = lock(state);
    if let Some(rejection) = &state.data_rejection {
        return rejection.clone();
    }
    state.messages.push(ReceivedMail {
        mail_from: envelope.mail_from.unwrap_or_default(),
        rcpt_to: envelope.rcpt_to,
        data: String::from_utf8_lossy(&body).into_owned(),
    });
    "250 2.0.0 OK queued".into()
}

/// Takes the address out of `FROM:<a@b> SIZE=1`-style arguments; ESMTP parameters are ignored.
fn parse_path(arg: &str, key: &str) -> Option<String> {
    let (head, rest) = arg.split_at_checked(key.len())?;
    if !head.eq_ignore_ascii_case(key) {
        return None;
    }
    let rest = rest.trim_start();
    let address = match rest.strip_prefix('<') {
        Some(inner) => inner.split_once('>')?.0,
        None => rest.split_whitespace().next()?,
    };
    Some(address.to_string())
}

/// Reads up to the lone `.` line; `None` means the message went over the size limit.
async fn read_data(reader: &mut Reader) -> io::Result<Option<Vec<u8>>> {
    let (mut body, mut too_big, mut line) = (Vec::new(), false, Vec::new());
    // A line longer than one bounded read arrives in pieces; only a real line start counts.
    let mut at_line_start = true;
    while read_line(reader, &mut line).await? {
        let starts_line = std::mem::replace(&mut at_line_start, line.ends_with(b"\n"));
        if starts_line && (line == b".\r\n" || line == b".\n") {
            return Ok((!too_big).then_some(body));
        }
        let unstuff = usize::from(starts_line && line.starts_with(b"."));
        let content = &line[unstuff..];
        // Past the limit, keep draining to the terminator so the 552 lands in step.
        too_big |= body.len() + content.len() > MAX_MESSAGE_BYTES;
        if !too_big {
            body.extend_from_slice(content);
        }
    }
    Err(io::ErrorKind::UnexpectedEof.into())
}

type Reader = BufReader<OwnedReadHalf>;

/// Reads one line, or a `MAX_LINE_BYTES` piece of a longer one; `false` at end of stream.
async fn read_line(reader: &mut Reader, line: &mut Vec<u8>) -> io::Result<bool> {
    line.clear();
    Ok(reader.take(MAX_LINE_BYTES).read_until(b'\n', line).await? > 0)
}

/// One write per reply, so a multi-line EHLO answer reaches the client in a single segment.
async fn send(writer: &mut OwnedWriteHalf, reply: &str) -> io::Result<()> {
    writer.write_all(format!("{reply}\r\n").as_bytes()).await?;
    writer.flush().await?;
    Ok(())
}
