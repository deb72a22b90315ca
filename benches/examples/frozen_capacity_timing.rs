//! Times `Objective::eval` (value and gradient) of a frozen capacity law, `capacity-eq3`
//! with its exponents frozen and `c[i]`, `E[i]`, `H` free, on synthetic runs, two ways in
//! one run: through `Frozen`'s forwarded `eval_outputs` (one inner solve per run for all k
//! outputs, as today), and through the trait's default per-output `eval_outputs` (one
//! single-row call per output, each re-solving the inner problem: what `Frozen` did before
//! it forwarded the call), by a wrapper that forwards everything else. Prints one JSON
//! line per k with both times (best of 5 repeats) and their ratio.
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example frozen_capacity_timing
//! ```
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Instant;

use mixlaw_core::capacity::{CapacityLaw, Head};
use mixlaw_core::frozen::Frozen;
use mixlaw_core::param::{Block, ParamInfo};
use mixlaw_core::{
    Dataset, Inputs, Law, LawExt, Layout, Loss, Objective, Point, Prepared, Row, Scales,
};

/// `L` with the trait's default `eval_outputs` / `grad_h_outputs` (per output).
struct PerOutput<'a, L>(&'a L);

impl<L: Law> Law for PerOutput<'_, L> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn domains(&self) -> usize {
        self.0.domains()
    }
    fn blocks(&self) -> &'static [Block] {
        self.0.blocks()
    }
    fn inputs(&self) -> Inputs {
        self.0.inputs()
    }
    fn outputs(&self) -> usize {
        self.0.outputs()
    }
    fn num_params(&self) -> usize {
        self.0.num_params()
    }
    fn param_info(&self, i: usize) -> Option<ParamInfo> {
        self.0.param_info(i)
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        self.0.eval_row(params, row, grad)
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.0.grad_h_row(params, row, grad_h)
    }
}

/// Best of 5 repeats of `calls` evaluations, in microseconds per evaluation.
fn best_us(calls: usize, mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    const CAP: usize = 5 * 64 + 1;
    for k in [8, 32, 64] {
        let inner = CapacityLaw::eq3(k, Head::Fitted).unwrap();
        let p = inner.num_params();
        let full: Vec<f64> = (0..p)
            .map(|i| match inner.param_info(i).unwrap().name.base {
                "b" | "a" => 0.2 + 0.3 * ((i % 5) as f64 / 5.0),
                "c" | "A" => 1.0 + (i % 3) as f64,
                "E" => 1.5,
                _ => 0.5,
            })
            .collect();
        let free: Vec<bool> = (0..p)
            .map(|i| ["c", "E", "H"].contains(&inner.param_info(i).unwrap().name.base))
            .collect();
        let law = Frozen::<_, CAP>::new(inner, &full, &free).unwrap();
        let rows = 50;
        let h: Vec<f64> = (0..rows)
            .flat_map(|r| {
                let raw: Vec<f64> = (0..k).map(|i| 1.0 + ((r + 3 * i) % 7) as f64).collect();
                let s: f64 = raw.iter().sum();
                raw.into_iter().map(move |v| v / s)
            })
            .collect();
        let n: Vec<f64> = (0..rows)
            .map(|r| 10.0 * k as f64 * (1.0 + r as f64))
            .collect();
        let d: Vec<f64> = (0..rows).map(|r| 5.0 + (r % 4) as f64).collect();
        let mut y = vec![0.0; rows * k];
        for r in 0..rows {
            let point =
                Point::<64>::with_capacity(&h[r * k..(r + 1) * k], n[r], d[r], 1.0).unwrap();
            inner
                .values(&full, &point, Scales::default(), &mut y[r * k..(r + 1) * k])
                .unwrap();
        }
        y.iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v *= 1.0 + 0.01 * ((i % 5) as f64 - 2.0));
        let data = Dataset::with_layout(Layout::new(k).outputs(k), &h, &y)
            .unwrap()
            .with_n(&n)
            .unwrap()
            .with_d(&d)
            .unwrap();
        let mut cache = vec![0.0; Prepared::buffer_len(rows, k)];
        let prepared = Prepared::new(data, Scales::default(), &mut cache).unwrap();
        let mut params = vec![0.0; law.num_params()];
        law.start(&mut params).unwrap();
        let per_output = PerOutput(&law);
        let time = |l: &dyn Law| {
            let obj = Objective::new(l, &prepared, Loss::Squared).unwrap();
            let mut theta = vec![0.0; params.len()];
            obj.to_unconstrained(&params, &mut theta).unwrap();
            let mut g = vec![0.0; params.len()];
            let mut scratch = vec![0.0; obj.scratch_len()];
            let value = obj.eval(&theta, Some(&mut g), &mut scratch).unwrap();
            let us = best_us(20, || {
                black_box(
                    obj.eval(black_box(&theta), Some(&mut g), &mut scratch)
                        .unwrap(),
                );
            });
            (value, us)
        };
        let (v_forwarded, forwarded) = time(&law);
        let (v_default, default) = time(&per_output);
        println!(
            "{{\"k\": {k}, \"rows\": {rows}, \"params\": {}, \"objective\": [{v_forwarded}, {v_default}], \
             \"forwarded_us\": {forwarded:.1}, \"per_output_us\": {default:.1}, \"speedup\": {:.1}}}",
            law.num_params(),
            default / forwarded
        );
    }
}
