//! Newton-scaled coordinates ([`Preconditioned`]) and the finite-difference Hessian factor
//! the bootstrap computes once ([`hessian_factor`]): the scaled gradient against central
//! differences of the scaled value, the factor against a known Hessian, and L-BFGS in the
//! scaled coordinates reaching the minimum.

use proptest::prelude::*;

use mixlaw_fit::problem::hessian_factor_workspace_len;
use mixlaw_fit::{hessian_factor, Lbfgs, Preconditioned, Problem};

/// `f(x) = 1/2 (x - c)^T A (x - c) + 1/4 sum_i (x_i - c_i)^4` with `A` symmetric positive
/// definite: Hessian `A` at `c`, not quadratic elsewhere.
struct Bowl {
    a: Vec<f64>,
    c: Vec<f64>,
}

impl Problem for Bowl {
    fn dim(&self) -> usize {
        self.c.len()
    }
    fn cost_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        let p = self.c.len();
        let r: Vec<f64> = x.iter().zip(&self.c).map(|(x, c)| x - c).collect();
        let mut f = 0.0;
        for i in 0..p {
            let ar: f64 = (0..p).map(|j| self.a[i * p + j] * r[j]).sum();
            g[i] = ar + r[i].powi(3);
            f += 0.5 * r[i] * ar + 0.25 * r[i].powi(4);
        }
        f
    }
}

/// `A = M M^T + p I` from any `M`: symmetric positive definite.
fn bowl(m: &[f64], c: Vec<f64>) -> Bowl {
    let p = c.len();
    let mut a = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            a[i * p + j] = (0..p).map(|k| m[i * p + k] * m[j * p + k]).sum::<f64>();
        }
        a[i * p + i] += p as f64;
    }
    Bowl { a, c }
}

fn factor_of(problem: &mut Bowl, at: &[f64]) -> Vec<f64> {
    let p = at.len();
    let mut factor = vec![0.0; p * p];
    let mut work = vec![0.0; hessian_factor_workspace_len(p)];
    hessian_factor(problem, at, &mut factor, &mut work).unwrap();
    factor
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(64)))]

    /// At the minimum the factor reproduces the Hessian: `L L^T = A` (the central
    /// differences of a cubic gradient are exact up to `h^2` and rounding).
    #[test]
    fn factor_reproduces_the_hessian(
        (m, c) in (1usize..6).prop_flat_map(|p| (
            proptest::collection::vec(-2.0f64..2.0, p * p),
            proptest::collection::vec(-3.0f64..3.0, p),
        )),
    ) {
        let p = c.len();
        let mut problem = bowl(&m, c.clone());
        let l = factor_of(&mut problem, &c);
        for i in 0..p {
            prop_assert!(l[i * p + i] > 0.0);
            for j in 0..p {
                let llt: f64 = (0..p).map(|k| l[i * p + k] * l[j * p + k]).sum();
                let a = problem.a[i * p + j];
                prop_assert!((llt - a).abs() <= 1e-6 * (1.0 + a.abs()), "{i},{j}: {llt} vs {a}");
                if j > i {
                    prop_assert_eq!(l[i * p + j], 0.0);
                }
            }
        }
    }

    /// The scaled gradient `L^-1 g_x` is the gradient of the scaled value: against central
    /// differences in `z`, away from the origin.
    #[test]
    fn scaled_gradient_matches_central_differences(
        (m, c, origin, z) in (1usize..6).prop_flat_map(|p| (
            proptest::collection::vec(-2.0f64..2.0, p * p),
            proptest::collection::vec(-3.0f64..3.0, p),
            proptest::collection::vec(-3.0f64..3.0, p),
            proptest::collection::vec(-2.0f64..2.0, p),
        )),
    ) {
        let p = c.len();
        let mut problem = bowl(&m, c);
        let factor = factor_of(&mut problem, &origin);
        let mut work = vec![0.0; 2 * p];
        let mut scaled = Preconditioned::new(&mut problem, &origin, &factor, &mut work).unwrap();
        let mut g = vec![0.0; p];
        let f = scaled.cost_grad(&z, &mut g);
        prop_assert!(f.is_finite());
        let mut scratch = vec![0.0; p];
        for i in 0..p {
            let h = 1e-5;
            let (mut a, mut b) = (z.clone(), z.clone());
            a[i] += h;
            b[i] -= h;
            let fd = (scaled.cost_grad(&a, &mut scratch) - scaled.cost_grad(&b, &mut scratch)) / (2.0 * h);
            prop_assert!((fd - g[i]).abs() <= 1e-6 * (1.0 + g[i].abs() + f.abs()), "z[{i}]: {fd} vs {}", g[i]);
        }
        // z = 0 is the origin.
        let mut x = vec![0.0; p];
        scaled.to_original(&vec![0.0; p], &mut x);
        prop_assert_eq!(&x, &origin);
    }
}

/// L-BFGS in coordinates scaled by the Hessian at the minimum, started one unit away,
/// reaches the minimum in fewer evaluations than plain L-BFGS.
#[test]
fn scaled_lbfgs_takes_newton_steps() {
    let p = 6;
    let m: Vec<f64> = (0..p * p)
        .map(|i| ((i * 7 % 11) as f64 - 5.0) / 3.0)
        .collect();
    let c: Vec<f64> = (0..p).map(|i| i as f64 - 2.5).collect();
    let mut problem = bowl(&m, c.clone());
    let factor = factor_of(&mut problem, &c);
    // Start one unit away from the minimum in every coordinate.
    let origin: Vec<f64> = c.iter().map(|v| v + 1.0).collect();
    let lbfgs = Lbfgs::default();
    let mut plain_x = origin.clone();
    let mut work = vec![0.0; lbfgs.workspace_len(p)];
    let plain = lbfgs
        .minimize(&mut problem, &mut plain_x, &mut work)
        .unwrap();
    let mut pre_work = vec![0.0; 2 * p];
    let mut scaled = Preconditioned::new(&mut problem, &origin, &factor, &mut pre_work).unwrap();
    let mut z = vec![0.0; p];
    let pre = lbfgs.minimize(&mut scaled, &mut z, &mut work).unwrap();
    let mut x = vec![0.0; p];
    scaled.to_original(&z, &mut x);
    for (a, b) in x.iter().zip(&c) {
        assert!((a - b).abs() < 1e-7, "{a} vs {b}");
    }
    assert!(pre.value <= 1e-20, "{}", pre.value);
    assert!(
        pre.evaluations < plain.evaluations,
        "scaled {} evaluations, plain {}",
        pre.evaluations,
        plain.evaluations
    );
}
