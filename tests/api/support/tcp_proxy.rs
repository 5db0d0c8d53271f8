//! A loopback TCP proxy that can be cut, restored and slowed down, to simulate a
//! database outage or a slow database without touching the shared database server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy's handle shares with its accept loop.
#[derive(Debug, Clone)]
struct Controls {
    up: Arc<AtomicBool>,
    latency_ms: Arc<AtomicU64>,
    delayed_chunks: Arc<AtomicU64>,
    cut: watch::Sender<u64>,
}

/// Forwards connections from a local port to `upstream` while up.
#[derive(Debug)]
pub struct TcpProxy {
    address: SocketAddr,
    controls: Controls,
    task: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    /// Starts a proxy on `127.0.0.1:0` to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|error| panic!("proxy bind failed: {error}"));
        let address =
            listener.local_addr().unwrap_or_else(|error| panic!("proxy address unknown: {error}"));
        let controls = Controls {
            up: Arc::new(AtomicBool::new(true)),
            latency_ms: Arc::new(AtomicU64::new(0)),
            delayed_chunks: Arc::new(AtomicU64::new(0)),
            cut: watch::channel(0u64).0,
        };
        let task = tokio::spawn(accept_loop(listener, upstream, controls.clone()));
        Self { address, controls, task }
    }

    /// Starts a proxy in front of the PostgreSQL server of `database_url`, and answers
    /// it with the same URL pointed at the proxy.
    pub async fn in_front_of(database_url: &str) -> (Self, String) {
        let mut url = url::Url::parse(database_url).unwrap_or_else(|error| panic!("{error}"));
        let upstream = tokio::net::lookup_host(format!(
            "{}:{}",
            url.host_str().unwrap_or("127.0.0.1"),
            url.port().unwrap_or(5432)
        ))
        .await
        .ok()
        .and_then(|mut addresses| addresses.find(SocketAddr::is_ipv4))
        .unwrap_or_else(|| panic!("cannot resolve the PostgreSQL host"));
        let proxy = Self::start(upstream).await;
        let _ = url.set_host(Some("127.0.0.1"));
        let _ = url.set_port(Some(proxy.address().port()));
        (proxy, url.to_string())
    }

    /// The proxy's own address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Drops every open connection and refuses new ones until [`TcpProxy::restore`].
    pub fn cut(&self) {
        self.controls.up.store(false, Ordering::SeqCst);
        self.controls.cut.send_modify(|generation| *generation += 1);
    }

    /// Forwards new connections again.
    pub fn restore(&self) {
        self.controls.up.store(true, Ordering::SeqCst);
    }

    /// Delays every chunk the upstream sends back by `latency`, like a slow database.
    pub fn set_latency(&self, latency: Duration) {
        let millis = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.controls.latency_ms.store(millis, Ordering::SeqCst);
    }

    /// Waits until a reply from upstream is being held back by the latency, which
    /// means a request is in flight. Panics after 5 s.
    pub async fn wait_until_holding_a_reply(&self) {
        let started = std::time::Instant::now();
        while self.controls.delayed_chunks.load(Ordering::SeqCst) == 0 {
            assert!(started.elapsed() < Duration::from_secs(5), "no request reached the database");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, controls: Controls) {
    while let Ok((client, _)) = listener.accept().await {
        if !controls.up.load(Ordering::SeqCst) {
            drop(client);
            continue;
        }
        tokio::spawn(forward(client, upstream, controls.clone()));
    }
}

async fn forward(client: TcpStream, upstream: SocketAddr, controls: Controls) {
    let mut cut_signal = controls.cut.subscribe();
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let towards_server = tokio::io::copy(&mut client_read, &mut server_write);
    let towards_client = async {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let read = match server_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            };
            let delay = controls.latency_ms.load(Ordering::SeqCst);
            if delay > 0 {
                controls.delayed_chunks.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            if client_write.write_all(&buffer[..read]).await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        _ = towards_server => {}
        () = towards_client => {}
        _ = cut_signal.changed() => {}
    }
}
