//! A small SMTP server inside the test process (127.0.0.1:0) that keeps what it receives, so the
//! tests assert on real messages: headers, both parts, one copy per recipient. Addresses that
//! contain `refuse` are refused for good (550), those with `later` for now (451); a message to
//! an address with `drop` loses its connection halfway through DATA, and is not kept.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message as received.
#[derive(Debug, Default, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The value of header `name` (unfolded), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let mut out: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some(v) = out.as_mut() {
                    v.push_str(line.trim_start());
                }
                continue;
            }
            if out.is_some() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                out = Some(v.trim().to_string());
            }
        }
        out
    }
}

/// The running sink; stops when dropped.
pub struct Sink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Sink {
    pub async fn start() -> Self {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let m = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                let m = m.clone();
                tokio::spawn(async move {
                    let _ = session(s, m).await;
                });
            }
        });
        Self { port, mails, task }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until `n` messages arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{} of {n} messages arrived", self.received().len());
    }
}

fn addr(s: &str) -> String {
    s.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['<', '>'])
        .to_owned()
}

async fn session(s: TcpStream, store: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let (mut cur, mut line) = (Mail::default(), String::new());
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let up = cmd.to_ascii_uppercase();
        let reply: &[u8] = if up.starts_with("EHLO") {
            b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if up.starts_with("HELO") {
            b"250 sink\r\n"
        } else if up.starts_with("MAIL FROM:") {
            cur = Mail {
                from: addr(&cmd[10..]),
                ..Default::default()
            };
            b"250 OK\r\n"
        } else if up.starts_with("RCPT TO:") {
            let a = addr(&cmd[8..]);
            if a.contains("refuse") {
                b"550 5.1.1 no such mailbox\r\n"
            } else if a.contains("later") {
                b"451 4.3.0 try again later\r\n"
            } else {
                cur.to.push(a);
                b"250 OK\r\n"
            }
        } else if up == "DATA" {
            w.write_all(b"354 go ahead\r\n").await?;
            let drop_it = cur.to.iter().any(|a| a.contains("drop"));
            loop {
                if drop_it && cur.data.len() > 200 {
                    // The connection goes away mid-message: nothing was accepted.
                    return Ok(());
                }
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                cur.data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            store.lock().unwrap().push(std::mem::take(&mut cur));
            b"250 OK queued\r\n"
        } else if up == "RSET" {
            cur = Mail::default();
            b"250 OK\r\n"
        } else if up == "NOOP" {
            b"250 OK\r\n"
        } else if up == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        w.write_all(reply).await?;
    }
}
