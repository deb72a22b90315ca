//! The demo run with no command: runs generated from a joint law, `additive` and `joint`
//! fitted and extrapolated to a 10x larger model.

use std::format;
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, LawExt, Scales};
use mixlaw_fit::owned::{self, FitOptions, Runs};
use mixlaw_fit::HopInfo;

use crate::output::Output;
use crate::Error;

/// The demo: runs generated from a joint law (k = 3) at small N and D with 0.2 % noise;
/// fits `additive` and `joint` and extrapolates to a 10x larger model.
pub fn run(out: &mut Output<'_, '_>) -> Result<(), Error> {
    let (train, eval, _) = demo_data()?;
    out.line("mixlaw demo: 3 domains, runs generated from a joint law (Shukor et al. 2025 eq 2.5) with 0.2 % noise")?;
    out.line(&format!(
        "  train: {} runs at N = 30M..300M; eval: {} runs at N = 3B (10x larger)",
        train.rows(),
        eval.rows()
    ))?;
    for name in ["additive", "joint"] {
        let law = AnyLaw::new(name, 3, None)?;
        let options = FitOptions {
            scales: Some(Scales { n: 1e9, d: 1e9 }),
            ..FitOptions::default()
        };
        let t = Instant::now();
        let fit = {
            let mut progress = out.fit_progress(&options.basin, &law);
            owned::fit(law, &train, &options, |h: &HopInfo| progress.hop(h))?
        };
        let (_, tr) = fit.evaluate(&train)?;
        let (_, ev) = fit.evaluate(&eval)?;
        out.line(&format!(
            "  {name:<9} {:>2} params  train MRE {:.3} %  3B MRE {:.3} %  ({:.2} s)",
            fit.params.len(),
            tr.mre,
            ev.mre,
            t.elapsed().as_secs_f64()
        ))?;
    }
    out.line("")?;
    out.line("On your own runs (one row per run; weights sum to 1; install: cargo install --path mixlaw-cli):")?;
    out.line("  mixlaw fit --law joint --train runs.csv --eval big.csv \\")?;
    out.line("      --weights w_web,w_code,w_books --loss loss_code --n params --d tokens --out joint.json")?;
    out.line("  mixlaw optimize --params joint.json --n 7e9 --d 1.5e11")?;
    out.line("  mixlaw laws      (the catalogue; mixlaw help: every command)")
}

/// Deterministic demo runs: (train, eval, true parameters).
pub fn demo_data() -> Result<(Runs, Runs, Vec<f64>), Error> {
    // E, alpha, beta, C[3], gamma[3], CA[3], gammaA, CB[3], gammaB (N, D in billions).
    let truth = std::vec![
        1.6, 0.32, 0.3, 2.0, 1.2, 0.8, 0.35, 0.45, 0.3, 0.4, 0.5, 0.6, 1.1, 1.5, 1.2, 1.8, 0.9,
    ];
    let law = AnyLaw::new("joint", 3, None)?;
    let mut rng = mixlaw_fit::Rng::new(2025);
    let mixtures: Vec<[f64; 3]> = (0..12)
        .map(|_| {
            let raw = [
                rng.uniform(0.1, 1.0),
                rng.uniform(0.1, 1.0),
                rng.uniform(0.1, 1.0),
            ];
            let s: f64 = raw.iter().sum();
            [raw[0] / s, raw[1] / s, raw[2] / s]
        })
        .collect();
    let gen = |sizes: &[f64], mixtures: &[[f64; 3]], rng: &mut mixlaw_fit::Rng| {
        let mut runs = Runs {
            k: 3,
            n: Some(std::vec![]),
            d: Some(std::vec![]),
            ..Runs::default()
        };
        for h in mixtures {
            for &n in sizes {
                for step in 1..=5 {
                    let d = 20.0 * n * step as f64 / 5.0 * 1e9;
                    let point = mixlaw_core::Point::new(h, n * 1e9, d).ok();
                    let value = point
                        .and_then(|p| law.value(&truth, &p, Scales { n: 1e9, d: 1e9 }).ok())
                        .unwrap_or(3.0);
                    // 0.2 % Gaussian noise (Box-Muller).
                    let (u1, u2) = (rng.next_f64().max(1e-300), rng.next_f64());
                    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * core::f64::consts::PI * u2).cos();
                    runs.h.extend_from_slice(h);
                    runs.y.push(value * (1.0 + 0.002 * z));
                    if let (Some(nn), Some(dd)) = (runs.n.as_mut(), runs.d.as_mut()) {
                        nn.push(n * 1e9);
                        dd.push(d);
                    }
                }
            }
        }
        runs
    };
    let train = gen(&[0.03, 0.06, 0.12, 0.3], &mixtures, &mut rng);
    let eval = gen(&[3.0], mixtures.get(..4).unwrap_or(&[]), &mut rng);
    Ok((train, eval, truth))
}
