//! Reading and writing vCards: RFC 6350 (vCard 4.0), RFC 2426 (vCard 3.0),
//! and the looser vCard 2.1 that older phones still export.
//!
//! [`parse`] turns text into cards, one result per card, so a single broken
//! card never hides the others. Values are kept raw (only unfolded and, for
//! `ENCODING=QUOTED-PRINTABLE`, decoded); the [`Property`] accessors unescape
//! them on demand. [`CardWriter`] produces vCard 4.0 text with CRLF line
//! endings and lines folded at 75 octets.

/// Longest content line (in characters, after unfolding) accepted for ordinary properties.
const MAX_LINE_CHARS: usize = 10_000;

/// Longest content line accepted for properties that carry inline binary data
/// (PHOTO, LOGO, SOUND, KEY): about 7.5 MB of base64-encoded data.
const MAX_BINARY_LINE_CHARS: usize = 10_000_000;

/// Most properties (not counting BEGIN, END and VERSION) one card may hold.
const MAX_PROPERTIES: usize = 500;

/// Longest physical line, in octets excluding CRLF, that [`CardWriter`] writes.
const FOLD_OCTETS: usize = 75;

/// Properties whose values may be long inline binary data.
const BINARY_PROPERTIES: [&str; 4] = ["PHOTO", "LOGO", "SOUND", "KEY"];

/// Bare vCard 2.1 parameters (such as `NOTE;QUOTED-PRINTABLE:`) that name an
/// encoding rather than a type.
const BARE_ENCODINGS: [&str; 4] = ["QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT"];

/// One parsed card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// 1-based line number (in the original text) of its BEGIN:VCARD.
    pub line: usize,
    /// The VERSION value ("2.1", "3.0", "4.0"), if given.
    pub version: Option<String>,
    /// Every property except BEGIN, END and VERSION, in order.
    pub properties: Vec<Property>,
}

/// One content line: `group.NAME;PARAM=a,b;PARAM2=c:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The group before the name, e.g. "item1" in Apple exports, as written.
    pub group: Option<String>,
    /// The property name, upper-cased, e.g. "TEL" or "X-WAYMARK-KIND".
    pub name: String,
    /// Parameters in order. Names are upper-cased; values are unquoted, caret-decoded
    /// (RFC 6868) and split on unquoted commas. Bare vCard 2.1 parameters such as
    /// `TEL;CELL:` become `("TYPE", ["CELL"])` (bare encodings such as
    /// `;QUOTED-PRINTABLE` become `("ENCODING", [..])`).
    pub params: Vec<(String, Vec<String>)>,
    /// The raw value after unfolding (and after quoted-printable decoding when
    /// ENCODING=QUOTED-PRINTABLE), not unescaped.
    pub value: String,
    /// 1-based line where this content line starts.
    pub line: usize,
}

/// Why a card could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardError {
    /// 1-based line of the problem.
    pub line: usize,
    /// A clear English sentence describing the problem.
    pub message: String,
}

impl CardError {
    fn new(line: usize, message: String) -> Self {
        Self { line, message }
    }
}

/// Splits `text` into cards and parses each on its own: one bad card never spoils the
/// others. Lines are unfolded first (CRLF or LF followed by one space or tab continues the
/// previous line; accept LF-only and CRLF input). Blank lines between cards are ignored;
/// any other content outside BEGIN:VCARD/END:VCARD is reported as an Err entry (one per
/// stray run of lines). A card with a missing END, a nested BEGIN, a line without a colon,
/// an empty property name, an unterminated quoted parameter, or more than 500 properties,
/// or a content line over 10_000 characters after unfolding, is an Err for that card
/// only (parsing resumes at the next BEGIN:VCARD). BEGIN/END/VERSION names and values are
/// case-insensitive.
///
/// A BEGIN:VCARD inside an unfinished card is reported as an error for the unfinished
/// card, and a new card starts at that BEGIN:VCARD (so a truncated card does not swallow
/// the card after it). After any other error, lines are skipped up to the bad card's
/// END:VCARD or the next BEGIN:VCARD, whichever comes first.
pub fn parse(text: &str) -> Vec<Result<Card, CardError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut splitter = CardSplitter::default();
    for logical in unfold(text) {
        splitter.accept(&logical);
    }
    splitter.finish()
}

impl Property {
    /// The value as text: unescapes `\n`/`\N` (newline), `\,`, `\;`, `\\`; other backslash
    /// pairs keep the char after the backslash.
    pub fn text(&self) -> String {
        unescape(&self.value)
    }

    /// A structured value (N, ADR, ORG): split on unescaped `;`, each part unescaped.
    pub fn components(&self) -> Vec<String> {
        split_unescaped(&self.value, ';').into_iter().map(unescape).collect()
    }

    /// A list value (CATEGORIES, NICKNAME): split on unescaped `,`, each part unescaped,
    /// trimmed, empties dropped.
    pub fn list(&self) -> Vec<String> {
        split_unescaped(&self.value, ',')
            .into_iter()
            .map(|part| unescape(part).trim().to_string())
            .filter(|part| !part.is_empty())
            .collect()
    }

    /// Every TYPE value, lower-cased, from every TYPE parameter (so `TYPE=CELL,VOICE`,
    /// `TYPE="cell,voice"` and `TYPE=cell;TYPE=voice` all give ["cell","voice"]).
    /// Duplicates are dropped, keeping the first occurrence.
    pub fn types(&self) -> Vec<String> {
        let mut types: Vec<String> = Vec::new();
        let type_values = self
            .params
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("TYPE"))
            .flat_map(|(_, values)| values.iter());
        for value in type_values {
            for item in value.split(',') {
                let item = item.trim().to_lowercase();
                if !item.is_empty() && !types.contains(&item) {
                    types.push(item);
                }
            }
        }
        types
    }

    /// The value of parameter `name` (case-insensitive), first value, if any.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(param_name, _)| param_name.eq_ignore_ascii_case(name))
            .and_then(|(_, values)| values.first())
            .map(String::as_str)
    }

    /// Preference: PREF=1..100 (4.0) gives that number; TYPE=pref (3.0/2.1) gives Some(1);
    /// else None.
    pub fn pref(&self) -> Option<u8> {
        let explicit = self
            .param("PREF")
            .and_then(|value| value.trim().parse::<u8>().ok())
            .filter(|rank| (1..=100).contains(rank));
        if explicit.is_some() {
            return explicit;
        }
        if self.types().iter().any(|kind| kind == "pref") {
            return Some(1);
        }
        None
    }

    fn is(&self, name: &str) -> bool {
        self.name == name
    }

    fn value_is(&self, expected: &str) -> bool {
        self.value.trim().eq_ignore_ascii_case(expected)
    }

    fn is_begin_vcard(&self) -> bool {
        self.is("BEGIN") && self.value_is("VCARD")
    }

    fn is_end_vcard(&self) -> bool {
        self.is("END") && self.value_is("VCARD")
    }
}

