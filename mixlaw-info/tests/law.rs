//! LayerMix edge cases, typed errors, the law's reductions and the optimiser on problems
//! with known answers.

use approx::{assert_abs_diff_eq, assert_relative_eq};
use mixlaw_info::law::{accumulated, learning_gain};
use mixlaw_info::{
    check_recipe, optimize, random_search, Error, InfoLaw, Normalization, OvertrainShift, PowerLaw,
    Setting, Source, Status,
};

fn paper(s: f64, n: f64, t: f64) -> Setting {
    Setting::new(&InfoLaw::PAPER, &Source::paper(s).unwrap(), n, t).unwrap()
}

#[test]
fn layermix_edge_cases() {
    // S = T = 1000: bucket 0 holds exactly 50 tokens.
    let src = Source::paper(1000.0).unwrap();
    let mix = src
        .layermix(&[0.05, 0.05, 0.3, 0.3, 0.3, 0.0], 1000.0)
        .unwrap();
    let b = mix.buckets();
    // Exactly at capacity: every unique token used once.
    assert_eq!((b[0].unique, b[0].repetition), (50.0, 1.0));
    assert!(!b[0].repeats());
    // Below capacity.
    assert_eq!((b[1].unique, b[1].repetition), (50.0, 1.0));
    // Above capacity: 300 drawn from 200.
    assert_eq!((b[2].unique, b[2].repetition), (200.0, 1.5));
    assert!(b[2].repeats());
    // w_d = 0: nothing.
    assert_eq!((b[5].quota, b[5].unique, b[5].repetition), (0.0, 0.0, 0.0));
    assert_eq!(mix.unique(), 50.0 + 50.0 + 600.0);
}

#[test]
fn invalid_recipes_and_settings_are_typed_errors() {
    let src = Source::paper(1e11).unwrap();
    let p = paper(1e11, 7e9, 1e11);
    let ok = [0.5, 0.3, 0.2, 0.0, 0.0, 0.0];
    assert!(p.info(&ok).is_ok());
    assert_eq!(
        p.info(&ok[..5]),
        Err(Error::LengthMismatch {
            what: "recipe",
            expected: 6,
            found: 5
        })
    );
    assert_eq!(
        p.info(&[0.5, 0.3, f64::NAN, 0.2, 0.0, 0.0]),
        Err(Error::NonFinite {
            what: "recipe",
            index: 2
        })
    );
    assert_eq!(
        p.info(&[0.6, 0.3, 0.2, -0.1, 0.0, 0.0]),
        Err(Error::Negative {
            what: "recipe",
            index: 3
        })
    );
    assert!(matches!(
        p.info(&[0.5, 0.3, 0.3, 0.0, 0.0, 0.0]),
        Err(Error::OffSimplex { .. })
    ));
    assert_eq!(
        check_recipe(&[0.5, 0.2, 0.3, 0.0, 0.0, 0.0], 6, true),
        Err(Error::NotMonotone { bucket: 1 })
    );
    assert!(matches!(
        src.layermix(&ok, 0.0),
        Err(Error::NotPositive { what: "tokens", .. })
    ));
    assert!(matches!(
        Source::new(&[], 1.0),
        Err(Error::BucketCount { found: 0, .. })
    ));
    assert!(matches!(
        Source::new(&[0.1; 17], 1.0),
        Err(Error::BucketCount { found: 17, .. })
    ));
    assert!(matches!(
        Source::new(&[0.5, 0.5, 0.0], 1.0),
        Err(Error::NotPositive { index: 2, .. })
    ));
    assert!(matches!(
        Source::paper(-1.0),
        Err(Error::NotPositive { .. })
    ));
    // k = a ln N + b <= 0 for N < e^(-b/a).
    assert!(matches!(
        Setting::new(&InfoLaw::PAPER, &src, 0.5, 1e11),
        Err(Error::InvalidConfig { .. })
    ));
    // ln D <= 0.
    assert!(Setting::new(&InfoLaw::PAPER, &src, 7e9, 0.5).is_err());
    assert!(PowerLaw::PAPER.loss(0.0).is_err());
    assert!(OvertrainShift::through(3.6, 3.7, 3.6, 3.5).is_err());
    // Display and source work without std formatting machinery surprises.
    let e = Error::NotMonotone { bucket: 1 };
    assert_eq!(e.to_string(), "recipe is not non-increasing: w[1] < w[2]");
}

