//! Uncertainty and law choice (`spec/cli.md`): `fit --bootstrap B`, `select`, and
//! `optimize --bootstrap-params DIR`.

use std::format;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{laws, AnyLaw, Law, LawExt, MAX_DOMAINS};
use mixlaw_fit::bootstrap::{self, Bootstrap, BootstrapConfig, Resampling, Summary};
use mixlaw_fit::owned::{Fit, FitOptions, Runs};
use mixlaw_fit::select::{cross_validate, Split};
use mixlaw_fit::BasinConfig;
use mixlaw_opt::{Bounds, LawAt, Solver, Weighted};

use crate::args::Args;
use crate::commands::{
    basin_from, build_law, columns, load_params, loss_from, params_json, print, scales_for,
    target_domain, Io, COLUMN_FLAGS,
};
use crate::csv;
use crate::error::CliError;
use crate::json::Json;

/// The value flags `fit` accepts for the bootstrap.
pub const BOOTSTRAP_FLAGS: &[&str] = &["bootstrap", "resample", "bootstrap-out", "threads"];

/// `fit --bootstrap B [--resample rows|mixture|run] [--bootstrap-out DIR] [--threads K]`.
#[derive(Clone, Debug, PartialEq)]
pub struct BootstrapArgs {
    resamples: usize,
    resample: String,
    out: Option<PathBuf>,
    threads: usize,
    seed: u64,
}

/// A finished bootstrap with what its report needs.
#[derive(Clone, Debug)]
pub struct BootstrapReport {
    boot: Bootstrap,
    resample: String,
    seconds: f64,
}

impl BootstrapArgs {
    /// The bootstrap flags of `a`, `None` without `--bootstrap`.
    pub fn parse(a: &Args) -> Result<Option<BootstrapArgs>, CliError> {
        let Some(b) = a.integer("bootstrap")? else {
            for flag in ["resample", "bootstrap-out"] {
                if a.get(flag).is_some() {
                    return Err(CliError::input(format!("--{flag} needs --bootstrap B")));
                }
            }
            return Ok(None);
        };
        if b == 0 {
            return Err(CliError::input("--bootstrap needs at least 1 resample"));
        }
        let resample = a.get("resample").unwrap_or("rows").to_string();
        if !["rows", "mixture", "run"].contains(&resample.as_str()) {
            return Err(CliError::input(format!(
                "--resample must be rows, mixture or run, not '{resample}'"
            )));
        }
        Ok(Some(BootstrapArgs {
            resamples: b as usize,
            resample,
            out: a.get("bootstrap-out").map(PathBuf::from),
            threads: a.integer("threads")?.unwrap_or(0) as usize,
            seed: a.integer("seed")?.unwrap_or(0),
        }))
    }

