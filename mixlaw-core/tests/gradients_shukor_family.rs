//! The Shukor et al. family beyond `additive` and `joint` (`additive-nd`, `additive-n`,
//! `simple`, `full`): exact gradients against finite differences, and algebraic identities
//! that tie each law to one already tested.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a panic is a failure

mod common;

use mixlaw_core::laws::{
    additive::Additive, additive_n::AdditiveN, additive_nd::AdditiveNd, chinchilla::Chinchilla,
    full::Full, joint::Joint, simple::Simple,
};
use mixlaw_core::{Law, LawExt, Point, Scales};
use proptest::{prop_assert, prop_assert_eq, proptest};

gradient_tests! {
    additive_nd: |k| AdditiveNd::new(k).unwrap();
    additive_n: |k| AdditiveN::new(k).unwrap();
    simple: |k| Simple::new(k).unwrap();
    full: |k| Full::new(k).unwrap();
}

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn names_and_counts() {
    for k in 1..6 {
        let laws: [(&dyn Law, &str, usize); 4] = [
            (&AdditiveNd::new(k).unwrap(), "additive-nd", 1 + 2 * k),
            (&AdditiveN::new(k).unwrap(), "additive-n", 3 + 2 * k),
            (&Simple::new(k).unwrap(), "simple", 6 + k),
            (&Full::new(k).unwrap(), "full", 5 + 6 * k),
        ];
        for (law, name, count) in laws {
            assert_eq!(law.name(), name);
            assert_eq!(law.num_params(), count, "{name} at k = {k}");
        }
    }
    let names = |law: &dyn Law| -> Vec<String> {
        (0..law.num_params())
            .map(|i| law.param_info(i).unwrap().name.to_string())
            .collect()
    };
    assert_eq!(
        names(&Full::new(1).unwrap()),
        [
            "E",
            "C[0]",
            "gamma[0]",
            "CA[0]",
            "gammaA",
            "CB[0]",
            "gammaB",
            "Calpha[0]",
            "gammaalpha",
            "Cbeta[0]",
            "gammabeta"
        ]
    );
    assert_eq!(
        names(&Simple::new(2).unwrap()),
        ["E", "A", "B", "alpha", "beta", "C[0]", "C[1]", "gamma"]
    );
    assert_eq!(
        names(&AdditiveN::new(1).unwrap()),
        ["E", "B", "beta", "C[0]", "gamma[0]"]
    );
    assert_eq!(
        names(&AdditiveNd::new(1).unwrap()),
        ["E", "C[0]", "gamma[0]"]
    );
    // Free (unconstrained-sign) parameters are exactly the ones laws.md leaves free.
    let free = |law: &dyn Law| -> Vec<String> {
        (0..law.num_params())
            .filter_map(|i| law.param_info(i))
            .filter(|p| !p.positive)
            .map(|p| p.name.to_string())
            .collect()
    };
    assert_eq!(
        free(&Full::new(3).unwrap()),
        ["E", "gammaalpha", "gammabeta"]
    );
    assert_eq!(free(&Simple::new(3).unwrap()), ["E", "gamma"]);
    assert_eq!(free(&AdditiveN::new(3).unwrap()), ["E"]);
    assert_eq!(free(&AdditiveNd::new(3).unwrap()), ["E"]);
}

