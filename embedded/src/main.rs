//! Footprint of mixlaw on a Cortex-M4F (`thumbv7em-none-eabihf`): evaluate a fitted joint
//! law (k = 3, fixed parameters) at a point with its mixture gradient, then solve for the
//! optimal mixture `h*` with `mixlaw_opt::Solver` in fixed-size stack buffers. No
//! allocator, no `std`, no runtime crate: `_start` is the entry point the linker keeps, and
//! `black_box` stops the compiler from folding the fixed inputs into constants.
//!
//! Build: `cargo build --release` (the target is set in `.cargo/config.toml`); size:
//! `llvm-size target/thumbv7em-none-eabihf/release/mixlaw-embedded`.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;

use mixlaw_core::{LawExt, laws::joint::Joint, Law, Point, Scales};
use mixlaw_opt::{Bounds, LawAt, Solver};

/// A joint law fitted to three domains (natural parameters, in the law's block order:
/// E, alpha, beta, C[3], gamma[3], CA[3], gammaA, CB[3], gammaB).
const PARAMS: [f64; 17] = [
    1.8, 0.32, 0.28, // E, alpha, beta
    2.0, 1.5, 0.8, // C
    0.4, 0.3, 0.5, // gamma
    4.0, 6.0, 5.0, // CA
    0.9, // gammaA
    7.0, 9.0, 8.0, // CB
    1.1, // gammaB
];

/// Results, kept so the work is not optimised away.
#[derive(Default)]
struct Out {
    loss: f64,
    grad_h: [f64; 3],
    h: [f64; 3],
    objective: f64,
    status: u32,
}

fn run() -> Out {
    let mut out = Out::default();
    let params: [f64; 17] = black_box(PARAMS);
    let (n, d) = black_box((7e9, 1.5e11));
    let scales = Scales { n: 1e9, d: 1e9 };
    let Ok(law) = Joint::new(black_box(3)) else {
        out.status = 1;
        return out;
    };
    let Ok(point) = Point::new(&black_box([0.5, 0.3, 0.2]), n, d) else {
        out.status = 2;
        return out;
    };
    match law.grad_h(&params, &point, scales, &mut out.grad_h) {
        Ok(v) => out.loss = v,
        Err(_) => out.status = 3,
    }
    let Ok(target) = LawAt::new(&law, &params, n, d, scales) else {
        out.status = 4;
        return out;
    };
    out.h = [1.0 / 3.0; 3];
    let bounds = Bounds::min_weight(black_box(0.05));
    match Solver::<3>::default().minimize(&target, &bounds, &mut out.h) {
        Ok(s) => out.objective = s.objective,
        Err(_) => out.status = 5,
    }
    out
}

/// Entry point (the symbol the linker starts from and keeps).
#[no_mangle]
pub extern "C" fn _start() -> ! {
    let out = run();
    black_box(&out);
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
