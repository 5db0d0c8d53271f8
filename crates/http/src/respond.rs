//! The answers most operations give about one resource: the resource with its version
//! as the `ETag`, and a new one with its address as `Location`.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;

use crate::extract::version_etag;

/// 200 with `body`, whose `version` is the `ETag`.
pub(crate) fn versioned(version: i64, body: impl Serialize) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, version_etag(version))).json(body)
}

/// 201 with `body`, whose `version` is the `ETag` and whose address is `location`.
pub(crate) fn created(location: String, version: i64, body: impl Serialize) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, version_etag(version)))
        .json(body)
}
