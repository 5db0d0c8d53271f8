//! The `sign_in_failures` table: failed sign-ins per e-mail digest, in a window that
//! starts at `window_started_at` (Unix seconds, so both backends compare numbers).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_failures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub email_digest: String,
    pub failures: i32,
    pub window_started_at: i64,
}

super::without_relations!();
