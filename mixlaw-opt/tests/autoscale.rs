//! AutoScale: the scale extrapolation of optimal per-domain token counts, checked against
//! the exact optimum of `autoscale` laws, and the authors' notebook numbers
//! (laws-extra.md section 3) recomputed within 1e-4.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use mixlaw_core::laws::autoscale::Autoscale;
use mixlaw_core::Scales;
use mixlaw_opt::autoscale::{extrapolate, paper, reproduce};
use mixlaw_opt::{Bounds, Error, LawAt, Solver, Status};
use proptest::prelude::*;

/// `D h*` of an `autoscale` law with `D0 = 0`... replaced by a tiny D0 (the law needs
/// D0 > 0), solved by the simplex solver at total D.
fn optimum(c: &[f64], gamma: &[f64], d: f64) -> Vec<f64> {
    let k = c.len();
    let law = Autoscale::new(k).unwrap();
    let mut p = vec![0.5];
    p.extend_from_slice(c);
    p.extend(std::iter::repeat_n(1e-12, k));
    p.extend_from_slice(gamma);
    let target = LawAt::new(&law, &p, 1.0, d, Scales::default()).unwrap();
    let mut solver = Solver::<8>::default();
    let mut config = *solver.config();
    config.gap_tol = 1e-14;
    solver.set_config(config);
    let mut h = vec![1.0 / k as f64; k];
    let sol = solver.minimize(&target, &Bounds::SIMPLEX, &mut h).unwrap();
    assert_eq!(sol.status, Status::Converged);
    h.iter().map(|x| x * d).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(24)))]

    /// Optima at two budgets predict the optimum at the budget the rule gives for t = 2 and
    /// t = 1/2: the exact optimum at the predicted total equals the prediction.
    #[test]
    fn extrapolation_is_exact_for_pure_power_laws(
        k in 2usize..6,
        c in proptest::collection::vec(0.5f64..5.0, 5),
        gamma in proptest::collection::vec(0.2f64..1.5, 5),
        d1 in 5.0f64..20.0,
        ratio in 2.0f64..6.0,
        t in prop_oneof![Just(2.0), Just(0.5), Just(3.0)],
    ) {
        let (c, gamma) = (&c[..k], &gamma[..k]);
        let a = optimum(c, gamma, d1);
        let b = optimum(c, gamma, d1 * ratio);
        let mut pred = vec![0.0; k];
        let total = extrapolate(&a, &b, t, &mut pred).unwrap();
        let exact = optimum(c, gamma, total);
        for i in 0..k {
            prop_assert!(
                (pred[i] - exact[i]).abs() <= 1e-5 * total,
                "domain {i}: predicted {} exact {} (total {total})", pred[i], exact[i]
            );
        }
    }
}

#[test]
fn extrapolate_rejects_bad_input() {
    let mut out = [0.0; 2];
    assert!(matches!(
        extrapolate(&[1.0, 2.0], &[1.0], 2.0, &mut out),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        extrapolate(&[1.0, 0.0], &[1.0, 2.0], 2.0, &mut out),
        Err(Error::InvalidInput {
            what: "d1",
            index: 1
        })
    ));
    assert!(matches!(
        extrapolate(&[1.0, 1.0], &[f64::NAN, 2.0], 2.0, &mut out),
        Err(Error::InvalidInput {
            what: "d2",
            index: 0
        })
    ));
    assert!(matches!(
        extrapolate(&[1.0, 1.0], &[1.0, 2.0], f64::INFINITY, &mut out),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        extrapolate(&[1e-300, 1.0], &[1e300, 2.0], 2.0, &mut out),
        Err(Error::Numerical { .. })
    ));
    assert_eq!(extrapolate(&[], &[], 2.0, &mut []), Err(Error::Empty));
    // t = 0 and t = 1 give the reference scales back.
    let total = extrapolate(&[1.0, 3.0], &[2.0, 5.0], 1.0, &mut out).unwrap();
    assert!(
        (out[0] - 2.0).abs() < 1e-15 && (out[1] - 5.0).abs() < 1e-14 && total == out[0] + out[1]
    );
}

/// The notebook's DDO optimum, next-scale tokens and 0.6B midpoint, within 1e-4; totals
/// within 1e-4 relative; every unbounded domain has the same marginal gain (0.0472026).
#[test]
fn reproduces_the_autoscale_notebooks() {
    let r = reproduce().unwrap();
    assert_eq!(r.ddo_status, Status::Converged);
    assert!(r.ddo_gap <= 1e-13);
    for f in r.figures() {
        let name = f.to_string();
        let tol = if f.kind == "next_total" {
            1e-4 * f.published
        } else {
            1e-4
        };
        println!(
            "{name:<24} ours {:>12.7} published {:>10.5} diff {:.1e}",
            f.ours,
            f.published,
            (f.ours - f.published).abs()
        );
        assert!(
            (f.ours - f.published).abs() <= tol,
            "{name}: {} vs {}",
            f.ours,
            f.published
        );
    }
    assert!(
        (r.ddo_marginal - 0.0472026).abs() <= 1e-6,
        "{}",
        r.ddo_marginal
    );
    assert!((r.ddo.iter().sum::<f64>() - paper::DDO_TOTAL).abs() < 1e-9);
    // github sits at the floor.
    assert!((r.ddo[1] - paper::DDO_FLOOR).abs() < 1e-9);
    let names: Vec<String> = r.figures().map(|f| f.to_string()).collect();
    assert_eq!(names.len(), 3 * 7 + 4);
    assert!(names.contains(&"ddo_common_crawl".into()) && names.contains(&"next_arxiv".into()));
    assert!(names.contains(&"mid_c4".into()) && names.contains(&"next_total_t5".into()));
}
