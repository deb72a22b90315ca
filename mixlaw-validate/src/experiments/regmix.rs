//! `regmix`: RegMix (Liu et al., ICLR 2025; sail-sg/regmix) on its released proxy runs
//! (`regmix/`): every law of the mixture alone is fitted on the 512 1M-parameter training
//! runs (1B tokens) with the Pile-CC validation loss as target, and ranks the unseen runs of
//! three scales: 256 mixtures at 1M and at 60M parameters (1B tokens), 64 at 1B parameters
//! (25B tokens). Reported: Spearman's rho in percent,
//! `rho = 100 * pearson(rank(prediction), rank(observed))` (average ranks for ties,
//! `mixlaw_core::metrics::spearman`), per law and scale: `<law>_spearman_<1m|60m|1b>`.
//!
//! - **Laws.** The laws that read the mixture only ([`LAWS`]): `linear`
//!   (`L = sum_i W_i h_i`, RegMix's linear regressor; with `sum_i h_i = 1` its intercept is
//!   absorbed in `W`), `additive-nd` (`E + 1 / sum_i C_i h_i^gamma_i`, Shukor et al.'s law at fixed N and D), and Ye
//!   et al.'s `ye-m1` to `ye-m4`. Laws of N or D do not apply: within a split N and D are
//!   constant, so the training runs cannot identify their N and D terms.
//! - **Data.** The mixture files round each weight to 3 decimals (rows sum to 1 +- 0.004);
//!   each row is rescaled to sum 1 ([`crate::data::regmix`]). Mixture and loss files are
//!   joined on `index`.
//! - **Fit.** Least squares (`Loss::Squared`, RegMix's regression objective): closed form
//!   for `linear`; for the others `select`'s modest search ([`select_basin`]: 8 starts x 2
//!   hops, 5000 evaluations per local minimisation): the default search (40 starts) took
//!   227 s for `ye-m1` alone on the shared 2-core machine, and changed its 1B figure by 3
//!   points (82.3 instead of 85.3: that law's fits on these runs are multimodal), while
//!   `additive-nd` and `ye-m2` gave the same figures to 0.01 with both searches.
//! - **Published.** RegMix's own figures are for its LightGBM regressor (the repository
//!   notebook: rho 98.92 on the 1M test runs for Pile-CC) and, per a third-party summary of
//!   the paper not checked against its table, about 97.1 (LightGBM) and 88.0 (linear) on the
//!   64 1B runs. `published` holds the figure for the linear regressor where one exists
//!   (`linear_spearman_1b`: 88.0); every row carries RegMix's LightGBM figure for its scale
//!   (`regmix_lightgbm`: the notebook's 98.92 at 1M, and the data README's rerun of the
//!   notebook, 98.49 at 60M and 96.51 at 1B) and the data README's ordinary least squares
//!   check (`ols_reference`: 90.21, 89.33, 87.66, raw weights plus an intercept).

use std::format;
use std::path::Path;
use std::string::String;
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Loss, Scales};
use mixlaw_fit::owned::{fit, FitOptions};

use crate::data::regmix::{load, RegmixRuns, PILE_CC, TESTS, TRAIN_1M};
use crate::error::Error;
use crate::fits::{parallel, progress as progress_observer, select_basin};
use crate::report::{count, note, num, Report};

/// The experiment's name.
pub const NAME: &str = "regmix";

/// The laws that apply: those of the mixture alone (every split has one N and one D).
/// `ye-m3` (`E + C exp(prod_i gamma_i h_i)`) is left out: the product of the 17 weights is
/// 0 in 511 of the 512 training runs and in all 64 1B runs, so it predicts a constant and
/// ranks nothing.
pub const LAWS: [&str; 5] = ["linear", "additive-nd", "ye-m1", "ye-m2", "ye-m4"];

/// The linear regressor's Spearman (percent) per test scale (1M, 60M, 1B) as published:
/// only the 1B figure (about 88.0, third-party summary of the paper).
pub const PUBLISHED_LINEAR: [Option<f64>; 3] = [None, None, Some(88.0)];

/// RegMix's LightGBM regressor per test scale (percent): the notebook's 98.92 at 1M, the
/// data README's rerun of the notebook at 60M and 1B.
pub const LIGHTGBM: [f64; 3] = [98.92, 98.49, 96.51];

/// The data README's ordinary least squares check per test scale (percent; raw weights
/// plus an intercept, numpy).
pub const OLS_REFERENCE: [f64; 3] = [90.21, 89.33, 87.66];

