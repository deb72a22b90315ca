//! Basin-hopping's starts on several threads: the same fit, bit for bit, for any thread
//! count, equal to the one-thread `fit_law`; the observer's stop and the `agree` stop
//! decided in start order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::ops::ControlFlow;

use mixlaw_core::laws::additive::Additive;
use mixlaw_core::{Dataset, Law, LawExt, Loss, Objective, Point, Prepared, Scales};
use mixlaw_fit::owned::{fit, Fit, FitOptions, Runs};
use mixlaw_fit::{fit_law, fit_law_threads, workspace_len, BasinConfig, HopInfo, Rng, Search};

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

/// Additive-law runs (k = 3) with 1 % multiplicative noise: several basins, so the starts
/// disagree and the order of combination matters.
fn noisy_runs() -> Runs {
    let truth = [1.7, 0.4, 1.5, 0.35, 0.3, 1.0, 2.0, 0.5, 0.6, 0.3, 0.45];
    let law = Additive::new(3).unwrap();
    let mut rng = Rng::new(11);
    let mut runs = Runs {
        k: 3,
        n: Some(vec![]),
        d: Some(vec![]),
        ..Runs::default()
    };
    for (a, b) in [
        (0.2, 0.3),
        (0.6, 0.2),
        (0.1, 0.1),
        (0.3, 0.5),
        (0.8, 0.1),
        (0.05, 0.9),
    ] {
        for n in [0.05, 0.2, 0.8] {
            for t in [1.0, 4.0, 16.0] {
                let h = [a, b, 1.0 - a - b];
                let p = Point::new(&h, n * 1e9, t * 1e9).unwrap();
                let clean = law.value(&truth, &p, SCALES).unwrap();
                runs.h.extend(h);
                runs.y.push(clean * (1.0 + 0.01 * rng.uniform(-1.0, 1.0)));
                runs.n.as_mut().unwrap().push(n * 1e9);
                runs.d.as_mut().unwrap().push(t * 1e9);
            }
        }
    }
    runs
}

fn basin(agree: usize) -> BasinConfig {
    BasinConfig {
        starts: 7,
        hops: 2,
        candidates: 16,
        seed: 5,
        agree_starts: agree,
        search: Search::Basin,
        ..BasinConfig::default()
    }
}

/// The fit with `threads` workers, and every hop report the observer saw.
fn fit_with(runs: &Runs, basin: BasinConfig, threads: usize) -> (Fit<Additive>, Vec<HopInfo>) {
    let options = FitOptions {
        loss: Loss::Huber { delta: 1e-3 },
        scales: Some(SCALES),
        basin,
        threads,
        ..FitOptions::default()
    };
    let mut seen = Vec::new();
    let fitted = fit(Additive::new(3).unwrap(), runs, &options, |info| {
        seen.push(*info);
        ControlFlow::Continue(())
    })
    .unwrap();
    (fitted, seen)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn one_two_and_three_threads_give_the_same_fit_bit_for_bit() {
    let runs = noisy_runs();
    for agree in [0, 2] {
        let (one, seen_one) = fit_with(&runs, basin(agree), 1);
        let outcome = one.outcome.unwrap();
        if agree == 0 {
            // The 7 regular starts and the 2 built from the data (`informed`).
            assert_eq!(outcome.minimizations, (7 + 2) * 3, "every start ran");
        }
        for threads in [2, 3] {
            let (many, seen_many) = fit_with(&runs, basin(agree), threads);
            assert_eq!(bits(&many.params), bits(&one.params), "{threads} threads");
            assert_eq!(many.objective.to_bits(), one.objective.to_bits());
            assert_eq!(
                many.outcome, one.outcome,
                "{threads} threads, agree {agree}"
            );
            assert_eq!(seen_many, seen_one, "the observer sees the same reports");
        }
    }
}

/// The threaded entry point equals the no_std `fit_law` (one thread, caller workspace).
#[test]
fn threaded_fit_law_equals_the_sequential_one() {
    let runs = noisy_runs();
    let data = Dataset::new(3, &runs.h, &runs.y)
        .unwrap()
        .with_n(runs.n.as_ref().unwrap())
        .unwrap()
        .with_d(runs.d.as_ref().unwrap())
        .unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(runs.rows(), 3)];
    let prepared = Prepared::new(data, SCALES, &mut cache).unwrap();
    let law = Additive::new(3).unwrap();
    let objective = Objective::new(&law, &prepared, Loss::Squared).unwrap();
    let config = basin(0);
    let mut theta = vec![0.0; law.num_params()];
    let mut work = vec![0.0; workspace_len(&objective, &config)];
    let go = |_: &HopInfo| ControlFlow::Continue(());
    let sequential = fit_law(&objective, &config, None, &mut theta, &mut work, go).unwrap();
    for threads in [2, 3] {
        let mut theta_t = vec![0.0; law.num_params()];
        let threaded = fit_law_threads(&objective, &config, None, &mut theta_t, threads, go);
        assert_eq!(threaded.unwrap(), sequential);
        assert_eq!(bits(&theta_t), bits(&theta));
    }
}

/// An observer that stops the search in the middle of a start stops it there on any
/// number of threads (the start is rerun up to that minimisation).
#[test]
fn an_observer_stop_is_the_same_on_any_thread_count() {
    let runs = noisy_runs();
    for stop_after in [1, 5, 8] {
        let mut results = Vec::new();
        for threads in [1, 2, 3] {
            let options = FitOptions {
                loss: Loss::Squared,
                scales: Some(SCALES),
                basin: basin(0),
                threads,
                ..FitOptions::default()
            };
            let mut calls = 0;
            let fitted = fit(Additive::new(3).unwrap(), &runs, &options, |_| {
                calls += 1;
                if calls == stop_after {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
            let outcome = fitted.outcome.unwrap();
            assert!(outcome.stopped_early);
            assert_eq!(outcome.minimizations, stop_after, "{threads} threads");
            assert_eq!(calls, stop_after);
            results.push((bits(&fitted.params), outcome));
        }
        assert!(
            results.windows(2).all(|w| w[0] == w[1]),
            "stop after {stop_after}"
        );
    }
}

/// With `agree_starts`, the search ends at the first start (in start order) at which that many
/// starts reached the best value so far, and says so in `agreeing`.
#[test]
fn basin_hopping_stops_once_enough_starts_agree() {
    let runs = noisy_runs();
    let (all, seen_all) = fit_with(&runs, basin(0), 2);
    let (two, seen_two) = fit_with(&runs, basin(2), 2);
    let outcome = two.outcome.unwrap();
    assert!(outcome.agreeing >= 2, "{outcome:?}");
    let last_start = seen_two.last().unwrap().start;
    // The reports up to the stop are those of the full search.
    assert_eq!(seen_two[..], seen_all[..seen_two.len()]);
    // Starts that reached the best value (1e-10 relative), counted from their own bests.
    let mut start_best = vec![f64::INFINITY; last_start + 1];
    for info in &seen_two {
        start_best[info.start] = start_best[info.start].min(info.value);
    }
    let best = start_best.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(best, outcome.value);
    let agreeing = |bests: &[f64]| {
        bests
            .iter()
            .filter(|&&v| (v - best).abs() <= 1e-10 * best.abs())
            .count()
    };
    assert_eq!(agreeing(&start_best), outcome.agreeing);
    assert_eq!(agreeing(&start_best[..last_start]), outcome.agreeing - 1);
    if last_start + 1 < 7 {
        assert!(outcome.minimizations < all.outcome.unwrap().minimizations);
    }
}
