//! Evaluation and optimisation allocate nothing: a counting global allocator watches
//! them. One test function, so no other test thread allocates meanwhile.
#![allow(unsafe_code)] // a counting global allocator needs `unsafe impl GlobalAlloc`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use mixlaw_info::{optimize, random_search, InfoLaw, Normalization, Problem, Side, Source};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn evaluation_and_optimisation_do_not_allocate() {
    let w = [0.548, 0.444, 0.004, 0.003, 0.001, 0.0];
    let mut g = [0.0; 6];
    let before = ALLOCATIONS.load(Ordering::SeqCst);
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
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(after - before, 0);
    assert!(mix.unique() > 0.0 && info > 0.0 && opt.info >= rs.info);
    assert!(cert <= 1e-10 * kopt.info);
}
