//! Times the `additive-nd` law (k = 3) on many rows of distinct random mixtures: one
//! `Objective::eval` (value + gradient) per row, by rows and by groups, and a whole fit
//! (`--starts 1 --hops 0`, and the default search with `--default`), at 1e3, 1e4 and 1e5
//! rows, and prints one JSON line per size for `scripts/rows_scipy.py`, which generates
//! the same rows (splitmix64, seed 7) and times numpy/scipy on them.
//!
//! Rows: `h ~ Dirichlet(1, 1, 1)` (`h_i = -ln u_i / sum_j -ln u_j`), `y = L(h) (1 + 0.005
//! z)` with `z` uniform on [-1, 1], truth `E = 1.5, C = (1, 2, 1.5), gamma = (0.3, 0.5,
//! 0.4)`; Huber loss (delta 1e-3) as every fit of the program.
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example rows_timing [-- --default] [--no-screen]
//!     [--screen-rows N] [--max-rows N] [--sizes 1000,10000,100000]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::ops::ControlFlow;
use std::time::Instant;

use mixlaw_core::{AnyLaw, Dataset, Groups, LawExt, Loss, Objective, Point, Prepared, Scales};
use mixlaw_fit::owned::{fit, FitOptions, Runs};

/// The truth the rows come from: E, C[0..3], gamma[0..3].
const TRUTH: [f64; 7] = [1.5, 1.0, 2.0, 1.5, 0.3, 0.5, 0.4];

/// splitmix64, as `scripts/rows_scipy.py`.
struct SplitMix(u64);

impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // (0, 1): never 0, so ln u is finite.
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

/// `rows` random-mixture rows of the additive-nd truth with 0.5 % noise.
fn generate(law: &AnyLaw, rows: usize) -> Runs {
    let mut rng = SplitMix(7);
    let mut runs = Runs {
        k: 3,
        ..Runs::default()
    };
    for _ in 0..rows {
        let e: Vec<f64> = (0..3).map(|_| -rng.next_f64().ln()).collect();
        let s: f64 = e.iter().sum();
        let h: Vec<f64> = e.iter().map(|x| x / s).collect();
        let v = law
            .value(
                &TRUTH,
                &Point::new(&h, 1.0, 1.0).unwrap(),
                Scales::default(),
            )
            .unwrap();
        let z = 2.0 * rng.next_f64() - 1.0;
        runs.y.push(v * (1.0 + 0.005 * z));
        runs.h.extend(&h);
    }
    runs
}

/// Best-of-5 seconds per call of `f`, over batches of at least 0.2 s.
fn time(mut f: impl FnMut()) -> f64 {
    let mut calls = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..calls {
            f();
        }
        if t.elapsed().as_secs_f64() >= 0.2 {
            break;
        }
        calls *= 2;
    }
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                f();
            }
            t.elapsed().as_secs_f64() / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let default_search = args.iter().any(|a| a == "--default");
    let no_screen = args.iter().any(|a| a == "--no-screen");
    let screen_rows: Option<usize> = args
        .iter()
        .position(|a| a == "--screen-rows")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("--screen-rows N"));
    let max_rows: usize = args
        .iter()
        .position(|a| a == "--max-rows")
        .and_then(|i| args.get(i + 1))
        .map_or(usize::MAX, |v| v.parse().expect("--max-rows N"));
    let law = AnyLaw::new("additive-nd", 3, None).unwrap();
    let loss = Loss::Huber { delta: 1e-3 };
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map_or(vec![1_000, 10_000, 100_000], |v| {
            v.split(',')
                .map(|s| s.parse().expect("--sizes N,M"))
                .collect()
        });
    for rows in sizes {
        if rows > max_rows {
            break;
        }
        let runs = generate(&law, rows);
        let data = Dataset::new(3, &runs.h, &runs.y).unwrap();
        let mut cache = vec![0.0; Prepared::buffer_len(rows, 3)];
        let prepared = Prepared::new(data, Scales::default(), &mut cache).unwrap();
        let mut group_buf = vec![0usize; Groups::buffer_len(rows)];
        let groups = Groups::new(&prepared, &mut group_buf).unwrap();
        let by_rows = Objective::new(&law, &prepared, loss).unwrap();
        let by_groups = Objective::new(&law, &prepared, loss)
            .unwrap()
            .with_groups(&groups)
            .unwrap();
        let mut theta = [0.0; 7];
        law.to_unconstrained(&TRUTH, &mut theta).unwrap();
        let mut grad = [0.0; 7];
        let mut ns = Vec::new();
        let mut values = Vec::new();
        for objective in [&by_rows, &by_groups] {
            let mut scratch = vec![0.0; objective.scratch_len()];
            values.push(
                objective
                    .eval(&theta, Some(&mut grad), &mut scratch)
                    .unwrap(),
            );
            let s = time(|| {
                black_box(
                    objective
                        .eval(black_box(&theta), Some(&mut grad), &mut scratch)
                        .unwrap(),
                );
            });
            ns.push(s * 1e9 / rows as f64);
        }
        let mut options = FitOptions {
            loss,
            ..FitOptions::default()
        };
        if !default_search {
            options.basin.starts = 1;
            options.basin.hops = 0;
        }
        if no_screen {
            options.screen.above_rows = 0;
        }
        if let Some(n) = screen_rows {
            options.screen.above_rows = n;
        }
        let t = Instant::now();
        let fitted = fit(law, &runs, &options, |_| ControlFlow::Continue(())).unwrap();
        let seconds = t.elapsed().as_secs_f64();
        let outcome = fitted.outcome.expect("a searched fit");
        let evaluations = outcome.evaluations;
        // Evaluations on every row: all of them, or the polishes' when screened.
        let full_evaluations = if outcome.screen_rows > 0 {
            outcome.polish_evaluations
        } else {
            evaluations
        };
        println!(
            "{{\"rows\": {rows}, \"eval_ns_per_row\": {:.2}, \"grouped_ns_per_row\": {:.2}, \
             \"value\": {:.17e}, \"grouped_value\": {:.17e}, \"fit_seconds\": {seconds:.4}, \
             \"fit_evaluations\": {evaluations}, \"fit_ns_per_row_eval\": {:.2}, \
             \"fit_objective\": {:.17e}, \"default_search\": {default_search}, \
             \"screen_rows\": {}, \"polished\": {}, \"polish_evaluations\": {}, \
             \"agreeing\": {}}}",
            ns[0],
            ns[1],
            values[0],
            values[1],
            seconds * 1e9 / (rows as f64 * full_evaluations.max(1) as f64),
            fitted.objective,
            outcome.screen_rows,
            outcome.polished,
            outcome.polish_evaluations,
            outcome.agreeing
        );
    }
}