proptest! {
    /// `full` with gammaalpha = gammabeta = 1, Calpha[i] = alpha, Cbeta[i] = beta is `joint`:
    /// same value; same parameter gradient on the shared parameters, and joint's d/d ln alpha
    /// is the sum over i of full's d/d ln Calpha[i]; the h-gradients differ by a vector
    /// constant across domains (the exponents' ambient derivative), so they agree on the
    /// simplex.
    #[test]
    fn full_reduces_to_joint(
        (k, h) in common::k_and_mixture(),
        e in 0.5f64..3.0, alpha in 0.05f64..1.0, beta in 0.05f64..1.0,
        cg in proptest::collection::vec((0.1f64..10.0, 0.05f64..1.5, 0.05f64..20.0, 0.05f64..20.0), 7),
        gamma_a in 0.1f64..1.5, gamma_b in 0.1f64..1.5,
        n in 0.1f64..10.0, d in 0.5f64..50.0,
    ) {
        let c: Vec<f64> = cg[..k].iter().map(|x| x.0).collect();
        let g: Vec<f64> = cg[..k].iter().map(|x| x.1).collect();
        let ca: Vec<f64> = cg[..k].iter().map(|x| x.2).collect();
        let cb: Vec<f64> = cg[..k].iter().map(|x| x.3).collect();
        let mut pj = vec![e, alpha, beta];
        pj.extend(&c);
        pj.extend(&g);
        pj.extend(&ca);
        pj.push(gamma_a);
        pj.extend(&cb);
        pj.push(gamma_b);
        let mut pf = vec![e];
        pf.extend(&c);
        pf.extend(&g);
        pf.extend(&ca);
        pf.push(gamma_a);
        pf.extend(&cb);
        pf.push(gamma_b);
        pf.extend(std::iter::repeat_n(alpha, k));
        pf.push(1.0);
        pf.extend(std::iter::repeat_n(beta, k));
        pf.push(1.0);
        let point = Point::new(&h, n * 1e9, d * 1e9).unwrap();
        let (joint, full) = (Joint::new(k).unwrap(), Full::new(k).unwrap());

        let mut gj = vec![0.0; joint.num_params()];
        let mut gf = vec![0.0; full.num_params()];
        let lj = joint.value_grad(&pj, &point, SCALES, &mut gj).unwrap();
        let lf = full.value_grad(&pf, &point, SCALES, &mut gf).unwrap();
        prop_assert!((lj - lf).abs() <= 1e-12 * lj.abs(), "joint {lj} vs full {lf}");
        prop_assert_eq!(lf, full.value(&pf, &point, SCALES).unwrap());

        // Shared parameters: E, C, gamma, CA, gammaA, CB, gammaB.
        let shared = 1 + 4 * k + 2;
        let joint_shared = gj[..1].iter().chain(&gj[3..3 + shared - 1]);
        for (i, (x, y)) in joint_shared.zip(&gf[..shared]).enumerate() {
            prop_assert!(close(*x, *y, 1e-10), "slot {i}: joint {x} vs full {y}");
        }
        let calpha: f64 = gf[shared..shared + k].iter().sum();
        let cbeta: f64 = gf[shared + k + 1..shared + 2 * k + 1].iter().sum();
        prop_assert!(close(gj[1], calpha, 1e-10), "d/d ln alpha {} vs sum d/d ln Calpha {calpha}", gj[1]);
        prop_assert!(close(gj[2], cbeta, 1e-10), "d/d ln beta {} vs sum d/d ln Cbeta {cbeta}", gj[2]);

        let mut hj = vec![0.0; k];
        let mut hf = vec![0.0; k];
        // Where some h_i = 0 under gamma[i] < 1 both are infinite (an error) alike.
        let ok = joint.grad_h(&pj, &point, SCALES, &mut hj).is_ok();
        prop_assert_eq!(ok, full.grad_h(&pf, &point, SCALES, &mut hf).is_ok());
        if !ok {
            return Ok(());
        }
        // Full's exponents are alpha sum h and beta sum h: its extra ambient derivative is
        // -(tn alpha ln N + td beta ln D) in every domain.
        let (ln_n, ln_d) = (n.ln(), d.ln());
        let tn = ca.iter().zip(&h).map(|(c, h)| c * h).sum::<f64>().powf(gamma_a) * (-alpha * ln_n).exp();
        let td = cb.iter().zip(&h).map(|(c, h)| c * h).sum::<f64>().powf(gamma_b) * (-beta * ln_d).exp();
        let extra = -(tn * alpha * ln_n + td * beta * ln_d);
        for i in 0..k {
            prop_assert!(
                close(hf[i], hj[i] + extra, 1e-9),
                "d/dh[{i}]: full {} vs joint {} + {extra}", hf[i], hj[i]
            );
        }
    }

    /// At fixed N and D, `additive` is `additive-n` with E + A N^-alpha, and `additive-nd`
    /// with E + A N^-alpha + B D^-beta (Shukor et al. appendix B.1, B.2); the h-gradients
    /// are identical and the mixture parameters' gradients too.
    #[test]
    fn additive_n_and_nd_are_additive_at_fixed_scale(
        (k, h) in common::k_and_mixture(),
        e in 0.5f64..3.0, a in 0.01f64..20.0, b in 0.01f64..20.0,
        alpha in 0.05f64..1.0, beta in 0.05f64..1.0,
        cg in proptest::collection::vec((0.1f64..10.0, 0.05f64..1.5), 7),
        n in 0.1f64..10.0, d in 0.5f64..50.0,
    ) {
        let c: Vec<f64> = cg[..k].iter().map(|x| x.0).collect();
        let g: Vec<f64> = cg[..k].iter().map(|x| x.1).collect();
        let tn = a * n.powf(-alpha);
        let td = b * d.powf(-beta);
        let mut p_add = vec![e, a, b, alpha, beta];
        p_add.extend(&c);
        p_add.extend(&g);
        let mut p_n = vec![e + tn, b, beta];
        p_n.extend(&c);
        p_n.extend(&g);
        let mut p_nd = vec![e + tn + td];
        p_nd.extend(&c);
        p_nd.extend(&g);
        let point = Point::new(&h, n * 1e9, d * 1e9).unwrap();
        let (add, add_n, add_nd) = (
            Additive::new(k).unwrap(),
            AdditiveN::new(k).unwrap(),
            AdditiveNd::new(k).unwrap(),
        );
        let mut g_add = vec![0.0; add.num_params()];
        let mut g_n = vec![0.0; add_n.num_params()];
        let mut g_nd = vec![0.0; add_nd.num_params()];
        let l_add = add.value_grad(&p_add, &point, SCALES, &mut g_add).unwrap();
        let l_n = add_n.value_grad(&p_n, &point, SCALES, &mut g_n).unwrap();
        let l_nd = add_nd.value_grad(&p_nd, &point, SCALES, &mut g_nd).unwrap();
        prop_assert!(close(l_add, l_n, 1e-12), "additive {l_add} vs additive-n {l_n}");
        prop_assert!(close(l_add, l_nd, 1e-12), "additive {l_add} vs additive-nd {l_nd}");
        // additive-nd ignores N and D: any N, D give the same value.
        let elsewhere = Point::new(&h, 3.0 * n * 1e9, 1.0).unwrap();
        prop_assert_eq!(l_nd, add_nd.value(&p_nd, &elsewhere, SCALES).unwrap());
        // B, beta: additive slots 2, 4 are additive-n slots 1, 2.
        prop_assert!(close(g_add[2], g_n[1], 1e-12) && close(g_add[4], g_n[2], 1e-12));
        // C, gamma: the last 2k slots of all three.
        for i in 0..2 * k {
            let (x, y, z) = (g_add[5 + i], g_n[3 + i], g_nd[1 + i]);
            prop_assert!(close(x, y, 1e-12) && close(x, z, 1e-12), "slot {i}: {x} {y} {z}");
        }
        let mut h_add = vec![0.0; k];
        let mut h_n = vec![0.0; k];
        let mut h_nd = vec![0.0; k];
        let ok = add.grad_h(&p_add, &point, SCALES, &mut h_add).is_ok();
        prop_assert_eq!(ok, add_n.grad_h(&p_n, &point, SCALES, &mut h_n).is_ok());
        prop_assert_eq!(ok, add_nd.grad_h(&p_nd, &point, SCALES, &mut h_nd).is_ok());
        if ok {
            for i in 0..k {
                prop_assert!(close(h_add[i], h_n[i], 1e-12) && close(h_add[i], h_nd[i], 1e-12));
            }
        }
    }

    /// `simple` with every C[i] = c is `chinchilla` with E + c^gamma (since sum h = 1), and
    /// its h-gradient is then c gamma c^(gamma - 1) in every domain.
    #[test]
    fn simple_with_equal_weights_is_chinchilla(
        (k, h) in common::k_and_mixture(),
        e in 0.5f64..3.0, a in 0.01f64..20.0, b in 0.01f64..20.0,
        alpha in 0.05f64..1.0, beta in 0.05f64..1.0,
        c in 0.1f64..3.0, gamma in -1.5f64..1.5,
        n in 0.1f64..10.0, d in 0.5f64..50.0,
    ) {
        let mut ps = vec![e, a, b, alpha, beta];
        ps.extend(std::iter::repeat_n(c, k));
        ps.push(gamma);
        let pc = [e + c.powf(gamma), a, b, alpha, beta];
        let point = Point::new(&h, n * 1e9, d * 1e9).unwrap();
        let simple = Simple::new(k).unwrap();
        let ls = simple.value(&ps, &point, SCALES).unwrap();
        let lc = Chinchilla::new().value(&pc, &point, SCALES).unwrap();
        prop_assert!(close(ls, lc, 1e-12), "simple {ls} vs chinchilla {lc}");
        let mut gh = vec![0.0; k];
        simple.grad_h(&ps, &point, SCALES, &mut gh).unwrap();
        let expect = gamma * c.powf(gamma);
        for v in gh {
            prop_assert!(close(v, expect, 1e-12), "d/dh {v} vs {expect}");
        }
    }
}
