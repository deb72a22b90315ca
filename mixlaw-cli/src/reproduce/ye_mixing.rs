//! `ye-mixing` (validation V5): Ye et al.'s exponential data-mixing law
//! `L_i(h) = c_i + k_i exp(sum_j t_ij h_j)` (our `ye-m4`: E = c, C = k, gamma = t) per
//! validation group i, fitted on all 26 5Mix mixtures of the 70M model at step 30000
//! (SLDBench JSON, train + eval of size `70M`); RMSE per group against the value the
//! authors' notebook parameters give.
//!
//! Loss: the published figure is an RMSE, and the fit that minimises the RMSE on a fixed
//! set of points is exactly the least-squares fit, so the reported fit minimises the mean
//! squared residual. The authors' own loss (mean Huber(0.05), where every residual here is
//! in the quadratic zone, i.e. least squares again) and the library's default Huber(1e-3)
//! are fitted too and their RMSEs given as extra keys.

use std::format;
use std::path::Path;
use std::string::ToString;
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Law, LawExt, Loss};
use mixlaw_fit::owned::{fit, score, Fit};

use super::sldbench_mixture::{load, options, runs, Mixture, GROUPS};
use super::Report;
use crate::error::CliError;
use crate::json::Json;

/// The experiment's name.
pub const NAME: &str = "ye-mixing";

/// Published best RMSE per group (nats), from the authors' notebook parameters.
const PUBLISHED: [f64; 5] = [0.0339, 0.0157, 0.0338, 0.0169, 0.0128];

/// Pass if ours <= published + this.
const TOLERANCE: f64 = 0.0005;

/// The notebook's parameters per group: `[log_c, log_k, t_academic .. t_internet]`.
const AUTHORS: [[f64; 7]; 5] = [
    [0.9750, -2.1391, -10.0864, 2.7140, 2.7106, 2.6083, 1.5866],
    [1.2624, -2.1656, 1.3930, -4.6811, 0.7855, 1.8719, 0.5734],
    [1.1375, -7.1017, 6.7135, 6.2643, -31.8621, 6.6423, 6.2053],
    [0.4750, -3.6546, 3.3289, 3.6705, 3.1127, -16.4217, 3.1591],
    [1.2402, -1.9510, 1.1897, 0.8697, -0.5184, 1.7122, -3.0870],
];

const LOSS_CHOICE: &str = "squared: the published figure is an RMSE, and on a fixed set of \
    points the RMSE-optimal fit is exactly the least-squares fit, so the reported fit minimises \
    the mean squared residual. The authors' mean Huber(0.05) equals least squares (up to a \
    factor 1/2) when every residual is below 0.05, as for prose, symbolic and internet here; \
    academic and dialogue have a few larger residuals, so their Huber(0.05) fits give a slightly \
    larger RMSE, like the authors' parameters. The library's default Huber(1e-3) is close to \
    least absolute deviations on residuals of 0.01-0.05 and gives clearly larger RMSEs \
    (rmse_huber_1e-3_fit)";

/// Parameters `[E, C, gamma..]` in the gauge `sum_j gamma_j = 0`, as `[c, log k, t..]`.
fn gauge_fixed(params: &[f64]) -> Vec<f64> {
    let (e, c, gamma) = match params {
        [e, c, gamma @ ..] => (*e, *c, gamma),
        _ => return Vec::new(),
    };
    let s = gamma.iter().sum::<f64>() / gamma.len().max(1) as f64;
    let mut out = vec![e, c.ln() + s];
    out.extend(gamma.iter().map(|g| g - s));
    out
}

