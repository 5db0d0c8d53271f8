//! Names of values more than one resource answers with: a goal's status, a feeling,
//! a day of the week, where an article or service is in its life. Each documents its words in the OpenAPI document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where the person is with a goal. Any status is a valid choice, never a judgement.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StatusName {
    Active,
    Paused,
    Achieved,
    LetGo,
}

/// How the person felt.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FeelingName {
    VeryLow,
    Low,
    Okay,
    Good,
    VeryGood,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WeekdayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// Where an article is in its life.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ArticleStatusName {
    Draft,
    Published,
    Archived,
}
