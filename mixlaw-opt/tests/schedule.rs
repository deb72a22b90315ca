//! Online scheduler and sampler: weights stay on the simplex within their bounds, the
//! sampler's counts track the weights, the online weights converge to the offline optimum
//! of a fixed law, Aioli's estimate and update follow their formulas, bad input is a
//! typed error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mixlaw_core::laws::joint::Joint;
use mixlaw_core::Scales;
use mixlaw_opt::schedule::{aioli_matrix, aioli_sweep_mixture, Aioli, Sampler, Scheduler, Step};
use mixlaw_opt::{Bounds, Error, LawAt, Side, Solver, Status};
use proptest::prelude::*;

mod common;
use common::joint_params;

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

fn step_rule() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1e-3..10.0f64).prop_map(Step::Constant),
        (1e-3..10.0f64).prop_map(Step::InverseSqrt),
        (1e-2..4.0f64).prop_map(Step::AdaGrad),
    ]
}

/// Random feasible bounds for k domains: lower bounds summing to at most 0.9, caps at
/// least the lower bound and together at least 1.1.
fn bounds(k: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (
        prop::collection::vec(0.0..1.0f64, k),
        prop::collection::vec(0.0..1.0f64, k),
        0.0..0.9f64,
    )
        .prop_map(move |(a, b, mass)| {
            let sa: f64 = a.iter().sum::<f64>().max(1e-9);
            let lo: Vec<f64> = a.iter().map(|v| v / sa * mass).collect();
            let hi: Vec<f64> = lo
                .iter()
                .zip(&b)
                .map(|(l, v)| (l + v * 1.1).min(1.0))
                .collect();
            let hs: f64 = hi.iter().sum();
            if hs < 1.1 {
                (lo, vec![1.0; k])
            } else {
                (lo, hi)
            }
        })
}

