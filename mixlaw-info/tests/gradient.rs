//! Exact gradients of `info` in `w` against central finite differences, including
//! buckets with `w_d = 0` and buckets exactly at capacity (where `info` has a kink and
//! the central difference is the mean of the two one-sided derivatives).

use mixlaw_info::optimize::MonotoneObjective;
use mixlaw_info::{InfoLaw, KinkSide, Normalization, PowerLaw, Setting, Source};
use mixlaw_opt::SimplexObjective;
use proptest::prelude::*;

const EPS: f64 = f64::EPSILON;

/// What to put in a bucket.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Zero,
    AtCapacity,
    Free(f64),
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        1 => Just(Kind::Zero),
        1 => Just(Kind::AtCapacity),
        3 => (0.0..1.0f64).prop_map(Kind::Free),
    ]
}

fn normalization() -> impl Strategy<Value = Normalization> {
    prop_oneof![
        Just(Normalization::Log),
        (0.5..50.0f64).prop_map(Normalization::Constant),
        (0.02..0.2f64).prop_map(Normalization::Power),
    ]
}

/// A setting with 1-8 buckets of random shares, size, budget, model and constants.
fn setting() -> impl Strategy<Value = (Setting, Vec<Kind>)> {
    (1usize..=8)
        .prop_flat_map(|n| {
            (
                prop::collection::vec(0.05..1.0f64, n),
                prop::collection::vec(kind(), n),
                9.0..12.5f64,
                9.0..12.5f64,
                8.0..11.0f64,
                0.0..2.0f64,
                normalization(),
            )
        })
        .prop_map(|(raw, kinds, ls, lt, ln, theta, norm)| {
            let sum: f64 = raw.iter().sum();
            let shares: Vec<f64> = raw.iter().map(|v| v / sum).collect();
            let law = InfoLaw {
                theta,
                normalization: norm,
                ..InfoLaw::PAPER
            };
            let src = Source::new(&shares, 10f64.powf(ls)).unwrap();
            let p = Setting::new(&law, &src, 10f64.powf(ln), 10f64.powf(lt)).unwrap();
            (p, kinds)
        })
}

/// The recipe point (not normalised: the gradient is ambient) and, per bucket, whether
/// it sits exactly at capacity.
fn point(p: &Setting, kinds: &[Kind]) -> (Vec<f64>, Vec<bool>) {
    let mut w = Vec::new();
    let mut kink = Vec::new();
    for (d, k) in kinds.iter().enumerate() {
        let c = p.capacity(d).unwrap();
        let (v, at) = match *k {
            Kind::Zero => (0.0, false),
            Kind::AtCapacity => (c, true),
            // Keep free points clear of the kink by more than the difference step.
            Kind::Free(u) if (u - c).abs() < 1e-4 * c.max(u) => (c * 1.5 + 1e-3, false),
            Kind::Free(u) => (u, false),
        };
        w.push(v);
        kink.push(at);
    }
    (w, kink)
}

fn info_at(p: &Setting, w: &[f64], d: usize, x: f64) -> f64 {
    let mut v = w.to_vec();
    v[d] = x;
    p.info_extended(&v).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(512)))]

    #[test]
    fn gradient_matches_finite_differences((p, kinds) in setting()) {
        let (w, kink) = point(&p, &kinds);
        let n = w.len();
        let (mut left, mut right) = (vec![0.0; n], vec![0.0; n]);
        let v = p.gradient(&w, &mut left, KinkSide::Left).unwrap();
        let v2 = p.gradient(&w, &mut right, KinkSide::Right).unwrap();
        let f0 = p.info_extended(&w).unwrap();
        prop_assert!((v - f0).abs() <= 1e-12 * f0.abs().max(1.0));
        prop_assert!((v2 - f0).abs() <= 1e-12 * f0.abs().max(1.0));
        for d in 0..n {
            let c = p.capacity(d).unwrap();
            // Step: small against the bucket's capacity and weight.
            let h = 1e-6 * c.max(w[d].abs()).max(1e-9);
            let fp = info_at(&p, &w, d, w[d] + h);
            let fm = info_at(&p, &w, d, w[d] - h);
            let central = (fp - fm) / (2.0 * h);
            let forward = (fp - f0) / h;
            let backward = (f0 - fm) / h;
            // Rounding noise of the differences plus truncation.
            let noise = 64.0 * EPS * f0.abs().max(fp.abs()) / h;
            let tol = |g: f64, rel: f64| rel * g.abs() + noise;
            if kink[d] {
                prop_assert!(left[d] > right[d], "bucket {d}: left {} right {}", left[d], right[d]);
                let mean = 0.5 * (left[d] + right[d]);
                prop_assert!((central - mean).abs() <= tol(mean, 1e-4),
                    "kink bucket {d}: central {central} vs mean {mean}");
                prop_assert!((forward - right[d]).abs() <= tol(right[d], 1e-4),
                    "kink bucket {d}: forward {forward} vs right {}", right[d]);
                prop_assert!((backward - left[d]).abs() <= tol(left[d], 1e-4),
                    "kink bucket {d}: backward {backward} vs left {}", left[d]);
            } else {
                prop_assert_eq!(left[d], right[d]);
                prop_assert!((central - left[d]).abs() <= tol(left[d], 1e-6),
                    "bucket {d} (w = {}, c = {c}): central {central} vs exact {}", w[d], left[d]);
            }
        }
    }

    /// The chain rule through `w = sum_j lambda_j u_j` (the optimiser's objective).
    #[test]
    fn lambda_gradient_matches_finite_differences(
        (p, _kinds) in setting(),
        raw in prop::collection::vec(0.01..1.0f64, 8),
    ) {
        let n = p.buckets();
        let s: f64 = raw[..n].iter().sum();
        let lambda: Vec<f64> = raw[..n].iter().map(|v| v / s).collect();
        let obj = MonotoneObjective::new(&p);
        let ln: Vec<f64> = lambda.iter().map(|v| v.ln()).collect();
        let mut g = vec![0.0; n];
        let f0 = obj.value_grad(&lambda, &ln, &mut g);
        prop_assert!((f0 - obj.value(&lambda, &ln)).abs() <= 1e-15);
        // Skip points within a step of a kink (a bucket at capacity).
        let mut w = vec![0.0; n];
        mixlaw_info::optimize::monotone_from_mixture(&lambda, &mut w).unwrap();
        let h = 1e-7;
        for (d, &wd) in w.iter().enumerate() {
            let c = p.capacity(d).unwrap();
            prop_assume!((wd - c).abs() > 10.0 * h);
        }
        for j in 0..n {
            let (mut a, mut b) = (lambda.clone(), lambda.clone());
            a[j] += h;
            b[j] -= h;
            let central = (obj.value(&a, &ln) - obj.value(&b, &ln)) / (2.0 * h);
            prop_assert!((central - g[j]).abs() <= 1e-6 * g[j].abs() + 1e-8,
                "lambda {j}: central {central} vs exact {}", g[j]);
        }
    }

    /// `dL/d info` of the power law.
    #[test]
    fn loss_derivative_matches(info in 1e9..1e13f64) {
        let law = PowerLaw::PAPER;
        let h = 1e-6 * info;
        let central = (law.loss(info + h).unwrap() - law.loss(info - h).unwrap()) / (2.0 * h);
        let exact = law.loss_derivative(info).unwrap();
        prop_assert!((central - exact).abs() <= 1e-6 * exact.abs());
    }
}
