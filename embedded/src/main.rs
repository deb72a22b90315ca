//! mixlaw on a Cortex-M4F (`thumbv7em-none-eabihf`), run under QEMU (`cargo run --release`,
//! see `.cargo/config.toml`): every check of [`checks::CHECKS`] runs on the device and its
//! results are compared bit for bit with the host's, computed by `build.rs` at build time
//! from the same code. One line per check (`ok` or `FAIL`), then the measurements: peak
//! stack per check (the stack is painted before each and its high-water mark read
//! after), and executed instructions per check, per law evaluation, per gradient, per
//! solver iteration and per scheduler update / sample (SysTick under QEMU's `-icount`,
//! see [`cycles`]), with the device path (a law at a budget, the simplex solver) in `f64`
//! (soft-float on the M4F) and in `f32` (its FPU) side by side. Exits through semihosting
//! with status 0 only if every check passed.
//!
//! No float formatting: values that differ are printed as bit patterns, which is exact
//! and keeps `core::fmt`'s float code out of the measured size.
#![no_std]
#![no_main]

mod checks;
mod cycles;
mod stack;

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use mixlaw_core::{LawExt, Point};
use mixlaw_opt::schedule::{aioli_matrix, Aioli, Sampler, Scheduler, Step};
use mixlaw_opt::{Bounds, SimplexObjective, Solver};

use checks::{Values, BUDGET, CHECKS, H3, H3_F32, JOINT3, SCALES};

mod expected {
    use crate::checks;
    include!(concat!(env!("OUT_DIR"), "/expected.rs"));
}

#[entry]
fn main() -> ! {
    let mut clock = cycles::Counter::start();
    let mut failures = 0usize;

    failures += usize::from(!calibrate(&mut clock));

    let [text, rodata, data, bss] = stack::sections();
    hprintln!(
        "sections: .text {} B (vector table included), .rodata {} B, .data {} B, .bss {} B; stack room {} B",
        text,
        rodata,
        data,
        bss,
        stack::room()
    );
    stack::paint();
    hprintln!(
        "stack before the checks (main's frame + printing): {} B",
        stack::peak()
    );

    hprintln!("checks (device result == host result, bit for bit):");
    let mut peak_all = 0;
    for ((name, check), want) in CHECKS.iter().zip(expected::EXPECTED) {
        let (ok, peak) = run_check(&mut clock, name, *check, want);
        failures += usize::from(!ok);
        peak_all = peak_all.max(peak);
    }
    hprintln!("peak stack over all checks: {} B", peak_all);

    per_call(&mut clock);
    per_call_f32(&mut clock);

    if failures == 0 {
        hprintln!("all checks ok");
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        hprintln!("{} check(s) FAILED", failures);
        debug::exit(debug::EXIT_FAILURE);
    }
    loop {
        cortex_m::asm::nop();
    }
}

/// Runs one check on freshly painted stack, compares its values with the host's bit for
/// bit and prints one line; returns whether it passed and its peak stack.
#[inline(never)]
fn run_check(
    clock: &mut cycles::Counter,
    name: &str,
    check: checks::CheckFn,
    want: &[u64],
) -> (bool, usize) {
    let mut got = Values::new();
    stack::paint();
    let t0 = clock.instructions();
    let result = check(&mut got);
    let insns = clock.instructions() - t0;
    let peak = stack::peak();
    let got = match result {
        Err(e) => {
            hprintln!("FAIL {}: {}", name, e.kind());
            return (false, peak);
        }
        Ok(()) => got.as_slice(),
    };
    let bad = got.len() != want.len() || got.iter().zip(want).any(|(g, w)| g.to_bits() != *w);
    if bad {
        hprintln!("FAIL {}: {} values, host {}", name, got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
            if g.to_bits() != *w {
                hprintln!("  [{}] device {:#018x} host {:#018x}", i, g.to_bits(), w);
            }
        }
    } else {
        hprintln!(
            "ok   {} ({} values; {} instructions, peak stack {} B)",
            name,
            got.len(),
            insns,
            peak
        );
    }
    (!bad, peak)
}

