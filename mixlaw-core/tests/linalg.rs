//! The Cholesky solve against the textbook left-looking recurrence (same bits) and against
//! its own residual, on random symmetric positive definite systems.

use mixlaw_core::linalg::cholesky_solve;
use mixlaw_core::Error;
use proptest::prelude::*;

/// The left-looking recurrence `l_ij = (a_ij - sum_{k<j} l_ik l_jk) / l_jj`, summed in the
/// order k = 0, 1, ..., then forward and back substitution: the reference for the bits.
fn left_looking(a: &mut [f64], p: usize, b: &mut [f64]) -> bool {
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= a[j * p + k] * a[j * p + k];
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * p + j] = d;
        for i in (j + 1)..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= a[i * p + k] * a[j * p + k];
            }
            a[i * p + j] = s / d;
        }
    }
    for i in 0..p {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * p + k] * b[k];
        }
        b[i] = s / a[i * p + i];
    }
    for i in (0..p).rev() {
        let mut s = b[i];
        for k in (i + 1)..p {
            s -= a[k * p + i] * b[k];
        }
        b[i] = s / a[i * p + i];
    }
    true
}

/// A random SPD matrix `X^T X + ridge I` (row-major, full) of size p, with some zero
/// entries in X (sparse designs, as the closed-form linear fit sees), and a right side.
fn system() -> impl Strategy<Value = (usize, Vec<f64>, Vec<f64>)> {
    (1usize..40).prop_flat_map(|p| {
        let rows = p + 3;
        (
            Just(p),
            proptest::collection::vec(prop_oneof![Just(0.0), -3.0f64..3.0], rows * p),
            proptest::collection::vec(-5.0f64..5.0, p),
            1e-6f64..1.0,
        )
            .prop_map(move |(p, x, b, ridge)| {
                let mut a = vec![0.0; p * p];
                for r in 0..rows {
                    for i in 0..p {
                        for j in 0..p {
                            a[i * p + j] += x[r * p + i] * x[r * p + j];
                        }
                    }
                }
                for i in 0..p {
                    a[i * p + i] += ridge;
                }
                (p, a, b)
            })
    })
}

proptest! {
    /// Same factor (lower triangle) and same solution, bit for bit, as the left-looking
    /// recurrence; the upper triangle holds L^T; and A z = b to rounding.
    #[test]
    fn cholesky_matches_left_looking_and_solves((p, a, b) in system()) {
        let (mut fast, mut z) = (a.clone(), b.clone());
        cholesky_solve(&mut fast, p, &mut z, 0.0).unwrap();
        let (mut slow, mut zs) = (a.clone(), b.clone());
        prop_assert!(left_looking(&mut slow, p, &mut zs));
        prop_assert_eq!(z.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            zs.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        for i in 0..p {
            for j in 0..=i {
                prop_assert_eq!(fast[i * p + j].to_bits(), slow[i * p + j].to_bits());
                prop_assert_eq!(fast[j * p + i].to_bits(), fast[i * p + j].to_bits());
            }
        }
        let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()))
            * z.iter().fold(0.0f64, |m, v| m.max(v.abs())) + b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for i in 0..p {
            let r: f64 = (0..p).map(|j| a[i * p + j] * z[j]).sum::<f64>() - b[i];
            prop_assert!(r.abs() <= 1e-9 * scale * p as f64, "row {i}: residual {r}");
        }
    }
}

#[test]
fn cholesky_refuses_indefinite_nan_and_short_buffers() {
    let mut indefinite = [1.0, 2.0, 2.0, 1.0];
    let mut b = [1.0, 1.0];
    assert!(matches!(
        cholesky_solve(&mut indefinite, 2, &mut b, 0.0),
        Err(Error::Singular)
    ));
    let mut nan = [f64::NAN, 0.0, 0.0, 1.0];
    assert!(matches!(
        cholesky_solve(&mut nan, 2, &mut b, 0.0),
        Err(Error::Singular)
    ));
    let mut short = [1.0, 0.0, 0.0];
    assert!(matches!(
        cholesky_solve(&mut short, 2, &mut b, 0.0),
        Err(Error::BufferTooSmall { .. })
    ));
    let mut a = [4.0, 0.0, 0.0, 9.0];
    assert!(matches!(
        cholesky_solve(&mut a, 2, &mut [1.0], 0.0),
        Err(Error::BufferTooSmall { .. })
    ));
    // The pivot tolerance: a pivot of 2^-66 (~1.4e-20, an exact square) is refused at
    // tol 1e-12, accepted at 0.
    let t = 2f64.powi(-66);
    let mut tiny = [t, 0.0, 0.0, 1.0];
    assert!(matches!(
        cholesky_solve(&mut tiny, 2, &mut b, 1e-12),
        Err(Error::Singular)
    ));
    let mut tiny = [t, 0.0, 0.0, 1.0];
    let mut z = [t, 3.0];
    cholesky_solve(&mut tiny, 2, &mut z, 0.0).unwrap();
    assert_eq!(z, [1.0, 3.0]);
}
