//! A real SMTP server on 127.0.0.1 that receives the app's mail during the tests: plain SMTP, no
//! STARTTLS nor AUTH, enough of RFC 5321 for the app's mailer. Written by hand rather than taken
//! from a crate so a test can make it refuse recipients (`set_mode`) or go down (`pause`).
use std::{
    io,
    net::Ipv4Addr,
    sync::{Arc, Mutex},
    time::Duration,
};

use mail_parser::MessageParser;
use tokio::{
    io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    task::{JoinHandle, JoinSet},
    time::{sleep, Instant},
};

#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub raw: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: Option<String>,
}

impl Mail {
    /// The first `http://` or `https://` URL in the text part that contains `needle` (e.g. "/reset-password#"),
    /// trimmed of trailing punctuation.
    pub fn link(&self, needle: &str) -> Option<String> {
        self.text
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .filter_map(|word| {
                ["http://", "https://"].into_iter().filter_map(|scheme| word.find(scheme)).min().map(|i| &word[i..])
            })
            // A sentence may end right after the link: "open https://…/x." must not keep the dot.
            .map(|url| url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}']))
            .find(|url| url.contains(needle))
            .map(str::to_string)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// 4xx to RCPT TO (temporary)
    TempFail,
    /// 5xx to RCPT TO (permanent)
    Reject,
}

struct Shared {
    mails: Mutex<Vec<Mail>>,
    mode: Mutex<Mode>,
}

pub struct SmtpSink {
    port: u16,
    shared: Arc<Shared>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl SmtpSink {
    /// Starts listening on 127.0.0.1 on a free port, accepting mail.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("bind the test SMTP server");
        let port = listener.local_addr().expect("test SMTP server address").port();
        let shared = Arc::new(Shared { mails: Mutex::new(Vec::new()), mode: Mutex::new(Mode::Accept) });
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        SmtpSink { port, shared, accept: Mutex::new(Some(task)) }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port())
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = mode;
    }

    /// Stops listening (connection refused) until `resume`; the port is kept. Open sessions are cut too,
    /// so a pooled client connection cannot keep delivering while the server is "down".
    pub async fn pause(&self) {
        let task = self.accept.lock().unwrap().take();
        if let Some(task) = task {
            task.abort();
            // The handle resolves once the task's future, and with it the listener, has been dropped.
            let _ = task.await;
        }
    }

    /// Listens again on the same port (the app's settings name it).
    pub async fn resume(&self) {
        let running = self.accept.lock().unwrap().is_some();
        if running {
            return;
        }
        let mut attempts = 0;
        let listener = loop {
            match TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).await {
                Ok(listener) => break listener,
                // The port can stay busy for a moment after the old socket is closed.
                Err(_) if attempts < 40 => attempts += 1,
                Err(e) => panic!("test SMTP server cannot bind port {} again: {e}", self.port),
            }
            sleep(Duration::from_millis(25)).await;
        };
        let task = tokio::spawn(accept_loop(listener, self.shared.clone()));
        *self.accept.lock().unwrap() = Some(task);
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Mail> {
        self.shared.mails.lock().unwrap().clone()
    }

    /// Messages to `address` (case-insensitive match on envelope recipients).
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.messages().into_iter().filter(|m| m.to.iter().any(|to| to.eq_ignore_ascii_case(address))).collect()
    }

    /// Waits (polling every 50 ms, up to `timeout`) until `count` messages to `address` have arrived; panics
    /// listing what did arrive if not. Returns them.
    pub async fn wait_for(&self, address: &str, count: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + timeout;
        loop {
            let mails = self.to(address);
            if mails.len() >= count {
                return mails;
            }
            if Instant::now() >= deadline {
                let arrived: Vec<String> = self
                    .messages()
                    .iter()
                    .map(|m| {
                        let (bytes, html) = (m.raw.len(), !m.html.is_empty());
                        format!(
                            "{} -> {:?}: {:?} ({:?}, {bytes} bytes, html: {html})",
                            m.from, m.to, m.subject, m.message_id
                        )
                    })
                    .collect();
                panic!(
                    "expected {count} mail(s) to {address} within {timeout:?}, got {}; all received: {arrived:#?}",
                    mails.len()
                );
            }
            sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Ok(Some(task)) = self.accept.get_mut().map(Option::take) {
            task.abort();
        }
    }
}

