//! The generic (`RealLaw`) path of the mixture laws: in `f64` it is the law's own
//! `eval_row` / `grad_h_row` bit for bit, and it agrees with the separately written
//! parameter-gradient arm of `eval_row` bit for bit; in `f32` it agrees with `f64` within a
//! relative tolerance, over random parameters and mixtures with exact zeros and
//! near-zero weights.

mod common;

use mixlaw_core::laws::{
    additive::Additive, additive_n::AdditiveN, additive_nd::AdditiveNd, autoscale::Autoscale,
    bimix::Bimix, dcpt::Dcpt, full::Full, joint::Joint, linear::Linear, simple::Simple,
    ye_m1::YeM1, ye_m2::YeM2, ye_m3::YeM3, ye_m4::YeM4,
};
use mixlaw_core::{LawExt, Real, RealLaw, RowOf};
use proptest::prelude::*;

/// The row of a case in the float type `T` (`ln h` taken in `T`, as a device does).
fn row_of<'a, T: Real>(c: &common::Case, h: &'a [T], ln_h: &'a [T]) -> RowOf<'a, T> {
    let n = T::from_f64(c.n);
    let d = T::from_f64(c.d);
    RowOf {
        h,
        ln_h,
        n,
        ln_n: n.ln(),
        d,
        ln_d: d.ln(),
        u: T::from_f64(c.u),
    }
}

/// Same bits, or both NaN.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// `f32` within `TOL` of `f64`, relative to `scale` (the size of the terms summed).
fn near(a32: f32, a64: f64, scale: f64) -> bool {
    const TOL: f64 = 1e-4;
    if a64.is_infinite() {
        return f64::from(a32) == a64;
    }
    (f64::from(a32) - a64).abs() <= TOL * scale
}

fn check<L: RealLaw>(law: &L, c: &common::Case) -> Result<(), TestCaseError> {
    let mut params = vec![0.0; law.num_params()];
    law.to_natural(&c.theta, &mut params).unwrap();
    let ln_h: Vec<f64> = c.h.iter().map(|v| v.ln()).collect();
    let row = common::row(c, &c.h, &ln_h);
    let row64 = RowOf::from(&row);
    let k = law.domains();

    // f64: the generic path is the law's f64 path, and equals the gradient arm's value.
    let v = law.value_of(&params, &row64);
    prop_assert!(same(v, law.eval_row(&params, &row, None)));
    let mut grad = vec![0.0; params.len()];
    let v_grad_arm = law.eval_row(&params, &row, Some(&mut grad));
    prop_assert!(same(v, v_grad_arm), "{v} vs {v_grad_arm}");
    let mut gh = vec![0.0; k];
    let mut gh_law = vec![0.0; k];
    let vg = law.grad_h_of(&params, &row64, &mut gh);
    prop_assert!(same(vg, law.grad_h_row(&params, &row, &mut gh_law)));
    prop_assert!(gh.iter().zip(&gh_law).all(|(&a, &b)| same(a, b)));
    prop_assert!(same(vg, v));

    // f32 against f64.
    let p32: Vec<f32> = params.iter().map(|&p| p as f32).collect();
    let h32: Vec<f32> = c.h.iter().map(|&v| v as f32).collect();
    let ln_h32: Vec<f32> = h32.iter().map(|&v| Real::ln(v)).collect();
    let r32 = row_of(c, &h32, &ln_h32);
    let v32 = law.value_of(&p32, &r32);
    let mut gh32 = vec![0.0f32; k];
    let vg32 = law.grad_h_of(&p32, &r32, &mut gh32);
    prop_assert_eq!(v32.to_bits(), vg32.to_bits());
    let scale = 1.0 + v.abs();
    prop_assert!(near(v32, v, scale), "value {v32} vs {v}");
    let gscale = 1.0
        + gh.iter()
            .filter(|g| g.is_finite())
            .fold(0.0f64, |m, g| m.max(g.abs()));
    for (i, (&a, &b)) in gh32.iter().zip(&gh).enumerate() {
        prop_assert!(near(a, b, gscale), "dL/dh[{i}] {a} vs {b} (h {:?})", c.h);
    }
    Ok(())
}

macro_rules! real_tests {
    ($($name:ident: $make:expr;)*) => {$(
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(512)))]
            #[test]
            fn $name((law, c) in common::law_and_case($make)) {
                check(&law, &c)?;
            }
        }
    )*};
}

real_tests! {
    joint: |k| Joint::new(k).unwrap();
    bimix: |k| Bimix::new(k, k / 2).unwrap();
    full: |k| Full::new(k).unwrap();
    dcpt: |k| Dcpt::new(k, 0).unwrap();
    autoscale: |k| Autoscale::new(k).unwrap();
    simple: |k| Simple::new(k).unwrap();
    additive: |k| Additive::new(k).unwrap();
    additive_n: |k| AdditiveN::new(k).unwrap();
    additive_nd: |k| AdditiveNd::new(k).unwrap();
    linear: |k| Linear::new(k).unwrap();
    ye_m1: |k| YeM1::new(k).unwrap();
    ye_m2: |k| YeM2::new(k).unwrap();
    ye_m3: |k| YeM3::new(k).unwrap();
    ye_m4: |k| YeM4::new(k).unwrap();
}

/// The f32 path is not a copy of the f64 one: a parameter that does not fit in `f32`
/// changes the value (the check above would pass trivially if both ran in f64).
#[test]
fn f32_path_rounds_to_single_precision() {
    let law = Linear::new(2).unwrap();
    let h = [0.5, 0.5];
    let ln_h = h.map(f64::ln);
    let row = RowOf {
        h: &h[..],
        ln_h: &ln_h[..],
        n: 1.0,
        ln_n: 0.0,
        d: 1.0,
        ln_d: 0.0,
        u: 1.0,
    };
    let p = [1.0 + 1e-12, 1.0];
    let v64 = law.value_of(&p, &row);
    let h32 = [0.5f32, 0.5];
    let ln32 = h32.map(Real::ln);
    let row32 = RowOf {
        h: &h32[..],
        ln_h: &ln32[..],
        n: 1.0,
        ln_n: 0.0,
        d: 1.0,
        ln_d: 0.0,
        u: 1.0,
    };
    let v32 = law.value_of(&p.map(|x| x as f32), &row32);
    assert_eq!(v32, 1.0f32);
    assert!(v64 > 1.0);
}
