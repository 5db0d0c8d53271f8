//! `GET /v1/me/export`: everything Waymark holds about the person, as one JSON
//! document or as a ZIP archive (the JSON, routines as iCalendar, contacts as vCards,
//! and a printable summary), written while it is read: a page at a time, so the
//! server's memory does not grow with how much the person has.
//!
//! The answer's status and headers go out once the account is read; a failure after
//! that cannot change them, so it ends the answer early (the connection closes without
//! the body's end), and a client never takes a cut-off export for a whole one. Each
//! page must be read within the request timeout, so storage that stops answering ends
//! the export instead of holding it open; at most [`EXPORT_READS_AT_ONCE`] exports read
//! at a time, taking turns page by page.

mod document;
mod summary;

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::http::header::{
    self, ContentDisposition, ContentEncoding, DispositionParam, DispositionType,
};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use tokio::sync::{Semaphore, mpsc};
use utoipa::{IntoParams, ToSchema};
use waymark_application::export::{self, Export};
use waymark_application::formats::contact_cards::write_contact;
use waymark_application::formats::icalendar::{self, Notes};
use waymark_application::formats::vcard::CardWriter;
use waymark_domain::acting::Acting;
use waymark_domain::ports::StoragePorts;
use waymark_domain::time::Instant;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub(crate) use document::PersonalExport;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::middleware::drain::StillWriting;
use crate::openapi::problems::BadQuery;
use crate::pagination::{bad_query, documented_query, documented_query_types};
use crate::state::AppState;

/// How many bytes gather before they are passed on as a chunk of the answer.
const CHUNK: usize = 64 * 1024;

/// How many chunks may wait for a slow client before writing waits too.
const CHUNKS_WAITING: usize = 4;

/// How many exports may read storage at once on one instance; the others wait their
/// turn (their download pauses), so exports never take the pool from other requests.
pub(crate) const EXPORT_READS_AT_ONCE: usize = 2;

/// `GET /v1/me/export`'s parameters, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExportParameters {
    /// `json` (the default): one JSON document; `zip`: an archive of the JSON
    /// (`waymark-export.json`), your routines as a calendar (`routines.ics`), your
    /// contacts as vCards (`contacts.vcf`) and a summary to print (`summary.html`).
    #[param(inline, value_type = Option<ExportFormat>)]
    format: Option<String>,
}

documented_query_types!(ExportParameters);

/// The formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ExportFormat {
    /// One JSON document.
    Json,
    /// A ZIP archive.
    Zip,
}

/// A ZIP archive, as the spec documents it: as long as what the person has.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary, max_length = 1_099_511_627_776)]
pub(crate) struct ZipArchive(#[allow(dead_code)] Vec<u8>);

/// Everything Waymark holds about you.
///
/// Your account; your goals with their steps, check-ins, status history, supporters
/// and the encouragement you received; your routines with their pauses and check-ins;
/// your contacts with their interactions; what you share and what is shared with you;
/// the encouragement you sent; the apps you let in; who else accessed your data; and
/// the changes to your data the journal still holds (90 days by default). Each section
/// holds exactly what the API's own routes answer for it.
///
/// The document is written while it is read, and is not one snapshot: a change made
/// meanwhile may be in it or not. `changes_through` says where the list of changes
/// ends. If the server cannot finish (storage failing part-way), the answer ends
/// early without its end (a chunked answer without its last chunk): treat that as a
/// failed download and ask again.
///
/// Only you can export your data: an app acting with your grant gets 403.
#[utoipa::path(
    tag = "me",
    operation_id = "export_me",
    security(("oauth2" = ["profile"])),
    params(ExportParameters),
    responses(
        (status = 200, description = "Your data, as an attachment.",
            content((PersonalExport = "application/json"), (ZipArchive = "application/zip")),
            headers(("Content-Disposition" = String, description = "`attachment`, with a name that holds the day."))),
        BadQuery,
    ),
)]
#[get("/v1/me/export")]
pub(crate) async fn export_me(
    request: HttpRequest,
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let person = principal.own_account()?;
    let sent: ExportParameters = documented_query(request.query_string())?;
    let format = ExportFormat::of(sent.format.as_deref())?;
    let now = waymark_domain::time::now();
    let export = export::begin(&state.ports, Acting::person(person), now).await?;
    let day = export.account().time_zone.date_at(now);
    let mut answer = HttpResponse::Ok();
    if format == ExportFormat::Zip {
        // Already compressed: not compressed again for the client.
        answer.insert_header(ContentEncoding::Identity);
    }
    Ok(answer
        .content_type(format.content_type())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format.file_name(day))],
        })
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(written_in_background(export, format, &state, now)))
}

