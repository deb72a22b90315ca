//! The mechanisms behind trustworthy mixture decisions: trust and availability caps
//! composed with the bounds, the KL-to-prior regulariser (closed forms, limits, gradient
//! against central differences, the gap certificate), the bagged optimum.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mixlaw_core::laws::joint::Joint;
use mixlaw_core::metrics::Summary;
use mixlaw_core::Scales;
use mixlaw_opt::{
    availability_caps, bagged_optimum, kl_project, trust_caps, Bounds, Error, KlRegularized, LawAt,
    Side, SimplexObjective, Solver, Status,
};
use proptest::prelude::*;

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

/// A convex `joint` law of 3 domains (gamma < 1, gammaA, gammaB >= 1).
const JOINT3: [f64; 17] = [
    1.6, 0.3, 0.28, 1.0, 1.5, 2.0, 0.5, 0.4, 0.3, 0.4, 1.2, 2.5, 1.1, 2.5, 2.0, 1.5, 1.2,
];

fn ln(h: &[f64]) -> Vec<f64> {
    h.iter().map(|v| v.ln()).collect()
}

/// The linear objective `F(h) = c . h`.
struct Linear<'a>(&'a [f64]);

impl SimplexObjective for Linear<'_> {
    fn domains(&self) -> usize {
        self.0.len()
    }
    fn value(&self, h: &[f64], _: &[f64]) -> f64 {
        h.iter().zip(self.0).map(|(a, b)| a * b).sum()
    }
    fn value_grad(&self, h: &[f64], ln_h: &[f64], g: &mut [f64]) -> f64 {
        g.copy_from_slice(self.0);
        self.value(h, ln_h)
    }
}

fn linear(c: &[f64]) -> Linear<'_> {
    Linear(c)
}

/// `argmin c . h + lambda KL(h || p)` on the simplex: `h_i ∝ p_i exp(-c_i / lambda)`.
fn closed_form(c: &[f64], p: &[f64], lambda: f64) -> Vec<f64> {
    let y: Vec<f64> = c
        .iter()
        .zip(p)
        .map(|(ci, pi)| pi * (-ci / lambda).exp())
        .collect();
    let s: f64 = y.iter().sum();
    y.iter().map(|v| v / s).collect()
}

