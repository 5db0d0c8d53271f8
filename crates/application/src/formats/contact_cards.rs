//! Contacts as vCards: what a card from a phone or another app becomes, and how a
//! contact is written so that it comes back unchanged. Waymark's own fields travel as
//! `X-WAYMARK-*` properties, which other apps keep or ignore.

use waymark_domain::contacts::channel::ChannelType;
use waymark_domain::contacts::contact::Contact;
use waymark_domain::contacts::draft::{ChannelDraft, ContactDraft};

use super::vcard::{Card, CardWriter, Property, escape_text};

/// Marks a link that is a forum or a video-call address rather than a website.
const FORUM_TYPE: &str = "x-waymark-forum";
const VIDEO_TYPE: &str = "x-waymark-video";
/// A channel's label.
const LABEL_PARAMETER: &str = "X-WAYMARK-LABEL";

/// What `card` says, as a draft to be checked like any other.
#[must_use]
pub fn draft_of(card: &Card) -> ContactDraft {
    let mut draft = ContactDraft::default();
    let mut preferred_seen: Vec<ChannelType> = Vec::new();
    for property in &card.properties {
        match property.name.as_str() {
            "FN" => draft.name = property.text(),
            "N" if draft.name.is_empty() => draft.name = name_from_parts(property),
            "ORG" => {
                draft.organisation = Some(
                    property
                        .components()
                        .into_iter()
                        .filter(|part| !part.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            "NOTE" => draft.notes = Some(property.text()),
            "TEL" | "EMAIL" | "ADR" | "URL" => {
                let mut channel = channel_of(property, card);
                let kind = channel.kind.parse::<ChannelType>().ok();
                if channel.preferred
                    && let Some(kind) = kind
                {
                    // Phones mark several as preferred; the first of each type wins.
                    channel.preferred = !preferred_seen.contains(&kind);
                    preferred_seen.push(kind);
                }
                draft.channels.push(channel);
            }
            "X-WAYMARK-KIND" => draft.kind = Some(property.text()),
            "X-WAYMARK-PREFERRED-METHOD" => draft.preferred_method = Some(property.text()),
            "X-WAYMARK-KEEP-IN-TOUCH-EVERY-DAYS" => {
                draft.keep_in_touch_every_days =
                    Some(property.text().trim().parse::<i64>().unwrap_or(i64::MIN));
            }
            "X-WAYMARK-LAST-CONTACTED-AT" => {
                draft.last_contacted_at =
                    chrono::DateTime::parse_from_rfc3339(property.text().trim())
                        .ok()
                        .map(|at| at.to_utc());
            }
            "X-WAYMARK-HELPFULNESS" => draft.helpfulness = Some(property.text()),
            "X-WAYMARK-CAN-HELP-WITH" => draft.can_help_with = Some(property.text()),
            "X-WAYMARK-CRISIS-CONTACT" => {
                draft.crisis_contact = property.text().trim().eq_ignore_ascii_case("true");
            }
            "X-WAYMARK-SHARED-WITH-SERVICES" => {
                draft.shared_with_services = property.text().trim().eq_ignore_ascii_case("true");
            }
            "X-WAYMARK-KNOWS-ABOUT-MY-HEALTH" => {
                draft.knows_about_my_health = Some(property.text());
            }
            _ => {}
        }
    }
    draft
}

/// "Given Family" from an `N` value (family; given; additional; prefix; suffix).
fn name_from_parts(property: &Property) -> String {
    let parts = property.components();
    [3, 1, 2, 0, 4]
        .iter()
        .filter_map(|index| parts.get(*index))
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn channel_of(property: &Property, card: &Card) -> ChannelDraft {
    let types = property.types();
    let has = |wanted: &str| types.iter().any(|kind| kind == wanted);
    let (kind, value) = match property.name.as_str() {
        "TEL" => {
            let text = property.text();
            let number = text.strip_prefix("tel:").map(str::to_owned).unwrap_or(text);
            let kind = if has("cell") { "mobile" } else { "phone" };
            (kind, number)
        }
        "EMAIL" => ("email", property.text()),
        "ADR" => (
            "address",
            property
                .components()
                .into_iter()
                .filter(|part| !part.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ if has(FORUM_TYPE) => ("forum", property.text()),
        _ if has(VIDEO_TYPE) => ("video", property.text()),
        _ => ("website", property.text()),
    };
    ChannelDraft {
        kind: kind.to_owned(),
        value,
        label: label_of(property, card, &types),
        preferred: property.pref().is_some(),
    }
}

/// The label: Waymark's own, else an Apple `itemN.X-ABLabel`, else home or work.
fn label_of(property: &Property, card: &Card, types: &[String]) -> Option<String> {
    if let Some(label) = property.param(LABEL_PARAMETER) {
        return Some(label.to_owned());
    }
    if let Some(group) = &property.group
        && let Some(label) = card.properties.iter().find(|other| {
            other.name == "X-ABLABEL" && other.group.as_deref() == Some(group.as_str())
        })
    {
        let text = label.text();
        let plain =
            text.strip_prefix("_$!<").and_then(|rest| rest.strip_suffix(">!$_")).unwrap_or(&text);
        return Some(plain.to_lowercase());
    }
    types.iter().find(|kind| matches!(kind.as_str(), "home" | "work")).cloned()
}

/// Writes `contact` as one vCard 4.0 card.
pub fn write_contact(writer: &mut CardWriter, contact: &Contact) {
    let details = &contact.details;
    writer.begin();
    writer.property("UID", &[], &format!("urn:uuid:{}", contact.id));
    writer.property("FN", &[], &escape_text(details.name.as_str()));
    if !details.organisation.as_str().is_empty() {
        writer.property("ORG", &[], &escape_text(details.organisation.as_str()));
    }
    for channel in &details.channels {
        let mut params: Vec<(&str, &str)> = Vec::new();
        if !channel.label.as_str().is_empty() {
            params.push((LABEL_PARAMETER, channel.label.as_str()));
        }
        if channel.preferred {
            params.push(("PREF", "1"));
        }
        match channel.kind {
            ChannelType::Phone | ChannelType::Mobile => {
                params.insert(0, ("VALUE", "uri"));
                params.push((
                    "TYPE",
                    if channel.kind == ChannelType::Mobile { "cell" } else { "voice" },
                ));
                writer.property("TEL", &params, &format!("tel:{}", channel.value));
            }
            ChannelType::Email => writer.property("EMAIL", &params, &escape_text(&channel.value)),
            ChannelType::Address => {
                writer.property("ADR", &params, &format!(";;{};;;;", escape_text(&channel.value)));
            }
            ChannelType::Website | ChannelType::Forum | ChannelType::Video => {
                match channel.kind {
                    ChannelType::Forum => params.push(("TYPE", FORUM_TYPE)),
                    ChannelType::Video => params.push(("TYPE", VIDEO_TYPE)),
                    _ => {}
                }
                writer.property("URL", &params, &channel.value);
            }
        }
    }
    if !details.notes.as_str().is_empty() {
        writer.property("NOTE", &[], &escape_text(details.notes.as_str()));
    }
    writer.property("X-WAYMARK-KIND", &[], details.kind.as_str());
    if let Some(method) = details.preferred_method {
        writer.property("X-WAYMARK-PREFERRED-METHOD", &[], method.as_str());
    }
    if let Some(days) = details.keep_in_touch_every_days {
        writer.property("X-WAYMARK-KEEP-IN-TOUCH-EVERY-DAYS", &[], &days.to_string());
    }
    if let Some(at) = contact.last_contacted_at {
        writer.property(
            "X-WAYMARK-LAST-CONTACTED-AT",
            &[],
            &at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        );
    }
    writer.property("X-WAYMARK-HELPFULNESS", &[], details.helpfulness.as_str());
    if !details.can_help_with.as_str().is_empty() {
        writer.property(
            "X-WAYMARK-CAN-HELP-WITH",
            &[],
            &escape_text(details.can_help_with.as_str()),
        );
    }
    writer.property(
        "X-WAYMARK-CRISIS-CONTACT",
        &[],
        if details.crisis_contact { "true" } else { "false" },
    );
    writer.property(
        "X-WAYMARK-SHARED-WITH-SERVICES",
        &[],
        if details.shared_with_services { "true" } else { "false" },
    );
    writer.property("X-WAYMARK-KNOWS-ABOUT-MY-HEALTH", &[], details.knows_about_my_health.as_str());
    writer.property("REV", &[], &contact.updated_at.format("%Y%m%dT%H%M%SZ").to_string());
    writer.end();
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_domain::contacts::PhoneRegion;
    use waymark_domain::identity::Locale;

    use crate::formats::vcard::parse;

    const IPHONE: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nORG:Hope Café;\r\nitem1.EMAIL;type=INTERNET;type=pref:jane@example.org\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nTEL;type=CELL;type=VOICE;type=pref:07911 123456\r\nTEL;type=HOME;type=VOICE:020 7946 0958\r\nADR;type=HOME:;;1 High St;Leeds;;LS1 1AA;United Kingdom\r\nNOTE:Met at the allotment\\, Tuesdays\\nLikes tea\r\nEND:VCARD\r\n";

    #[test]
    fn a_phone_card_becomes_a_contact() {
        let card = parse(IPHONE).remove(0).unwrap();
        let draft = draft_of(&card);
        let checked =
            draft.check(PhoneRegion::of(&Locale::default_locale()), chrono::Utc::now()).unwrap();
        let details = checked.details;
        assert_eq!(details.name.as_str(), "Jane Doe");
        assert_eq!(details.organisation.as_str(), "Hope Café");
        assert_eq!(details.notes.as_str(), "Met at the allotment, Tuesdays\nLikes tea");
        let channels: Vec<(&str, &str, &str, bool)> = details
            .channels
            .iter()
            .map(|channel| {
                (
                    channel.kind.as_str(),
                    channel.value.as_str(),
                    channel.label.as_str(),
                    channel.preferred,
                )
            })
            .collect();
        assert_eq!(
            channels,
            [
                ("email", "jane@example.org", "other", true),
                ("mobile", "+447911123456", "", true),
                ("phone", "+442079460958", "home", false),
                ("address", "1 High St\nLeeds\nLS1 1AA\nUnited Kingdom", "home", false),
            ]
        );
    }
}