impl ExportFormat {
    fn of(sent: Option<&str>) -> Result<Self, ApiError> {
        match sent {
            None | Some("json") => Ok(Self::Json),
            Some("zip") => Ok(Self::Zip),
            Some(_) => Err(bad_query("format must be json or zip")),
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Zip => "application/zip",
        }
    }

    fn file_name(self, day: NaiveDate) -> String {
        match self {
            Self::Json => format!("waymark-export-{day}.json"),
            Self::Zip => format!("waymark-export-{day}.zip"),
        }
    }
}

/// Writes `export` in `format` in a task of its own, counted as in flight until it
/// ends; answers the body its chunks make.
fn written_in_background(
    export: Export,
    format: ExportFormat,
    state: &AppState,
    now: Instant,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> + use<> {
    let (sender, receiver) = mpsc::channel(CHUNKS_WAITING);
    let ports = state.ports.clone();
    let pace = Pace {
        now,
        patience: state.settings.request_timeout,
        turns: Arc::clone(&state.export_reads),
    };
    let still_writing = StillWriting::enter(&state.drain);
    let finished = Arc::new(AtomicBool::new(false));
    let whole = Arc::clone(&finished);
    actix_web::rt::spawn(async move {
        let _still_writing = still_writing;
        let written = match format {
            ExportFormat::Json => write_json(export, &sender, pace).await,
            ExportFormat::Zip => write_zip(export, &ports, &sender, pace).await,
        };
        match written {
            Ok(()) => whole.store(true, Ordering::SeqCst),
            // The client gone is no failure; anything else ends the answer early.
            Err(error) if !sender.is_closed() => {
                tracing::error!(%error, "an export could not be finished");
            }
            Err(_) => {}
        }
    });
    body_of(receiver, finished)
}

/// The answer's body: the chunks as they come, then, unless the writer said it
/// finished, an error, so that the answer ends without its last chunk. A writer that
/// failed, panicked or was dropped never leaves a whole-looking document.
fn body_of(
    receiver: mpsc::Receiver<Bytes>,
    finished: Arc<AtomicBool>,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> {
    futures_util::stream::unfold(Some(receiver), move |receiver| {
        let finished = Arc::clone(&finished);
        async move {
            let mut receiver = receiver?;
            match receiver.recv().await {
                Some(chunk) => Some((Ok(chunk), Some(receiver))),
                None if finished.load(Ordering::SeqCst) => None,
                None => Some((Err(io::Error::other("the export could not be finished")), None)),
            }
        }
    })
}

/// Chunks of the answer on their way to the client.
type Chunks = mpsc::Sender<Bytes>;

/// Passes `bytes` on as a chunk; an error when the client has gone.
async fn pass_on(chunks: &Chunks, bytes: Vec<u8>) -> io::Result<()> {
    if chunks.is_closed() {
        return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the client has gone"));
    }
    if bytes.is_empty() {
        return Ok(());
    }
    chunks
        .send(Bytes::from(bytes))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client has gone"))
}

/// Where the document is written: a writer, and a way to pass on what gathered.
trait Output {
    /// What the document is written into.
    fn writer(&mut self) -> &mut dyn Write;
    /// Passes on what gathered, once there is enough of it.
    async fn pass_on(&mut self) -> io::Result<()>;
}

/// The document, as the whole answer.
struct JsonOutput<'a> {
    buffer: Vec<u8>,
    chunks: &'a Chunks,
}

impl Output for JsonOutput<'_> {
    fn writer(&mut self) -> &mut dyn Write {
        &mut self.buffer
    }

    async fn pass_on(&mut self) -> io::Result<()> {
        let ready =
            if self.buffer.len() >= CHUNK { std::mem::take(&mut self.buffer) } else { Vec::new() };
        pass_on(self.chunks, ready).await
    }
}

/// How an export reads storage: as of when, how long a read may take, and the turns
/// exports take at reading.
#[derive(Debug)]
struct Pace {
    now: Instant,
    patience: Duration,
    turns: Arc<Semaphore>,
}

impl Pace {
    /// `read` in its turn, or an error once it took longer than `patience`.
    async fn read<T>(
        &self,
        read: impl Future<Output = Result<T, waymark_domain::ports::StoreError>>,
    ) -> io::Result<T> {
        let _turn = self.turns.acquire().await.map_err(io::Error::other)?;
        match tokio::time::timeout(self.patience, read).await {
            Ok(read) => read.map_err(io::Error::other),
            Err(_) => {
                Err(io::Error::new(io::ErrorKind::TimedOut, "storage did not answer in time"))
            }
        }
    }
}

async fn write_json(mut export: Export, chunks: &Chunks, pace: Pace) -> io::Result<()> {
    let mut output = JsonOutput { buffer: Vec::with_capacity(CHUNK * 2), chunks };
    write_document(&mut export, &mut output, &pace).await?;
    pass_on(chunks, output.buffer).await
}

