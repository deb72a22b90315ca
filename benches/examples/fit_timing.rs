//! Times mixlaw fitting the Shukor et al. additive law (k = 7) on the SlimPajama runs, one
//! fit per target domain, single-threaded, and prints one JSON object for
//! `scripts/fit_scipy.py --rust-json` (which runs scipy on the same starts and prints the
//! time-to-target ratios):
//!
//! - `starts`: the random-search seed points of `mixlaw_fit` (seed `--seed`, 64 candidates
//!   per start, the first `--starts` starts), with the objective and its gradient at each
//!   (so scipy can check it minimises the same function);
//! - `lbfgs`: `mixlaw_fit::Lbfgs` (default settings) from each of these starts in turn:
//!   elapsed time, local minimum and best-so-far after every call;
//! - `lm`: `mixlaw_fit::Lm` (Levenberg-Marquardt, default settings, the same tolerances)
//!   from the same starts, the same trace;
//! - `basin`: the default `fit_law` (40 starts x (1 + 2 hops), seed `--seed`): the same
//!   trace, recorded by the observer after every local minimisation;
//! - `fit`: the default fit path, `mixlaw_fit::owned::fit` with default options but one
//!   thread and the protocol's loss and scales (what `mixlaw fit` runs, the data's
//!   `Prepared` cache and groups included): the observer's trace while it searches on every run, then one last entry at the end
//!   of the whole fit (its objective on every run). A screened fit
//!   (`mixlaw_fit::screen`) knows its objective on every run only at the end, so its
//!   trace is that one entry. `--screen-rows N` (the screen's threshold,
//!   `ScreenConfig::above_rows`; default the library's), `--sample-rows M`
//!   (`ScreenConfig::sample_rows`), `--polish P` (`ScreenConfig::polish`) and
//!   `--agree-starts A` (`BasinConfig::agree_starts`, default 0) set its search;
//!   `--only-fit` times that alone (JSON: per domain `rows`, `fit`, `fit_screen_rows`).
//!
//! `--local auto|lbfgs|lm` picks basin-hopping's local minimiser (default auto).
//! `--synthetic NOISE` replaces the losses by synthetic ones on the same grid of runs: the
//! law at the L-BFGS minimum from start 0 on the real losses, times `1 + NOISE u` (u
//! uniform in [-1, 1]); they are exported as `y` for `fit_scipy.py`.
//!
//! `--rel-tol X` and `--grad-tol X` override the L-BFGS stopping tolerances of both
//! (defaults: mixlaw's, 1e-15 and 1e-13, the data README's scipy settings), `--memory M`
//! its most correction pairs (default: mixlaw's, 30; `--memory 100` keeps 5 per parameter,
//! 95 pairs for the 19 parameters), `--interpolation safeguarded|more-thuente` its line
//! search's trial rule (`mixlaw_fit::Interpolation`; default: mixlaw's, safeguarded).
//!
//! Each run is repeated `--repeats` times (the trajectory is deterministic); the elapsed
//! times are the per-call medians over the repeats. Time to reach a target objective is
//! read off the trace (the first call whose best-so-far is at or below the target).
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example fit_timing -- --domains arxiv,github --starts 10
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "fit_common/mod.rs"]
mod fit_common;

use std::ops::ControlFlow;
use std::time::Instant;

use fit_common::{
    arg, load_domain, num, nums, shukor_runs, start_points, synthetic_losses, with_objective,
};
use mixlaw_benches::{Columns, BENCH_LOSS_FN, BENCH_SCALES, SHUKOR_K};
use mixlaw_core::laws::additive::Additive;
use mixlaw_core::{Law, Objective};
use mixlaw_fit::owned::{fit, FitOptions};
use mixlaw_fit::problem::scratch_len;
use mixlaw_fit::screen::ScreenConfig;
use mixlaw_fit::{
    fit_law, workspace_len, BasinConfig, HopInfo, Interpolation, LawProblem, Lbfgs, LbfgsConfig,
    Lm, LmConfig, LocalSolver,
};

/// One trace: a row per local minimisation.
#[derive(Default)]
struct Trace {
    elapsed: Vec<f64>,
    value: Vec<f64>,
    best: Vec<f64>,
    evaluations: Vec<f64>,
}

