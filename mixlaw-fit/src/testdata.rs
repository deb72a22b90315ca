//! Synthetic runs for the tests of the `std` layer.

use std::vec::Vec;

use mixlaw_core::{AnyLaw, LawExt, Point, Scales};

use crate::owned::Runs;
use crate::rng::Rng;

/// True parameters of `law` (k = 3) used by [`mixture_runs`].
pub fn truth(law: &str) -> Vec<f64> {
    match law {
        // E, A, B, alpha, beta, C[3], gamma[3]
        "additive" => std::vec![1.6, 0.8, 1.2, 0.32, 0.3, 2.0, 1.2, 0.8, 0.35, 0.45, 0.3],
        // E, alpha, beta, C[3], gamma[3], CA[3], gammaA, CB[3], gammaB
        _ => std::vec![
            1.6, 0.32, 0.3, 2.0, 1.2, 0.8, 0.35, 0.45, 0.3, 0.4, 0.5, 0.6, 1.1, 1.5, 1.2, 1.8, 0.9,
        ],
    }
}

/// Runs of `law` ("additive" or "joint", k = 3) with 0.2 % noise: 8 mixtures at
/// N = 30M, 60M, 120M with 4 checkpoints each (train), and the first 3 mixtures at
/// N = 600M (eval); N, D in raw units (scale 1e9).
pub fn mixture_runs(law: &str) -> (Runs, Runs, Vec<f64>) {
    let params = truth(law);
    let model = AnyLaw::new(law, 3, None).ok();
    let mut rng = Rng::new(2025);
    let mixtures: Vec<[f64; 3]> = (0..8)
        .map(|_| {
            let raw = [
                rng.uniform(0.1, 1.0),
                rng.uniform(0.1, 1.0),
                rng.uniform(0.1, 1.0),
            ];
            let s: f64 = raw.iter().sum();
            [raw[0] / s, raw[1] / s, raw[2] / s]
        })
        .collect();
    let mut gen = |sizes: &[f64], mixtures: &[[f64; 3]]| {
        let mut runs = Runs {
            k: 3,
            n: Some(Vec::new()),
            d: Some(Vec::new()),
            ..Runs::default()
        };
        for h in mixtures {
            for &n in sizes {
                for step in 1..=4 {
                    let d = 20.0 * n * step as f64 / 4.0;
                    let value = Point::new(h, n, d)
                        .ok()
                        .zip(model.as_ref())
                        .and_then(|(p, m)| m.value(&params, &p, Scales { n: 1e9, d: 1e9 }).ok())
                        .unwrap_or(3.0);
                    let (u1, u2) = (rng.next_f64().max(1e-300), rng.next_f64());
                    let z = libm::sqrt(-2.0 * libm::log(u1))
                        * libm::cos(2.0 * core::f64::consts::PI * u2);
                    runs.h.extend_from_slice(h);
                    runs.y.push(value * (1.0 + 0.002 * z));
                    if let (Some(nn), Some(dd)) = (runs.n.as_mut(), runs.d.as_mut()) {
                        nn.push(n);
                        dd.push(d);
                    }
                }
            }
        }
        runs
    };
    let train = gen(&[3e7, 6e7, 1.2e8], &mixtures);
    let eval = gen(&[6e8], mixtures.get(..3).unwrap_or(&[]));
    (train, eval, params)
}
