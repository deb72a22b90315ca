//! An online mixture schedule driven from a simulated training loop.
//!
//! A "true" joint law over three domains stands in for the model being trained: after
//! `D` tokens drawn with the realised mixture, each domain's loss is the law's value. The
//! loop trains in rounds of 5B tokens up to 150B; every round
//!
//! 1. the scheduler takes one exponentiated-gradient step on the law's h-gradient at the
//!    current scale `(N, D)` (`Scheduler::step_objective` on a `LawAt` re-bound to the
//!    tokens seen so far), within bounds (at least 5 % per domain, domain 2 capped at 40 %
//!    as if its data ran out);
//! 2. the sampler draws the round's 64 batches from the weights (deterministic smooth
//!    round-robin), and the realised mixture of all batches so far is recorded.
//!
//! At the end the online weights are compared with the offline optimum `h*` of the
//! solver at the final budget, and the realised batch counts with the weights.
//!
//! Run: `cargo run -p mixlaw-opt --example online_schedule`.

use mixlaw_core::laws::joint::Joint;
use mixlaw_core::Scales;
use mixlaw_opt::schedule::{Sampler, Scheduler, Step};
use mixlaw_opt::{Bounds, Error, LawAt, Side, SimplexObjective, Solver};

fn main() -> Result<(), Error> {
    const K: usize = 3;
    let law = Joint::new(K)?;
    // E, alpha, beta, C[3], gamma[3], CA[3], gammaA, CB[3], gammaB
    let params = [
        1.8, 0.32, 0.28, 2.0, 1.5, 0.8, 0.4, 0.3, 0.5, 4.0, 4.2, 3.9, 0.9, 7.0, 7.3, 6.8, 1.1,
    ];
    let scales = Scales { n: 1e9, d: 1e9 };
    let n = 7e9;
    let caps = [1.0, 1.0, 0.4];
    let bounds = Bounds::new(Side::All(0.05), Side::Each(&caps));

    let round_tokens = 5e9;
    let rounds = 30;
    let batches_per_round = 64;
    let mut target = LawAt::new(&law, &params, n, round_tokens, scales)?;
    let mut scheduler = Scheduler::<K>::new(K, &bounds, Step::default())?;
    let mut sampler = Sampler::<K>::new(scheduler.weights())?;

    println!("round  tokens   weights (online)           batches so far      loss at weights");
    for round in 1..=rounds {
        let d = round_tokens * round as f64;
        target = target.at(n, d)?;
        scheduler.step_objective(&target)?;
        sampler.set_weights(scheduler.weights())?;
        for _ in 0..batches_per_round {
            sampler.next_domain();
        }
        if round % 5 == 0 || round == 1 {
            let w = scheduler.weights();
            let ln_w: Vec<f64> = w.iter().map(|v| v.ln()).collect();
            let c = sampler.counts();
            println!(
                "{round:>5}  {:>5.0}B  [{:.4}, {:.4}, {:.4}]  [{:>4}, {:>4}, {:>4}]  {:.6}",
                d / 1e9,
                w[0],
                w[1],
                w[2],
                c[0],
                c[1],
                c[2],
                target.value(w, &ln_w)
            );
        }
    }

    // Offline optimum at the final budget.
    let mut h_star = [1.0 / K as f64; K];
    let sol = Solver::<K>::default().minimize(&target, &bounds, &mut h_star)?;
    let w = scheduler.weights();
    let dist = w
        .iter()
        .zip(&h_star)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!(
        "offline h* at {:.0}B tokens: [{:.4}, {:.4}, {:.4}] (solver gap {:.1e}); online - h*: max |diff| {:.2e}",
        target.d() / 1e9,
        h_star[0],
        h_star[1],
        h_star[2],
        sol.gap,
        dist
    );
    // The online weights keep converging when the scale stops moving.
    for _ in 0..200 {
        scheduler.step_objective(&target)?;
    }
    let dist_more = scheduler
        .weights()
        .iter()
        .zip(&h_star)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    println!("after 200 more updates at the final scale: max |diff| {dist_more:.2e}");
    let total = (rounds * batches_per_round) as f64;
    let c = sampler.counts();
    println!(
        "realised batch shares: [{:.4}, {:.4}, {:.4}] over {total} batches",
        c[0] as f64 / total,
        c[1] as f64 / total,
        c[2] as f64 / total
    );
    Ok(())
}
