//! A CONNECT proxy on loopback, as a corporate network puts one between a machine and
//! Salesforce: it opens a tunnel for `CONNECT host:port` (HTTP/1.1, RFC 9110 section 9.3.6),
//! optionally only for a client that authenticates with Basic credentials
//! (`Proxy-Authorization`, else `407` with `Proxy-Authenticate`, RFC 9110 section 11.7), or
//! refuses every tunnel (`403`). Like a real proxy it resolves the names itself: every tunnel
//! goes to one upstream address (the emulator), whatever name was asked for.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the proxy behaves.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    /// Where every tunnel goes.
    pub upstream: SocketAddr,
    /// `(user, password)` a client must present; `None`: no authentication.
    pub credentials: Option<(String, String)>,
    /// Refuse every CONNECT with 403 (a proxy whose policy blocks the destination).
    pub refuse: bool,
}

/// One CONNECT the proxy received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyRequest {
    /// `host:port` as asked for.
    pub target: String,
    /// What the proxy answered (200 tunnel opened, 403, 407).
    pub status: u16,
}

/// A running proxy. Dropping it stops it.
pub struct ConnectProxy {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<ProxyRequest>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ConnectProxy {
    /// Binds a free port on 127.0.0.1 and serves on a thread of its own.
    pub fn start(opts: ProxyOptions) -> std::io::Result<ConnectProxy> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let for_thread = log.clone();
        let opts = Arc::new(opts);
        let thread = std::thread::Builder::new()
            .name(format!("connect-proxy-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    loop {
                        tokio::select! {
                            _ = &mut rx => break,
                            accepted = listener.accept() => {
                                let Ok((stream, _)) = accepted else { continue };
                                let (log, opts) = (for_thread.clone(), opts.clone());
                                tokio::spawn(async move {
                                    let _ = tokio::time::timeout(
                                        Duration::from_secs(60),
                                        tunnel(stream, &opts, &log),
                                    )
                                    .await;
                                });
                            }
                        }
                    }
                });
            })?;
        Ok(ConnectProxy {
            addr,
            log,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, without credentials.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The CONNECTs received so far, in order.
    pub fn requests(&self) -> Vec<ProxyRequest> {
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The most of a request head the proxy reads.
const MAX_HEAD: usize = 16 * 1024;

async fn tunnel(
    mut client: tokio::net::TcpStream,
    opts: &ProxyOptions,
    log: &Mutex<Vec<ProxyRequest>>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    let end = loop {
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if head.len() > MAX_HEAD {
            return client
                .write_all(b"HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n")
                .await;
        }
        let n = client.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    };
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (
        request_line.next().unwrap_or_default(),
        request_line.next().unwrap_or_default().to_string(),
    );
    if method != "CONNECT" {
        return client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await;
    }
    let presented = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_string())
    });
    let authorized = match &opts.credentials {
        None => true,
        Some((user, password)) => {
            presented.as_deref()
                == Some(
                    format!("Basic {}", base64(format!("{user}:{password}").as_bytes())).as_str(),
                )
        }
    };
    let status = match (authorized, opts.refuse) {
        (false, _) => 407,
        (true, true) => 403,
        (true, false) => 200,
    };
    log.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(ProxyRequest { target, status });
    match status {
        407 => {
            client
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corporate\"\r\nContent-Length: 0\r\n\r\n")
                .await
        }
        403 => {
            client
                .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                .await
        }
        _ => {
            let mut upstream = tokio::net::TcpStream::connect(opts.upstream).await?;
            client
                .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                .await?;
            upstream.write_all(&head[end..]).await?;
            tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
            Ok(())
        }
    }
}

/// Standard base64 with padding (RFC 4648 section 4), as Basic credentials are encoded.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ] {
            assert_eq!(super::base64(plain.as_bytes()), encoded);
        }
    }
}
