//! Times 1000 bootstrap refits of the Shukor et al. additive law (k = 7) for one target
//! domain (protocol of `shared/data/shukor2025/README.md`: rows with `model_size < 2.7e9`
//! and a finite target, N / 1e9, D / 1e9, mean Huber(1e-3) of raw residuals) and prints
//! one JSON object for `scripts/bootstrap_scipy.py --rust-json`, which does the same
//! refits with scipy:
//!
//! - the full-data fit (default `fit`: 40 starts x 2 hops), its unconstrained parameters;
//! - `mixlaw_fit::bootstrap::bootstrap` with `--resamples` row resamples (seed `--seed`),
//!   each refit a local L-BFGS warm-started from the full fit: wall time on 1 thread and
//!   on every core, refits that failed, the standard errors and 95 % percentile
//!   intervals, every refit's objective and evaluation count, and every resample's row
//!   counts (`mixlaw_fit::bootstrap::resample_weights`), so that the scipy side refits the
//!   very same resamples and compares the objective each side reaches.
//!
//! `--rel-tol X` and `--grad-tol X` override the refits' L-BFGS stopping tolerances
//! (defaults: mixlaw's, 1e-15 and 1e-13).
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example bootstrap_timing -- --domain arxiv --resamples 1000
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "fit_common/mod.rs"]
mod fit_common;

use std::ops::ControlFlow;
use std::time::Instant;

use fit_common::{arg, load_domain, num, nums, shukor_runs};
use mixlaw_benches::{BENCH_LOSS_FN, BENCH_SCALES, SHUKOR_K};
use mixlaw_core::{AnyLaw, Law, LawExt};
use mixlaw_fit::bootstrap::{bootstrap, resample_weights, BootstrapConfig, Resampling};
use mixlaw_fit::owned::{fit, FitOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let domain = arg(&args, "--domain", "arxiv").to_string();
    let resamples: usize = arg(&args, "--resamples", "1000").parse().unwrap();
    let seed: u64 = arg(&args, "--seed", "0").parse().unwrap();
    let rel_tol: f64 = arg(&args, "--rel-tol", "1e-15").parse().unwrap();
    let grad_tol: f64 = arg(&args, "--grad-tol", "1e-13").parse().unwrap();
    let Some(cols) = load_domain(&domain) else {
        return;
    };
    let runs = shukor_runs(&cols);
    let law = AnyLaw::new("additive", SHUKOR_K, None).unwrap();
    let options = FitOptions {
        loss: BENCH_LOSS_FN,
        scales: Some(BENCH_SCALES),
        ..FitOptions::default()
    };
    let t = Instant::now();
    let full = fit(law, &runs, &options, |_| ControlFlow::Continue(())).unwrap();
    let full_seconds = t.elapsed().as_secs_f64();
    let mut theta = vec![0.0; law.num_params()];
    law.to_unconstrained(&full.params, &mut theta).unwrap();
    let mut options = options;
    options.basin.lbfgs.rel_tol = rel_tol;
    options.basin.lbfgs.grad_tol = grad_tol;
    let mut timed = Vec::new();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut last = None;
    for threads in [1, cores] {
        let config = BootstrapConfig {
            resamples,
            seed,
            threads,
            ..BootstrapConfig::default()
        };
        let t = Instant::now();
        let boot = bootstrap(&full, &runs, None, &options, &config).unwrap();
        timed.push((threads, t.elapsed().as_secs_f64()));
        eprintln!(
            "mixlaw: {resamples} refits of the additive law ({domain}) on {threads} thread(s): {:.2} s, {} failed",
            t.elapsed().as_secs_f64(),
            boot.failed
        );
        if let Some(prev) = &last {
            assert_eq!(
                prev, &boot,
                "the result must not depend on the thread count"
            );
        }
        last = Some(boot);
    }
    let boot = last.unwrap();
    let summary = boot.param_summary();
    let se: Vec<f64> = summary.iter().map(|s| s.se).collect();
    let lo: Vec<f64> = summary.iter().map(|s| s.lo).collect();
    let hi: Vec<f64> = summary.iter().map(|s| s.hi).collect();
    let objectives: Vec<f64> = boot.draws.iter().map(|d| d.objective).collect();
    let indices: Vec<String> = boot.draws.iter().map(|d| d.index.to_string()).collect();
    let counts: Vec<String> = (0..resamples)
        .map(|i| {
            let w = resample_weights(&runs, &Resampling::Rows, seed, i).unwrap();
            let c: Vec<String> = w.iter().map(|&c| (c as u32).to_string()).collect();
            format!("[{}]", c.join(","))
        })
        .collect();
    let names: Vec<String> = (0..law.num_params())
        .map(|i| format!("\"{}\"", law.param_info(i).unwrap().name))
        .collect();
    println!(
        "{{\"domain\": \"{domain}\", \"rows\": {}, \"resamples\": {resamples}, \"seed\": {seed}, \
         \"full_objective\": {}, \"full_seconds\": {}, \"theta\": {}, \"params\": {}, \
         \"names\": [{}], \"seconds_1_thread\": {}, \"threads\": {}, \"seconds_all_threads\": {}, \
         \"failed\": {}, \"se\": {}, \"lo\": {}, \"hi\": {}, \"evaluations\": {}, \
         \"draw_index\": [{}], \"objectives\": {}, \"counts\": [{}]}}",
        runs.rows(),
        num(full.objective),
        num(full_seconds),
        nums(&theta),
        nums(&full.params),
        names.join(", "),
        num(timed[0].1),
        timed[1].0,
        num(timed[1].1),
        boot.failed,
        nums(&se),
        nums(&lo),
        nums(&hi),
        boot.draws.iter().map(|d| d.evaluations).sum::<usize>(),
        indices.join(", "),
        nums(&objectives),
        counts.join(",")
    );
}
