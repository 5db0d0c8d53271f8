//! The real `waymark` binary as a child process: started on a free loopback port and
//! waited for until ready, then killed (SIGKILL) or asked to stop (SIGTERM) on demand.
//! A server still running when its value is dropped is killed, so a failing test
//! leaves no process behind.

use std::fs::OpenOptions;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::store::Store;

/// How long a server may take from spawn to a 200 from `/health/ready`.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// A running `waymark serve`.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The port it listens on.
    pub port: u16,
    log_path: std::path::PathBuf,
}

impl ServerProcess {
    /// Starts `waymark serve` on `store` with `extra` arguments and waits until it
    /// answers `/health/ready` with 200. Panics with the server's log if it exits or
    /// is not ready in time.
    pub async fn start(store: &Store, extra: &[&str]) -> Self {
        let port = free_port();
        let base_url = format!("http://127.0.0.1:{port}");
        let log_path = store.log_path();
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap_or_else(|error| panic!("cannot open {}: {error}", log_path.display()));
        let log_for_stderr =
            log.try_clone().unwrap_or_else(|error| panic!("cannot share the log file: {error}"));
        let data_dir = store.data_dir();
        let mut command = Command::new(env!("CARGO_BIN_EXE_waymark"));
        command
            .arg("serve")
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(["--database-url", store.database_url()])
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["--public-url", &base_url])
            .args(["--rate-limit-per-minute", "1000000"])
            .args(["--credentials-rate-limit-per-minute", "1000000"])
            .args(["--no-starter-content", "--log", "warn", "--log-format", "json"])
            .args(extra)
            // So that any log line that would carry a backtrace does, and tests see it.
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_for_stderr);
        // Only the arguments above configure the server, whatever the caller's shell holds.
        command.env_remove("DATABASE_URL");
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("WAYMARK_") {
                command.env_remove(name);
            }
        }
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start the waymark binary: {error}"));
        let mut server = Self { child, base_url, port, log_path };
        server.wait_until_ready().await;
        server
    }

    /// The operating system's id of the process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process at once (SIGKILL, as `kill -9`) and reaps it.
    pub fn kill_hard(&mut self) {
        self.child.kill().unwrap_or_else(|error| panic!("SIGKILL failed: {error}"));
        let _ = self.child.wait();
    }

    /// Sends SIGTERM through the `kill` command, as an orchestrator would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap_or_else(|error| panic!("cannot run kill: {error}"));
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// Waits up to `limit` for the process to exit and answers its status, or `None`
    /// if it is still running.
    pub async fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() >= deadline => return None,
                Ok(None) => tokio::time::sleep(Duration::from_millis(10)).await,
                Err(error) => panic!("cannot wait for the server: {error}"),
            }
        }
    }

    /// Everything the server (and any earlier server on the same store) has logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    async fn wait_until_ready(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap_or_else(|error| panic!("no HTTP client: {error}"));
        let ready = format!("{}/health/ready", self.base_url);
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited with {status} before it was ready:\n{}", self.log());
            }
            if let Ok(response) = client.get(&ready).send().await
                && response.status() == reqwest::StatusCode::OK
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server was not ready within {READY_WITHIN:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A loopback port nothing listens on right now: bound by the system, then released.
/// Another process could take it before the server binds; the server then fails to
/// start and the test says so with the server's log.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|error| panic!("no free port: {error}"))
}
