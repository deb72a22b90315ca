//! `shukor-table8` (validation V7): Shukor et al. 2025, Table 8, on their released
//! SlimPajama runs (`shukor2025/dmsl_llm_slimpajama.csv`).
//!
//! Per target domain (7 separate fits) and law (`additive`, `joint`, k = 7): fit on every
//! row with `model_size < 2.7e9` and a finite target loss (the duplicate final checkpoints
//! are kept, as in the data README's scipy reference), N/1e9, D/1e9, mean Huber(1e-3) of
//! raw residuals, the default basin-hopping search; report the train MRE and the MRE on the
//! 2.718e9 ('3B') runs. The data README's "second protocol" (the paper's four training
//! sizes 3.10e8..1.235e9 only) is reported for `additive` in rows suffixed `_paper_sizes`.

use std::format;
use std::path::Path;
use std::string::ToString;
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Loss, Scales};
use mixlaw_fit::owned::{fit, FitOptions};
use mixlaw_fit::BasinConfig;

use crate::data::shukor::{load_targets, DomainData, DOMAINS, PAPER, PAPER_MEAN};
use crate::error::Error;
use crate::fits::{parallel, threads};
use crate::json::Json;
use crate::report::Report;

/// The experiment's name.
pub const NAME: &str = "shukor-table8";

/// scipy reference (data README), additive law, per domain: train, 3B (MRE %).
const SCIPY: [[f64; 2]; 7] = [
    [0.79, 3.19],
    [0.51, 1.45],
    [0.52, 0.94],
    [1.09, 3.95],
    [0.52, 1.40],
    [0.80, 1.50],
    [1.23, 5.26],
];

/// scipy reference means (additive): train, 3B.
const SCIPY_MEAN: [f64; 2] = [0.779, 2.528];

/// scipy reference of the second protocol (paper sizes only), per domain: train, 3B.
const SCIPY_PAPER_SIZES: [[f64; 2]; 7] = [
    [0.68, 1.91],
    [0.38, 1.12],
    [0.39, 0.81],
    [0.93, 2.52],
    [0.39, 1.13],
    [0.68, 0.97],
    [1.11, 4.90],
];

/// scipy reference means of the second protocol: train, 3B.
const SCIPY_PAPER_SIZES_MEAN: [f64; 2] = [0.651, 1.909];

/// Which fit set to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Every run below 2.7e9 parameters (the data README's main protocol).
    AllSizes,
    /// Only the paper's four training sizes, 3.10e8..1.235e9 (the "second protocol").
    PaperSizes,
}

impl Protocol {
    fn suffix(self) -> &'static str {
        match self {
            Protocol::AllSizes => "",
            Protocol::PaperSizes => "_paper_sizes",
        }
    }
}

/// What to run: which laws under which protocol, and the search settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// `(law name, protocol)` pairs, each fitted once per domain.
    pub fits: Vec<(&'static str, Protocol)>,
    /// Basin-hopping settings of every fit.
    pub basin: BasinConfig,
    /// Worker threads (0: one per available core).
    pub threads: usize,
}

impl Default for Settings {
    /// Everything `mixlaw reproduce shukor-table8` reports: additive and joint on the
    /// main protocol, additive on the paper's sizes; default search; all cores.
    fn default() -> Self {
        Settings {
            fits: vec![
                ("additive", Protocol::AllSizes),
                ("joint", Protocol::AllSizes),
                ("additive", Protocol::PaperSizes),
            ],
            basin: BasinConfig::default(),
            threads: 0,
        }
    }
}

/// The outcome of one (law, protocol, domain) fit.
#[derive(Clone, Debug)]
struct FitResult {
    objective: f64,
    train_mre: f64,
    test_mre: f64,
    train_rows: usize,
    test_rows: usize,
    minimizations: usize,
    seconds: f64,
}

/// `mixlaw reproduce shukor-table8`: the default [`Settings`].
pub fn run(data: &Path, progress: bool) -> Result<Report, Error> {
    run_with(data, progress, &Settings::default())
}

/// Runs the fits of `settings` and reports them (rows only for the laws and protocols
/// asked for).
pub fn run_with(data: &Path, progress: bool, settings: &Settings) -> Result<Report, Error> {
    let started = Instant::now();
    let domains = load_targets(data, &DOMAINS)?;
    let jobs: Vec<(usize, usize)> = (0..settings.fits.len())
        .flat_map(|f| (0..DOMAINS.len()).map(move |d| (f, d)))
        .collect();
    let results = parallel(jobs.len(), settings.threads, |i| {
        let (f, d) = jobs.get(i).copied().unwrap_or((0, 0));
        let (law, protocol) = settings
            .fits
            .get(f)
            .copied()
            .unwrap_or(("additive", Protocol::AllSizes));
        let dom = domains
            .get(d)
            .ok_or_else(|| Error::compute("domain index out of range"))?;
        let r = fit_one(law, protocol, dom, d, &settings.basin)?;
        if progress {
            std::eprintln!(
                "{NAME}: {law}{} {:<13} objective {:.6e}  train MRE {:.3} %  3B MRE {:.3} %  ({} rows, {} minimisations, {:.1} s)",
                protocol.suffix(),
                DOMAINS.get(d).copied().unwrap_or("?"),
                r.objective,
                r.train_mre,
                r.test_mre,
                r.train_rows,
                r.minimizations,
                r.seconds
            );
        }
        Ok(r)
    })?;

    let mut report = Report::new(NAME);
    for (f, &(law, protocol)) in settings.fits.iter().enumerate() {
        let per: Vec<&FitResult> = results
            .iter()
            .skip(f * DOMAINS.len())
            .take(DOMAINS.len())
            .collect();
        report_law(&mut report, law, protocol, &per, &domains);
    }
    report.row(
        "seconds",
        started.elapsed().as_secs_f64(),
        None,
        vec![
            ("threads".into(), Json::from(threads(settings.threads))),
            ("starts".into(), Json::from(settings.basin.starts)),
            ("hops".into(), Json::from(settings.basin.hops)),
        ],
    );
    Ok(report)
}

