//! The D-CPT decision procedures on `dcpt` laws (any parameters, budgets, tolerances,
//! domain index, scales) and AutoScale's scale extrapolation (any token counts and t):
//! no panic; a ratio in its interval with a finite loss, finite positive token counts, or
//! a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_core::{laws::dcpt::Dcpt, Scales};
use mixlaw_fuzz::Bytes;
use mixlaw_opt::autoscale::extrapolate;
use mixlaw_opt::cpt::Cpt;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let target = usize::from(b.u8() % 2);
    let domain = usize::from(b.u8() % 3);
    let Ok(law) = Dcpt::new(2, target) else {
        return;
    };
    let natural = !b.u8().is_multiple_of(4);
    let mut params = [0.0; 9];
    for v in &mut params {
        *v = if natural { b.positive() } else { b.f64() };
    }
    let scales = match b.u8() % 4 {
        0 => Scales {
            n: b.f64(),
            d: b.f64(),
        },
        _ => Scales { n: 1e9, d: 1e9 },
    };
    let (n, d) = (b.positive(), b.positive());
    if let Ok(cpt) = Cpt::new(&law, &params, domain, scales) {
        if b.u8().is_multiple_of(2) {
            let (base, tol) = (b.positive(), b.f64());
            if let Ok(Some(r)) = cpt.max_domain_ratio(n, d, base, tol) {
                assert!((0.0..=1.0).contains(&r), "ratio {r}");
            }
        } else {
            let r_min = b.f64();
            if let Ok(m) = cpt.best_ratio_for_domain_tokens(n, d, r_min) {
                assert!(m.x >= r_min && m.x <= 1.0, "ratio {} (r_min {r_min})", m.x);
                assert!(m.value.is_finite(), "loss {}", m.value);
            }
        }
    }

    let k = usize::from(b.u8() % 9);
    let (mut d1, mut d2, mut out) = ([0.0; 8], [0.0; 8], [0.0; 8]);
    for i in 0..k.min(8) {
        d1[i] = b.positive();
        d2[i] = b.positive();
    }
    let t = b.f64();
    let kk = k.min(8);
    if let Ok(total) = extrapolate(
        &d1[..kk],
        &d2[..k.saturating_sub(1).max(kk)],
        t,
        &mut out[..kk],
    ) {
        assert!(total.is_finite() && total > 0.0, "total {total}");
        assert!(
            out[..kk].iter().all(|x| x.is_finite() && *x >= 0.0),
            "{out:?}"
        );
    }
});
