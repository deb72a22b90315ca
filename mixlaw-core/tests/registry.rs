//! The registry builds every law of `laws.md` by name, with the published parameter counts
//! and names.

use approx::{assert_abs_diff_eq, assert_relative_eq};
use mixlaw_core::{laws, AnyLaw, Error, Law, LawExt, Point, Scales};

#[test]
fn every_law_by_name_with_its_parameter_count() {
    let k = 7;
    // (name, count for k domains) from the table of laws.md.
    let expected = [
        ("chinchilla", 5),
        ("additive", 5 + 2 * k),
        ("additive-nd", 1 + 2 * k),
        ("additive-n", 3 + 2 * k),
        ("joint", 5 + 4 * k),
        ("simple", 6 + k),
        ("full", 5 + 6 * k),
        ("ye-m1", 1 + 2 * k),
        ("ye-m2", 2 + k),
        ("ye-m3", 2 + k),
        ("ye-m4", 2 + k),
        ("bimix", 4),
        ("linear", k),
        ("data-constrained", 7),
        ("capacity-eq1", 3 * k + 1),
        ("capacity-eq3", 5 * k + 1),
        ("autoscale", 1 + 3 * k),
        ("dcpt", 9),
        ("farseer", 9),
    ];
    assert_eq!(laws::NAMES.len(), expected.len());
    for (name, count) in expected {
        let law = AnyLaw::new(name, k, Some(2)).unwrap();
        assert_eq!(law.name(), name);
        assert_eq!(law.num_params(), count, "{name}");
        assert!(law.param_info(count).is_none());
    }
}

#[test]
fn parameter_names_follow_laws_md() {
    let names_of = |law: AnyLaw| -> Vec<String> {
        (0..law.num_params())
            .map(|i| law.param_info(i).unwrap().name.to_string())
            .collect()
    };
    let law = AnyLaw::new("joint", 2, None).unwrap();
    assert_eq!(
        names_of(law),
        [
            "E", "alpha", "beta", "C[0]", "C[1]", "gamma[0]", "gamma[1]", "CA[0]", "CA[1]",
            "gammaA", "CB[0]", "CB[1]", "gammaB"
        ]
    );
    let info = law.param_info(7).unwrap();
    assert!(info.positive && info.name.matches("CA[0]") && !info.name.matches("CA[1]"));
    assert_eq!(
        names_of(AnyLaw::new("data-constrained", 0, None).unwrap()),
        ["E", "A", "B", "alpha", "beta", "RN", "RD"]
    );
    // laws-extra.md, "Contract: names of the new laws in mixlaw".
    assert_eq!(
        names_of(AnyLaw::new("autoscale", 2, None).unwrap()),
        ["E", "C[0]", "C[1]", "D0[0]", "D0[1]", "gamma[0]", "gamma[1]"]
    );
    assert_eq!(
        names_of(AnyLaw::new("dcpt", 2, Some(1)).unwrap()),
        ["E", "A", "alpha", "B", "eta", "beta", "C", "gamma", "eps"]
    );
    assert_eq!(
        names_of(AnyLaw::new("farseer", 0, None).unwrap()),
        ["a1", "alpha", "b1", "a2", "beta", "b2", "a3", "gamma", "b3"]
    );
    // Positivity: autoscale's C, D0, gamma and all of dcpt but E; farseer is free.
    let positive = |law: AnyLaw| -> Vec<bool> {
        (0..law.num_params())
            .map(|i| law.param_info(i).unwrap().positive)
            .collect()
    };
    assert_eq!(
        positive(AnyLaw::new("autoscale", 1, None).unwrap()),
        [false, true, true, true]
    );
    assert_eq!(
        positive(AnyLaw::new("dcpt", 2, Some(0)).unwrap()),
        [false, true, true, true, true, true, true, true, true]
    );
    assert!(positive(AnyLaw::new("farseer", 0, None).unwrap())
        .iter()
        .all(|p| !p));
}

