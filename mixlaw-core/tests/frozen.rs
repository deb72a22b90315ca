//! `Frozen`: exact gradients in the free parameters (against finite differences, and equal
//! to the wrapped law's gradient restricted to the free slots), values equal to the wrapped
//! law at the expanded parameters, grouped objective equal to the row-by-row one, for random
//! masks over `chinchilla`, `additive`, `joint` (k = 1..7) and `data-constrained`; plus the
//! constructor's errors and the parameter order.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use mixlaw_core::frozen::{Frozen, MAX_FREE};
use mixlaw_core::laws::{
    additive::Additive, chinchilla::Chinchilla, data_constrained::DataConstrained, joint::Joint,
};
use mixlaw_core::{Dataset, Error, Groups, Law, LawExt, Loss, Objective, Point, Prepared, Scales};
use proptest::prelude::*;

/// Capacity used for the mixture laws (joint at k = 7 has 33 parameters).
const CAP: usize = 64;

/// Natural parameters of `law` from uniform draws in its start ranges.
fn natural<L: Law>(law: &L, u01: &[f64]) -> Vec<f64> {
    common::start_point(law, u01).1
}

/// A random non-empty mask over `p` slots.
fn mask(p: usize, bits: &[bool]) -> Vec<bool> {
    let mut m: Vec<bool> = (0..p).map(|i| bits[i % bits.len()]).collect();
    if !m.iter().any(|&b| b) {
        m[p / 2] = true;
    }
    m
}

/// A frozen law over `make(k)` with a random mask and random fixed values, and a case.
fn frozen_case<L: Law + Clone + core::fmt::Debug + 'static>(
    make: fn(usize) -> L,
) -> impl Strategy<Value = (Frozen<L, CAP>, common::Case)> {
    (
        1usize..8,
        proptest::collection::vec(any::<bool>(), 1..40),
        proptest::collection::vec(0.0f64..1.0, 40),
    )
        .prop_flat_map(move |(k, bits, u01)| {
            let inner = make(k);
            let values = natural(&inner, &u01);
            let m = mask(inner.num_params(), &bits);
            let law = Frozen::<L, CAP>::new(inner, &values, &m).unwrap();
            common::cases(law.clone()).prop_map(move |c| (law.clone(), c))
        })
}

/// The frozen law's value and gradient equal the wrapped law's at the expanded parameters
/// (gradient restricted to the free slots, in natural coordinates), bit for bit.
fn check_matches_inner<L: Law>(
    law: &Frozen<L, CAP>,
    c: &common::Case,
) -> Result<(), TestCaseError> {
    let mut free = vec![0.0; law.num_params()];
    law.to_natural(&c.theta, &mut free).unwrap();
    let mut full = vec![0.0; law.inner().num_params()];
    law.expand(&free, &mut full).unwrap();
    let h = &c.h[..law.domains()];
    let ln_h: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let row = common::row(c, h, &ln_h);
    let mut g = vec![f64::NAN; free.len()];
    let mut g_full = vec![f64::NAN; full.len()];
    let v = law.eval_row(&free, &row, Some(&mut g));
    let v_full = law.inner().eval_row(&full, &row, Some(&mut g_full));
    prop_assert_eq!(v.to_bits(), v_full.to_bits());
    for (j, &gj) in g.iter().enumerate() {
        let slot = law.inner_index(j).unwrap();
        prop_assert_eq!(gj.to_bits(), g_full[slot].to_bits(), "free parameter {}", j);
    }
    for (i, &fi) in full.iter().enumerate() {
        if !law.is_free(i) {
            prop_assert_eq!(fi, law.values()[i], "frozen slot {} moved", i);
        }
    }
    Ok(())
}

mod gradients {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(512)))]

        #[test]
        fn chinchilla((law, c) in frozen_case(|_| Chinchilla::new())) {
            common::check_param_gradient(&law, &c)?;
            check_matches_inner(&law, &c)?;
        }

        #[test]
        fn additive((law, c) in frozen_case(|k| Additive::new(k).unwrap())) {
            common::check_param_gradient(&law, &c)?;
            common::check_h_gradient(&law, &c)?;
            check_matches_inner(&law, &c)?;
        }

        #[test]
        fn joint((law, c) in frozen_case(|k| Joint::new(k).unwrap())) {
            common::check_param_gradient(&law, &c)?;
            common::check_h_gradient(&law, &c)?;
            check_matches_inner(&law, &c)?;
        }

        // The wrapped law's own gradient is property-tested elsewhere (with a fourth-order
        // quotient, see gradients_ye_bimix_linear_dc.rs); here it must pass through exactly.
        #[test]
        fn data_constrained((law, c) in frozen_case(|_| DataConstrained::new())) {
            check_matches_inner(&law, &c)?;
        }
    }
}

