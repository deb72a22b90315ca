//! Times `mixlaw_fit::owned::fit` of the Chinchilla law on a CSV of `N,D,loss` rows (Epoch's
//! 240 points, written by `scripts/compare_chinchilla.sh`), with Epoch's loss (Huber 1e-3
//! of log residuals), N and D in billions: best of `--repeats` fits, the search's
//! statistics, one JSON object. `--basin` runs basin-hopping instead of the grid search
//! (`--local lbfgs|lm|auto`: its local minimiser),
//! `--grid G` sets the grid's points per coordinate, `--raw-huber --n-scale 1e6` gives the
//! protocol of the `vpnls` reproduction (Huber of raw residuals, N in millions),
//! `--any-law` fits through `AnyLaw` (the program's dispatch) instead of `Chinchilla`,
//! `--rel-tol` sets L-BFGS's and `--lm-rel-tol` / `--lm-grad-tol` Levenberg-Marquardt's
//! stopping tolerances.
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example chinchilla_timing -- --csv epoch240.csv \
//!     [--basin [--local lm]] [--grid G] [--raw-huber --n-scale 1e6] [--any-law] [--repeats R]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::ops::ControlFlow;
use std::time::Instant;

use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::{Loss, Scales};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_fit::{BasinConfig, LocalSolver, Search};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let csv = value("--csv").expect("--csv FILE");
    let repeats: usize = value("--repeats").map_or(20, |v| v.parse().unwrap());
    let basin = args.iter().any(|a| a == "--basin");
    let grid: usize = value("--grid").map_or(0, |v| v.parse().unwrap());
    let n_scale: f64 = value("--n-scale").map_or(1e9, |v| v.parse().unwrap());
    let raw = args.iter().any(|a| a == "--raw-huber");
    let any_law = args.iter().any(|a| a == "--any-law");
    let text = std::fs::read_to_string(&csv).unwrap();
    let (mut n, mut d, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        n.push(v[0]);
        d.push(v[1]);
        y.push(v[2]);
    }
    let rows = y.len();
    let runs = Runs {
        n: Some(n),
        d: Some(d),
        y,
        ..Runs::default()
    };
    let options = FitOptions {
        loss: if raw {
            Loss::Huber { delta: 1e-3 }
        } else {
            Loss::LogHuber { delta: 1e-3 }
        },
        scales: Some(Scales { n: n_scale, d: 1e9 }),
        basin: BasinConfig {
            search: if basin { Search::Basin } else { Search::Auto },
            local: match value("--local").as_deref() {
                None | Some("auto") => LocalSolver::Auto,
                Some("lbfgs") => LocalSolver::Lbfgs,
                Some("lm") => LocalSolver::Lm,
                Some(other) => panic!("--local auto|lbfgs|lm, not {other}"),
            },
            grid,
            lbfgs: mixlaw_fit::LbfgsConfig {
                rel_tol: value("--rel-tol").map_or(1e-15, |v| v.parse().unwrap()),
                ..mixlaw_fit::LbfgsConfig::default()
            },
            lm: mixlaw_fit::LmConfig {
                rel_tol: value("--lm-rel-tol").map_or(1e-15, |v| v.parse().unwrap()),
                grad_tol: value("--lm-grad-tol").map_or(1e-13, |v| v.parse().unwrap()),
                ..mixlaw_fit::LmConfig::default()
            },
            ..BasinConfig::default()
        },
        ..FitOptions::default()
    };
    let mut best = f64::INFINITY;
    let mut fitted = None;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let (objective, params, outcome) = if any_law {
            let law = mixlaw_core::laws::AnyLaw::new("chinchilla", 0, None).unwrap();
            let f = fit(law, &runs, &options, |_| ControlFlow::Continue(())).unwrap();
            (f.objective, f.params, f.outcome.unwrap())
        } else {
            let f = fit(Chinchilla::new(), &runs, &options, |_| {
                ControlFlow::Continue(())
            })
            .unwrap();
            (f.objective, f.params, f.outcome.unwrap())
        };
        best = best.min(t.elapsed().as_secs_f64());
        fitted = Some((objective, params, outcome));
    }
    let (objective, params, o) = fitted.unwrap();
    println!(
        "{{\"seconds\": {best:e}, \"objective_sum\": {:e}, \"evaluations\": {}, \"minimizations\": {}, \"agreeing\": {}, \"grid_points\": {}, \"params\": {:?}}}",
        objective * rows as f64,
        o.evaluations,
        o.minimizations,
        o.agreeing,
        o.grid_points,
        params
    );
}
