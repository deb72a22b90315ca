//! Tiny data sets through `mixlaw_fit::owned::fit` with a tiny search: Ok with a finite
//! objective and finite parameters, or an error; never a panic.
#![no_main]

use core::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use mixlaw_core::{laws::NAMES, AnyLaw, Law, Loss, Scales};
use mixlaw_fit::{
    owned::{fit, FitOptions, Runs},
    BasinConfig, LbfgsConfig,
};
use mixlaw_fuzz::Bytes;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let name = NAMES[usize::from(b.u8()) % NAMES.len()];
    let k = usize::from(b.u8() % 4) + 1;
    let Ok(law) = AnyLaw::new(name, k, Some(0)) else {
        return;
    };
    let rows = usize::from(b.u8() % 8);
    let mut runs = Runs {
        k,
        ..Runs::default()
    };
    let (mut n, mut d, mut u) = (Vec::new(), Vec::new(), Vec::new());
    let mut h = [0.0; 4];
    for _ in 0..rows {
        b.mixture(k, &mut h);
        runs.h.extend_from_slice(&h[..k]);
        n.push(b.positive());
        d.push(b.positive());
        u.push(b.positive());
        runs.y.push(if b.u8().is_multiple_of(8) {
            b.f64()
        } else {
            1.0 + f64::from(b.u8()) / 64.0
        });
    }
    let inputs = law.inputs();
    runs.n = inputs.n.then_some(n);
    runs.d = inputs.d.then_some(d);
    runs.u = inputs.u.then_some(u);
    if b.u8().is_multiple_of(4) {
        runs.weights = Some((0..rows).map(|_| b.f64()).collect());
    }
    let loss = match b.u8() % 3 {
        0 => Loss::default(),
        1 => Loss::Squared,
        _ => Loss::LogHuber { delta: b.f64() },
    };
    let scales = if b.u8().is_multiple_of(4) {
        Scales {
            n: b.f64(),
            d: b.f64(),
        }
    } else {
        Scales { n: 1e8, d: 1e9 }
    };
    let basin = BasinConfig {
        starts: 1,
        hops: 1,
        candidates: usize::from(b.u8() % 8) + 1,
        seed: u64::from(b.u8()),
        lbfgs: LbfgsConfig {
            max_iterations: 30,
            max_evaluations: 100,
            ..LbfgsConfig::default()
        },
        ..BasinConfig::default()
    };
    let options = FitOptions {
        loss,
        scales: Some(scales),
        basin,
        ..FitOptions::default()
    };
    if let Ok(f) = fit(law, &runs, &options, |_| ControlFlow::Continue(())) {
        assert!(f.objective.is_finite(), "{name}: objective {}", f.objective);
        assert!(
            f.params.iter().all(|p| p.is_finite()),
            "{name}: params {:?}",
            f.params
        );
    }
});
