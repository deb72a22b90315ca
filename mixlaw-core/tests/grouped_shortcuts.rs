//! The shortcuts of evaluation by groups keep every value bit for bit: the factors a law
//! declares constant ([`Law::unit_factors`]) are exactly 1 and their weights are never read
//! by [`Law::factors_vjp`]; what [`Law::factors`] keeps for the gradient
//! ([`Law::factors_cache_len`]) gives the same gradient as recomputing it; the branchless
//! Huber loss is the two-sided definition.

mod common;

use mixlaw_core::loss::huber;
use mixlaw_core::{laws, AnyLaw, Dataset, Factor, Law, Prepared, Scales};
use proptest::prelude::*;

const FACTORS: [Factor; 3] = [Factor::Mixture, Factor::Model, Factor::Tokens];

/// Huber as written before it lost its branch.
fn huber_two_sided(r: f64, delta: f64) -> (f64, f64) {
    if r.abs() <= delta {
        (0.5 * r * r, r)
    } else {
        (delta * (r.abs() - 0.5 * delta), delta * r.signum())
    }
}

fn same(a: (f64, f64), b: (f64, f64)) -> bool {
    let eq = |x: f64, y: f64| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
    eq(a.0, b.0) && eq(a.1, b.1)
}

#[test]
fn huber_without_branch_is_the_two_sided_definition_at_the_edges() {
    let delta: f64 = 1e-3;
    for r in [
        0.0,
        -0.0,
        delta,
        -delta,
        f64::from_bits(delta.to_bits() + 1),
        -f64::from_bits(delta.to_bits() + 1),
        f64::from_bits(delta.to_bits() - 1),
        1e300,
        -1e300,
        f64::MIN_POSITIVE,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ] {
        assert!(
            same(huber(r, delta), huber_two_sided(r, delta)),
            "r = {r:e}: {:?} vs {:?}",
            huber(r, delta),
            huber_two_sided(r, delta)
        );
    }
}

/// The factors and vector-Jacobian products of every separable law at one row: declared
/// unit factors are 1.0, and the gradient is the same bit for bit with NaN in the unit
/// factors' weights and with no cache (recomputed) as with the kept cache.
fn check_law(name: &str, k: usize, h: &[f64], n: f64, d: f64, u01: &[f64]) {
    let law = AnyLaw::new(name, k, Some(0)).unwrap();
    let t = law.separable_terms();
    if t == 0 {
        return;
    }
    let kk = if law.inputs().h { k } else { 0 };
    let p = law.num_params();
    let (_, params) = common::start_point(&law, u01);
    let h: Vec<f64> = if kk == 0 { vec![] } else { h.to_vec() };
    let (ns, ds, us, y) = ([n * 1e9], [d * 1e9], [d * 0.3e9], [1.0]);
    let data = Dataset::new(kk, &h, &y)
        .unwrap()
        .with_n(&ns)
        .unwrap()
        .with_d(&ds)
        .unwrap()
        .with_unique(&us)
        .unwrap();
    let mut buf = vec![0.0; Prepared::buffer_len(1, kk)];
    let prepared = Prepared::new(data, Scales { n: 1e9, d: 1e9 }, &mut buf).unwrap();
    let row = prepared.row(0).unwrap();
    for factor in FACTORS {
        let units = law.unit_factors(factor);
        let mut out = vec![f64::NAN; t];
        let mut cache = vec![f64::NAN; law.factors_cache_len(factor)];
        law.factors(&params, factor, &row, &mut out, &mut cache);
        let weights: Vec<f64> = (0..t).map(|i| 0.7 - 0.3 * i as f64).collect();
        let garbled: Vec<f64> = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| if units >> i & 1 == 1 { f64::NAN } else { w })
            .collect();
        for (i, &v) in out.iter().enumerate() {
            if units >> i & 1 == 1 {
                assert_eq!(v.to_bits(), 1f64.to_bits(), "{name} {factor:?} term {i}");
            }
        }
        let vjp = |weights: &[f64], cache: &[f64]| {
            let (mut grad, mut scratch) = (vec![0.0; p], vec![0.0; p]);
            law.factors_vjp(
                &params,
                factor,
                &row,
                weights,
                cache,
                &mut grad,
                &mut scratch,
            );
            grad.iter().map(|g| g.to_bits()).collect::<Vec<u64>>()
        };
        let kept = vjp(&weights, &cache);
        assert_eq!(
            kept,
            vjp(&garbled, &cache),
            "{name} {factor:?}: reads a unit weight"
        );
        assert_eq!(
            kept,
            vjp(&weights, &[]),
            "{name} {factor:?}: cache changes the gradient"
        );
        // The cache holds values, not a stale state: recomputing at the same parameters
        // keeps the same values.
        let mut again = vec![0.0; cache.len()];
        let mut out_again = vec![0.0; t];
        law.factors(&params, factor, &row, &mut out_again, &mut again);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        assert_eq!(bits(&again), bits(&cache), "{name} {factor:?}");
        assert_eq!(bits(&out_again), bits(&out), "{name} {factor:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(64)))]
    #[test]
    fn huber_without_branch_is_the_two_sided_definition(
        r in -1e-2f64..1e-2, delta in 1e-4f64..1e-2
    ) {
        prop_assert!(same(huber(r, delta), huber_two_sided(r, delta)));
    }

    #[test]
    fn unit_factors_and_caches_keep_the_gradient(
        h in (1usize..6).prop_flat_map(common::mixture),
        n in 0.1f64..10.0,
        d in 0.5f64..50.0,
        u01 in proptest::collection::vec(0.0f64..1.0, 8),
    ) {
        let mut h = h;
        // Keep the target domain of bimix (0) away from zero.
        h[0] = h[0].max(0.05);
        let s: f64 = h.iter().sum();
        h.iter_mut().for_each(|x| *x /= s);
        for name in laws::NAMES {
            check_law(name, h.len(), &h, n, d, &u01);
        }
    }
}

/// The shortcuts are declared where they apply: `additive` has one factor that is not 1
/// per term and keeps its k mixture powers.
#[test]
fn additive_declares_its_unit_factors_and_cache() {
    let law = AnyLaw::new("additive", 7, None).unwrap();
    assert_eq!(law.unit_factors(Factor::Mixture), 0b1100);
    assert_eq!(law.unit_factors(Factor::Model), 0b1011);
    assert_eq!(law.unit_factors(Factor::Tokens), 0b0111);
    assert_eq!(law.factors_cache_len(Factor::Mixture), 7);
}
