//! A forwarding HTTP/1.1 proxy in front of a real server (the tests' Prefect),
//! for fault injection: every request goes through unchanged, except those
//! matching a rule, which hang before reaching the server, hang after the
//! server did the work (the answer is never delivered), or fail with a status.
//! Requests are recorded, so a test waits for the one it means to stop at.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Never forwarded, never answered.
    HangBefore,
    /// Forwarded and carried out (answered 2xx); the answer is never
    /// delivered. A request the server refused is answered as it was.
    HangAfter,
    /// Answered with this status and `{"detail": "injected fault"}`.
    Fail(u16),
}

struct Rule {
    method: String,
    path_prefix: String,
    mode: Mode,
    /// Matching requests that still go through before the rule applies.
    spare: usize,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    /// (method, path, mode applied) of every request, in order.
    seen: Vec<(String, String, Option<Mode>)>,
}

pub struct FaultProxy {
    /// The proxied API URL, e.g. `http://127.0.0.1:PORT/api`.
    pub url: String,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl FaultProxy {
    /// A proxy for the API at `upstream` (`http://127.0.0.1:PORT/api`).
    pub fn start(upstream: &str) -> FaultProxy {
        let rest = upstream.strip_prefix("http://").expect("an http URL");
        let (authority, base) = rest.split_once('/').map_or((rest, ""), |(a, b)| (a, b));
        let authority = authority.to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/{base}", listener.local_addr().unwrap());
        let state: Arc<(Mutex<State>, Condvar)> = Arc::default();
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (st, authority) = (st.clone(), authority.clone());
                std::thread::spawn(move || serve(stream, &authority, &st));
            }
        });
        FaultProxy { url, state }
    }

    /// Requests `METHOD path…` (path after the host, e.g. `/api/deployments/`)
    /// suffer `mode` from now on.
    pub fn on(&self, method: &str, path_prefix: &str, mode: Mode) {
        self.on_after(method, path_prefix, 0, mode);
    }

    /// As [`FaultProxy::on`], after `spare` matching requests went through
    /// (e.g. a pause passes and the resume that follows fails).
    pub fn on_after(&self, method: &str, path_prefix: &str, spare: usize, mode: Mode) {
        let rule = Rule { method: method.into(), path_prefix: path_prefix.into(), mode, spare };
        self.state.0.lock().unwrap().rules.push(rule);
    }

    /// Every request goes through again.
    pub fn clear(&self) {
        self.state.0.lock().unwrap().rules.clear();
    }

    /// Blocks until a request met a rule with `mode` (at most 60 s).
    pub fn wait_for(&self, mode: Mode) -> (String, String) {
        let (lock, cv) = &*self.state;
        let guard = lock.lock().unwrap();
        let (guard, timeout) = cv
            .wait_timeout_while(guard, std::time::Duration::from_secs(60), |s| {
                !s.seen.iter().any(|(_, _, m)| *m == Some(mode))
            })
            .unwrap();
        assert!(!timeout.timed_out(), "no request met the {mode:?} rule; seen: {:?}", guard.seen);
        let (m, p, _) = guard.seen.iter().find(|(_, _, m)| *m == Some(mode)).unwrap();
        (m.clone(), p.clone())
    }
}

fn record(state: &Arc<(Mutex<State>, Condvar)>, method: &str, path: &str, mode: Option<Mode>) {
    let (lock, cv) = &**state;
    lock.lock().unwrap().seen.push((method.into(), path.into(), mode));
    cv.notify_all();
}

/// Reads one request: its head lines and body.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<String>, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
            break;
        }
        headers.push(h.trim_end().to_string());
    }
    let len = headers
        .iter()
        .find_map(|h| h.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some((line.trim_end().to_string(), headers, body))
}

/// Waits until the client goes away, answering nothing.
fn hold(mut client: TcpStream) {
    let mut sink = [0u8; 1024];
    while matches!(client.read(&mut sink), Ok(n) if n > 0) {}
}

fn serve(client: TcpStream, upstream: &str, state: &Arc<(Mutex<State>, Condvar)>) {
    let Ok(clone) = client.try_clone() else { return };
    let mut reader = BufReader::new(clone);
    let Some((request_line, headers, body)) = read_request(&mut reader) else { return };
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or_default().to_string(), parts.next().unwrap_or_default().to_string());
    let mode = {
        let mut s = state.0.lock().unwrap();
        match s.rules.iter_mut().find(|r| r.method == method && path.starts_with(&r.path_prefix)) {
            Some(r) if r.spare > 0 => {
                r.spare -= 1;
                None
            }
            Some(r) => Some(r.mode),
            None => None,
        }
    };
    if let Some(Mode::Fail(code)) = mode {
        record(state, &method, &path, mode);
        let text = r#"{"detail":"injected fault"}"#;
        let head = format!(
            "HTTP/1.1 {code} Injected\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            text.len()
        );
        let mut client = client;
        let _ = client.write_all(head.as_bytes()).and_then(|_| client.write_all(text.as_bytes()));
        return;
    }
    if mode == Some(Mode::HangBefore) {
        record(state, &method, &path, mode);
        return hold(client);
    }
    // Forward with `connection: close`, so the answer ends at EOF.
    let Ok(mut up) = TcpStream::connect(upstream) else { return };
    let mut head = format!("{request_line}\r\n");
    for h in headers.iter().filter(|h| {
        let k = h.split_once(':').map_or("", |(k, _)| k.trim());
        !k.eq_ignore_ascii_case("connection") && !k.eq_ignore_ascii_case("host")
    }) {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str(&format!("host: {upstream}\r\nconnection: close\r\n\r\n"));
    if up.write_all(head.as_bytes()).and_then(|_| up.write_all(&body)).is_err() {
        return;
    }
    let mut answer = Vec::new();
    if up.read_to_end(&mut answer).is_err() {
        return;
    }
    // Only a request the server carried out is held: a refusal (Prefect's
    // 503 when it is busy) goes back, and the client's retry meets the rule.
    let carried_out = answer.starts_with(b"HTTP/1.1 2") || answer.starts_with(b"HTTP/1.0 2");
    let mode = mode.filter(|m| *m != Mode::HangAfter || carried_out);
    record(state, &method, &path, mode);
    if mode == Some(Mode::HangAfter) {
        return hold(client);
    }
    let mut client = client;
    let _ = client.write_all(&answer);
}
