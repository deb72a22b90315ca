//! The single-precision device path: a fitted law converted once to `f32`
//! ([`LawAt::converted`]) and solved by `Solver<K, f32>` agrees with the `f64` solve.

use mixlaw_core::laws::{additive::Additive, joint::Joint};
use mixlaw_core::Scales;
use mixlaw_opt::{Bounds, LawAt, Side, Solver, Status};

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

/// A joint law over six domains with an interior optimum (the embedded program's).
const JOINT6: [f64; 29] = [
    1.8, 0.32, 0.28, 2.0, 1.5, 0.8, 1.2, 0.6, 1.0, 0.4, 0.3, 0.5, 0.35, 0.45, 0.25, 4.0, 4.2, 3.9,
    4.1, 4.3, 3.8, 0.9, 7.0, 7.3, 6.8, 7.1, 6.9, 7.2, 1.1,
];

#[test]
fn f32_solve_of_the_joint_law_matches_the_f64_solve() {
    let law = Joint::new(6).unwrap();
    let target = LawAt::<_, 6>::with_capacity(&law, &JOINT6, 7e9, 1.5e11, SCALES).unwrap();
    let mut h64 = [1.0 / 6.0; 6];
    let s64 = Solver::<6>::default()
        .minimize(&target, &Bounds::SIMPLEX, &mut h64)
        .unwrap();
    let mut params = [0.0f32; 29];
    let target32 = target.converted(&mut params).unwrap();
    let mut h32 = [1.0f32 / 6.0; 6];
    let s32 = Solver::<6, f32>::default()
        .minimize(&target32, &Bounds::SIMPLEX, &mut h32)
        .unwrap();
    println!("f64 {s64:?} {h64:?}\nf32 {s32:?} {h32:?}");
    assert_eq!(s64.status, Status::Converged);
    assert_eq!(s32.status, Status::Converged);
    let dist = h64
        .iter()
        .zip(&h32)
        .map(|(a, &b)| (a - f64::from(b)).abs())
        .fold(0.0, f64::max);
    assert!(dist < 1e-4, "{dist}");
    assert!((f64::from(s32.objective) - s64.objective).abs() < 1e-5 * s64.objective);
}

#[test]
fn f32_bounded_solve_stays_feasible() {
    let law = Additive::new(3).unwrap();
    let params = [1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 3.0, 0.5, 0.4, 0.3];
    let target = LawAt::new(&law, &params, 1e9, 2e10, SCALES).unwrap();
    let caps = [0.5, 1.0, 0.3];
    let bounds = Bounds::new(Side::All(0.02), Side::Each(&caps));
    let mut h64 = [1.0 / 3.0; 3];
    let s64 = Solver::<3>::default()
        .minimize(&target, &bounds, &mut h64)
        .unwrap();
    let mut p32 = [0.0f32; 11];
    let t32 = target.converted(&mut p32).unwrap();
    let mut h32 = [1.0f32 / 3.0; 3];
    let s32 = Solver::<3, f32>::default()
        .minimize(&t32, &bounds, &mut h32)
        .unwrap();
    println!("f64 {s64:?} {h64:?}\nf32 {s32:?} {h32:?}");
    assert_eq!(s32.status, Status::Converged);
    assert!(bounds.contains(&h32, 1e-5));
    let dist = h64
        .iter()
        .zip(&h32)
        .map(|(a, &b)| (a - f64::from(b)).abs())
        .fold(0.0, f64::max);
    assert!(dist < 1e-4, "{dist}");
}

#[test]
fn parameters_outside_the_f32_range_are_typed_errors() {
    let law = Additive::new(2).unwrap();
    for (i, tiny_or_huge) in [(5, 1e-300), (6, 1e-40), (2, 1e39)] {
        let mut params = [1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 0.5, 0.4];
        params[i] = tiny_or_huge;
        let target = LawAt::new(&law, &params, 1e9, 2e10, SCALES).unwrap();
        let mut p32 = [0.0f32; 9];
        assert_eq!(
            target.converted(&mut p32).unwrap_err(),
            mixlaw_opt::Error::InvalidInput {
                what: "a parameter outside the float type's normal range",
                index: i
            }
        );
    }
    // In range (and exact zeros of free parameters) convert.
    let params = [0.0, 2.0, 3.0, 0.3, 0.3, 1e-30, 2.0, 0.5, 0.4];
    let target = LawAt::new(&law, &params, 1e9, 2e10, SCALES).unwrap();
    let mut p32 = [0.0f32; 9];
    assert!(target.converted(&mut p32).is_ok());
    let mut short = [0.0f32; 8];
    assert!(target.converted(&mut short).is_err());
}
