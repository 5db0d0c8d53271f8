//! A progress bar on standard error, drawn only when it is a terminal (logs and pipes
//! get the summary alone).

use std::io::{IsTerminal, Write};

/// Draws `[#####.....] done/total` in place.
#[derive(Debug)]
pub struct Progress {
    terminal: bool,
    drawn: bool,
}

/// The bar's width in characters.
const WIDTH: usize = 30;

impl Progress {
    /// A bar on standard error, if it is a terminal.
    #[must_use]
    pub fn on_stderr() -> Self {
        Self { terminal: std::io::stderr().is_terminal(), drawn: false }
    }

    /// Shows `done` of `total`.
    pub fn show(&mut self, done: usize, total: usize) {
        if !self.terminal || total == 0 {
            return;
        }
        let filled = WIDTH * done / total;
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r[{}{}] {done}/{total}",
            "#".repeat(filled),
            ".".repeat(WIDTH - filled)
        );
        let _ = stderr.flush();
        self.drawn = true;
    }

    /// Ends the bar's line.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
        }
    }
}
