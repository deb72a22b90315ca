//! `mixlaw optimize`: the mixture h* minimising the weighted sum of saved fits at a budget
//! (N, D), with a duality-gap certificate, the domains by name, and how far h* leaves the
//! training support. A law with several outputs (the capacity laws) counts as that many
//! targets (by default all weighted equally, `sum_j L_j / k` for one capacity fit).

use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Law, MAX_DOMAINS};
use mixlaw_fit::owned::Fit;
use mixlaw_fit::saved::SavedFit;
use mixlaw_opt::support::{Extrapolation, TrainingSupport};
use mixlaw_opt::{
    availability_caps, solver, trust_caps, Bounds, FnObjective, KlRegularized, LawAt, Side,
    Solution, Weighted,
};
use mixlaw_validate::json::{nums, obj, push, Json};

use crate::bootstrap::OptimumIntervals;
use crate::cli::{list, numbers, OptimizeArgs};
use crate::output::Output;
use crate::{params, Error};

/// The optimum of the weighted sum of saved fits at one budget: what `optimize` prints and
/// `plot optimum` draws at each point of its sweep.
pub struct Optimum {
    /// The domains' names.
    pub names: Vec<String>,
    /// h*.
    pub h: Vec<f64>,
    /// The laws' weighted value at h*.
    pub value: f64,
    /// With `--kl`: value + lambda KL(h* || prior).
    pub penalized: Option<f64>,
    /// The solver's report (gap, iterations, status).
    pub solution: Solution,
    /// Seconds of the solve (and of the bootstrap optima).
    pub seconds: f64,
    /// How far h* leaves the training support (when every file holds one), as JSON.
    pub extrapolation: Option<Json>,
    /// What h* extrapolates, one message per warning (domains by name).
    pub warnings: Vec<String>,
    /// With `--bootstrap-params`: the optima of the refits.
    pub intervals: Option<OptimumIntervals>,
}

