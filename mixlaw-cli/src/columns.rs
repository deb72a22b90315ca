//! From the column flags to a law and its runs: which columns hold what, the law checked
//! against them (and a `warning:` for every given flag the law does not use), the scales,
//! the objective and the search. Shared by `fit`, `predict` and `select`.

use std::format;

use mixlaw_core::{laws, AnyLaw, Law, LawExt, Loss, Scales, SIMPLEX_TOLERANCE};
use mixlaw_fit::owned::Runs;
use mixlaw_fit::{BasinConfig, LocalSolver, Search};
use mixlaw_validate::data::Columns;

use crate::cli::{list, ColumnArgs, LocalArg, SearchArgs};
use crate::output::Output;
use crate::Error;

/// The columns named by the flags (a `--weights` glob is resolved against the data by
/// [`Columns::resolve`]).
pub fn columns(a: &ColumnArgs) -> Result<Columns, Error> {
    Ok(Columns {
        weights: a
            .weights
            .as_deref()
            .map(|w| list("weights", w))
            .transpose()?
            .unwrap_or_default(),
        loss: a.loss.clone(),
        n: a.n.clone(),
        d: a.d.clone(),
        unique: a.unique.clone(),
        normalize: a.normalize,
        sum_tolerance: a.sum_tol.unwrap_or(SIMPLEX_TOLERANCE),
    })
}

/// The law named `name` for the given columns, with the inputs it needs checked.
pub fn build_law(name: &str, cols: &Columns, target: Option<usize>) -> Result<AnyLaw, Error> {
    if !laws::NAMES.contains(&name) {
        return Err(Error::input(format!(
            "unknown law '{name}' (see: mixlaw laws)"
        )));
    }
    if AnyLaw::needs_target(name) && target.is_none() {
        return Err(Error::input(format!(
            "law '{name}' needs --target-domain I"
        )));
    }
    let probe = AnyLaw::new(name, cols.weights.len().max(1), target)?;
    let inputs = probe.inputs();
    if inputs.h && cols.weights.is_empty() {
        return Err(Error::input(format!(
            "law '{name}' needs the mixture: --weights c1,c2,..."
        )));
    }
    for (need, have, flag) in [
        (inputs.n, &cols.n, "--n COL"),
        (inputs.d, &cols.d, "--d COL"),
        (inputs.u, &cols.unique, "--unique COL"),
    ] {
        if need && have.is_none() {
            return Err(Error::input(format!("law '{name}' needs {flag}")));
        }
    }
    let law = AnyLaw::new(name, if inputs.h { cols.weights.len() } else { 0 }, target)?;
    if let Some(loss) = &cols.loss {
        let (given, m) = (list("loss", loss)?.len(), law.outputs());
        if given != m {
            return Err(Error::input(format!(
                "law '{name}' predicts {m} loss(es) per run (one per --weights column when \
                 more than one): --loss must name {m} column(s), not {given}"
            )));
        }
    }
    Ok(law)
}

/// A `warning:` for each given flag that `law` does not use (the second edition of the
/// contract: accepted, never silently).
pub fn warn_unused(
    out: &mut Output<'_, '_>,
    law: &AnyLaw,
    a: &ColumnArgs,
    search: Option<&SearchArgs>,
) {
    let inputs = law.inputs();
    let name = law.name();
    let unused = [
        (
            a.weights.is_some() && !inputs.h,
            "--weights",
            "it has no mixture h",
        ),
        (a.n.is_some() && !inputs.n, "--n", "it has no N"),
        (a.d.is_some() && !inputs.d, "--d", "it has no D"),
        (a.unique.is_some() && !inputs.u, "--unique", "it has no U"),
        (
            a.sum_tol.is_some() && !inputs.h,
            "--sum-tol",
            "it has no mixture h",
        ),
        (
            a.normalize && !inputs.h,
            "--normalize",
            "it has no mixture h",
        ),
        (
            a.target_domain.is_some() && !AnyLaw::needs_target(name),
            "--target-domain",
            "it has no target domain",
        ),
        (
            search.is_some_and(|s| s.n_scale.is_some()) && !inputs.n,
            "--n-scale",
            "it has no N",
        ),
        (
            search.is_some_and(|s| s.d_scale.is_some()) && !inputs.d,
            "--d-scale",
            "it has no D",
        ),
    ];
    for (given, flag, why) in unused {
        if given {
            out.warn(format!("{flag} is not used by law '{name}' ({why})"));
        }
    }
    if inputs.h && a.normalize && a.sum_tol.is_some() {
        out.warn("--sum-tol is not used with --normalize (every row is rescaled to sum 1)");
    }
}

/// Keeps only the inputs the law reads (a law of N and D ignores `--weights`).
pub fn for_law(runs: Runs, law: &AnyLaw) -> Runs {
    runs.only_inputs(law.inputs())
}

/// Runs with observed losses weighted as the law says ([`Law::entry_weights`]: unobserved
/// entries, entries where the law is undefined and, with `mask_below`, entries of small
/// domains get weight 0); entry weights are kept only when some entry is masked.
pub fn with_entry_weights(mut runs: Runs, law: &AnyLaw, mask_below: f64) -> Result<Runs, Error> {
    let mut w = std::vec![0.0; runs.y.len()];
    law.entry_weights(&runs.h, &runs.y, mask_below, &mut w)?;
    if w.iter().all(|&x| x == 0.0) {
        return Err(Error::input(
            "no loss left to fit: every entry is unobserved or masked",
        ));
    }
    runs.entry_weights = w.iter().any(|&x| x != 1.0).then_some(w);
    Ok(runs)
}

