//! `mixlaw fit|predict|optimize` for the capacity laws (`capacity-eq1`, `capacity-eq3`,
//! Dai & Zheng 2026): one law predicts the losses of all k domains, so it is fitted jointly
//! on k loss columns (`--loss l_0,..,l_{k-1}`, in the order of `--weights`).
//!
//! Entries are masked as the authors do: under eq 3 every entry with `h_i = 0` (its noise
//! term diverges), and with `--mask-below T` every entry with `h_i < T`; an empty or NaN loss
//! cell masks its entry only. N is the capacity budget's unit (`--n`, required), D the
//! noise term's (`--d`, eq 3). `--head X` fixes the head size H (the floor of every
//! domain's capacity, in units of N / n_scale); otherwise H is fitted.
//!
//! Like the authors' scripts, fits stay inside boxes (unless `--no-bounds`): exponents
//! `b_i, a_i` in [0.01, 1], `c_i` in (0, 1e3], `A_i` in (0, 1e4], and the irreducible loss
//! `E_i` in (0, min observed loss of domain i); H is unbounded. Without them the joint
//! least-squares problem has degenerate valleys (exponents to 0 or infinity, E far below
//! zero) that fit the runs and extrapolate absurdly.

use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::time::Instant;
use std::vec;
use std::vec::Vec;

use mixlaw_core::capacity::{CapacityLaw, Form, Head};
use mixlaw_core::{Law, LawExt};
use mixlaw_core::{Scales, SIMPLEX_TOLERANCE};
use mixlaw_fit::owned::{self, Fit, FitOptions, Runs};
use mixlaw_fit::{BasinConfig, HopInfo};
use mixlaw_opt::{Bounds, LawAt, Solution, Solver};
use mixlaw_validate::data;
use mixlaw_validate::json::{nums, obj, push, Json};

use crate::cli::{list, numbers, ColumnArgs, FitArgs, Global, OptimizeArgs, PredictArgs};
use crate::columns::{basin_from, fit_error, loss_from, scales_for};
use crate::output::Output;
use crate::Error;

/// Runs of a CSV for a capacity law: h, N, D per run and k losses (NaN where missing).
struct Loaded {
    h: Vec<f64>,
    n: Vec<f64>,
    d: Vec<f64>,
    y: Vec<f64>,
}

fn load(
    a: &ColumnArgs,
    path: &Path,
    k: usize,
    need_loss: bool,
    need_d: bool,
) -> Result<Loaded, Error> {
    let table = data::read(path)?;
    let weights = list(
        "weights",
        a.weights
            .as_deref()
            .ok_or_else(|| Error::input("--weights is required"))?,
    )?;
    if weights.len() != k {
        return Err(Error::input(format!("--weights must name {k} columns")));
    }
    let losses = if need_loss {
        let l = list(
            "loss",
            a.loss
                .as_deref()
                .ok_or_else(|| Error::input("--loss is required"))?,
        )?;
        if l.len() != k {
            return Err(Error::input(format!(
                "a capacity law predicts every domain: --loss must name {k} columns, one per --weights column"
            )));
        }
        l
    } else {
        Vec::new()
    };
    let n_col =
        a.n.as_deref()
            .ok_or_else(|| Error::input("capacity laws need --n (the capacity)"))?;
    let d_col = match (a.d.as_deref(), need_d) {
        (Some(c), _) => Some(c),
        (None, true) => return Err(Error::input("capacity-eq3 needs --d (training tokens)")),
        (None, false) => None,
    };
    let idx = |name: &str| table.column(name);
    let w_idx = weights
        .iter()
        .map(|c| idx(c))
        .collect::<Result<Vec<_>, _>>()?;
    let l_idx = losses
        .iter()
        .map(|c| idx(c))
        .collect::<Result<Vec<_>, _>>()?;
    let n_idx = idx(n_col)?;
    let d_idx = d_col.map(idx).transpose()?;
    let normalize = a.normalize;
    let mut out = Loaded {
        h: Vec::new(),
        n: Vec::new(),
        d: Vec::new(),
        y: Vec::new(),
    };
    for (r, row) in table.rows.iter().enumerate() {
        let cell = |c: usize, what: &str| -> Result<f64, Error> {
            let s = row.get(c).map(|s| s.trim()).unwrap_or("");
            s.parse::<f64>().map_err(|_| {
                Error::input(format!(
                    "row {}: column '{what}': cannot read '{s}' as a number",
                    r + 1
                ))
            })
        };
        let mut h = Vec::with_capacity(k);
        for (&c, name) in w_idx.iter().zip(&weights) {
            let v = cell(c, name)?;
            if !v.is_finite() || v < 0.0 {
                return Err(Error::input(format!(
                    "row {}: weight '{name}' must be finite and >= 0",
                    r + 1
                )));
            }
            h.push(v);
        }
        let sum: f64 = h.iter().sum();
        if normalize && sum > 0.0 {
            h.iter_mut().for_each(|v| *v /= sum);
        } else if (sum - 1.0).abs() > SIMPLEX_TOLERANCE {
            return Err(Error::input(format!(
                "row {}: weights sum to {sum}, not 1 (pass --normalize to rescale)",
                r + 1
            )));
        }
        out.h.extend(h);
        out.n.push(cell(n_idx, n_col)?);
        out.d.push(match (d_idx, d_col) {
            (Some(c), Some(name)) => cell(c, name)?,
            _ => 1.0,
        });
        for (&c, name) in l_idx.iter().zip(&losses) {
            let s = row.get(c).map(|s| s.trim()).unwrap_or("");
            let v = if s.is_empty() {
                f64::NAN
            } else {
                cell(c, name)?
            };
            if v.is_infinite() {
                return Err(Error::input(format!(
                    "row {}: loss '{name}' is infinite",
                    r + 1
                )));
            }
            out.y.push(v);
        }
    }
    if out.n.is_empty() {
        return Err(Error::input(format!("{}: no rows", path.display())));
    }
    Ok(out)
}

