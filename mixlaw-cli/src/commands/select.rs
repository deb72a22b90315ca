//! `mixlaw select`: laws ranked by cross-validated held-out MRE.

use std::format;
use std::string::{String, ToString};
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{laws, AnyLaw, Law};
use mixlaw_fit::bootstrap;
use mixlaw_fit::owned::FitOptions;
use mixlaw_fit::select::{cross_validate, Score, Split};
use mixlaw_validate::data::{self, Columns};
use mixlaw_validate::fits::select_basin;
use mixlaw_validate::json::{nums, obj, push, Json};

use crate::cli::{list, Global, SelectArgs};
use crate::columns::{
    basin_from, build_law, columns, loss_from, scales_for, warn_unused, with_entry_weights,
};
use crate::output::Output;
use crate::Error;

/// Runs `mixlaw select`.
pub fn run(a: &SelectArgs, global: &Global, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let source = data::read_source(&a.train, a.columns.join.as_deref())?;
    let cols = columns(&a.columns)?.resolve(&source.table)?;
    let target = a.columns.target_domain;
    let names: Vec<String> = match a.laws.as_deref() {
        Some(laws) => list("laws", laws)?,
        None => default_laws(&cols, target),
    };
    if names.is_empty() {
        return Err(Error::input(
            "no law fits the columns given (pass --weights, --n, --d)",
        ));
    }
    let laws = names
        .iter()
        .map(|n| build_law(n, &cols, target))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(first) = laws.first() {
        if laws.len() == 1 {
            warn_unused(out, first, &a.columns, Some(&a.search));
        }
    }
    let by = a.by.as_str();
    if !["mre", "rmse", "spearman", "kendall"].contains(&by) {
        return Err(Error::input(format!(
            "--by must be mre, rmse, spearman or kendall, not '{by}'"
        )));
    }
    let folds = a.folds;
    let leave_out = a.leave_out.as_deref();
    let loaded = data::load(&source.table, &cols, true)?;
    // Every law is scored on the same entries: those that each law can fit (its
    // `entry_weights`; all of them for laws of one loss per run with every loss observed).
    let mut runs = loaded.runs;
    for law in &laws {
        let masked = with_entry_weights(runs.clone(), law, 0.0)?;
        runs.entry_weights = match (runs.entry_weights.take(), masked.entry_weights) {
            (Some(a), Some(b)) => Some(a.iter().zip(&b).map(|(x, y)| x * y).collect()),
            (a, b) => a.or(b),
        };
    }
    let seed = global.seed.unwrap_or(0);
    let (split, split_name) = match (folds, leave_out) {
        (Some(_), Some(_)) => {
            return Err(Error::input("--folds and --leave-out exclude each other"))
        }
        (Some(k), None) if k < 2 => return Err(Error::input("--folds needs K >= 2")),
        (Some(k), None) if k as usize > runs.rows() => {
            return Err(Error::input(format!(
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
                return Err(Error::input("--leave-out mixture needs --weights"));
            }
            (
                Split::LeaveGroupOut(bootstrap::group_ids(&runs, false)),
                "leave-one-mixture-out".to_string(),
            )
        }
        (None, Some("largest-n")) => {
            if runs.n.is_none() {
                return Err(Error::input("--leave-out largest-n needs --n COL"));
            }
            (Split::LeaveLargestN, "leave-largest-n-out".to_string())
        }
        (None, Some(other)) => {
            return Err(Error::input(format!(
                "--leave-out must be mixture or largest-n, not '{other}'"
            )))
        }
        (None, None) => (Split::KFold { folds: 5, seed }, "5-fold".to_string()),
    };
    // Check the split before any fit (e.g. one model size, or a single mixture).
    mixlaw_fit::select::folds(&runs, &split)?;
    // Each law's own automatic scales (the library's default), unless given.
    let given = a.search.n_scale.is_some() || a.search.d_scale.is_some();
    let scales = match laws.first() {
        Some(law) if given => Some(scales_for(&a.search, law, &runs)?),
        _ => None,
    };
    let basin = basin_from(&a.search, global.seed, select_basin());
    let options = FitOptions {
        loss: loss_from(&a.search)?,
        scales,
        basin,
        // Each law inside its recommended bounds (the capacity laws' boxes), found on each
        // fold's training runs: as `mixlaw fit` fits it.
        recommended_bounds: true,
        ..FitOptions::default()
    };
    out.note(&format!(
        "select: {} laws, {split_name}, {} starts x {} hops per fit",
        laws.len(),
        basin.starts,
        basin.hops
    ));
    let started = Instant::now();
    let threads = a.threads.count;
    let mut ranking = cross_validate(&laws, &runs, &split, &options, threads)?;
    rank_by(&mut ranking, by);
    let seconds = started.elapsed().as_secs_f64();
    if ranking.iter().all(|s| !s.cv_mre.is_finite()) {
        return Err(Error::compute("every law failed on every fold"));
    }
    if out.json() {
        let list = ranking
            .iter()
            .map(|s| {
                obj([
                    ("law", Json::from(s.law.name())),
                    ("cv_mre", Json::from(s.cv_mre)),
                    ("cv_mre_sd", Json::from(s.cv_mre_sd)),
                    ("cv_rmse", finite(s.cv_rmse)),
                    ("cv_spearman", finite(s.cv_spearman.unwrap_or(f64::NAN))),
                    ("cv_kendall", finite(s.cv_kendall.unwrap_or(f64::NAN))),
                    ("params", Json::from(s.law.num_params())),
                    ("folds", Json::from(s.folds)),
                    ("failed", Json::from(s.failed)),
                    ("fold_mre", nums(&s.fold_mre)),
                ])
            })
            .collect();
        let mut j = obj([
            ("ranking", Json::Array(list)),
            ("split", Json::from(split_name)),
            ("by", Json::from(by)),
            ("rows", Json::from(runs.rows())),
            ("skipped_rows", Json::from(loaded.skipped)),
            ("seconds", Json::from(seconds)),
        ]);
        if let Some(c) = &source.join {
            push(&mut j, "join", super::fit::join_json(c));
        }
        out.object(j)
    } else {
        if let Some(c) = &source.join {
            out.line(&super::fit::join_line("train", c))?;
        }
        out.line(&format!(
            "{split_name} over {} runs ({:.1} s); held-out MRE %, Spearman; best {by} first:",
            runs.rows(),
            seconds
        ))?;
        for (i, s) in ranking.iter().enumerate() {
            out.line(&format!(
                "{:>2}. {:<18} {:>8.3} +- {:<8.3} rho {:<8} ({} params{})",
                i + 1,
                s.law.name(),
                s.cv_mre,
                s.cv_mre_sd,
                s.cv_spearman
                    .map_or_else(|| "n/a".to_string(), |r| format!("{r:.4}")),
                s.law.num_params(),
                if s.failed > 0 {
                    format!(", {} folds failed", s.failed)
                } else {
                    String::new()
                }
            ))?;
        }
        Ok(())
    }
}

/// A number, or `null` when it is not finite (an undefined or failed score).
fn finite(x: f64) -> Json {
    if x.is_finite() {
        Json::from(x)
    } else {
        Json::Null
    }
}

/// Orders `ranking` best first by `by`: `mre` or `rmse` lowest first, `spearman` or
/// `kendall` highest first; undefined scores last (a stable sort: ties keep the MRE order).
fn rank_by(ranking: &mut [Score<AnyLaw>], by: &str) {
    let key = |s: &Score<AnyLaw>| -> f64 {
        let v = match by {
            "rmse" => s.cv_rmse,
            "spearman" => -s.cv_spearman.unwrap_or(f64::NAN),
            "kendall" => -s.cv_kendall.unwrap_or(f64::NAN),
            _ => s.cv_mre,
        };
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    ranking.sort_by(|a, b| key(a).total_cmp(&key(b)));
}

/// Every law of the catalogue whose inputs the columns provide (`bimix` and `dcpt` only
/// with a target domain) and that predicts the one loss column (not the capacity laws,
/// which predict every domain's loss).
pub fn default_laws(cols: &Columns, target: Option<usize>) -> Vec<String> {
    laws::NAMES
        .iter()
        .filter(|n| !AnyLaw::needs_target(n) || target.is_some())
        .filter(|n| build_law(n, cols, target).is_ok_and(|l| l.outputs() == 1))
        .map(|n| n.to_string())
        .collect()
}