/// Times a loop of exactly `2 * ITER` instructions (`subs` + `bne`) and checks that the
/// counter reports it within 0.1 %: the instruction counts below are only meaningful
/// when QEMU runs with `-icount shift=5` (as `cargo run` does).
fn calibrate(clock: &mut cycles::Counter) -> bool {
    const ITER: u32 = 200_000;
    let t0 = clock.instructions();
    cycles::spin(ITER);
    let got = clock.instructions() - t0;
    let want = 2 * u64::from(ITER);
    let ok = got.abs_diff(want) * 1000 <= want;
    hprintln!(
        "{} instruction counter: a {}-instruction loop measured as {}",
        if ok { "ok  " } else { "FAIL" },
        want,
        got
    );
    ok
}

/// Calls `f` `REPS` times and returns the mean instructions per call.
fn mean(clock: &mut cycles::Counter, f: &mut dyn FnMut()) -> u64 {
    let t0 = clock.instructions();
    for _ in 0..REPS {
        f();
    }
    (clock.instructions() - t0) / REPS
}

/// Calls `f` `REPS` times and prints the mean instructions per call.
fn time(clock: &mut cycles::Counter, what: &str, f: &mut dyn FnMut()) {
    hprintln!("  {}: {}", what, mean(clock, f));
}

/// Prints the mean instructions per call of the `f64` and the `f32` version of one
/// operation, side by side.
fn time_both(
    clock: &mut cycles::Counter,
    what: &str,
    f64_call: &mut dyn FnMut(),
    f32_call: &mut dyn FnMut(),
) {
    let a = mean(clock, f64_call);
    let b = mean(clock, f32_call);
    hprintln!("  {}: f64 {}, f32 {}", what, a, b);
}

/// Instructions and iterations of a solve from the uniform mixture (k = 3), f64 or f32.
fn solve_cost<T: mixlaw_core::Real, O: SimplexObjective<T>>(
    clock: &mut cycles::Counter,
    target: &O,
) -> Option<(u64, usize, usize)> {
    let mut h = [T::ONE / T::from_usize(3); 3];
    let t0 = clock.instructions();
    let sol = Solver::<3, T>::default().minimize(target, &Bounds::SIMPLEX, &mut h);
    let total = clock.instructions() - t0;
    sol.ok().map(|s| (total, s.iterations, s.evaluations))
}

/// Calls per measurement of [`per_call`].
const REPS: u64 = 16;

/// Instructions per call of the hot paths, averaged over `REPS` calls.
#[inline(never)]
fn per_call(clock: &mut cycles::Counter) {
    let Ok(law) = checks::joint3() else { return };
    let Ok(point) = Point::<3>::with_capacity(&H3, BUDGET.0, BUDGET.1, 1.0) else {
        return;
    };
    let Ok(target) = checks::joint3_at(&law) else {
        return;
    };
    let ln_h = H3.map(libm::log);
    let mut grad = [0.0; 17];
    let mut grad_h = [0.0; 3];
    hprintln!(
        "instructions per call (f64, joint law k = 3, mean of {}):",
        REPS
    );
    time(clock, "law value (checked, LawExt::value)", &mut || {
        black_box(
            law.value(black_box(&JOINT3), black_box(&point), SCALES)
                .ok(),
        );
    });
    time(clock, "law value (solver path, LawAt::value)", &mut || {
        black_box(target.value(black_box(&H3), black_box(&ln_h)));
    });
    time(
        clock,
        "value + parameter gradient (LawExt::value_grad)",
        &mut || {
            black_box(
                law.value_grad(black_box(&JOINT3), &point, SCALES, &mut grad)
                    .ok(),
            );
        },
    );
    time(clock, "value + h gradient (LawExt::grad_h)", &mut || {
        black_box(
            law.grad_h(black_box(&JOINT3), &point, SCALES, &mut grad_h)
                .ok(),
        );
    });
    time(
        clock,
        "value + h gradient (solver path, LawAt::value_grad)",
        &mut || {
            black_box(target.value_grad(black_box(&H3), black_box(&ln_h), &mut grad_h));
        },
    );
    if let Some((total, iterations, evaluations)) = solve_cost::<f64, _>(clock, &target) {
        hprintln!(
            "  simplex solver, per iteration (interior solve: {} iterations, {} evaluations, {} instructions): {}",
            iterations,
            evaluations,
            total,
            total / iterations.max(1) as u64
        );
    }
    let bounds = Bounds::min_weight(0.05);
    let Ok(mut scheduler) = Scheduler::<3>::new(3, &bounds, Step::default()) else {
        return;
    };
    time(
        clock,
        "scheduler update on the law's h-gradient (Scheduler::step_objective)",
        &mut || {
            black_box(scheduler.step_objective(black_box(&target)).ok());
        },
    );
    let g = [0.3, -0.1, 0.2];
    time(
        clock,
        "scheduler update on a given gradient (Scheduler::step_gradient)",
        &mut || {
            black_box(scheduler.step_gradient(black_box(&g)).ok());
        },
    );
    let losses = [3.1, 2.9, 3.4];
    let reference = [3.0; 3];
    time(
        clock,
        "scheduler update on excess losses (Scheduler::step_excess_loss)",
        &mut || {
            black_box(
                scheduler
                    .step_excess_loss(black_box(&losses), &reference)
                    .ok(),
            );
        },
    );
    let drops = [0.05, 0.01, 0.02, 0.0, 0.03, 0.01, 0.01, 0.0, 0.04];
    let mut a = [0.0; 9];
    time(
        clock,
        "Aioli round (aioli_matrix + Scheduler::step_aioli, EMA)",
        &mut || {
            if aioli_matrix(3, black_box(&drops), 0.75, true, &mut a).is_ok() {
                black_box(scheduler.step_aioli(&a, &Aioli { ema: Some(0.1) }).ok());
            }
        },
    );
    let Ok(mut sampler) = Sampler::<3>::new(scheduler.weights()) else {
        return;
    };
    time(clock, "sampler draw (Sampler::next_domain)", &mut || {
        black_box(sampler.next_domain());
    });
}

