//! Parameter bounds by name or pattern: one mechanism (the objective's bounded
//! coordinates) for every law, and the fit stays inside them.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use core::ops::ControlFlow;

use mixlaw_core::{AnyLaw, Error, Law, LawExt, Point, Scales};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_fit::BasinConfig;

#[test]
fn patterns_name_parameters_and_blocks() {
    let law = AnyLaw::new("additive", 3, None).unwrap();
    let mut bounds = vec![(f64::NEG_INFINITY, f64::INFINITY); law.num_params()];
    assert_eq!(law.set_bound("C[*]", 0.0, 5.0, &mut bounds), Ok(3));
    assert_eq!(law.set_bound("E", 1.5, 3.0, &mut bounds), Ok(1));
    assert_eq!(law.set_bound("gamma[1]", 0.1, 0.9, &mut bounds), Ok(1));
    let named = |name: &str| bounds[law.param_index(name).unwrap()];
    assert_eq!(named("C[0]"), (0.0, 5.0));
    assert_eq!(named("C[2]"), (0.0, 5.0));
    assert_eq!(named("E"), (1.5, 3.0));
    assert_eq!(named("gamma[1]"), (0.1, 0.9));
    assert_eq!(
        named("gamma[0]"),
        (f64::NEG_INFINITY, f64::INFINITY),
        "untouched"
    );
    assert_eq!(
        law.set_bound("Q[*]", 0.0, 1.0, &mut bounds),
        Err(Error::UnknownParameter)
    );
    assert_eq!(
        law.set_bound("E[*]", 0.0, 1.0, &mut bounds),
        Err(Error::UnknownParameter),
        "E is a scalar"
    );
    assert!(matches!(
        law.set_bound("E", 2.0, 1.0, &mut bounds),
        Err(Error::InvalidBound { .. })
    ));
}

/// Chinchilla runs from E = 1.8: with E forced into [2.0, 2.5] the fit ends at the lower
/// bound (reported as active), every parameter inside its box; without it, E = 1.8.
#[test]
fn a_fit_stays_inside_its_bounds() {
    let law = AnyLaw::new("chinchilla", 0, None).unwrap();
    let truth = [1.8, 0.5, 2.0, 0.35, 0.3];
    let mut runs = Runs {
        n: Some(Vec::new()),
        d: Some(Vec::new()),
        ..Runs::default()
    };
    for n in [1e8, 3e8, 1e9, 3e9] {
        for d in [2e9, 8e9, 3.2e10] {
            let p = Point::new(&[], n, d).unwrap();
            runs.y
                .push(law.value(&truth, &p, Scales { n: 1e9, d: 1e9 }).unwrap());
            runs.n.as_mut().unwrap().push(n);
            runs.d.as_mut().unwrap().push(d);
        }
    }
    let mut bounds = vec![(f64::NEG_INFINITY, f64::INFINITY); law.num_params()];
    law.set_bound("E", 2.0, 2.5, &mut bounds).unwrap();
    law.set_bound("alpha", 0.0, 1.0, &mut bounds).unwrap();
    let options = FitOptions {
        scales: Some(Scales { n: 1e9, d: 1e9 }),
        basin: BasinConfig {
            starts: 8,
            hops: 1,
            ..BasinConfig::default()
        },
        bounds: Some(bounds.clone()),
        ..FitOptions::default()
    };
    let fitted = fit(law, &runs, &options, |_| ControlFlow::Continue(())).unwrap();
    for (p, (lo, hi)) in fitted.params.iter().zip(&bounds) {
        assert!(*p >= *lo && *p <= *hi, "{p} outside [{lo}, {hi}]");
    }
    assert!(
        (fitted.params[0] - 2.0).abs() < 1e-6,
        "E = {}",
        fitted.params[0]
    );
    assert_eq!(fitted.active_bounds, vec![0], "E at its bound, alpha not");
    let free = FitOptions {
        bounds: None,
        ..options
    };
    let unbounded = fit(law, &runs, &free, |_| ControlFlow::Continue(())).unwrap();
    assert!((unbounded.params[0] - 1.8).abs() < 1e-6);
    assert!(unbounded.objective < fitted.objective);
}
