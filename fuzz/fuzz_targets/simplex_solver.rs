//! The simplex solver on a law at (N, D) with arbitrary bounds: Ok means `h` on the
//! simplex within the bounds (1e-9) with a finite objective; otherwise a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_core::{laws::NAMES, AnyLaw, Law, Scales};
use mixlaw_fuzz::Bytes;
use mixlaw_opt::{Bounds, Config, LawAt, Side, Solver, StepRule};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let name = NAMES[usize::from(b.u8()) % NAMES.len()];
    let k = usize::from(b.u8() % 8) + 1;
    let Ok(law) = AnyLaw::new(name, k, Some(0)) else {
        return;
    };
    let p = law.num_params();
    if p > 64 {
        return;
    }
    let mut params = [0.0; 64];
    for v in params.iter_mut().take(p) {
        *v = b.positive();
    }
    let (n, d) = (b.positive(), b.positive());
    let Ok(target) = LawAt::new(&law, &params[..p], n, d, Scales { n: 1e9, d: 1e9 }) else {
        return;
    };
    let mut lo = [0.0; 8];
    let mut hi = [0.0; 8];
    let lower_each = b.u8().is_multiple_of(2);
    let upper_each = b.u8().is_multiple_of(2);
    for i in 0..k {
        lo[i] = if b.u8().is_multiple_of(4) {
            b.f64()
        } else {
            f64::from(b.u8()) / 1024.0
        };
        hi[i] = if b.u8().is_multiple_of(4) {
            b.f64()
        } else {
            f64::from(b.u8()) / 128.0
        };
    }
    let lower = if lower_each {
        Side::Each(&lo[..k])
    } else {
        Side::All(lo[0])
    };
    let upper = if upper_each {
        Side::Each(&hi[..k])
    } else {
        Side::All(hi[0].max(1.0))
    };
    let bounds = Bounds { lower, upper };
    let config = Config {
        gap_tol: if b.u8().is_multiple_of(8) {
            b.f64()
        } else {
            1e-10
        },
        max_iter: usize::from(b.u8()) * 8,
        step: if b.u8().is_multiple_of(2) {
            StepRule::Spectral
        } else {
            StepRule::Armijo
        },
        max_backtracks: usize::from(b.u8() % 64),
    };
    let mut h = [0.0; 8];
    let hk = if b.u8().is_multiple_of(16) {
        usize::from(b.u8() % 9)
    } else {
        k
    };
    for v in h.iter_mut().take(hk) {
        *v = if b.u8().is_multiple_of(8) {
            b.f64()
        } else {
            f64::from(b.u8())
        };
    }
    let mut solver = Solver::<8>::new(config);
    if std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!(
            "{name} k={k} params={:?} n={n} d={d} bounds={bounds:?} config={config:?} h0={:?}",
            &params[..p],
            &h[..hk]
        );
    }
    if let Ok(s) = solver.minimize(&target, &bounds, &mut h[..hk]) {
        let h = &h[..k];
        assert!(s.objective.is_finite(), "objective {}", s.objective);
        let sum: f64 = h.iter().sum();
        assert!((sum - 1.0).abs() <= 1e-9, "sum {sum} h {h:?}");
        for (i, &x) in h.iter().enumerate() {
            assert!(x.is_finite() && x >= -1e-9, "h[{i}] = {x}");
            assert!(
                x >= bounds.lo(i) - 1e-9,
                "h[{i}] = {x} < lo {}",
                bounds.lo(i)
            );
            assert!(
                x <= bounds.hi(i) + 1e-9,
                "h[{i}] = {x} > hi {}",
                bounds.hi(i)
            );
        }
    }
});