/// Rows of one (law, protocol): per domain train MRE, 3B MRE, objective; then the means.
fn report_law(
    report: &mut Report,
    law: &str,
    protocol: Protocol,
    per: &[&FitResult],
    domains: &[DomainData],
) {
    let sfx = protocol.suffix();
    let is_additive = law == "additive";
    let col = if is_additive { 0 } else { 2 };
    let paper = protocol == Protocol::AllSizes && (is_additive || law == "joint");
    let scipy: Option<&[[f64; 2]; 7]> = match (is_additive, protocol) {
        (true, Protocol::AllSizes) => Some(&SCIPY),
        (true, Protocol::PaperSizes) => Some(&SCIPY_PAPER_SIZES),
        _ => None,
    };
    for (d, r) in per.iter().enumerate() {
        let name = DOMAINS.get(d).copied().unwrap_or("?");
        let skipped = domains.get(d).map_or(0, |x| x.skipped);
        for (which, ours, c) in [("train", r.train_mre, 0), ("3b", r.test_mre, 1)] {
            let mut extra = vec![("domain".to_string(), Json::from(name))];
            if let Some(s) = scipy.and_then(|s| s.get(d)).and_then(|v| v.get(c)) {
                extra.push(("scipy_reference".into(), Json::from(*s)));
            }
            extra.push((
                "rows".into(),
                Json::from(if c == 0 { r.train_rows } else { r.test_rows }),
            ));
            if c == 0 {
                extra.push(("nan_rows_dropped".into(), Json::from(skipped)));
            }
            let published = if paper {
                PAPER.get(d).and_then(|p| p.get(col + c)).copied()
            } else {
                None
            };
            report.row(
                &format!("{law}_{which}_mre_pct{sfx}"),
                ours,
                published,
                extra,
            );
        }
        report.row(
            &format!("{law}_objective{sfx}"),
            r.objective,
            None,
            vec![
                ("domain".into(), Json::from(name)),
                ("loss".into(), Json::from("mean Huber(1e-3), raw residuals")),
                ("minimizations".into(), Json::from(r.minimizations)),
                ("seconds".into(), Json::from(r.seconds)),
            ],
        );
    }
    let n = per.len().max(1) as f64;
    let mean_train = per.iter().map(|r| r.train_mre).sum::<f64>() / n;
    let mean_test = per.iter().map(|r| r.test_mre).sum::<f64>() / n;
    for (which, ours, c) in [("train", mean_train, 0), ("3b", mean_test, 1)] {
        let mut extra = Vec::new();
        match (is_additive, protocol) {
            (true, Protocol::AllSizes) => {
                extra.push(("scipy_reference".to_string(), Json::from(SCIPY_MEAN[c])));
                // The reference is printed to 3 decimals (rerun under its protocol the
                // train mean is 0.77935 %, and our fits reach an objective at least as low
                // as scipy's in every domain: README.md, "Measured results"), so it is
                // compared at that precision.
                extra.push((
                    "gate".into(),
                    Json::from(format!(
                        "ours <= scipy_reference {} at its 3 printed decimals",
                        SCIPY_MEAN[c]
                    )),
                ));
                extra.push(crate::report::pass(crate::report::no_worse_than_printed(
                    ours,
                    SCIPY_MEAN[c],
                    3,
                )));
            }
            (true, Protocol::PaperSizes) => {
                extra.push((
                    "scipy_reference".to_string(),
                    Json::from(SCIPY_PAPER_SIZES_MEAN[c]),
                ));
                extra.push((
                    "note".into(),
                    Json::from("fit on the paper's four training sizes only (3.10e8..1.235e9)"),
                ));
            }
            _ => {}
        }
        let published = if paper {
            PAPER_MEAN.get(col + c).copied()
        } else {
            None
        };
        report.row(
            &format!("{law}_mean_{which}_mre_pct{sfx}"),
            ours,
            published,
            extra,
        );
    }
}

/// Fits `law` for domain `d` and scores it.
fn fit_one(
    law: &str,
    protocol: Protocol,
    dom: &DomainData,
    d: usize,
    basin: &BasinConfig,
) -> Result<FitResult, Error> {
    let started = Instant::now();
    let name = DOMAINS.get(d).copied().unwrap_or("?");
    let ctx = |e: mixlaw_core::Error| Error::compute(format!("{law} fit for {name}: {e}"));
    let train = match protocol {
        Protocol::AllSizes => &dom.train,
        Protocol::PaperSizes => &dom.paper_train,
    };
    let options = FitOptions {
        loss: Loss::Huber { delta: 1e-3 },
        scales: Some(Scales { n: 1e9, d: 1e9 }),
        basin: *basin,
        ..FitOptions::default()
    };
    let law = AnyLaw::new(law, DOMAINS.len(), None).map_err(ctx)?;
    let fitted = fit(law, train, &options, |_| {
        core::ops::ControlFlow::Continue(())
    })
    .map_err(ctx)?;
    let (_, train_m) = fitted.evaluate(train).map_err(ctx)?;
    let (_, test_m) = fitted.evaluate(&dom.test).map_err(ctx)?;
    Ok(FitResult {
        objective: fitted.objective,
        train_mre: train_m.mre,
        test_mre: test_m.mre,
        train_rows: train.rows(),
        test_rows: dom.test.rows(),
        minimizations: fitted.outcome.map_or(0, |o| o.minimizations),
        seconds: started.elapsed().as_secs_f64(),
    })
}