/// Runs `mixlaw optimize`.
pub fn run(a: &OptimizeArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let Optimum {
        names,
        h,
        value,
        penalized,
        solution,
        seconds,
        extrapolation,
        warnings,
        intervals,
    } = solve(a, out)?;
    for w in warnings {
        out.warn(w);
    }
    let mut by_weight: Vec<(&String, f64)> = names.iter().zip(h.iter().copied()).collect();
    by_weight.sort_by(|x, y| y.1.total_cmp(&x.1));
    if out.json() {
        let mut j = obj([
            ("h", nums(&h)),
            (
                "weights",
                obj(names
                    .iter()
                    .zip(&h)
                    .map(|(n, &v)| (n.clone(), Json::from(v)))),
            ),
            ("objective", Json::from(value)),
            ("gap", Json::from(solution.gap)),
            ("iterations", Json::from(solution.iterations)),
            ("seconds", Json::from(seconds)),
        ]);
        if let Some(p) = penalized {
            push(&mut j, "penalized_objective", Json::from(p));
        }
        if let Some(e) = extrapolation {
            push(&mut j, "extrapolation", e);
        }
        if let Some(b) = &intervals {
            push(&mut j, "h_bagged", nums(b.h_bagged()));
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
        let width = names.iter().map(String::len).max().unwrap_or(0);
        for (name, v) in &by_weight {
            out.line(&format!("  {name:<width$}  {v:.6}"))?;
        }
        out.line(&format!(
            "objective {:.6}  gap {:.2e}  ({} iterations, {:?})",
            value, solution.gap, solution.iterations, solution.status
        ))?;
        if let Some(p) = penalized {
            out.line(&format!("penalized objective {p:.6}"))?;
        }
        if let Some(b) = &intervals {
            out.line(&format!(
                "h_bagged = [{}]",
                b.h_bagged()
                    .iter()
                    .map(|v| format!("{v:.6}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))?;
            for line in b.to_lines() {
                out.line(&line)?;
            }
        }
        Ok(())
    }
}

/// h* of the (one-output) saved fits of `a.params` at the budget `a.n`, `a.d` under the
/// limits of `a`.
pub fn solve(a: &OptimizeArgs, out: &mut Output<'_, '_>) -> Result<Optimum, Error> {
    let paths = list("params", &a.params)?;
    let saved = paths
        .iter()
        .map(|p| params::load(Path::new(p)))
        .collect::<Result<Vec<_>, _>>()?;
    let fits: Vec<Fit<AnyLaw>> = saved.iter().map(SavedFit::to_fit).collect();
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
    let names = domain_names(&saved, &paths)?;
    let losses: usize = fits.iter().map(|f| f.law.outputs()).sum();
    let weights = a
        .target_weights
        .as_deref()
        .map(|w| numbers("target-weights", w))
        .transpose()?
        .unwrap_or_else(|| std::vec![1.0 / losses as f64; losses]);
    if weights.len() != losses || weights.iter().any(|w| *w < 0.0) {
        return Err(Error::input(format!(
            "--target-weights needs one non-negative weight per target loss ({losses}: one per \
             --params file, k for a law with k outputs)"
        )));
    }
    let (file_weights, output_weights) = split_weights(&fits, &weights);
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

    // The box: --min-weight, --min-weights, --max-weights.
    let min_all = a.min_weight.unwrap_or(0.0);
    let mut lower = std::vec![min_all; k];
    if let Some(m) = &a.min_weights {
        for (l, v) in lower
            .iter_mut()
            .zip(per_domain("min-weights", m, &names, k, 0.0)?)
        {
            *l = l.max(v);
        }
    }
    let upper = match &a.max_weights {
        Some(m) => per_domain("max-weights", m, &names, k, 1.0)?,
        None => std::vec![1.0; k],
    };
    let base = Bounds::new(Side::Each(&lower), Side::Each(&upper));

    // The training support (the intersection over the files), when every file holds one.
    let stored: Option<Vec<_>> = saved.iter().map(|s| s.train_support.as_ref()).collect();
    let flat: Vec<Vec<f64>> = stored
        .iter()
        .flatten()
        .map(|s| s.mixture_set.concat())
        .collect();
    let supports = match &stored {
        Some(st) => Some(
            st.iter()
                .zip(&flat)
                .map(|(s, m)| {
                    TrainingSupport::from_parts(
                        s.rows,
                        &s.min_weight,
                        &s.max_weight,
                        m,
                        s.mixtures <= SavedFit::MAX_MIXTURES,
                    )
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Error::input(format!("train_support of a --params file: {e}")))?,
        ),
        None => None,
    };

    // Caps: --trust, --available, a prior's zeros.
    let mut caps: Vec<Vec<f64>> = Vec::new();
    if let Some(x) = a.trust {
        let Some(supports) = &supports else {
            return Err(Error::input(
                "--trust needs params files with a train_support (written by fit --out)",
            ));
        };
        let (mut lo, mut hi) = (std::vec![0.0; k], std::vec![0.0; k]);
        TrainingSupport::intersect(supports, &mut lo, &mut hi)?;
        let mut cap = std::vec![0.0; k];
        trust_caps(&hi, x, &mut cap).map_err(|e| Error::input(format!("--trust {x}: {e}")))?;
        caps.push(cap);
    }
    match (&a.available, a.target_tokens) {
        (Some(av), Some(t)) => {
            let unique = per_domain("available", av, &names, k, f64::INFINITY)?;
            let r = a.max_repeat.unwrap_or(1.0);
            if t <= 0.0 || r <= 0.0 {
                return Err(Error::input("--target-tokens and --max-repeat must be > 0"));
            }
            if let Some(i) = unique.iter().position(|u| *u < 0.0) {
                return Err(Error::input(format!(
                    "--available: domain '{}' has a negative token count",
                    names.get(i).map_or("?", String::as_str)
                )));
            }
            let mut cap = std::vec![0.0; k];
            availability_caps(&unique, r, t, &mut cap)
                .map_err(|e| Error::input(format!("--available: {e}")))?;
            caps.push(cap);
        }
        (Some(_), None) => return Err(Error::input("--available needs --target-tokens T")),
        (None, _) => {
            for (given, flag) in [
                (a.target_tokens.is_some(), "--target-tokens"),
                (a.max_repeat.is_some(), "--max-repeat"),
            ] {
                if given {
                    out.warn(format!("{flag} is not used without --available"));
                }
            }
        }
    }
    let prior = match (&a.prior, a.kl) {
        (p, Some(lambda)) => {
            if lambda < 0.0 {
                return Err(Error::input(format!("--kl must be >= 0, not {lambda}")));
            }
            Some((
                prior_from(p.as_deref().unwrap_or("uniform"), &names, k)?,
                lambda,
            ))
        }
        (Some(_), None) => {
            out.warn("--prior is not used without --kl LAMBDA");
            None
        }
        (None, None) => None,
    };
    if let Some((p, lambda)) = &prior {
        // The prior's zeros pin their domains (the rule of `KlRegularized::caps`).
        let unit = FnObjective::new(k, |_: &[f64], _: &[f64], _: Option<&mut [f64]>| 0.0);
        let mut cap = std::vec![0.0; k];
        KlRegularized::new(&unit, p, *lambda)?.caps(&mut cap)?;
        caps.push(cap);
    }
    let cap_refs: Vec<&[f64]> = caps.iter().map(Vec::as_slice).collect();
    let mut capped = std::vec![0.0; k];
    let bounds = base
        .with_caps(k, &cap_refs, &mut capped)
        .map_err(|e| Error::input(format!("the weight limits leave no mixture: {e}")))?;

    let started = Instant::now();
    let mut h = std::vec![1.0 / k as f64; k];
    let kl = prior.as_ref().map(|(p, lambda)| (p.as_slice(), *lambda));
    let (solution, value, penalized) = minimize_fits(
        &fits,
        &output_weights,
        &file_weights,
        (n, d),
        &bounds,
        kl,
        &mut h,
    )?;
    if !value.is_finite() || !penalized.unwrap_or(0.0).is_finite() {
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
            prior.as_ref().map(|(p, lambda)| (p.as_slice(), *lambda)),
        )?),
        None => None,
    };
    let seconds = started.elapsed().as_secs_f64();

    // How far h* leaves the training support.
    let mut warnings = Vec::new();
    let extrapolation = match &supports {
        Some(supports) => {
            let mut extremes = std::vec![0.0; 2 * k];
            let work = supports
                .iter()
                .map(TrainingSupport::hull_workspace_len)
                .max()
                .unwrap_or(0);
            let mut work = std::vec![0.0; work];
            let e = Extrapolation::assess(&h, supports, &mut extremes, &mut work)?;
            warnings.extend(e.warnings().map(|w| name_domains(&w.to_string(), &names)));
            let above: Vec<Json> = e
                .above_max()
                .map(|i| Json::from(names.get(i).cloned().unwrap_or_default()))
                .collect();
            Some(obj([
                ("domains", Json::Array(above)),
                (
                    "max_ratio",
                    e.max_ratio()
                        .filter(|r| r.is_finite())
                        .map_or(Json::Null, Json::from),
                ),
                (
                    "outside_hull",
                    e.outside_hull.map_or(Json::Null, Json::from),
                ),
            ]))
        }
        None => None,
    };
    Ok(Optimum {
        names,
        h,
        value,
        penalized,
        solution,
        seconds,
        extrapolation,
        warnings,
        intervals,
    })
}

/// The target weights (one per target loss: per file, or per output of a law with several)
/// as a weight per file and the output weights of each file's law: a one-output file
/// weighs its law by its weight; a multi-output file weighs its outputs by theirs (the
/// file by 1, or by 0 when they are all 0).
pub fn split_weights(fits: &[Fit<AnyLaw>], weights: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut rest = weights;
    let mut per_file = Vec::with_capacity(fits.len());
    let mut per_output = Vec::with_capacity(fits.len());
    for f in fits {
        let m = f.law.outputs().max(1);
        let (mine, tail) = rest.split_at(m.min(rest.len()));
        rest = tail;
        if m == 1 {
            per_file.push(mine.first().copied().unwrap_or(0.0));
            per_output.push(Vec::new());
        } else if mine.iter().all(|w| *w == 0.0) {
            per_file.push(0.0);
            per_output.push(Vec::new());
        } else {
            per_file.push(1.0);
            per_output.push(mine.to_vec());
        }
    }
    (per_file, per_output)
}

/// The optimiser's capacity for a large k: `optimize` solves k <= [`MAX_DOMAINS`] with
/// stack-sized vectors and k up to this with the same solver at this capacity (its
/// vectors on the heap); beyond, it reports an error.
pub const LARGE_DOMAINS: usize = 4096;

/// Minimises the weighted sum of `fits` at the budget `(n, d)` over `bounds` (plus
/// `lambda KL(h || prior)` with `kl = Some((prior, lambda))`), from `h`, which is
/// overwritten with h*: the solver's report, the laws' value at h* and, with `kl`, the
/// penalised value. The capacity is picked from k (see [`LARGE_DOMAINS`]).
pub fn minimize_fits(
    fits: &[Fit<AnyLaw>],
    output_weights: &[Vec<f64>],
    file_weights: &[f64],
    budget: (f64, f64),
    bounds: &Bounds<'_>,
    kl: Option<(&[f64], f64)>,
    h: &mut [f64],
) -> Result<(Solution, f64, Option<f64>), Error> {
    let k = h.len();
    if k <= MAX_DOMAINS {
        solve_at::<MAX_DOMAINS>(fits, output_weights, file_weights, budget, bounds, kl, h)
    } else if k <= LARGE_DOMAINS {
        solve_at::<LARGE_DOMAINS>(fits, output_weights, file_weights, budget, bounds, kl, h)
    } else {
        Err(Error::input(format!(
            "{k} domains: optimize solves at most {LARGE_DOMAINS}"
        )))
    }
}

/// [`minimize_fits`] at capacity `K`.
fn solve_at<const K: usize>(
    fits: &[Fit<AnyLaw>],
    output_weights: &[Vec<f64>],
    file_weights: &[f64],
    budget: (f64, f64),
    bounds: &Bounds<'_>,
    kl: Option<(&[f64], f64)>,
    h: &mut [f64],
) -> Result<(Solution, f64, Option<f64>), Error> {
    let targets = targets_at::<K>(fits, output_weights, budget)?;
    let objective = Weighted::<_, K>::new(targets.as_slice(), file_weights)?;
    // The solver's vectors on the heap: at a large K a `Solver<K>` does not belong on a
    // thread's stack.
    let mut work = std::vec![0.0; solver::workspace_len(h.len())];
    let config = solver::Config::default();
    Ok(match kl {
        Some((prior, lambda)) => {
            let reg = KlRegularized::new(&objective, prior, lambda)?;
            let s = solver::minimize_in(config, &reg, bounds, h, &mut work)?;
            let mut ln_h = std::vec![0.0; h.len()];
            let (value, penalized) = reg.parts_with(h, &mut ln_h)?;
            (s, value, Some(penalized))
        }
        None => {
            let s = solver::minimize_in(config, &objective, bounds, h, &mut work)?;
            (s, s.objective, None)
        }
    })
}

/// Each fit at the budget `(n, d)`, with its output weights (from [`split_weights`]) when
/// it has several outputs, as targets of capacity `K`.
pub fn targets_at<'a, const K: usize>(
    fits: &'a [Fit<AnyLaw>],
    output_weights: &'a [Vec<f64>],
    (n, d): (f64, f64),
) -> Result<Vec<LawAt<'a, AnyLaw, K>>, Error> {
    fits.iter()
        .zip(output_weights)
        .map(|(f, w)| {
            let at = LawAt::<_, K>::with_capacity(&f.law, &f.params, n, d, f.scales)?;
            Ok(if w.is_empty() {
                at
            } else {
                at.with_output_weights(w)?
            })
        })
        .collect()
}

/// The domains' names: the saved names, which every file that holds names must hold in
/// the same order; `0`, `1`, ... when no file names its domains.
fn domain_names(saved: &[SavedFit], paths: &[String]) -> Result<Vec<String>, Error> {
    let mut named = saved
        .iter()
        .zip(paths)
        .filter_map(|(s, p)| s.domain_names.as_ref().map(|n| (n, p)));
    let Some((first, first_path)) = named.next() else {
        let k = saved.first().map_or(0, |s| s.law.domains());
        return Ok((0..k).map(|i| i.to_string()).collect());
    };
    if let Some((_, p)) = named.find(|(n, _)| n != &first) {
        return Err(Error::input(format!(
            "{p} names its domains differently from {first_path} (domains: {})",
            first.join(",")
        )));
    }
    Ok(first.clone())
}

/// `--flag`'s per-domain values: k numbers in domain order, or `name=x,...` (unlisted
/// domains get `default`; an unknown name is an error naming it).
fn per_domain(
    flag: &str,
    value: &str,
    names: &[String],
    k: usize,
    default: f64,
) -> Result<Vec<f64>, Error> {
    if !value.contains('=') {
        let v = numbers(flag, value)?;
        if v.len() != k {
            return Err(Error::input(format!(
                "--{flag} needs {k} values or name=x pairs, not {}",
                v.len()
            )));
        }
        return Ok(v);
    }
    let mut out = std::vec![default; k];
    for item in list(flag, value)? {
        let Some((name, x)) = item.split_once('=') else {
            return Err(Error::input(format!(
                "--{flag}: '{item}' is not name=value"
            )));
        };
        let i = names.iter().position(|n| n == name.trim()).ok_or_else(|| {
            Error::input(format!(
                "--{flag}: unknown domain '{}' (domains: {})",
                name.trim(),
                names.join(",")
            ))
        })?;
        let x = numbers(flag, x)?;
        if let (Some(slot), [v]) = (out.get_mut(i), x.as_slice()) {
            *slot = *v;
        }
    }
    Ok(out)
}

/// The prior of `--kl`: `uniform`, k values, or `name=p,...` with the unlisted domains
/// sharing the rest of 1 equally; non-negative, not all 0 (normalised by the solver).
fn prior_from(value: &str, names: &[String], k: usize) -> Result<Vec<f64>, Error> {
    let p = if value == "uniform" {
        std::vec![1.0; k]
    } else if value.contains('=') {
        let mut p = per_domain("prior", value, names, k, f64::NAN)?;
        let listed: f64 = p.iter().filter(|v| !v.is_nan()).sum();
        let unlisted = p.iter().filter(|v| v.is_nan()).count();
        if unlisted > 0 && listed > 1.0 + 1e-9 {
            return Err(Error::input(format!(
                "--prior: the listed domains sum to {listed}, leaving nothing for the others"
            )));
        }
        let rest = (1.0 - listed).max(0.0) / unlisted.max(1) as f64;
        p.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = rest);
        p
    } else {
        per_domain("prior", value, names, k, 0.0)?
    };
    if p.iter().any(|v| *v < 0.0 || v.is_nan()) || p.iter().sum::<f64>() <= 0.0 {
        return Err(Error::input(format!(
            "--prior: weights must be >= 0 and not all 0 ('{value}')"
        )));
    }
    Ok(p)
}

/// A library message with every "domain I" naming the domain instead.
fn name_domains(message: &str, names: &[String]) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("domain ") {
        let (head, tail) = rest.split_at(at + "domain ".len());
        out.push_str(head);
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (index, after) = tail.split_at(digits);
        match index.parse::<usize>().ok().and_then(|i| names.get(i)) {
            Some(name) => out.push_str(&format!("'{name}'")),
            None => out.push_str(index),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}