    /// Bootstraps `fit` (of `runs` under `options`), with predictions on `eval`; writes the
    /// refits' parameters to `--bootstrap-out` when given.
    pub fn run(
        &self,
        fit: &Fit<AnyLaw>,
        runs: &Runs,
        eval: Option<&Runs>,
        options: &FitOptions,
        quiet: bool,
        err: &mut dyn Write,
    ) -> Result<BootstrapReport, CliError> {
        let resampling = match self.resample.as_str() {
            "rows" => Resampling::Rows,
            group => {
                if runs.k == 0 {
                    return Err(CliError::input(format!(
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
        if !quiet {
            let _ = writeln!(
                err,
                "bootstrap: {} refits ({}), warm-started from the fit",
                self.resamples, self.resample
            );
        }
        let started = Instant::now();
        let boot = bootstrap::bootstrap(fit, runs, eval, options, &config)?;
        let seconds = started.elapsed().as_secs_f64();
        if boot.draws.is_empty() {
            return Err(CliError::compute(format!(
                "all {} bootstrap refits failed",
                boot.resamples
            )));
        }
        if let Some(dir) = &self.out {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
            for d in &boot.draws {
                let refit = Fit {
                    params: d.params.clone(),
                    objective: d.objective,
                    outcome: None,
                    ..fit.clone()
                };
                let path = dir.join(format!("resample_{:06}.json", d.index));
                std::fs::write(&path, params_json(&refit).to_text() + "\n").map_err(|e| {
                    CliError::input(format!("cannot write {}: {e}", path.display()))
                })?;
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
    Json::nums(&[s.lo, s.hi])
}

impl BootstrapReport {
    /// The `"bootstrap"` object of the fit JSON.
    pub fn to_json(&self, fit: &Fit<AnyLaw>) -> Json {
        let names = fit.named_params();
        let summary = self.boot.param_summary();
        let by_name = |f: &dyn Fn(&Summary) -> Json| {
            Json::Obj(
                names
                    .iter()
                    .zip(&summary)
                    .map(|((n, _), s)| (n.clone(), f(s)))
                    .collect(),
            )
        };
        Json::obj([
            ("resamples", Json::Num(self.boot.resamples as f64)),
            ("failed", Json::Num(self.boot.failed as f64)),
            ("resampling", Json::str(self.resample.clone())),
            ("se", by_name(&|s| Json::Num(s.se))),
            ("ci95", by_name(&pair)),
            (
                "eval_ci95",
                Json::Arr(self.boot.eval_summary().iter().map(pair).collect()),
            ),
            ("seconds", Json::Num(self.seconds)),
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

/// `mixlaw select`: cross-validated ranking of laws by held-out MRE.
pub fn select_cmd(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    let a = Args::parse(
        args,
        &[
            &[
                "train",
                "laws",
                "folds",
                "leave-out",
                "seed",
                "starts",
                "hops",
                "threads",
                "n-scale",
                "d-scale",
                "loss-fn",
                "delta",
            ],
            COLUMN_FLAGS,
        ]
        .concat(),
        &["json", "quiet", "normalize"],
    )?;
    let cols = columns(&a)?;
    let target = target_domain(&a)?;
    let names: Vec<String> = match a.list("laws")? {
        Some(list) => list,
        None => default_laws(&cols, target),
    };
    if names.is_empty() {
        return Err(CliError::input(
            "no law fits the columns given (pass --weights, --n, --d)",
        ));
    }
    let laws = names
        .iter()
        .map(|n| build_law(n, &cols, target))
        .collect::<Result<Vec<_>, _>>()?;
    let folds = a.integer("folds")?;
    let leave_out = a.get("leave-out");
    let table = csv::read(Path::new(a.require("train")?))?;
    let loaded = csv::load(&table, &cols, true)?;
    let runs = loaded.runs;
    let seed = a.integer("seed")?.unwrap_or(0);
    let (split, split_name) = match (folds, leave_out) {
        (Some(_), Some(_)) => {
            return Err(CliError::input(
                "--folds and --leave-out exclude each other",
            ))
        }
        (Some(k), None) if k < 2 => return Err(CliError::input("--folds needs K >= 2")),
        (Some(k), None) if k as usize > runs.rows() => {
            return Err(CliError::input(format!(
                "--folds {k} exceeds the {} runs",
                runs.rows()
            )))
        }
        (Some(k), None) => (
            Split::KFold {
                folds: k as usize,
                seed,
            },
            format!("{k}-fold"),
        ),
        (None, Some("mixture")) => {
            if runs.k == 0 {
                return Err(CliError::input("--leave-out mixture needs --weights"));
            }
            (
                Split::LeaveGroupOut(bootstrap::group_ids(&runs, false)),
                "leave-one-mixture-out".to_string(),
            )
        }
        (None, Some("largest-n")) => {
            if runs.n.is_none() {
                return Err(CliError::input("--leave-out largest-n needs --n COL"));
            }
            (Split::LeaveLargestN, "leave-largest-n-out".to_string())
        }
        (None, Some(other)) => {
            return Err(CliError::input(format!(
                "--leave-out must be mixture or largest-n, not '{other}'"
            )))
        }
        (None, None) => (Split::KFold { folds: 5, seed }, "5-fold".to_string()),
    };
    // Check the split before any fit (e.g. one model size, or a single mixture).
    mixlaw_fit::select::folds(&runs, &split)?;
    let uses_dc = names.iter().any(|n| n == "data-constrained");
    let scales = scales_for(&a, if uses_dc { "data-constrained" } else { "" }, &runs)?;
    let basin = basin_from(&a, select_basin())?;
    let options = FitOptions {
        loss: loss_from(&a)?,
        scales,
        basin,
        ..FitOptions::default()
    };
    if !a.has("quiet") && !a.has("json") {
        let _ = writeln!(
            io.err,
            "select: {} laws, {split_name}, {} starts x {} hops per fit",
            laws.len(),
            basin.starts,
            basin.hops
        );
    }
    let started = Instant::now();
    let threads = a.integer("threads")?.unwrap_or(0) as usize;
    let ranking = cross_validate(&laws, &runs, &split, &options, threads)?;
    let seconds = started.elapsed().as_secs_f64();
    if ranking.iter().all(|s| !s.cv_mre.is_finite()) {
        return Err(CliError::compute("every law failed on every fold"));
    }
    if a.has("json") {
        let list = ranking
            .iter()
            .map(|s| {
                Json::obj([
                    ("law", Json::str(s.law.name())),
                    ("cv_mre", Json::Num(s.cv_mre)),
                    ("cv_mre_sd", Json::Num(s.cv_mre_sd)),
                    ("params", Json::Num(s.law.num_params() as f64)),
                    ("folds", Json::Num(s.folds as f64)),
                    ("failed", Json::Num(s.failed as f64)),
                    ("fold_mre", Json::nums(&s.fold_mre)),
                ])
            })
            .collect();
        print(
            io,
            &Json::obj([
                ("ranking", Json::Arr(list)),
                ("split", Json::str(split_name)),
                ("rows", Json::Num(runs.rows() as f64)),
                ("skipped_rows", Json::Num(loaded.skipped as f64)),
                ("seconds", Json::Num(seconds)),
            ])
            .to_text(),
        )
    } else {
        print(
            io,
            &format!(
                "{split_name} over {} runs ({:.1} s); held-out MRE %, best first:",
                runs.rows(),
                seconds
            ),
        )?;
        for (i, s) in ranking.iter().enumerate() {
            print(
                io,
                &format!(
                    "{:>2}. {:<18} {:>8.3} +- {:<8.3} ({} params{})",
                    i + 1,
                    s.law.name(),
                    s.cv_mre,
                    s.cv_mre_sd,
                    s.law.num_params(),
                    if s.failed > 0 {
                        format!(", {} folds failed", s.failed)
                    } else {
                        String::new()
                    }
                ),
            )?;
        }
        Ok(())
    }
}

/// `select`'s default search, modest because the ranking needs laws x folds fits: 8
/// starts x 2 hops, each local minimisation capped at 5000 evaluations (the non-separable
/// `full` law otherwise runs to the default cap of 40,000, ~17 s per minimisation on
/// 2,400 runs).
pub fn select_basin() -> BasinConfig {
    let mut basin = BasinConfig {
        starts: 8,
        hops: 2,
        ..BasinConfig::default()
    };
    basin.lbfgs.max_evaluations = 5000;
    basin
}

/// Every law of the catalogue whose inputs the columns provide (`bimix` and `dcpt` only with a
/// target domain).
pub fn default_laws(cols: &crate::csv::Columns, target: Option<usize>) -> Vec<String> {
    laws::NAMES
        .iter()
        .filter(|n| !AnyLaw::needs_target(n) || target.is_some())
        .filter(|n| build_law(n, cols, target).is_ok())
        .map(|n| n.to_string())
        .collect()
}

/// Intervals of the optimal mixture from bootstrap refits.
#[derive(Clone, Debug)]
pub struct OptimumIntervals {
    resamples: usize,
    failed: usize,
    h: Vec<Summary>,
    objective: Summary,
}

impl OptimumIntervals {
    /// The `"bootstrap"` object of the optimize JSON.
    pub fn to_json(&self) -> Json {
        Json::obj([
            ("resamples", Json::Num(self.resamples as f64)),
            ("failed", Json::Num(self.failed as f64)),
            (
                "h_se",
                Json::nums(&self.h.iter().map(|s| s.se).collect::<Vec<_>>()),
            ),
            ("h_ci95", Json::Arr(self.h.iter().map(pair).collect())),
            ("objective_se", Json::Num(self.objective.se)),
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
fn param_files(dir: &str) -> Result<Vec<(String, PathBuf)>, CliError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::input(format!("cannot read --bootstrap-params {dir}: {e}")))?;
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
/// for every set, summarised per domain.
pub fn optimum_intervals(
    dirs: &[String],
    fits: &[Fit<AnyLaw>],
    weights: &[f64],
    (n, d): (f64, f64),
    bounds: &Bounds<'_>,
) -> Result<OptimumIntervals, CliError> {
    if dirs.len() != fits.len() {
        return Err(CliError::input(format!(
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
        return Err(CliError::input(
            "--bootstrap-params: no parameter file (*.json) common to the directories",
        ));
    }
    let k = fits.first().map_or(0, |f| f.law.domains());
    let (mut hs, mut objectives, mut failed) = (Vec::new(), Vec::new(), 0usize);
    for name in &names {
        let mut set = Vec::with_capacity(fits.len());
        for (dir, fit) in dirs.iter().zip(fits) {
            let refit = load_params(&Path::new(dir).join(name.as_str()))?;
            if refit.law.name() != fit.law.name() || refit.law.domains() != fit.law.domains() {
                return Err(CliError::input(format!(
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
            let targets = set
                .iter()
                .map(|f| LawAt::new(&f.law, &f.params, n, d, f.scales))
                .collect::<Result<Vec<_>, _>>()
                .ok()?;
            let objective = Weighted::<_, MAX_DOMAINS>::new(targets.as_slice(), weights).ok()?;
            let mut h = std::vec![1.0 / k as f64; k];
            let s = Solver::<MAX_DOMAINS>::default()
                .minimize(&objective, bounds, &mut h)
                .ok()?;
            s.objective.is_finite().then_some((h, s.objective))
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
        .ok_or_else(|| CliError::compute("h* could not be solved for any bootstrap set"))?;
    let h = (0..k)
        .filter_map(|i| {
            let column: Vec<f64> = hs.iter().filter_map(|h| h.get(i).copied()).collect();
            bootstrap::summarize(&column)
        })
        .collect();
    Ok(OptimumIntervals {
        resamples: names.len(),
        failed,
        h,
        objective,
    })
}
