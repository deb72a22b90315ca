//! `epoch-bootstrap` (validation V1, bootstrap): standard errors of the Chinchilla law on
//! Epoch AI's 240 points (log-space Huber 1e-3, as `epoch-chinchilla`) from 4000 row
//! resamples, beside Besiroglu et al.'s (2024) published ones.
//!
//! Every refit is a local L-BFGS warm-started from the full-data fit. To check that this
//! finds the same minimum as a fresh global search, the first `checks` resamples are also
//! fitted with the default 40-start search and the objectives compared (rows
//! `warm_vs_full_*`). A and B are reported in raw units (`A_raw = A 1e9^alpha` per refit).

use std::format;
use std::path::Path;
use std::time::Instant;
use std::vec::Vec;

use core::ops::ControlFlow;

use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::{Loss, Scales};
use mixlaw_fit::bootstrap::{self, BootstrapConfig, Resampling};
use mixlaw_fit::owned::{fit_weighted, FitOptions};
use mixlaw_fit::BasinConfig;

use crate::data::epoch::load_240;
use crate::error::Error;
use crate::fits::fit_chinchilla;
use crate::report::Report;
use crate::report::{count, note, num, pass};

/// The experiment's name.
pub const NAME: &str = "epoch-bootstrap";

/// Epoch's bootstrap standard errors (paper; 4000 resamples): A, B, E, alpha, beta.
pub const PUBLISHED_SE: [(&str, f64); 5] = [
    ("A", 124.52),
    ("B", 1293.28),
    ("E", 0.026),
    ("alpha", 0.0154),
    ("beta", 0.0206),
];

/// Epoch's 95 % bootstrap intervals (data README): A, B, E, alpha, beta.
const PUBLISHED_CI: [(f64, f64); 5] = [
    (285.2, 743.6),
    (1042.4, 5810.3),
    (1.769, 1.871),
    (0.317, 0.373),
    (0.331, 0.415),
];

/// Accepted relative difference of a standard error from Epoch's (the 30 %).
pub const TOLERANCE: f64 = 0.30;

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Resamples also refitted by a full 40-start search, to check the warm start.
    pub checks: usize,
    /// Seed of the resampling.
    pub seed: u64,
    /// Worker threads (0: every core).
    pub threads: usize,
}

impl Default for Settings {
    /// 4000 resamples (Epoch's count), 8 checked by full searches, seed 42, every core.
    fn default() -> Self {
        Settings {
            resamples: 4000,
            checks: 8,
            seed: 42,
            threads: 0,
        }
    }
}

/// `mixlaw reproduce epoch-bootstrap`: the default [`Settings`].
pub fn run(data: &Path, progress: bool) -> Result<Report, Error> {
    run_with(data, progress, &Settings::default())
}

/// Runs the bootstrap with `settings`.
pub fn run_with(data: &Path, progress: bool, settings: &Settings) -> Result<Report, Error> {
    let started = Instant::now();
    let runs = load_240(data)?;
    let loss = Loss::LogHuber { delta: 1e-3 };
    let scale = 1e9;
    let scales = Scales { n: scale, d: scale };
    let full = fit_chinchilla(&runs, loss, scales, BasinConfig::default(), NAME, progress)?;
    let options = FitOptions {
        loss,
        scales: Some(scales),
        ..FitOptions::default()
    };
    let config = BootstrapConfig {
        resamples: settings.resamples,
        seed: settings.seed,
        resampling: Resampling::Rows,
        hops: 0,
        threads: settings.threads,
    };
    let boot_started = Instant::now();
    let boot = bootstrap::bootstrap(&full, &runs, None, &options, &config)
        .map_err(|e| Error::compute(format!("{NAME}: {e}")))?;
    let boot_seconds = boot_started.elapsed().as_secs_f64();
    if progress {
        std::eprintln!(
            "{NAME}: {} refits in {boot_seconds:.1} s ({} failed)",
            settings.resamples,
            boot.failed
        );
    }
    // Raw-unit parameters of every refit: A, B, E, alpha, beta.
    let raw: Vec<[f64; 5]> = boot
        .draws
        .iter()
        .filter_map(|d| match d.params.as_slice() {
            &[e, a, b, alpha, beta] => {
                Some([a * scale.powf(alpha), b * scale.powf(beta), e, alpha, beta])
            }
            _ => None,
        })
        .collect();
    let mut report = Report::new(NAME);
    for (i, ((name, published), (ci_lo, ci_hi))) in
        PUBLISHED_SE.iter().zip(PUBLISHED_CI).enumerate()
    {
        let column: Vec<f64> = raw.iter().filter_map(|p| p.get(i).copied()).collect();
        let s = bootstrap::summarize(&column)
            .ok_or_else(|| Error::compute(format!("{NAME}: every refit failed")))?;
        let rel = s.se / published - 1.0;
        report.row(
            &format!("se_{name}"),
            s.se,
            Some(*published),
            std::vec![
                num("relative_difference", rel),
                pass(rel.abs() <= TOLERANCE),
                num("ci95_lo", s.lo),
                num("ci95_hi", s.hi),
                num("published_ci95_lo", ci_lo),
                num("published_ci95_hi", ci_hi),
            ],
        );
    }
    report.row(
        "resamples",
        settings.resamples as f64,
        Some(4000.0),
        std::vec![
            count("failed", boot.failed as u64),
            count("seed", settings.seed),
            note("refit", "L-BFGS warm-started from the full-data fit"),
        ],
    );
    // The warm start against full searches on the first resamples.
    let (mut worst_objective, mut worst_param) = (0.0f64, 0.0f64);
    for d in boot.draws.iter().take(settings.checks) {
        let weights =
            bootstrap::resample_weights(&runs, &Resampling::Rows, settings.seed, d.index)?;
        let global = fit_weighted(Chinchilla::new(), &runs, Some(&weights), &options, |_| {
            ControlFlow::Continue(())
        })
        .map_err(|e| Error::compute(format!("{NAME}: full search: {e}")))?;
        worst_objective = worst_objective.max((d.objective - global.objective) / global.objective);
        for (w, g) in d.params.iter().zip(&global.params) {
            worst_param = worst_param.max(((w - g) / g).abs());
        }
    }
    if settings.checks > 0 {
        report.row(
            "warm_vs_full_objective_rel",
            worst_objective,
            None,
            std::vec![
                num(
                    "resamples_checked",
                    settings.checks.min(boot.draws.len()) as f64
                ),
                note(
                    "meaning",
                    "largest (warm - full) / full objective; <= 0 means the warm refit is as good"
                ),
                pass(worst_objective <= 1e-6),
            ],
        );
        report.row(
            "warm_vs_full_param_rel",
            worst_param,
            None,
            std::vec![note(
                "meaning",
                "largest relative parameter difference (scaled units)"
            )],
        );
    }
    report.row(
        "bootstrap_seconds",
        boot_seconds,
        None,
        std::vec![num(
            "threads",
            crate::fits::threads(settings.threads) as f64
        )],
    );
    report.seconds(started);
    Ok(report)
}