/// Sessions run in a `JoinSet` owned by this task: aborting it (pause, drop) also ends them.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    sessions.spawn(session(stream, shared.clone()));
                }
                // E.g. too many open files: back off instead of spinning.
                Err(_) => sleep(Duration::from_millis(10)).await,
            },
            // Reap finished sessions so the set does not grow for the life of the test.
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// One line without its terminator (CRLF, or a lenient bare LF); `None` at end of stream. Bytes rather than
/// `String`: an 8BITMIME body need not be UTF-8.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line).await? == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

/// The path of `MAIL FROM:<a@b> BODY=8BITMIME` or `RCPT TO:<a@b>`: what is between `<` and `>`.
fn path(line: &str) -> String {
    let after_colon = line.split_once(':').map_or("", |(_, rest)| rest.trim());
    match (after_colon.find('<'), after_colon.find('>')) {
        (Some(start), Some(end)) if start < end => after_colon[start + 1..end].to_string(),
        _ => after_colon.split_whitespace().next().unwrap_or_default().to_string(),
    }
}

async fn session(mut stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    let (reader, mut writer) = stream.split();
    let mut reader = BufReader::new(reader);
    writer.write_all(b"220 localhost ESMTP test\r\n").await?;
    let (mut from, mut to): (Option<String>, Vec<String>) = (None, Vec::new());
    while let Some(line) = read_line(&mut reader).await? {
        let line = String::from_utf8_lossy(&line).into_owned();
        let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-localhost\r\n250 8BITMIME".into(),
            "HELO" => "250 localhost".into(),
            "MAIL" => {
                (from, to) = (Some(path(&line)), Vec::new());
                "250 2.1.0 Ok".into()
            }
            "RCPT" if from.is_none() => "503 5.5.1 MAIL first".into(),
            "RCPT" => {
                let mode = *shared.mode.lock().unwrap();
                match mode {
                    Mode::Accept => {
                        to.push(path(&line));
                        "250 2.1.5 Ok".into()
                    }
                    Mode::TempFail => "451 4.3.0 Mailbox temporarily unavailable".into(),
                    Mode::Reject => "550 5.1.1 Mailbox unavailable".into(),
                }
            }
            "DATA" if to.is_empty() => "503 5.5.1 RCPT first".into(),
            "DATA" => {
                writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut raw = Vec::new();
                loop {
                    // A client that hangs up mid-message delivered nothing.
                    let Some(mut data) = read_line(&mut reader).await? else { return Ok(()) };
                    if data == b"." {
                        break;
                    }
                    if data.starts_with(b"..") {
                        data.remove(0);
                    }
                    raw.extend_from_slice(&data);
                    raw.extend_from_slice(b"\r\n");
                }
                let mail = parse(from.take().unwrap_or_default(), std::mem::take(&mut to), &raw);
                let queued = {
                    let mut mails = shared.mails.lock().unwrap();
                    mails.push(mail);
                    mails.len()
                };
                format!("250 2.0.0 Ok: queued as T{queued}")
            }
            "RSET" => {
                (from, to) = (None, Vec::new());
                "250 2.0.0 Ok".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "QUIT" => {
                writer.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not recognized".into(),
        };
        writer.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}

fn parse(from: String, to: Vec<String>, raw: &[u8]) -> Mail {
    let message = MessageParser::default().parse(raw);
    let message = message.as_ref();
    Mail {
        subject: message.and_then(|m| m.subject()).unwrap_or_default().to_string(),
        text: message.and_then(|m| m.body_text(0)).map(|t| t.into_owned()).unwrap_or_default(),
        html: message.and_then(|m| m.body_html(0)).map(|h| h.into_owned()).unwrap_or_default(),
        message_id: message.and_then(|m| m.message_id()).map(str::to_string),
        raw: String::from_utf8_lossy(raw).into_owned(),
        from,
        to,
    }
}
