//! `mixlaw fit`: one law fitted to its observed losses (one per run, or one per domain for
//! the capacity laws, `--loss l_0,..,l_{k-1}`), within the law's recommended bounds and
//! `--bound`s, with `--eval`, `--out` and `--bootstrap`.

use std::format;
use std::string::{String, ToString};

use mixlaw_core::{AnyLaw, Law, LawOptions};
use mixlaw_fit::owned::{self, FitOptions, Metrics};
use mixlaw_fit::screen::ScreenConfig;
use mixlaw_fit::{BasinConfig, HopInfo};
use mixlaw_validate::data::{self, JoinCounts};
use mixlaw_validate::json::{obj, push, Json};

use crate::bootstrap::Bootstrap;
use crate::cli::{FitArgs, Global};
use crate::columns::{
    basin_from, bounds_for, build_law, columns, fit_error, for_law, loss_from, scales_for,
    warn_unused, with_entry_weights,
};
use crate::output::Output;
use crate::{params, Error};

/// Runs `mixlaw fit`.
pub fn run(a: &FitArgs, global: &Global, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let join = a.columns.join.as_deref();
    let source = data::read_source(&a.train, join)?;
    let cols = columns(&a.columns)?.resolve(&source.table)?;
    let mut law = build_law(&a.law, &cols, a.columns.target_domain)?;
    if let Some(h) = a.capacity.head.filter(|_| AnyLaw::takes_head(&a.law)) {
        let options = LawOptions::default().target(law.target()).head(Some(h));
        law = AnyLaw::with_options(&a.law, law.domains(), options)?;
    }
    warn_unused(out, &law, &a.columns, Some(&a.search));
    let mut probe = std::vec![(0.0, 0.0); law.num_params()];
    let unused = [
        (
            a.capacity.head.is_some() && !AnyLaw::takes_head(&a.law),
            "--head",
            "it has no capacity head",
        ),
        (
            a.capacity.mask_below.is_some() && law.outputs() == 1,
            "--mask-below",
            "it predicts one loss per run",
        ),
        (
            a.capacity.no_bounds && !law.recommended_bounds(&[], &[], &mut probe)?,
            "--no-bounds",
            "it recommends no bounds",
        ),
    ];
    for (given, flag, why) in unused {
        if given {
            out.warn(format!("{flag} is not used by law '{}' ({why})", a.law));
        }
    }
    let mask_below = a.capacity.mask_below.unwrap_or(0.0);
    let train = data::load(&source.table, &cols, true)?;
    let runs = with_entry_weights(for_law(train.runs, &law), &law, mask_below)?;
    let scales = scales_for(&a.search, &law, &runs)?;
    let basin = basin_from(&a.search, global.seed, BasinConfig::default());
    let boot = Bootstrap::from_args(&a.bootstrap, global.seed)?;
    let options = FitOptions {
        loss: loss_from(&a.search)?,
        scales: Some(scales),
        basin,
        bounds: bounds_for(&law, &runs, a.capacity.no_bounds, &a.capacity.bounds)?,
        threads: a.bootstrap.threads.count,
        ..FitOptions::default()
    };
    let options = match a.screen_rows {
        Some(n) => FitOptions {
            screen: ScreenConfig {
                above_rows: usize::try_from(n).unwrap_or(usize::MAX),
                ..options.screen
            },
            ..options
        },
        None => options,
    };
    let started = std::time::Instant::now();
    let fit = {
        let mut progress = out.fit_progress(&basin, &law);
        owned::fit(law, &runs, &options, |h: &HopInfo| progress.hop(h))
    }
    .map_err(fit_error)?;
    let seconds = started.elapsed().as_secs_f64();
    let (train_pred, train_m) = fit.evaluate(&runs)?;
    let eval_source = a
        .eval
        .as_ref()
        .map(|path| data::read_source(path, join))
        .transpose()?;
    let eval_runs = match &eval_source {
        Some(s) => Some(with_entry_weights(
            for_law(data::load(&s.table, &cols, true)?.runs, &fit.law),
            &fit.law,
            mask_below,
        )?),
        None => None,
    };
    let eval = match &eval_runs {
        Some(e) => Some(fit.evaluate(e)?),
        None => None,
    };
    let saved_fit = params::saved(&fit, &cols, &runs);
    let bootstrap = match &boot {
        Some(b) => Some(b.run(&fit, &saved_fit, &runs, eval_runs.as_ref(), &options, out)?),
        None => None,
    };
    let saved = params::to_json(&saved_fit);
    if let Some(path) = &a.out {
        std::fs::write(path, saved.to_string() + "\n")
            .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))?;
    }
    let outputs = fit.law.outputs();
    if out.json() {
        let mut j = obj([
            ("law", Json::from(fit.law.name())),
            ("params", saved.get("params").cloned().unwrap_or(Json::Null)),
            ("objective", Json::from(fit.objective)),
            ("n_scale", Json::from(fit.scales.n)),
            ("d_scale", Json::from(fit.scales.d)),
            ("seconds", Json::from(seconds)),
            ("train", metrics_json(&train_m, &train_pred, outputs)),
        ]);
        if let Some((pred, m)) = &eval {
            push(&mut j, "eval", metrics_json(m, pred, outputs));
        }
        let active: Vec<Json> = fit
            .active_bounds
            .iter()
            .filter_map(|&i| {
                fit.law
                    .param_info(i)
                    .map(|p| Json::from(p.name.to_string()))
            })
            .collect();
        push(&mut j, "active_bounds", Json::Array(active));
        push(&mut j, "skipped_rows", Json::from(train.skipped));
        if let Some(o) = fit.outcome.filter(|o| o.screen_rows > 0) {
            let screen = obj([
                ("rows", Json::from(o.screen_rows)),
                ("polished", Json::from(o.polished)),
                ("agreeing_starts", Json::from(o.agreeing)),
            ]);
            push(&mut j, "screen", screen);
        }
        if let Some(c) = &source.join {
            push(&mut j, "join", join_json(c));
        }
        if let Some(c) = eval_source.as_ref().and_then(|s| s.join.as_ref()) {
            push(&mut j, "eval_join", join_json(c));
        }
        push(&mut j, "domains", Json::from(fit.law.domains()));
        if let Some(b) = &bootstrap {
            push(&mut j, "bootstrap", b.to_json(&fit));
        }
        return out.object(j);
    }
    out.line(&format!(
        "law {}  ({} parameters, {} runs, {} skipped, {:.2} s)",
        fit.law.name(),
        fit.params.len(),
        runs.rows(),
        train.skipped,
        seconds
    ))?;
    if let Some(o) = fit.outcome.filter(|o| o.screen_rows > 0) {
        out.line(&format!(
            "screened: search on {} of the runs ({} starts reached its best), {} minima polished on all",
            o.screen_rows, o.agreeing, o.polished
        ))?;
    }
    if let Some(c) = &source.join {
        out.line(&join_line("train", c))?;
    }
    if let Some(c) = eval_source.as_ref().and_then(|s| s.join.as_ref()) {
        out.line(&join_line("eval", c))?;
    }
    for (i, (n, v)) in fit.named_params().into_iter().enumerate() {
        let at_bound = if fit.active_bounds.contains(&i) {
            "  (at a bound)"
        } else {
            ""
        };
        out.line(&format!("  {n:<14} {v:>14.6e}{at_bound}"))?;
    }
    out.line(&format!(
        "objective {:.6e}  (scales N/{:e}, D/{:e})",
        fit.objective, fit.scales.n, fit.scales.d
    ))?;
    out.line(&format!(
        "train: MRE {:.3} %  MAE {:.5}  RMSE {:.5}  R^2 {}  Spearman {}  Kendall {}",
        train_m.mre,
        train_m.mae,
        train_m.rmse,
        fmt_r2(train_m.r2),
        fmt_r2(train_m.spearman),
        fmt_r2(train_m.kendall)
    ))?;
    if let Some((_, m)) = &eval {
        out.line(&format!(
            "eval:  MRE {:.3} %  MAE {:.5}  RMSE {:.5}  R^2 {}  Spearman {}  Kendall {}  ({} runs)",
            m.mre,
            m.mae,
            m.rmse,
            fmt_r2(m.r2),
            fmt_r2(m.spearman),
            fmt_r2(m.kendall),
            m.rows
        ))?;
    }
    if let Some(b) = &bootstrap {
        for line in b.to_lines(&fit) {
            out.line(&line)?;
        }
    }
    Ok(())
}

