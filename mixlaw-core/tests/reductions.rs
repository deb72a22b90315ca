//! Algebraic identities between laws (Shukor et al. 2025, section 2.2).

use mixlaw_core::laws::{additive::Additive, joint::Joint};
use mixlaw_core::{LawExt, Point, Scales};
use proptest::prelude::*;

mod common;

proptest! {
    /// `joint` with gammaA = gammaB = 1, CA[i] = A, CB[i] = B is `additive`.
    #[test]
    fn joint_reduces_to_additive(
        (k, h) in common::k_and_mixture(),
        e in 0.5f64..3.0, a in 0.01f64..20.0, b in 0.01f64..20.0,
        alpha in 0.05f64..1.0, beta in 0.05f64..1.0,
        cg in proptest::collection::vec((0.1f64..10.0, 0.05f64..1.5), 7),
        n in 0.1f64..10.0, d in 0.5f64..50.0,
    ) {
        let c: Vec<f64> = cg[..k].iter().map(|x| x.0).collect();
        let g: Vec<f64> = cg[..k].iter().map(|x| x.1).collect();
        let mut pa = vec![e, a, b, alpha, beta];
        pa.extend(&c);
        pa.extend(&g);
        let mut pj = vec![e, alpha, beta];
        pj.extend(&c);
        pj.extend(&g);
        pj.extend(std::iter::repeat_n(a, k));
        pj.push(1.0);
        pj.extend(std::iter::repeat_n(b, k));
        pj.push(1.0);
        let point = Point::new(&h, n * 1e9, d * 1e9).unwrap();
        let scales = Scales { n: 1e9, d: 1e9 };
        let la = Additive::new(k).unwrap().value(&pa, &point, scales).unwrap();
        let lj = Joint::new(k).unwrap().value(&pj, &point, scales).unwrap();
        prop_assert!((la - lj).abs() <= 1e-12 * la.abs(), "additive {la} vs joint {lj}");
    }
}