/// Escapes text for a TEXT value: `\` -> `\\`, newline (and CRLF/CR) -> `\n`, `,` -> `\,`,
/// `;` -> `\;`.
pub fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => escaped.push_str("\\\\"),
            ',' => escaped.push_str("\\,"),
            ';' => escaped.push_str("\\;"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                escaped.push_str("\\n");
            }
            other => escaped.push(other),
        }
    }
    escaped
}

/// Builds vCard 4.0 text. Lines end in CRLF and are folded at 75 octets (RFC 6350 3.2):
/// continuation lines start with one space, and a fold never splits a UTF-8 character.
#[derive(Debug, Default)]
pub struct CardWriter {
    output: String,
}

impl CardWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a card: writes BEGIN:VCARD and VERSION:4.0.
    pub fn begin(&mut self) {
        self.write_line("BEGIN:VCARD");
        self.write_line("VERSION:4.0");
    }

    /// Writes `NAME;P1=v1;P2=v2:value`. `value` must already be escaped (escape_text) if
    /// it is text; params are written as given, quoting a parameter value with DQUOTE when
    /// it contains `:`, `;` or `,` (DQUOTEs, line breaks and `^` are caret-escaped, RFC 6868).
    ///
    /// To keep the output well formed, a `^` in a parameter value is written as `^^`
    /// (RFC 6868) and any raw line break left in `value` is written as `\n`.
    pub fn property(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        let mut line = String::from(name);
        for (param_name, param_value) in params {
            line.push(';');
            line.push_str(param_name);
            line.push('=');
            line.push_str(&format_param_value(param_value));
        }
        line.push(':');
        line.push_str(&escape_line_breaks(value));
        self.write_line(&line);
    }

    /// Writes END:VCARD.
    pub fn end(&mut self) {
        self.write_line("END:VCARD");
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        self.output
    }

    /// Appends one content line, folded at [`FOLD_OCTETS`] on character boundaries.
    fn write_line(&mut self, line: &str) {
        let mut width = 0;
        for ch in line.chars() {
            let size = ch.len_utf8();
            if width + size > FOLD_OCTETS {
                self.output.push_str("\r\n ");
                width = 1;
            }
            self.output.push(ch);
            width += size;
        }
        self.output.push_str("\r\n");
    }
}

/// Caret-escapes (RFC 6868) `^`, DQUOTEs and line breaks, and quotes the value when it
/// holds a character that would otherwise end it.
fn format_param_value(value: &str) -> String {
    let encoded = value
        .replace('^', "^^")
        .replace('"', "^'")
        .replace("\r\n", "^n")
        .replace(['\r', '\n'], "^n");
    if encoded.contains([':', ';', ',']) { format!("\"{encoded}\"") } else { encoded }
}

/// Replaces raw CRLF, CR and LF with the two characters `\n`.
fn escape_line_breaks(value: &str) -> String {
    value.replace("\r\n", "\\n").replace(['\r', '\n'], "\\n")
}

// ---------------------------------------------------------------------------
// Unfolding
// ---------------------------------------------------------------------------

/// One content line after unfolding, with the physical line it started on.
#[derive(Debug)]
struct LogicalLine {
    line: usize,
    text: String,
}

/// Joins folded physical lines into logical lines and drops blank lines.
fn unfold(text: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut current: Option<LogicalLine> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let physical = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(open) = current.as_mut()
            && continues(open, physical)
        {
            continue;
        }
        if let Some(done) = current.take() {
            lines.push(done);
        }
        let text = physical.trim_start();
        if !text.is_empty() {
            current = Some(LogicalLine { line: index + 1, text: text.to_string() });
        }
    }
    lines.extend(current);
    lines
}

/// Appends `physical` to `open` if it continues it (a quoted-printable soft line break or
/// an ordinary fold) and says whether it did.
fn continues(open: &mut LogicalLine, physical: &str) -> bool {
    if ends_with_soft_line_break(&open.text) && !physical.trim().eq_ignore_ascii_case("END:VCARD") {
        open.text.pop();
        open.text.push_str(physical);
        return true;
    }
    if let Some(rest) = physical.strip_prefix([' ', '\t']) {
        open.text.push_str(rest);
        return true;
    }
    false
}

/// A quoted-printable value ending in `=` continues on the next physical line.
fn ends_with_soft_line_break(text: &str) -> bool {
    text.ends_with('=') && is_quoted_printable_line(text)
}

/// Whether the name and parameters of `text` mention QUOTED-PRINTABLE.
fn is_quoted_printable_line(text: &str) -> bool {
    match find_value_colon(text) {
        Some(colon) => text[..colon].to_ascii_uppercase().contains("QUOTED-PRINTABLE"),
        None => false,
    }
}

