//! A test employment platform on 127.0.0.1 that implements the contract
//! (`platform-api.md`): feeds with cursors, `removed`, `410 Gone` for
//! forgotten cursors; submissions with bearer tokens and idempotency keys;
//! and faults injected on demand — 500, 401, 429 with `Retry-After`,
//! garbage, truncated bodies, connections dropped mid-body, a slow trickle.
//! Plain HTTP/1.1 on std threads, one request per connection.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// A fault for the next matching request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// No fault: the request is served (to aim at a later request).
    Pass,
    Status(u16),
    /// 429 with `Retry-After: n` seconds.
    TooMany(u64),
    /// 503 with `Retry-After: n` seconds (a platform under maintenance).
    Unavailable(u64),
    /// 200 with an HTML error page.
    Garbage,
    /// `Content-Length` of the whole page, then half of it and a close.
    Truncated,
    /// The request is processed, then the connection closes without an answer.
    DropAfterProcessing,
    /// The answer trickles out a byte at a time, slower than any timeout.
    Trickle,
}

/// One entry of a feed's change log.
pub type Change = Result<(String, String), String>;

#[derive(Default)]
pub struct State {
    /// Change log per feed: `Ok((identifier, record as JSON))` upserts,
    /// `Err(identifier)` removals. Records are kept serialised, as a real
    /// platform's store would serve them, so pages cost little to build.
    pub log: HashMap<String, Vec<Change>>,
    /// Cursors of an earlier epoch get 410 (bump it to forget them all).
    pub epoch: usize,
    pub token: String,
    /// Faults for requests whose path starts with the key, in order.
    pub faults: VecDeque<(String, Fault)>,
    /// First answers by idempotency key: (status, body).
    pub answered: HashMap<String, (u16, String)>,
    /// Submissions accepted (first time per key): (path, body).
    pub accepted: Vec<(String, Value)>,
    /// Postings closed for applications.
    pub closed: Vec<String>,
    /// Snapshots already computed: (feed, log position) → records in order.
    pub snapshots: HashMap<(String, usize), std::sync::Arc<Vec<String>>>,
    pub requests: u64,
}

#[derive(Clone)]
pub struct TestPlatform {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl TestPlatform {
    pub fn start(token: &str) -> TestPlatform {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State { token: token.into(), ..State::default() }));
        let s = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = handle(conn, &s);
                });
            }
        });
        TestPlatform { url, state }
    }

    pub fn add(&self, feed: &str, record: Value) {
        let id = record["identifier"].as_str().unwrap_or("").to_string();
        self.state.lock().unwrap().log.entry(feed.into()).or_default().push(Ok((id, record.to_string())));
    }

    pub fn remove(&self, feed: &str, id: &str) {
        self.state.lock().unwrap().log.entry(feed.into()).or_default().push(Err(id.into()));
    }

    pub fn fault(&self, path_prefix: &str, f: Fault) {
        self.state.lock().unwrap().faults.push_back((path_prefix.into(), f));
    }

    pub fn accepted(&self) -> Vec<(String, Value)> {
        self.state.lock().unwrap().accepted.clone()
    }

    /// The bodies accepted at one path (`/api/v1/applications`).
    pub fn accepted_at(&self, path: &str) -> Vec<Value> {
        self.accepted().into_iter().filter(|(p, _)| p == path).map(|(_, b)| b).collect()
    }
}

fn handle(mut conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    conn.set_nodelay(true)?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query: HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();

    let fault = {
        let mut s = state.lock().unwrap();
        s.requests += 1;
        let i = s.faults.iter().position(|(p, _)| path.starts_with(p.as_str()));
        i.and_then(|i| s.faults.remove(i)).map(|(_, f)| f)
    };
    let auth_ok = headers.get("authorization").map(String::as_str)
        == Some(format!("Bearer {}", state.lock().unwrap().token).as_str());
    let (status, answer) = match &fault {
        Some(Fault::Status(c)) => (*c, json!({"error": "injected", "message": "injected fault"}).to_string()),
        Some(Fault::TooMany(n)) => {
            return respond(&mut conn, 429, &[("Retry-After", n.to_string())], b"{\"error\":\"slow_down\"}");
        }
        Some(Fault::Unavailable(n)) => {
            return respond(
                &mut conn,
                503,
                &[("Retry-After", n.to_string())],
                b"{\"error\":\"maintenance\"}",
            );
        }
        _ if !auth_ok => (401, json!({"error": "unauthorized", "message": "bad token"}).to_string()),
        _ if method == "GET" => feed(state, path, &query),
        _ => submit(state, path, headers.get("idempotency-key").cloned().unwrap_or_default(), &body),
    };
    match fault {
        Some(Fault::Garbage) => respond(&mut conn, 200, &[], b"<html><body>502 Bad Gateway</body></html>"),
        Some(Fault::Truncated) => {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            conn.write_all(head.as_bytes())?;
            conn.write_all(&answer.as_bytes()[..answer.len() / 2])?;
            Ok(())
        }
        Some(Fault::DropAfterProcessing) => Ok(()),
        Some(Fault::Trickle) => {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            conn.write_all(head.as_bytes())?;
            for b in answer.as_bytes() {
                conn.write_all(&[*b])?;
                std::thread::sleep(Duration::from_millis(300));
            }
            Ok(())
        }
        _ => respond(&mut conn, status, &[], answer.as_bytes()),
    }
}

fn respond(conn: &mut TcpStream, status: u16, extra: &[(&str, String)], body: &[u8]) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\nDate: {}\r\n",
        body.len(),
        chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT")
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // One write: a small header segment followed by the body would wait
    // for the client's delayed ACK (Nagle), 40 ms a response.
    let mut all = head.into_bytes();
    all.extend_from_slice(body);
    conn.write_all(&all)
}

