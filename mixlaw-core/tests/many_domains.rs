//! Many domains: every law of the catalogue at k = 1,024 (no fixed limit), its exact
//! gradients against central differences; a capacity law beyond the stack default (its
//! per-run vectors in the caller's scratch, through the objective and the single-row
//! calls); a `Frozen` law with more than a thousand free parameters.
#![allow(clippy::indexing_slicing)]

mod common;

use mixlaw_core::capacity::{CapacityLaw, Head};
use mixlaw_core::frozen::Frozen;
use mixlaw_core::laws::{self, ye_m1::YeM1};
use mixlaw_core::{
    AnyLaw, Dataset, Law, LawExt, Layout, Loss, Objective, Point, Prepared, Scales, MAX_DOMAINS,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

const K: usize = 1024;

/// The laws of the catalogue that read h, at k domains.
fn mixture_laws(k: usize) -> Vec<AnyLaw> {
    laws::NAMES
        .iter()
        .map(|name| AnyLaw::new(name, k, Some(0)).unwrap())
        .filter(|law| law.inputs().h && law.outputs() == 1)
        .collect()
}

proptest! {
    // Each case is ~1.5 s in release (every law at k = 1,024, a central difference per
    // parameter and domain): 2 by default, and none under miri (hours per case there).
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(2)))]

    /// Every one-output mixture law at k = 1,024: gradients in the parameters and in h.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn laws_at_1024_domains_have_exact_gradients(seed in 0usize..1000) {
        for law in mixture_laws(K) {
            prop_assert_eq!(law.domains(), K);
            let mut runner = proptest::test_runner::TestRunner::new_with_rng(
                ProptestConfig::with_cases(1),
                proptest::test_runner::TestRng::from_seed(
                    proptest::test_runner::RngAlgorithm::ChaCha,
                    &[seed as u8; 32],
                ),
            );
            let case = common::cases(law).new_tree(&mut runner).unwrap().current();
            common::check_param_gradient(&law, &case)?;
            // `dcpt` at a zero target weight has d/dh_t = +inf by design for eta < 1 (its
            // documented `InfiniteGradient`; gradients_wider_field.rs checks that case).
            if law.name() == "dcpt" && case.h[0] == 0.0 {
                continue;
            }
            common::check_h_gradient(&law, &case)?;
        }
    }
}

/// A sparse mixture of k domains: weight on every 97th domain.
fn sparse(k: usize, shift: usize) -> Vec<f64> {
    let mut h = vec![0.0; k];
    let support: Vec<usize> = (shift..k).step_by(97).collect();
    for (j, &i) in support.iter().enumerate() {
        h[i] = (j + 1) as f64;
    }
    let s: f64 = h.iter().sum();
    h.iter_mut().for_each(|v| *v /= s);
    h
}