/// A grid of runs with repeated inputs, for the grouped path.
fn grid_runs(k: usize) -> [Vec<f64>; 4] {
    let (mut h, mut n, mut d, mut y) = (vec![], vec![], vec![], vec![]);
    for r in 0..30 {
        let mut m: Vec<f64> = (0..k).map(|i| 1.0 + ((r % 3) * (i + 1)) as f64).collect();
        let s: f64 = m.iter().sum();
        m.iter_mut().for_each(|x| *x /= s);
        h.extend(m);
        n.push(1e8 * (1 + r % 4) as f64);
        d.push(1e9 * (1 + r % 5) as f64);
        y.push(2.0 + 0.1 * (r % 7) as f64);
    }
    [h, n, d, y]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(64)))]

    /// Evaluation by groups (separable laws) equals the row-by-row path for frozen laws.
    #[test]
    fn grouped_equals_rows(
        k in 1usize..6,
        bits in proptest::collection::vec(any::<bool>(), 1..40),
        u01 in proptest::collection::vec(0.0f64..1.0, 40),
    ) {
        let [h, n, d, y] = grid_runs(k);
        let data = Dataset::new(k, &h, &y).unwrap().with_n(&n).unwrap().with_d(&d).unwrap();
        let mut cache = vec![0.0; Prepared::buffer_len(y.len(), k)];
        let prepared = Prepared::new(data, Scales { n: 1e9, d: 1e9 }, &mut cache).unwrap();
        let mut gbuf = vec![0usize; Groups::buffer_len(y.len())];
        let groups = Groups::new(&prepared, &mut gbuf).unwrap();

        let inner = Additive::new(k).unwrap();
        let values = natural(&inner, &u01);
        let law = Frozen::<_, CAP>::new(inner, &values, &mask(inner.num_params(), &bits)).unwrap();
        prop_assert!(law.separable_terms() > 0);
        compare(&law, &prepared, &groups, &u01)?;

        let data0 = Dataset::new(0, &[], &y).unwrap().with_n(&n).unwrap().with_d(&d).unwrap();
        let mut cache0 = vec![0.0; Prepared::buffer_len(y.len(), 0)];
        let prepared0 = Prepared::new(data0, Scales { n: 1e9, d: 1e9 }, &mut cache0).unwrap();
        let mut gbuf0 = vec![0usize; Groups::buffer_len(y.len())];
        let groups0 = Groups::new(&prepared0, &mut gbuf0).unwrap();
        let inner = Chinchilla::new();
        let values = natural(&inner, &u01);
        let law = Frozen::<_, 5>::new(inner, &values, &mask(5, &bits)).unwrap();
        compare(&law, &prepared0, &groups0, &u01)?;
    }
}

/// Objective and gradient of `law` row by row and by groups agree, at parameters from `u01`.
fn compare<L: Law>(
    law: &L,
    data: &Prepared<'_>,
    groups: &Groups<'_>,
    u01: &[f64],
) -> Result<(), TestCaseError> {
    let p = law.num_params();
    let theta: Vec<f64> = (0..p)
        .map(|i| {
            let (lo, hi) = law.param_info(i).unwrap().start;
            lo + u01[(i + 7) % u01.len()] * (hi - lo)
        })
        .collect();
    let loss = Loss::Huber { delta: 1e-3 };
    let rows = Objective::new(law, data, loss).unwrap();
    let grouped = Objective::new(law, data, loss)
        .unwrap()
        .with_groups(groups)
        .unwrap();
    let (mut ga, mut gb) = (vec![0.0; p], vec![0.0; p]);
    let mut scratch = vec![0.0; grouped.scratch_len().max(rows.scratch_len())];
    let a = rows.eval(&theta, Some(&mut ga), &mut scratch).unwrap();
    let b = grouped.eval(&theta, Some(&mut gb), &mut scratch).unwrap();
    prop_assert!((a - b).abs() <= 1e-12 * (1.0 + a.abs()), "{} vs {}", a, b);
    for (x, z) in ga.iter().zip(&gb) {
        prop_assert!(
            (x - z).abs() <= 1e-10 * (1.0 + x.abs()),
            "{:?} vs {:?}",
            ga,
            gb
        );
    }
    Ok(())
}

