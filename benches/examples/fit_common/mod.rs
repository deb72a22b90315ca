//! Shared by the `fit_timing` and `figure2` examples: the Shukor et al. additive-law fit
//! (k = 7) for one target domain under the protocol of `shared/data/shukor2025/README.md`
//! (rows with `model_size < 2.7e9` and a finite target, N / 1e9, D / 1e9, mean
//! Huber(1e-3) of raw residuals), the random-search start points of `mixlaw_fit`, and a
//! tiny JSON writer.
#![allow(dead_code)]

use std::fmt::Write as _;

use mixlaw_benches::{
    load_shukor, shukor_path, Columns, BENCH_LOSS_FN, BENCH_MAX_MODEL_SIZE, BENCH_SCALES,
    SHUKOR_DOMAINS, SHUKOR_K,
};
use mixlaw_core::laws::additive::Additive;
use mixlaw_core::{Dataset, Groups, Law, Objective, Prepared};
use mixlaw_fit::{BasinConfig, Interpolation, LawProblem, Lbfgs, LbfgsConfig, Problem, Rng};

/// The training rows for target `domain` (e.g. `arxiv`), or `None` (with a skip notice)
/// when the data are missing.
/// The program's runs of one domain: the mixtures, N, D (raw) and the loss column.
pub fn shukor_runs(cols: &Columns) -> mixlaw_fit::owned::Runs {
    mixlaw_fit::owned::Runs {
        k: SHUKOR_K,
        h: cols.weights.clone(),
        n: Some(cols.model_size.clone()),
        d: Some(cols.n_tokens.clone()),
        y: cols.loss.clone(),
        ..mixlaw_fit::owned::Runs::default()
    }
}

pub fn load_domain(domain: &str) -> Option<Columns> {
    if !SHUKOR_DOMAINS.contains(&domain) {
        eprintln!("unknown domain `{domain}` (one of {SHUKOR_DOMAINS:?})");
        std::process::exit(2);
    }
    let path = shukor_path();
    match load_shukor(&path, &format!("{domain}_loss")) {
        Ok(all) => Some(all.select(BENCH_MAX_MODEL_SIZE, usize::MAX)),
        Err(e) => {
            eprintln!(
                "mixlaw-benches: SKIPPED, no benchmark run: Shukor data unavailable ({e}). \
                 Set MIXLAW_DATA to the directory holding shukor2025/."
            );
            None
        }
    }
}

/// Runs `f` with the grouped additive objective (k = 7) over `cols`.
pub fn with_objective<R>(
    cols: &Columns,
    f: impl FnOnce(&Objective<'_, '_, Additive>) -> R,
) -> Result<R, mixlaw_core::Error> {
    with_law_objective(&Additive::new(SHUKOR_K)?, cols, f)
}

/// Runs `f` with the grouped objective of `law` (k = 7) over `cols`.
pub fn with_law_objective<L: Law, R>(
    law: &L,
    cols: &Columns,
    f: impl FnOnce(&Objective<'_, '_, L>) -> R,
) -> Result<R, mixlaw_core::Error> {
    let data = Dataset::new(SHUKOR_K, &cols.weights, &cols.loss)?
        .with_n(&cols.model_size)?
        .with_d(&cols.n_tokens)?;
    let mut buf = vec![0.0; Prepared::buffer_len(data.rows(), SHUKOR_K)];
    let prepared = Prepared::new(data, BENCH_SCALES, &mut buf)?;
    let mut group_buf = vec![0usize; Groups::buffer_len(prepared.rows())];
    let groups = Groups::new(&prepared, &mut group_buf)?;
    let objective = Objective::new(law, &prepared, BENCH_LOSS_FN)?.with_groups(&groups)?;
    Ok(f(&objective))
}

/// The law's start range of every unconstrained parameter.
pub fn start_ranges<L: Law + ?Sized>(law: &L) -> Vec<(f64, f64)> {
    (0..law.num_params())
        .map(|i| law.param_info(i).map_or((-1.0, 1.0), |p| p.start))
        .collect()
}