fn feed(state: &Mutex<State>, path: &str, q: &HashMap<String, String>) -> (u16, String) {
    let mut guard = state.lock().unwrap();
    let State { log, snapshots, epoch, .. } = &mut *guard;
    let epoch = *epoch;
    let name = path.trim_start_matches("/api/v1/");
    let empty = Vec::new();
    let log = log.get(name).unwrap_or(&empty);
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(1000).clamp(1, 1000);
    let gone = || (410, json!({"error": "cursor_expired", "message": "start over"}).to_string());
    let nums = |c: &str, prefix: char| -> Option<Vec<usize>> {
        c.strip_prefix(prefix)?.split('-').map(|n| n.parse().ok()).collect()
    };
    let cursor = q.get("cursor").map(String::as_str);
    // A snapshot (no cursor, or an "s" cursor): the current records in
    // identifier order, as of the log position when it started.
    let mut snapshot = |at: usize, offset: usize| {
        let live = snapshots
            .entry((name.to_string(), at))
            .or_insert_with(|| {
                let mut live: std::collections::BTreeMap<&str, &String> = Default::default();
                for c in &log[..at] {
                    match c {
                        Ok((id, v)) => {
                            live.insert(id, v);
                        }
                        Err(id) => {
                            live.remove(id.as_str());
                        }
                    }
                }
                std::sync::Arc::new(live.into_values().cloned().collect())
            })
            .clone();
        let items: Vec<&str> = live.iter().skip(offset).take(limit).map(String::as_str).collect();
        let next = offset + items.len();
        let more = next < live.len();
        let cursor = if more { format!("s{epoch}-{at}-{next}") } else { format!("e{epoch}-{at}") };
        (200, page(&items, &[], &cursor, more))
    };
    match cursor {
        None => snapshot(log.len(), 0),
        Some(c) if c.starts_with('s') => match nums(c, 's').as_deref() {
            Some([e, at, off]) if *e == epoch && *at <= log.len() => snapshot(*at, *off),
            _ => gone(),
        },
        Some(c) => match nums(c, 'e').as_deref() {
            Some([e, from]) if *e == epoch && *from <= log.len() => {
                let to = (from + limit).min(log.len());
                let mut items = Vec::new();
                let mut removed = Vec::new();
                for c in &log[*from..to] {
                    match c {
                        Ok((_, v)) => items.push(v.as_str()),
                        Err(id) => removed.push(id.clone()),
                    }
                }
                let cursor = format!("e{epoch}-{to}");
                (200, page(&items, &removed, &cursor, to < log.len()))
            }
            _ => gone(),
        },
    }
}

/// A feed page from serialised records.
fn page(items: &[&str], removed: &[String], cursor: &str, more: bool) -> String {
    let mut out = String::with_capacity(items.iter().map(|i| i.len() + 1).sum::<usize>() + 100);
    out.push_str("{\"items\":[");
    out.push_str(&items.join(","));
    out.push_str("],\"removed\":");
    out.push_str(&serde_json::to_string(removed).unwrap_or_default());
    out.push_str(&format!(
        ",\"cursor\":{},\"more\":{more}}}",
        serde_json::to_string(cursor).unwrap_or_default()
    ));
    out
}

fn submit(state: &Mutex<State>, path: &str, key: String, body: &[u8]) -> (u16, String) {
    let mut s = state.lock().unwrap();
    if let Some(first) = s.answered.get(&key) {
        return first.clone();
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return (400, json!({"error": "bad_request", "message": "not JSON"}).to_string());
    };
    let answer = if path == "/api/v1/applications" {
        let posting = v["posting_id"].as_str().unwrap_or("").to_string();
        let person = v["applicant"]["id_number"].as_str().unwrap_or("").to_string();
        let dup = s.accepted.iter().any(|(p, b)| {
            p == path && b["posting_id"] == posting.as_str() && b["applicant"]["id_number"] == person.as_str()
        });
        if s.closed.contains(&posting) {
            (409, json!({"error": "posting_closed", "message": "招满了"}).to_string())
        } else if dup {
            (409, json!({"error": "already_applied", "message": "已报过名"}).to_string())
        } else {
            s.accepted.push((path.to_string(), v));
            (
                201,
                json!({"application_id": format!("A{}", s.accepted.len()), "status": "received"}).to_string(),
            )
        }
    } else if path == "/api/v1/events" {
        s.accepted.push((path.to_string(), v));
        (202, String::new())
    } else {
        s.accepted.push((path.to_string(), v));
        (201, json!({"id": s.accepted.len()}).to_string())
    };
    s.answered.insert(key, answer.clone());
    answer
}

/// A valid posting record for the feed.
pub fn posting(i: usize) -> Value {
    json!({
        "@type": "JobPosting",
        "identifier": format!("TP-{i:06}"),
        "title": format!("装卸工{i}号（日结）"),
        "description": "负责货物装卸。",
        "datePosted": "2026-11-23T08:00:00+08:00",
        "validThrough": "2026-12-25T18:00:00+08:00",
        "jobStartDate": "2026-11-24",
        "totalJobOpenings": 5,
        "hiringOrganization": {"name": "厦门某物流有限公司", "telephone": "0592-5550123"},
        "jobLocation": {"address": {"addressLocality": "厦门市", "streetAddress": format!("湖里区港中路{i}号")},
            "geo": {"latitude": 24.50 + (i % 100) as f64 * 0.0005, "longitude": 118.13}},
        "baseSalary": {"currency": "CNY", "value": {"minValue": 180, "maxValue": 220, "unitText": "DAY"}},
        "x-gig": {"trade": "装卸搬运", "settlement": "daily", "filled": 0}
    })
}
