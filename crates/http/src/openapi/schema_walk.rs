//! Finding and bounding values in the document: every schema it holds (components,
//! parameters, bodies, responses, headers), the property or parameter a rule names,
//! and the values still unbounded.

use utoipa::Number;
use utoipa::openapi::schema::{
    AdditionalProperties, Array, ArrayItems, KnownFormat, Object, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{OpenApi, RefOr, Schema};

use super::operations_mut;

/// How a value is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    /// A string of `min` to `max` characters, with a pattern when the rule has one.
    Text { min: usize, max: usize, pattern: Option<&'static str> },
    /// An array of at most `max` items.
    Items { max: usize },
    /// A whole number from `min` to `max`.
    Whole { min: i64, max: i64 },
    /// Whatever the named property (`Schema.property`) allows: a response states what
    /// its request accepts.
    As(&'static str),
}

/// A target (see `bounds::rules` for how they are named) and its bound.
type Rule<'a> = (&'a str, Bound);

/// Lengths fixed by a string's format.
fn format_length(format: Option<&SchemaFormat>) -> Option<usize> {
    match format? {
        SchemaFormat::KnownFormat(KnownFormat::Uuid) => Some(36),
        SchemaFormat::KnownFormat(KnownFormat::Date) => Some(10),
        // RFC 3339 with nanoseconds and an offset: `2026-12-06T09:03:00.123456789+01:00`.
        SchemaFormat::KnownFormat(KnownFormat::DateTime) => Some(35),
        _ => None,
    }
}

fn has_type(schema_type: &SchemaType, wanted: &Type) -> bool {
    match schema_type {
        SchemaType::Type(kind) => kind == wanted,
        SchemaType::Array(kinds) => kinds.contains(wanted),
        SchemaType::AnyValue => false,
    }
}

/// Calls `visit` on `schema` and every schema inside it, with where it is.
fn walk(schema: &mut RefOr<Schema>, at: &str, visit: &mut dyn FnMut(&mut Schema, &str)) {
    let RefOr::T(schema) = schema else { return };
    visit(schema, at);
    match schema {
        Schema::Object(object) => {
            for (name, property) in &mut object.properties {
                walk(property, &format!("{at}.{name}"), visit);
            }
            if let Some(additional) = object.additional_properties.as_deref_mut()
                && let AdditionalProperties::RefOr(values) = additional
            {
                walk(values, &format!("{at}.*"), visit);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                walk(items, &format!("{at}[]"), visit);
            }
        }
        Schema::OneOf(choice) => choice.items.iter_mut().for_each(|item| walk(item, at, visit)),
        Schema::AllOf(all) => all.items.iter_mut().for_each(|item| walk(item, at, visit)),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(|item| walk(item, at, visit)),
        _ => {}
    }
}

/// Calls `visit` on every schema of the document. Non-JSON response bodies (the
/// Prometheus text, iCalendar and vCard downloads) are left out when `downloads` is
/// false: their size follows the data, not a field.
fn walk_document(openapi: &mut OpenApi, downloads: bool, visit: &mut dyn FnMut(&mut Schema, &str)) {
    for (path, method, operation) in operations_mut(openapi) {
        let name = format!("{method} {path}");
        for parameter in operation.parameters.iter_mut().flatten() {
            if let RefOr::T(parameter) = parameter
                && let Some(schema) = parameter.schema.as_mut()
            {
                walk(schema, &format!("{name} ?{}", parameter.name), visit);
            }
        }
        if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
            for (kind, content) in &mut body.content {
                if let RefOr::T(content) = content
                    && let Some(schema) = content.schema.as_mut()
                {
                    walk(schema, &format!("{name} body {kind}"), visit);
                }
            }
        }
        for (status, response) in &mut operation.responses.responses {
            let RefOr::T(response) = response else {
                continue;
            };
            for (kind, content) in &mut response.content {
                let download = !kind.contains("json");
                if let (RefOr::T(content), true) = (content, downloads || !download)
                    && let Some(schema) = content.schema.as_mut()
                {
                    walk(schema, &format!("{name} {status} {kind}"), visit);
                }
            }
        }
    }
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    for (name, schema) in &mut components.schemas {
        walk(schema, name, visit);
    }
    for (name, parameter) in &mut components.parameters {
        if let RefOr::T(parameter) = parameter
            && let Some(schema) = parameter.schema.as_mut()
        {
            walk(schema, name, visit);
        }
    }
    for (name, header) in &mut components.headers {
        if let RefOr::T(header) = header
            && let Some(schema) = header.schema.as_mut()
        {
            walk(schema, name, visit);
        }
    }
    for (name, response) in &mut components.responses {
        if let RefOr::T(response) = response {
            for content in response.content.values_mut() {
                if let RefOr::T(content) = content
                    && let Some(schema) = content.schema.as_mut()
                {
                    walk(schema, name, visit);
                }
            }
        }
    }
}

