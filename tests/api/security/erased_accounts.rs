//! An erased account's unexpired access token, sent to every secured operation: each
//! answers 401, as for any token that no longer speaks for anyone.

use reqwest::{Method, StatusCode};
use serde_json::json;
use waymark_domain::identity::Role;

use super::{Seen, check_misconfiguration, fill, operations, owned_resources, request};
use crate::support::api_test;

api_test!(async fn every_secured_operation_refuses_the_token_of_an_erased_account(app) {
    let admin = app.signed_in_with_role(Role::Admin).await;
    let ids = owned_resources(&app, &admin).await;
    let erased = app
        .authorized(Method::DELETE, "/v1/me", &admin.access_token)
        .json(&json!({ "password": crate::support::identity::GOOD_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    let mut seen = Seen::default();
    let mut checked = 0;
    for operation in operations().iter().filter(|operation| operation.secured) {
        let path = fill(&operation.template, &ids);
        let (status, body) = seen.send(&operation.name(), request(&app, operation, &path, Some(&admin.access_token)), true).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{} with an erased account's token: {body}", operation.name());
        checked += 1;
    }
    assert!(checked >= 60, "{checked} operations checked");
    check_misconfiguration(&seen);
});
