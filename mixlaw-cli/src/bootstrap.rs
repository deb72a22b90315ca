//! Uncertainty (`spec/cli.md`): `fit --bootstrap B` (refits on resampled runs: standard
//! errors and 95 % intervals of the parameters and eval predictions) and
//! `optimize --bootstrap-params DIR` (intervals of the optimal mixture over saved refits).

use std::format;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Law};
use mixlaw_fit::bootstrap::{self, BootstrapConfig, Resampling, Summary};
use mixlaw_fit::owned::{Fit, FitOptions, Runs};
use mixlaw_fit::saved::SavedFit;
use mixlaw_opt::Bounds;
use mixlaw_validate::json::{nums, obj, Json};

use crate::cli::BootstrapArgs;
use crate::commands::optimize::{minimize_fits, split_weights};
use crate::output::Output;
use crate::{params, Error};

/// `fit --bootstrap B [--resample rows|mixture|run] [--bootstrap-out DIR] [--threads K]`,
/// checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Bootstrap {
    resamples: usize,
    resample: String,
    out: Option<PathBuf>,
    threads: usize,
    seed: u64,
}

/// A finished bootstrap with what its report needs.
#[derive(Clone, Debug)]
pub struct BootstrapReport {
    boot: bootstrap::Bootstrap,
    resample: String,
    seconds: f64,
}

impl Bootstrap {
    /// The bootstrap flags, `None` without `--bootstrap`.
    pub fn from_args(a: &BootstrapArgs, seed: Option<u64>) -> Result<Option<Bootstrap>, Error> {
        let Some(b) = a.bootstrap else {
            for (given, flag) in [
                (a.resample.is_some(), "resample"),
                (a.bootstrap_out.is_some(), "bootstrap-out"),
            ] {
                if given {
                    return Err(Error::input(format!("--{flag} needs --bootstrap B")));
                }
            }
            return Ok(None);
        };
        if b == 0 {
            return Err(Error::input("--bootstrap needs at least 1 resample"));
        }
        let resample = a.resample.clone().unwrap_or_else(|| "rows".to_string());
        if !["rows", "mixture", "run"].contains(&resample.as_str()) {
            return Err(Error::input(format!(
                "--resample must be rows, mixture or run, not '{resample}'"
            )));
        }
        Ok(Some(Bootstrap {
            resamples: b as usize,
            resample,
            out: a.bootstrap_out.clone(),
            threads: a.threads.count,
            seed: seed.unwrap_or(0),
        }))
    }

    /// Bootstraps `fit` (of `runs` under `options`), with predictions on `eval`; writes the
    /// refits' parameters to `--bootstrap-out` when given, each with the domain names,
    /// columns and training support of `saved` (the full-data fit as `fit --out` saves it).
    pub fn run(
        &self,
        fit: &Fit<AnyLaw>,
        saved: &SavedFit,
        runs: &Runs,
        eval: Option<&Runs>,
        options: &FitOptions,
        out: &mut Output<'_, '_>,
    ) -> Result<BootstrapReport, Error> {
        let resampling = match self.resample.as_str() {
            "rows" => Resampling::Rows,
            group => {
                if runs.k == 0 {
                    return Err(Error::input(format!(
                        "--resample {group} needs the mixture (--weights) and a law of it"
                    )));
                }
                Resampling::Groups(bootstrap::group_ids(runs, group == "run"))
            }
        };
        let config = BootstrapConfig {
            resamples: self.resamples,
            seed: self.seed,
            resampling,
            hops: 0,
            threads: self.threads,
        };
        out.note(&format!(
            "bootstrap: {} refits ({}), warm-started from the fit",
            self.resamples, self.resample
        ));
        let started = Instant::now();
        let boot = bootstrap::bootstrap(fit, runs, eval, options, &config)?;
        let seconds = started.elapsed().as_secs_f64();
        if boot.draws.is_empty() {
            return Err(Error::compute(format!(
                "all {} bootstrap refits failed",
                boot.resamples
            )));
        }
        if let Some(dir) = &self.out {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::input(format!("cannot create {}: {e}", dir.display())))?;
            for d in &boot.draws {
                let refit = SavedFit {
                    params: d.params.clone(),
                    objective: d.objective.is_finite().then_some(d.objective),
                    ..saved.clone()
                };
                let path = dir.join(format!("resample_{:06}.json", d.index));
                std::fs::write(&path, params::to_json(&refit).to_string() + "\n")
                    .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))?;
            }
        }
        Ok(BootstrapReport {
            boot,
            resample: self.resample.clone(),
            seconds,
        })
    }
}

