//! The online scheduler and sampler under arbitrary bounds, step rules and observations
//! (NaN, infinities and huge values included): every Ok leaves the weights on the simplex
//! within the bounds (1e-9), every error leaves them unchanged, draws stay below k.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_fuzz::Bytes;
use mixlaw_opt::schedule::{aioli_matrix, aioli_sweep_mixture, Aioli, Sampler, Scheduler, Step};
use mixlaw_opt::{Bounds, Side};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let k = usize::from(b.u8() % 9);
    let mut lo = [0.0; 8];
    let mut hi = [0.0; 8];
    for i in 0..k.min(8) {
        lo[i] = if b.u8().is_multiple_of(4) {
            b.f64()
        } else {
            f64::from(b.u8()) / 2048.0
        };
        hi[i] = if b.u8().is_multiple_of(4) {
            b.f64()
        } else {
            f64::from(b.u8()) / 128.0
        };
    }
    let kk = k.min(8);
    let bounds = match b.u8() % 3 {
        0 => Bounds::SIMPLEX,
        1 => Bounds::min_weight(lo[0]),
        _ => Bounds::new(Side::Each(&lo[..kk]), Side::Each(&hi[..kk])),
    };
    let eta = if b.u8().is_multiple_of(4) {
        b.f64()
    } else {
        f64::from(b.u8()) / 32.0
    };
    let step = match b.u8() % 3 {
        0 => Step::Constant(eta),
        1 => Step::InverseSqrt(eta),
        _ => Step::AdaGrad(eta),
    };
    let Ok(mut s) = Scheduler::<8>::new(k, &bounds, step) else {
        return;
    };
    let feasible = |w: &[f64]| {
        let sum: f64 = w.iter().sum();
        assert!((sum - 1.0).abs() <= 1e-9, "weights sum to {sum}: {w:?}");
        for (i, &v) in w.iter().enumerate() {
            assert!(
                v >= bounds.lo(i) - 1e-9 && v <= bounds.hi(i) + 1e-9,
                "w[{i}] = {v} outside [{}, {}]",
                bounds.lo(i),
                bounds.hi(i)
            );
        }
    };
    feasible(s.weights());
    let mut sampler = Sampler::<8>::new(s.weights()).ok();
    let mut v = [0.0; 64];
    let mut r = [0.0; 8];
    for _ in 0..16 {
        let op = b.u8();
        let n = if b.u8().is_multiple_of(16) {
            usize::from(b.u8() % 65)
        } else {
            k
        };
        for x in v.iter_mut().take(n.max(k * k)) {
            *x = b.f64();
        }
        for x in r.iter_mut() {
            *x = b.f64();
        }
        let before = s.weights().to_vec();
        let result = match op % 6 {
            0 => s.step_gradient(&v[..n]).map(|_| ()),
            1 => s.step_excess_loss(&v[..n], &r[..k.min(8)]).map(|_| ()),
            2 => {
                let ema = b.u8().is_multiple_of(2).then(|| b.f64());
                let len = if n == k { k * k } else { n };
                s.step_aioli(&v[..len], &Aioli { ema }).map(|_| ())
            }
            3 => {
                let mut a = [0.0; 64];
                let f = b.f64();
                let normalize = b.u8().is_multiple_of(2);
                aioli_matrix(k, &v[..k * k], f, normalize, &mut a[..k * k]).and_then(|()| {
                    assert!(a[..k * k].iter().all(|x| x.is_finite()));
                    s.step_aioli(&a[..k * k], &Aioli { ema: None }).map(|_| ())
                })
            }
            4 => {
                // Half the time the start is one of Aioli's probe mixtures.
                let mut m = [0.0; 8];
                let j = usize::from(b.u8() % 9);
                let f = b.f64();
                match aioli_sweep_mixture(k, j, f, &mut m[..kk]) {
                    Ok(()) if b.u8().is_multiple_of(2) => {
                        assert!((m[..kk].iter().sum::<f64>() - 1.0).abs() < 1e-12);
                        s.set_weights(&m[..kk])
                    }
                    _ => s.set_weights(&v[..n]),
                }
            }
            _ => {
                if let Some(sm) = sampler.as_mut() {
                    if sm.set_weights(s.weights()).is_ok() {
                        for _ in 0..usize::from(b.u8()) {
                            assert!(sm.next_domain() < k);
                        }
                    }
                }
                Ok(())
            }
        };
        if result.is_err() {
            assert_eq!(s.weights(), &before[..], "an error changed the weights");
        }
        feasible(s.weights());
    }
    if let Some(sm) = sampler {
        assert!(sm.counts().iter().all(|&c| c < u64::MAX));
    }
});
