//! Every route Waymark serves, registered through utoipa-actix-web so the OpenAPI
//! document is generated from the same registrations and cannot drift from them.

mod access_log;
mod admin;
pub(crate) mod auth;
pub(crate) mod contacts;
pub(crate) mod content;
mod export;
mod fallback;
mod fhir;
pub(crate) mod goals;
mod grants;
mod health;
mod me;
mod metrics;
pub(crate) mod routines;
pub(crate) mod sharing;
mod sync;
mod webhooks;

pub(crate) use export::EXPORT_READS_AT_ONCE;
pub(crate) use fallback::not_found_or_not_allowed;
pub(crate) use fhir::FHIR_BASE;
pub(crate) use metrics::metrics_on_own_listener;
pub(crate) use sync::tokens_from as sync_tokens;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route.
pub(crate) fn configure(config: &mut ServiceConfig<'_>) {
    config
        .service(health::live)
        .service(health::ready)
        .service(health::live_head)
        .service(health::ready_head)
        .service(
            utoipa_actix_web::scope(sharing::SHARED_WITH_ME)
                .service(sharing::list_shared_with_me)
                .service(sharing::get_shared_with_me)
                .service(sharing::leave_shared_with_me)
                .service(sharing::list_shared_goals)
                .service(sharing::get_shared_goal)
                .service(sharing::get_shared_routines)
                .service(sharing::send_encouragement),
        )
        .service(
            utoipa_actix_web::scope(fhir::FHIR_BASE)
                .service(fhir::smart_configuration_at_base)
                .service(fhir::capability_statement)
                .service(fhir::read_patient)
                .service(fhir::search_goals)
                .service(fhir::read_goal)
                .service(fhir::search_care_plans)
                .service(fhir::read_care_plan)
                .service(fhir::search_related_people)
                .service(fhir::read_related_person),
        )
        .service(metrics::metrics)
        .service(auth::jwks)
        .service(auth::authorization_server_metadata)
        .service(auth::register)
        .service(auth::authorize)
        .service(auth::authorize_decision)
        .service(auth::token)
        .service(auth::revoke)
        .service(auth::introspect)
        .service(me::get_me)
        .service(me::update_me)
        .service(me::change_password)
        .service(me::sign_out_everywhere)
        .service(me::delete_me)
        .service(export::export_me)
        .service(access_log::list_access_log)
        .service(sync::sync_changes)
        .service(webhooks::create_webhook)
        .service(webhooks::list_webhooks)
        .service(webhooks::get_webhook)
        .service(webhooks::update_webhook)
        .service(webhooks::delete_webhook)
        .service(webhooks::rotate_webhook_secret)
        .service(webhooks::list_webhook_attempts)
        .service(webhooks::redeliver_webhook_message)
        .service(grants::list_grants)
        .service(grants::revoke_grant)
        .service(admin::create_client)
        .service(admin::list_clients)
        .service(admin::get_client)
        .service(admin::delete_client)
        .service(admin::update_client)
        .service(admin::disable_client)
        .service(admin::update_user)
        .service(goals::list_goals)
        .service(goals::create_goal)
        .service(goals::get_goal)
        .service(goals::update_goal)
        .service(goals::delete_goal)
        .service(goals::goal_history)
        .service(goals::list_steps)
        .service(goals::add_step)
        .service(goals::reorder_steps)
        .service(goals::get_step)
        .service(goals::update_step)
        .service(goals::delete_step)
        .service(goals::list_check_ins)
        .service(goals::create_check_in)
        .service(goals::get_check_in)
        .service(goals::delete_check_in)
        .service(sharing::create_share)
        .service(sharing::list_shares)
        .service(sharing::get_share)
        .service(sharing::update_share)
        .service(sharing::delete_share)
        .service(sharing::reinvite_share)
        .service(sharing::preview_share)
        .service(sharing::accept_invitation)
        .service(sharing::invitation_page)
        .service(sharing::list_encouragements)
        .service(sharing::update_encouragement)
        .service(routines::list_routines)
        .service(routines::routines_calendar)
        .service(routines::create_routine)
        .service(routines::get_routine)
        .service(routines::update_routine)
        .service(routines::delete_routine)
        .service(routines::routine_occurrences)
        .service(routines::routine_stats)
        .service(routines::list_routine_check_ins)
        .service(routines::create_routine_check_in)
        .service(routines::update_routine_check_in)
        .service(routines::delete_routine_check_in)
        .service(routines::batch_routine_check_ins)
        .service(routines::agenda)
        .service(routines::create_calendar_feed)
        .service(routines::delete_calendar_feed)
        .service(routines::calendar_feed)
        // Fixed paths and `.vcf` first: `/v1/contacts/{contact_id}` would match them.
        .service(contacts::list_contacts)
        .service(contacts::create_contact)
        .service(contacts::export_contacts_vcard)
        .service(contacts::import_contacts_vcard)
        .service(contacts::export_contact_vcard)
        .service(contacts::get_contact)
        .service(contacts::update_contact)
        .service(contacts::delete_contact)
        .service(contacts::list_interactions)
        .service(contacts::create_interaction)
        .service(contacts::get_interaction)
        .service(contacts::delete_interaction)
        .service(contacts::list_contact_goals)
        .service(contacts::list_goal_supporters)
        .service(contacts::put_goal_supporter)
        .service(contacts::delete_goal_supporter)
        .service(contacts::get_crisis_view)
        .service(content::list_articles)
        .service(content::create_article)
        .service(content::list_content_changes)
        .service(content::get_article)
        .service(content::update_article)
        .service(content::delete_article)
        .service(content::publish_article)
        .service(content::archive_article)
        .service(content::list_article_revisions)
        .service(content::get_article_revision)
        .service(content::list_services)
        .service(content::create_service)
        .service(content::get_service)
        .service(content::update_service)
        .service(content::delete_service)
        .service(content::get_crisis_lines)
        .service(content::crisis_lines_page)
        .service(fhir::smart_configuration);
}
