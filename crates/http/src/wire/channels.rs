//! Ways to reach someone (a contact, a service) on the wire, and how a request's
//! channels become domain drafts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waymark_domain::contacts::{Channel, ChannelDraft};

/// What kind of channel a value is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ChannelTypeName {
    Phone,
    Mobile,
    Email,
    Address,
    Website,
    Forum,
    Video,
}

/// One way to reach a contact.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChannelBody {
    /// `phone` and `mobile` are normalised to E.164 (numbers without a country code
    /// are read in your locale's region; short service numbers such as 116 123 keep
    /// their digits); `email` must be an address; `address` is free text (up to 500
    /// characters); `website`, `forum` and `video` must be `https` URLs.
    #[serde(rename = "type")]
    #[schema(value_type = ChannelTypeName, example = "mobile")]
    pub(crate) kind: String,
    /// The value; answered normalised.
    #[schema(example = "+447911123456", max_length = 2000)]
    pub(crate) value: String,
    /// Your label, such as "work" (up to 60 characters).
    #[serde(default)]
    #[schema(max_length = 60)]
    pub(crate) label: Option<String>,
    /// Whether it is the preferred channel of its type (at most one per type).
    #[serde(default)]
    pub(crate) preferred: bool,
}

impl From<&Channel> for ChannelBody {
    fn from(channel: &Channel) -> Self {
        Self {
            kind: channel.kind.as_str().to_owned(),
            value: channel.value.clone(),
            label: (!channel.label.as_str().is_empty()).then(|| channel.label.as_str().to_owned()),
            preferred: channel.preferred,
        }
    }
}

/// The channels of a request, as drafts.
pub(crate) fn channel_drafts(channels: Vec<ChannelBody>) -> Vec<ChannelDraft> {
    channels
        .into_iter()
        .map(|channel| ChannelDraft {
            kind: channel.kind,
            value: channel.value,
            label: channel.label,
            preferred: channel.preferred,
        })
        .collect()
}
