//! The registry builds every law of `laws.md` by name, with the published parameter counts
//! and names.

use mixlaw_core::{laws, AnyLaw, Error, Law, LawExt};

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
    let law = AnyLaw::new("joint", 2, None).unwrap();
    let names: Vec<String> = (0..law.num_params())
        .map(|i| law.param_info(i).unwrap().name.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "E", "alpha", "beta", "C[0]", "C[1]", "gamma[0]", "gamma[1]", "CA[0]", "CA[1]",
            "gammaA", "CB[0]", "CB[1]", "gammaB"
        ]
    );
    let info = law.param_info(7).unwrap();
    assert!(info.positive && info.name.matches("CA[0]") && !info.name.matches("CA[1]"));
    let data_constrained = AnyLaw::new("data-constrained", 0, None).unwrap();
    let names: Vec<String> = (0..7)
        .map(|i| data_constrained.param_info(i).unwrap().name.to_string())
        .collect();
    assert_eq!(names, ["E", "A", "B", "alpha", "beta", "RN", "RD"]);
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
    assert!(matches!(
        AnyLaw::new("joint", 1000, None),
        Err(Error::TooManyDomains { .. })
    ));
    assert!(AnyLaw::needs_target("bimix") && !AnyLaw::needs_target("joint"));
}

#[test]
fn natural_and_unconstrained_round_trip() {
    let law = AnyLaw::new("additive", 2, None).unwrap();
    let p = [1.5, 2.0, 3.0, 0.3, 0.4, 1.0, 2.0, 0.5, 0.6];
    let mut theta = [0.0; 9];
    let mut back = [0.0; 9];
    law.to_unconstrained(&p, &mut theta).unwrap();
    law.to_natural(&theta, &mut back).unwrap();
    for (a, b) in p.iter().zip(&back) {
        assert!((a - b).abs() < 1e-15 * a.abs());
    }
    assert_eq!(theta[0], 1.5); // E is free
    assert!((theta[1] - 2.0f64.ln()).abs() < 1e-15);
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