fn pair(s: &Summary) -> Json {
    nums(&[s.lo, s.hi])
}

impl BootstrapReport {
    /// The `"bootstrap"` object of the fit JSON.
    pub fn to_json(&self, fit: &Fit<AnyLaw>) -> Json {
        let names = fit.named_params();
        let summary = self.boot.param_summary();
        let by_name = |f: &dyn Fn(&Summary) -> Json| {
            Json::Object(
                names
                    .iter()
                    .zip(&summary)
                    .map(|((n, _), s)| (n.clone(), f(s)))
                    .collect(),
            )
        };
        obj([
            ("resamples", Json::from(self.boot.resamples)),
            ("failed", Json::from(self.boot.failed)),
            ("resampling", Json::from(self.resample.clone())),
            ("se", by_name(&|s| Json::from(s.se))),
            ("ci95", by_name(&pair)),
            (
                "eval_ci95",
                Json::Array(self.boot.eval_summary().iter().map(pair).collect()),
            ),
            ("seconds", Json::from(self.seconds)),
        ])
    }

    /// Human-readable lines.
    pub fn to_lines(&self, fit: &Fit<AnyLaw>) -> Vec<String> {
        let mut lines = std::vec![format!(
            "bootstrap: {} resamples ({}), {} failed, {:.2} s; SE and 95 % percentile interval:",
            self.boot.resamples, self.resample, self.boot.failed, self.seconds
        )];
        for ((n, v), s) in fit.named_params().iter().zip(self.boot.param_summary()) {
            lines.push(format!(
                "  {n:<14} {v:>14.6e}  SE {:>12.4e}  [{:.6e}, {:.6e}]",
                s.se, s.lo, s.hi
            ));
        }
        let eval = self.boot.eval_summary();
        if !eval.is_empty() {
            lines.push(format!(
                "eval predictions: {} runs, mean 95 % interval width {:.5}",
                eval.len(),
                eval.iter().map(|s| s.hi - s.lo).sum::<f64>() / eval.len() as f64
            ));
        }
        lines
    }
}

/// Intervals of the optimal mixture from bootstrap refits.
#[derive(Clone, Debug)]
pub struct OptimumIntervals {
    resamples: usize,
    failed: usize,
    h_bagged: Vec<f64>,
    h: Vec<Summary>,
    objective: Summary,
}

impl OptimumIntervals {
    /// The bagged optimum: the mean of the per-resample optima
    /// ([`mixlaw_opt::bagged_optimum`]).
    pub fn h_bagged(&self) -> &[f64] {
        &self.h_bagged
    }

    /// The `"bootstrap"` object of the optimize JSON.
    pub fn to_json(&self) -> Json {
        obj([
            ("resamples", Json::from(self.resamples)),
            ("failed", Json::from(self.failed)),
            (
                "h_se",
                nums(&self.h.iter().map(|s| s.se).collect::<Vec<_>>()),
            ),
            ("h_ci95", Json::Array(self.h.iter().map(pair).collect())),
            ("objective_se", Json::from(self.objective.se)),
            ("objective_ci95", pair(&self.objective)),
        ])
    }

    /// Human-readable lines.
    pub fn to_lines(&self) -> Vec<String> {
        let mut lines = std::vec![format!(
            "bootstrap: {} parameter sets ({} failed); 95 % percentile intervals:",
            self.resamples, self.failed
        )];
        for (i, s) in self.h.iter().enumerate() {
            lines.push(format!(
                "  h[{i}] [{:.4}, {:.4}]  SE {:.4}",
                s.lo, s.hi, s.se
            ));
        }
        lines.push(format!(
            "  objective [{:.6}, {:.6}]  SE {:.6}",
            self.objective.lo, self.objective.hi, self.objective.se
        ));
        lines
    }
}