#[test]
fn order_names_and_helpers() {
    let dc = DataConstrained::new();
    //            E     A       B        alpha  beta   RN   RD
    let values = [1.87, 520.82, 1487.72, 0.353, 0.353, 5.3, 15.4];
    let law = Frozen::<_, 7>::with_free_names(dc, &values, &["RD", "RN"]).unwrap();
    assert_eq!(law.name(), "frozen");
    assert_eq!(law.num_params(), 2);
    // Free parameters keep the wrapped law's order (RN before RD) whatever the name order.
    let names: Vec<String> = (0..2)
        .map(|i| law.param_info(i).unwrap().name.to_string())
        .collect();
    assert_eq!(names, ["RN", "RD"]);
    assert_eq!(law.param_info(2), None);
    assert_eq!(law.inner_index(0), Some(5));
    assert_eq!(law.inner_index(1), Some(6));
    let mut start = [0.0; 2];
    law.start(&mut start).unwrap();
    assert_eq!(start, [5.3, 15.4]);
    // Both free parameters are positive: fitted in log space.
    let mut theta = [0.0; 2];
    law.to_unconstrained(&[2.0, 8.0], &mut theta).unwrap();
    assert!((theta[0] - 2f64.ln()).abs() < 1e-15 && (theta[1] - 8f64.ln()).abs() < 1e-15);
    assert!(law.check_params(&[-1.0, 2.0]).is_err());

    // Unconstrained free parameters come first: alpha (positive) after E (free).
    let ch = Frozen::<_, 8>::new(
        Chinchilla::new(),
        &[1.8, 4.0, 1.0, 0.35, 0.45],
        &[false, false, false, true, false],
    )
    .unwrap();
    assert_eq!(ch.param_info(0).unwrap().name.to_string(), "alpha");
    let ch = Frozen::<_, 5>::with_free_names(
        Chinchilla::new(),
        &[1.8, 4.0, 1.0, 0.35, 0.45],
        &["alpha", "E"],
    )
    .unwrap();
    assert_eq!(ch.param_info(0).unwrap().name.to_string(), "E");
    assert!(!ch.param_info(0).unwrap().positive);
    assert!(ch.param_info(1).unwrap().positive);
    // E may go negative, alpha may not.
    assert!(ch.check_params(&[-0.5, 0.3]).is_ok());
    assert!(ch.check_params(&[0.5, -0.3]).is_err());

    // A value through the public API equals the wrapped law's.
    let point = Point::with_unique(&[], 6.34e9, 242e9, 25e9).unwrap();
    let full = [
        1.86914, 520.82, 1487.72, 0.3526596, 0.3526596, 5.309743, 15.387756,
    ];
    let law = Frozen::<_, 7>::with_free_names(dc, &full, &["RN", "RD"]).unwrap();
    let v = law
        .value(&[5.309743, 15.387756], &point, Scales::default())
        .unwrap();
    assert_eq!(v, dc.value(&full, &point, Scales::default()).unwrap());
}