#[test]
fn trust_and_availability_caps_compose_with_the_bounds() {
    let max_weight = [0.5, 0.0, 0.3, 0.2];
    let mut trust = [0.0; 4];
    trust_caps(&max_weight, 2.0, &mut trust).unwrap();
    assert_eq!(trust, [1.0, 0.0, 0.6, 0.4]);
    // 1e9 unique tokens of domain 3 at T = 1e10 and R = 2: h_3 <= 0.2; the rest unlimited.
    let mut avail = [0.0; 4];
    availability_caps(
        &[f64::INFINITY, f64::INFINITY, f64::INFINITY, 1e9],
        2.0,
        1e10,
        &mut avail,
    )
    .unwrap();
    assert_eq!(avail, [1.0, 1.0, 1.0, 0.2]);
    let user_hi = [0.7, 1.0, 1.0, 1.0];
    let base = Bounds::new(Side::All(0.0), Side::Each(&user_hi));
    let mut upper = [0.0; 4];
    let b = base.with_caps(4, &[&trust, &avail], &mut upper).unwrap();
    assert_eq!([b.hi(0), b.hi(1), b.hi(2), b.hi(3)], [0.7, 0.0, 0.6, 0.2]);
    assert_eq!(b.lo(2), 0.0);
    // The solver stays inside: a law that wants domain 1 (never trained) gets none of it.
    let f = linear(&[0.0, -5.0, 1.0, 2.0]);
    let mut h = [0.25; 4];
    let sol = Solver::<8>::default().minimize(&f, &b, &mut h).unwrap();
    assert_eq!(sol.status, Status::Converged);
    assert_eq!(h[1], 0.0);
    assert!((h[0] - 0.7).abs() < 1e-9 && h[2] <= 0.6 + 1e-12 && h[3] <= 0.2 + 1e-12);

    // A minimum weight above a trust cap: no feasible mixture, naming the domain.
    let e = Bounds::min_weight(0.05)
        .with_caps(4, &[&trust], &mut upper)
        .unwrap_err();
    assert_eq!(
        e,
        Error::ConflictingLimits {
            domain: 1,
            lower: 0.05,
            upper: 0.0
        }
    );
    assert!(e.to_string().contains("no feasible mixture"));
    // Caps summing below 1.
    let mut small = [0.0; 4];
    trust_caps(&[0.1, 0.1, 0.1, 0.1], 1.5, &mut small).unwrap();
    assert!(matches!(
        Bounds::SIMPLEX.with_caps(4, &[&small], &mut upper),
        Err(Error::Infeasible { .. })
    ));
    // Bad input.
    for x in [0.99, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            trust_caps(&max_weight, x, &mut trust),
            Err(Error::InvalidConfig { .. })
        ));
    }
    assert!(matches!(
        trust_caps(&[0.5, -0.1, 0.3, 0.2], 1.0, &mut trust),
        Err(Error::InvalidInput { index: 1, .. })
    ));
    assert!(matches!(
        Bounds::SIMPLEX.with_caps(4, &[&[1.0, f64::NAN, 1.0, 1.0]], &mut upper),
        Err(Error::InvalidInput { index: 1, .. })
    ));
    assert!(matches!(
        Bounds::SIMPLEX.with_caps(4, &[&[1.0; 3]], &mut upper),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        availability_caps(&[f64::NAN], 1.0, 1.0, &mut [0.0]),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn kl_regularisation_matches_its_closed_form_with_a_valid_gap() {
    let c = [0.3, -0.2, 0.5, 0.0];
    let p = [0.1, 0.2, 0.3, 0.4];
    for lambda in [0.01, 0.1, 1.0, 10.0] {
        let f = linear(&c);
        let reg = KlRegularized::new(&f, &p, lambda).unwrap();
        let mut h = [0.25; 4];
        let sol = Solver::<8>::default()
            .minimize(&reg, &Bounds::SIMPLEX, &mut h)
            .unwrap();
        assert_eq!(sol.status, Status::Converged);
        let want = closed_form(&c, &p, lambda);
        for i in 0..4 {
            assert!(
                (h[i] - want[i]).abs() < 1e-7,
                "lambda {lambda}: {h:?} vs {want:?}"
            );
        }
        // The gap certifies the penalised suboptimality (F_lambda is convex).
        let (obj, pen) = reg.parts(&h).unwrap();
        let (_, best) = reg.parts(&want).unwrap();
        assert!(
            pen - best <= sol.gap + 1e-14,
            "{pen} - {best} > gap {}",
            sol.gap
        );
        assert!((pen - sol.objective).abs() < 1e-14);
        assert!((obj - h.iter().zip(&c).map(|(a, b)| a * b).sum::<f64>()).abs() < 1e-15);
        assert!(pen >= obj);
    }
    // An unnormalised prior is normalised.
    let f = linear(&c);
    let a = KlRegularized::new(&f, &[1.0, 2.0, 3.0, 4.0], 0.5).unwrap();
    let b = KlRegularized::new(&f, &p, 0.5).unwrap();
    let h = [0.4, 0.3, 0.2, 0.1];
    assert!((a.parts(&h).unwrap().1 - b.parts(&h).unwrap().1).abs() < 1e-15);
}

#[test]
fn kl_limits_lambda_zero_and_huge() {
    let law = Joint::new(3).unwrap();
    let target = LawAt::new(&law, &JOINT3, 7e9, 150e9, SCALES).unwrap();
    let prior = [0.2, 0.3, 0.5];
    let bounds = Bounds::min_weight(0.01);
    let mut plain = [1.0 / 3.0; 3];
    let s0 = Solver::<8>::default()
        .minimize(&target, &bounds, &mut plain)
        .unwrap();
    // lambda = 0: the unregularised solve, bit for bit.
    let reg = KlRegularized::new(&target, &prior, 0.0).unwrap();
    let mut h = [1.0 / 3.0; 3];
    let s = Solver::<8>::default()
        .minimize(&reg, &bounds, &mut h)
        .unwrap();
    assert_eq!(h, plain);
    assert_eq!(s.objective, s0.objective);
    assert_eq!(reg.parts(&h).unwrap(), (s0.objective, s0.objective));
    // The plain optimum is far from the prior, the heavily regularised one is the prior.
    assert!(plain.iter().zip(&prior).any(|(a, b)| (a - b).abs() > 0.05));
    let mut last = f64::INFINITY;
    for lambda in [0.1, 10.0, 1e3, 1e6] {
        let reg = KlRegularized::new(&target, &prior, lambda).unwrap();
        let mut h = [1.0 / 3.0; 3];
        let s = Solver::<8>::default()
            .minimize(&reg, &bounds, &mut h)
            .unwrap();
        let dist: f64 = h.iter().zip(&prior).map(|(a, b)| (a - b).abs()).sum();
        assert!(dist < last, "lambda {lambda}: {dist} not below {last}");
        last = dist;
        let (obj, pen) = reg.parts(&h).unwrap();
        assert!(obj >= s0.objective - 1e-12 && pen >= obj);
        // ln h in the solver is tracked in log space, here recomputed: rounding x lambda.
        let tol = 1e-12 * pen.abs() + 1e-15 * lambda;
        assert!((pen - s.objective).abs() <= tol, "{pen} vs {}", s.objective);
    }
    assert!(last < 1e-5, "{last}");
    // With bounds that exclude the prior: the KL projection of the prior on them.
    let hi = [0.6, 0.6, 0.35];
    let b = Bounds::new(Side::All(0.0), Side::Each(&hi));
    let reg = KlRegularized::new(&target, &prior, 1e6).unwrap();
    let mut h = [1.0 / 3.0; 3];
    Solver::<8>::default().minimize(&reg, &b, &mut h).unwrap();
    let mut want = [0.0; 3];
    kl_project(&b, &prior, &mut want).unwrap();
    for i in 0..3 {
        assert!((h[i] - want[i]).abs() < 1e-5, "{h:?} vs {want:?}");
    }
}

#[test]
fn kl_prior_zeros_pin_domains_and_bad_input_is_typed() {
    let c = [0.3, -0.2, 0.5, 0.0];
    let p = [0.25, 0.0, 0.5, 0.25];
    let f = linear(&c);
    let reg = KlRegularized::new(&f, &p, 0.5).unwrap();
    let mut caps = [0.0; 4];
    reg.caps(&mut caps).unwrap();
    assert_eq!(caps, [f64::INFINITY, 0.0, f64::INFINITY, f64::INFINITY]);
    let mut upper = [0.0; 4];
    let b = Bounds::SIMPLEX.with_caps(4, &[&caps], &mut upper).unwrap();
    let mut h = [0.25; 4];
    let sol = Solver::<8>::default().minimize(&reg, &b, &mut h).unwrap();
    assert_eq!(sol.status, Status::Converged);
    assert_eq!(h[1], 0.0);
    let want = closed_form(&c, &p, 0.5);
    for i in 0..4 {
        assert!((h[i] - want[i]).abs() < 1e-7, "{h:?} vs {want:?}");
    }
    // Without the caps the start is not finite: the penalty is +inf off the prior's support.
    let mut h = [0.25; 4];
    assert_eq!(
        Solver::<8>::default().minimize(&reg, &Bounds::SIMPLEX, &mut h),
        Err(Error::NonFiniteStart)
    );
    // Zeros in h: -inf where the prior is positive, no term where both are 0.
    let h = [0.5, 0.0, 0.5, 0.0];
    let mut g = [0.0; 4];
    let v = reg.value_grad(&h, &ln(&h), &mut g);
    assert!(v.is_finite());
    assert_eq!((g[1], g[3]), (c[1], f64::NEG_INFINITY));
    // lambda = 0 with a zero prior caps nothing.
    KlRegularized::new(&f, &p, 0.0)
        .unwrap()
        .caps(&mut caps)
        .unwrap();
    assert!(caps.iter().all(|c| c.is_infinite()));
    for lambda in [-1e-3, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            KlRegularized::new(&f, &p, lambda),
            Err(Error::InvalidConfig { .. })
        ));
    }
    assert!(matches!(
        KlRegularized::new(&f, &[0.5, 0.5], 1.0),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        KlRegularized::new(&f, &[0.5, -0.1, 0.3, 0.3], 1.0),
        Err(Error::InvalidInput { index: 1, .. })
    ));
    assert!(matches!(
        KlRegularized::new(&f, &[0.0; 4], 1.0),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn bagged_optimum_is_the_feasible_mean_with_its_spread() {
    // Optima of perturbed laws under a minimum weight: their mean is feasible.
    let law = Joint::new(3).unwrap();
    let bounds = Bounds::min_weight(0.05);
    let mut optima = Vec::new();
    for b in 0..41 {
        let mut p = JOINT3;
        p[3 + b % 3] *= 1.0 + 0.05 * b as f64;
        let t = LawAt::new(&law, &p, 7e9, 150e9, SCALES).unwrap();
        let mut h = [1.0 / 3.0; 3];
        Solver::<8>::default()
            .minimize(&t, &bounds, &mut h)
            .unwrap();
        optima.extend(h);
    }
    let mut h = [0.0; 3];
    let mut spread = [Summary::default(); 3];
    let mut work = vec![0.0; 41];
    let m = bagged_optimum(&optima, 3, &bounds, &mut h, &mut spread, &mut work).unwrap();
    assert_eq!(m, 41);
    assert!(bounds.contains(&h, 1e-12));
    for i in 0..3 {
        let mut col: Vec<f64> = (0..41).map(|b| optima[b * 3 + i]).collect();
        let mean = col.iter().sum::<f64>() / 41.0;
        let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 40.0).sqrt();
        col.sort_by(f64::total_cmp);
        assert!((h[i] - mean).abs() < 1e-15 && (spread[i].se - sd).abs() < 1e-15);
        // numpy percentile: position q (n - 1) = 1.0 and 39.0 for n = 41.
        assert_eq!((spread[i].lo, spread[i].hi), (col[1], col[39]));
        assert!(spread[i].lo <= h[i] && h[i] <= spread[i].hi);
    }
    // A resample optimum off the feasible set names its resample.
    optima[7 * 3] = 0.01;
    optima[7 * 3 + 1] += 0.04;
    assert_eq!(
        bagged_optimum(&optima, 3, &bounds, &mut h, &mut spread, &mut work),
        Err(Error::InvalidInput {
            what: "per-resample optimum (off the feasible set)",
            index: 7
        })
    );
    assert_eq!(
        bagged_optimum(&[], 3, &bounds, &mut h, &mut spread, &mut work),
        Err(Error::Empty)
    );
    assert!(matches!(
        bagged_optimum(
            &optima[..6],
            3,
            &bounds,
            &mut h,
            &mut spread,
            &mut work[..1]
        ),
        Err(Error::BufferTooSmall { .. })
    ));
    assert!(matches!(
        bagged_optimum(&optima[..5], 3, &bounds, &mut h, &mut spread, &mut work),
        Err(Error::LengthMismatch { .. })
    ));
}

proptest! {
    /// The regularised gradient against central differences of its value, for a joint law
    /// at random interior mixtures, priors and lambdas.
    #[test]
    fn kl_gradient_matches_central_differences(
        u in proptest::collection::vec(0.05f64..1.0, 6),
        lambda in 0.0f64..5.0,
    ) {
        let law = Joint::new(3).unwrap();
        let target = LawAt::new(&law, &JOINT3, 7e9, 150e9, SCALES).unwrap();
        let hs: f64 = u[..3].iter().sum();
        let h: Vec<f64> = u[..3].iter().map(|v| v / hs).collect();
        let prior = &u[3..];
        let reg = KlRegularized::new(&target, prior, lambda).unwrap();
        let mut g = [0.0; 3];
        reg.value_grad(&h, &ln(&h), &mut g);
        for i in 0..3 {
            let e = 1e-6;
            let (mut a, mut b) = (h.clone(), h.clone());
            a[i] += e;
            b[i] -= e;
            let fd = (reg.value(&a, &ln(&a)) - reg.value(&b, &ln(&b))) / (2.0 * e);
            prop_assert!((fd - g[i]).abs() <= 1e-6 * (1.0 + g[i].abs()), "{} vs {}", fd, g[i]);
        }
    }
}
