//! The content catalogue as files editors keep in git: one Markdown file with YAML
//! front matter per article (`<locale>/<slug>.md`) and a `services.yaml`. Reading
//! checks everything first and reports every problem with its file and line;
//! applying upserts by `(locale, slug)` and service slug, so importing twice changes
//! nothing. The starter catalogue in `content/seed` is compiled into the binary.

mod apply;
mod export;
mod files;
mod progress;
mod seed;

pub use apply::{Summary, apply};
pub use export::export;
pub use files::{ArticleEntry, Catalogue, FileProblem, ServiceEntry, read, read_dir};
pub use progress::Progress;
pub use seed::{built_in_crisis_lines, seed_files};
