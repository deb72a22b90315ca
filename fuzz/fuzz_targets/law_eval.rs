//! Any law of the catalogue, any k, parameters, mixture, N and D: `value`, `value_grad`
//! and `grad_h` return a finite value (and finite gradients) or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_core::{laws::NAMES, AnyLaw, Law, LawExt, Point, Scales};
use mixlaw_fuzz::Bytes;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let name = NAMES[usize::from(b.u8()) % NAMES.len()];
    let k = usize::from(b.u8() % 10);
    let target = match b.u8() % 4 {
        0 => None,
        t => Some(usize::from(t - 1)),
    };
    let Ok(law) = AnyLaw::new(name, k, target) else {
        return;
    };
    let p = law.num_params();
    if p > 64 {
        return;
    }
    let mut params = [0.0; 64];
    let natural = !b.u8().is_multiple_of(4);
    for v in params.iter_mut().take(p) {
        *v = if natural { b.positive() } else { b.f64() };
    }
    let params = &params[..p];
    let hk = if b.u8().is_multiple_of(16) {
        usize::from(b.u8() % 10)
    } else {
        k
    };
    let mut h = [0.0; 10];
    b.mixture(hk, &mut h);
    let (n, d) = (b.positive(), b.positive());
    let scales = match b.u8() % 4 {
        0 => Scales {
            n: b.f64(),
            d: b.f64(),
        },
        _ => Scales { n: 1e9, d: 1e9 },
    };
    let u = b.positive();
    let point = if b.u8().is_multiple_of(2) {
        Point::new(&h[..hk], n, d)
    } else {
        Point::with_unique(&h[..hk], n, d, u)
    };
    let Ok(point) = point else {
        return;
    };

    if let Ok(v) = law.value(params, &point, scales) {
        assert!(v.is_finite(), "{name} k={k}: value {v}");
    }
    let mut grad = [0.0; 64];
    if let Ok(v) = law.value_grad(params, &point, scales, &mut grad[..p]) {
        assert!(v.is_finite(), "{name} k={k}: value_grad value {v}");
    }
    let mut gh = [0.0; 10];
    if let Ok(v) = law.grad_h(params, &point, scales, &mut gh[..k]) {
        assert!(v.is_finite(), "{name} k={k}: grad_h value {v}");
        assert!(
            gh[..k].iter().all(|g| g.is_finite()),
            "{name}: grad_h {gh:?}"
        );
    }
});