#[test]
fn constructor_errors() {
    let values = [1.8, 4.0, 1.0, 0.35, 0.45];
    let ch = Chinchilla::new();
    // Capacity below the parameter count.
    assert!(matches!(
        Frozen::<_, 4>::new(ch, &values, &[true; 5]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        Frozen::<_, 4>::with_free_names(ch, &values, &["E"]),
        Err(Error::InvalidConfig { .. })
    ));
    // Wrong lengths.
    assert!(matches!(
        Frozen::<_, 5>::new(ch, &values, &[true; 4]),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        Frozen::<_, 5>::new(ch, &values[..4], &[true; 5]),
        Err(Error::WrongParamCount { .. })
    ));
    // Invalid fixed values.
    assert!(Frozen::<_, 5>::new(ch, &[1.8, -4.0, 1.0, 0.35, 0.45], &[true; 5]).is_err());
    assert!(Frozen::<_, 5>::new(ch, &[1.8, f64::NAN, 1.0, 0.35, 0.45], &[true; 5]).is_err());
    // Unknown name.
    assert!(matches!(
        Frozen::<_, 5>::with_free_names(ch, &values, &["gamma"]),
        Err(Error::InvalidConfig { .. })
    ));
    // Helpers check lengths.
    let law = Frozen::<_, 5>::with_free_names(ch, &values, &["E"]).unwrap();
    let mut out = [0.0; 4];
    assert!(law.expand(&[1.0], &mut out).is_err());
    let mut out = [0.0; 5];
    assert!(law.expand(&[1.0, 2.0], &mut out).is_err());
    assert!(law.start(&mut [0.0; 2]).is_err());
    assert!(law
        .value(
            &[1.0, 2.0],
            &Point::new(&[], 1.0, 1.0).unwrap(),
            Scales::default()
        )
        .is_err());
    // All frozen: a law without parameters, still evaluable.
    let law = Frozen::<_, 5>::new(ch, &values, &[false; 5]).unwrap();
    assert_eq!(law.num_params(), 0);
    let p = Point::new(&[], 2.0, 3.0).unwrap();
    assert_eq!(
        law.value(&[], &p, Scales::default()).unwrap(),
        ch.value(&values, &p, Scales::default()).unwrap()
    );
}

/// Every parameter of the largest law of the catalogue at the largest k can be freed, and
/// the frozen law then equals the wrapped one.
#[test]
fn largest_law_fully_free() {
    use mixlaw_core::laws::full::Full;
    use mixlaw_core::MAX_DOMAINS;
    let inner = Full::new(MAX_DOMAINS).unwrap();
    let p = inner.num_params();
    assert!(p <= MAX_FREE);
    let values = natural(&inner, &[0.3, 0.6, 0.2, 0.9]);
    let law = Frozen::<_, 1024>::new(inner, &values, &vec![true; p]).unwrap();
    assert_eq!(law.num_params(), p);
    let h = vec![1.0 / MAX_DOMAINS as f64; MAX_DOMAINS];
    let point = Point::new(&h, 3e8, 2e10).unwrap();
    let scales = Scales { n: 1e9, d: 1e9 };
    // `full` has unconstrained parameters after positive ones (gammaalpha, gammabeta):
    // they move to the front, right after E.
    let order: Vec<usize> = (0..p).map(|j| law.inner_index(j).unwrap()).collect();
    assert_eq!(&order[..3], &[0, p - 2 - MAX_DOMAINS, p - 1]);
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..p).collect::<Vec<_>>());
    let free: Vec<f64> = order.iter().map(|&i| values[i]).collect();
    assert_eq!(
        law.value(&free, &point, scales).unwrap(),
        inner.value(&values, &point, scales).unwrap()
    );
    let (mut g, mut g_inner) = (vec![0.0; p], vec![0.0; p]);
    law.value_grad(&free, &point, scales, &mut g).unwrap();
    inner
        .value_grad(&values, &point, scales, &mut g_inner)
        .unwrap();
    for (j, &i) in order.iter().enumerate() {
        assert_eq!(g[j], g_inner[i]);
    }
}