#[test]
fn bad_names_and_configurations_are_typed_errors() {
    assert_eq!(AnyLaw::new("nope", 3, None), Err(Error::UnknownLaw));
    assert!(matches!(
        AnyLaw::new("bimix", 3, None),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        AnyLaw::new("bimix", 3, Some(3)),
        Err(Error::TargetOutOfRange { .. })
    ));
    assert!(matches!(
        AnyLaw::new("additive", 0, None),
        Err(Error::WrongDomainCount { .. })
    ));
    // No practical limit on k: only counts that would overflow usize are refused.
    assert_eq!(AnyLaw::new("joint", 1000, None).unwrap().domains(), 1000);
    assert!(matches!(
        AnyLaw::new("joint", usize::MAX / 2, None),
        Err(Error::TooManyDomains { .. })
    ));
    assert!(AnyLaw::needs_target("bimix") && !AnyLaw::needs_target("joint"));
    assert!(AnyLaw::needs_target("dcpt") && !AnyLaw::needs_target("autoscale"));
    assert!(matches!(
        AnyLaw::new("dcpt", 2, None),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        AnyLaw::new("dcpt", 2, Some(2)),
        Err(Error::TargetOutOfRange { .. })
    ));
    assert_eq!(AnyLaw::new("dcpt", 2, Some(1)).unwrap().target(), Some(1));
}

#[test]
fn natural_and_unconstrained_round_trip() {
    let law = AnyLaw::new("additive", 2, None).unwrap();
    let p = [1.5, 2.0, 3.0, 0.3, 0.4, 1.0, 2.0, 0.5, 0.6];
    let mut theta = [0.0; 9];
    let mut back = [0.0; 9];
    law.to_unconstrained(&p, &mut theta).unwrap();
    law.to_natural(&theta, &mut back).unwrap();
    assert_relative_eq!(p[..], back[..], epsilon = 0.0, max_relative = 1e-15);
    assert_eq!(theta[0], 1.5); // E is free
    assert_abs_diff_eq!(theta[1], 2.0f64.ln(), epsilon = 1e-15);
    let mut bad = p;
    bad[1] = -1.0;
    assert!(matches!(
        law.to_unconstrained(&bad, &mut theta),
        Err(Error::NotPositive { .. })
    ));
    bad[1] = f64::NAN;
    assert!(matches!(
        law.check_params(&bad),
        Err(Error::NonFinite { .. })
    ));
}

/// Every parameter a law declares linear ([`mixlaw_core::param::Block::linear`]) enters
/// its outputs affinely: second differences along it vanish, at several parameter points
/// and inputs, for every law of the registry. Undeclared parameters are not checked (a
/// missing declaration only costs variable projection an opportunity).
#[test]
fn declared_linear_parameters_enter_affinely() {
    let k = 3;
    for name in laws::NAMES {
        let law = AnyLaw::new(name, k, Some(1)).unwrap();
        let p = law.num_params();
        let m = law.outputs();
        let linear: Vec<usize> = (0..p)
            .filter(|&i| law.param_info(i).unwrap().linear)
            .collect();
        // Farseer wraps every parameter in exp(.): it has no linear one.
        assert_eq!(
            linear.is_empty(),
            *name == "farseer",
            "{name}: linear parameters {linear:?}"
        );
        for seed in 0..4u32 {
            // Natural parameters in the middle of the start ranges, varied by seed.
            let theta: Vec<f64> = (0..p)
                .map(|i| {
                    let (lo, hi) = law.param_info(i).unwrap().start;
                    lo + (hi - lo) * (0.3 + 0.1 * ((i as u32 * 7 + seed * 3) % 5) as f64)
                })
                .collect();
            let mut params = vec![0.0; p];
            law.to_natural(&theta, &mut params).unwrap();
            let h = [0.5 - 0.1 * seed as f64, 0.3, 0.2 + 0.1 * seed as f64];
            let point =
                Point::with_unique(if law.inputs().h { &h } else { &[] }, 3e8, 4e9, 1e9).unwrap();
            let scales = if law.structure().raw_units {
                Scales::default()
            } else {
                Scales { n: 1e8, d: 1e9 }
            };
            for &i in &linear {
                let at = |t: f64| {
                    let mut q = params.clone();
                    q[i] += t;
                    let mut out = vec![0.0; m];
                    law.values(&q, &point, scales, &mut out).unwrap();
                    out
                };
                let step = 0.1 * params[i].abs().max(0.1);
                let (f0, f1, f2) = (at(0.0), at(step), at(2.0 * step));
                for j in 0..m {
                    let second = f2[j] - 2.0 * f1[j] + f0[j];
                    let scale = f0[j].abs() + f1[j].abs() + f2[j].abs();
                    assert!(
                        second.abs() <= 1e-12 * scale,
                        "{name}: {} is declared linear but f'' = {second:e} (output {j})",
                        law.param_info(i).unwrap().name
                    );
                }
            }
        }
    }
}
