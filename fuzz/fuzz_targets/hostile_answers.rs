//! A hostile org: whatever pages, redirects and bodies a server answers a query with (next
//! pages pointing at other hosts, at themselves, at `..`, forever; 301 to 308 redirects; raw
//! bytes), the client never panics, never sends anything to another origin, stops within its
//! page and record bounds, and never shows the token in an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logik_refresh::redacted::Secret;
use logik_refresh::salesforce::client::BatchRead;
use logik_refresh::salesforce::paging::{MAX_QUERY_PAGES, MAX_QUERY_RECORDS};
use logik_refresh::salesforce::{Client, Connection};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

const TOKEN: &str = "00D5e000000AbCd!AQ4AQFuzzHostileTokenValue";
const MAX_RETRIES: u64 = 2;

/// What the org server answers next, in order; when they run out, `ENDLESS` says whether it
/// invents fresh pages forever or answers 404.
static SCRIPT: Mutex<VecDeque<Vec<u8>>> = Mutex::new(VecDeque::new());
static ENDLESS: AtomicUsize = AtomicUsize::new(0);
/// Connections the other origin received: must stay 0.
static FOREIGN_HITS: AtomicUsize = AtomicUsize::new(0);
/// The client port of the last connection the other origin accepted.
static FOREIGN_LAST_PEER: AtomicUsize = AtomicUsize::new(0);

struct Ports {
    org: u16,
    foreign: u16,
}

fn ports() -> &'static Ports {
    static PORTS: OnceLock<Ports> = OnceLock::new();
    PORTS.get_or_init(|| {
        // SAFETY: set once, before any client or thread of this process reads them.
        unsafe {
            std::env::set_var("LOGIK_REFRESH_MAX_RETRIES", MAX_RETRIES.to_string());
            std::env::set_var("LOGIK_REFRESH_RETRY_BASE_MS", "0");
            std::env::set_var("LOGIK_REFRESH_HTTP_TIMEOUT_MS", "5000");
        }
        Secret::new(TOKEN).hold();
        let org = TcpListener::bind("127.0.0.1:0").unwrap();
        let foreign = TcpListener::bind("127.0.0.1:0").unwrap();
        let ports = Ports {
            org: org.local_addr().unwrap().port(),
            foreign: foreign.local_addr().unwrap().port(),
        };
        std::thread::spawn(move || {
            for stream in org.incoming().flatten() {
                serve(stream);
            }
        });
        std::thread::spawn(move || {
            for stream in foreign.incoming().flatten() {
                FOREIGN_HITS.fetch_add(1, Ordering::SeqCst);
                let peer = stream.peer_addr().map(|a| a.port()).unwrap_or(0);
                FOREIGN_LAST_PEER.store(usize::from(peer), Ordering::SeqCst);
                drop(stream);
            }
        });
        ports
    })
}

