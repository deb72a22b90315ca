//! Evaluation and optimisation allocate nothing: a counting global allocator watches
//! them. One test function, so no other test thread allocates meanwhile.
#![allow(unsafe_code)] // a counting global allocator needs `unsafe impl GlobalAlloc`

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use mixlaw_info::fit;
use mixlaw_info::{optimize, random_search, InfoLaw, Normalization, Problem, Side, Source};

struct Counting;

// Counted per thread: the test harness runs other tests (which allocate) concurrently.
thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

const FIT_A: [f64; 6] = [0.8, 0.2, 0.0, 0.0, 0.0, 0.0];
const FIT_B: [f64; 6] = [0.3, 0.3, 0.2, 0.1, 0.1, 0.0];

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn evaluation_and_optimisation_do_not_allocate() {
    let w = [0.548, 0.444, 0.004, 0.003, 0.001, 0.0];
    let mut g = [0.0; 6];
    let before = ALLOCATIONS.with(Cell::get);
    let src = Source::paper(300e9).unwrap();
    let p = Problem::new(&InfoLaw::PAPER, &src, 7e9, 300e9).unwrap();
    let mix = src.layermix(&w, 300e9).unwrap();
    let info = p.info(&w).unwrap();
    p.gradient(&w, &mut g, Side::Left).unwrap();
    let opt = optimize(&p).unwrap();
    let rs = random_search(&p, 1000, 1).unwrap();
    // A kink optimum: chunked solver, certificate search and the exact fallback.
    let law = InfoLaw {
        normalization: Normalization::Constant(1.0),
        ..InfoLaw::PAPER
    };
    let kink = Problem::new(&law, &Source::paper(3e11).unwrap(), 7e9, 1e11).unwrap();
    let kopt = optimize(&kink).unwrap();
    let cert = kink.certified_gap(kopt.recipe.as_slice()).unwrap();
    // Both fits, on runs and scratch prepared before counting.
    let fit_runs = [
        (1e8, 1e10, 0.8, 3.4),
        (1e9, 2e10, 0.5, 3.0),
        (3e9, 5e10, 0.3, 2.8),
        (1e9, 1e11, 0.2, 2.9),
    ]
    .map(|(n, t, w0, loss)| fit::Run {
        model_size: n,
        tokens: t,
        source: src,
        recipe: if w0 > 0.5 { &FIT_A } else { &FIT_B },
        loss,
    });
    let (mut scratch, mut order) = ([0.0; 12], [0usize; 4]);
    let before_fit = ALLOCATIONS.with(Cell::get);
    let config = mixlaw_fit::BasinConfig {
        starts: 2,
        hops: 1,
        ..mixlaw_fit::BasinConfig::default()
    };
    let cont = fit::fit_continuous(&fit_runs, &config).unwrap();
    let paper = fit::fit_paper(
        &fit_runs,
        50,
        1,
        (0.0, 1.0),
        (1.0, 4.0),
        &mut scratch,
        &mut order,
    )
    .unwrap();
    let after = ALLOCATIONS.with(Cell::get);
    assert_eq!(before_fit - before, 0);
    assert_eq!(after - before, 0);
    assert!(cont.mse_log.is_finite() && paper.fitted.mse_log.is_finite());
    assert!(mix.unique() > 0.0 && info > 0.0 && opt.info >= rs.info);
    assert!(cert <= 1e-10 * kopt.info);
}
