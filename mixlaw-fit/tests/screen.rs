//! The screened search on many runs (`mixlaw_fit::screen`): basin-hopping on an evenly
//! strided subsample, the best distinct minima polished on every run. It must reach the
//! full search's objective with far fewer evaluations on every run, give the same fit for
//! any thread count, and stay out of small, warm-started and switched-off fits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::ops::ControlFlow;

use mixlaw_core::{AnyLaw, LawExt, Loss, Point, Scales};
use mixlaw_fit::owned::{fit, Fit, FitOptions, Runs};
use mixlaw_fit::screen::ScreenConfig;
use mixlaw_fit::Rng;

/// additive-nd (k = 3) truth: E, C[3], gamma[3].
const TRUTH: [f64; 7] = [1.5, 1.0, 2.0, 1.5, 0.3, 0.5, 0.4];

/// `rows` runs of the additive-nd truth at Dirichlet(1, 1, 1) mixtures, 0.5 % noise.
fn runs(rows: usize) -> Runs {
    let law = AnyLaw::new("additive-nd", 3, None).unwrap();
    let mut rng = Rng::new(5);
    let mut runs = Runs {
        k: 3,
        ..Runs::default()
    };
    for _ in 0..rows {
        let e: Vec<f64> = (0..3).map(|_| -rng.next_f64().max(1e-300).ln()).collect();
        let s: f64 = e.iter().sum();
        let h: Vec<f64> = e.iter().map(|x| x / s).collect();
        let clean = law
            .value(
                &TRUTH,
                &Point::new(&h, 1.0, 1.0).unwrap(),
                Scales::default(),
            )
            .unwrap();
        runs.y.push(clean * (1.0 + 0.005 * rng.uniform(-1.0, 1.0)));
        runs.h.extend(h);
    }
    runs
}

/// A short search (8 starts x 1 hop) with the screen at `above_rows` (subsample 400).
fn options(above_rows: usize, threads: usize) -> FitOptions {
    let mut o = FitOptions {
        loss: Loss::Huber { delta: 1e-3 },
        threads,
        screen: ScreenConfig {
            above_rows,
            sample_rows: 400,
            ..ScreenConfig::default()
        },
        ..FitOptions::default()
    };
    o.basin.starts = 8;
    o.basin.hops = 1;
    o
}

fn fit_with(runs: &Runs, options: &FitOptions) -> Fit<AnyLaw> {
    let law = AnyLaw::new("additive-nd", 3, None).unwrap();
    fit(law, runs, options, |_| ControlFlow::Continue(())).unwrap()
}

#[test]
fn screened_fit_reaches_the_full_search_objective_with_less_work_on_every_run() {
    let data = runs(4_000);
    let full = fit_with(&data, &options(0, 0));
    let screened = fit_with(&data, &options(1_000, 0));
    let (f, s) = (full.outcome.unwrap(), screened.outcome.unwrap());
    assert_eq!((f.screen_rows, f.polished, f.polish_evaluations), (0, 0, 0));
    assert_eq!(s.screen_rows, 400);
    assert!(s.polished >= 1 && s.polish_evaluations > 0, "{s:?}");
    assert!(s.agreeing >= 1, "{s:?}");
    assert!(
        screened.objective <= full.objective * (1.0 + 1e-9),
        "screened {} vs full {}",
        screened.objective,
        full.objective
    );
    // The outcome's value is the objective on every run at the returned parameters.
    assert!((s.value - screened.objective).abs() <= 1e-12 * screened.objective);
    // Only the polishes evaluate every run: a fraction of the full search's evaluations.
    assert!(
        4 * s.polish_evaluations < f.evaluations,
        "polish {} vs full search {}",
        s.polish_evaluations,
        f.evaluations
    );
}

#[test]
fn screened_fit_is_the_same_for_any_thread_count() {
    let data = runs(3_000);
    let one = fit_with(&data, &options(1_000, 1));
    assert_eq!(one.outcome.unwrap().screen_rows, 400);
    for threads in [2, 3] {
        let many = fit_with(&data, &options(1_000, threads));
        let bits = |f: &Fit<AnyLaw>| f.params.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one), bits(&many), "threads {threads}");
        assert_eq!(one.outcome, many.outcome, "threads {threads}");
    }
}

#[test]
fn small_warm_started_or_switched_off_fits_are_not_screened() {
    let data = runs(1_500);
    let screened_rows = |o: &FitOptions| fit_with(&data, o).outcome.unwrap().screen_rows;
    assert_eq!(screened_rows(&options(1_000, 0)), 400);
    // Not more runs than the threshold.
    assert_eq!(screened_rows(&options(1_500, 0)), 0);
    // Switched off.
    assert_eq!(screened_rows(&options(0, 0)), 0);
    // Warm start (e.g. a bootstrap refit): a local search from the given point.
    let mut warm = options(1_000, 0);
    warm.start = Some(TRUTH.to_vec());
    assert_eq!(screened_rows(&warm), 0);
}