/// `mixlaw reproduce ye-mixing`.
pub fn run(data: &Path, progress: bool) -> Result<Report, CliError> {
    let started = Instant::now();
    let split = load(data, &["70M"])?
        .into_iter()
        .next()
        .ok_or_else(|| CliError::input("no 70M split"))?;
    let all: Vec<&Mixture> = split.train.iter().chain(&split.eval).collect();
    let mut report = Report::new(NAME);
    let mut rmses = Vec::new();
    for (i, group) in GROUPS.iter().enumerate() {
        let t = Instant::now();
        let data = runs(&all, i);
        let law = AnyLaw::new("ye-m4", GROUPS.len(), None)?;
        let ctx = |e: mixlaw_core::Error| CliError::compute(format!("ye-m4 fit for {group}: {e}"));
        let fit_rmse = |loss: Loss| -> Result<(f64, Fit<AnyLaw>), CliError> {
            let f = fit(law, &data, &options(loss), |_| {
                core::ops::ControlFlow::Continue(())
            })
            .map_err(ctx)?;
            let (_, m) = f.evaluate(&data).map_err(ctx)?;
            Ok((m.rmse, f))
        };
        let (rmse, best) = fit_rmse(Loss::Squared)?;
        let (rmse_huber_005, _) = fit_rmse(Loss::Huber { delta: 0.05 })?;
        let (rmse_huber_1e3, _) = fit_rmse(Loss::Huber { delta: 1e-3 })?;
        // The authors' parameters, evaluated by our law.
        let authors = AUTHORS
            .get(i)
            .ok_or_else(|| CliError::compute("missing published parameters"))?;
        let mut params = vec![authors[0].exp(), authors[1].exp()];
        params.extend_from_slice(authors.get(2..).unwrap_or(&[]));
        law.check_params(&params)?;
        let theirs = Fit {
            params,
            ..best.clone()
        };
        let pred = theirs.predict(&data).map_err(ctx)?;
        let authors_m = score(&pred, &data.y)?;
        let (ours_pred, ours_m) = best.evaluate(&data).map_err(ctx)?;
        let max_abs = ours_pred
            .iter()
            .zip(&data.y)
            .map(|(p, o)| (p - o).abs())
            .fold(0.0, f64::max);
        let published = PUBLISHED.get(i).copied().unwrap_or(f64::NAN);
        if progress {
            std::eprintln!(
                "{NAME}: {group:<9} RMSE {rmse:.5} (published {published:.4}; Huber(0.05) fit {rmse_huber_005:.5}, Huber(1e-3) fit {rmse_huber_1e3:.5}) in {:.2} s",
                t.elapsed().as_secs_f64()
            );
        }
        rmses.push(rmse);
        report.row(
            &format!("rmse_{group}"),
            rmse,
            Some(published),
            vec![
                ("pass".to_string(), Json::Bool(rmse <= published + TOLERANCE)),
                ("tolerance".into(), Json::Num(TOLERANCE)),
                ("mixtures".into(), Json::Num(data.rows() as f64)),
                ("loss".into(), Json::str("squared (least squares)")),
                ("max_abs_residual".into(), Json::Num(max_abs)),
                ("mae".into(), Json::Num(ours_m.mae)),
                ("rmse_huber_0.05_fit".into(), Json::Num(rmse_huber_005)),
                ("rmse_huber_1e-3_fit".into(), Json::Num(rmse_huber_1e3)),
                ("rmse_authors_params".into(), Json::Num(authors_m.rmse)),
                ("mae_authors_params".into(), Json::Num(authors_m.mae)),
                (
                    "params_gauge_sum_t_0".into(),
                    Json::nums(&gauge_fixed(&best.params)),
                ),
                (
                    "authors_params_gauge_sum_t_0".into(),
                    Json::nums(&gauge_fixed(&theirs.params)),
                ),
                (
                    "params_layout".into(),
                    Json::str("[c, log k, t_academic, t_prose, t_dialogue, t_symbolic, t_internet] with sum t = 0"),
                ),
            ],
        );
    }
    let mean = rmses.iter().sum::<f64>() / rmses.len().max(1) as f64;
    report.row(
        "rmse_mean",
        mean,
        Some(PUBLISHED.iter().sum::<f64>() / PUBLISHED.len() as f64),
        vec![
            ("loss".to_string(), Json::str("squared (least squares)")),
            ("loss_choice".into(), Json::str(LOSS_CHOICE)),
        ],
    );
    report.row("seconds", started.elapsed().as_secs_f64(), None, Vec::new());
    Ok(report)
}