/// Entry weights: 1 where the loss is known and the entry is not masked.
fn entry_weights(law: &CapacityLaw, data: &Loaded, mask_below: f64) -> Vec<f64> {
    data.h
        .iter()
        .zip(&data.y)
        .map(|(&h, &y)| {
            let masked = (law.form() == Form::Eq3 && h <= 0.0) || h < mask_below || !y.is_finite();
            if masked {
                0.0
            } else {
                1.0
            }
        })
        .collect()
}

fn predictions(
    law: &CapacityLaw,
    params: &[f64],
    scales: Scales,
    data: &Loaded,
) -> Result<Vec<f64>, Error> {
    let k = law.domains();
    let runs = data.n.len();
    let fitted = Fit {
        law: *law,
        params: params.to_vec(),
        scales,
        loss: mixlaw_core::Loss::default(),
        objective: f64::NAN,
        outcome: None,
        active_bounds: Vec::new(),
    };
    // Observed losses are not read by predictions (and may be absent); mixtures are used as
    // given, like the authors' (rounded weights need not sum to 1).
    let runs = Runs {
        k,
        outputs: k,
        h: data.h.clone(),
        n: Some(data.n.clone()),
        d: Some(if data.d.len() == runs {
            data.d.clone()
        } else {
            vec![1.0; runs]
        }),
        y: vec![0.0; data.h.len()],
        sum_tolerance: f64::INFINITY,
        ..Runs::default()
    };
    Ok(fitted.predict(&runs)?)
}

/// `{"runs", "entries", "mre", "mae", "rmse", "predictions": [[k], ...]}` over unmasked
/// entries; masked predictions (+inf at h_i = 0 under eq 3) print as null.
fn metrics(pred: &[f64], data: &Loaded, w: &[f64], k: usize) -> Json {
    let (mut rel, mut abs, mut sq, mut count) = (0.0, 0.0, 0.0, 0usize);
    for ((&p, &o), &wi) in pred.iter().zip(&data.y).zip(w) {
        if wi > 0.0 {
            rel += (p - o).abs() / o.abs();
            abs += (p - o).abs();
            sq += (p - o) * (p - o);
            count += 1;
        }
    }
    let c = count.max(1) as f64;
    obj([
        ("runs", Json::from(data.n.len())),
        ("entries", Json::from(count)),
        ("mre", Json::from(100.0 * rel / c)),
        ("mae", Json::from(abs / c)),
        ("rmse", Json::from((sq / c).sqrt())),
        ("predictions", rows_json(pred, k)),
    ])
}

fn rows_json(pred: &[f64], k: usize) -> Json {
    Json::Array(
        pred.chunks_exact(k)
            .map(|r| {
                Json::Array(
                    r.iter()
                        .map(|&v| {
                            if v.is_finite() {
                                Json::from(v)
                            } else {
                                Json::Null
                            }
                        })
                        .collect(),
                )
            })
            .collect(),
    )
}