/// Byte index of the first colon not inside a quoted parameter value.
fn find_value_colon(text: &str) -> Option<usize> {
    let mut in_quotes = false;
    for (index, ch) in text.char_indices() {
        match ch {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => return Some(index),
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Splitting logical lines into cards
// ---------------------------------------------------------------------------

/// A card being read.
#[derive(Debug)]
struct OpenCard {
    line: usize,
    version: Option<String>,
    properties: Vec<Property>,
}

impl OpenCard {
    fn new(line: usize) -> Self {
        Self { line, version: None, properties: Vec::new() }
    }

    fn close(self) -> Card {
        Card { line: self.line, version: self.version, properties: self.properties }
    }
}

/// Where the splitter is between BEGIN and END lines.
#[derive(Debug, Default)]
enum Position {
    /// Between cards, after a card or at the start.
    #[default]
    Outside,
    /// Between cards, inside a run of stray lines (first line, last line).
    Stray(usize, usize),
    /// Inside a card that is being read.
    InCard(OpenCard),
    /// Inside a card that already failed; waiting for its END or the next BEGIN.
    Skipping,
}

/// Walks the logical lines and collects one result per card or stray run.
#[derive(Debug, Default)]
struct CardSplitter {
    results: Vec<Result<Card, CardError>>,
    position: Position,
}

impl CardSplitter {
    fn accept(&mut self, logical: &LogicalLine) {
        let parsed = parse_content_line(&logical.text, logical.line);
        let is_begin = matches!(&parsed, Ok(property) if property.is_begin_vcard());
        let position = std::mem::take(&mut self.position);
        self.position = match position {
            Position::InCard(card) => self.continue_card(card, parsed),
            Position::Skipping => match parsed {
                Ok(property) if property.is_begin_vcard() => {
                    Position::InCard(OpenCard::new(logical.line))
                }
                Ok(property) if property.is_end_vcard() => Position::Outside,
                _ => Position::Skipping,
            },
            Position::Outside if is_begin => Position::InCard(OpenCard::new(logical.line)),
            Position::Outside => Position::Stray(logical.line, logical.line),
            Position::Stray(first, last) if is_begin => {
                self.report_stray(first, last);
                Position::InCard(OpenCard::new(logical.line))
            }
            Position::Stray(first, _) => Position::Stray(first, logical.line),
        };
    }

    /// Handles one content line inside an open card.
    fn continue_card(
        &mut self,
        mut card: OpenCard,
        parsed: Result<Property, CardError>,
    ) -> Position {
        let property = match parsed {
            Ok(property) => property,
            Err(error) => return self.fail(error),
        };
        if property.is_begin_vcard() {
            self.results.push(Err(nested_begin_error(&card, property.line)));
            return Position::InCard(OpenCard::new(property.line));
        }
        if property.is_end_vcard() {
            self.results.push(Ok(card.close()));
            return Position::Outside;
        }
        if property.is("BEGIN") || property.is("END") {
            return self.fail(wrong_block_error(&card, &property));
        }
        if property.is("VERSION") {
            if card.version.is_none() {
                card.version = Some(property.value.trim().to_string());
            }
            return Position::InCard(card);
        }
        if card.properties.len() >= MAX_PROPERTIES {
            return self.fail(too_many_properties_error(&card, property.line));
        }
        card.properties.push(property);
        Position::InCard(card)
    }

    fn fail(&mut self, error: CardError) -> Position {
        self.results.push(Err(error));
        Position::Skipping
    }

    fn report_stray(&mut self, first: usize, last: usize) {
        let where_ = if first == last {
            format!("line {first} is")
        } else {
            format!("lines {first} to {last} are")
        };
        let message = format!("{where_} outside any BEGIN:VCARD ... END:VCARD block");
        self.results.push(Err(CardError::new(first, message)));
    }

    fn finish(mut self) -> Vec<Result<Card, CardError>> {
        match std::mem::take(&mut self.position) {
            Position::InCard(card) => self.results.push(Err(missing_end_error(&card))),
            Position::Stray(first, last) => self.report_stray(first, last),
            Position::Outside | Position::Skipping => {}
        }
        self.results
    }
}

fn nested_begin_error(card: &OpenCard, line: usize) -> CardError {
    let message = format!(
        "line {line} has BEGIN:VCARD inside the card starting on line {}, \
         which was never closed with END:VCARD",
        card.line
    );
    CardError::new(line, message)
}

fn wrong_block_error(card: &OpenCard, property: &Property) -> CardError {
    let message = format!(
        "line {} has {}:{} inside the card starting on line {}, \
         which must be closed with END:VCARD",
        property.line,
        property.name,
        property.value.trim(),
        card.line
    );
    CardError::new(property.line, message)
}

fn too_many_properties_error(card: &OpenCard, line: usize) -> CardError {
    let message = format!(
        "the card starting on line {} has more than {MAX_PROPERTIES} properties \
         (property {} is on line {line})",
        card.line,
        MAX_PROPERTIES + 1
    );
    CardError::new(line, message)
}

fn missing_end_error(card: &OpenCard) -> CardError {
    let message = format!(
        "the card starting on line {} has no END:VCARD before the end of the input",
        card.line
    );
    CardError::new(card.line, message)
}

// ---------------------------------------------------------------------------
// Parsing one content line
// ---------------------------------------------------------------------------

/// Parses `group.NAME;PARAM=value:value` (already unfolded) that started on `line`.
fn parse_content_line(text: &str, line: usize) -> Result<Property, CardError> {
    let name_end = text.find([';', ':']).ok_or_else(|| no_colon_error(line))?;
    let (group, name) = split_group(&text[..name_end], line)?;
    check_line_length(text, &name, line)?;
    let (params, value_start) = parse_params(text, name_end, line)?;
    let raw_value = &text[value_start..];
    let value = if is_quoted_printable(&params) {
        decode_quoted_printable(raw_value, charset(&params))
    } else {
        raw_value.to_string()
    };
    Ok(Property { group, name, params, value, line })
}

/// Splits `item1.TEL` into its group and its upper-cased name, checking both.
fn split_group(head: &str, line: usize) -> Result<(Option<String>, String), CardError> {
    let (group, name) = match head.split_once('.') {
        Some((group, name)) => (Some(group), name),
        None => (None, head),
    };
    if name.is_empty() {
        return Err(CardError::new(line, format!("line {line} has an empty property name")));
    }
    if !is_valid_name(name) {
        let message = format!(
            "line {line} has an invalid property name \"{name}\": names may only contain \
             letters, digits and '-'"
        );
        return Err(CardError::new(line, message));
    }
    if let Some(group) = group
        && !is_valid_name(group)
    {
        let message = format!(
            "line {line} has an invalid group \"{group}\" before the property name: groups \
             may only contain letters, digits and '-'"
        );
        return Err(CardError::new(line, message));
    }
    Ok((group.map(str::to_string), name.to_ascii_uppercase()))
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
}

/// Rejects over-long content lines; binary properties get a larger allowance.
fn check_line_length(text: &str, name: &str, line: usize) -> Result<(), CardError> {
    let limit =
        if BINARY_PROPERTIES.contains(&name) { MAX_BINARY_LINE_CHARS } else { MAX_LINE_CHARS };
    if text.len() <= limit {
        return Ok(());
    }
    let length = text.chars().count();
    if length <= limit {
        return Ok(());
    }
    let message = format!(
        "line {line} ({name}) is {length} characters long after unfolding, \
         over the limit of {limit}"
    );
    Err(CardError::new(line, message))
}

fn no_colon_error(line: usize) -> CardError {
    CardError::new(
        line,
        format!("line {line} has no colon between the property name and its value"),
    )
}

fn unterminated_quote_error(line: usize) -> CardError {
    CardError::new(
        line,
        format!("line {line} has a parameter value that opens a double quote but never closes it"),
    )
}

/// Parses the parameters starting at `start` (which holds `;` or `:`). Returns them and
/// the byte index where the value starts.
fn parse_params(text: &str, start: usize, line: usize) -> Result<(Vec<Param>, usize), CardError> {
    let mut params = Vec::new();
    let mut position = start;
    while text[position..].starts_with(';') {
        let (param, next) = parse_param(text, position + 1, line)?;
        params.extend(param);
        position = next;
    }
    Ok((params, position + 1))
}

/// A parameter name and its values.
type Param = (String, Vec<String>);

/// A parameter (None when its name is empty) and the byte index just past it.
type ParsedParam = (Option<Param>, usize);

/// Parses one parameter starting at `start` (just after its `;`). Returns it (None for an
/// empty one) and the byte index of the `;` or `:` that ends it.
fn parse_param(text: &str, start: usize, line: usize) -> Result<ParsedParam, CardError> {
    let rest = &text[start..];
    let delimiter = rest.find(['=', ';', ':']).ok_or_else(|| no_colon_error(line))?;
    let name = rest[..delimiter].trim();
    if !rest[delimiter..].starts_with('=') {
        let param = (!name.is_empty()).then(|| bare_param(name));
        return Ok((param, start + delimiter));
    }
    let (values, end) = parse_param_values(text, start + delimiter + 1, line)?;
    let param = (!name.is_empty()).then(|| (name.to_ascii_uppercase(), values));
    Ok((param, end))
}

/// A vCard 2.1 parameter written without a name, e.g. `CELL` in `TEL;CELL:`.
fn bare_param(value: &str) -> Param {
    let upper = value.to_ascii_uppercase();
    let name = if BARE_ENCODINGS.contains(&upper.as_str()) { "ENCODING" } else { "TYPE" };
    (name.to_string(), vec![value.to_string()])
}

/// Reads comma-separated parameter values starting at `start`, honouring DQUOTEs. Returns
/// the values and the byte index of the `;` or `:` that ends them.
fn parse_param_values(
    text: &str,
    start: usize,
    line: usize,
) -> Result<(Vec<String>, usize), CardError> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    for (offset, ch) in text[start..].char_indices() {
        if in_quotes {
            if ch == '"' {
                in_quotes = false;
            } else {
                current.push(ch);
            }
            continue;
        }
        match ch {
            '"' => in_quotes = true,
            ',' => values.push(decode_caret(&std::mem::take(&mut current))),
            ';' | ':' => {
                values.push(decode_caret(&current));
                return Ok((values, start + offset));
            }
            _ => current.push(ch),
        }
    }
    if in_quotes { Err(unterminated_quote_error(line)) } else { Err(no_colon_error(line)) }
}

/// Decodes RFC 6868 caret escapes: `^n` newline, `^^` caret, `^'` DQUOTE. Any other
/// caret is kept as written.
fn decode_caret(value: &str) -> String {
    let mut decoded = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '^' {
            decoded.push(ch);
            continue;
        }
        match chars.peek() {
            Some('n' | 'N') => decoded.push('\n'),
            Some('^') => decoded.push('^'),
            Some('\'') => decoded.push('"'),
            _ => {
                decoded.push('^');
                continue;
            }
        }
        chars.next();
    }
    decoded
}

// ---------------------------------------------------------------------------
// Quoted-printable
// ---------------------------------------------------------------------------

fn is_quoted_printable(params: &[Param]) -> bool {
    params
        .iter()
        .filter(|(name, _)| name == "ENCODING")
        .flat_map(|(_, values)| values.iter())
        .any(|value| value.trim().eq_ignore_ascii_case("QUOTED-PRINTABLE"))
}

fn charset(params: &[Param]) -> Option<&str> {
    params
        .iter()
        .find(|(name, _)| name == "CHARSET")
        .and_then(|(_, values)| values.first())
        .map(String::as_str)
}

/// Decodes `=XX` hex pairs. Bytes are read as UTF-8 (lossily), or as Latin-1 when the
/// charset says so and the bytes are not valid UTF-8.
fn decode_quoted_printable(value: &str, charset: Option<&str>) -> String {
    let bytes = decode_hex_pairs(value.as_bytes());
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) if is_latin1(charset) => {
            error.as_bytes().iter().map(|&b| char::from(b)).collect()
        }
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    }
}

