//! Everything the program writes, in one place: results on stdout (text lines or one JSON
//! object carrying the `"warnings"` list), `warning:` and progress on stderr (silenced by
//! `--quiet`), and the end of output when stdout is a closed pipe (`mixlaw ... | head -1`):
//! the first write that fails with a broken pipe closes the output, later results are
//! dropped and the program still exits 0.

use std::format;
use std::io::{ErrorKind, Write};
use std::string::String;
use std::time::{Duration, Instant};
use std::vec::Vec;

use core::ops::ControlFlow;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mixlaw_core::Law;
use mixlaw_fit::{BasinConfig, HopInfo};
use mixlaw_validate::json::{push, Json};

use crate::Error;

/// Where the program writes: standard output (results) and standard error (warnings,
/// progress, the error line).
pub struct Io<'a> {
    /// Results.
    pub out: &'a mut dyn Write,
    /// Warnings, progress and errors.
    pub err: &'a mut dyn Write,
    /// Whether `err` is a terminal (progress is then a bar, else plain lines).
    pub err_is_terminal: bool,
}

/// A command's output: results, warnings and progress under `--json` and `--quiet`.
pub struct Output<'a, 'b> {
    io: &'a mut Io<'b>,
    json: bool,
    quiet: bool,
    closed: bool,
    warnings: Vec<String>,
}

impl<'a, 'b> Output<'a, 'b> {
    /// The output of a command run with `--json` = `json`, `--quiet` = `quiet`.
    pub fn new(io: &'a mut Io<'b>, json: bool, quiet: bool) -> Self {
        Output {
            io,
            json,
            quiet,
            closed: false,
            warnings: Vec::new(),
        }
    }

    /// Whether results are one JSON object.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Whether `--quiet` silences stderr.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// One line of results on stdout (dropped once stdout is a closed pipe).
    pub fn line(&mut self, text: &str) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        match writeln!(self.io.out, "{text}").and_then(|()| self.io.out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(Error::compute(format!("cannot write output: {e}"))),
        }
    }

    /// The result object, with the `"warnings"` list added, as one line of JSON.
    pub fn object(&mut self, mut value: Json) -> Result<(), Error> {
        let warnings = Json::from(self.warnings.clone());
        push(&mut value, "warnings", warnings);
        self.line(&value.to_string())
    }

    /// A flag that was accepted but is not used: a `warning:` line on stderr (unless
    /// `--quiet`) and an entry of the JSON `"warnings"`.
    pub fn warn(&mut self, message: impl Into<String>) {
        let message = message.into();
        if !self.quiet {
            let _ = writeln!(self.io.err, "warning: {message}");
        }
        self.warnings.push(message);
    }

    /// A note on stderr (unless `--quiet`), e.g. what a long computation is about to do.
    pub fn note(&mut self, text: &str) {
        if !self.quiet {
            let _ = writeln!(self.io.err, "{text}");
        }
    }

    /// Progress of a basin-hopping fit of `law` under `basin` (one step per local
    /// minimisation; the starts built from the data counted in, at most
    /// `mixlaw_fit::informed::POINTS`, when the law has their form).
    pub fn fit_progress<L: Law + ?Sized>(&mut self, basin: &BasinConfig, law: &L) -> Progress<'_> {
        let built = match basin.informed && law.inverse_mixture_form().is_some() {
            true => mixlaw_fit::informed::POINTS,
            false => 0,
        };
        self.progress("fit", ((basin.starts + built) * (basin.hops + 1)) as u64)
    }

    /// Progress of `total` steps of work named `what`: a bar when stderr is a terminal,
    /// else plain lines (one per step, from [`Progress::step`]); nothing with `--quiet`.
    pub fn progress(&mut self, what: &str, total: u64) -> Progress<'_> {
        let bar = (!self.quiet && self.io.err_is_terminal).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{elapsed_precise}] {wide_bar} {pos}/{len}")
            {
                bar.set_style(style);
            }
            bar.set_message(String::from(what));
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            err: &mut *self.io.err,
            bar,
            lines: !self.quiet && !self.io.err_is_terminal,
            started: Instant::now(),
        }
    }
}

/// Progress of one long computation (see [`Output::progress`]).
pub struct Progress<'e> {
    err: &'e mut dyn Write,
    bar: Option<ProgressBar>,
    lines: bool,
    started: Instant,
}

impl Progress<'_> {
    /// The basin-hopping observer of a fit: one step per local minimisation (the contract's
    /// progress line per round); it never stops the search.
    pub fn hop(&mut self, h: &HopInfo) -> ControlFlow<()> {
        self.step(&format!(
            "start {:>2} hop {:>2}: local {:.6e}  best {:.6e}  ({} evaluations)",
            h.start, h.hop, h.value, h.best, h.evaluations
        ));
        ControlFlow::Continue(())
    }

    /// One step done, described by `line` (printed as a plain line when stderr is not a
    /// terminal; the bar advances otherwise).
    pub fn step(&mut self, line: &str) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        } else if self.lines {
            let _ = writeln!(
                self.err,
                "{line}  ({:.1} s)",
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
