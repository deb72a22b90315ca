//! A law that mixlaw does not ship, defined here, outside the library, and then fitted,
//! used for predictions, bootstrapped and optimised with exactly the calls the built-in
//! laws use: `cargo run --release --example custom_law`.
//!
//! The law is the implicit-domain form of Ye et al. (2024, "Data Mixing Laws", sec. 3.2):
//! a validation set is a mixture of M unknown "implicit" domains, each following the
//! exponential mixing law, so its loss is
//!
//! ```text
//! L(h) = E + sum_m K_m exp(sum_j T[m][j] h_j)        (here M = 2)
//! ```
//!
//! (their `sum_m s_m (c_m + k_m exp(...))` with the constants folded into `E` and the
//! proportions `s_m` into `K_m > 0`). Parameters: `E`, `K0`, `K1`, `T0[j]`, `T1[j]`.
//! The example exits with an error if any step misses its check.

use core::ops::ControlFlow;

use mixlaw_core::param::{Block, Reader, Writer};
use mixlaw_core::{Inputs, Law, Row};
use mixlaw_fit::bootstrap::{bootstrap, BootstrapConfig};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_fit::Rng;
use mixlaw_opt::{Bounds, LawAt, Solver};

/// `E + sum_m K_m exp(sum_j T[m][j] h_j)` with two implicit domains.
#[derive(Clone, Copy, Debug)]
struct ImplicitDomains {
    k: usize,
}

/// The layout, as data: `E` and `K` enter linearly; `K` is positive (fitted in log space).
const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive("K0", -3.0, 0.0).linear(),
    Block::positive("K1", -3.0, 0.0).linear(),
    Block::free_each("T0", -2.0, 2.0),
    Block::free_each("T1", -2.0, 2.0),
];

impl ImplicitDomains {
    /// The two exponential terms `K_m exp(sum_j T[m][j] h_j)` at `h`.
    fn terms(&self, params: &[f64], h: &[f64]) -> (f64, [f64; 2]) {
        let mut p = Reader::new(params);
        let e = p.scalar();
        let ks = [p.scalar(), p.scalar()];
        let ts = [p.each(self.k), p.each(self.k)];
        let mut terms = [0.0; 2];
        for ((term, k), t) in terms.iter_mut().zip(ks).zip(ts) {
            let s: f64 = t.iter().zip(h).map(|(t, h)| t * h).sum();
            *term = k * libm::exp(s);
        }
        (e, terms)
    }
}

impl Law for ImplicitDomains {
    fn name(&self) -> &'static str {
        "implicit-domains"
    }
    fn domains(&self) -> usize {
        self.k
    }
    fn blocks(&self) -> &'static [Block] {
        BLOCKS
    }
    fn inputs(&self) -> Inputs {
        Inputs {
            h: true,
            ..Inputs::default()
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let (e, terms) = self.terms(params, row.h);
        if let Some(g) = grad {
            // dL/dE = 1, dL/dK_m = exp(...), dL/dT[m][j] = K_m exp(...) h_j.
            let ks = [params[1], params[2]];
            let mut w = Writer::new(g);
            w.scalar(1.0);
            w.scalar(terms[0] / ks[0]);
            w.scalar(terms[1] / ks[1]);
            for term in terms {
                for (d, &h) in w.each(self.k).iter_mut().zip(row.h) {
                    *d = term * h;
                }
            }
        }
        e + terms[0] + terms[1]
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        let (e, terms) = self.terms(params, row.h);
        let mut p = Reader::new(params);
        let _ = (p.scalar(), p.scalar(), p.scalar());
        let ts = [p.each(self.k), p.each(self.k)];
        for (j, g) in grad_h.iter_mut().enumerate() {
            *g = terms[0] * ts[0][j] + terms[1] * ts[1][j];
        }
        e + terms[0] + terms[1]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let k = 3;
    let law = ImplicitDomains { k };
    //            E    K0   K1   T0[0..3]          T1[0..3]
    let truth = [1.9, 0.6, 0.4, -1.5, -0.3, 0.2, 0.4, -2.0, -0.8];

    // 1. Runs: 40 random mixtures with 0.2 % noise on the loss.
    let mut rng = Rng::new(7);
    let mut runs = Runs {
        k,
        ..Runs::default()
    };
    for _ in 0..40 {
        let raw: Vec<f64> = (0..k).map(|_| rng.next_f64() + 0.02).collect();
        let s: f64 = raw.iter().sum();
        let h: Vec<f64> = raw.iter().map(|v| v / s).collect();
        let (e, t) = law.terms(&truth, &h);
        runs.y
            .push((e + t[0] + t[1]) * (1.0 + 0.002 * (rng.next_f64() - 0.5)));
        runs.h.extend(h);
    }

    // 2. Fit: the call every built-in law uses.
    let options = FitOptions::default();
    let fitted = fit(law, &runs, &options, |_| ControlFlow::Continue(()))?;
    let (_, metrics) = fitted.evaluate(&runs)?;
    println!(
        "fit: objective {:.3e}, train MRE {:.3} %",
        fitted.objective, metrics.mre
    );
    for (name, v) in fitted.named_params() {
        println!("  {name:<6} {v:>9.4}");
    }
    check(
        metrics.mre < 0.2,
        "the fit reproduces the runs within 0.2 %",
    )?;

    // 3. Predict at new mixtures.
    let probe = Runs {
        k,
        h: vec![0.6, 0.3, 0.1, 0.1, 0.1, 0.8],
        y: vec![0.0, 0.0],
        ..Runs::default()
    };
    let predicted = fitted.predict(&probe)?;
    for (i, p) in predicted.iter().enumerate() {
        let (e, t) = law.terms(&truth, &probe.h[i * k..(i + 1) * k]);
        let exact = e + t[0] + t[1];
        println!(
            "predict: h = {:?}  {p:.4} (true {exact:.4})",
            &probe.h[i * k..(i + 1) * k]
        );
        check((p - exact).abs() < 0.01 * exact, "predictions within 1 %")?;
    }

    // 4. Bootstrap: standard errors of every parameter.
    let config = BootstrapConfig {
        resamples: 100,
        seed: 1,
        ..BootstrapConfig::default()
    };
    let boot = bootstrap(&fitted, &runs, None, &options, &config)?;
    let se: Vec<f64> = boot.param_summary().iter().map(|s| s.se).collect();
    println!(
        "bootstrap: {} refits, SE(E) = {:.2e}",
        boot.draws.len(),
        se[0]
    );
    check(boot.draws.len() >= 95, "at least 95 of 100 refits succeed")?;

    // 5. Optimise: the mixture minimising the fitted law, with a duality-gap certificate.
    let target = LawAt::new(&fitted.law, &fitted.params, 1.0, 1.0, fitted.scales)?;
    let mut h = [1.0 / k as f64; 3];
    let solution = Solver::<8>::default().minimize(&target, &Bounds::min_weight(0.05), &mut h)?;
    println!(
        "optimum: h* = {h:.3?}, loss {:.4}, gap {:.1e}",
        solution.objective, solution.gap
    );
    check(solution.gap < 1e-9, "the optimum is certified (gap < 1e-9)")?;
    Ok(())
}

fn check(ok: bool, what: &str) -> Result<(), Box<dyn std::error::Error>> {
    if ok {
        println!("  ok: {what}");
        Ok(())
    } else {
        Err(format!("FAILED: {what}").into())
    }
}
