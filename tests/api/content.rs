//! `/v1/content`: public articles and stories, editors' drafts, revisions, search,
//! sanitised HTML, caching and the changes feed.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use waymark_domain::identity::Role;

use crate::support::TestApp;
use crate::support::api_test;
use crate::support::identity::SignedIn;

async fn send(
    app: &TestApp,
    token: Option<&SignedIn>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = match token {
        Some(person) => app.authorized(method, path, &person.access_token),
        None => app.request(method, path),
    };
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn article(slug: &str, title: &str, body: &str) -> Value {
    json!({
        "slug": slug,
        "title": title,
        "summary": format!("About {title}"),
        "body_markdown": body,
        "topics": ["recovery", "hope"],
        "author_name": "Waymark editors",
        "source": "Waymark",
        "licence": "CC BY 4.0",
    })
}

async fn published(app: &TestApp, editor: &SignedIn, body: Value) -> Value {
    let (status, draft) =
        send(app, Some(editor), Method::POST, "/v1/content/articles", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let path = format!(
        "/v1/content/articles/{}/{}/publish",
        draft["locale"].as_str().unwrap(),
        draft["slug"].as_str().unwrap()
    );
    let (status, article) = send(app, Some(editor), Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{article}");
    article
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap().to_owned())
        .collect()
}

api_test!(async fn drafts_are_for_editors_and_only_editors_write(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    let user = app.signed_in_user().await;
    let (status, draft) = send(&app, Some(&editor), Method::POST, "/v1/content/articles", Some(article("first-steps", "First steps", "Take one small step."))).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["locale"], "en-GB");
    assert_eq!(draft["revision"], 0);
    assert_eq!(draft["reading_minutes"], 1);
    let path = "/v1/content/articles/en-GB/first-steps";

    for reader in [None, Some(&user)] {
        let (status, _) = send(&app, reader, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a draft is invisible");
        let (_, page) = send(&app, reader, Method::GET, "/v1/content/articles", None).await;
        assert_eq!(page["items"], json!([]));
        let (status, _) = send(&app, reader, Method::GET, "/v1/content/articles?status=draft", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, read) = send(&app, Some(&editor), Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["title"], "First steps");
    let (_, drafts) = send(&app, Some(&editor), Method::GET, "/v1/content/articles?status=draft", None).await;
    assert_eq!(titles(&drafts), ["First steps"]);
    let (_, none_due) = send(&app, Some(&editor), Method::GET, "/v1/content/articles?review_due=true", None).await;
    assert_eq!(none_due["items"], json!([]));
    let overdue = app.authorized(Method::PATCH, path, &editor.access_token).json(&json!({ "last_reviewed": "2025-01-01", "next_review": "2026-01-01" })).send().await.unwrap();
    assert_eq!(overdue.status(), StatusCode::OK);
    let (_, due) = send(&app, Some(&editor), Method::GET, "/v1/content/articles?review_due=true", None).await;
    assert_eq!(titles(&due), ["First steps"], "drafts and published alike are listed for review");
    let (status, _) = send(&app, None, Method::GET, "/v1/content/articles?review_due=true", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = send(&app, Some(&user), Method::POST, "/v1/content/articles", Some(article("mine", "Mine", "x"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(&app, None, Method::POST, "/v1/content/articles", Some(article("mine", "Mine", "x"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for (method, suffix) in [(Method::PATCH, ""), (Method::DELETE, ""), (Method::POST, "/publish"), (Method::POST, "/archive"), (Method::GET, "/revisions")] {
        let (status, _) = send(&app, Some(&user), method.clone(), &format!("{path}{suffix}"), Some(json!({}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {suffix}");
    }
    let (status, problem) = send(&app, Some(&editor), Method::POST, "/v1/content/articles", Some(article("first-steps", "Again", "x"))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, problem) = send(&app, Some(&editor), Method::POST, "/v1/content/articles", Some(json!({ "slug": "Bad Slug", "title": "", "body_markdown": "x", "topics": ["cats"] }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let pointers: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|error| error["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/slug", "/title", "/topics/0"]);
});

api_test!(async fn publishing_keeps_revisions_and_archiving_takes_an_article_down(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    let first = published(&app, &editor, article("hope-grows", "Hope grows", "Slowly.")).await;
    assert_eq!(first["status"], "published");
    assert_eq!(first["revision"], 1);
    let path = "/v1/content/articles/en-GB/hope-grows";
    let (status, public) = send(&app, None, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["body_html"], "<p>Slowly.</p>\n");

    let stale = app.authorized(Method::PATCH, path, &editor.access_token).header("if-match", "\"1\"").json(&json!({ "title": "x" })).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let changed = app.authorized(Method::PATCH, path, &editor.access_token).header("if-match", format!("\"{}\"", first["version"])).json(&json!({ "body_markdown": "Slowly, then **all at once**." })).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["revision"], 2, "a published article's change is live and kept");
    let (_, public) = send(&app, None, Method::GET, path, None).await;
    assert!(public["body_html"].as_str().unwrap().contains("<strong>all at once</strong>"));

    let (_, revisions) = send(&app, Some(&editor), Method::GET, &format!("{path}/revisions"), None).await;
    let numbers: Vec<i64> = revisions["items"].as_array().unwrap().iter().map(|revision| revision["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [2, 1]);
    let (status, first_revision) = send(&app, Some(&editor), Method::GET, &format!("{path}/revisions/1"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first_revision["body_markdown"], "Slowly.", "revisions never change");
    let (status, _) = send(&app, Some(&editor), Method::GET, &format!("{path}/revisions/9"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = send(&app, Some(&editor), Method::POST, &format!("{path}/publish"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, archived) = send(&app, Some(&editor), Method::POST, &format!("{path}/archive"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(archived["status"], "archived");
    let (status, _) = send(&app, None, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(&app, Some(&editor), Method::POST, &format!("{path}/archive"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, again) = send(&app, Some(&editor), Method::POST, &format!("{path}/publish"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["revision"], 3);
    assert_eq!(again["published_at"], first["published_at"], "the first publication's time stays");
    let (status, _) = send(&app, Some(&editor), Method::DELETE, path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(&app, Some(&editor), Method::GET, path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});

api_test!(async fn search_finds_body_words_and_ranks_a_title_match_first(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    published(&app, &editor, article("allotment", "Why I love the allotment", "Weeding and digging.")).await;
    published(&app, &editor, article("garden-notes", "Gardens and calm", "Planting seeds in a garden gives me calm.")).await;
    published(&app, &editor, article("sleep-well", "Sleeping well", "A wind-down routine helps; the garden at dusk too.")).await;
    let (_, _) = send(&app, Some(&editor), Method::POST, "/v1/content/articles", Some(article("secret-garden", "Garden draft", "garden garden garden"))).await;

    let (status, page) = send(&app, None, Method::GET, "/v1/content/articles?q=garden", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(titles(&page), ["Gardens and calm", "Sleeping well"], "title match first, drafts never");
    assert!(page["items"][0]["relevance"].as_f64().unwrap() > page["items"][1]["relevance"].as_f64().unwrap());
    let (_, page) = send(&app, None, Method::GET, "/v1/content/articles?q=digging", None).await;
    assert_eq!(titles(&page), ["Why I love the allotment"], "body words are found, stemmed");
    let (_, page) = send(&app, None, Method::GET, "/v1/content/articles?q=%22%3B%20DROP%20TABLE%20content_articles%3B%20--", None).await;
    assert_eq!(page["items"], json!([]), "operators and quotes are only words");
    let (_, page) = send(&app, None, Method::GET, "/v1/content/articles?q=%2A%2A%2A", None).await;
    assert_eq!(page["items"], json!([]));

    let (_, first) = send(&app, None, Method::GET, "/v1/content/articles?q=garden&limit=1", None).await;
    assert_eq!(titles(&first), ["Gardens and calm"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = send(&app, None, Method::GET, &format!("/v1/content/articles?q=garden&limit=1&cursor={cursor}"), None).await;
    assert_eq!(titles(&second), ["Sleeping well"]);
    assert_eq!(second["next_cursor"], Value::Null);
    let (_, by_topic) = send(&app, None, Method::GET, "/v1/content/articles?topic=hope&kind=article&locale=en-GB", None).await;
    assert_eq!(by_topic["items"].as_array().unwrap().len(), 3);
    let (_, none) = send(&app, None, Method::GET, "/v1/content/articles?topic=money", None).await;
    assert_eq!(none["items"], json!([]));
});

api_test!(async fn html_is_sanitised_against_xss(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    let payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "![x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<iframe src=https://example.org></iframe>",
        "<svg/onload=alert(1)>",
    ];
    let article = published(&app, &editor, article("xss", "Careful", &payloads.join("\n\n"))).await;
    let html = article["body_html"].as_str().unwrap().to_ascii_lowercase();
    for tag in html.split('<').skip(1).filter_map(|rest| rest.split_once('>')).map(|(tag, _)| tag) {
        assert!(!tag.contains(" on"), "event handler in <{tag}>: {html}");
        assert!(!tag.contains("javascript") && !tag.contains("data:"), "<{tag}>: {html}");
        let name = tag.split_whitespace().next().unwrap().trim_start_matches('/');
        assert!(["p", "a", "img"].contains(&name), "<{tag}>: {html}");
    }
    assert!(html.contains("&lt;script&gt;"), "raw HTML is shown as text");
});

api_test!(async fn public_reads_are_cacheable_and_compressed(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    published(&app, &editor, article("cache-me", "Cache me", &"Words to compress. ".repeat(200))).await;
    let path = "/v1/content/articles/en-GB/cache-me";
    let response = app.request(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["cache-control"], "public, max-age=300, stale-while-revalidate=86400");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let last_modified = headers["last-modified"].to_str().unwrap().to_owned();
    assert!(last_modified.ends_with(" GMT"));

    let revalidated = app.request(Method::GET, path).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.headers()["etag"].to_str().unwrap(), etag);
    let since = app.request(Method::GET, path).header("if-modified-since", &last_modified).send().await.unwrap();
    assert_eq!(since.status(), StatusCode::NOT_MODIFIED);
    let old = app.request(Method::GET, path).header("if-modified-since", "Mon, 01 Jan 2024 00:00:00 GMT").send().await.unwrap();
    assert_eq!(old.status(), StatusCode::OK);
    let other = app.request(Method::GET, path).header("if-none-match", "\"other\"").send().await.unwrap();
    assert_eq!(other.status(), StatusCode::OK);

    let list = app.request(Method::GET, "/v1/content/articles").send().await.unwrap();
    let list_etag = list.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(list.headers()["cache-control"], "public, max-age=300, stale-while-revalidate=86400");
    let unchanged = app.request(Method::GET, "/v1/content/articles").header("if-none-match", &list_etag).send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    let list_modified = list.headers()["last-modified"].to_str().unwrap().to_owned();
    let by_date = app.request(Method::GET, "/v1/content/articles").header("if-modified-since", &list_modified).send().await.unwrap();
    assert_eq!(by_date.status(), StatusCode::OK, "an article leaving a list does not make it newer: lists rely on ETag");
    let editors = app.authorized(Method::GET, path, &editor.access_token).send().await.unwrap();
    assert_eq!(editors.headers()["cache-control"], "private, no-store", "an editor's view is never shared");

    let compressed = app.request(Method::GET, path).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
});

api_test!(async fn the_changes_feed_lists_every_public_change_once_in_order(app) {
    let editor = app.signed_in_with_role(Role::Editor).await;
    for slug in ["one", "two", "three"] {
        published(&app, &editor, article(slug, slug, "Text.")).await;
    }
    send(&app, Some(&editor), Method::POST, "/v1/content/articles", Some(article("never-public", "Draft", "x"))).await;
    send(&app, Some(&editor), Method::DELETE, "/v1/content/articles/en-GB/never-public", None).await;
    send(&app, Some(&editor), Method::PATCH, "/v1/content/articles/en-GB/two", Some(json!({ "title": "Two" }))).await;
    send(&app, Some(&editor), Method::POST, "/v1/content/articles/en-GB/three/archive", None).await;
    send(&app, Some(&editor), Method::DELETE, "/v1/content/articles/en-GB/one", None).await;

    let mut seen: Vec<(String, String)> = Vec::new();
    let mut sequences: Vec<i64> = Vec::new();
    let mut path = "/v1/content/changes?limit=2".to_owned();
    let cursor = loop {
        let (status, page) = send(&app, None, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for item in page["items"].as_array().unwrap() {
            seen.push((item["slug"].as_str().unwrap().to_owned(), item["change"].as_str().unwrap().to_owned()));
            sequences.push(item["sequence"].as_i64().unwrap());
        }
        let cursor = page["next_cursor"].as_str().unwrap().to_owned();
        if page["has_more"] == false {
            break cursor;
        }
        path = format!("/v1/content/changes?limit=2&cursor={cursor}");
    };
    let expected: Vec<(String, String)> = [("one", "published"), ("two", "published"), ("three", "published"), ("two", "updated"), ("three", "archived"), ("one", "deleted")]
        .iter()
        .map(|(slug, change)| ((*slug).to_owned(), (*change).to_owned()))
        .collect();
    assert_eq!(seen, expected);
    assert!(sequences.windows(2).all(|pair| pair[0] < pair[1]), "{sequences:?}");

    let (_, caught_up) = send(&app, None, Method::GET, &format!("/v1/content/changes?cursor={cursor}"), None).await;
    assert_eq!(caught_up["items"], json!([]));
    published(&app, &editor, article("four", "four", "Text.")).await;
    let (_, later) = send(&app, None, Method::GET, &format!("/v1/content/changes?cursor={cursor}"), None).await;
    assert_eq!(later["items"].as_array().unwrap().len(), 1);
    assert_eq!(later["items"][0]["slug"], "four");
    let (status, _) = send(&app, None, Method::GET, "/v1/content/changes?cursor=forged", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
});