/// Runs read without losses, shaped for predictions of `law` (one placeholder loss per
/// output).
pub fn unobserved(mut runs: Runs, law: &AnyLaw) -> Runs {
    let m = law.outputs().max(1);
    runs.y = std::vec![1.0; runs.rows() * m];
    runs.outputs = m;
    runs
}

/// The fit's parameter bounds: the law's recommended ones (unless `no_bounds`) for the
/// observed losses of `runs`, then each `--bound NAME=LO:HI` over them (through
/// [`LawExt::set_bound`]; an empty side is unbounded). `None` when nothing is bounded.
pub fn bounds_for(
    law: &AnyLaw,
    runs: &Runs,
    no_bounds: bool,
    given: &[String],
) -> Result<Option<std::vec::Vec<(f64, f64)>>, Error> {
    let recommended = match no_bounds {
        false => runs.recommended_bounds(law)?,
        true => None,
    };
    let mut any = recommended.is_some();
    let mut bounds = recommended
        .unwrap_or_else(|| std::vec![(f64::NEG_INFINITY, f64::INFINITY); law.num_params()]);
    for spec in given {
        let bad = |why: &str| Error::input(format!("--bound '{spec}': {why}"));
        let (name, range) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected NAME=LO:HI"))?;
        let (lo, hi) = range
            .split_once(':')
            .ok_or_else(|| bad("expected NAME=LO:HI"))?;
        let side = |v: &str, open: f64| -> Result<f64, Error> {
            match v.trim() {
                "" => Ok(open),
                t => t
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad(&format!("'{t}' is not a finite number"))),
            }
        };
        let (lo, hi) = (side(lo, f64::NEG_INFINITY)?, side(hi, f64::INFINITY)?);
        law.set_bound(name.trim(), lo, hi, &mut bounds)
            .map_err(|e| match e {
                mixlaw_core::Error::UnknownParameter => bad(&format!(
                    "law '{}' has no parameter '{}' (see: mixlaw laws)",
                    law.name(),
                    name.trim()
                )),
                mixlaw_core::Error::InvalidBound { .. } => {
                    bad(&format!("the interval [{lo}, {hi}] is empty"))
                }
                e => Error::from(e),
            })?;
        any = true;
    }
    Ok(any.then_some(bounds))
}

/// `--n-scale`/`--d-scale`, else the library's automatic scales (the power of ten nearest
/// each column's median; 1 for laws in raw units, such as `data-constrained`).
pub fn scales_for<L: Law + ?Sized>(a: &SearchArgs, law: &L, runs: &Runs) -> Result<Scales, Error> {
    let auto = runs.auto_scales(law)?;
    Ok(Scales {
        n: a.n_scale.unwrap_or(auto.n),
        d: a.d_scale.unwrap_or(auto.d),
    })
}

/// `base` with `--seed`, `--starts`, `--hops` and `--local` applied (`--starts` or
/// `--hops` asks for basin-hopping, [`Search::Basin`]).
pub fn basin_from(a: &SearchArgs, seed: Option<u64>, mut basin: BasinConfig) -> BasinConfig {
    basin.local = match a.local {
        LocalArg::Auto => LocalSolver::Auto,
        LocalArg::Lbfgs => LocalSolver::Lbfgs,
        LocalArg::Lm => LocalSolver::Lm,
    };
    if let Some(s) = seed {
        basin.seed = s;
    }
    if let Some(s) = a.starts {
        basin.starts = (s as usize).max(1);
        basin.search = Search::Basin;
    }
    if let Some(h) = a.hops {
        basin.hops = h as usize;
        basin.search = Search::Basin;
    }
    basin
}

/// The objective's loss of residuals from `--loss-fn` and `--delta`.
pub fn loss_from(a: &SearchArgs) -> Result<Loss, Error> {
    let delta = a.delta;
    let loss = match a.loss_fn.as_str() {
        "huber" => Loss::Huber { delta },
        "log-huber" => Loss::LogHuber { delta },
        "squared" => Loss::Squared,
        other => {
            return Err(Error::input(format!(
                "--loss-fn must be huber, log-huber or squared, not '{other}'"
            )))
        }
    };
    loss.check()?;
    Ok(loss)
}

/// A failed fit as the program's error: no finite objective anywhere is a failure to
/// compute (exit code 1), anything else as the library says.
pub fn fit_error(e: mixlaw_core::Error) -> Error {
    match e {
        mixlaw_core::Error::NonFiniteValue { .. } | mixlaw_core::Error::NoFiniteObjective => {
            Error::compute("the fit found no finite objective value")
        }
        e => Error::from(e),
    }
}

#[cfg(test)]
mod search_tests {
    use super::*;

    /// The default search stays automatic (the grid where it applies); `--starts` or
    /// `--hops` asks for basin-hopping with those settings.
    #[test]
    fn starts_or_hops_ask_for_basin_hopping() {
        let base = BasinConfig::default();
        let plain = basin_from(&SearchArgs::default(), Some(5), base);
        assert_eq!((plain.search, plain.seed), (Search::Auto, 5));
        for (starts, hops) in [(Some(3), None), (None, Some(0)), (Some(2), Some(4))] {
            let a = SearchArgs {
                starts,
                hops,
                ..SearchArgs::default()
            };
            let b = basin_from(&a, None, base);
            assert_eq!(b.search, Search::Basin);
            assert_eq!(b.starts, starts.map_or(base.starts, |s| s as usize));
            assert_eq!(b.hops, hops.map_or(base.hops, |h| h as usize));
        }
    }
}