#[test]
fn sample_is_evenly_strided_among_runs_with_a_positive_weight() {
    // 10 runs of 2 outputs; run 2 has weight 0, run 5 both entry weights 0: 8 usable runs.
    let rows = 10;
    let mut entry = vec![1.0; 2 * rows];
    entry[10] = 0.0;
    entry[11] = 0.0;
    let data = Runs {
        k: 0,
        outputs: 2,
        y: vec![1.0; 2 * rows],
        entry_weights: Some(entry),
        ..Runs::default()
    };
    let mut weights = vec![1.0; rows];
    weights[2] = 0.0;
    let usable = [0, 1, 3, 4, 6, 7, 8, 9];
    let config = ScreenConfig {
        above_rows: 5,
        sample_rows: 3,
        ..ScreenConfig::default()
    };
    // Positions floor((2 i + 1) 8 / 6) = 1, 4, 6 of the usable runs.
    let expected = vec![usable[1], usable[4], usable[6]];
    assert_eq!(config.sample(&data, Some(&weights)), Some(expected));
    // Unweighted, run 2 is usable again: 9 runs, positions 1, 4, 7.
    let usable = [0, 1, 2, 3, 4, 6, 7, 8, 9];
    let expected = vec![usable[1], usable[4], usable[7]];
    assert_eq!(config.sample(&data, None), Some(expected));
    // 8 usable runs, not more than 8: no screen.
    let high = ScreenConfig {
        above_rows: 8,
        ..config
    };
    assert_eq!(high.sample(&data, Some(&weights)), None);
    let off = ScreenConfig {
        above_rows: 0,
        ..config
    };
    assert_eq!(off.sample(&data, None), None);
}

/// A capacity law (k losses per run, some entries masked) goes through the same screen:
/// on noiseless runs the screened fit recovers the generating law, as the full search.
#[test]
fn capacity_law_is_screened_as_every_law() {
    use mixlaw_core::capacity::{CapacityLaw, Head};
    let k = 3;
    let law = CapacityLaw::eq3(k, Head::Fixed(0.5)).unwrap();
    //           b[3]            c[3]            A[3]            a[3]            E[3]
    let truth = [
        0.3, 0.5, 0.4, 2.0, 4.0, 3.0, 1.0, 2.0, 1.5, 0.3, 0.4, 0.5, 1.5, 1.0, 2.0,
    ];
    let rows = 300;
    let mut rng = Rng::new(11);
    let mut data = Runs {
        k,
        outputs: k,
        n: Some(vec![]),
        d: Some(vec![]),
        entry_weights: Some(vec![]),
        ..Runs::default()
    };
    for r in 0..rows {
        let raw: Vec<f64> = (0..k).map(|_| 0.05 + rng.next_f64()).collect();
        let s: f64 = raw.iter().sum();
        let h: Vec<f64> = raw.iter().map(|v| v / s).collect();
        let (n, d) = (
            50.0 + 100.0 * (r % 2) as f64,
            5.0 + 15.0 * (r % 4 / 2) as f64,
        );
        let mut y = vec![0.0; k];
        law.values(
            &truth,
            &Point::new(&h, n, d).unwrap(),
            Scales::default(),
            &mut y,
        )
        .unwrap();
        data.h.extend(h);
        data.y.extend(y);
        data.n.as_mut().unwrap().push(n);
        data.d.as_mut().unwrap().push(d);
        // Every 7th run's first loss is masked.
        let masked = if r % 7 == 0 { 0.0 } else { 1.0 };
        data.entry_weights
            .as_mut()
            .unwrap()
            .extend([masked, 1.0, 1.0]);
    }
    let options = |above_rows| {
        let mut o = FitOptions {
            loss: Loss::Squared,
            scales: Some(Scales::default()),
            screen: ScreenConfig {
                above_rows,
                sample_rows: 60,
                ..ScreenConfig::default()
            },
            ..FitOptions::default()
        };
        o.basin.starts = 6;
        o.basin.hops = 1;
        o.basin.seed = 3;
        o
    };
    let run = |above_rows| {
        fit(law, &data, &options(above_rows), |_| {
            ControlFlow::Continue(())
        })
        .unwrap()
    };
    let (full, screened) = (run(0), run(100));
    assert_eq!(full.outcome.unwrap().screen_rows, 0);
    assert_eq!(screened.outcome.unwrap().screen_rows, 60);
    assert!(full.objective < 1e-12, "full {}", full.objective);
    assert!(
        screened.objective < 1e-12,
        "screened {}",
        screened.objective
    );
    for (fitted, t) in screened.params.iter().zip(truth) {
        assert!((fitted - t).abs() < 1e-4 * t, "{:?}", screened.params);
    }
}