/// The default boxes (module docs), in the law's parameter order.
fn default_bounds(law: &CapacityLaw, data: &Loaded, w: &[f64]) -> Vec<(f64, f64)> {
    let k = law.domains();
    let min_loss = |j: usize| {
        data.y
            .iter()
            .zip(w)
            .skip(j)
            .step_by(k.max(1))
            .filter(|(y, &wi)| wi > 0.0 && y.is_finite())
            .map(|(y, _)| *y)
            .fold(f64::INFINITY, f64::min)
    };
    (0..law.num_params())
        .map(|i| {
            let info = law.param_info(i);
            let j = info.and_then(|p| p.name.index).unwrap_or(0);
            match info.map(|p| p.name.base) {
                Some("b") | Some("a") => (0.01, 1.0),
                Some("c") => (1e-12, 1e3),
                Some("A") => (1e-12, 1e4),
                Some("E") => {
                    let m = min_loss(j);
                    if m.is_finite() && m > 0.0 {
                        (1e-12, m)
                    } else {
                        (-1e3, f64::INFINITY)
                    }
                }
                _ => (0.0, f64::INFINITY),
            }
        })
        .collect()
}

/// `mixlaw fit --law capacity-eq1|capacity-eq3 ...`.
pub fn fit(a: &FitArgs, global: &Global, out: &mut Output<'_, '_>) -> Result<(), Error> {
    for (given, flag) in [
        (a.columns.unique.is_some(), "--unique"),
        (a.columns.target_domain.is_some(), "--target-domain"),
    ] {
        if given {
            out.warn(format!("{flag} is not used by law '{}'", a.law));
        }
    }
    if a.bootstrap.bootstrap.is_some() {
        return Err(Error::input(
            "--bootstrap is not supported for capacity laws yet",
        ));
    }
    let name = a.law.as_str();
    let k = match a.columns.weights.as_deref() {
        Some(w) => list("weights", w)?.len(),
        None => 0,
    };
    let head = match a.capacity.head {
        Some(h) => Head::Fixed(h),
        None => Head::Fitted,
    };
    let law = CapacityLaw::by_name(name, k, head)?;
    let eq3 = law.form() == Form::Eq3;
    let train = load(&a.columns, &a.train, k, true, eq3)?;
    let mask_below = a.capacity.mask_below.unwrap_or(0.0);
    let w = entry_weights(&law, &train, mask_below);
    // The generic fit: runs of k losses each, the masks as entry weights, the boxes as
    // parameter bounds.
    let runs = Runs {
        k,
        outputs: k,
        h: train.h.clone(),
        n: Some(train.n.clone()),
        d: (train.d.len() == train.n.len()).then(|| train.d.clone()),
        y: train.y.clone(),
        entry_weights: Some(w.clone()),
        sum_tolerance: f64::INFINITY,
        ..Runs::default()
    };
    let scales = scales_for(&a.search, &law, &runs)?;
    let bounds = default_bounds(&law, &train, &w);
    let basin = basin_from(
        &a.search,
        global.seed,
        BasinConfig {
            starts: 20,
            hops: 1,
            ..BasinConfig::default()
        },
    );
    let options = FitOptions {
        loss: loss_from(&a.search)?,
        scales: Some(scales),
        basin,
        bounds: (!a.capacity.no_bounds).then_some(bounds),
        ..FitOptions::default()
    };
    let started = Instant::now();
    let fitted = {
        let mut progress = out.fit_progress(&basin);
        let observer = |h: &HopInfo| progress.hop(h);
        owned::fit(law, &runs, &options, observer)
    }
    .map_err(fit_error)?;
    let outcome_value = fitted.objective;
    let seconds = started.elapsed().as_secs_f64();
    let params = fitted.params;
    let named: Vec<(String, Json)> = (0..params.len())
        .filter_map(|i| {
            Some((
                law.param_info(i)?.name.to_string(),
                Json::from(*params.get(i)?),
            ))
        })
        .collect();
    let head_json = match head {
        Head::Fixed(h) => Json::from(h),
        Head::Fitted => Json::Null,
    };
    let saved = obj([
        ("law", Json::from(law.name())),
        ("domains", Json::from(k)),
        ("params", obj(named.clone())),
        ("n_scale", Json::from(scales.n)),
        ("d_scale", Json::from(scales.d)),
        ("fixed_head", head_json),
    ]);
    if let Some(path) = &a.out {
        std::fs::write(path, saved.to_string() + "\n")
            .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))?;
    }
    let train_json = metrics(&predictions(&law, &params, scales, &train)?, &train, &w, k);
    let eval_json = match &a.eval {
        Some(path) => {
            let eval = load(&a.columns, path, k, true, eq3)?;
            let we = entry_weights(&law, &eval, mask_below);
            Some(metrics(
                &predictions(&law, &params, scales, &eval)?,
                &eval,
                &we,
                k,
            ))
        }
        None => None,
    };
    if out.json() {
        let mut j = obj([
            ("law", Json::from(law.name())),
            ("params", obj(named)),
            ("objective", Json::from(outcome_value)),
            ("n_scale", Json::from(scales.n)),
            ("d_scale", Json::from(scales.d)),
            ("seconds", Json::from(seconds)),
            ("train", train_json),
        ]);
        if let Some(e) = eval_json {
            push(&mut j, "eval", e);
        }
        push(&mut j, "domains", Json::from(k));
        out.object(j)
    } else {
        out.line(&format!(
            "law {}  ({} parameters, {} runs, {:.2} s)",
            law.name(),
            params.len(),
            train.n.len(),
            seconds
        ))?;
        for (n, v) in &named {
            out.line(&format!(
                "  {n:<10} {:>14.6e}",
                v.as_f64().unwrap_or(f64::NAN)
            ))?;
        }
        out.line(&format!(
            "objective {:.6e}  (scales N/{:e}, D/{:e})",
            outcome_value, scales.n, scales.d
        ))?;
        for (label, j) in [("train", Some(&train_json)), ("eval", eval_json.as_ref())] {
            if let Some(j) = j {
                let num = |key: &str| j.get(key).and_then(Json::as_f64).unwrap_or(f64::NAN);
                out.line(&format!(
                    "{label}: MRE {:.3} %  MAE {:.5}  over {} entries",
                    num("mre"),
                    num("mae"),
                    num("entries")
                ))?;
            }
        }
        Ok(())
    }
}

