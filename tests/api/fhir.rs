//! `/fhir/r4` (issue 20): the person's record as FHIR R4 resources, read by an app
//! the person let in with SMART scopes: what each resource says, searches and their
//! pages, versions and 304s, errors as `OperationOutcome`, nothing of anyone else's,
//! contacts only when the person shares them with services, every read in the access
//! log; and the mapping checked against `/v1` for goals and routines of every kind.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::authorize::an_app_let_in;
use crate::support::api_test;
use crate::support::app::{TEST_ISSUER, TestApp};
use crate::support::identity::GOOD_PASSWORD;

const FHIR_SCOPES: [&str; 5] = [
    "launch/patient",
    "patient/Patient.rs",
    "patient/Goal.rs",
    "patient/CarePlan.rs",
    "patient/RelatedPerson.rs",
];

/// A person, the token of an app they let in with every SMART scope, their own
/// token, and their id as the token response named it.
struct Connected {
    app_token: String,
    own_token: String,
    patient: String,
}

async fn connected(app: &TestApp) -> Connected {
    let (_, email, tokens) = an_app_let_in(app, json!(FHIR_SCOPES)).await;
    let own = app.sign_in(&email, GOOD_PASSWORD).await;
    let own_token = own["access_token"].as_str().unwrap().to_owned();
    let me: Value = app
        .authorized(Method::GET, "/v1/me", &own_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let patient =
        tokens["patient"].as_str().expect("the token response names the patient").to_owned();
    assert_eq!(patient, me["id"].as_str().unwrap(), "the patient is the person who let the app in");
    Connected { app_token: tokens["access_token"].as_str().unwrap().to_owned(), own_token, patient }
}

async fn made(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let response = app.authorized(Method::POST, path, token).json(&body).send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{path}: {}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

/// A FHIR read: its status, the body as JSON, and the response.
///
/// With `WAYMARK_TEST_FHIR_DUMP` set to a directory, every resource answered is also
/// written there, for `.ci/run` to validate with `fhir.resources`.
async fn fhir(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut request = app.request(Method::GET, path).header("Accept", "application/fhir+json");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body: Value = response.json().await.expect("every FHIR answer with a body is JSON");
    if let (Ok(dump), Some(_)) =
        (std::env::var("WAYMARK_TEST_FHIR_DUMP"), body["resourceType"].as_str())
    {
        let file = std::path::Path::new(&dump).join(format!("{}.json", uuid::Uuid::now_v7()));
        std::fs::write(file, body.to_string()).unwrap();
    }
    (status, body, headers)
}

/// The ids of a searchset page's resources; the page must be one.
fn ids(page: &Value) -> Vec<String> {
    assert_eq!(page["resourceType"], "Bundle", "not a search answer: {page}");
    page["entry"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|entry| entry["resource"]["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn media_type(headers: &reqwest::header::HeaderMap) -> &str {
    headers.get(CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default()
}

/// The path of an absolute link of this server's.
fn path_of(link: &str) -> &str {
    link.strip_prefix(TEST_ISSUER).unwrap_or_else(|| panic!("{link} is not this server's"))
}

api_test!(async fn a_smart_app_reads_the_persons_record_as_fhir(app) {
    let person = connected(&app).await;
    let own = person.own_token.as_str();
    let token = Some(person.app_token.as_str());
    let first = made(&app, own, "/v1/goals", json!({ "title": "Volunteer at the garden", "why": "Being outdoors helps.", "area": "volunteering", "target_date": "2030-06-01" })).await;
    let second = made(&app, own, "/v1/goals", json!({ "title": "Sleep by eleven", "area": "health" })).await;
    let third = made(&app, own, "/v1/goals", json!({ "title": "Sort out the flat", "area": "housing" })).await;
    let paused = app
        .authorized(Method::PATCH, &format!("/v1/goals/{}", third["id"].as_str().unwrap()), own)
        .json(&json!({ "status": "paused" }))
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status(), StatusCode::OK);
    made(&app, own, "/v1/routines", json!({
        "title": "Walk the dog", "category": "exercise", "goal_id": second["id"],
        "schedule": { "kind": "weekly", "weekdays": ["wed", "mon"], "times": ["20:00", "08:00"], "starts_on": "2027-01-04", "time_zone": "Europe/London" }
    })).await;
    let friend = made(&app, own, "/v1/contacts", json!({
        "name": "Sam Rivers", "kind": "friend", "shared_with_services": true,
        "channels": [
            { "type": "mobile", "value": "07911 123456", "preferred": true },
            { "type": "email", "value": "sam@example.org" },
            { "type": "address", "value": "1 Canal Street, Leeds" }
        ]
    })).await;
    assert_eq!(friend["shared_with_services"], true);
    let card = app.authorized(Method::GET, &format!("/v1/contacts/{}.vcf", friend["id"].as_str().unwrap()), own).send().await.unwrap().text().await.unwrap();
    assert!(card.contains("X-WAYMARK-SHARED-WITH-SERVICES:true"), "the choice travels with the vCard: {card}");
    let private = made(&app, own, "/v1/contacts", json!({ "name": "Alex", "kind": "family" })).await;
    assert_eq!(private["shared_with_services"], false, "contacts are not shared with services unless the person says");

    // Discovery needs no token.
    let (status, metadata, headers) = fhir(&app, None, "/fhir/r4/metadata").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(media_type(&headers), "application/fhir+json");
    assert_eq!(metadata["resourceType"], "CapabilityStatement");
    assert_eq!(metadata["fhirVersion"], "4.0.1");
    let oauth = &metadata["rest"][0]["security"]["extension"][0];
    assert_eq!(oauth["url"], "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
    assert_eq!(oauth["extension"][0]["valueUri"], format!("{TEST_ISSUER}/v1/auth/authorize"));
    let served: Vec<&str> = metadata["rest"][0]["resource"].as_array().unwrap().iter().map(|resource| resource["type"].as_str().unwrap()).collect();
    assert_eq!(served, ["Patient", "Goal", "CarePlan", "RelatedPerson"]);
    for path in ["/.well-known/smart-configuration", "/fhir/r4/.well-known/smart-configuration"] {
        let smart: Value = app.get(path).await.json().await.unwrap();
        assert_eq!(smart["authorization_endpoint"], format!("{TEST_ISSUER}/v1/auth/authorize"));
        assert_eq!(smart["code_challenge_methods_supported"], json!(["S256"]));
        for capability in ["launch-standalone", "client-public", "client-confidential-symmetric", "context-standalone-patient", "permission-v2"] {
            assert!(smart["capabilities"].as_array().unwrap().contains(&json!(capability)), "{capability}: {smart}");
        }
    }

    // The person.
    let patient_path = format!("/fhir/r4/Patient/{}", person.patient);
    let (status, patient, headers) = fhir(&app, token, &patient_path).await;
    assert_eq!(status, StatusCode::OK, "{patient}");
    assert_eq!(media_type(&headers), "application/fhir+json");
    assert!(headers.get("ratelimit-limit").is_some(), "FHIR reads are rate limited as /v1 is: {headers:?}");
    assert_eq!(patient["resourceType"], "Patient");
    assert_eq!(patient["name"], json!([{ "text": "Sam" }]));
    assert_eq!(patient["meta"]["profile"], json!(["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]));
    assert!(patient.get("identifier").is_none() && patient.get("telecom").is_none(), "nothing else identifies the person: {patient}");
    let etag = headers.get(ETAG).unwrap().to_str().unwrap().to_owned();
    assert_eq!(etag, format!("W/\"{}\"", patient["meta"]["versionId"].as_str().unwrap()));
    let unchanged = app.request(Method::GET, &patient_path).bearer_auth(&person.app_token).header(IF_NONE_MATCH, &etag).send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    // Goals: a search across pages, newest first.
    let (status, page, _) = fhir(&app, token, &format!("/fhir/r4/Goal?patient={}&_count=2", person.patient)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["resourceType"], "Bundle");
    assert_eq!(page["type"], "searchset");
    assert_eq!(ids(&page), [third["id"].as_str().unwrap(), second["id"].as_str().unwrap()]);
    assert_eq!(page["entry"][0]["fullUrl"], format!("{TEST_ISSUER}/fhir/r4/Goal/{}", third["id"].as_str().unwrap()));
    let next = page["link"].as_array().unwrap().iter().find(|link| link["relation"] == "next").expect("a next link")["url"].as_str().unwrap().to_owned();
    let (status, last, _) = fhir(&app, token, path_of(&next)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&last), [first["id"].as_str().unwrap()]);
    assert!(last["link"].as_array().unwrap().iter().all(|link| link["relation"] != "next"), "the last page has no next: {last}");
    let (_, on_hold, _) = fhir(&app, token, "/fhir/r4/Goal?lifecycle-status=on-hold").await;
    assert_eq!(ids(&on_hold), [third["id"].as_str().unwrap()]);
    let (_, none, _) = fhir(&app, token, "/fhir/r4/Goal?lifecycle-status=proposed").await;
    assert_eq!(ids(&none), Vec::<String>::new());
    let (status, others, _) = fhir(&app, token, &format!("/fhir/r4/Goal?patient=Patient/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&others), Vec::<String>::new(), "another patient's search finds nothing");

    let (status, goal, headers) = fhir(&app, token, &format!("/fhir/r4/Goal/{}", first["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(ETAG).unwrap(), "W/\"1\"");
    assert_eq!(goal["lifecycleStatus"], "active");
    assert_eq!(goal["achievementStatus"]["coding"][0]["code"], "in-progress");
    assert_eq!(goal["description"], json!({ "text": "Volunteer at the garden" }));
    assert_eq!(goal["note"], json!([{ "text": "Being outdoors helps." }]));
    assert_eq!(goal["target"], json!([{ "dueDate": "2030-06-01" }]));
    assert_eq!(goal["subject"]["reference"], format!("Patient/{}", person.patient));
    assert_eq!(goal["expressedBy"]["reference"], format!("Patient/{}", person.patient));
    assert_eq!(goal["statusReason"], "The person set this goal");
    assert_eq!(goal["meta"]["lastUpdated"], first["updated_at"]);

    // The plan: goals being worked on, and the routine's timing.
    let plan_path = format!("/fhir/r4/CarePlan/{}", person.patient);
    let (status, plan, headers) = fhir(&app, token, &plan_path).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!((plan["status"].as_str(), plan["intent"].as_str()), (Some("active"), Some("plan")));
    assert_eq!(plan["goal"].as_array().unwrap().len(), 3);
    let detail = &plan["activity"][0]["detail"];
    assert_eq!(detail["description"], "Walk the dog");
    assert_eq!(detail["goal"], json!([{ "reference": format!("Goal/{}", second["id"].as_str().unwrap()) }]));
    assert_eq!(detail["scheduledTiming"]["repeat"], json!({
        "boundsPeriod": { "start": "2027-01-04" }, "frequency": 2, "period": 1, "periodUnit": "d",
        "dayOfWeek": ["mon", "wed"], "timeOfDay": ["08:00:00", "20:00:00"]
    }));
    assert_eq!(detail["scheduledTiming"]["extension"], json!([{ "url": format!("{TEST_ISSUER}/fhir/r4/StructureDefinition/time-zone"), "valueCode": "Europe/London" }]));
    let plan_etag = headers.get(ETAG).unwrap().to_str().unwrap().to_owned();
    let unchanged = app.request(Method::GET, &plan_path).bearer_auth(&person.app_token).header(IF_NONE_MATCH, &plan_etag).send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    made(&app, own, "/v1/goals", json!({ "title": "Join a choir", "area": "hobbies" })).await;
    let changed = app.request(Method::GET, &plan_path).bearer_auth(&person.app_token).header(IF_NONE_MATCH, &plan_etag).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK, "a new goal changes the plan's version");
    let (_, plans, _) = fhir(&app, token, &format!("/fhir/r4/CarePlan?patient={}", person.patient)).await;
    assert_eq!(plans["entry"].as_array().unwrap().len(), 1);

    // Only contacts shared with services.
    let (status, related, _) = fhir(&app, token, &format!("/fhir/r4/RelatedPerson?patient={}", person.patient)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&related), [friend["id"].as_str().unwrap()]);
    let sam = &related["entry"][0]["resource"];
    assert_eq!(sam["relationship"][0]["coding"][0], json!({ "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "FRND", "display": "unrelated friend" }));
    assert_eq!(sam["telecom"], json!([
        { "system": "phone", "value": "+447911123456", "use": "mobile", "rank": 1 },
        { "system": "email", "value": "sam@example.org" }
    ]));
    assert_eq!(sam["address"], json!([{ "text": "1 Canal Street, Leeds" }]));
    assert_eq!(sam["patient"]["reference"], format!("Patient/{}", person.patient));
    let (status, outcome, headers) = fhir(&app, token, &format!("/fhir/r4/RelatedPerson/{}", private["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a contact not shared with services is not found");
    assert_eq!(media_type(&headers), "application/fhir+json");
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["code"], "not-found");

    // Supporters: only those the person shares with services, as RelatedPersons.
    let first_id = first["id"].as_str().unwrap();
    for contact in [&friend, &private] {
        let linked = app.authorized(Method::PUT, &format!("/v1/goals/{first_id}/supporters/{}", contact["id"].as_str().unwrap()), own).json(&json!({ "role": "Comes along" })).send().await.unwrap();
        assert_eq!(linked.status(), StatusCode::CREATED);
    }
    let supporters = json!([{
        "url": format!("{TEST_ISSUER}/fhir/r4/StructureDefinition/goal-supporter"),
        "valueReference": { "reference": format!("RelatedPerson/{}", friend["id"].as_str().unwrap()) }
    }]);
    let (_, supported, supported_headers) = fhir(&app, token, &format!("/fhir/r4/Goal/{first_id}")).await;
    assert_eq!(supported["extension"], supporters, "{supported}");
    let supported_etag = supported_headers.get(ETAG).unwrap().to_str().unwrap().to_owned();
    assert_eq!(supported_etag, format!("W/\"{}\"", supported["meta"]["versionId"].as_str().unwrap()));
    let (_, searched, _) = fhir(&app, token, "/fhir/r4/Goal?_count=100").await;
    let entry = searched["entry"].as_array().unwrap().iter().find(|entry| entry["resource"]["id"] == first_id).unwrap();
    assert_eq!(entry["resource"]["extension"], supporters);
    let unshared = app.authorized(Method::PATCH, &format!("/v1/contacts/{}", friend["id"].as_str().unwrap()), own).json(&json!({ "shared_with_services": false })).send().await.unwrap();
    assert_eq!(unshared.status(), StatusCode::OK);
    let (_, searched, _) = fhir(&app, token, "/fhir/r4/Goal?_count=100").await;
    let entry = searched["entry"].as_array().unwrap().iter().find(|entry| entry["resource"]["id"] == first_id).unwrap();
    assert!(entry["resource"].get("extension").is_none(), "a supporter no longer shared is gone at once: {entry}");
    let after_unsharing = app.request(Method::GET, &format!("/fhir/r4/Goal/{first_id}")).bearer_auth(&person.app_token).header(IF_NONE_MATCH, &supported_etag).send().await.unwrap();
    assert_eq!(after_unsharing.status(), StatusCode::OK, "no longer sharing a supporter is a new version of the goal");
    let shared_again = app.authorized(Method::PATCH, &format!("/v1/contacts/{}", friend["id"].as_str().unwrap()), own).json(&json!({ "shared_with_services": true })).send().await.unwrap();
    assert_eq!(shared_again.status(), StatusCode::OK);

    // A goal taken up again says so.
    let third_path = format!("/v1/goals/{}", third["id"].as_str().unwrap());
    let resumed = app.authorized(Method::PATCH, &third_path, own).json(&json!({ "status": "active" })).send().await.unwrap();
    assert_eq!(resumed.status(), StatusCode::OK);
    let (_, resumed, _) = fhir(&app, token, &format!("/fhir/r4/Goal/{}", third["id"].as_str().unwrap())).await;
    assert_eq!((resumed["lifecycleStatus"].as_str(), resumed["statusReason"].as_str()), (Some("active"), Some("The person took this goal up again")));

    // Every read the app made is in the person's access log.
    let mut logged = Vec::new();
    for _ in 0..100 {
        let log: Value = app.authorized(Method::GET, "/v1/me/access-log?limit=100", own).send().await.unwrap().json().await.unwrap();
        logged = log["items"].as_array().unwrap().iter().map(|entry| entry["operation"].as_str().unwrap_or_default().to_owned()).collect();
        if logged.iter().any(|operation| operation == "fhir_read_related_person") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for operation in ["fhir_read_patient", "fhir_search_goals", "fhir_read_goal", "fhir_read_care_plan", "fhir_search_related_people", "fhir_read_related_person"] {
        assert!(logged.iter().any(|logged| logged == operation), "{operation} is not in the access log: {logged:?}");
    }
});

api_test!(async fn fhir_errors_are_operation_outcomes_with_the_apis_statuses(app) {
    let person = connected(&app).await;
    let token = Some(person.app_token.as_str());
    let stranger = app.signed_in_user().await;

    let (status, outcome, headers) = fhir(&app, None, "/fhir/r4/Goal").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(media_type(&headers), "application/fhir+json");
    assert!(headers.get(WWW_AUTHENTICATE).is_some());
    assert_eq!(outcome["issue"][0]["code"], "login");
    assert!(outcome["issue"][0]["diagnostics"].as_str().unwrap().contains("request id"), "{outcome}");

    let narrow: Value = app
        .token(&[("grant_type", "password"), ("username", &stranger.email), ("password", GOOD_PASSWORD), ("scope", "goals:read")])
        .await
        .json()
        .await
        .unwrap();
    let (status, outcome, _) = fhir(&app, narrow["access_token"].as_str(), "/fhir/r4/Goal").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "goals:read is not patient/Goal.rs: {outcome}");
    assert_eq!(outcome["issue"][0]["code"], "forbidden");

    for bad in ["/fhir/r4/Goal?_count=0", "/fhir/r4/Goal?_count=101", "/fhir/r4/Goal?status=active", "/fhir/r4/Goal?lifecycle-status=finished", "/fhir/r4/Goal?_lastUpdated=ne2026", "/fhir/r4/Goal?_lastUpdated=2026-13", "/fhir/r4/Goal?cursor=forged", "/fhir/r4/RelatedPerson?patient=someone"] {
        let (status, outcome, headers) = fhir(&app, token, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {outcome}");
        assert_eq!(media_type(&headers), "application/fhir+json");
        assert_eq!(outcome["issue"][0]["code"], "invalid", "{bad}");
    }

    let strangers_goal = made(&app, &stranger.access_token, "/v1/goals", json!({ "title": "Theirs", "area": "work" })).await;
    for missing in [
        format!("/fhir/r4/Patient/{}", stranger.account_id),
        format!("/fhir/r4/CarePlan/{}", stranger.account_id),
        format!("/fhir/r4/Goal/{}", strangers_goal["id"].as_str().unwrap()),
        "/fhir/r4/Goal/not-a-uuid".to_owned(),
        "/fhir/r4/Observation".to_owned(),
    ] {
        let (status, outcome, headers) = fhir(&app, token, &missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}: {outcome}");
        assert_eq!(media_type(&headers), "application/fhir+json", "{missing}");
        assert_eq!(outcome["issue"][0]["code"], "not-found");
    }
    let (_, others, _) = fhir(&app, token, &format!("/fhir/r4/CarePlan?patient={}", stranger.account_id)).await;
    assert_eq!(ids(&others), Vec::<String>::new());
    let (_, theirs, _) = fhir(&app, token, &format!("/fhir/r4/Goal?patient={}", stranger.account_id)).await;
    assert_eq!(ids(&theirs), Vec::<String>::new());
});

api_test!(async fn last_updated_finds_goals_by_when_they_last_changed(app) {
    let person = connected(&app).await;
    let own = person.own_token.as_str();
    let token = Some(person.app_token.as_str());
    let older = made(&app, own, "/v1/goals", json!({ "title": "Older", "area": "work" })).await;
    let newer = made(&app, own, "/v1/goals", json!({ "title": "Newer", "area": "work" })).await;
    let at = older["updated_at"].as_str().unwrap();
    let search = |query: String| {
        let app = &app;
        async move { fhir(app, token, &format!("/fhir/r4/Goal?{query}")).await.1 }
    };
    let encoded = |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    assert_eq!(ids(&search(format!("_lastUpdated=gt{}", encoded(at))).await), [newer["id"].as_str().unwrap()]);
    assert_eq!(ids(&search(format!("_lastUpdated=le{}", encoded(at))).await), [older["id"].as_str().unwrap()]);
    assert_eq!(ids(&search(format!("_lastUpdated={}", encoded(at))).await), [older["id"].as_str().unwrap()]);
    let today = &at[..10];
    assert_eq!(ids(&search(format!("_lastUpdated=ge{today}&_lastUpdated=lt2200")).await).len(), 2);
    assert_eq!(ids(&search(format!("_lastUpdated=lt{today}")).await), Vec::<String>::new());
});

/// A small deterministic generator, so a failure names the case it failed on.
struct Cases(u64);

impl Cases {
    fn next(&mut self, below: u64) -> u64 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

api_test!(async fn the_fhir_view_of_random_goals_and_routines_says_what_v1_says(app) {
    let person = connected(&app).await;
    let own = person.own_token.as_str();
    let token = Some(person.app_token.as_str());
    let in_utc = app.authorized(Method::PATCH, "/v1/me", own).json(&json!({ "time_zone": "UTC" })).send().await.unwrap();
    assert_eq!(in_utc.status(), StatusCode::OK);
    let mut cases = Cases(20_261_208);
    let statuses = ["active", "paused", "achieved", "let_go"];
    for case in 0..12 {
        let mut body = json!({ "title": format!("Goal {case}"), "area": "other" });
        if cases.next(2) == 0 {
            body["target_date"] = json!(format!("2031-{:02}-{:02}", 1 + cases.next(12), 1 + cases.next(28)));
        }
        let goal = made(&app, own, "/v1/goals", body).await;
        let status = statuses[usize::try_from(cases.next(4)).unwrap()];
        let path = format!("/v1/goals/{}", goal["id"].as_str().unwrap());
        let goal: Value = app.authorized(Method::PATCH, &path, own).json(&json!({ "status": status })).send().await.unwrap().json().await.unwrap();
        let (_, fhir_goal, _) = fhir(&app, token, &format!("/fhir/r4/Goal/{}", goal["id"].as_str().unwrap())).await;
        let (lifecycle, achievement) = match status {
            "active" => ("active", Some("in-progress")),
            "paused" => ("on-hold", None),
            "achieved" => ("completed", Some("achieved")),
            _ => ("cancelled", None),
        };
        assert_eq!(fhir_goal["lifecycleStatus"], lifecycle, "case {case}: {goal}");
        assert_eq!(fhir_goal["achievementStatus"]["coding"][0]["code"].as_str(), achievement, "case {case}");
        assert_eq!(fhir_goal["target"][0]["dueDate"], goal["target_date"], "case {case}");
        assert_eq!(fhir_goal["meta"]["versionId"], goal["version"].to_string(), "case {case}");
        assert_eq!(fhir_goal["meta"]["lastUpdated"], goal["updated_at"], "case {case}");
        assert_eq!(fhir_goal["statusDate"].as_str(), goal["updated_at"].as_str().map(|at| &at[..10]), "case {case}: the day of the change, in the person's time zone");
    }

    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut routines = Vec::new();
    for case in 0..12 {
        let times: Vec<String> = (0..=cases.next(3)).map(|hour| format!("{:02}:{:02}", 6 + hour * 5, 15 * cases.next(4))).collect();
        let schedule = match cases.next(4) {
            0 => json!({ "kind": "daily", "times": times }),
            1 => {
                let chosen: Vec<&str> = days.iter().copied().filter(|_| cases.next(2) == 0).collect();
                let chosen = if chosen.is_empty() { vec!["fri"] } else { chosen };
                json!({ "kind": "weekly", "weekdays": chosen, "times": times })
            }
            2 => json!({ "kind": "every_n_days", "interval": 2 + cases.next(30), "times": times }),
            _ => json!({ "kind": "times_per_week", "count": 1 + cases.next(7) }),
        };
        let mut schedule = schedule;
        schedule["starts_on"] = json!("2027-02-01");
        if cases.next(2) == 0 {
            schedule["ends_on"] = json!("2027-12-31");
        }
        routines.push(made(&app, own, "/v1/routines", json!({ "title": format!("Routine {case}"), "category": "other", "schedule": schedule })).await);
    }
    let (_, plan, _) = fhir(&app, token, &format!("/fhir/r4/CarePlan/{}", person.patient)).await;
    let activities = plan["activity"].as_array().unwrap();
    assert_eq!(activities.len(), routines.len());
    for routine in &routines {
        let schedule = &routine["schedule"];
        let activity = activities.iter().find(|activity| activity["detail"]["description"] == routine["title"]).unwrap();
        let repeat = &activity["detail"]["scheduledTiming"]["repeat"];
        let times: Vec<Value> = schedule["times"].as_array().cloned().unwrap_or_default().iter().map(|time| json!(format!("{}:00", time.as_str().unwrap()))).collect();
        let per_day = times.len().max(1);
        let (frequency, period, unit, on) = match schedule["kind"].as_str().unwrap() {
            "daily" => (json!(per_day), json!(1), "d", Value::Null),
            "weekly" => (json!(per_day), json!(1), "d", schedule["weekdays"].clone()),
            "every_n_days" => (json!(per_day), schedule["interval"].clone(), "d", Value::Null),
            _ => (schedule["count"].clone(), json!(1), "wk", Value::Null),
        };
        assert_eq!(repeat["frequency"], frequency, "{routine}");
        assert_eq!(repeat["period"], period, "{routine}");
        assert_eq!(repeat["periodUnit"], unit, "{routine}");
        assert_eq!(repeat["dayOfWeek"], on, "{routine}");
        assert_eq!(repeat.get("timeOfDay").cloned().unwrap_or(json!([])), json!(times), "{routine}");
        assert_eq!(repeat["boundsPeriod"]["start"], schedule["starts_on"], "{routine}");
        assert_eq!(repeat["boundsPeriod"]["end"], schedule["ends_on"], "{routine}");
    }
});

api_test!(async fn related_people_page_by_name_and_leave_as_soon_as_the_person_stops_sharing(app) {
    let person = connected(&app).await;
    let own = person.own_token.as_str();
    let token = Some(person.app_token.as_str());
    let mut shared = Vec::new();
    for name in ["Cara", "ash", "Bo"] {
        shared.push(made(&app, own, "/v1/contacts", json!({ "name": name, "kind": "peer", "shared_with_services": true })).await);
    }
    let (status, first, _) = fhir(&app, token, "/fhir/r4/RelatedPerson?_count=2").await;
    assert_eq!(status, StatusCode::OK);
    let names = |page: &Value| -> Vec<String> {
        ids(page);
        page["entry"].as_array().unwrap().iter().map(|entry| entry["resource"]["name"][0]["text"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&first), ["ash", "Bo"], "by name, any letter case");
    let next = first["link"].as_array().unwrap().iter().find(|link| link["relation"] == "next").unwrap()["url"].as_str().unwrap().to_owned();
    let (_, second, _) = fhir(&app, token, path_of(&next)).await;
    assert_eq!(names(&second), ["Cara"]);
    assert_eq!(second["entry"][0]["resource"]["relationship"][0], json!({ "text": "peer" }), "a kind no RoleCode says is text");

    let cara = shared[0]["id"].as_str().unwrap();
    let (status, _, _) = fhir(&app, token, &format!("/fhir/r4/RelatedPerson/{cara}")).await;
    assert_eq!(status, StatusCode::OK);
    let stopped = app.authorized(Method::PATCH, &format!("/v1/contacts/{cara}"), own).json(&json!({ "shared_with_services": false })).send().await.unwrap();
    assert_eq!(stopped.status(), StatusCode::OK);
    let (status, outcome, _) = fhir(&app, token, &format!("/fhir/r4/RelatedPerson/{cara}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not shared any more: {outcome}");
    let (_, all, _) = fhir(&app, token, "/fhir/r4/RelatedPerson").await;
    assert_eq!(names(&all), ["ash", "Bo"]);
});

api_test!(async fn only_the_person_chooses_which_contacts_services_see(app) {
    let (_, email, tokens) = an_app_let_in(&app, json!(["contacts:read", "contacts:write"])).await;
    let app_token = tokens["access_token"].as_str().unwrap().to_owned();
    assert!(tokens.get("patient").is_none(), "no patient without launch/patient: {tokens}");
    let own = app.sign_in(&email, GOOD_PASSWORD).await["access_token"].as_str().unwrap().to_owned();

    let refused = app.authorized(Method::POST, "/v1/contacts", &app_token).json(&json!({ "name": "Sam", "kind": "friend", "shared_with_services": true })).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/shared_with_services", "{problem}");
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Sam\r\nX-WAYMARK-SHARED-WITH-SERVICES:true\r\nEND:VCARD\r\n";
    let imported: Value = app.authorized(Method::POST, "/v1/contacts/import", &app_token).header("content-type", "text/vcard").body(card).send().await.unwrap().json().await.unwrap();
    assert_eq!(imported["results"][0]["status"], 422, "a card cannot choose for the person either: {imported}");

    let contact = made(&app, &app_token, "/v1/contacts", json!({ "name": "Sam", "kind": "friend" })).await;
    let path = format!("/v1/contacts/{}", contact["id"].as_str().unwrap());
    let by_app = app.authorized(Method::PATCH, &path, &app_token).json(&json!({ "shared_with_services": true })).send().await.unwrap();
    assert_eq!(by_app.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged = app.authorized(Method::PATCH, &path, &app_token).json(&json!({ "shared_with_services": false, "notes": "Met at the garden." })).send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::OK, "sending the value as it is chooses nothing");
    let by_person = app.authorized(Method::PATCH, &path, &own).json(&json!({ "shared_with_services": true })).send().await.unwrap();
    assert_eq!(by_person.status(), StatusCode::OK);
    let read: Value = app.authorized(Method::GET, &path, &app_token).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["shared_with_services"], true, "the app may read the person's choice");
    let back = app.authorized(Method::PATCH, &path, &app_token).json(&json!({ "shared_with_services": false })).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::UNPROCESSABLE_ENTITY, "nor undo it");
});

api_test!(async fn the_plans_version_follows_what_it_holds_and_every_read_takes_only_json(app) {
    let person = connected(&app).await;
    let own = person.own_token.as_str();
    let plan_path = format!("/fhir/r4/CarePlan/{}", person.patient);
    let etag = |headers: &reqwest::header::HeaderMap| headers.get(ETAG).unwrap().to_str().unwrap().to_owned();
    let conditional = |tag: String| {
        let app = &app;
        let (path, token) = (plan_path.clone(), person.app_token.clone());
        async move { app.request(Method::GET, &path).bearer_auth(token).header(IF_NONE_MATCH, tag).send().await.unwrap().status() }
    };
    let (_, empty, headers) = fhir(&app, Some(&person.app_token), &plan_path).await;
    assert!(empty.get("goal").is_none() && empty.get("activity").is_none(), "{empty}");
    let mut seen = etag(&headers);
    assert_eq!(seen, format!("W/\"{}\"", empty["meta"]["versionId"].as_str().unwrap()));
    assert_eq!(conditional(seen.clone()).await, StatusCode::NOT_MODIFIED);

    let routine = made(&app, own, "/v1/routines", json!({ "title": "Stretch", "category": "exercise", "schedule": { "kind": "daily", "times": ["07:00"] } })).await;
    let goal = made(&app, own, "/v1/goals", json!({ "title": "Run 5k", "area": "health" })).await;
    assert_eq!(conditional(seen.clone()).await, StatusCode::OK, "a new goal and routine change the plan");
    let (_, _, headers) = fhir(&app, Some(&person.app_token), &plan_path).await;
    seen = etag(&headers);
    let changes = [
        (Method::PATCH, format!("/v1/routines/{}", routine["id"].as_str().unwrap()), json!({ "title": "Stretch well" })),
        (Method::PATCH, format!("/v1/goals/{}", goal["id"].as_str().unwrap()), json!({ "status": "achieved" })),
        (Method::PATCH, format!("/v1/routines/{}", routine["id"].as_str().unwrap()), json!({ "active": false })),
    ];
    for (method, path, body) in changes {
        assert_eq!(conditional(seen.clone()).await, StatusCode::NOT_MODIFIED, "before {path}");
        let answer = app.authorized(method, &path, own).json(&body).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert_eq!(conditional(seen.clone()).await, StatusCode::OK, "{path} {body} changes the plan");
        let (_, _, headers) = fhir(&app, Some(&person.app_token), &plan_path).await;
        seen = etag(&headers);
    }
    let (_, plan, _) = fhir(&app, Some(&person.app_token), &plan_path).await;
    assert!(plan.get("goal").is_none() && plan.get("activity").is_none(), "an achieved goal and a paused routine leave the plan: {plan}");

    for path in ["/fhir/r4/metadata", &plan_path, &format!("/fhir/r4/Patient/{}", person.patient), "/fhir/r4/Goal", "/fhir/r4/CarePlan", "/fhir/r4/RelatedPerson"] {
        for format in ["json", "application/fhir+json"] {
            let (status, body, _) = fhir(&app, Some(&person.app_token), &format!("{path}?_format={}", url::form_urlencoded::byte_serialize(format.as_bytes()).collect::<String>())).await;
            assert_eq!(status, StatusCode::OK, "{path} _format={format}: {body}");
        }
        let (status, outcome, _) = fhir(&app, Some(&person.app_token), &format!("{path}?_format=xml")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {outcome}");
        let (status, _, _) = fhir(&app, Some(&person.app_token), &format!("{path}?_summary=true")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} refuses what it does not do");
    }
});

api_test!(async fn a_search_asked_again_after_goals_change_has_the_right_pages(app) {
    let person = connected(&app).await;
    let own = person.own_token.as_str();
    let token = Some(person.app_token.as_str());
    let oldest = made(&app, own, "/v1/goals", json!({ "title": "Oldest", "area": "work" })).await;
    for title in ["Middle", "Newest"] {
        made(&app, own, "/v1/goals", json!({ "title": title, "area": "work" })).await;
    }
    let search = "/fhir/r4/Goal?lifecycle-status=active&_count=2";
    let has_next = |page: &Value| page["link"].as_array().unwrap().iter().any(|link| link["relation"] == "next");
    let (_, first, _) = fhir(&app, token, search).await;
    assert!(has_next(&first), "{first}");
    let oldest_path = format!("/v1/goals/{}", oldest["id"].as_str().unwrap());
    for (status, more) in [("paused", false), ("active", true)] {
        let changed = app.authorized(Method::PATCH, &oldest_path, own).json(&json!({ "status": status })).send().await.unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        let (_, again, _) = fhir(&app, token, search).await;
        assert_eq!(ids(&again).len(), 2);
        assert_eq!(has_next(&again), more, "with the oldest {status}: {again}");
    }
    let (_, none_after, _) = fhir(&app, token, "/fhir/r4/Goal?_lastUpdated=gt9999-12-31").await;
    assert_eq!(ids(&none_after), Vec::<String>::new(), "nothing changed after the last day FHIR can write");
});
