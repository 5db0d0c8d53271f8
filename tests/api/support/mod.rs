//! The test harness: every API test runs the real application on `127.0.0.1:0` with a
//! database of its own, on SQLite always and on PostgreSQL when
//! `WAYMARK_TEST_POSTGRES_URL` is set.

pub mod app;
pub mod database;
pub mod identity;
pub mod spec;
pub mod storage;
pub mod tcp_proxy;

pub use app::{TestApp, run_on};
pub use database::Backend;

/// Declares one API test that runs once per backend, as `name::sqlite` and
/// `name::postgres`, optionally with the test settings changed first:
///
/// ```ignore
/// api_test!(async fn live_answers_200(app) { ... });
/// api_test!(async fn metrics_need_a_token(app) with |settings| settings.metrics_token = ...; { ... });
/// ```
macro_rules! api_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) with $configure:expr; $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::support::app::run_on_with($crate::support::Backend::Sqlite, $configure, |$app| async move $body).await;
            }

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::app::run_on_with($crate::support::Backend::Postgres, $configure, |$app| async move $body).await;
            }
        }
    };
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::support::run_on($crate::support::Backend::Sqlite, |$app| async move $body).await;
            }

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::run_on($crate::support::Backend::Postgres, |$app| async move $body).await;
            }
        }
    };
}

pub(crate) use api_test;
