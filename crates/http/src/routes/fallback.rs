//! What a request that matched no route gets: 405 with `Allow` when the path exists
//! for other methods, 404 otherwise. Both as problem+json.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use crate::route_table::RouteTable;

pub(crate) async fn not_found_or_not_allowed(
    request: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let allow = routes.allowed_methods(request.path());
    if allow.is_empty() {
        Err(ApiError::NoRoute)
    } else {
        Err(ApiError::MethodNotAllowed { allow })
    }
}
