//! `mixlaw optimize`: the mixture h* minimising the weighted sum of saved fits at a budget
//! (N, D), with a duality-gap certificate (capacity laws: `commands::capacity`).

use std::format;
use std::path::Path;
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Law, MAX_DOMAINS};
use mixlaw_fit::owned::Fit;
use mixlaw_opt::{Bounds, LawAt, Side, Solver, Weighted};
use mixlaw_validate::json::{nums, obj, push, Json};

use crate::cli::{list, numbers, OptimizeArgs};
use crate::output::Output;
use crate::{params, Error};

/// Runs `mixlaw optimize`.
pub fn run(a: &OptimizeArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let paths = list("params", &a.params)?;
    if let [only] = paths.as_slice() {
        let saved = params::read_json(Path::new(only))?;
        if params::is_capacity(&saved) {
            return super::capacity::optimize(&saved, a, out);
        }
    }
    let fits = paths
        .iter()
        .map(|p| params::load(Path::new(p)))
        .collect::<Result<Vec<_>, _>>()?;
    let k = fits.first().map(|f| f.law.domains()).unwrap_or(0);
    if k == 0 || fits.iter().any(|f| !f.law.inputs().h) {
        return Err(Error::input(
            "optimize needs laws of the mixture (fitted with --weights)",
        ));
    }
    if fits.iter().any(|f| f.law.domains() != k) {
        return Err(Error::input(
            "all --params files must have the same number of domains",
        ));
    }
    let weights = a
        .target_weights
        .as_deref()
        .map(|w| numbers("target-weights", w))
        .transpose()?
        .unwrap_or_else(|| std::vec![1.0 / fits.len() as f64; fits.len()]);
    if weights.len() != fits.len() || weights.iter().any(|w| *w < 0.0) {
        return Err(Error::input(
            "--target-weights needs one non-negative weight per --params file",
        ));
    }
    let needs = |f: &Fit<AnyLaw>, n: bool| {
        if n {
            f.law.inputs().n
        } else {
            f.law.inputs().d
        }
    };
    let (n, d) = (a.n, a.d);
    for (given, used, flag, what) in [
        (n.is_some(), fits.iter().any(|f| needs(f, true)), "--n", "N"),
        (
            d.is_some(),
            fits.iter().any(|f| needs(f, false)),
            "--d",
            "D",
        ),
    ] {
        if given && !used {
            out.warn(format!(
                "{flag} is not used by these laws (none has {what})"
            ));
        }
    }
    if n.is_none() && fits.iter().any(|f| needs(f, true)) {
        return Err(Error::input("these laws depend on N: pass --n X"));
    }
    if d.is_none() && fits.iter().any(|f| needs(f, false)) {
        return Err(Error::input("these laws depend on D: pass --d X"));
    }
    let (n, d) = (n.unwrap_or(1.0), d.unwrap_or(1.0));
    if n <= 0.0 || d <= 0.0 {
        return Err(Error::input("--n and --d must be > 0"));
    }
    let lower = a.min_weight.unwrap_or(0.0);
    let upper = a
        .max_weights
        .as_deref()
        .map(|m| numbers("max-weights", m))
        .transpose()?;
    if let Some(u) = &upper {
        if u.len() != k {
            return Err(Error::input(format!("--max-weights needs {k} values")));
        }
    }
    let bounds = Bounds::new(
        Side::All(lower),
        upper.as_deref().map_or(Side::All(1.0), Side::Each),
    );
    let started = Instant::now();
    let targets = fits
        .iter()
        .map(|f| LawAt::new(&f.law, &f.params, n, d, f.scales))
        .collect::<Result<Vec<_>, _>>()?;
    let objective = Weighted::<_, MAX_DOMAINS>::new(targets.as_slice(), &weights)?;
    let mut h = std::vec![1.0 / k as f64; k];
    let solution = Solver::<MAX_DOMAINS>::default().minimize(&objective, &bounds, &mut h)?;
    if !solution.objective.is_finite() {
        return Err(Error::compute("the optimum's objective is not finite"));
    }
    let intervals = match a
        .bootstrap_params
        .as_deref()
        .map(|b| list("bootstrap-params", b))
        .transpose()?
    {
        Some(dirs) => Some(crate::bootstrap::optimum_intervals(
            &dirs,
            &fits,
            &weights,
            (n, d),
            &bounds,
        )?),
        None => None,
    };
    let seconds = started.elapsed().as_secs_f64();
    if out.json() {
        let mut j = obj([
            ("h", nums(&h)),
            ("objective", Json::from(solution.objective)),
            ("gap", Json::from(solution.gap)),
            ("iterations", Json::from(solution.iterations)),
            ("seconds", Json::from(seconds)),
        ]);
        if let Some(b) = &intervals {
            push(&mut j, "bootstrap", b.to_json());
        }
        out.object(j)
    } else {
        out.line(&format!(
            "h* = [{}]",
            h.iter()
                .map(|v| format!("{v:.6}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        out.line(&format!(
            "objective {:.6}  gap {:.2e}  ({} iterations, {:?})",
            solution.objective, solution.gap, solution.iterations, solution.status
        ))?;
        if let Some(b) = &intervals {
            for line in b.to_lines() {
                out.line(&line)?;
            }
        }
        Ok(())
    }
}
