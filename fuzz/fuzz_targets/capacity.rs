//! The capacity laws (eq 1, eq 3; fitted or fixed head), any k, parameters, mixture
//! (zeros included), N, D: `values`, `weighted_grad_h` and the inner `allocate` return
//! finite values (+inf only for eq 3 outputs at h_i = 0) or a typed error, never panic;
//! an allocation spends its budget and respects the floor; the generic objective over k
//! losses per run has a finite gradient wherever its value is finite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_core::capacity::{allocate, mask_below, CapacityLaw, Form, Head};
use mixlaw_core::{Dataset, Law, LawExt, Layout, Loss, Objective, Point, Prepared, Scales};
use mixlaw_fuzz::Bytes;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let form = if b.u8().is_multiple_of(2) {
        Form::Eq1
    } else {
        Form::Eq3
    };
    let k = usize::from(b.u8() % 9);
    let head = if b.u8().is_multiple_of(2) {
        Head::Fitted
    } else {
        Head::Fixed(b.f64())
    };
    let Ok(law) = CapacityLaw::new(form, k, head) else {
        return;
    };
    let p = law.num_params();
    let mut params = [0.0; 64];
    let natural = !b.u8().is_multiple_of(4);
    for v in params.iter_mut().take(p) {
        *v = if natural { b.positive() } else { b.f64() };
    }
    let params = &params[..p];
    let mut h = [0.0; 8];
    b.mixture(k, &mut h);
    let h = &h[..k];
    let (n, d) = (b.positive(), b.positive());
    let scales = Scales { n: 1.0, d: 1.0 };

    let mut out = [0.0; 8];
    let point = Point::new(h, n, d);
    if let Some(Ok(())) = point
        .as_ref()
        .ok()
        .map(|pt| law.values(params, pt, scales, &mut out[..k]))
    {
        for (i, v) in out[..k].iter().enumerate() {
            let diverges = form == Form::Eq3 && h[i] == 0.0;
            assert!(
                v.is_finite() || (diverges && *v == f64::INFINITY),
                "output {i}: {v}"
            );
        }
    }
    let mut w = [0.0; 8];
    for (wi, &hi) in w.iter_mut().zip(h) {
        *wi = if form == Form::Eq3 && hi == 0.0 {
            0.0
        } else {
            b.f64()
        };
    }
    let mut gh = [0.0; 8];
    if let Some(Ok(v)) = point
        .as_ref()
        .ok()
        .map(|pt| law.weighted_grad_h(params, pt, scales, &w[..k], &mut gh[..k]))
    {
        assert!(v.is_finite());
        assert!(gh[..k].iter().all(|x| x.is_finite()), "grad_h {gh:?}");
    }

    // The inner problem alone.
    let (mut bb, mut cc, mut x) = ([0.0; 8], [0.0; 8], [0.0; 8]);
    for i in 0..k {
        bb[i] = b.positive();
        cc[i] = b.positive();
    }
    let (budget, floor) = (b.positive(), b.positive());
    if let Ok(a) = allocate(h, &bb[..k], &cc[..k], budget, floor, &mut x[..k]) {
        assert!(x[..k].iter().all(|&v| v >= floor), "{x:?} below {floor}");
        if !a.saturated() {
            let spent: f64 = x[..k].iter().sum();
            if spent.is_finite() && budget.is_finite() {
                assert!(
                    (spent - budget).abs() <= 1e-6 * budget,
                    "spent {spent} of {budget}"
                );
            }
        }
    }

    // A two-run objective on these inputs.
    let hh = [h, h].concat();
    let y: Vec<f64> = (0..2 * k).map(|_| b.f64()).collect();
    let mut wts = vec![0.0; 2 * k];
    let nn = [n, n];
    let dd = [d, d];
    let data = mask_below(&hh, 0.0, &mut wts).and_then(|()| {
        Dataset::with_layout(Layout::new(k).outputs(k), &hh, &y)?
            .with_n(&nn)?
            .with_d(&dd)?
            .with_entry_weights(&wts)
    });
    if let Ok(data) = data {
        let mut cache = vec![0.0; Prepared::buffer_len(2, k)];
        if let Ok(prepared) = Prepared::new(data, scales, &mut cache) {
            if let Ok(obj) = Objective::new(&law, &prepared, Loss::Squared) {
                let theta: Vec<f64> = (0..p).map(|_| b.f64()).collect();
                let mut grad = vec![0.0; p];
                let mut scratch = vec![0.0; obj.scratch_len()];
                if let Ok(v) = obj.eval(&theta, Some(&mut grad), &mut scratch) {
                    assert!(!v.is_nan(), "objective {v}");
                    if v.is_finite() {
                        assert!(
                            grad.iter().all(|x| x.is_finite()),
                            "gradient {grad:?} at {theta:?}"
                        );
                    }
                }
            }
        }
    }
});
