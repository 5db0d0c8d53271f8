//! Password hashing and verification, kept off the HTTP workers and bounded.
//!
//! Argon2id is deliberately expensive (about 19 MiB and tens of milliseconds of CPU
//! per attempt). Each attempt runs on the blocking thread pool, never on an async
//! worker, and at most `concurrency` run at once: a burst of sign-ins queues (without
//! holding a worker) instead of taking every core from other requests.

use std::sync::Arc;

use tokio::sync::Semaphore;

use waymark_domain::identity::ports::PasswordHasher;
use waymark_domain::identity::{NewPassword, PasswordHash};
use waymark_domain::ports::StoreError;

use crate::error::ApiError;

/// Runs password work with bounded concurrency.
#[derive(Debug)]
pub struct PasswordWork {
    permits: Arc<Semaphore>,
    concurrency: usize,
}

impl PasswordWork {
    /// At most `concurrency` hashes at once (at least one).
    #[must_use]
    pub fn new(concurrency: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self { permits: Arc::new(Semaphore::new(concurrency)), concurrency }
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
        let permit = Arc::clone(&self.permits).acquire_owned().await.map_err(|error| {
            ApiError::Internal(anyhow::anyhow!("password work is closed: {error}"))
        })?;
        // The permit moves into the job, so it is held until the hash finishes even
        // when the request that asked for it has timed out and gone away.
        actix_web::web::block(move || {
            let outcome = job();
            drop(permit);
            outcome
        })
        .await
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("password work did not run: {error}")))
    }
}

#[async_trait::async_trait]
impl PasswordHasher for PasswordWork {
    async fn hash(&self, password: NewPassword) -> Result<PasswordHash, StoreError> {
        self.run(move || PasswordHash::of(&password))
            .await
            .map_err(not_run)?
            .map_err(|error| StoreError::Unexpected(error.into()))
    }

    async fn verify(&self, hash: PasswordHash, candidate: String) -> Result<bool, StoreError> {
        self.run(move || hash.verify(&candidate)).await.map_err(not_run)
    }
}

/// The password work could not run at all (the server is stopping), with its cause.
fn not_run(error: ApiError) -> StoreError {
    match error {
        ApiError::Internal(cause) => StoreError::Unexpected(cause),
        other => StoreError::Unexpected(anyhow::Error::new(other)),
    }
}