/// A saved capacity fit.
struct Saved {
    law: CapacityLaw,
    params: Vec<f64>,
    scales: Scales,
}

fn saved(j: &Json) -> Result<Saved, Error> {
    let bad = |what: &str| Error::input(format!("params file: {what}"));
    let name = j
        .get("law")
        .and_then(Json::as_str)
        .ok_or_else(|| bad("no law"))?;
    let k = j
        .get("domains")
        .and_then(Json::as_f64)
        .ok_or_else(|| bad("no domains"))? as usize;
    let head = match j.get("fixed_head").and_then(Json::as_f64) {
        Some(h) => Head::Fixed(h),
        None => Head::Fitted,
    };
    let law = CapacityLaw::by_name(name, k, head)?;
    let values = j.get("params").ok_or_else(|| bad("no params"))?;
    let params = (0..law.num_params())
        .map(|i| {
            let n = law
                .param_info(i)
                .map(|p| p.name.to_string())
                .unwrap_or_default();
            values
                .get(&n)
                .and_then(Json::as_f64)
                .ok_or_else(|| bad(&format!("no {n}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    law.check_params(&params)?;
    let scale = |key: &str| {
        j.get(key)
            .and_then(Json::as_f64)
            .ok_or_else(|| bad(&format!("no {key}")))
    };
    Ok(Saved {
        law,
        params,
        scales: Scales {
            n: scale("n_scale")?,
            d: scale("d_scale")?,
        },
    })
}

/// `mixlaw predict --params P.json --csv F --weights .. --n COL [--d COL]` for a capacity law.
pub fn predict(params: &Json, a: &PredictArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let s = saved(params)?;
    let k = s.law.domains();
    let data = load(&a.columns, &a.csv, k, false, s.law.form() == Form::Eq3)?;
    let pred = predictions(&s.law, &s.params, s.scales, &data)?;
    if out.json() {
        out.object(obj([("predictions", rows_json(&pred, k))]))
    } else {
        for row in pred.chunks_exact(k) {
            out.line(
                &row.iter()
                    .map(|v| format!("{v}"))
                    .collect::<Vec<_>>()
                    .join(","),
            )?;
        }
        Ok(())
    }
}

/// A saved capacity fit's predictions on the runs of `a.csv` against the observed losses
/// (the k `--loss` columns), one entry per run and domain that is scored (a known loss, not
/// masked: eq 3 at `h_i = 0`): `(law name, predicted, observed, N of the entry's run)`.
/// What `plot fit` draws.
pub fn scored_entries(params: &Json, a: &PredictArgs) -> Result<ScoredEntries, Error> {
    let s = saved(params)?;
    let k = s.law.domains();
    let data = load(&a.columns, &a.csv, k, true, s.law.form() == Form::Eq3)?;
    let pred = predictions(&s.law, &s.params, s.scales, &data)?;
    let w = entry_weights(&s.law, &data, 0.0);
    let (mut p, mut o, mut n) = (Vec::new(), Vec::new(), Vec::new());
    for (i, ((&pi, &oi), &wi)) in pred.iter().zip(&data.y).zip(&w).enumerate() {
        if wi > 0.0 {
            p.push(pi);
            o.push(oi);
            n.push(data.n.get(i / k.max(1)).copied().unwrap_or(f64::NAN));
        }
    }
    Ok((s.law.name(), p, o, n))
}

/// What [`scored_entries`] returns: `(law name, predicted, observed, N per entry)`.
pub type ScoredEntries = (&'static str, Vec<f64>, Vec<f64>, Vec<f64>);

/// The law of a saved capacity fit.
pub fn law_of(params: &Json) -> Result<CapacityLaw, Error> {
    Ok(saved(params)?.law)
}

/// h* of a saved capacity fit at the budget `a.n`, `a.d` minimising `sum_j w_j L_j`
/// (uniform w by default, as the authors), with the solver's report and the seconds it took:
/// what `optimize` prints and `plot optimum` draws.
pub fn solve(
    params: &Json,
    a: &OptimizeArgs,
    out: &mut Output<'_, '_>,
) -> Result<(Vec<f64>, Solution, f64), Error> {
    let unsupported = [
        (a.max_weights.is_some(), "--max-weights"),
        (a.min_weights.is_some(), "--min-weights"),
        (a.bootstrap_params.is_some(), "--bootstrap-params"),
        (a.trust.is_some(), "--trust"),
        (a.prior.is_some() || a.kl.is_some(), "--prior/--kl"),
        (
            a.available.is_some() || a.target_tokens.is_some() || a.max_repeat.is_some(),
            "--available/--target-tokens/--max-repeat",
        ),
    ];
    if let Some((_, flag)) = unsupported.iter().find(|(given, _)| *given) {
        return Err(Error::input(format!(
            "{flag} is not supported for capacity laws yet"
        )));
    }
    let s = saved(params)?;
    let k = s.law.domains();
    let w = a
        .target_weights
        .as_deref()
        .map(|w| numbers("target-weights", w))
        .transpose()?
        .unwrap_or_else(|| vec![1.0 / k as f64; k]);
    let n = a.n.ok_or_else(|| Error::input("--n is required"))?;
    if a.d.is_some() && s.law.form() == Form::Eq1 {
        out.warn("--d is not used by law 'capacity-eq1' (it has no D)");
    }
    let d = a.d.unwrap_or(1.0);
    let min_weight = a
        .min_weight
        .unwrap_or(if s.law.form() == Form::Eq3 { 1e-4 } else { 0.0 });
    let target = LawAt::new(&s.law, &s.params, n, d, s.scales)?.with_output_weights(&w)?;
    let started = Instant::now();
    let mut h = vec![1.0 / k as f64; k];
    let solution = Solver::<{ mixlaw_core::MAX_DOMAINS }>::default().minimize(
        &target,
        &Bounds::min_weight(min_weight),
        &mut h,
    )?;
    let seconds = started.elapsed().as_secs_f64();
    Ok((h, solution, seconds))
}

/// `mixlaw optimize --params P.json --n X --d X [--target-weights ..] [--min-weight X]` for
/// a capacity law.
pub fn optimize(params: &Json, a: &OptimizeArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let (h, solution, seconds) = solve(params, a, out)?;
    if out.json() {
        out.line(
            &obj([
                ("h", nums(&h)),
                ("objective", Json::from(solution.objective)),
                ("gap", Json::from(solution.gap)),
                ("iterations", Json::from(solution.iterations)),
                ("seconds", Json::from(seconds)),
            ])
            .to_string(),
        )
    } else {
        out.line(&format!(
            "h* = [{}]",
            h.iter()
                .map(|v| format!("{v:.4}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        out.line(&format!(
            "objective {:.6}  gap {:.1e}  ({} iterations)",
            solution.objective, solution.gap, solution.iterations
        ))
    }
}
