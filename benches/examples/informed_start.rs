//! A start informed by the data for the Shukor et al. additive law (issue 14's real-data
//! 100x line; measured, not built into `mixlaw_fit`): instead of random-search starts, one
//! start built in closed form, then one L-BFGS solve (default settings) on the full
//! objective (k = 7, every run, the protocol of `fit_common`).
//!
//! 1. (alpha, beta) on a 13 x 13 grid over the law's start ranges; at each point, with a
//!    free offset per mixture, least squares for A and B on the runs centred within their
//!    mixture (`y ~ E_h + A N^-alpha + B D^-beta`); the best point's offsets `E_h`.
//! 2. `E_h = E + 1 / S(h)`, `S(h) = sum_i C_i h_i^gamma`: for E below every offset (a grid
//!    of gaps) and one gamma for every domain (a grid), C by non-negative least squares on
//!    `1 / (E_h - E)`; the (E, gamma) whose full parameters have the lowest objective.
//!
//! `--gaps G` and `--gammas M` set step 2's grids (default 17 gaps from 1e-4 to 1, 15
//! gammas from e^-3 to e^0.5). Prints per domain the start's objective, the solve's value
//! and evaluations, and the time of both (build the start, unoptimised here, then solve);
//! results in benches/README.md ("A start informed by the data").
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example informed_start -- --domains arxiv,c4
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]
#[path = "fit_common/mod.rs"]
mod fit_common;
use std::collections::HashMap;
use std::time::Instant;

use fit_common::{arg, load_domain, with_objective};
use mixlaw_benches::{BENCH_SCALES, SHUKOR_K};
use mixlaw_fit::{LawProblem, Lbfgs, LbfgsConfig, Problem};

fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

/// The distinct values of `v` and each entry's index among them (runs share N and D).
fn distinct(v: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut values = Vec::new();
    let index = v
        .iter()
        .map(|x| {
            *seen.entry(x.to_bits()).or_insert_with(|| {
                values.push(*x);
                values.len() - 1
            })
        })
        .collect();
    (values, index)
}