/// The seed points `BasinHopping::minimize` would minimise first in each of its first
/// `starts` starts (not warm-started), for generator seed `seed`: per start, a forked
/// generator draws `candidates` points uniformly in the law's start ranges and the best
/// one is kept. Reproduces the code of `mixlaw_fit::basin` draw for draw, so L-BFGS from
/// these points is exactly `fit_law` with `hops = 0` (checked by `fit_timing`).
pub fn start_points<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    seed: u64,
    starts: usize,
    candidates: usize,
) -> Vec<Vec<f64>> {
    let ranges = start_ranges(objective.law());
    let p = objective.dim();
    let mut scratch = vec![0.0; objective.scratch_len()];
    let mut problem = LawProblem::new(objective, &mut scratch).expect("scratch length");
    let mut grad = vec![0.0; p];
    let mut root = Rng::new(seed);
    let mut out = Vec::with_capacity(starts);
    for _ in 0..starts {
        let mut rng = root.fork();
        let mut best = (f64::INFINITY, vec![0.0; p]);
        let mut point = vec![0.0; p];
        for c in 0..candidates.max(1) {
            for (v, &(lo, hi)) in point.iter_mut().zip(&ranges) {
                *v = rng.uniform(lo, hi);
            }
            let v = problem.cost_grad(&point, &mut grad);
            let v = if v.is_finite() { v } else { f64::INFINITY };
            if c == 0 || v < best.0 {
                best = (v, point.clone());
            }
        }
        out.push(best.1);
    }
    out
}

/// Synthetic targets on the domain's grid of runs: the additive law at the L-BFGS minimum
/// (30 correction pairs and the safeguarded line search, whatever `--memory` and
/// `--interpolation`, so that the data do not depend on the setting
/// timed) from the first random-search start (seed 0) on the real losses, times
/// `1 + noise u` with `u` uniform in [-1, 1] (generator seed 1), so that the true
/// parameters are known and the residuals at the optimum are of relative size `noise`.
pub fn synthetic_losses(cols: &Columns, noise: f64, config: &BasinConfig) -> Vec<f64> {
    with_objective(cols, |objective| {
        let start = start_points(objective, 0, 1, config.candidates).remove(0);
        let mut x = start;
        let mut scratch = vec![0.0; objective.scratch_len()];
        let mut problem = LawProblem::new(objective, &mut scratch).unwrap();
        let lbfgs = Lbfgs::new(LbfgsConfig {
            memory: 30,
            interpolation: Interpolation::Safeguarded,
            ..config.lbfgs
        });
        let mut work = vec![0.0; lbfgs.workspace_len(x.len())];
        lbfgs.minimize(&mut problem, &mut x, &mut work).unwrap();
        let mut params = vec![0.0; x.len()];
        objective.to_natural(&x, &mut params).unwrap();
        let mut pred = vec![0.0; objective.data().rows()];
        mixlaw_core::eval::predict(objective.law(), &params, objective.data(), &mut pred).unwrap();
        let mut rng = mixlaw_fit::Rng::new(1);
        pred.iter()
            .map(|p| p * (1.0 + noise * rng.uniform(-1.0, 1.0)))
            .collect()
    })
    .unwrap()
}

/// A JSON number (`null` when not finite), shortest round-trip form.
pub fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        "null".into()
    }
}

/// A JSON array of numbers.
pub fn nums(xs: &[f64]) -> String {
    let mut s = String::from("[");
    for (i, &x) in xs.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{}", num(x));
    }
    s.push(']');
    s
}

/// The comma-separated target domains of `--domains` (default `arxiv`).
pub fn domains(args: &[String]) -> Vec<String> {
    arg(args, "--domains", "arxiv")
        .split(',')
        .map(str::to_owned)
        .collect()
}

/// Value of `--name` in `args` (`--name value`), or `default`.
pub fn arg<'a>(args: &'a [String], name: &str, default: &'a str) -> &'a str {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, String::as_str)
}