/// Writes the whole document to `output`, a page at a time.
async fn write_document(
    export: &mut Export,
    output: &mut impl Output,
    pace: &Pace,
) -> io::Result<()> {
    let now = pace.now;
    document::write_opening(output.writer(), export)?;
    let mut first = true;
    while let Some(page) = pace.read(export.next_page()).await? {
        if first {
            document::write_section_opening(output.writer(), page.section)?;
        }
        for item in &page.items {
            document::write_item(output.writer(), item, first, now)?;
            first = false;
        }
        if page.last {
            document::write_section_closing(output.writer())?;
            first = true;
        }
        output.pass_on().await?;
    }
    document::write_closing(output.writer())
}

/// The bytes a ZIP writer wrote and that wait to be passed on.
#[derive(Debug, Clone, Default)]
struct Written(Arc<Mutex<Vec<u8>>>);

impl Written {
    fn take_if(&self, at_least: usize) -> Vec<u8> {
        let mut bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if bytes.len() >= at_least { std::mem::take(&mut *bytes) } else { Vec::new() }
    }
}

impl Write for Written {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The document, as one file of a ZIP archive that is the answer.
struct ZipOutput<'a> {
    zip: ZipWriter<zip::write::StreamWriter<Written>>,
    written: Written,
    chunks: &'a Chunks,
    /// When the export is written: each file's time.
    now: Instant,
}

impl ZipOutput<'_> {
    fn start(&mut self, name: &str) -> io::Result<()> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .large_file(true)
            .last_modified_time(zip_time(self.now));
        self.zip.start_file(name, options).map_err(io::Error::other)
    }
}

impl Output for ZipOutput<'_> {
    fn writer(&mut self) -> &mut dyn Write {
        &mut self.zip
    }

    async fn pass_on(&mut self) -> io::Result<()> {
        pass_on(self.chunks, self.written.take_if(CHUNK)).await
    }
}

async fn write_zip(
    mut export: Export,
    ports: &StoragePorts,
    chunks: &Chunks,
    pace: Pace,
) -> io::Result<()> {
    let now = pace.now;
    let written = Written::default();
    let mut output =
        ZipOutput { zip: ZipWriter::new_stream(written.clone()), written, chunks, now };
    output.start("waymark-export.json")?;
    write_document(&mut export, &mut output, &pace).await?;
    let account = export.account();
    let owner = account.id;

    let routines = pace.read(export::active_routines(ports, owner)).await?;
    output.start("routines.ics")?;
    output.zip.write_all(icalendar::calendar(&routines, now, Notes::Included).as_bytes())?;
    output.pass_on().await?;

    output.start("contacts.vcf")?;
    let mut after = None;
    loop {
        let (contacts, more) = pace.read(export::contacts_page(ports, owner, after)).await?;
        let mut cards = CardWriter::new();
        for contact in &contacts {
            write_contact(&mut cards, contact);
        }
        output.zip.write_all(cards.finish().as_bytes())?;
        output.pass_on().await?;
        after = contacts.last().map(|contact| contact.id.0);
        if !more {
            break;
        }
    }

    output.start("summary.html")?;
    output.zip.write_all(summary::opening(account, now).as_bytes())?;
    // The goals being worked on first, then the others, each oldest first.
    let mut no_goals = true;
    for worked_on in [true, false] {
        let mut after = None;
        loop {
            let (goals, more) = pace.read(export::goals_page(ports, owner, after)).await?;
            after = goals.last().map(|goal| goal.id.0);
            let shown: Vec<_> = goals
                .into_iter()
                .filter(|goal| export::being_worked_on(goal) == worked_on)
                .collect();
            no_goals &= shown.is_empty();
            output.zip.write_all(summary::goals(account, &shown).as_bytes())?;
            output.pass_on().await?;
            if !more {
                break;
            }
        }
    }
    output.zip.write_all(summary::between(no_goals).as_bytes())?;
    for routine in &routines {
        let stats = pace.read(export::how_it_went(ports, routine, now)).await?;
        output.zip.write_all(summary::routine_article(routine, &stats).as_bytes())?;
        output.pass_on().await?;
    }
    output.zip.write_all(summary::closing(routines.is_empty()).as_bytes())?;
    output.zip.finish().map_err(io::Error::other)?;
    pass_on(chunks, output.written.take_if(0)).await
}

/// `at` as a ZIP file's time (UTC; ZIP's times have no zone), or ZIP's earliest time
/// when it cannot say it.
fn zip_time(at: Instant) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let at = at.naive_utc();
    let part = |value: u32| u8::try_from(value).unwrap_or_default();
    u16::try_from(at.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                part(at.month()),
                part(at.day()),
                part(at.hour()),
                part(at.minute()),
                part(at.second()),
            )
            .ok()
        })
        .unwrap_or_default()
}
