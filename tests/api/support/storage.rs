//! Looking straight into a test server's database, for what no endpoint shows: that
//! erasing an account leaves nothing of it behind.

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, Value};

/// Every table with an `account_id` column, plus `accounts` itself (by `id`), with
/// how many rows in it belong to `account_id`. Discovered from the schema, so tables
/// added by later migrations are covered without anyone listing them.
pub async fn rows_belonging_to(database_url: &str, account_id: uuid::Uuid) -> Vec<(String, i64)> {
    let connection = Database::connect(database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let tables: Vec<String> = match backend {
        DbBackend::Postgres => connection
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'account_id'",
            ))
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<String>("", "table_name").unwrap())
            .collect(),
        _ => connection
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT m.name AS table_name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'account_id'",
            ))
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get::<String>("", "table_name").unwrap())
            .collect(),
    };
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let mut counts = Vec::new();
    let mut queries: Vec<(String, String)> = tables
        .into_iter()
        .map(|table| {
            (
                table.clone(),
                format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE account_id = {placeholder}"),
            )
        })
        .collect();
    queries.push((
        "accounts".to_owned(),
        format!("SELECT COUNT(*) AS n FROM accounts WHERE id = {placeholder}"),
    ));
    for (table, sql) in queries {
        let row = connection
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [Value::from(account_id)]))
            .await
            .unwrap()
            .unwrap();
        counts.push((table, row.try_get::<i64>("", "n").unwrap()));
    }
    let _ = connection.close().await;
    counts.sort();
    counts
}

/// How many sign-in attempts are counted for `email` (keyed by its digest).
pub async fn sign_in_attempts_recorded(database_url: &str, email: &str) -> i64 {
    let connection = Database::connect(database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let digest = waymark_domain::identity::secret::SecretDigest::of(email);
    let row = connection
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT COALESCE(SUM(failures), 0) AS n FROM sign_in_failures WHERE email_digest = {placeholder}"),
            [Value::from(digest.as_str().to_owned())],
        ))
        .await
        .unwrap()
        .unwrap();
    let _ = connection.close().await;
    row.try_get::<i64>("", "n")
        .unwrap_or_else(|_| i64::from(row.try_get::<i32>("", "n").unwrap_or_default()))
}

/// Everything stored for idempotent replays (headers and bodies), as text, to look
/// for secrets that must never be kept.
pub async fn stored_replays(database_url: &str) -> Vec<String> {
    let connection = Database::connect(database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let rows = connection
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT response_headers, response_body FROM idempotency_records",
        ))
        .await
        .unwrap();
    let _ = connection.close().await;
    rows.iter()
        .map(|row| {
            let headers: Option<serde_json::Value> = row.try_get("", "response_headers").unwrap();
            let body: Option<Vec<u8>> = row.try_get("", "response_body").unwrap();
            format!(
                "{} {}",
                headers.unwrap_or_default(),
                String::from_utf8_lossy(&body.unwrap_or_default())
            )
        })
        .collect()
}

/// Who every stored idempotency key belongs to.
pub async fn idempotency_callers(database_url: &str) -> Vec<String> {
    let connection = Database::connect(database_url).await.unwrap();
    let backend = connection.get_database_backend();
    let rows = connection
        .query_all_raw(Statement::from_string(backend, "SELECT caller FROM idempotency_records"))
        .await
        .unwrap();
    let _ = connection.close().await;
    rows.iter().map(|row| row.try_get::<String>("", "caller").unwrap()).collect()
}