/// Instructions per call of the device path (a law at a budget, [`LawAt`]-style) in `f64`
/// (soft-float on the M4F) and in `f32` (its FPU), side by side: value, value + h-gradient,
/// and one simplex-solver iteration (joint law, k = 3).
#[inline(never)]
fn per_call_f32(clock: &mut cycles::Counter) {
    let Ok(law) = checks::joint3() else { return };
    let Ok(target) = checks::joint3_at(&law) else {
        return;
    };
    let mut params32 = [0.0f32; 17];
    let Ok(target32) = target.converted(&mut params32) else {
        return;
    };
    let ln_h = H3.map(libm::log);
    let ln_h32 = H3_F32.map(mixlaw_core::Real::ln);
    let mut grad_h = [0.0; 3];
    let mut grad_h32 = [0.0f32; 3];
    hprintln!(
        "instructions per call, f64 (soft-float) vs f32 (FPU), device path (LawAt at a budget, joint k = 3, mean of {}):",
        REPS
    );
    time_both(
        clock,
        "law value (LawAt::value)",
        &mut || {
            black_box(target.value(black_box(&H3), black_box(&ln_h)));
        },
        &mut || {
            black_box(target32.value(black_box(&H3_F32), black_box(&ln_h32)));
        },
    );
    time_both(
        clock,
        "value + h gradient (LawAt::value_grad)",
        &mut || {
            black_box(target.value_grad(black_box(&H3), black_box(&ln_h), &mut grad_h));
        },
        &mut || {
            black_box(target32.value_grad(black_box(&H3_F32), black_box(&ln_h32), &mut grad_h32));
        },
    );
    if let (Some(a), Some(b)) = (
        solve_cost::<f64, _>(clock, &target),
        solve_cost::<f32, _>(clock, &target32),
    ) {
        hprintln!(
            "  simplex solver, per iteration: f64 {} ({} iterations, {} evaluations, {} instructions), f32 {} ({} iterations, {} evaluations, {} instructions)",
            a.0 / a.1.max(1) as u64,
            a.1,
            a.2,
            a.0,
            b.0 / b.1.max(1) as u64,
            b.1,
            b.2,
            b.0
        );
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    // The location only: the message could pull float formatting into the size.
    match info.location() {
        Some(l) => hprintln!("FAIL panic at {}:{}", l.file(), l.line()),
        None => hprintln!("FAIL panic"),
    }
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::nop();
    }
}
