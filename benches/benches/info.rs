//! Criterion: InfoLaw recipe optimisation for one Table 6 setting (7B, T = 300B tokens,
//! S = 300B): the exact solver (`mixlaw_info::optimize`, mirror descent over mixtures of
//! prefix-uniform recipes) against the paper's search, the best of 100,000 sorted
//! Dirichlet(1) recipes (`mixlaw_info::random_search`); plus an optimum at a capacity
//! kink (exact fallback), one `info` evaluation and one gradient.
//!
//! ```text
//! cargo bench -p mixlaw-benches --bench info
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use mixlaw_info::{optimize, random_search, InfoLaw, KinkSide, Normalization, Setting, Source};

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let src = Source::paper(300e9).unwrap();
    let p = Setting::new(&InfoLaw::PAPER, &src, 7e9, 300e9).unwrap();
    let opt = optimize(&p).unwrap();
    let rs = random_search(&p, 100_000, 1).unwrap();
    assert!(opt.info >= rs.info);
    eprintln!(
        "optimize: w = {:?}, info = {:.6e}, {} steps, gap {:.1e}",
        opt.recipe.as_slice(),
        opt.info,
        opt.iterations,
        opt.gap
    );
    eprintln!(
        "random search (100k): w = {:?}, info = {:.6e}",
        rs.recipe.as_slice(),
        rs.info
    );

    // Quick ratio outside criterion (best of 5 wall-clock runs each).
    let best = |f: &dyn Fn(), reps: u32| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..reps {
                    f();
                }
                t.elapsed().as_secs_f64() / reps as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    let t_opt = best(
        &|| {
            black_box(optimize(black_box(&p)).unwrap());
        },
        2000,
    );
    let t_rs = best(
        &|| {
            black_box(random_search(black_box(&p), 100_000, 1).unwrap());
        },
        3,
    );
    eprintln!(
        "wall clock: optimize {:.2} us, random search {:.2} ms, ratio {:.0}x",
        t_opt * 1e6,
        t_rs * 1e3,
        t_rs / t_opt
    );

    let mut group = c.benchmark_group("info_7B_T300B_S300B");
    group.bench_function("optimize_exact", |b| {
        b.iter(|| black_box(optimize(black_box(&p)).unwrap()))
    });
    group.sample_size(10);
    group.bench_function("random_search_100k", |b| {
        b.iter(|| black_box(random_search(black_box(&p), 100_000, 1).unwrap()))
    });
    group.finish();

    // An optimum at a capacity kink (g(D) = 1, S = 3T): solver chunks, then the exact
    // pool-adjacent-violators fallback.
    let law = InfoLaw {
        normalization: Normalization::Constant(1.0),
        ..InfoLaw::PAPER
    };
    let kink = Setting::new(&law, &Source::paper(3e11).unwrap(), 7e9, 1e11).unwrap();
    let kopt = optimize(&kink).unwrap();
    eprintln!(
        "kink optimum: w = {:?}, {:?}, {} steps",
        kopt.recipe.as_slice(),
        kopt.status,
        kopt.iterations
    );
    c.bench_function("optimize_kink_fallback", |b| {
        b.iter(|| black_box(optimize(black_box(&kink)).unwrap()))
    });

    let w = [0.548, 0.444, 0.004, 0.003, 0.001, 0.0];
    let mut g = [0.0; 6];
    c.bench_function("info_eval", |b| {
        b.iter(|| black_box(p.info(black_box(&w)).unwrap()))
    });
    c.bench_function("info_gradient", |b| {
        b.iter(|| black_box(p.gradient(black_box(&w), &mut g, KinkSide::Left).unwrap()))
    });
    c.final_summary();
}
