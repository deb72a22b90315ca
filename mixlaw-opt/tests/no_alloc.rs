//! Solving paths allocate nothing: a counting global allocator (`mixlaw-testkit`,
//! counted per thread) watches them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mixlaw_core::laws::{additive::Additive, joint::Joint};
use mixlaw_core::metrics::Summary;
use mixlaw_core::Scales;
use mixlaw_opt::analysis::{corner_optima, fixed_point_scan};
use mixlaw_opt::budget::{
    compute_optimal, sweep, Availability, Budget, ComputeConfig, Constraints,
};
use mixlaw_opt::mde::{InterpObjective, MdeObjective, MdeSums};
use mixlaw_opt::regress::{fit_ridge, workspace_len};
use mixlaw_opt::schedule::{aioli_matrix, Aioli, Sampler, Scheduler, Step};
use mixlaw_opt::support::{Extrapolation, TrainingSupport};
use mixlaw_opt::{
    bagged_optimum, kl_project, trust_caps, Bounds, KlRegularized, LawAt, Side, Solution, Solver,
    Status, Weighted,
};
use mixlaw_testkit::allocations_during;

#[test]
fn solving_paths_do_not_allocate() {
    const SCALES: Scales = Scales { n: 1e9, d: 1e9 };
    let law = Joint::new(3).unwrap();
    let p1 = [
        1.6, 0.3, 0.28, 1.0, 1.5, 2.0, 0.5, 0.4, 0.3, 0.4, 1.2, 2.5, 1.1, 2.5, 2.0, 1.5, 1.2,
    ];
    let mut p2 = p1;
    p2[3] = 3.0;
    let add = Additive::new(3).unwrap();
    let pa = [1.5, 1.0, 1.0, 0.3, 0.3, 1.0, 2.0, 3.0, 0.5, 0.4, 0.3];
    let lo = [0.01, 0.0, 0.05];
    let hi = [1.0, 0.5, 0.05];
    let unique = [1e13, 1e13, 5e9];
    let s1: Vec<f64> = (0..300)
        .map(|i| 0.01 + ((i * 37) % 97) as f64 / 100.0)
        .collect();
    let s2: Vec<f32> = (0..300)
        .map(|i| 0.02 + ((i * 53) % 89) as f32 / 100.0)
        .collect();
    let x: Vec<f64> = (0..60).map(|i| ((i * 7919) % 101) as f64 / 50.0).collect();
    let y: Vec<f64> = (0..20).map(|i| i as f64 * 0.1).collect();
    let mut work = vec![0.0; workspace_len(3)];
    let mut rows = vec![0.0; 5 * 3];
    let mut sols = vec![
        Solution {
            objective: 0.0,
            gap: 0.0,
            iterations: 0,
            evaluations: 0,
            status: Status::MaxIterations
        };
        5
    ];
    // Decision support: training mixtures, their support storage and hull workspace.
    let train: Vec<f64> = (0..200)
        .flat_map(|i| {
            let a = 0.05 + 0.4 * ((i * 13) % 17) as f64 / 17.0;
            let b = 0.05 + 0.4 * ((i * 7) % 11) as f64 / 11.0;
            [a, b, 1.0 - a - b]
        })
        .collect();
    let mut storage = vec![0.0; TrainingSupport::storage_len(3, 256)];
    let mut hull_work = vec![0.0; 3 + 4 + 5 * (256 + 7) + 256];
    let mut bag_work = vec![0.0; 8];
    let mut spread = [Summary::default(); 3];
    let n = allocations_during(|| {
        let mut solver = Solver::<4>::default();
        let support = TrainingSupport::from_mixtures(3, &train, &mut storage).unwrap();
        let hw = &mut hull_work[..support.hull_workspace_len()];
        let inside = support.contains(&[0.3, 0.3, 0.4], hw).unwrap().inside;
        let mut caps = [0.0; 3];
        trust_caps(support.max_weight(), 1.5, &mut caps).unwrap();
        let mut upper = [0.0; 3];
        let capped = Bounds::min_weight(0.01)
            .with_caps(3, &[&caps], &mut upper)
            .unwrap();
        let t0 = LawAt::new(&law, &p1, 7e9, 150e9, SCALES).unwrap();
        let reg = KlRegularized::new(&t0, &[0.2, 0.3, 0.5], 0.1).unwrap();
        let mut hd = [1.0 / 3.0; 3];
        solver.minimize(&reg, &capped, &mut hd).unwrap();
        let (_, _) = reg.parts(&hd).unwrap();
        let r = Extrapolation::new(
            &hd,
            support.min_weight(),
            support.max_weight(),
            Some(!inside),
        )
        .unwrap();
        let _ = r.warnings().count() + r.above_max().count();
        let optima = [0.2, 0.3, 0.5, 0.3, 0.3, 0.4, 0.25, 0.35, 0.4];
        let mut hb = [0.0; 3];
        bagged_optimum(
            &optima,
            3,
            &Bounds::SIMPLEX,
            &mut hb,
            &mut spread,
            &mut bag_work,
        )
        .unwrap();
        let t = LawAt::new(&law, &p1, 7e9, 150e9, SCALES).unwrap();
        let mut h = [1.0, 0.0, 0.0];
        solver.minimize(&t, &Bounds::SIMPLEX, &mut h).unwrap();
        let b = Bounds::new(Side::Each(&lo), Side::Each(&hi));
        solver.minimize(&t, &b, &mut h).unwrap();
        let mut y3 = [0.0; 3];
        kl_project(&b, &[3.0, 1.0, 0.5], &mut y3).unwrap();
        // Weighted sums over owned and borrowed targets, heterogeneous laws.
        let targets = [
            LawAt::new(&law, &p1, 7e9, 150e9, SCALES).unwrap(),
            LawAt::new(&law, &p2, 7e9, 150e9, SCALES).unwrap(),
        ];
        let mut obj = Weighted::<_, 4>::new(targets, &[0.5, 0.5]).unwrap();
        solver
            .minimize(&obj, &Bounds::min_weight(0.01), &mut h)
            .unwrap();
        let mixed: [LawAt<'_, dyn mixlaw_core::Law>; 2] = [
            LawAt::new(&law as &dyn mixlaw_core::Law, &p1, 7e9, 150e9, SCALES).unwrap(),
            LawAt::new(&add as &dyn mixlaw_core::Law, &pa, 7e9, 150e9, SCALES).unwrap(),
        ];
        let wm = Weighted::<_, 4>::new(&mixed, &[1.0, 2.0]).unwrap();
        solver.minimize(&wm, &Bounds::SIMPLEX, &mut h).unwrap();
        // Budgets.
        let budgets = [
            Budget::from_compute(1e21, 1e8).unwrap(),
            Budget::from_compute(1e21, 1e9).unwrap(),
            Budget::from_compute(1e21, 1e10).unwrap(),
            Budget::new(1e9, 1e12).unwrap(),
            Budget::new(1e9, 2e12).unwrap(),
        ];
        let cons = Constraints::with_availability(
            Bounds::min_weight(0.01),
            Availability {
                unique: &unique,
                max_epochs: 4.0,
            },
        );
        sweep(
            &mut solver,
            &mut obj,
            &cons,
            &budgets,
            &mut h,
            &mut rows,
            &mut sols,
        )
        .unwrap();
        compute_optimal(
            &mut solver,
            &mut obj,
            &cons,
            1e21,
            &ComputeConfig {
                n_min: 1e8,
                n_max: 1e11,
                ..ComputeConfig::default()
            },
            &mut h,
        )
        .unwrap();
        // Appendix C.1.
        let three = [t, t.at(1e9, 1e10).unwrap(), t.at(1e10, 1e10).unwrap()];
        let mut corners = [0.0; 9];
        corner_optima(
            &mut solver,
            &three,
            &Bounds::SIMPLEX,
            &mut corners,
            &mut sols[..3],
        )
        .unwrap();
        fixed_point_scan(&mut solver, &three, &Bounds::SIMPLEX, 4, |_, _, _, _| {}).unwrap();
        // MDE: streamed sums, objectives, regression.
        let mut sums = MdeSums::<4>::new(&[0.2, 0.3, 0.5]).unwrap();
        sums.add_chunk(&s1[..150]).unwrap();
        let mut other = MdeSums::<4>::new(&[0.2, 0.3, 0.5]).unwrap();
        other.add_chunk(&s1[150..]).unwrap();
        sums.merge(&other).unwrap();
        let mut g = [0.0; 3];
        sums.grad(&mut g).unwrap();
        let sets = [&s2[..]];
        let mo = MdeObjective::new(3, &sets, &[1.0]).unwrap();
        solver.minimize(&mo, &Bounds::SIMPLEX, &mut h).unwrap();
        let pm = [0.3, 0.2, 0.1, 0.1, 0.2, 0.4];
        let io = InterpObjective::new(3, &pm, &[0.5, 0.5]).unwrap();
        solver.minimize(&io, &Bounds::SIMPLEX, &mut h).unwrap();
        let mut beta = [0.0; 3];
        fit_ridge(&x, &y, 3, 0.1, true, &mut work, &mut beta).unwrap();
        // Online schedule: every kind of update, the Aioli estimate, the sampler.
        let bounds = Bounds::new(Side::Each(&lo), Side::All(1.0));
        let mut sched = Scheduler::<4>::new(3, &bounds, Step::default()).unwrap();
        sched.step_objective(&t).unwrap();
        sched.step_gradient(&[0.1, -0.2, 0.3]).unwrap();
        sched
            .step_excess_loss(&[2.0, 2.5, 3.0], &[2.1, 2.2, 2.3])
            .unwrap();
        let mut a = [0.0; 9];
        aioli_matrix(
            3,
            &[0.1, 0.02, 0.01, 0.0, 0.2, 0.03, 0.01, 0.0, 0.3],
            0.75,
            true,
            &mut a,
        )
        .unwrap();
        sched.step_aioli(&a, &Aioli { ema: Some(0.1) }).unwrap();
        let mut sampler = Sampler::<4>::new(sched.weights()).unwrap();
        for _ in 0..100 {
            sampler.next_domain();
        }
        sampler.set_weights(sched.weights()).unwrap();
    });
    assert_eq!(n, 0, "solving paths allocated {n} times");
}