impl Trace {
    /// Appends one local minimisation's report, timed from `t0`.
    fn record(&mut self, t0: Instant, info: &HopInfo) {
        self.elapsed.push(t0.elapsed().as_secs_f64());
        self.value.push(info.value);
        self.best.push(info.best);
        self.evaluations.push(info.evaluations as f64);
    }

    fn json(&self) -> String {
        format!(
            "{{\"elapsed\": {}, \"value\": {}, \"best\": {}, \"evaluations\": {}}}",
            nums(&self.elapsed),
            nums(&self.value),
            nums(&self.best),
            nums(&self.evaluations)
        )
    }
}

/// Per-index median of the elapsed times of `runs` (identical trajectories).
fn median_trace(mut runs: Vec<Trace>) -> Trace {
    let mut out = runs.pop().expect("at least one run");
    for (i, e) in out.elapsed.iter_mut().enumerate() {
        let mut v: Vec<f64> = runs.iter().map(|r| r.elapsed[i]).chain([*e]).collect();
        v.sort_by(f64::total_cmp);
        *e = v[v.len() / 2];
    }
    for r in &runs {
        assert_eq!(r.best, out.best, "non-deterministic trajectory");
    }
    out
}

/// The local solver `local` (L-BFGS or Levenberg-Marquardt, default settings but the
/// tolerances of `config`) from each start in turn.
fn local_from_starts<L: Law>(
    objective: &Objective<'_, '_, L>,
    starts: &[Vec<f64>],
    config: LbfgsConfig,
    local: LocalSolver,
) -> Trace {
    let lbfgs = Lbfgs::new(config);
    let lm = Lm::new(LmConfig {
        grad_tol: config.grad_tol,
        rel_tol: config.rel_tol,
        ..LmConfig::default()
    });
    let p = objective.dim();
    let mut scratch = vec![0.0; scratch_len(objective, local)];
    let mut work = vec![0.0; lbfgs.workspace_len(p).max(lm.workspace_len(p))];
    let mut x = vec![0.0; p];
    let mut trace = Trace::default();
    let mut best = f64::INFINITY;
    let mut evaluations = 0;
    let t0 = Instant::now();
    let mut problem = LawProblem::new(objective, &mut scratch).unwrap();
    for s in starts {
        x.copy_from_slice(s);
        let m = if local == LocalSolver::Lm {
            lm.minimize(&mut problem, &mut x, &mut work)
        } else {
            lbfgs.minimize(&mut problem, &mut x, &mut work)
        }
        .expect("buffers sized above");
        let elapsed = t0.elapsed().as_secs_f64();
        evaluations += m.evaluations;
        if m.value < best {
            best = m.value;
        }
        trace.elapsed.push(elapsed);
        trace.value.push(m.value);
        trace.best.push(best);
        trace.evaluations.push(evaluations as f64);
    }
    trace
}

fn basin<L: Law>(objective: &Objective<'_, '_, L>, config: &BasinConfig) -> (Trace, f64) {
    let p = objective.dim();
    let mut theta = vec![0.0; p];
    let mut work = vec![0.0; workspace_len(objective, config)];
    let mut trace = Trace::default();
    let t0 = Instant::now();
    let outcome = fit_law(objective, config, None, &mut theta, &mut work, |info| {
        trace.record(t0, info);
        ControlFlow::Continue(())
    })
    .unwrap();
    (trace, outcome.value)
}