/// `exp(-e l)` for every entry, one exponential per distinct `l`.
fn powers((values, index): &(Vec<f64>, Vec<usize>), e: f64) -> Vec<f64> {
    let p: Vec<f64> = values.iter().map(|l| (-e * l).exp()).collect();
    index.iter().map(|&i| p[i]).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let domains = fit_common::domains(&args);
    let k = SHUKOR_K;
    let gaps: usize = arg(&args, "--gaps", "17").parse().unwrap();
    let gammas: usize = arg(&args, "--gammas", "15").parse().unwrap();
    for domain in &domains {
        let Some(cols) = load_domain(domain) else {
            return;
        };
        with_objective(&cols, |o| {
            let t0 = Instant::now();
            let rows = cols.loss.len();
            let y = &cols.loss;
            let ln_n: Vec<f64> = cols
                .model_size
                .iter()
                .map(|n| (n / BENCH_SCALES.n).ln())
                .collect();
            let ln_d: Vec<f64> = cols
                .n_tokens
                .iter()
                .map(|d| (d / BENCH_SCALES.d).ln())
                .collect();
            let (n_distinct, d_distinct) = (distinct(&ln_n), distinct(&ln_d));
            // Mixture groups.
            let mut ids: HashMap<Vec<u64>, usize> = HashMap::new();
            let mut group = vec![0usize; rows];
            let mut reps: Vec<usize> = Vec::new();
            for r in 0..rows {
                let key: Vec<u64> = cols.weights[r * k..(r + 1) * k]
                    .iter()
                    .map(|x| x.to_bits())
                    .collect();
                let next = ids.len();
                let g = *ids.entry(key).or_insert(next);
                if g == reps.len() {
                    reps.push(r);
                }
                group[r] = g;
            }
            let groups = reps.len();
            let mut count = vec![0.0; groups];
            for &g in &group {
                count[g] += 1.0;
            }
            let centred = |v: &[f64]| -> Vec<f64> {
                let mut mean = vec![0.0; groups];
                for (r, &x) in v.iter().enumerate() {
                    mean[group[r]] += x / count[group[r]];
                }
                v.iter()
                    .enumerate()
                    .map(|(r, &x)| x - mean[group[r]])
                    .collect()
            };
            let yc = centred(y);
            // Step 1: (alpha, beta) grid, A and B by least squares within mixtures.
            let mut best = (f64::INFINITY, 0.0, 0.0, 0.0, 0.0);
            for la in grid(-3.0, 0.0, 13) {
                for lb in grid(-3.0, 0.0, 13) {
                    let (alpha, beta) = (la.exp(), lb.exp());
                    let x1 = powers(&n_distinct, alpha);
                    let x2 = powers(&d_distinct, beta);
                    let (c1, c2) = (centred(&x1), centred(&x2));
                    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
                    let (g11, g12, g22) = (dot(&c1, &c1), dot(&c1, &c2), dot(&c2, &c2));
                    let (b1, b2) = (dot(&c1, &yc), dot(&c2, &yc));
                    let det = g11 * g22 - g12 * g12;
                    let (a, b) = ((b1 * g22 - b2 * g12) / det, (b2 * g11 - b1 * g12) / det);
                    if !(a > 0.0 && b > 0.0) {
                        continue;
                    }
                    let sse: f64 = (0..rows)
                        .map(|r| (yc[r] - a * c1[r] - b * c2[r]).powi(2))
                        .sum();
                    if sse < best.0 {
                        best = (sse, alpha, beta, a, b);
                    }
                }
            }
            let (_, alpha, beta, a, b) = best;
            let mut offset = vec![0.0; groups];
            for r in 0..rows {
                let v = y[r] - a * (-alpha * ln_n[r]).exp() - b * (-beta * ln_d[r]).exp();
                offset[group[r]] += v / count[group[r]];
            }
            let lowest = offset.iter().cloned().fold(f64::INFINITY, f64::min);
            // Step 2: E and one gamma on grids, C by NNLS on 1 / (E_h - E).
            let p = o.dim();
            let mut scratch = vec![0.0; o.scratch_len()];
            let mut problem = LawProblem::new(o, &mut scratch).unwrap();
            let mut g = vec![0.0; p];
            let mut start = (f64::INFINITY, vec![0.0; p]);
            let mut nnls_ws = vec![0.0; mixlaw_core::linalg::nnls_workspace_len(k)];
            for gap in grid(-4.0, 0.0, gaps).iter().map(|x| 10f64.powf(*x)) {
                let e = lowest - gap;
                let s: Vec<f64> = offset.iter().map(|o| 1.0 / (o - e)).collect();
                for gamma in grid(-3.0, 0.5, gammas).iter().map(|x| x.exp()) {
                    let z: Vec<Vec<f64>> = reps
                        .iter()
                        .map(|&r| {
                            cols.weights[r * k..(r + 1) * k]
                                .iter()
                                .map(|&h| if h > 0.0 { h.powf(gamma) } else { 0.0 })
                                .collect()
                        })
                        .collect();
                    let mut gram = vec![0.0; k * k];
                    let mut rhs = vec![0.0; k];
                    for (zh, sh) in z.iter().zip(&s) {
                        for i in 0..k {
                            rhs[i] += zh[i] * sh;
                            for j in 0..k {
                                gram[i * k + j] += zh[i] * zh[j];
                            }
                        }
                    }
                    let mut c = vec![0.0; k];
                    if mixlaw_core::linalg::nnls_gram(&gram, k, &rhs, |_| true, &mut c, &mut nnls_ws)
                        .is_err()
                    {
                        continue;
                    }
                    let mut theta = vec![e, a.ln(), b.ln(), alpha.ln(), beta.ln()];
                    theta.extend(c.iter().map(|x| x.max(1e-6).ln()));
                    theta.extend(std::iter::repeat_n(gamma.ln(), k));
                    let v = problem.cost_grad(&theta, &mut g);
                    if v.is_finite() && v < start.0 {
                        start = (v, theta);
                    }
                }
            }
            let built = t0.elapsed().as_secs_f64();
            let (start_value, mut x) = start;
            let solver = Lbfgs::new(LbfgsConfig::default());
            let mut work = vec![0.0; solver.workspace_len(p)];
            let t1 = Instant::now();
            let m = solver.minimize(&mut problem, &mut x, &mut work).unwrap();
            let solved = t1.elapsed().as_secs_f64();
            println!(
                "{domain}: start {start_value:.9e} (alpha {alpha:.3}, beta {beta:.3}, {groups} mixtures, built in {:.2} ms); L-BFGS {:.9e} in {} evaluations, {:.1} ms",
                built * 1e3,
                m.value,
                m.evaluations,
                solved * 1e3
            );
        })
        .unwrap();
    }
}
