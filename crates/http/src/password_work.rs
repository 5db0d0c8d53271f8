//! Password hashing and verification, kept off the HTTP workers and bounded.
//!
//! Argon2id is deliberately expensive (about 19 MiB and tens of milliseconds of CPU
//! per attempt). Each attempt runs on the blocking thread pool, never on an async
//! worker, and at most `concurrency` run at once: a burst of sign-ins queues (without
//! holding a worker) instead of taking every core from other requests.

use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Runs password work with bounded concurrency.
#[derive(Debug)]
pub struct PasswordWork {
    permits: Semaphore,
    concurrency: usize,
}

impl PasswordWork {
    /// At most `concurrency` hashes at once (at least one).
    #[must_use]
    pub fn new(concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            permits: Semaphore::new(concurrency),
            concurrency,
        }
    }

    /// One fewer than the cores, so at least one core is always left for requests.
    #[must_use]
    pub fn default_concurrency() -> usize {
        std::thread::available_parallelism().map_or(1, |cores| cores.get().saturating_sub(1).max(1))
    }

    /// How many hashes may run at once.
    #[must_use]
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// Runs `job` on the blocking pool once a permit is free.
    ///
    /// # Errors
    /// [`ApiError::Internal`] if the job could not run (the pool is shutting down).
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.permits.acquire().await.map_err(|error| {
            ApiError::Internal(anyhow::anyhow!("password work is closed: {error}"))
        })?;
        actix_web::web::block(job).await.map_err(|error| {
            ApiError::Internal(anyhow::anyhow!("password work did not run: {error}"))
        })
    }
}