/// `{"matched", "only_first", "only_second"}`: the counts of a `--join`.
pub fn join_json(c: &JoinCounts) -> Json {
    obj([
        ("matched", Json::from(c.matched)),
        ("only_first", Json::from(c.only_first)),
        ("only_second", Json::from(c.only_second)),
    ])
}

/// The counts of a `--join` as a line of text.
pub fn join_line(what: &str, c: &JoinCounts) -> String {
    format!(
        "{what} join: {} rows matched, {} only in the first file, {} only in the second",
        c.matched, c.only_first, c.only_second
    )
}

/// An optional metric with 5 decimals, or `n/a`.
pub fn fmt_r2(r2: Option<f64>) -> String {
    r2.map_or_else(|| "n/a".to_string(), |v| format!("{v:.5}"))
}

/// `{"rows", "mre", "mae", "rmse", "r2", "spearman", "kendall", "predictions"}` of the
/// contract (an undefined metric is `null`) for predictions of a law with `outputs` losses
/// per run; with several, `"rows"` and `"runs"` count runs, `"entries"` the losses scored
/// (metrics are taken over them) and `"predictions"` holds one array per run.
pub fn metrics_json(m: &Metrics, pred: &[f64], outputs: usize) -> Json {
    let opt = |v: Option<f64>| v.filter(|x| x.is_finite()).map_or(Json::Null, Json::from);
    let runs = pred.len() / outputs.max(1);
    let mut j = obj([
        ("rows", Json::from(if outputs > 1 { runs } else { m.rows })),
        ("mre", Json::from(m.mre)),
        ("mae", Json::from(m.mae)),
        ("rmse", Json::from(m.rmse)),
        ("r2", opt(m.r2)),
        ("spearman", opt(m.spearman)),
        ("kendall", opt(m.kendall)),
        ("predictions", predictions_json(pred, outputs)),
    ]);
    if outputs > 1 {
        push(&mut j, "runs", Json::from(runs));
        push(&mut j, "entries", Json::from(m.rows));
    }
    j
}

/// Predictions as JSON: a flat array for a law with one output, else one array of
/// `outputs` per run; a non-finite prediction (where the law is undefined) is `null`.
pub fn predictions_json(pred: &[f64], outputs: usize) -> Json {
    let one = |v: &f64| {
        if v.is_finite() {
            Json::from(*v)
        } else {
            Json::Null
        }
    };
    if outputs <= 1 {
        return Json::Array(pred.iter().map(one).collect());
    }
    Json::Array(
        pred.chunks_exact(outputs)
            .map(|r| Json::Array(r.iter().map(one).collect()))
            .collect(),
    )
}
