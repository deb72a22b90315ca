//! Per-solve statistics of `mixlaw_fit::Lbfgs` on the Shukor et al. additive-law fits (the
//! `fit_timing` data and start points), for `scripts/lbfgs_probe_scipy.py`, which runs
//! scipy's L-BFGS-B from the same starts with the same memory and prints both side by side:
//! per start, the final value, the termination, iterations, evaluations, and the
//! evaluations until the value first came within `1e-9` relative of the solve's final value.
//!
//! `--interpolation safeguarded|more-thuente` picks [`Interpolation`] (default: mixlaw's).
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example lbfgs_probe -- --domains arxiv,c4 --starts 10 --memory 10,30
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "fit_common/mod.rs"]
mod fit_common;

use fit_common::{arg, load_domain, num, nums, start_points, with_objective};
use mixlaw_fit::{BasinConfig, Interpolation, LawProblem, Lbfgs, LbfgsConfig, Problem};

/// Records every value a minimiser asks for.
struct Recording<P> {
    inner: P,
    values: Vec<f64>,
}

impl<P: Problem> Problem for Recording<P> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn cost_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let v = self.inner.cost_grad(x, grad);
        self.values.push(v);
        v
    }
}

/// Evaluations (1-based) until the value first came within `1e-9` relative of `last`.
fn evaluations_to(values: &[f64], last: f64) -> usize {
    values
        .iter()
        .position(|v| *v <= last + 1e-9 * last.abs())
        .map_or(values.len(), |i| i + 1)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let domains = fit_common::domains(&args);
    let n_starts: usize = arg(&args, "--starts", "10").parse().expect("--starts N");
    let memories: Vec<usize> = arg(&args, "--memory", "10,30")
        .split(',')
        .map(|m| m.parse().expect("--memory M,M"))
        .collect();
    let interpolation = match arg(&args, "--interpolation", "safeguarded") {
        "safeguarded" => Interpolation::Safeguarded,
        "more-thuente" => Interpolation::MoreThuente,
        other => panic!("--interpolation safeguarded|more-thuente, not {other}"),
    };
    let config = BasinConfig::default();
    let mut out = Vec::new();
    for domain in &domains {
        let Some(cols) = load_domain(domain) else {
            std::process::exit(2);
        };
        let json = with_objective(&cols, |objective| {
            let starts = start_points(objective, 0, n_starts, config.candidates);
            let mut runs = Vec::new();
            for &memory in &memories {
                let lbfgs = Lbfgs::new(LbfgsConfig {
                    memory,
                    interpolation,
                    ..config.lbfgs
                });
                let mut solves = Vec::new();
                for s in &starts {
                    let mut scratch = vec![0.0; objective.scratch_len()];
                    let mut problem = Recording {
                        inner: LawProblem::new(objective, &mut scratch).unwrap(),
                        values: Vec::new(),
                    };
                    let mut x = s.clone();
                    let mut work = vec![0.0; lbfgs.workspace_len(x.len())];
                    let m = lbfgs.minimize(&mut problem, &mut x, &mut work).unwrap();
                    solves.push(format!(
                        "{{\"value\": {}, \"status\": \"{:?}\", \"iterations\": {}, \
                         \"evaluations\": {}, \"to_1e9\": {}, \"resets\": {}, \"skipped\": {}, \"values\": {}}}",
                        num(m.value),
                        m.status,
                        m.iterations,
                        m.evaluations,
                        evaluations_to(&problem.values, m.value),
                        m.resets,
                        m.skipped_pairs,
                        nums(&problem.values)
                    ));
                }
                runs.push(format!(
                    "{{\"memory\": {memory}, \"solves\": [{}]}}",
                    solves.join(", ")
                ));
            }
            let starts_json: Vec<String> = starts.iter().map(|s| nums(s)).collect();
            format!(
                "{{\"domain\": \"{domain}\", \"starts\": [{}], \"runs\": [{}]}}",
                starts_json.join(", "),
                runs.join(", ")
            )
        })
        .unwrap();
        out.push(json);
    }
    println!("{{\"domains\": [{}]}}", out.join(",\n"));
}
