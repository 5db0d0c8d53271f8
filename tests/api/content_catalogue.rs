//! The content catalogue as files: the starter catalogue loads idempotently, an
//! export imports back unchanged, and an edited file updates its article, on both
//! databases.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::api_test;
use crate::support::app::test_settings;

api_test!(async fn the_catalogue_imports_idempotently_and_round_trips_through_files(app) {
    let database = waymark_persistence::Database::connect(&test_settings(&app.database_url).database()).await.unwrap();
    let ports = database.ports();
    let starter = waymark::catalogue::read(&waymark::catalogue::seed_files()).unwrap();
    let total = starter.articles.len() + starter.services.len();
    let mut seen_progress = 0;
    let first = waymark::catalogue::apply(&ports, &starter, |done, all| {
        assert_eq!(all, total);
        seen_progress = done;
    })
    .await
    .unwrap();
    assert_eq!(seen_progress, total);
    assert_eq!((first.created, first.updated, first.unchanged), (total, 0, 0));
    let again = waymark::catalogue::apply(&ports, &starter, |_, _| {}).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, total));

    let crisis: Value = app.request(Method::GET, "/v1/content/articles?topic=crisis").send().await.unwrap().json().await.unwrap();
    assert!(crisis["items"].as_array().unwrap().iter().any(|item| item["slug"] == "in-a-crisis"));
    let lines: Value = app.request(Method::GET, "/v1/content/crisis?locale=en-GB").send().await.unwrap().json().await.unwrap();
    let names: Vec<&str> = lines["services"].as_array().unwrap().iter().map(|service| service["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Samaritans"), "{names:?}");
    assert!(lines["guidance"].as_array().unwrap().iter().any(|item| item["slug"] == "in-a-crisis"));

    let directory = std::env::temp_dir().join(format!("waymark-export-{}", uuid::Uuid::now_v7()));
    let (articles, services) = waymark::catalogue::export(&ports, &directory).await.unwrap();
    assert_eq!(articles + services, total);
    let exported = waymark::catalogue::read_dir(&directory).unwrap();
    let round_trip = waymark::catalogue::apply(&ports, &exported, |_, _| {}).await.unwrap();
    assert_eq!((round_trip.created, round_trip.updated, round_trip.unchanged), (0, 0, total), "an export imports back unchanged");

    let file = directory.join("en-GB/sleep-and-wellbeing.md");
    let edited = std::fs::read_to_string(&file).unwrap().replacen("title: \"", "title: \"Revised: ", 1);
    std::fs::write(&file, edited).unwrap();
    let changed = waymark::catalogue::apply(&ports, &waymark::catalogue::read_dir(&directory).unwrap(), |_, _| {}).await.unwrap();
    assert_eq!((changed.created, changed.updated), (0, 1));
    let article = app.request(Method::GET, "/v1/content/articles/en-GB/sleep-and-wellbeing").send().await.unwrap();
    assert_eq!(article.status(), StatusCode::OK);
    let article: Value = article.json().await.unwrap();
    assert!(article["title"].as_str().unwrap().starts_with("Revised: "));
    assert_eq!(article["revision"], 2, "a published article's change is a new revision");
    let _ = std::fs::remove_dir_all(directory);
    database.close().await;
});