/// Spec d.3's derived values (computed there with numpy from the same equations).
#[test]
fn spec_reference_values() {
    let p = paper(312e9, 7e9, 300e9);
    let info = p.info(&[0.548, 0.444, 0.008, 0.0, 0.0, 0.0]).unwrap();
    assert_relative_eq!(info, 4.4103e11, max_relative = 5e-5);
    assert_abs_diff_eq!(PowerLaw::PAPER.loss(info).unwrap(), 2.857, epsilon = 5e-4);
    let raw = PowerLaw {
        unit: 1.0,
        ..PowerLaw::PAPER
    };
    assert_abs_diff_eq!(raw.loss(info).unwrap(), 1.146, epsilon = 5e-4);
    let p = paper(312e9, 7e9, 1000e9);
    let info = p.info(&[0.395, 0.391, 0.214, 0.0, 0.0, 0.0]).unwrap();
    assert_relative_eq!(info, 8.1549e11, max_relative = 5e-5);
    assert_abs_diff_eq!(PowerLaw::PAPER.loss(info).unwrap(), 2.781, epsilon = 5e-4);
}

/// `info` equals the sum of eq 4 over the LayerMix buckets (an independent path through
/// `Source::layermix` and `law::accumulated`), for every normalisation.
#[test]
fn info_is_the_sum_of_accumulated_bucket_information() {
    let w = [0.4, 0.3, 0.15, 0.1, 0.05, 0.0];
    for norm in [
        Normalization::Log,
        Normalization::Constant(1.0),
        Normalization::Power(0.1),
    ] {
        let law = InfoLaw {
            normalization: norm,
            ..InfoLaw::PAPER
        };
        let src = Source::paper(2e11).unwrap();
        let t = 5e11;
        let p = Setting::new(&law, &src, 1.2e9, t).unwrap();
        let k = law.decay_rate(1.2e9).unwrap();
        let g = norm.factor(t).unwrap();
        let mix = src.layermix(&w, t).unwrap();
        let expect: f64 = mix
            .buckets()
            .iter()
            .enumerate()
            .map(|(d, b)| accumulated(law.density(d) * b.unique, k, b.repetition, g))
            .sum();
        let got = p.info(&w).unwrap();
        assert!(
            (got / expect - 1.0).abs() < 1e-13,
            "{norm:?}: {got} vs {expect}"
        );
    }
    // Constant(1) is the unnormalised eq 2: I (1 - e^(-k R)).
    assert!((accumulated(2.0, 0.5, 3.0, 1.0) - 2.0 * (1.0 - (-1.5f64).exp())).abs() < 1e-15);
}

/// Eq 4 is the integral of eq 3 (midpoint rule).
#[test]
fn accumulated_integrates_learning_gain() {
    let (i, k, g, r) = (1.7, 3.19, 26.4, 12.5);
    let steps = 100_000;
    let dt = r / steps as f64;
    let sum: f64 = (0..steps)
        .map(|s| learning_gain(i, k, (s as f64 + 0.5) * dt, g) * dt)
        .sum();
    assert_relative_eq!(sum, accumulated(i, k, r, g), max_relative = 1e-9);
}

#[test]
fn overtraining_shift_keeps_beta() {
    let base = PowerLaw::PAPER;
    let info = 6e11;
    let at25 = base.refit_alpha(2.6, info).unwrap();
    assert_eq!(at25.beta, base.beta);
    let shift = OvertrainShift::through(3.6, base.alpha, 25.0, at25.alpha).unwrap();
    let back = base.at_overtraining(&shift, 25.0).unwrap();
    assert!((back.loss(info).unwrap() - 2.6).abs() < 1e-12);
    // Parallel lines: the log-loss difference is the same at every info.
    let d1 = (back.loss(1e11).unwrap() / base.loss(1e11).unwrap()).ln();
    let d2 = (back.loss(1e12).unwrap() / base.loss(1e12).unwrap()).ln();
    assert!((d1 - d2).abs() < 1e-12);
}