/// A capacity law with k = 300 > MAX_DOMAINS: the objective's gradient (per-run vectors in
/// its scratch) against central differences, and the single-row value agreeing with it.
#[test]
#[cfg_attr(miri, ignore)]
fn capacity_law_beyond_the_stack_default() {
    let k = 300;
    assert!(k > MAX_DOMAINS);
    let law = CapacityLaw::eq1(k, Head::Fitted).unwrap();
    let rows = 6;
    let h: Vec<f64> = (0..rows).flat_map(|r| sparse(k, r)).collect();
    let n: Vec<f64> = (0..rows).map(|r| 50.0 + 10.0 * r as f64).collect();
    let y: Vec<f64> = (0..rows * k)
        .map(|i| 2.0 + 0.1 * ((i * 7) % 5) as f64)
        .collect();
    let mut w = vec![0.0; y.len()];
    law.entry_weights(&h, &y, 0.0, &mut w).unwrap();
    let data = Dataset::with_layout(Layout::new(k).outputs(k), &h, &y)
        .unwrap()
        .with_n(&n)
        .unwrap()
        .with_entry_weights(&w)
        .unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, k)];
    let prepared = Prepared::new(data, Scales::default(), &mut cache).unwrap();
    let obj = Objective::new(&law, &prepared, Loss::Squared).unwrap();
    let mut scratch = vec![f64::NAN; obj.scratch_len()];
    let theta: Vec<f64> = (0..law.num_params())
        .map(|i| {
            let (lo, hi) = law.param_info(i).unwrap().start;
            lo + (hi - lo) * ((i * 7 % 11) as f64 / 11.0)
        })
        .collect();
    let mut g = vec![0.0; theta.len()];
    let f = obj.eval(&theta, Some(&mut g), &mut scratch).unwrap();
    assert!(f.is_finite() && f > 0.0);
    // b[0], b[k-1], c[5], E[0], E[k-1], H
    for i in [0, k - 1, k + 5, 2 * k, 3 * k - 1, 3 * k] {
        let eps = 1e-6;
        let (mut up, mut down) = (theta.clone(), theta.clone());
        up[i] += eps;
        down[i] -= eps;
        let fd = (obj.eval(&up, None, &mut scratch).unwrap()
            - obj.eval(&down, None, &mut scratch).unwrap())
            / (2.0 * eps);
        assert!(
            (g[i] - fd).abs() <= 1e-6 * (g[i].abs() + fd.abs()) + 1e-9,
            "{i}: {} vs {fd}",
            g[i]
        );
    }
    // The single-row calls (no caller scratch) agree with the objective's path.
    let mut params = vec![0.0; theta.len()];
    law.to_natural(&theta, &mut params).unwrap();
    let point = Point::<512>::with_capacity(&h[..k], n[0], 1.0, 1.0).unwrap();
    let mut all = vec![0.0; k];
    law.values(&params, &point, Scales::default(), &mut all)
        .unwrap();
    let value = law.value(&params, &point, Scales::default()).unwrap();
    assert_eq!(value, all[0]);
    let mut gh = vec![0.0; k];
    let weights: Vec<f64> = (0..k).map(|j| if j == 0 { 1.0 } else { 0.0 }).collect();
    let weighted = law
        .weighted_grad_h(&params, &point, Scales::default(), &weights, &mut gh)
        .unwrap();
    assert_eq!(weighted, value);
    let mut gh_row = vec![0.0; k];
    law.grad_h(&params, &point, Scales::default(), &mut gh_row)
        .unwrap();
    for (a, b) in gh.iter().zip(&gh_row) {
        assert!((a - b).abs() <= 1e-12 * (1.0 + a.abs()), "{a} vs {b}");
    }
}

/// `Frozen` at k = 1,024 with every `E`, `C[i]` free (1,025 unconstrained free parameters)
/// and the exponents frozen: the same values and gradients as the wrapped law.
#[test]
#[cfg_attr(miri, ignore)]
fn frozen_law_with_many_free_parameters() {
    let inner = YeM1::new(K).unwrap();
    let p = inner.num_params();
    let full: Vec<f64> = (0..p)
        .map(|i| match i {
            0 => 1.5,
            i if i <= K => 0.01 * (1 + i % 7) as f64,
            i => -1.0 - 0.5 * (i % 3) as f64,
        })
        .collect();
    let free: Vec<bool> = (0..p).map(|i| i <= K).collect();
    let law = Frozen::<_, { 2 * K + 1 }>::new(inner, &full, &free).unwrap();
    assert_eq!(law.num_params(), K + 1);
    let h = sparse(K, 3);
    let point = Point::<K>::with_capacity(&h, 1.0, 1.0, 1.0).unwrap();
    let mut start = vec![0.0; K + 1];
    law.start(&mut start).unwrap();
    let v = law.value(&start, &point, Scales::default()).unwrap();
    assert_eq!(v, inner.value(&full, &point, Scales::default()).unwrap());
    let mut g = vec![0.0; K + 1];
    let mut g_full = vec![0.0; p];
    law.value_grad(&start, &point, Scales::default(), &mut g)
        .unwrap();
    inner
        .value_grad(&full, &point, Scales::default(), &mut g_full)
        .unwrap();
    assert_eq!(&g[..], &g_full[..K + 1]);
}

