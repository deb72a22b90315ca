//! From the column flags to a law and its runs: which columns hold what, the law checked
//! against them (and a `warning:` for every given flag the law does not use), the scales,
//! the objective and the search. Shared by `fit`, `predict` and `select`.

use std::format;

use mixlaw_core::{laws, AnyLaw, Law, Loss, Scales};
use mixlaw_fit::owned::Runs;
use mixlaw_fit::{BasinConfig, Search};
use mixlaw_validate::data::Columns;

use crate::cli::{list, ColumnArgs, SearchArgs};
use crate::output::Output;
use crate::Error;

/// The columns named by the flags.
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
    Ok(AnyLaw::new(
        name,
        if inputs.h { cols.weights.len() } else { 0 },
        target,
    )?)
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
}

/// Keeps only the inputs the law reads (a law of N and D ignores `--weights`).
pub fn for_law(runs: Runs, law: &AnyLaw) -> Runs {
    runs.only_inputs(law.inputs())
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

/// `base` with `--seed`, `--starts` and `--hops` applied (either of the last two asks for
/// basin-hopping, [`Search::Basin`]).
pub fn basin_from(a: &SearchArgs, seed: Option<u64>, mut basin: BasinConfig) -> BasinConfig {
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