/// Two buckets: the optimum over w_0 in [0.5, 1] by a fine grid agrees with the solver.
#[test]
fn two_bucket_optimum_matches_grid() {
    for (s, t, n) in [(1e11, 3e11, 7e9), (3e11, 1e11, 1.2e9), (5e10, 1e12, 2.5e9)] {
        let src = Source::new(&[0.3, 0.7], s).unwrap();
        let law = InfoLaw {
            theta: 0.3,
            ..InfoLaw::PAPER
        };
        let p = Setting::new(&law, &src, n, t).unwrap();
        let opt = optimize(&p).unwrap();
        let steps = 200_000;
        let (mut best, mut arg) = (f64::NEG_INFINITY, 0.0);
        for i in 0..=steps {
            let w0 = 0.5 + 0.5 * i as f64 / steps as f64;
            let v = p.info(&[w0, 1.0 - w0]).unwrap();
            if v > best {
                best = v;
                arg = w0;
            }
        }
        assert!(opt.info >= best - 1e-9 * best, "{} < {best}", opt.info);
        assert!((opt.recipe.as_slice()[0] - arg).abs() < 1e-4);
        // The certified gap bounds the suboptimality up to the rounding of info itself
        // (one ulp of 2.8e11 is 3e-5): allow a few ulps.
        let rounding = 4.0 * f64::EPSILON * best;
        assert!(
            opt.info + opt.gap >= best - rounding,
            "info {} gap {} best {best}",
            opt.info,
            opt.gap
        );
    }
}

/// An optimum exactly at capacity (a kink): with g = 1 repetition is so costly that the
/// best recipe uses the source exactly once (w = p when p is non-increasing and S = T).
#[test]
fn optimum_at_capacity_kink() {
    let law = InfoLaw {
        normalization: Normalization::Constant(1.0),
        ..InfoLaw::PAPER
    };
    let src = Source::new(&[0.6, 0.4], 1e11).unwrap();
    let p = Setting::new(&law, &src, 7e9, 1e11).unwrap();
    let opt = optimize(&p).unwrap();
    let w = opt.recipe.as_slice();
    assert!((w[0] - 0.6).abs() < 1e-9, "{w:?}");
    let rs = random_search(&p, 100_000, 3).unwrap();
    assert!(opt.info >= rs.info);
    // The one-sided gaps do not vanish at the kink; the certified one does.
    assert_eq!(opt.status, Status::Converged);
    assert!(opt.gap <= 1e-10 * opt.info);
    // Six buckets, S = 3T: bucket 1 ends exactly at capacity (0.45), pooled with bucket 0.
    let p = Setting::new(&law, &Source::paper(3e11).unwrap(), 7e9, 1e11).unwrap();
    let opt = optimize(&p).unwrap();
    let w = opt.recipe.as_slice();
    assert!(
        (w[1] - 0.45).abs() < 1e-9 && (w[0] - w[1]).abs() < 1e-12,
        "{w:?}"
    );
    assert_eq!(opt.status, Status::Converged);
    assert!(opt.info >= random_search(&p, 100_000, 4).unwrap().info);
}

/// The certified gap bounds the distance to the optimum at any monotone recipe.
#[test]
fn certified_gap_bounds_suboptimality() {
    let law = InfoLaw {
        normalization: Normalization::Constant(1.0),
        ..InfoLaw::PAPER
    };
    let mut rng = mixlaw_info::rng::Rng::new(9);
    for (s, t, law) in [
        (3e11, 1e11, law),
        (1e11, 1e11, law),
        (3e11, 3e11, InfoLaw::PAPER),
        (3e11, 1e12, InfoLaw::PAPER),
    ] {
        let p = Setting::new(&law, &Source::paper(s).unwrap(), 7e9, t).unwrap();
        let best = optimize(&p).unwrap();
        let mut w = [0.0; 6];
        for i in 0..2000 {
            mixlaw_info::rng::sorted_dirichlet(&mut rng, &mut w);
            if i % 3 == 0 {
                // Put bucket 1 (or the first that fits) exactly at capacity.
                let c = p.capacity(1).unwrap();
                if c < w[1] && c > w[2] {
                    let extra = w[1] - c;
                    w[1] = c;
                    w[0] += extra;
                }
            }
            let info = p.info(&w).unwrap();
            let gap = p.certified_gap(&w).unwrap();
            assert!(
                best.info - info <= gap * (1.0 + 1e-9) + 1e-6 * best.gap.max(1.0),
                "w {w:?}: suboptimality {} > certified {gap}",
                best.info - info
            );
        }
    }
}