/// One law's fit and its Spearman per test scale.
#[derive(Clone, Debug, PartialEq)]
pub struct LawResult {
    /// The law's name.
    pub law: &'static str,
    /// Spearman (percent) on the 1M, 60M and 1B test runs.
    pub spearman: [f64; 3],
    /// Kendall's tau-b (percent) on the same runs.
    pub kendall: [f64; 3],
    /// Training MRE (percent).
    pub train_mre: f64,
    /// Seconds of the fit.
    pub seconds: f64,
}

/// The training runs and the three test splits (1M, 60M, 1B) with the Pile-CC target.
pub fn load_all(data: &Path) -> Result<(RegmixRuns, Vec<RegmixRuns>), Error> {
    let train = load(data, TRAIN_1M, PILE_CC)?;
    let tests = TESTS
        .iter()
        .map(|&s| load(data, s, PILE_CC))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(t) = tests.iter().find(|t| t.domains != train.domains) {
        return Err(Error::input(format!(
            "regmix: a test split's domains differ from the training runs' ({})",
            t.domains.join(",")
        )));
    }
    Ok((train, tests))
}

/// Fits `law` on `train` by least squares and ranks each of `tests`.
pub fn rank_law(
    law: &'static str,
    train: &RegmixRuns,
    tests: &[RegmixRuns],
    show: bool,
) -> Result<LawResult, Error> {
    let started = Instant::now();
    let ctx = |e: mixlaw_core::Error| Error::compute(format!("{NAME}: {law}: {e}"));
    let options = FitOptions {
        loss: Loss::Squared,
        scales: Some(Scales::default()),
        basin: select_basin(),
        ..FitOptions::default()
    };
    let label = format!("{NAME} {law}");
    let any = AnyLaw::new(law, train.runs.k, None)?;
    let fitted = fit(any, &train.runs, &options, progress_observer(&label, show)).map_err(ctx)?;
    let (_, train_metrics) = fitted.evaluate(&train.runs).map_err(ctx)?;
    let (mut spearman, mut kendall) = ([0.0; 3], [0.0; 3]);
    for ((test, rho), tau) in tests.iter().zip(&mut spearman).zip(&mut kendall) {
        let (_, m) = fitted.evaluate(&test.runs).map_err(ctx)?;
        let undefined = || Error::compute(format!("{NAME}: {law}: a rank metric is undefined"));
        *rho = 100.0 * m.spearman.ok_or_else(undefined)?;
        *tau = 100.0 * m.kendall.ok_or_else(undefined)?;
    }
    Ok(LawResult {
        law,
        spearman,
        kendall,
        train_mre: train_metrics.mre,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `mixlaw reproduce regmix`.
pub fn run(data: &Path, progress: bool) -> Result<Report, Error> {
    let started = Instant::now();
    let (train, tests) = load_all(data)?;
    let results = parallel(LAWS.len(), 0, |i| {
        let law = LAWS
            .get(i)
            .copied()
            .ok_or_else(|| Error::compute("no such law"))?;
        let r = rank_law(law, &train, &tests, false)?;
        if progress {
            std::eprintln!(
                "{NAME}: {law:<12} Spearman 1M {:.2}  60M {:.2}  1B {:.2}  ({:.1} s)",
                r.spearman[0],
                r.spearman[1],
                r.spearman[2],
                r.seconds
            );
        }
        Ok(r)
    })?;
    let mut report = Report::new(NAME);
    for r in &results {
        for (s, ((scale, _, _), test)) in TESTS.iter().zip(&tests).enumerate() {
            let published = if r.law == "linear" {
                PUBLISHED_LINEAR.get(s).copied().flatten()
            } else {
                None
            };
            let mut extra: Vec<(String, crate::Json)> = std::vec![
                num("kendall", r.kendall.get(s).copied().unwrap_or(f64::NAN)),
                count("test_runs", test.runs.rows() as u64),
                count("train_runs", train.runs.rows() as u64),
                num("train_mre", r.train_mre),
                num(
                    "regmix_lightgbm",
                    LIGHTGBM.get(s).copied().unwrap_or(f64::NAN)
                ),
                num(
                    "ols_reference",
                    OLS_REFERENCE.get(s).copied().unwrap_or(f64::NAN)
                ),
                num("fit_seconds", r.seconds),
            ];
            if published.is_some() {
                extra.push(note(
                    "published_source",
                    "third-party summary of the paper (about 88.0), not checked against its table",
                ));
            }
            report.row(
                &format!("{}_spearman_{scale}", r.law),
                r.spearman.get(s).copied().unwrap_or(f64::NAN),
                published,
                extra,
            );
        }
    }
    report.seconds(started);
    Ok(report)
}
