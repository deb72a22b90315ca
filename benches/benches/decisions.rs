//! Criterion: the decision-support mechanisms at the sizes the program meets: Kendall tau-b
//! (Knight's O(n log n)) over 512 and 4,096 rows with ties; exact hull membership of a
//! mixture among m training mixtures of k domains (RegMix's 512 x 17, and the 4,096 cap of
//! a params file at k = 20), for a point inside (a convex combination) and outside (a
//! random mixture).
//!
//! ```text
//! cargo bench -p mixlaw-benches --bench decisions
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::Criterion;
use mixlaw_core::metrics::kendall;
use mixlaw_fit::Rng;
use mixlaw_opt::support::TrainingSupport;

/// A Dirichlet(1) mixture of k domains.
fn mixture(g: &mut Rng, k: usize) -> Vec<f64> {
    let mut w = vec![0.0; k];
    g.dirichlet(&mut w);
    w
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut g = Rng::new(42);
    for n in [512usize, 4096] {
        // Predictions with ties (rounded to 3 decimals) against observations.
        let x: Vec<f64> = (0..n)
            .map(|_| (g.next_f64() * 1000.0).round() / 1000.0)
            .collect();
        let y: Vec<f64> = x.iter().map(|v| v + 0.1 * g.next_f64()).collect();
        let mut work = vec![0usize; 2 * n];
        c.bench_function(&format!("kendall_n{n}"), |b| {
            b.iter(|| kendall(black_box(&x), black_box(&y), &mut work).unwrap())
        });
    }
    for (k, m) in [(17usize, 512usize), (20, 4096)] {
        let runs: Vec<f64> = (0..m).flat_map(|_| mixture(&mut g, k)).collect();
        let mut storage = vec![0.0; TrainingSupport::storage_len(k, m)];
        let support = TrainingSupport::from_mixtures(k, &runs, &mut storage).unwrap();
        let mut work = vec![0.0; support.hull_workspace_len()];
        let w = mixture(&mut g, m);
        let inside: Vec<f64> = (0..k)
            .map(|i| (0..m).map(|j| w[j] * runs[j * k + i]).sum())
            .collect();
        let mut outside = mixture(&mut g, k);
        outside[0] += 1.0;
        let s: f64 = outside.iter().sum();
        outside.iter_mut().for_each(|v| *v /= s);
        for (name, h) in [("inside", &inside), ("outside", &outside)] {
            let r = support.contains(h, &mut work).unwrap();
            eprintln!("hull k{k} m{m} {name}: {r:?}");
            c.bench_function(&format!("hull_k{k}_m{m}_{name}"), |b| {
                b.iter(|| support.contains(black_box(h), &mut work).unwrap())
            });
        }
    }
    c.final_summary();
}
