//! The starts built from the data (`mixlaw_fit::informed::start`, `fit_law`'s first
//! starts for the additive family) on the Shukor et al. runs (k = 7, every run, the
//! protocol of `fit_common`), then one L-BFGS solve (default settings) from each: per
//! domain the time to build them, and per start its objective, the solve's value,
//! evaluations and time (medians of `--repeats`, default 5). Results in benches/README.md ("A start informed by the data").
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example informed_start -- --domains arxiv,c4
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#[path = "fit_common/mod.rs"]
mod fit_common;
use std::time::Instant;

use fit_common::{arg, load_domain, with_objective};
use mixlaw_fit::{informed, LawProblem, Lbfgs, LbfgsConfig};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let domains = fit_common::domains(&args);
    let repeats: usize = arg(&args, "--repeats", "5").parse().unwrap();
    for domain in &domains {
        let Some(cols) = load_domain(domain) else {
            return;
        };
        with_objective(&cols, |o| {
            let p = o.dim();
            let range = |i: usize| o.start_range(i).unwrap();
            let mut work = vec![0.0; informed::workspace_len(o)];
            let mut scratch = vec![0.0; o.scratch_len()];
            let solver = Lbfgs::new(LbfgsConfig::default());
            let mut lbfgs_work = vec![0.0; solver.workspace_len(p)];
            let mut points = vec![0.0; informed::POINTS * p];
            let mut built = Vec::new();
            let mut count = 0;
            for _ in 0..repeats.max(1) {
                let t0 = Instant::now();
                count = informed::start(o, range, &mut points, &mut work).unwrap();
                built.push(t0.elapsed().as_secs_f64());
            }
            println!(
                "{domain}: {count} starts built in {:.3} ms",
                median(built) * 1e3
            );
            for (j, point) in points.chunks_exact(p).take(count).enumerate() {
                let mut solved = Vec::new();
                let mut result = None;
                for _ in 0..repeats.max(1) {
                    let mut x = point.to_vec();
                    let start = o.eval(&x, None, &mut scratch).unwrap();
                    let mut problem = LawProblem::new(o, &mut scratch).unwrap();
                    let t1 = Instant::now();
                    let m = solver.minimize(&mut problem, &mut x, &mut lbfgs_work).unwrap();
                    solved.push(t1.elapsed().as_secs_f64());
                    result = Some((start, m.value, m.evaluations));
                }
                let (start, value, evaluations) = result.unwrap();
                println!(
                    "  start {j}: {start:.9e}; L-BFGS {value:.9e} in {evaluations} evaluations, {:.2} ms",
                    median(solved) * 1e3
                );
            }
        })
        .unwrap();
    }
}
