//! The support-service directory in `content_services` (see migration
//! `m20261125_000012`): rows to domain values and back, and the queries the content
//! store runs for it.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use waymark_domain::content::ports::{MAX_SERVICES_CONSIDERED, ServiceQuery, ServiceWriteError};
use waymark_domain::content::service::{
    Area, Cost, Eligibility, Location, OpeningHours, OpeningPeriod, Service, ServiceDescription,
    ServiceDetails, ServiceId, ServiceKind, ServiceName, weekday_named,
};
use waymark_domain::content::{ArticleStatus, Slug};
use waymark_domain::identity::{Locale, TimeZoneName};
use waymark_domain::ports::StoreError;
use waymark_domain::routines::schedule::weekday_name;
use waymark_domain::time::Instant;

use async_trait::async_trait;
use waymark_domain::content::ports::ServiceStore;

use super::SqlContentStore;
use crate::contacts::{channels_json, channels_of};
use crate::entities::content_services;
use crate::error::{is_unique_violation, store_error};
use crate::like::contains_pattern;

fn hours_json(hours: &OpeningHours) -> String {
    json!({
        "time_zone": hours.time_zone.name(),
        "always_open": hours.always_open,
        "periods": hours.periods.iter().map(|period| json!({
            "days": period.days.iter().map(|day| weekday_name(*day)).collect::<Vec<_>>(),
            "opens": period.opens.format("%H:%M").to_string(),
            "closes": period.closes.format("%H:%M").to_string(),
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

fn hours_of(text: &str) -> Option<OpeningHours> {
    let value: Value = serde_json::from_str(text).ok()?;
    let time = |value: &Value| chrono::NaiveTime::parse_from_str(value.as_str()?, "%H:%M").ok();
    Some(OpeningHours {
        time_zone: TimeZoneName::parse(value.get("time_zone")?.as_str()?).ok()?,
        always_open: value.get("always_open")?.as_bool()?,
        periods: value
            .get("periods")?
            .as_array()?
            .iter()
            .map(|period| {
                Some(OpeningPeriod {
                    days: period
                        .get("days")?
                        .as_array()?
                        .iter()
                        .map(|day| weekday_named(day.as_str()?))
                        .collect::<Option<_>>()?,
                    opens: time(period.get("opens")?)?,
                    closes: time(period.get("closes")?)?,
                })
            })
            .collect::<Option<_>>()?,
    })
}

pub(crate) fn to_service(row: &content_services::Model) -> Result<Service, StoreError> {
    let bad = |field: &str| {
        StoreError::Unexpected(anyhow::anyhow!("service {} has an invalid {field}", row.id))
    };
    let languages: Vec<String> =
        serde_json::from_str(&row.languages).map_err(|_| bad("languages"))?;
    Ok(Service {
        id: ServiceId(row.id),
        slug: Slug::parse(&row.slug).map_err(|_| bad("slug"))?,
        details: ServiceDetails {
            name: ServiceName::parse(&row.name).map_err(|_| bad("name"))?,
            kind: row.kind.parse::<ServiceKind>().map_err(|_| bad("kind"))?,
            description: ServiceDescription::parse(&row.description)
                .map_err(|_| bad("description"))?,
            channels: channels_of(&row.channels).ok_or_else(|| bad("channels"))?,
            opening_hours: row
                .opening_hours
                .as_deref()
                .map(|text| hours_of(text).ok_or_else(|| bad("opening_hours")))
                .transpose()?,
            area: Area::parse(&row.area).map_err(|_| bad("area"))?,
            location: match (row.lat, row.lon) {
                (Some(lat), Some(lon)) => {
                    Some(Location::new(lat, lon).ok_or_else(|| bad("location"))?)
                }
                _ => None,
            },
            online_only: row.online_only,
            cost: row.cost.parse::<Cost>().map_err(|_| bad("cost"))?,
            languages: languages
                .iter()
                .map(|language| Locale::parse(language).map_err(|_| bad("languages")))
                .collect::<Result<_, _>>()?,
            eligibility: Eligibility::parse(&row.eligibility).map_err(|_| bad("eligibility"))?,
            last_verified: row.last_verified,
            crisis_line: row.crisis_line,
            country: row.country.clone(),
        },
        status: row.status.parse::<ArticleStatus>().map_err(|_| bad("status"))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn set_details(
    row: &mut content_services::ActiveModel,
    details: &ServiceDetails,
    status: ArticleStatus,
) {
    let name = details.name.as_str();
    row.name = Set(name.to_owned());
    row.name_key = Set(name.to_lowercase());
    row.search_text = Set(format!(
        "{}\n{}\n{}",
        name.to_lowercase(),
        details.description.as_str().to_lowercase(),
        details.area.as_str().to_lowercase()
    ));
    row.kind = Set(details.kind.as_str().to_owned());
    row.description = Set(details.description.as_str().to_owned());
    row.channels = Set(channels_json(&details.channels));
    row.opening_hours = Set(details.opening_hours.as_ref().map(hours_json));
    row.area = Set(details.area.as_str().to_owned());
    row.lat = Set(details.location.map(|location| location.lat));
    row.lon = Set(details.location.map(|location| location.lon));
    row.online_only = Set(details.online_only);
    row.cost = Set(details.cost.as_str().to_owned());
    row.languages = Set(Value::Array(
        details
            .languages
            .iter()
            .map(|language| Value::String(language.as_str().to_owned()))
            .collect(),
    )
    .to_string());
    row.eligibility = Set(details.eligibility.as_str().to_owned());
    row.last_verified = Set(details.last_verified);
    row.crisis_line = Set(details.crisis_line);
    row.country = Set(details.country.clone());
    row.status = Set(status.as_str().to_owned());
}

async fn row(
    connection: &impl ConnectionTrait,
    slug: &Slug,
) -> Result<Option<content_services::Model>, StoreError> {
    content_services::Entity::find()
        .filter(content_services::Column::Slug.eq(slug.as_str()))
        .one(connection)
        .await
        .map_err(store_error)
}

async fn create(
    connection: &impl ConnectionTrait,
    slug: Slug,
    details: ServiceDetails,
    status: ArticleStatus,
    now: Instant,
) -> Result<Service, ServiceWriteError> {
    let mut model = content_services::ActiveModel {
        id: Set(waymark_domain::id::new_id()),
        slug: Set(slug.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    };
    set_details(&mut model, &details, status);
    match content_services::Entity::insert(model).exec_with_returning(connection).await {
        Ok(inserted) => Ok(to_service(&inserted)?),
        Err(error) if is_unique_violation(&error) => Err(ServiceWriteError::SlugTaken),
        Err(error) => Err(store_error(error).into()),
    }
}

async fn get(
    connection: &impl ConnectionTrait,
    slug: &Slug,
) -> Result<Option<Service>, StoreError> {
    row(connection, slug).await?.as_ref().map(to_service).transpose()
}

async fn list(
    connection: &impl ConnectionTrait,
    query: ServiceQuery,
) -> Result<Vec<Service>, StoreError> {
    let mut select = content_services::Entity::find();
    if !query.statuses.is_empty() {
        select = select.filter(
            content_services::Column::Status
                .is_in(query.statuses.iter().map(|status| status.as_str())),
        );
    }
    if let Some(kind) = query.kind {
        select = select.filter(content_services::Column::Kind.eq(kind.as_str()));
    }
    if let Some(text) = query.text.as_deref() {
        select = select
            .filter(Expr::col(content_services::Column::SearchText).like(contains_pattern(text)));
    }
    if query.crisis_only {
        select = select.filter(content_services::Column::CrisisLine.eq(true));
    }
    if let Some(around) = query.within {
        let (south, north) = around.latitudes;
        select = select.filter(content_services::Column::Lat.between(south, north));
        if let Some((west, east)) = around.longitudes {
            select = select.filter(content_services::Column::Lon.between(west, east));
        } else {
            select =
                select.filter(Condition::all().add(content_services::Column::Lon.is_not_null()));
        }
    }
    select
        .order_by_asc(content_services::Column::NameKey)
        .order_by_asc(content_services::Column::Id)
        .limit(MAX_SERVICES_CONSIDERED)
        .all(connection)
        .await
        .map_err(store_error)?
        .iter()
        .map(to_service)
        .collect()
}

async fn update(
    connection: &impl ConnectionTrait,
    slug: &Slug,
    details: ServiceDetails,
    status: ArticleStatus,
    expected_version: Option<i64>,
    now: Instant,
) -> Result<Service, ServiceWriteError> {
    let current = row(connection, slug).await?.ok_or(ServiceWriteError::NotFound)?;
    let expected = expected_version.unwrap_or(current.version);
    if expected != current.version {
        return Err(ServiceWriteError::PreconditionFailed);
    }
    let mut model = content_services::ActiveModel::default();
    set_details(&mut model, &details, status);
    model.updated_at = Set(now);
    let changed = content_services::Entity::update_many()
        .set(model)
        .col_expr(
            content_services::Column::Version,
            Expr::col(content_services::Column::Version).add(1),
        )
        .filter(content_services::Column::Id.eq(current.id))
        .filter(content_services::Column::Version.eq(expected))
        .exec(connection)
        .await
        .map_err(store_error)?
        .rows_affected;
    if changed == 0 {
        return Err(ServiceWriteError::PreconditionFailed);
    }
    get(connection, slug).await?.ok_or(ServiceWriteError::NotFound)
}

async fn delete(
    connection: &impl ConnectionTrait,
    slug: &Slug,
    expected_version: Option<i64>,
) -> Result<(), ServiceWriteError> {
    let mut statement = content_services::Entity::delete_many()
        .filter(content_services::Column::Slug.eq(slug.as_str()));
    if let Some(expected) = expected_version {
        statement = statement.filter(content_services::Column::Version.eq(expected));
    }
    let deleted = statement.exec(connection).await.map_err(store_error)?.rows_affected;
    if deleted > 0 {
        return Ok(());
    }
    match (row(connection, slug).await?, expected_version) {
        (Some(_), Some(_)) => Err(ServiceWriteError::PreconditionFailed),
        _ => Err(ServiceWriteError::NotFound),
    }
}

#[async_trait]
impl ServiceStore for SqlContentStore {
    async fn create_service(
        &self,
        slug: Slug,
        details: ServiceDetails,
        status: ArticleStatus,
        now: Instant,
    ) -> Result<Service, ServiceWriteError> {
        create(&self.writes, slug, details, status, now).await
    }

    async fn service(&self, slug: &Slug) -> Result<Option<Service>, StoreError> {
        get(&self.connection, slug).await
    }

    async fn services(&self, query: ServiceQuery) -> Result<Vec<Service>, StoreError> {
        list(&self.connection, query).await
    }

    async fn update_service(
        &self,
        slug: &Slug,
        details: ServiceDetails,
        status: ArticleStatus,
        expected_version: Option<i64>,
        now: Instant,
    ) -> Result<Service, ServiceWriteError> {
        update(&self.writes, slug, details, status, expected_version, now).await
    }

    async fn delete_service(
        &self,
        slug: &Slug,
        expected_version: Option<i64>,
    ) -> Result<(), ServiceWriteError> {
        delete(&self.writes, slug, expected_version).await
    }
}