/// The `*.json` files of `dir`, by file name.
fn param_files(dir: &str) -> Result<Vec<(String, PathBuf)>, Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::input(format!("cannot read --bootstrap-params {dir}: {e}")))?;
    let mut files: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), p)))
        .collect();
    files.sort();
    Ok(files)
}

/// `optimize --bootstrap-params DIR1[,DIR2,..]`: one directory of refitted parameter files
/// (`fit --bootstrap-out`) per `--params` file, paired by file name; h* and its objective
/// for every set, summarised per domain (`weights`: one per target loss, as `optimize`'s),
/// and their mean (`h_bagged`). Each set is solved as the point optimum is: in `bounds`,
/// and with `kl = Some((prior, lambda))` minimising objective + lambda KL(h || prior) (the
/// summarised objective stays the laws' value).
pub fn optimum_intervals(
    dirs: &[String],
    fits: &[Fit<AnyLaw>],
    weights: &[f64],
    (n, d): (f64, f64),
    bounds: &Bounds<'_>,
    kl: Option<(&[f64], f64)>,
) -> Result<OptimumIntervals, Error> {
    if dirs.len() != fits.len() {
        return Err(Error::input(format!(
            "--bootstrap-params needs one directory per --params file ({} given, {} needed)",
            dirs.len(),
            fits.len()
        )));
    }
    let listings = dirs
        .iter()
        .map(|d| param_files(d))
        .collect::<Result<Vec<_>, _>>()?;
    let first = listings.first().map(Vec::as_slice).unwrap_or(&[]);
    let names: Vec<&String> = first
        .iter()
        .map(|(n, _)| n)
        .filter(|n| listings.iter().all(|l| l.iter().any(|(m, _)| m == *n)))
        .collect();
    if names.is_empty() {
        return Err(Error::input(
            "--bootstrap-params: no parameter file (*.json) common to the directories",
        ));
    }
    let k = fits.first().map_or(0, |f| f.law.domains());
    let (mut hs, mut objectives, mut failed) = (Vec::new(), Vec::new(), 0usize);
    for name in &names {
        let mut set = Vec::with_capacity(fits.len());
        for (dir, fit) in dirs.iter().zip(fits) {
            let refit = params::load(&Path::new(dir).join(name.as_str()))?.to_fit();
            if refit.law.name() != fit.law.name() || refit.law.domains() != fit.law.domains() {
                return Err(Error::input(format!(
                    "{dir}/{name}: law {} with {} domains, but its --params file has {} with {}",
                    refit.law.name(),
                    refit.law.domains(),
                    fit.law.name(),
                    fit.law.domains()
                )));
            }
            set.push(refit);
        }
        let solved = (|| {
            let (file_weights, output_weights) = split_weights(&set, weights);
            let mut h = std::vec![1.0 / k as f64; k];
            let (_, value, _) = minimize_fits(
                &set,
                &output_weights,
                &file_weights,
                (n, d),
                bounds,
                kl,
                &mut h,
            )
            .ok()?;
            value.is_finite().then_some((h, value))
        })();
        match solved {
            Some((h, v)) => {
                hs.push(h);
                objectives.push(v);
            }
            None => failed += 1,
        }
    }
    let objective = bootstrap::summarize(&objectives)
        .ok_or_else(|| Error::compute("h* could not be solved for any bootstrap set"))?;
    let flat: Vec<f64> = hs.concat();
    let mut h_bagged = std::vec![0.0; k];
    let mut spread = std::vec![mixlaw_core::metrics::Summary::default(); k];
    let mut work = std::vec![0.0; hs.len()];
    mixlaw_opt::bagged_optimum(&flat, k, bounds, &mut h_bagged, &mut spread, &mut work)?;
    let h = (0..k)
        .filter_map(|i| {
            let column: Vec<f64> = hs.iter().filter_map(|h| h.get(i).copied()).collect();
            bootstrap::summarize(&column)
        })
        .collect();
    Ok(OptimumIntervals {
        resamples: names.len(),
        failed,
        h_bagged,
        h,
        objective,
    })
}
