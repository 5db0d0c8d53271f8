//! File formats other apps read and write, kept apart from the domain's rules: a
//! format turns domain values into text and text into drafts the domain then checks.
//!
//! - [`vcard`]: reading and writing vCards (4.0, 3.0 and 2.1), card by card;
//! - [`contact_cards`]: contacts as vCards, and vCards as contact drafts;
//! - [`icalendar`]: routines as an RFC 5545 calendar;
//! - [`fhir`]: how goals, routines and contacts are said in HL7 FHIR R4.

pub mod contact_cards;
pub mod fhir;
pub mod icalendar;
pub mod vcard;
