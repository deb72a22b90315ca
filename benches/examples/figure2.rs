//! Figure 2 of Shukor et al. 2025 (section 2.3) on the SlimPajama runs: the fitting
//! objective (mean Huber 1e-3) against the number of L-BFGS calls, basin-hopping against
//! repeated random-search L-BFGS starts, over many seeds. Prints one CSV row per seed,
//! method and call with the best objective so far (`scripts/figure2.py` plots the median
//! and the 25-75 % quantiles):
//!
//! - `basin_hopping`: `fit_law` with `BasinConfig { starts: 1, hops: calls - 1, seed }`
//!   (one random-search start, then basin-hopping: perturb, L-BFGS, Metropolis);
//! - `random_starts`: `fit_law` with `BasinConfig { starts: calls, hops: 0, seed }`
//!   (`calls` independent random-search starts, each minimised by L-BFGS).
//!
//! Everything else is `BasinConfig::default()` (64 random-search candidates per start,
//! step 0.5 unless `--step`, relative temperature 0.05, L-BFGS memory 30, tolerances
//! 1e-13 / 1e-15).
//! `--methods basin_hopping` (or `random_starts`) runs one of the two only.
//! Seeds run on `--threads` worker threads (the curves do not depend on it).
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example figure2 -- \
//!     --domain arxiv --law additive --seeds 100 --calls 50 > figure2.csv
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "fit_common/mod.rs"]
mod fit_common;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};

use fit_common::{arg, load_domain, with_law_objective};
use mixlaw_benches::SHUKOR_K;
use mixlaw_core::laws::{additive::Additive, joint::Joint};
use mixlaw_core::{Law, Objective};
use mixlaw_fit::{fit_law, workspace_len, BasinConfig};

/// Best-so-far objective after each of `calls` L-BFGS calls under `config`.
fn curve<L: Law>(objective: &Objective<'_, '_, L>, config: &BasinConfig, calls: usize) -> Vec<f64> {
    let mut theta = vec![0.0; objective.dim()];
    let mut work = vec![0.0; workspace_len(objective, config)];
    let mut best = Vec::with_capacity(calls);
    fit_law(objective, config, None, &mut theta, &mut work, |info| {
        best.push(info.best);
        if best.len() >= calls {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(best.len(), calls);
    best
}

/// Command-line settings.
struct Settings {
    domain: String,
    seeds: u64,
    calls: usize,
    threads: usize,
    step: f64,
    methods: String,
}

fn run<L: Law + Sync>(law: &L, settings: &Settings) {
    let Settings {
        domain,
        seeds,
        calls,
        threads,
        step,
        methods,
    } = settings;
    let (seeds, calls, threads, step) = (*seeds, *calls, *threads, *step);
    let Some(cols) = load_domain(domain) else {
        std::process::exit(2);
    };
    let next = AtomicU64::new(0);
    let rows: Vec<(u64, &str, Vec<f64>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    with_law_objective(law, &cols, |objective| loop {
                        let seed = next.fetch_add(1, Ordering::Relaxed);
                        if seed >= seeds {
                            break;
                        }
                        let base = BasinConfig {
                            seed,
                            step,
                            ..BasinConfig::default()
                        };
                        let bh = BasinConfig {
                            starts: 1,
                            hops: calls - 1,
                            ..base
                        };
                        let rs = BasinConfig {
                            starts: calls,
                            hops: 0,
                            ..base
                        };
                        if methods.contains("basin_hopping") {
                            out.push((seed, "basin_hopping", curve(objective, &bh, calls)));
                        }
                        if methods.contains("random_starts") {
                            out.push((seed, "random_starts", curve(objective, &rs, calls)));
                        }
                        eprint!(".");
                    })
                    .unwrap();
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    eprintln!();
    let mut rows = rows;
    rows.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
    println!("law,domain,method,seed,call,best");
    for (seed, method, best) in &rows {
        for (i, b) in best.iter().enumerate() {
            println!("{},{domain},{method},{seed},{},{b:?}", law.name(), i + 1);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let domain = arg(&args, "--domain", "arxiv").to_owned();
    let seeds: u64 = arg(&args, "--seeds", "100").parse().expect("--seeds N");
    let calls: usize = arg(&args, "--calls", "50").parse().expect("--calls N");
    let threads: usize = arg(&args, "--threads", "2").parse().expect("--threads N");
    let step: f64 = arg(&args, "--step", "0.5").parse().expect("--step X");
    let methods = arg(&args, "--methods", "basin_hopping,random_starts").to_owned();
    assert!(calls >= 1, "--calls must be >= 1");
    let settings = Settings {
        domain,
        seeds,
        calls,
        threads,
        step,
        methods,
    };
    match arg(&args, "--law", "additive") {
        "additive" => run(&Additive::new(SHUKOR_K).unwrap(), &settings),
        "joint" => run(&Joint::new(SHUKOR_K).unwrap(), &settings),
        other => {
            eprintln!("--law must be additive or joint, not `{other}`");
            std::process::exit(2);
        }
    }
}
