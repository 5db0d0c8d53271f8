//! A loopback TCP proxy that can be cut and restored, to simulate a database outage
//! without stopping the shared database server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Forwards connections from a local port to `upstream` while up.
#[derive(Debug)]
pub struct TcpProxy {
    address: SocketAddr,
    up: Arc<AtomicBool>,
    latency_ms: Arc<AtomicU64>,
    cut: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    /// Starts a proxy on `127.0.0.1:0` to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|error| panic!("proxy bind failed: {error}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("proxy address unknown: {error}"));
        let up = Arc::new(AtomicBool::new(true));
        let latency_ms = Arc::new(AtomicU64::new(0));
        let (cut, _) = watch::channel(0u64);
        let task = tokio::spawn(accept_loop(
            listener,
            upstream,
            up.clone(),
            latency_ms.clone(),
            cut.clone(),
        ));
        Self {
            address,
            up,
            latency_ms,
            cut,
            task,
        }
    }

    /// The proxy's own address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Drops every open connection and refuses new ones until [`TcpProxy::restore`].
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|generation| *generation += 1);
    }

    /// Delays every chunk the upstream sends back by `latency`, like a slow database.
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms.store(
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            Ordering::SeqCst,
        );
    }

    /// Forwards new connections again.
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    up: Arc<AtomicBool>,
    latency_ms: Arc<AtomicU64>,
    cut: watch::Sender<u64>,
) {
    while let Ok((client, _)) = listener.accept().await {
        if !up.load(Ordering::SeqCst) {
            drop(client);
            continue;
        }
        let mut cut_signal = cut.subscribe();
        let latency_ms = latency_ms.clone();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            let upstream_bound = tokio::io::copy(&mut client_read, &mut server_write);
            let downstream = async {
                let mut buffer = vec![0u8; 16 * 1024];
                loop {
                    let read = match server_read.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,
                        Ok(read) => read,
                    };
                    let delay = latency_ms.load(Ordering::SeqCst);
                    if delay > 0 {
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                    }
                    if client_write.write_all(&buffer[..read]).await.is_err() {
                        break;
                    }
                }
            };
            tokio::select! {
                _ = upstream_bound => {}
                () = downstream => {}
                _ = cut_signal.changed() => {}
            }
        });
    }
}