/// A frozen capacity law (k = 4, eq 3, `c[i]`, `E[i]` and `H` free, the rest frozen) is
/// the wrapped law with k outputs: `eval_outputs` (one inner solve) and `grad_h_outputs`
/// give the wrapped law's values and gradients (gathered into the free slots), its
/// recommended bounds are the wrapped law's at the free slots, and an `Objective` over it
/// has the wrapped law's value and gradient.
#[test]
fn frozen_capacity_law_forwards_its_outputs() {
    use mixlaw_core::capacity::{CapacityLaw, Head};
    use mixlaw_core::{Layout, Row};
    let k = 4;
    let inner = CapacityLaw::eq3(k, Head::Fitted).unwrap();
    let full = natural(&inner, &[0.2, 0.7, 0.4, 0.9, 0.55]);
    let p = inner.num_params();
    let free: Vec<bool> = (0..p)
        .map(|i| {
            let base = inner.param_info(i).unwrap().name.base;
            ["c", "E", "H"].contains(&base)
        })
        .collect();
    let law = Frozen::<_, CAP>::new(inner, &full, &free).unwrap();
    assert_eq!(law.outputs(), k);
    assert_eq!(law.num_params(), 2 * k + 1);
    let mut params = vec![0.0; law.num_params()];
    law.start(&mut params).unwrap();
    let slots: Vec<usize> = (0..law.num_params())
        .map(|j| law.inner_index(j).unwrap())
        .collect();

    // Runs: k losses each, from the wrapped law with a perturbation.
    let rows = 6;
    let h: Vec<f64> = (0..rows)
        .flat_map(|r| {
            let raw: Vec<f64> = (0..k).map(|i| 1.0 + ((r * 3 + i * 5) % 7) as f64).collect();
            let s: f64 = raw.iter().sum();
            raw.into_iter().map(move |v| v / s)
        })
        .collect();
    let n: Vec<f64> = (0..rows).map(|r| 20.0 + 15.0 * r as f64).collect();
    let d: Vec<f64> = (0..rows).map(|r| 5.0 + 3.0 * (r % 3) as f64).collect();
    let mut y = vec![0.0; rows * k];
    for r in 0..rows {
        let point = Point::new(&h[r * k..(r + 1) * k], n[r], d[r]).unwrap();
        inner
            .values(&full, &point, Scales::default(), &mut y[r * k..(r + 1) * k])
            .unwrap();
    }
    y.iter_mut()
        .enumerate()
        .for_each(|(i, v)| *v *= 1.0 + 0.01 * ((i % 5) as f64 - 2.0));

    // eval_outputs and grad_h_outputs at one run.
    let r = 2;
    let hr = &h[r * k..(r + 1) * k];
    let ln_h: Vec<f64> = hr.iter().map(|v| v.ln()).collect();
    let row = Row {
        h: hr,
        ln_h: &ln_h,
        n: n[r],
        ln_n: n[r].ln(),
        d: d[r],
        ln_d: d[r].ln(),
        u: 1.0,
        output: 0,
    };
    let weights = [0.5, -1.0, 2.0, 0.25];
    let outputs = |l: &dyn Law, params: &[f64]| {
        let mut values = vec![0.0; k];
        let mut grad = vec![0.0; params.len()];
        let mut scratch = vec![0.0; l.outputs_scratch_len()];
        let mut state = vec![f64::NAN; l.state_len()];
        let mut cot = |_: &[f64], c: &mut [f64]| c.copy_from_slice(&weights);
        l.eval_outputs(
            params,
            &row,
            &mut values,
            Some((&mut grad, &mut cot)),
            &mut state,
            &mut scratch,
        );
        let mut grad_h = vec![0.0; k];
        let mut scratch = vec![0.0; l.grad_h_scratch_len()];
        let f = l.grad_h_outputs(params, &row, &weights, &mut grad_h, &mut scratch);
        (values, grad, f, grad_h)
    };
    let (values, grad, f, grad_h) = outputs(&law, &params);
    let (inner_values, inner_grad, inner_f, inner_grad_h) = outputs(&inner, &full);
    assert_eq!(values, inner_values);
    assert_eq!(law.state_len(), 1);
    for (j, &i) in slots.iter().enumerate() {
        assert_eq!(grad[j], inner_grad[i], "free parameter {j} (slot {i})");
    }
    assert_eq!((f, grad_h), (inner_f, inner_grad_h));

    // Recommended bounds: the wrapped law's at the free slots.
    let w = vec![1.0; y.len()];
    let mut bounds = vec![(0.0, 0.0); law.num_params()];
    let mut inner_bounds = vec![(0.0, 0.0); p];
    assert!(law.recommended_bounds(&y, &w, &mut bounds).unwrap());
    assert!(inner.recommended_bounds(&y, &w, &mut inner_bounds).unwrap());
    for (j, &i) in slots.iter().enumerate() {
        assert_eq!(bounds[j], inner_bounds[i]);
    }

    // The objective over the frozen law is the wrapped law's, in the free coordinates.
    let data = Dataset::with_layout(Layout::new(k).outputs(k), &h, &y)
        .unwrap()
        .with_n(&n)
        .unwrap()
        .with_d(&d)
        .unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, k)];
    let prepared = Prepared::new(data, Scales::default(), &mut cache).unwrap();
    let eval = |l: &dyn Law, params: &[f64]| {
        let obj = Objective::new(l, &prepared, Loss::Squared).unwrap();
        let mut theta = vec![0.0; params.len()];
        obj.to_unconstrained(params, &mut theta).unwrap();
        let mut g = vec![0.0; params.len()];
        let mut scratch = vec![0.0; obj.scratch_len()];
        let v = obj.eval(&theta, Some(&mut g), &mut scratch).unwrap();
        (v, g)
    };
    let (v, g) = eval(&law, &params);
    let (inner_v, inner_g) = eval(&inner, &full);
    // (To rounding: the wrapped law's frozen parameters round-trip through log space.)
    assert!(
        v > 0.0 && (v - inner_v).abs() <= 1e-12 * v,
        "{v} vs {inner_v}"
    );
    let scale = inner_g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (j, &i) in slots.iter().enumerate() {
        let (a, b) = (g[j], inner_g[i]);
        assert!((a - b).abs() <= 1e-10 * scale, "{j}: {a} vs {b}");
    }
}
