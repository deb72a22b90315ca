//! A search that screens starts by a few iterations instead of a subsample (issue 14, item
//! 3; measured, not built into `mixlaw_fit`): on the Shukor et al. additive fits (k = 7,
//! every run, the protocol of `fit_common`), L-BFGS runs at most `K` iterations from each
//! of the 40 random-search start points of `fit_law` (seed 0, 64 candidates), the points
//! are sorted by value, and full L-BFGS solves (default settings) finish the best `P`.
//! Prints, per domain and `K`, the evaluations of the screen and, per `P`, the best
//! finished value and the total evaluations (benches/README.md, "The default `fit` path").
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example truncated_probe -- \
//!   --domains arxiv,c4 --iters 10,30,100 --finish 1,2,4,8 [--synthetic 1e-4]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#[path = "fit_common/mod.rs"]
mod fit_common;
use fit_common::{arg, load_domain, start_points, synthetic_losses, with_objective};
use mixlaw_fit::{BasinConfig, LawProblem, Lbfgs, LbfgsConfig};
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let domains = fit_common::domains(&args);
    let ks: Vec<usize> = arg(&args, "--iters", "20,50,100")
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    let ps: Vec<usize> = arg(&args, "--finish", "1,2,4")
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    let synthetic: Option<f64> = args
        .iter()
        .position(|a| a == "--synthetic")
        .map(|i| args[i + 1].parse().unwrap());
    for domain in &domains {
        let mut cols = load_domain(domain).unwrap();
        if let Some(noise) = synthetic {
            cols.loss = synthetic_losses(&cols, noise, &BasinConfig::default());
        }
        with_objective(&cols, |o| {
            let starts = start_points(o, 0, 40, 64);
            let p = o.dim();
            let mut scratch = vec![0.0; o.scratch_len()];
            let mut problem = LawProblem::new(o, &mut scratch).unwrap();
            for &k in &ks {
                let short = Lbfgs::new(LbfgsConfig {
                    max_iterations: k,
                    ..LbfgsConfig::default()
                });
                let full = Lbfgs::new(LbfgsConfig::default());
                let mut work = vec![0.0; full.workspace_len(p)];
                let mut evals = 0usize;
                let mut cands: Vec<(f64, Vec<f64>)> = Vec::new();
                for s in &starts {
                    let mut x = s.clone();
                    let m = short.minimize(&mut problem, &mut x, &mut work).unwrap();
                    evals += m.evaluations;
                    cands.push((m.value, x));
                }
                cands.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut line = format!("{domain} iters {k:4} screen_evals {evals:6}");
                let mut best = f64::INFINITY;
                let mut fe = 0usize;
                let mut done = 0;
                for &pp in &ps {
                    while done < pp.min(cands.len()) {
                        let mut x = cands[done].1.clone();
                        let m = full.minimize(&mut problem, &mut x, &mut work).unwrap();
                        fe += m.evaluations;
                        best = best.min(m.value);
                        done += 1;
                    }
                    line += &format!(" | finish {pp}: {best:.10e} evals {}", evals + fe);
                }
                println!("{line}");
            }
        })
        .unwrap();
    }
}