/// Reads one request (head and body) and answers the next scripted answer.
fn serve(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 8192];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let head_end = request.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < head_end + length {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let next = SCRIPT.lock().unwrap().pop_front();
    let answer = next.unwrap_or_else(|| {
        let n = ENDLESS.load(Ordering::SeqCst);
        if n == 0 {
            return http(404, &[], br#"[{"errorCode":"NOT_FOUND","message":"none"}]"#);
        }
        ENDLESS.store(n + 1, Ordering::SeqCst);
        let next = format!("/services/data/v62.0/query/01gENDLESS-{n}");
        http(200, &[], &page(2000, Some(&next)))
    });
    let _ = stream.write_all(&answer);
}

fn http(status: u16, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn page(rows: usize, next: Option<&str>) -> Vec<u8> {
    let records: Vec<serde_json::Value> = (0..rows)
        .map(|i| serde_json::json!({"attributes": {"type": "User"}, "Id": format!("005{i:012}")}))
        .collect();
    let mut page = serde_json::json!({"totalSize": rows, "done": next.is_none(), "records": records});
    if let Some(next) = next {
        page["nextRecordsUrl"] = next.into();
    }
    serde_json::to_vec(&page).unwrap()
}

/// The answers a fuzz input stands for.
fn script(data: &[u8], ports: &Ports) -> Vec<Vec<u8>> {
    let (org, foreign) = (ports.org, ports.foreign);
    let mut answers = Vec::new();
    let mut i = 0;
    while i + 1 < data.len() && answers.len() < 40 {
        let (op, n) = (data[i], data[i + 1]);
        i += 2;
        let rows = usize::from(n % 16) * usize::from(1 + n / 16);
        let k = answers.len();
        let next = match op % 14 {
            0 => None,
            1 => Some(format!("/services/data/v62.0/query/01gFUZZ-{k}")),
            2 => Some("/services/data/v62.0/query/01gFUZZ-1".to_string()),
            3 => Some(format!(
                "http://127.0.0.1:{foreign}/services/data/v62.0/query/01g-{k}?sid=x"
            )),
            4 => Some(format!("//127.0.0.1:{foreign}/services/data/v62.0/query/01g")),
            5 => Some(format!(
                "http://127.0.0.1:{org}/services/data/v62.0/query/01gABS-{k}"
            )),
            6 => Some(format!("http://user:pw@127.0.0.1:{org}/services/data/v62.0/query/x")),
            7 => Some(format!("/services/data/v62.0/query/..%2F..%2F{k}/../x/%2e%2e/y")),
            8 => Some(format!("https://127.0.0.1:{org}/services/data/v62.0/query/01g")),
            9 => Some(format!("http://localhost:{org}/services/data/v62.0/query/01g")),
            10 => {
                let status = [301, 302, 303, 307, 308][usize::from(n) % 5];
                let location = if n & 0x80 == 0 {
                    format!("http://127.0.0.1:{foreign}/services/data/v62.0/query/r")
                } else {
                    format!("/services/data/v62.0/query/01gREDIR-{k}")
                };
                answers.push(http(status, &[("Location", location)], b"[]"));
                continue;
            }
            11 => {
                let end = (i + usize::from(n)).min(data.len());
                answers.push(http(200, &[], &data[i..end]));
                i = end;
                continue;
            }
            12 => {
                let status = 400 + u16::from(n % 200);
                answers.push(http(status, &[], br#"[{"errorCode":"X","message":"m"}]"#));
                continue;
            }
            _ => Some(String::from_utf8_lossy(&data[i..(i + usize::from(n % 64)).min(data.len())]).into_owned()),
        };
        answers.push(http(200, &[], &page(rows, next.as_deref())));
    }
    answers
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let ports = ports();
    let mut answers = script(rest, ports);
    let composite = mode & 1 == 1;
    if composite && let Some(first) = answers.first_mut() {
        // The first page comes inside a composite's subrequest answer.
        let text = String::from_utf8_lossy(first).into_owned();
        if let Some((_, body)) = text.split_once("\r\n\r\n")
            && let Ok(page) = serde_json::from_str::<serde_json::Value>(body)
        {
            let wrapped = serde_json::json!({"compositeResponse": [
                {"referenceId": "read0", "httpStatusCode": 200, "body": page}
            ]});
            *first = http(200, &[], &serde_json::to_vec(&wrapped).unwrap());
        }
    }
    *SCRIPT.lock().unwrap() = answers.into();
    ENDLESS.store(usize::from(mode == 0xFF), Ordering::SeqCst);
    FOREIGN_HITS.store(0, Ordering::SeqCst);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::new(Connection {
        instance_url: format!("http://127.0.0.1:{}/", ports.org).parse().unwrap(),
        api_version: Some("62.0".into()),
        access_token: Secret::new(TOKEN),
        refresh: None,
        fallback: None,
        username: None,
    })
    .unwrap();
    let outcome = runtime.block_on(async {
        if composite {
            let reads = [BatchRead::Query("SELECT Id FROM User".into())];
            match client.get_batch(false, &reads).await {
                Ok(mut answers) => answers.pop().unwrap().map(|v| match v {
                    serde_json::Value::Array(rows) => rows.len(),
                    _ => 0,
                }),
                Err(err) => Err(err),
            }
        } else {
            client.query("SELECT Id FROM User").await.map(|rows| rows.len())
        }
    });
    match outcome {
        Ok(rows) => assert!(rows <= MAX_QUERY_RECORDS),
        Err(err) => {
            assert!(!err.message.contains(TOKEN), "the token in {}", err.message);
            assert!(!err.message.contains("sid=x"), "a foreign query in {}", err.message);
        }
    }
    let bound = (MAX_QUERY_PAGES as u64 + 1) * (MAX_RETRIES + 1);
    assert!(client.request_count() <= bound, "{} requests", client.request_count());
    // A marker connection of our own: once it is accepted, every earlier one was (in order).
    let marker = TcpStream::connect(("127.0.0.1", ports.foreign)).unwrap();
    let port = usize::from(marker.local_addr().unwrap().port());
    while FOREIGN_LAST_PEER.load(Ordering::SeqCst) != port {
        std::thread::yield_now();
    }
    drop(marker);
    assert_eq!(FOREIGN_HITS.load(Ordering::SeqCst), 1, "a request went to another origin");
    SCRIPT.lock().unwrap().clear();
});