fn decode_hex_pairs(input: &[u8]) -> Vec<u8> {
    let mut output = Vec::with_capacity(input.len());
    let mut index = 0;
    while index < input.len() {
        let byte = input[index];
        if byte == b'='
            && let Some(decoded) = hex_pair(input.get(index + 1..index + 3))
        {
            output.push(decoded);
            index += 3;
            continue;
        }
        output.push(byte);
        index += 1;
    }
    output
}

fn hex_pair(pair: Option<&[u8]>) -> Option<u8> {
    let pair = pair?;
    let high = char::from(*pair.first()?).to_digit(16)?;
    let low = char::from(*pair.get(1)?).to_digit(16)?;
    u8::try_from(high * 16 + low).ok()
}

fn is_latin1(charset: Option<&str>) -> bool {
    charset.is_some_and(|name| {
        ["ISO-8859-1", "ISO8859-1", "LATIN1", "LATIN-1"]
            .iter()
            .any(|known| name.trim().eq_ignore_ascii_case(known))
    })
}

// ---------------------------------------------------------------------------
// Escapes in values
// ---------------------------------------------------------------------------

/// Undoes TEXT escaping: `\n`/`\N` become a newline, any other `\x` becomes `x`.
fn unescape(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            text.push(ch);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => text.push('\n'),
            Some(other) => text.push(other),
            None => text.push('\\'),
        }
    }
    text
}