/// Output `j` and its gradients by the objective's path: one pass over all k outputs with
/// the weights `e_j` in the caller's scratch ([`Law::eval_outputs`],
/// [`Law::grad_h_outputs`]). Returns (value, parameter gradient, h-gradient).
fn output_by_scratch(
    law: &CapacityLaw,
    params: &[f64],
    row: &mixlaw_core::Row<'_>,
    j: usize,
) -> (f64, Vec<f64>, Vec<f64>) {
    let k = law.outputs();
    let e_j: Vec<f64> = (0..k).map(|i| if i == j { 1.0 } else { 0.0 }).collect();
    let mut values = vec![0.0; k];
    let mut grad = vec![0.0; params.len()];
    let mut scratch = vec![0.0; law.outputs_scratch_len()];
    let mut cot = |_: &[f64], c: &mut [f64]| c.copy_from_slice(&e_j);
    law.eval_outputs(
        params,
        row,
        &mut values,
        Some((&mut grad, &mut cot)),
        &mut [f64::NAN],
        &mut scratch,
    );
    let mut grad_h = vec![0.0; k];
    let mut scratch = vec![0.0; law.grad_h_scratch_len()];
    let weighted = law.grad_h_outputs(params, row, &e_j, &mut grad_h, &mut scratch);
    assert_eq!(weighted, values[j]);
    (values[j], grad, grad_h)
}

/// The single-row calls (no caller scratch) at k = 200 and 1,024, past the old stack
/// limit of `WORK_PER_DOMAIN * MAX_DOMAINS`: the same value and gradients, bit for bit, as
/// the objective's path with its scratch, under both forms and heads. Run it without the
/// `std` feature too (`cargo test -p mixlaw-core --no-default-features --test
/// many_domains`), where nothing can fall back on the heap.
#[test]
#[cfg_attr(miri, ignore)]
fn capacity_single_row_calls_at_any_k() {
    for k in [200, K] {
        assert!(k > MAX_DOMAINS);
        for law in [
            CapacityLaw::eq1(k, Head::Fitted).unwrap(),
            CapacityLaw::eq3(k, Head::Fixed(0.3)).unwrap(),
        ] {
            let params: Vec<f64> = (0..law.num_params())
                .map(|i| {
                    let (lo, hi) = law.param_info(i).unwrap().start;
                    let theta = lo + (hi - lo) * ((i * 7 % 11) as f64 / 11.0);
                    if law.param_info(i).unwrap().positive {
                        theta.exp()
                    } else {
                        theta
                    }
                })
                .collect();
            // Every domain weighted (eq 3 diverges at h_i = 0), some much more than others.
            let mut h: Vec<f64> = (0..k).map(|i| 1.0 + (i % 13) as f64).collect();
            let s: f64 = h.iter().sum();
            h.iter_mut().for_each(|v| *v /= s);
            let ln_h: Vec<f64> = h.iter().map(|v| v.ln()).collect();
            let (n, d) = (40.0 * k as f64, 20.0);
            for j in [0, 1, k / 2, k - 1] {
                let row = mixlaw_core::Row {
                    h: &h,
                    ln_h: &ln_h,
                    n,
                    ln_n: n.ln(),
                    d,
                    ln_d: d.ln(),
                    u: 1.0,
                    output: j,
                };
                let (value, grad, grad_h) = output_by_scratch(&law, &params, &row, j);
                assert!(value.is_finite(), "k = {k}, output {j}: {value}");
                assert_eq!(law.eval_row(&params, &row, None), value, "k = {k}, j = {j}");
                let mut g = vec![f64::NAN; params.len()];
                assert_eq!(law.eval_row(&params, &row, Some(&mut g)), value);
                assert_eq!(g, grad, "k = {k}, output {j}: parameter gradient");
                let mut gh = vec![f64::NAN; k];
                assert_eq!(law.grad_h_row(&params, &row, &mut gh), value);
                assert_eq!(gh, grad_h, "k = {k}, output {j}: h-gradient");
            }
        }
    }
}
