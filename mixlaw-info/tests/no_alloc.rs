//! Evaluation and optimisation allocate nothing: a counting global allocator
//! (`mixlaw-testkit`, counted per thread) watches them.

use mixlaw_info::fit;
use mixlaw_info::{optimize, random_search, InfoLaw, KinkSide, Normalization, Setting, Source};
use mixlaw_testkit::allocations_during;

const FIT_A: [f64; 6] = [0.8, 0.2, 0.0, 0.0, 0.0, 0.0];
const FIT_B: [f64; 6] = [0.3, 0.3, 0.2, 0.1, 0.1, 0.0];

#[test]
fn evaluation_and_optimisation_do_not_allocate() {
    let w = [0.548, 0.444, 0.004, 0.003, 0.001, 0.0];
    let mut g = [0.0; 6];
    let (mut unique, mut info, mut opt_info, mut rs_info, mut kink_info, mut cert) =
        (0.0, 0.0, 0.0, f64::INFINITY, 0.0, f64::INFINITY);
    let evaluation = allocations_during(|| {
        let src = Source::paper(300e9).unwrap();
        let p = Setting::new(&InfoLaw::PAPER, &src, 7e9, 300e9).unwrap();
        unique = src.layermix(&w, 300e9).unwrap().unique();
        info = p.info(&w).unwrap();
        p.gradient(&w, &mut g, KinkSide::Left).unwrap();
        opt_info = optimize(&p).unwrap().info;
        rs_info = random_search(&p, 1000, 1).unwrap().info;
        // A kink optimum: chunked solver, certificate search and the exact fallback.
        let law = InfoLaw {
            normalization: Normalization::Constant(1.0),
            ..InfoLaw::PAPER
        };
        let kink = Setting::new(&law, &Source::paper(3e11).unwrap(), 7e9, 1e11).unwrap();
        let kopt = optimize(&kink).unwrap();
        kink_info = kopt.info;
        cert = kink.certified_gap(kopt.recipe.as_slice()).unwrap();
    });
    assert_eq!(evaluation, 0, "evaluation and optimisation allocated");
    assert!(unique > 0.0 && info > 0.0 && opt_info >= rs_info);
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    assert!(cert <= 1e-10 * kink_info, "gap {cert} at info {kink_info}");

    // Both fits, on runs and scratch prepared before counting.
    let src = Source::paper(300e9).unwrap();
    let fit_runs = [
        (1e8, 1e10, 0.8, 3.4),
        (1e9, 2e10, 0.5, 3.0),
        (3e9, 5e10, 0.3, 2.8),
        (1e9, 1e11, 0.2, 2.9),
    ]
    .map(|(n, t, w0, loss)| fit::Run {
        model_size: n,
        tokens: t,
        source: src,
        recipe: if w0 > 0.5 { &FIT_A } else { &FIT_B },
        loss,
    });
    let (mut scratch, mut order) = ([0.0; 12], [0usize; 4]);
    let config = mixlaw_fit::BasinConfig {
        starts: 2,
        hops: 1,
        ..mixlaw_fit::BasinConfig::default()
    };
    let (mut cont, mut paper) = (None, None);
    let fitting = allocations_during(|| {
        cont = Some(fit::fit_continuous(&fit_runs, &config).unwrap());
        paper = Some(
            fit::fit_paper(
                &fit_runs,
                50,
                1,
                (0.0, 1.0),
                (1.0, 4.0),
                &mut scratch,
                &mut order,
            )
            .unwrap(),
        );
    });
    assert_eq!(fitting, 0, "fitting allocated");
    let (cont, paper) = (cont.unwrap(), paper.unwrap());
    assert!(cont.mse_log.is_finite() && paper.fitted.mse_log.is_finite());
}