fn assert_feasible(w: &[f64], lo: &[f64], hi: &[f64]) {
    let sum: f64 = w.iter().sum();
    assert!((sum - 1.0).abs() <= 1e-12, "sum {sum} for {w:?}");
    for i in 0..w.len() {
        assert!(
            w[i] >= lo[i] - 1e-12 && w[i] <= hi[i] + 1e-12,
            "w[{i}] = {} outside [{}, {}]",
            w[i],
            lo[i],
            hi[i]
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(256)))]

    /// Every update keeps the weights on the simplex and within the bounds, for gradients
    /// of any scale, excess losses and Aioli matrices.
    #[test]
    fn weights_stay_feasible(
        (k, (lo, hi)) in (1usize..7).prop_flat_map(|k| (Just(k), bounds(k))),
        step in step_rule(),
        grads in prop::collection::vec(prop::collection::vec(-1.0..1.0f64, 6), 1..40),
        scale in -6i32..9,
        ema in prop::option::of(0.0..0.99f64),
    ) {
        let b = Bounds::new(Side::Each(&lo), Side::Each(&hi));
        let mut s = Scheduler::<8>::new(k, &b, step).unwrap();
        assert_feasible(s.weights(), &lo, &hi);
        let mag = 10f64.powi(scale);
        for (t, g) in grads.iter().enumerate() {
            let g: Vec<f64> = g[..k].iter().map(|v| v * mag).collect();
            match t % 3 {
                0 => { s.step_gradient(&g).unwrap(); }
                1 => {
                    let reference = vec![0.0; k];
                    s.step_excess_loss(&g, &reference).unwrap();
                }
                _ => {
                    let a: Vec<f64> = (0..k * k).map(|i| g[i % k] * (1.0 + i as f64)).collect();
                    s.step_aioli(&a, &Aioli { ema }).unwrap();
                }
            }
            assert_feasible(s.weights(), &lo, &hi);
        }
        prop_assert_eq!(s.updates(), grads.len());
    }

    /// Smooth weighted round-robin: after n draws, |count_i - n w_i| <= k - 1, and with
    /// weights changing between draws, |count_i - sum_t w_{t,i}| <= k - 1.
    #[test]
    fn sampler_counts_track_weights(
        raw in prop::collection::vec(0.0..1.0f64, 1..9),
        n in 1usize..3000,
        changes in prop::collection::vec(prop::collection::vec(0.0..1.0f64, 8), 0..6),
    ) {
        let k = raw.len();
        prop_assume!(raw.iter().sum::<f64>() > 1e-6);
        let norm = |v: &[f64]| { let s: f64 = v.iter().sum(); v.iter().map(|x| x / s).collect::<Vec<_>>() };
        let mut w = norm(&raw);
        let mut sampler = Sampler::<8>::new(&raw).unwrap();
        let mut expected = vec![0.0; k];
        let segment = n / (changes.len() + 1) + 1;
        let mut counts = vec![0u64; k];
        for t in 0..n {
            if t > 0 && t % segment == 0 {
                if let Some(c) = changes.get(t / segment - 1) {
                    if c[..k].iter().sum::<f64>() > 1e-6 {
                        sampler.set_weights(&c[..k]).unwrap();
                        w = norm(&c[..k]);
                    }
                }
            }
            let d = sampler.next_domain();
            prop_assert!(d < k);
            counts[d] += 1;
            for i in 0..k {
                expected[i] += w[i];
            }
        }
        prop_assert_eq!(sampler.counts(), &counts[..]);
        for i in 0..k {
            let dev = (counts[i] as f64 - expected[i]).abs();
            prop_assert!(dev <= (k - 1) as f64 + 1e-9, "domain {}: count {} vs {} (k = {})", i, counts[i], expected[i], k);
        }
    }

    /// Steps along the h-gradient of a fixed law at a fixed scale converge to the offline
    /// optimum h* of mixlaw-opt's solver, with and without bounds.
    #[test]
    fn online_weights_converge_to_offline_optimum(
        k in 2usize..5,
        u in prop::collection::vec(0.0..1.0f64, 24),
        min_weight in prop_oneof![Just(0.0), 0.01..0.1f64],
        eta in 0.3..2.0f64,
    ) {
        let law = Joint::new(k).unwrap();
        let p = joint_params(k, &u);
        let target = LawAt::new(&law, &p, 7e9, 150e9, SCALES).unwrap();
        let bounds = Bounds::min_weight(min_weight);
        let mut h = vec![1.0 / k as f64; k];
        let sol = Solver::<8>::default().minimize(&target, &bounds, &mut h).unwrap();
        prop_assert_eq!(sol.status, Status::Converged);
        let mut s = Scheduler::<8>::new(k, &bounds, Step::AdaGrad(eta)).unwrap();
        // EG converges linearly but slowly when h* has tiny weights (one case: weights
        // 0.004 and 0.03 need ~6,000 steps for 1e-4), so give it room.
        for _ in 0..20_000 {
            s.step_objective(&target).unwrap();
        }
        for i in 0..k {
            prop_assert!(
                (s.weights()[i] - h[i]).abs() < 1e-4,
                "online {:?} vs offline {:?}", s.weights(), h
            );
        }
    }

    /// Aioli's unmixing inverts the smoothed one-hot mixtures: drops produced from a known
    /// A as drops[i] = W A[i] give A back; normalisation gives entries >= 0 summing to 1.
    #[test]
    fn aioli_unmixing_recovers_the_matrix(
        k in 2usize..7,
        a in prop::collection::vec(-1.0..1.0f64, 36),
        f in 0.55..1.0f64,
    ) {
        let a = &a[..k * k];
        // W's rows are the sweep mixtures, on the simplex.
        let mut rows = vec![0.0; k * k];
        for j in 0..k {
            aioli_sweep_mixture(k, j, f, &mut rows[j * k..(j + 1) * k]).unwrap();
            prop_assert!((rows[j * k..(j + 1) * k].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let w = |j: usize, l: usize| rows[j * k + l];
        let mut drops = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..k {
                drops[i * k + j] = (0..k).map(|l| w(j, l) * a[i * k + l]).sum();
            }
        }
        let mut out = vec![0.0; k * k];
        aioli_matrix(k, &drops, f, false, &mut out).unwrap();
        for (x, y) in out.iter().zip(a) {
            prop_assert!((x - y).abs() < 1e-12, "{:?} vs {:?}", out, a);
        }
        aioli_matrix(k, &drops, f, true, &mut out).unwrap();
        prop_assert!(out.iter().all(|&v| v >= 0.0));
        prop_assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    /// Aioli's update without bounds: round 0 from uniform, then w ∝ w exp(eta s); with an
    /// EMA, w ∝ exp(eta sbar) with sbar the smoothed column sums.
    #[test]
    fn aioli_update_follows_its_formula(
        k in 2usize..6,
        rounds in prop::collection::vec(prop::collection::vec(-1.0..1.0f64, 25), 1..6),
        eta in 0.05..2.0f64,
        ema in prop::option::of(0.0..0.9f64),
        start in prop::collection::vec(0.1..1.0f64, 5),
    ) {
        let mut s = Scheduler::<8>::new(k, &Bounds::SIMPLEX, Step::Constant(eta)).unwrap();
        // A start that Aioli's first round discards (weights_init = ones).
        s.set_weights(&start[..k]).unwrap();
        let mut w = vec![1.0 / k as f64; k];
        let mut sbar = vec![0.0; k];
        for (t, a) in rounds.iter().enumerate() {
            let a = &a[..k * k];
            let col: Vec<f64> = (0..k).map(|j| (0..k).map(|i| a[i * k + j]).sum()).collect();
            match ema {
                Some(e) => {
                    for j in 0..k {
                        sbar[j] = if t == 0 { col[j] } else { (1.0 - e) * col[j] + e * sbar[j] };
                    }
                    w = sbar.iter().map(|v| (eta * v).exp()).collect();
                }
                None => {
                    let base = if t == 0 { vec![1.0; k] } else { w.clone() };
                    w = base.iter().zip(&col).map(|(b, c)| b * (eta * c).exp()).collect();
                }
            }
            let sum: f64 = w.iter().sum();
            w.iter_mut().for_each(|v| *v /= sum);
            s.step_aioli(a, &Aioli { ema }).unwrap();
            for j in 0..k {
                prop_assert!((s.weights()[j] - w[j]).abs() < 1e-12, "{:?} vs {:?}", s.weights(), w);
            }
        }
    }
}

/// DoReMi: only domains whose loss exceeds the reference gain weight, by exp(eta excess).
#[test]
fn excess_loss_update() {
    let mut s = Scheduler::<4>::new(3, &Bounds::SIMPLEX, Step::Constant(0.5)).unwrap();
    s.step_excess_loss(&[3.0, 2.0, 2.5], &[2.0, 2.5, 2.5])
        .unwrap();
    let w = s.weights();
    let e = 0.5f64.exp();
    let z = e + 2.0;
    assert!((w[0] - e / z).abs() < 1e-15 && (w[1] - 1.0 / z).abs() < 1e-15);
    assert_eq!(w[1], w[2]);
}

/// Forced bounds leave exactly one feasible point, and the scheduler stays on it.
#[test]
fn forced_bounds_pin_the_weights() {
    let lo = [0.2, 0.3, 0.5];
    let b = Bounds::new(Side::Each(&lo), Side::All(1.0));
    let mut s = Scheduler::<4>::new(3, &b, Step::default()).unwrap();
    assert_eq!(s.weights(), &lo);
    s.step_gradient(&[1.0, -1.0, 0.0]).unwrap();
    assert_eq!(s.weights(), &lo);
}

#[test]
fn bad_input_is_a_typed_error() {
    let b = Bounds::SIMPLEX;
    assert_eq!(
        Scheduler::<2>::new(3, &b, Step::default()).unwrap_err(),
        Error::TooManyDomains { max: 2, found: 3 }
    );
    assert_eq!(
        Scheduler::<2>::new(0, &b, Step::default()).unwrap_err(),
        Error::Empty
    );
    assert!(matches!(
        Scheduler::<4>::new(2, &b, Step::Constant(f64::NAN)),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        Scheduler::<4>::new(2, &b, Step::InverseSqrt(-1.0)),
        Err(Error::InvalidConfig { .. })
    ));
    let lo = [0.7, 0.7];
    assert!(matches!(
        Scheduler::<4>::new(
            2,
            &Bounds::new(Side::Each(&lo), Side::All(1.0)),
            Step::default()
        ),
        Err(Error::Infeasible { .. })
    ));
    let mut s = Scheduler::<4>::new(2, &b, Step::default()).unwrap();
    let before = s.weights().to_vec();
    assert_eq!(
        s.step_gradient(&[1.0, f64::NAN]).unwrap_err(),
        Error::InvalidInput {
            what: "gradient",
            index: 1
        }
    );
    assert!(matches!(
        s.step_gradient(&[1.0]),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        s.step_excess_loss(&[1.0, 2.0], &[f64::INFINITY, 0.0]),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        s.step_aioli(&[1.0, 2.0, 3.0], &Aioli::default()),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        s.step_aioli(&[1.0; 4], &Aioli { ema: Some(1.0) }),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        s.set_weights(&[0.0, 0.0]),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        s.set_weights(&[-1.0, 2.0]),
        Err(Error::InvalidInput { .. })
    ));
    // A law objective with another k, and one that is not finite at the weights.
    let law = Joint::new(3).unwrap();
    let p = joint_params(3, &[0.5]);
    let target = LawAt::new(&law, &p, 7e9, 150e9, SCALES).unwrap();
    assert!(matches!(
        s.step_objective(&target),
        Err(Error::LengthMismatch { .. })
    ));
    let nan =
        mixlaw_opt::FnObjective::new(2, |_h: &[f64], _l: &[f64], _g: Option<&mut [f64]>| f64::NAN);
    assert!(matches!(
        s.step_objective(&nan),
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(s.weights(), &before[..]);
    assert_eq!(s.updates(), 0);

    let mut out = [0.0; 4];
    assert!(matches!(
        aioli_matrix(2, &[1.0; 4], 0.5, false, &mut out),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        aioli_matrix(2, &[1.0, f64::NAN, 0.0, 0.0], 0.8, false, &mut out),
        Err(Error::InvalidInput { index: 1, .. })
    ));
    assert!(matches!(
        aioli_matrix(2, &[0.0; 4], 0.8, true, &mut out),
        Err(Error::Numerical { .. })
    ));
    assert!(matches!(
        aioli_matrix(2, &[1.0; 4], 0.8, false, &mut out[..3]),
        Err(Error::LengthMismatch { .. })
    ));
    let mut m = [0.0; 2];
    assert!(matches!(
        aioli_sweep_mixture(2, 2, 0.8, &mut m),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        aioli_sweep_mixture(2, 0, 0.3, &mut m),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        aioli_sweep_mixture(3, 0, 0.8, &mut m),
        Err(Error::LengthMismatch { .. })
    ));
    aioli_sweep_mixture(1, 0, 1.0, &mut m[..1]).unwrap();
    assert_eq!(m[0], 1.0);
    assert!(matches!(Sampler::<2>::new(&[]), Err(Error::Empty)));
    assert!(matches!(
        Sampler::<2>::new(&[0.0, 0.0]),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        Sampler::<2>::new(&[1.0, 1.0, 1.0]),
        Err(Error::TooManyDomains { .. })
    ));
}

/// A zero start weight sits at the floor of the log-space step, not at 0, so a favourable
/// gradient brings the domain back.
#[test]
fn zero_start_weights_can_grow_again() {
    let mut s = Scheduler::<4>::new(3, &Bounds::SIMPLEX, Step::Constant(1.0)).unwrap();
    s.set_weights(&[2.0, 0.0, 0.0]).unwrap();
    let w = s.weights();
    assert!(w[0] == 1.0 && w[1] > 0.0 && w[1] < 1e-300);
    for _ in 0..100 {
        s.step_gradient(&[1.0, -10.0, 0.0]).unwrap();
    }
    assert!(s.weights()[1] > 0.99, "{:?}", s.weights());
}