/// Splits `raw` on `separator` wherever it is not preceded by an escaping backslash.
fn split_unescaped(raw: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (index, ch) in raw.char_indices() {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == separator {
            parts.push(&raw[start..index]);
            start = index + ch.len_utf8();
        }
    }
    parts.push(&raw[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_cards(text: &str) -> Vec<Card> {
        parse(text).into_iter().map(|result| result.expect("card should parse")).collect()
    }

    fn only_card(text: &str) -> Card {
        let mut cards = ok_cards(text);
        assert_eq!(cards.len(), 1, "expected exactly one card");
        cards.remove(0)
    }

    fn find<'a>(card: &'a Card, name: &str) -> &'a Property {
        card.properties
            .iter()
            .find(|property| property.name == name)
            .expect("property should be present")
    }

    fn find_all<'a>(card: &'a Card, name: &str) -> Vec<&'a Property> {
        card.properties.iter().filter(|property| property.name == name).collect()
    }

    fn property_with(value: &str, params: &[(&str, &[&str])]) -> Property {
        Property {
            group: None,
            name: "X-TEST".to_string(),
            params: params
                .iter()
                .map(|(name, values)| {
                    (name.to_string(), values.iter().map(|v| v.to_string()).collect())
                })
                .collect(),
            value: value.to_string(),
            line: 1,
        }
    }

    /// Deterministic base64-looking data of `length` characters.
    fn fake_base64(length: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..length).map(|i| char::from(ALPHABET[(i * 7 + i / 3) % ALPHABET.len()])).collect()
    }

    /// Folds `line` the way exporters do: first chunk of 75, then " " + 74.
    fn fold_for_fixture(line: &str) -> String {
        let mut out = String::new();
        let mut rest = line;
        let mut first = true;
        while !rest.is_empty() {
            let take = if first { 75 } else { 74 }.min(rest.len());
            if !first {
                out.push(' ');
            }
            out.push_str(&rest[..take]);
            out.push_str("\r\n");
            rest = &rest[take..];
            first = false;
        }
        out
    }

    #[test]
    fn parses_iphone_vcard_30_export() {
        let photo = fake_base64(12_000);
        let mut text = String::from(
            "BEGIN:VCARD\r\n\
             VERSION:3.0\r\n\
             PRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\n\
             N:Doe;Jane;;;\r\n\
             FN:Jane Doe\r\n\
             ORG:Hope Café;\r\n\
             item1.EMAIL;type=INTERNET;type=pref:jane.doe@example.com\r\n\
             item1.X-ABLabel:_$!<Other>!$_\r\n\
             TEL;type=CELL;type=VOICE;type=pref:07911 123456\r\n\
             ADR;type=HOME:;;1 High St;Leeds;;LS1 1AA;United Kingdom\r\n\
             NOTE:Met at the Leeds meetup\\nLikes tea\\, not coffee. Ask about the allo\r\n \
             tment before calling.\r\n",
        );
        text.push_str(&fold_for_fixture(&format!("PHOTO;ENCODING=b;TYPE=JPEG:{photo}")));
        text.push_str("END:VCARD\r\n");

        let card = only_card(&text);
        assert_eq!(card.line, 1);
        assert_eq!(card.version.as_deref(), Some("3.0"));

        let n = find(&card, "N");
        assert_eq!(n.components(), vec!["Doe", "Jane", "", "", ""]);
        assert_eq!(find(&card, "FN").text(), "Jane Doe");
        assert_eq!(find(&card, "ORG").components(), vec!["Hope Café", ""]);

        let email = find(&card, "EMAIL");
        assert_eq!(email.group.as_deref(), Some("item1"));
        assert_eq!(email.types(), vec!["internet", "pref"]);
        assert_eq!(email.pref(), Some(1));
        assert_eq!(email.text(), "jane.doe@example.com");
        assert_eq!(email.line, 7);

        let label = find(&card, "X-ABLABEL");
        assert_eq!(label.group.as_deref(), Some("item1"));
        assert_eq!(label.text(), "_$!<Other>!$_");

        let tel = find(&card, "TEL");
        assert_eq!(tel.types(), vec!["cell", "voice", "pref"]);
        assert_eq!(tel.pref(), Some(1));
        assert_eq!(tel.text(), "07911 123456");

        let adr = find(&card, "ADR");
        assert_eq!(adr.types(), vec!["home"]);
        assert_eq!(
            adr.components(),
            vec!["", "", "1 High St", "Leeds", "", "LS1 1AA", "United Kingdom"]
        );

        let note = find(&card, "NOTE");
        assert_eq!(note.line, 11);
        assert_eq!(
            note.text(),
            "Met at the Leeds meetup\nLikes tea, not coffee. Ask about the allotment before calling."
        );

        let photo_property = find(&card, "PHOTO");
        assert_eq!(photo_property.line, 13);
        assert_eq!(photo_property.param("encoding"), Some("b"));
        assert_eq!(photo_property.param("TYPE"), Some("JPEG"));
        assert_eq!(photo_property.value, photo);
        assert!(photo_property.value.len() > MAX_LINE_CHARS);
    }

    #[test]
    fn parses_android_google_vcard_40_export() {
        let text = "BEGIN:VCARD\n\
                    VERSION:4.0\n\
                    PRODID:-//Google Inc//Google Contacts//EN\n\
                    KIND:individual\n\
                    FN:Sam O'Neill\n\
                    N:O'Neill;Sam;;Dr;\n\
                    TEL;VALUE=uri;TYPE=\"cell,voice\";PREF=1:tel:+44-7911-123456\n\
                    TEL;VALUE=uri;TYPE=work:tel:+44-113-496-0000\n\
                    EMAIL;TYPE=work:sam.oneill@example.org\n\
                    URL:https://example.org/people/sam\n\
                    CATEGORIES:friends, climbing,,myContacts\n\
                    ADR;TYPE=home;LABEL=\"1 High St^nLeeds; UK\":;;1 High St;Leeds;;LS1 1AA;UK\n\
                    X-WAYMARK-KIND:guide\n\
                    END:VCARD\n";
        let card = only_card(text);
        assert_eq!(card.version.as_deref(), Some("4.0"));
        assert_eq!(find(&card, "KIND").text(), "individual");

        let tels = find_all(&card, "TEL");
        assert_eq!(tels.len(), 2);
        assert_eq!(tels[0].value, "tel:+44-7911-123456");
        assert_eq!(tels[0].param("value"), Some("uri"));
        assert_eq!(tels[0].params[1], ("TYPE".to_string(), vec!["cell,voice".to_string()]));
        assert_eq!(tels[0].types(), vec!["cell", "voice"]);
        assert_eq!(tels[0].pref(), Some(1));
        assert_eq!(tels[1].types(), vec!["work"]);
        assert_eq!(tels[1].pref(), None);

        let email = find(&card, "EMAIL");
        assert_eq!(email.types(), vec!["work"]);
        assert_eq!(email.text(), "sam.oneill@example.org");

        assert_eq!(find(&card, "URL").value, "https://example.org/people/sam");
        assert_eq!(find(&card, "CATEGORIES").list(), vec!["friends", "climbing", "myContacts"]);

        let adr = find(&card, "ADR");
        assert_eq!(adr.param("LABEL"), Some("1 High St\nLeeds; UK"));
        assert_eq!(adr.components()[3], "Leeds");

        assert_eq!(find(&card, "X-WAYMARK-KIND").text(), "guide");
    }

    #[test]
    fn parses_vcard_21_with_bare_types_and_quoted_printable() {
        let text = "BEGIN:VCARD\r\n\
                    VERSION:2.1\r\n\
                    N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Caf=C3=A9;Ren=C3=A9;;;\r\n\
                    TEL;CELL:07911123456\r\n\
                    TEL;HOME;PREF:0113 496 0000\r\n\
                    NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Owns the caf=C3=A9 on the corn=\r\n\
                    er=0D=0ASecond line\r\n\
                    X-NOTE;QUOTED-PRINTABLE:a=3Db\r\n\
                    X-LATIN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:caf=E9\r\n\
                    END:VCARD\r\n";
        let card = only_card(text);
        assert_eq!(card.version.as_deref(), Some("2.1"));

        let n = find(&card, "N");
        assert_eq!(n.components(), vec!["Café", "René", "", "", ""]);
        assert_eq!(n.param("charset"), Some("UTF-8"));
        assert_eq!(n.param("ENCODING"), Some("QUOTED-PRINTABLE"));

        let tels = find_all(&card, "TEL");
        assert_eq!(tels[0].params, vec![("TYPE".to_string(), vec!["CELL".to_string()])]);
        assert_eq!(tels[0].types(), vec!["cell"]);
        assert_eq!(tels[0].pref(), None);
        assert_eq!(tels[1].types(), vec!["home", "pref"]);
        assert_eq!(tels[1].pref(), Some(1));

        let note = find(&card, "NOTE");
        assert_eq!(note.line, 6);
        assert_eq!(note.text(), "Owns the café on the corner\r\nSecond line");

        let bare = find(&card, "X-NOTE");
        assert_eq!(bare.param("ENCODING"), Some("QUOTED-PRINTABLE"));
        assert_eq!(bare.value, "a=b");

        assert_eq!(find(&card, "X-LATIN").value, "café");
    }

    #[test]
    fn one_bad_card_does_not_spoil_the_others() {
        let text = "BEGIN:VCARD\n\
                    VERSION:4.0\n\
                    FN:First\n\
                    END:VCARD\n\
                    \n\
                    BEGIN:VCARD\n\
                    VERSION:4.0\n\
                    this line has no colon\n\
                    FN:Second\n\
                    END:VCARD\n\
                    BEGIN:VCARD\n\
                    VERSION:4.0\n\
                    FN:Third\n\
                    END:VCARD\n";
        let results = parse(text);
        assert_eq!(results.len(), 3);
        let first = results[0].as_ref().expect("first card parses");
        assert_eq!(find(first, "FN").text(), "First");
        let error = results[1].as_ref().expect_err("second card fails");
        assert_eq!(error.line, 8);
        assert_eq!(error.message, "line 8 has no colon between the property name and its value");
        let third = results[2].as_ref().expect("third card parses");
        assert_eq!(third.line, 11);
        assert_eq!(find(third, "FN").text(), "Third");
    }

    #[test]
    fn missing_end_at_end_of_input_is_an_error() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nFN:Fine\nEND:VCARD\nBEGIN:VCARD\nFN:Cut off\n";
        let results = parse(text);
        assert_eq!(results.len(), 2);
        assert!(results[0].is_ok());
        let error = results[1].as_ref().expect_err("truncated card fails");
        assert_eq!(error.line, 5);
        assert!(error.message.contains("no END:VCARD"), "{}", error.message);
    }

    #[test]
    fn nested_begin_is_an_error_and_the_next_card_parses() {
        let text = "BEGIN:VCARD\n\
                    FN:Outer\n\
                    begin:vcard\n\
                    FN:Inner\n\
                    END:VCARD\n\
                    BEGIN:VCARD\n\
                    FN:After\n\
                    END:VCARD\n";
        let results = parse(text);
        assert_eq!(results.len(), 3);
        let error = results[0].as_ref().expect_err("outer card fails");
        assert_eq!(error.line, 3);
        assert!(error.message.contains("inside the card starting on line 1"));
        let inner = results[1].as_ref().expect("inner card parses");
        assert_eq!(find(inner, "FN").text(), "Inner");
        let after = results[2].as_ref().expect("card after parses");
        assert_eq!(find(after, "FN").text(), "After");
    }

    #[test]
    fn begin_end_and_version_are_case_insensitive_and_bom_is_stripped() {
        let text = "\u{feff}begin:vCard\r\nversion:4.0\r\nfn:Lower\r\nEnd:VCARD \r\n";
        let card = only_card(text);
        assert_eq!(card.version.as_deref(), Some("4.0"));
        assert_eq!(card.properties.len(), 1);
        assert_eq!(card.properties[0].name, "FN");
    }

    #[test]
    fn stray_lines_are_reported_once_per_run() {
        let text = "junk one\njunk two\n\nBEGIN:VCARD\nFN:A\nEND:VCARD\n\nEND:VCARD\n";
        let results = parse(text);
        assert_eq!(results.len(), 3);
        let first = results[0].as_ref().expect_err("leading junk");
        assert_eq!(first.line, 1);
        assert_eq!(first.message, "lines 1 to 2 are outside any BEGIN:VCARD ... END:VCARD block");
        assert!(results[1].is_ok());
        let last = results[2].as_ref().expect_err("trailing END");
        assert_eq!(last.line, 8);
        assert_eq!(last.message, "line 8 is outside any BEGIN:VCARD ... END:VCARD block");
    }

    #[test]
    fn lines_after_an_error_are_skipped_up_to_the_cards_end() {
        let text = "BEGIN:VCARD\nbad line\nalso bad\nEND:VCARD\nBEGIN:VCARD\nFN:B\nEND:VCARD\n";
        let results = parse(text);
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].as_ref().expect_err("bad").line, 2);
        assert!(results[1].is_ok());
    }

    #[test]
    fn malformed_lines_name_their_line() {
        let cases = [
            ("BEGIN:VCARD\n:no name\nEND:VCARD\n", 2, "empty property name"),
            ("BEGIN:VCARD\nFN;TYPE=x\nEND:VCARD\n", 2, "no colon"),
            ("BEGIN:VCARD\nVERSION:4.0\nTEL;TYPE=\"cell:1234\nEND:VCARD\n", 3, "never closes"),
            ("BEGIN:VCARD\nFULL NAME:x\nEND:VCARD\n", 2, "invalid property name"),
            ("BEGIN:VCARD\nX_Y:x\nEND:VCARD\n", 2, "invalid property name"),
            ("BEGIN:VCARD\na.b.FN:x\nEND:VCARD\n", 2, "invalid property name"),
            ("BEGIN:VCARD\nBEGIN:VCALENDAR\nEND:VCARD\n", 2, "END:VCARD"),
        ];
        for (text, line, fragment) in cases {
            let results = parse(text);
            assert_eq!(results.len(), 1, "{text:?}");
            let error = results[0].as_ref().expect_err(text);
            assert_eq!(error.line, line, "{text:?}");
            assert!(error.message.contains(fragment), "{}", error.message);
            assert!(error.message.starts_with(&format!("line {line} ")));
        }
    }

    #[test]
    fn quoted_params_may_hold_colons_and_semicolons() {
        let text = "BEGIN:VCARD\n\
                    X-TEST;LABEL=\"a:b;c\";TYPE=home,WORK:the:value\n\
                    END:VCARD\n";
        let card = only_card(text);
        let property = &card.properties[0];
        assert_eq!(property.param("label"), Some("a:b;c"));
        assert_eq!(property.types(), vec!["home", "work"]);
        assert_eq!(property.value, "the:value");
    }

    #[test]
    fn caret_escapes_in_params_are_decoded() {
        assert_eq!(decode_caret("a^nb^^c^'d^x"), "a\nb^c\"d^x");
        assert_eq!(decode_caret("end^"), "end^");
    }

    #[test]
    fn too_many_properties_is_an_error() {
        let mut text = String::from("BEGIN:VCARD\nVERSION:4.0\n");
        for index in 0..=MAX_PROPERTIES {
            text.push_str(&format!("NOTE:{index}\n"));
        }
        text.push_str("END:VCARD\nBEGIN:VCARD\nFN:Next\nEND:VCARD\n");
        let results = parse(&text);
        assert_eq!(results.len(), 2);
        let error = results[0].as_ref().expect_err("too many");
        assert_eq!(error.line, 3 + MAX_PROPERTIES);
        assert!(results[1].is_ok());

        let mut exactly_enough = String::from("BEGIN:VCARD\nVERSION:4.0\n");
        for index in 0..MAX_PROPERTIES {
            exactly_enough.push_str(&format!("NOTE:{index}\n"));
        }
        exactly_enough.push_str("END:VCARD\n");
        assert_eq!(only_card(&exactly_enough).properties.len(), MAX_PROPERTIES);
    }

    #[test]
    fn over_long_lines_are_errors_except_for_binary_properties() {
        let long = "x".repeat(MAX_LINE_CHARS);
        let text =
            format!("BEGIN:VCARD\nNOTE:{long}\nEND:VCARD\nBEGIN:VCARD\nLOGO:{long}\nEND:VCARD\n");
        let results = parse(&text);
        assert_eq!(results.len(), 2);
        let error = results[0].as_ref().expect_err("too long");
        assert_eq!(error.line, 2);
        assert!(error.message.contains("over the limit"));
        assert!(results[1].is_ok());

        let just_fits = format!("BEGIN:VCARD\nNOTE:{}\nEND:VCARD\n", "é".repeat(9_995));
        assert!(parse(&just_fits)[0].is_ok());
    }

    #[test]
    fn tabs_fold_too_and_blank_lines_inside_cards_are_ignored() {
        let text = "BEGIN:VCARD\r\nNOTE:one\r\n\ttwo\r\n three\r\n\r\nFN:X\r\nEND:VCARD";
        let card = only_card(text);
        assert_eq!(card.properties[0].value, "onetwothree");
        assert_eq!(card.properties[1].line, 6);
    }

    #[test]
    fn writer_folds_at_75_octets_without_splitting_characters() {
        let mut writer = CardWriter::new();
        writer.begin();
        let value = "Zoë said 日本語のテキスト and 🎉 emoji ".repeat(8);
        writer.property("NOTE", &[], &escape_text(&value));
        writer.property("X-ASCII", &[], &"a".repeat(200));
        writer.end();
        let output = writer.finish();

        assert!(output.ends_with("\r\n"));
        let body = output.strip_suffix("\r\n").expect("ends with CRLF");
        let physical: Vec<&str> = body.split("\r\n").collect();
        for line in &physical {
            assert!(line.len() <= FOLD_OCTETS, "{} octets: {line:?}", line.len());
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        assert!(physical.iter().any(|line| line.len() == FOLD_OCTETS));
        assert!(physical.iter().filter(|line| line.starts_with(' ')).count() > 3);
        assert_eq!(physical[0], "BEGIN:VCARD");
        assert_eq!(physical[1], "VERSION:4.0");

        let card = only_card(&output);
        assert_eq!(find(&card, "NOTE").text(), value);
        assert_eq!(find(&card, "X-ASCII").value, "a".repeat(200));
    }

    #[test]
    fn writer_round_trips_escaped_text_and_params() {
        let names = [
            "Doe, Jane; \"JD\" \\ the first",
            "line one\nline two\r\nline three\rend",
            "plain",
            "",
        ];
        let mut writer = CardWriter::new();
        for name in names {
            writer.begin();
            writer.property("FN", &[], &escape_text(name));
            let structured = format!("{};{}", escape_text(name), escape_text("x,y"));
            writer.property("N", &[], &structured);
            writer.property(
                "TEL",
                &[("TYPE", "cell,voice"), ("PREF", "1"), ("LABEL", "a^b:\"c\"\nd")],
                "tel:+44-7911-123456",
            );
            writer.end();
        }
        let output = writer.finish();
        assert!(output.contains("TEL;TYPE=\"cell,voice\";PREF=1;LABEL=\"a^^b:^'c^'^nd\":tel:"));

        let cards = ok_cards(&output);
        assert_eq!(cards.len(), names.len());
        for (card, name) in cards.iter().zip(names) {
            let expected = name.replace("\r\n", "\n").replace('\r', "\n");
            assert_eq!(card.version.as_deref(), Some("4.0"));
            assert_eq!(find(card, "FN").text(), expected);
            assert_eq!(find(card, "N").components(), vec![expected.clone(), "x,y".to_string()]);
            let tel = find(card, "TEL");
            assert_eq!(tel.types(), vec!["cell", "voice"]);
            assert_eq!(tel.pref(), Some(1));
            assert_eq!(tel.param("LABEL"), Some("a^b:\"c\"\nd"));
        }
    }

    #[test]
    fn writer_escapes_raw_line_breaks_left_in_values() {
        let mut writer = CardWriter::new();
        writer.begin();
        writer.property("NOTE", &[], "a\nb\r\nc");
        writer.end();
        let card = only_card(&writer.finish());
        assert_eq!(card.properties[0].value, "a\\nb\\nc");
        assert_eq!(card.properties[0].text(), "a\nb\nc");
    }

    #[test]
    fn escape_and_unescape() {
        assert_eq!(escape_text("a\\b,c;d\ne\r\nf\rg"), "a\\\\b\\,c\\;d\\ne\\nf\\ng");
        assert_eq!(escape_text(""), "");
        let property = property_with("a\\nb\\Nc\\,d\\;e\\\\f\\:g\\", &[]);
        assert_eq!(property.text(), "a\nb\nc,d;e\\f:g\\");
        let original = "tricky \\n, not a newline; \\ end\\";
        assert_eq!(property_with(&escape_text(original), &[]).text(), original);
    }

    #[test]
    fn components_edge_cases() {
        assert_eq!(property_with("", &[]).components(), vec![""]);
        assert_eq!(property_with("a\\;b;c\\\\;d", &[]).components(), vec!["a;b", "c\\", "d"]);
        assert_eq!(
            property_with(";;1 High St\\, Flat 2;;", &[]).components(),
            vec!["", "", "1 High St, Flat 2", "", ""]
        );
    }

    #[test]
    fn list_edge_cases() {
        assert!(property_with("", &[]).list().is_empty());
        assert_eq!(property_with(" a , b\\,c ,, ,d\\\\", &[]).list(), vec!["a", "b,c", "d\\"]);
    }

    #[test]
    fn types_edge_cases() {
        let property = property_with(
            "",
            &[("TYPE", &["CELL", "Voice"]), ("PREF", &["2"]), ("type", &["work, cell", ""])],
        );
        assert_eq!(property.types(), vec!["cell", "voice", "work"]);
        assert!(property_with("", &[("X-TYPE", &["cell"])]).types().is_empty());
    }

    #[test]
    fn pref_edge_cases() {
        assert_eq!(property_with("", &[("PREF", &["1"])]).pref(), Some(1));
        assert_eq!(property_with("", &[("PREF", &["100"])]).pref(), Some(100));
        assert_eq!(property_with("", &[("pref", &[" 7 "])]).pref(), Some(7));
        assert_eq!(property_with("", &[("PREF", &["0"])]).pref(), None);
        assert_eq!(property_with("", &[("PREF", &["101"])]).pref(), None);
        assert_eq!(property_with("", &[("PREF", &["high"])]).pref(), None);
        assert_eq!(property_with("", &[("TYPE", &["PREF"])]).pref(), Some(1));
        assert_eq!(property_with("", &[("PREF", &["5"]), ("TYPE", &["pref"])]).pref(), Some(5));
        assert_eq!(property_with("", &[]).pref(), None);
    }

    #[test]
    fn param_lookup_is_case_insensitive_and_takes_the_first_value() {
        let property = property_with("", &[("VALUE", &["uri", "text"]), ("EMPTY", &[])]);
        assert_eq!(property.param("value"), Some("uri"));
        assert_eq!(property.param("EMPTY"), None);
        assert_eq!(property.param("missing"), None);
    }

    #[test]
    fn empty_input_gives_no_results() {
        assert!(parse("").is_empty());
        assert!(parse("\r\n\n  \n").is_empty());
    }
}