/// The default fit path, `owned::fit` on one thread with the search `options`: its trace
/// (see the module doc: on every run while unscreened, then the whole fit's end), whether
/// it screened, and its final objective.
fn default_fit(cols: &Columns, options: &FitOptions) -> (Trace, usize, f64) {
    let runs = shukor_runs(cols);
    let mut trace = Trace::default();
    let t0 = Instant::now();
    let law = Additive::new(SHUKOR_K).unwrap();
    let fitted = fit(law, &runs, options, |info| {
        trace.record(t0, info);
        ControlFlow::Continue(())
    })
    .unwrap();
    let elapsed = t0.elapsed().as_secs_f64();
    let outcome = fitted.outcome.unwrap();
    if outcome.screen_rows > 0 {
        // The observer saw subsample values: not comparable with the targets.
        trace = Trace::default();
    }
    trace.elapsed.push(elapsed);
    trace.value.push(fitted.objective);
    trace.best.push(fitted.objective);
    trace.evaluations.push(outcome.evaluations as f64);
    (trace, outcome.screen_rows, fitted.objective)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let domains = fit_common::domains(&args);
    let n_starts: usize = arg(&args, "--starts", "10").parse().expect("--starts N");
    let seed: u64 = arg(&args, "--seed", "0").parse().expect("--seed S");
    let repeats: usize = arg(&args, "--repeats", "5").parse().expect("--repeats R");
    let default_memory = LbfgsConfig::default().memory.to_string();
    let lbfgs_config = LbfgsConfig {
        rel_tol: arg(&args, "--rel-tol", "1e-15")
            .parse()
            .expect("--rel-tol X"),
        grad_tol: arg(&args, "--grad-tol", "1e-13")
            .parse()
            .expect("--grad-tol X"),
        memory: arg(&args, "--memory", &default_memory)
            .parse()
            .expect("--memory M"),
        interpolation: match arg(&args, "--interpolation", "safeguarded") {
            "safeguarded" => Interpolation::Safeguarded,
            "more-thuente" => Interpolation::MoreThuente,
            other => panic!("--interpolation safeguarded|more-thuente, not {other}"),
        },
        ..LbfgsConfig::default()
    };
    let synthetic: Option<f64> = args
        .iter()
        .position(|a| a == "--synthetic")
        .map(|i| args[i + 1].parse().expect("--synthetic NOISE"));
    let local = match arg(&args, "--local", "auto") {
        "auto" => LocalSolver::Auto,
        "lbfgs" => LocalSolver::Lbfgs,
        "lm" => LocalSolver::Lm,
        other => panic!("--local auto|lbfgs|lm, not {other}"),
    };
    let config = BasinConfig {
        seed,
        local,
        lbfgs: lbfgs_config,
        ..BasinConfig::default()
    };
    let library = ScreenConfig::default();
    let count = |name: &str, default: usize| -> usize {
        arg(&args, name, &default.to_string())
            .parse()
            .unwrap_or_else(|_| panic!("{name} N"))
    };
    let mut fit_options = FitOptions {
        loss: BENCH_LOSS_FN,
        scales: Some(BENCH_SCALES),
        threads: 1,
        basin: config,
        screen: ScreenConfig {
            above_rows: count("--screen-rows", library.above_rows),
            sample_rows: count("--sample-rows", library.sample_rows),
            polish: count("--polish", library.polish),
            ..library
        },
        ..FitOptions::default()
    };
    fit_options.basin.agree_starts = count("--agree-starts", config.agree_starts);
    let only_fit = args.iter().any(|a| a == "--only-fit");
    let mut out = Vec::new();
    for domain in &domains {
        let Some(mut cols) = load_domain(domain) else {
            std::process::exit(2);
        };
        if let Some(noise) = synthetic {
            cols.loss = synthetic_losses(&cols, noise, &config);
        }
        if only_fit {
            let fits: Vec<(Trace, usize, f64)> = (0..repeats.max(1))
                .map(|_| default_fit(&cols, &fit_options))
                .collect();
            let (screen_rows, best) = (fits[0].1, fits[0].2);
            let trace = median_trace(fits.into_iter().map(|r| r.0).collect());
            eprintln!(
                "{domain}: default fit (screened on {screen_rows} rows, 0: not screened) \
                 {best:.9e} in {:.3} s ({} evaluations)",
                trace.elapsed.last().copied().unwrap_or(0.0),
                trace.evaluations.last().copied().unwrap_or(0.0),
            );
            out.push(format!(
                "{{\"domain\": \"{domain}\", \"rows\": {}, \"fit\": {}, \"fit_screen_rows\": {screen_rows}}}",
                cols.rows(),
                trace.json()
            ));
            continue;
        }
        let json = with_objective(&cols, |objective| {
            let starts = start_points(objective, seed, n_starts, config.candidates);
            let mut scratch = vec![0.0; objective.scratch_len()];
            let mut grad = vec![0.0; objective.dim()];
            let mut start_json = Vec::new();
            for s in &starts {
                let v = objective.eval(s, Some(&mut grad), &mut scratch).unwrap();
                start_json.push(format!(
                    "{{\"theta\": {}, \"value\": {}, \"grad\": {}}}",
                    nums(s),
                    num(v),
                    nums(&grad)
                ));
            }
            let lbfgs = median_trace(
                (0..repeats.max(1))
                    .map(|_| {
                        local_from_starts(objective, &starts, config.lbfgs, LocalSolver::Lbfgs)
                    })
                    .collect(),
            );
            let lm = median_trace(
                (0..repeats.max(1))
                    .map(|_| local_from_starts(objective, &starts, config.lbfgs, LocalSolver::Lm))
                    .collect(),
            );
            // The same starts through fit_law (hops = 0, its random first start rather
            // than the one built from the data) must give the same best value.
            let hops0 = BasinConfig {
                starts: n_starts,
                hops: 0,
                informed: false,
                local: LocalSolver::Lbfgs,
                ..config
            };
            let (_, hops0_best) = basin(objective, &hops0);
            let lbfgs_best = lbfgs.best.last().copied().unwrap_or(f64::INFINITY);
            assert_eq!(
                hops0_best, lbfgs_best,
                "start points differ from fit_law's"
            );
            let runs: Vec<(Trace, f64)> = (0..repeats.max(1))
                .map(|_| basin(objective, &config))
                .collect();
            let best = runs[0].1;
            let basin_trace = median_trace(runs.into_iter().map(|r| r.0).collect());
            let fits: Vec<(Trace, usize, f64)> = (0..repeats.max(1))
                .map(|_| default_fit(&cols, &fit_options))
                .collect();
            let (fit_screen_rows, fit_best) = (fits[0].1, fits[0].2);
            let fit_trace = median_trace(fits.into_iter().map(|r| r.0).collect());
            let lm_best = lm.best.last().copied().unwrap_or(f64::INFINITY);
            eprintln!(
                "{domain}: rows {}, L-BFGS from {n_starts} starts best {lbfgs_best:.9e} in {:.3} s \
                 ({} evaluations); LM from the same starts best {lm_best:.9e} in {:.3} s ({} \
                 evaluations); basin-hopping ({} starts x {} hops, local {:?}) best {best:.9e} in {:.3} s; \
                 default fit (screened on {fit_screen_rows} rows, 0: not screened) {fit_best:.9e} in {:.3} s",
                objective.data().rows(),
                lbfgs.elapsed.last().copied().unwrap_or(0.0),
                lbfgs.evaluations.last().copied().unwrap_or(0.0),
                lm.elapsed.last().copied().unwrap_or(0.0),
                lm.evaluations.last().copied().unwrap_or(0.0),
                config.starts,
                config.hops,
                config.local,
                basin_trace.elapsed.last().copied().unwrap_or(0.0),
                fit_trace.elapsed.last().copied().unwrap_or(0.0),
            );
            format!(
                "{{\"domain\": \"{domain}\", \"rows\": {}, \"y\": {}, \"starts\": [{}], \
                 \"lbfgs\": {}, \"lm\": {}, \"basin\": {}, \"fit\": {}, \"fit_screen_rows\": {fit_screen_rows}}}",
                objective.data().rows(),
                if synthetic.is_some() {
                    nums(objective.data().data().targets())
                } else {
                    "null".into()
                },
                start_json.join(", "),
                lbfgs.json(),
                lm.json(),
                basin_trace.json(),
                fit_trace.json()
            )
        })
        .unwrap();
        out.push(json);
    }
    let c = &config;
    println!(
        "{{\"seed\": {seed}, \"n_starts\": {n_starts}, \"repeats\": {repeats}, \
         \"basin_config\": {{\"starts\": {}, \"candidates\": {}, \"hops\": {}, \"step\": {}, \
         \"temperature\": {}, \"adapt_interval\": {}, \"target_accept\": {}, \"step_factor\": {}, \
         \"lbfgs_memory\": {}, \"grad_tol\": {}, \"rel_tol\": {}}}, \"domains\": [{}]}}",
        c.starts,
        c.candidates,
        c.hops,
        num(c.step),
        num(c.temperature),
        c.adapt_interval,
        num(c.target_accept),
        num(c.step_factor),
        c.lbfgs.memory,
        num(c.lbfgs.grad_tol),
        num(c.lbfgs.rel_tol),
        out.join(",\n")
    );
}