/// Gives every string whose format fixes its length (UUIDs, dates, instants) that
/// length as `maxLength`.
pub(super) fn bound_by_format(openapi: &mut OpenApi) {
    walk_document(openapi, true, &mut |schema, _| {
        if let Schema::Object(object) = schema
            && has_type(&object.schema_type, &Type::String)
            && object.max_length.is_none()
        {
            object.max_length = format_length(object.format.as_ref());
        }
    });
}

/// Applies `rules` (see `bounds::rules` for how targets are named); answers each that
/// names nothing or disagrees with a bound already stated.
pub(super) fn apply_rules(openapi: &mut OpenApi, rules: &[Rule<'_>]) -> Vec<String> {
    let (direct, borrowed): (Vec<Rule<'_>>, Vec<Rule<'_>>) =
        rules.iter().copied().partition(|(_, bound)| !matches!(bound, Bound::As(_)));
    let mut misfits = Vec::new();
    for (target, bound) in direct {
        misfits.extend(apply_rule(openapi, target, bound));
    }
    // Bounds borrowed from another property are read once every rule has applied.
    for (target, bound) in borrowed {
        let Bound::As(source) = bound else { continue };
        match bound_of(openapi, source) {
            Some(bound) => misfits.extend(apply_rule(openapi, target, bound)),
            None => misfits.push(format!("{target}: {source} states no bound")),
        }
    }
    misfits
}

/// Applies one rule; answers what did not fit.
fn apply_rule(openapi: &mut OpenApi, target: &str, bound: Bound) -> Vec<String> {
    let mut applied = 0;
    let mut misfits = Vec::new();
    let wildcard = target.starts_with("*.");
    visit_target(openapi, target, &mut |schema, at| {
        applied += 1;
        if let Err(problem) = apply(schema, bound)
            && !wildcard
        {
            misfits.push(format!("{at}: {problem}"));
        }
    });
    if applied == 0 && !wildcard {
        misfits.push(format!("{target} names nothing"));
    }
    misfits
}

/// Calls `visit` on what `target` names: `Schema.property`, `Schema.property[]`,
/// `*.property`, `?parameter` or `METHOD /path` (its request body).
fn visit_target(openapi: &mut OpenApi, target: &str, visit: &mut dyn FnMut(&mut Schema, &str)) {
    if let Some(parameter) = target.strip_prefix('?') {
        let suffix = format!(" ?{parameter}");
        walk_document(openapi, false, &mut |schema, at| {
            if at.ends_with(&suffix) {
                visit(schema, at);
            }
        });
        return;
    }
    if let Some((method, path)) = target.split_once(' ') {
        let prefix = format!("{method} {path} body ");
        walk_document(openapi, false, &mut |schema, at| {
            if at.starts_with(&prefix) && !at.contains('.') {
                visit(schema, at);
            }
        });
        return;
    }
    let (owner, property) = target.split_once('.').unwrap_or((target, ""));
    let (property, items) = match property.strip_suffix("[]") {
        Some(property) => (property, true),
        None => (property, false),
    };
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    for (name, schema) in &mut components.schemas {
        if owner != "*" && owner != name {
            continue;
        }
        let wanted = format!("{name}.{property}{}", if items { "[]" } else { "" });
        walk(schema, name, &mut |schema, at| {
            if at == wanted {
                visit(schema, at);
            }
        });
    }
}

/// The bound `source` (`Schema.property`) states, as it stands.
fn bound_of(openapi: &mut OpenApi, source: &str) -> Option<Bound> {
    let mut found = None;
    visit_target(openapi, source, &mut |schema, _| {
        found = found.or(match schema {
            Schema::Object(object) if has_type(&object.schema_type, &Type::String) => {
                object.max_length.map(|max| Bound::Text {
                    min: object.min_length.unwrap_or_default(),
                    max,
                    pattern: None,
                })
            }
            Schema::Object(object) => match (&object.minimum, &object.maximum) {
                (Some(min), Some(max)) => {
                    Some(Bound::Whole { min: whole_number(min), max: whole_number(max) })
                }
                _ => None,
            },
            Schema::Array(array) => array.max_items.map(|max| Bound::Items { max }),
            _ => None,
        });
    });
    found
}

fn whole_number(number: &Number) -> i64 {
    match number {
        Number::Int(value) => i64::try_from(*value).unwrap_or(i64::MAX),
        Number::UInt(value) => i64::try_from(*value).unwrap_or(i64::MAX),
        // Whole-number schemas carry whole bounds; a fraction is cut towards zero.
        #[allow(clippy::cast_possible_truncation)]
        Number::Float(value) => *value as i64,
    }
}

/// Applies `bound` to `schema`, unless it states a different bound already.
fn apply(schema: &mut Schema, bound: Bound) -> Result<(), String> {
    match (schema, bound) {
        (Schema::Object(object), Bound::Text { min, max, pattern })
            if has_type(&object.schema_type, &Type::String) =>
        {
            agree_text(object, min, max, pattern)
        }
        (Schema::Object(object), Bound::Whole { min, max })
            if has_type(&object.schema_type, &Type::Integer) =>
        {
            agree_whole(object, min, max)
        }
        (Schema::Array(array), Bound::Items { max }) => agree_items(array, max),
        (Schema::OneOf(choice), bound) => {
            let mut applied = false;
            for item in &mut choice.items {
                if let RefOr::T(item) = item
                    && apply(item, bound).is_ok()
                {
                    applied = true;
                }
            }
            if applied { Ok(()) } else { Err(format!("no alternative takes {bound:?}")) }
        }
        (_, bound) => Err(format!("is not a value {bound:?} bounds")),
    }
}

fn agree_text(
    object: &mut Object,
    min: usize,
    max: usize,
    pattern: Option<&str>,
) -> Result<(), String> {
    match object.max_length {
        Some(stated) if stated != max => {
            return Err(format!("states maxLength {stated}, the rule {max}"));
        }
        _ => object.max_length = Some(max),
    }
    if min > 0 {
        match object.min_length {
            Some(stated) if stated != min => {
                return Err(format!("states minLength {stated}, the rule {min}"));
            }
            _ => object.min_length = Some(min),
        }
    }
    if let Some(pattern) = pattern {
        match object.pattern.as_deref() {
            Some(stated) if stated != pattern => {
                return Err(format!("states pattern {stated}, the rule {pattern}"));
            }
            _ => object.pattern = Some(pattern.to_owned()),
        }
    }
    Ok(())
}

fn agree_whole(object: &mut Object, min: i64, max: i64) -> Result<(), String> {
    // A minimum of 0 only says the Rust type is unsigned; the rule may raise it.
    match object.minimum.as_ref().map(whole_number) {
        Some(stated) if stated != min && !(stated == 0 && min > 0) => {
            return Err(format!("states minimum {stated}, the rule {min}"));
        }
        _ => object.minimum = Some(Number::from(min)),
    }
    match object.maximum.as_ref().map(whole_number) {
        Some(stated) if stated != max => {
            return Err(format!("states maximum {stated}, the rule {max}"));
        }
        _ => object.maximum = Some(Number::from(max)),
    }
    if object.format.is_none() {
        let fits_int32 = i32::try_from(min).is_ok() && i32::try_from(max).is_ok();
        let format = if fits_int32 { KnownFormat::Int32 } else { KnownFormat::Int64 };
        object.format = Some(SchemaFormat::KnownFormat(format));
    }
    Ok(())
}

fn agree_items(array: &mut Array, max: usize) -> Result<(), String> {
    match array.max_items {
        Some(stated) if stated != max => Err(format!("states maxItems {stated}, the rule {max}")),
        _ => {
            array.max_items = Some(max);
            Ok(())
        }
    }
}

/// Every string without `maxLength` (or `enum`/`const`), array without `maxItems` and
/// whole number without `minimum`, `maximum` and `format`, by where it is.
#[cfg(test)]
pub(super) fn unbounded(openapi: &mut OpenApi) -> Vec<String> {
    let mut found = Vec::new();
    walk_document(openapi, false, &mut |schema, at| {
        let missing = match schema {
            Schema::Object(object) if has_type(&object.schema_type, &Type::String) => {
                (object.max_length.is_none() && object.enum_values.is_none())
                    .then_some("a string without maxLength")
            }
            Schema::Object(object) if has_type(&object.schema_type, &Type::Integer) => {
                (object.minimum.is_none() || object.maximum.is_none() || object.format.is_none())
                    .then_some("a whole number without minimum, maximum or format")
            }
            Schema::Array(array) => {
                array.max_items.is_none().then_some("an array without maxItems")
            }
            _ => None,
        };
        if let Some(missing) = missing {
            found.push(format!("{at}: {missing}"));
        }
    });
    found
}