#[test]
fn optimum_is_a_monotone_recipe_and_beats_random_search() {
    for (s, t, n) in [
        (3e11, 2e11, 7e9),
        (1e12, 1e11, 1e9),
        (5e10, 2e12, 7e10),
        (3.7e12, 1e11, 2.5e8),
    ] {
        let p = paper(s, n, t);
        let opt = optimize(&p).unwrap();
        check_recipe(opt.recipe.as_slice(), 6, true).unwrap();
        let rs = random_search(&p, 20_000, 11).unwrap();
        check_recipe(rs.recipe.as_slice(), 6, true).unwrap();
        assert!(opt.info >= rs.info, "S {s} T {t} N {n}");
        assert!(opt.info + opt.gap >= rs.info);
    }
    // A single bucket takes everything.
    let src = Source::new(&[1.0], 1e11).unwrap();
    let p = Setting::new(&InfoLaw::PAPER, &src, 7e9, 3e11).unwrap();
    assert_eq!(optimize(&p).unwrap().recipe.as_slice(), &[1.0]);
    // With no repetition anywhere (huge source) info is linear: all on the best bucket.
    let p = paper(3.7e15, 7e9, 1e11);
    let w = optimize(&p).unwrap().recipe;
    assert!(w.as_slice()[0] > 1.0 - 1e-9);
}

#[test]
fn random_search_is_deterministic_per_seed() {
    let p = paper(3e11, 7e9, 3e11);
    let a = random_search(&p, 1000, 5).unwrap();
    let b = random_search(&p, 1000, 5).unwrap();
    let c = random_search(&p, 1000, 6).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.recipe, c.recipe);
    assert!(random_search(&p, 0, 5).is_err());
}

/// Found by the `infolaw` fuzz target: extreme power-law constants overflowed to an
/// `Ok(inf)` loss; an overflow is now an error.
#[test]
fn power_law_overflow_is_an_error() {
    let law = PowerLaw {
        alpha: 1e300,
        beta: 2.0,
        unit: 1e9,
    };
    assert!(law.loss(1.0).is_err());
    assert!(law.loss_derivative(1.0).is_err());
    let tiny = PowerLaw {
        alpha: 1.0,
        beta: 400.0,
        unit: 1.0,
    };
    assert!(tiny.loss(1e-3).is_err());
    assert!(PowerLaw::PAPER.refit_alpha(1e300, 1e300).is_err());
    assert!(PowerLaw::PAPER.loss(4.4103e11).is_ok_and(f64::is_finite));
}

/// Found by the `infolaw` fuzz target: far outside the simplex the extended info
/// overflowed to `Ok(-inf)`; an overflow is now an error.
#[test]
fn extended_info_overflow_is_an_error() {
    let p = paper(300e9, 7e9, 300e9);
    let far = [-1e307, -1e307, -1e307, -1e307, -1e307, -1e307];
    assert!(p.info_extended(&far).is_err());
    let mut g = [0.0; 6];
    assert!(p
        .gradient(&far, &mut g, mixlaw_info::KinkSide::Left)
        .is_err());
    let w = [0.5, 0.3, 0.2, 0.0, 0.0, 0.0];
    assert!(p.info_extended(&w).is_ok_and(f64::is_finite));
}

/// Found by the `infolaw` fuzz target: with a huge constant normalisation both buckets sit
/// at their kinks and rounding put the right derivative above the left one, where the
/// certificate's `clamp` panicked.
#[test]
fn certified_gap_at_rounded_kinks_does_not_panic() {
    let law = InfoLaw {
        normalization: Normalization::Constant(6.75e27),
        ..InfoLaw::PAPER
    };
    let p = Setting::new(
        &law,
        &Source::new(&[0.5, 0.5], 4.375e9).unwrap(),
        4.375e9,
        4.375e9,
    )
    .unwrap();
    let gap = p.certified_gap(&[0.5, 0.5]).unwrap();
    assert!(gap >= 0.0 && gap.is_finite(), "{gap}");
}
