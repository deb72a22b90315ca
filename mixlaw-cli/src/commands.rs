//! The commands of `spec/cli.md`: `laws`, `fit`, `predict`, `optimize`, `reproduce`, and the
//! demo run with no arguments.

use std::format;
use std::io::Write;
use std::path::Path;
use std::string::{String, ToString};
use std::time::Instant;
use std::vec;
use std::vec::Vec;

use core::ops::ControlFlow;

use mixlaw_core::{laws, AnyLaw, Law, LawExt, Loss, Scales, MAX_DOMAINS};
use mixlaw_fit::owned::{self, Fit, FitOptions, Metrics, Runs};
use mixlaw_fit::{BasinConfig, HopInfo};
use mixlaw_opt::{Bounds, LawAt, Side, Solver, Weighted};

use crate::args::Args;
use crate::capacity_cmd;
use crate::csv::{self, Columns};
use crate::error::CliError;
use crate::json::Json;
use crate::reproduce;

/// Where a command writes: standard output (results) and standard error (progress).
pub struct Io<'a> {
    /// Results.
    pub out: &'a mut dyn Write,
    /// Progress and notes.
    pub err: &'a mut dyn Write,
}

pub(crate) const COLUMN_FLAGS: &[&str] = &["weights", "loss", "n", "d", "unique", "target-domain"];

/// Runs the program with `args` (without the program name); returns the exit code.
pub fn main(args: &[String], io: &mut Io<'_>) -> i32 {
    let result = match args.first().map(String::as_str) {
        None => demo(io),
        Some("laws") => laws_cmd(args.get(1..).unwrap_or(&[]), io),
        Some("fit") => fit_cmd(args.get(1..).unwrap_or(&[]), io),
        Some("predict") => predict_cmd(args.get(1..).unwrap_or(&[]), io),
        Some("optimize") => optimize_cmd(args.get(1..).unwrap_or(&[]), io),
        Some("select") => crate::uncertainty::select_cmd(args.get(1..).unwrap_or(&[]), io),
        Some("reproduce") => reproduce_cmd(args.get(1..).unwrap_or(&[]), io),
        Some("info") => crate::info_cmd::run(args.get(1..).unwrap_or(&[]), io),
        Some("help" | "--help" | "-h") => {
            let _ = writeln!(io.out, "{}", USAGE);
            Ok(())
        }
        Some(other) => Err(CliError::input(format!(
            "unknown command '{other}' (try: mixlaw help)"
        ))),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            let line = e.to_string().replace('\n', " ");
            let _ = writeln!(io.err, "error: {line}");
            e.exit_code()
        }
    }
}

/// Usage text.
pub const USAGE: &str = "mixlaw: data-mixture scaling laws

commands:
  mixlaw                                   demo on generated runs
  mixlaw laws [--domains K] [--json]
  mixlaw fit --law NAME --train FILE [--eval FILE] --weights c1,c2,.. --loss COL
             [--n COL] [--d COL] [--unique COL] [--target-domain I] [--normalize]
             [--n-scale X] [--d-scale X] [--loss-fn huber|log-huber|squared] [--delta X]
             [--seed U64] [--starts K] [--hops K] [--out PARAMS.json] [--quiet] [--json]
  mixlaw predict --params PARAMS.json --csv FILE [column flags] [--json]
             [--bootstrap B [--resample rows|mixture|run] [--bootstrap-out DIR] [--threads K]]
  mixlaw select --train FILE [column flags] [--laws a,b,..] [--folds K | --leave-out mixture|largest-n]
             [--seed U64] [--starts K] [--hops K] [--threads K] [--json]
  mixlaw optimize --params P1.json[,P2.json,..] [--target-weights w1,..] [--n X] [--d X]
             [--min-weight X] [--max-weights m1,..] [--bootstrap-params DIR1[,DIR2,..]] [--json]
  mixlaw reproduce NAME [--data DIR] [--json]
  mixlaw info eval|best --size N --tokens T --source S [--recipe w0,..] [--shares p0,..]
             [--random K --seed U64] [--json]";

pub(crate) fn print(io: &mut Io<'_>, text: &str) -> Result<(), CliError> {
    writeln!(io.out, "{text}").map_err(|e| CliError::compute(format!("cannot write output: {e}")))
}

fn laws_cmd(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    let a = Args::parse(args, &["domains"], &["json"])?;
    let k = a.integer("domains")?.unwrap_or(3) as usize;
    if k == 0 || k > MAX_DOMAINS {
        return Err(CliError::input(format!(
            "--domains must be between 1 and {MAX_DOMAINS}"
        )));
    }
    let mut rows = Vec::new();
    for name in laws::NAMES {
        let law = AnyLaw::new(name, k, Some(0))?;
        rows.push((
            *name,
            law.num_params(),
            law.inputs().names().collect::<Vec<_>>(),
        ));
    }
    // The coupled laws of Dai & Zheng (k outputs, fitted jointly; `reproduce capacity-*`),
    // counted with a fitted head size H.
    for name in mixlaw_core::capacity::NAMES {
        let law = mixlaw_core::capacity::CapacityLaw::by_name(
            name,
            k,
            mixlaw_core::capacity::Head::Fitted,
        )?;
        let inputs = match law.form() {
            mixlaw_core::capacity::Form::Eq1 => vec!["h", "N"],
            _ => vec!["h", "N", "D"],
        };
        rows.push((*name, law.num_params(), inputs));
    }
    if a.has("json") {
        let list = rows
            .iter()
            .map(|(n, p, i)| {
                Json::obj([
                    ("name", Json::str(*n)),
                    ("params", Json::Num(*p as f64)),
                    (
                        "inputs",
                        Json::Arr(i.iter().map(|s| Json::str(*s)).collect()),
                    ),
                ])
            })
            .collect();
        print(io, &Json::obj([("laws", Json::Arr(list))]).to_text())
    } else {
        print(
            io,
            &format!("{:<18} {:>7}  inputs   (k = {k} domains)", "law", "params"),
        )?;
        for (n, p, i) in rows {
            print(io, &format!("{n:<18} {p:>7}  {}", i.join(",")))?;
        }
        Ok(())
    }
}

pub(crate) fn columns(a: &Args) -> Result<Columns, CliError> {
    Ok(Columns {
        weights: a.list("weights")?.unwrap_or_default(),
        loss: a.get("loss").map(str::to_string),
        n: a.get("n").map(str::to_string),
        d: a.get("d").map(str::to_string),
        unique: a.get("unique").map(str::to_string),
        normalize: a.has("normalize"),
    })
}

/// The law named `name` for the given columns, with the inputs it needs checked.
pub(crate) fn build_law(
    name: &str,
    cols: &Columns,
    target: Option<usize>,
) -> Result<AnyLaw, CliError> {
    if !laws::NAMES.contains(&name) {
        return Err(CliError::input(format!(
            "unknown law '{name}' (see: mixlaw laws)"
        )));
    }
    if AnyLaw::needs_target(name) && target.is_none() {
        return Err(CliError::input(format!(
            "law '{name}' needs --target-domain I"
        )));
    }
    let probe = AnyLaw::new(name, cols.weights.len().max(1), target)?;
    let inputs = probe.inputs();
    if inputs.h && cols.weights.is_empty() {
        return Err(CliError::input(format!(
            "law '{name}' needs the mixture: --weights c1,c2,..."
        )));
    }
    for (need, have, flag) in [
        (inputs.n, &cols.n, "--n COL"),
        (inputs.d, &cols.d, "--d COL"),
        (inputs.u, &cols.unique, "--unique COL"),
    ] {
        if need && have.is_none() {
            return Err(CliError::input(format!("law '{name}' needs {flag}")));
        }
    }
    Ok(AnyLaw::new(
        name,
        if inputs.h { cols.weights.len() } else { 0 },
        target,
    )?)
}

/// Keeps only the inputs the law reads (a law of N and D ignores `--weights`).
pub(crate) fn for_law(runs: Runs, law: &AnyLaw) -> Runs {
    runs.only_inputs(law.inputs())
}

/// `--n-scale`/`--d-scale`, else the power of ten nearest each column's median (1 for
/// `data-constrained`, whose parameters are in raw units).
pub(crate) fn scales_for(a: &Args, law: &str, runs: &Runs) -> Result<Scales, CliError> {
    let auto = |col: Option<&Vec<f64>>| {
        if law == "data-constrained" {
            1.0
        } else {
            auto_scale(col)
        }
    };
    Ok(Scales {
        n: a.number("n-scale")?
            .unwrap_or_else(|| auto(runs.n.as_ref())),
        d: a.number("d-scale")?
            .unwrap_or_else(|| auto(runs.d.as_ref())),
    })
}

/// `base` with `--seed`, `--starts` and `--hops` applied.
pub(crate) fn basin_from(a: &Args, mut basin: BasinConfig) -> Result<BasinConfig, CliError> {
    if let Some(s) = a.integer("seed")? {
        basin.seed = s;
    }
    if let Some(s) = a.integer("starts")? {
        basin.starts = (s as usize).max(1);
    }
    if let Some(h) = a.integer("hops")? {
        basin.hops = h as usize;
    }
    Ok(basin)
}

/// Power of ten nearest the median of a column (1 when absent): keeps scaled inputs near 1.
/// The basin-hopping observer of `fit`: one progress line per local minimisation on `err`
/// unless `quiet`.
pub(crate) fn progress<'e>(
    err: &'e mut dyn Write,
    quiet: bool,
    started: Instant,
) -> impl FnMut(&HopInfo) -> ControlFlow<()> + 'e {
    move |h: &HopInfo| {
        if !quiet {
            let _ = writeln!(
                err,
                "start {:>2} hop {:>2}: local {:.6e}  best {:.6e}  ({} evaluations, {:.1} s)",
                h.start,
                h.hop,
                h.value,
                h.best,
                h.evaluations,
                started.elapsed().as_secs_f64()
            );
        }
        ControlFlow::Continue(())
    }
}

pub(crate) fn auto_scale(values: Option<&Vec<f64>>) -> f64 {
    let Some(v) = values else { return 1.0 };
    let mut s: Vec<f64> = v
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    if s.is_empty() {
        return 1.0;
    }
    s.sort_by(f64::total_cmp);
    let median = s.get(s.len() / 2).copied().unwrap_or(1.0);
    10f64.powi(median.log10().round() as i32)
}

pub(crate) fn loss_from(a: &Args) -> Result<Loss, CliError> {
    let delta = a.number("delta")?.unwrap_or(1e-3);
    let loss = match a.get("loss-fn").unwrap_or("huber") {
        "huber" => Loss::Huber { delta },
        "log-huber" => Loss::LogHuber { delta },
        "squared" => Loss::Squared,
        other => {
            return Err(CliError::input(format!(
                "--loss-fn must be huber, log-huber or squared, not '{other}'"
            )))
        }
    };
    loss.check()?;
    Ok(loss)
}

pub(crate) fn target_domain(a: &Args) -> Result<Option<usize>, CliError> {
    Ok(a.integer("target-domain")?.map(|t| t as usize))
}

fn metrics_json(m: &Metrics, pred: &[f64]) -> Json {
    Json::obj([
        ("rows", Json::Num(m.rows as f64)),
        ("mre", Json::Num(m.mre)),
        ("mae", Json::Num(m.mae)),
        ("rmse", Json::Num(m.rmse)),
        ("r2", m.r2.map_or(Json::Null, Json::Num)),
        ("predictions", Json::nums(pred)),
    ])
}

/// The saved form of a fit (what `--out` writes and `predict`/`optimize` read).
pub(crate) fn params_json(fit: &Fit<AnyLaw>) -> Json {
    Json::obj([
        ("law", Json::str(fit.law.name())),
        ("domains", Json::Num(fit.law.domains() as f64)),
        (
            "params",
            Json::Obj(
                fit.named_params()
                    .into_iter()
                    .map(|(n, v)| (n, Json::Num(v)))
                    .collect(),
            ),
        ),
        ("n_scale", Json::Num(fit.scales.n)),
        ("d_scale", Json::Num(fit.scales.d)),
        (
            "target_domain",
            fit.law.target().map_or(Json::Null, |t| Json::Num(t as f64)),
        ),
        ("objective", Json::Num(fit.objective)),
    ])
}

/// Reads a saved fit.
pub fn load_params(path: &Path) -> Result<Fit<AnyLaw>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    let j = Json::parse(&text).map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    let bad = |what: &str| CliError::input(format!("{}: {what}", path.display()));
    let name = j
        .get("law")
        .and_then(Json::as_str)
        .ok_or_else(|| bad("no \"law\""))?;
    let k = j.get("domains").and_then(Json::as_f64).unwrap_or(0.0);
    if !(k >= 0.0 && k <= MAX_DOMAINS as f64 && k.fract() == 0.0) {
        return Err(bad("\"domains\" must be a whole number of domains"));
    }
    let target = match j.get("target_domain").and_then(Json::as_f64) {
        Some(t) if t >= 0.0 && t.fract() == 0.0 => Some(t as usize),
        Some(_) => return Err(bad("\"target_domain\" must be a domain index")),
        None => None,
    };
    let law = AnyLaw::new(name, k as usize, target).map_err(|e| bad(&e.to_string()))?;
    let mut params = vec![0.0; law.num_params()];
    for (i, p) in params.iter_mut().enumerate() {
        let info = law.param_info(i).ok_or_else(|| bad("parameter layout"))?;
        let key = info.name.to_string();
        *p = j
            .get("params")
            .and_then(|o| o.get(&key))
            .and_then(Json::as_f64)
            .ok_or_else(|| bad(&format!("missing parameter \"{key}\"")))?;
    }
    law.check_params(&params).map_err(|e| bad(&e.to_string()))?;
    let scale = |key: &str| j.get(key).and_then(Json::as_f64).unwrap_or(1.0);
    let scales = Scales {
        n: scale("n_scale"),
        d: scale("d_scale"),
    };
    scales.check().map_err(|e| bad(&e.to_string()))?;
    let objective = j
        .get("objective")
        .and_then(Json::as_f64)
        .unwrap_or(f64::NAN);
    Ok(Fit {
        law,
        params,
        scales,
        loss: Loss::default(),
        objective,
        outcome: None,
    })
}

fn fit_cmd(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    if capacity_cmd::law_arg(args).is_some_and(capacity_cmd::is_capacity) {
        return capacity_cmd::fit(args, io);
    }
    let a = Args::parse(
        args,
        &[
            &[
                "law", "train", "eval", "n-scale", "d-scale", "loss-fn", "delta", "seed", "starts",
                "hops", "out",
            ],
            crate::uncertainty::BOOTSTRAP_FLAGS,
            COLUMN_FLAGS,
        ]
        .concat(),
        &["json", "quiet", "normalize"],
    )?;
    let cols = columns(&a)?;
    let law = build_law(a.require("law")?, &cols, target_domain(&a)?)?;
    let train_table = csv::read(Path::new(a.require("train")?))?;
    let train = csv::load(&train_table, &cols, true)?;
    let runs = for_law(train.runs, &law);
    let scales = scales_for(&a, law.name(), &runs)?;
    let basin = basin_from(&a, BasinConfig::default())?;
    let boot = crate::uncertainty::BootstrapArgs::parse(&a)?;
    let options = FitOptions {
        loss: loss_from(&a)?,
        scales,
        basin,
        ..FitOptions::default()
    };
    let quiet = a.has("quiet");
    let started = Instant::now();
    let observer = progress(&mut *io.err, quiet, started);
    let fit = owned::fit(law, &runs, &options, observer).map_err(|e| match e {
        mixlaw_core::Error::NonFiniteValue { .. } => {
            CliError::compute("the fit found no finite objective value")
        }
        e => CliError::from(e),
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let (train_pred, train_m) = fit.evaluate(&runs)?;
    let eval_runs = match a.get("eval") {
        Some(path) => {
            let table = csv::read(Path::new(path))?;
            let loaded = csv::load(&table, &cols, true)?;
            Some(for_law(loaded.runs, &fit.law))
        }
        None => None,
    };
    let eval = match &eval_runs {
        Some(e) => Some((fit.evaluate(e)?, ())),
        None => None,
    };
    let bootstrap = match &boot {
        Some(b) => Some(b.run(
            &fit,
            &runs,
            eval_runs.as_ref(),
            &options,
            quiet,
            &mut *io.err,
        )?),
        None => None,
    };
    let mut saved = params_json(&fit);
    if let Some(out) = a.get("out") {
        std::fs::write(out, saved.to_text() + "\n")
            .map_err(|e| CliError::input(format!("cannot write {out}: {e}")))?;
    }
    if a.has("json") {
        let mut j = Json::obj([
            ("law", Json::str(fit.law.name())),
            ("params", saved.get("params").cloned().unwrap_or(Json::Null)),
            ("objective", Json::Num(fit.objective)),
            ("n_scale", Json::Num(fit.scales.n)),
            ("d_scale", Json::Num(fit.scales.d)),
            ("seconds", Json::Num(seconds)),
            ("train", metrics_json(&train_m, &train_pred)),
        ]);
        if let Some(((pred, m), _)) = &eval {
            j.push("eval", metrics_json(m, pred));
        }
        j.push("skipped_rows", Json::Num(train.skipped as f64));
        j.push("domains", Json::Num(fit.law.domains() as f64));
        if let Some(b) = &bootstrap {
            j.push("bootstrap", b.to_json(&fit));
        }
        print(io, &j.to_text())
    } else {
        saved.push("seconds", Json::Num(seconds));
        print(
            io,
            &format!(
                "law {}  ({} parameters, {} runs, {} skipped, {:.2} s)",
                fit.law.name(),
                fit.params.len(),
                runs.rows(),
                train.skipped,
                seconds
            ),
        )?;
        for (n, v) in fit.named_params() {
            print(io, &format!("  {n:<14} {v:>14.6e}"))?;
        }
        print(
            io,
            &format!(
                "objective {:.6e}  (scales N/{:e}, D/{:e})",
                fit.objective, fit.scales.n, fit.scales.d
            ),
        )?;
        print(
            io,
            &format!(
                "train: MRE {:.3} %  MAE {:.5}  RMSE {:.5}  R^2 {}",
                train_m.mre,
                train_m.mae,
                train_m.rmse,
                fmt_r2(train_m.r2)
            ),
        )?;
        if let Some(((_, m), _)) = &eval {
            print(
                io,
                &format!(
                    "eval:  MRE {:.3} %  MAE {:.5}  RMSE {:.5}  R^2 {}  ({} runs)",
                    m.mre,
                    m.mae,
                    m.rmse,
                    fmt_r2(m.r2),
                    m.rows
                ),
            )?;
        }
        if let Some(b) = &bootstrap {
            for line in b.to_lines(&fit) {
                print(io, &line)?;
            }
        }
        Ok(())
    }
}

fn fmt_r2(r2: Option<f64>) -> String {
    r2.map_or_else(|| "n/a".to_string(), |v| format!("{v:.5}"))
}

fn predict_cmd(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    if let Some(saved) = capacity_params(args) {
        return capacity_cmd::predict(&saved, args, io);
    }
    let a = Args::parse(
        args,
        &[&["params", "csv"], COLUMN_FLAGS].concat(),
        &["json", "normalize"],
    )?;
    let fit = load_params(Path::new(a.require("params")?))?;
    let cols = columns(&a)?;
    if fit.law.inputs().h && cols.weights.len() != fit.law.domains() {
        return Err(CliError::input(format!(
            "the saved law has {} domains: pass --weights with {} columns",
            fit.law.domains(),
            fit.law.domains()
        )));
    }
    let _ = build_law(
        fit.law.name(),
        &Columns {
            weights: cols.weights.clone(),
            ..cols.clone()
        },
        fit.law.target(),
    )?;
    let table = csv::read(Path::new(a.require("csv")?))?;
    let loaded = csv::load(&table, &cols, false)?;
    let runs = for_law(loaded.runs, &fit.law);
    let pred = fit.predict(&runs)?;
    if a.has("json") {
        print(
            io,
            &Json::obj([("predictions", Json::nums(&pred))]).to_text(),
        )
    } else {
        for p in pred {
            print(io, &format!("{p}"))?;
        }
        Ok(())
    }
}

/// The saved capacity law named by `--params FILE`, if that file holds one.
fn capacity_params(args: &[String]) -> Option<Json> {
    let i = args.iter().position(|a| a == "--params")?;
    capacity_cmd::saved_capacity_law(Path::new(args.get(i + 1)?))
}

fn optimize_cmd(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    if let Some(saved) = capacity_params(args) {
        return capacity_cmd::optimize(&saved, args, io);
    }
    let a = Args::parse(
        args,
        &[
            "params",
            "target-weights",
            "n",
            "d",
            "min-weight",
            "max-weights",
            "bootstrap-params",
        ],
        &["json"],
    )?;
    let paths = a
        .list("params")?
        .ok_or_else(|| CliError::input("--params is required"))?;
    let fits = paths
        .iter()
        .map(|p| load_params(Path::new(p)))
        .collect::<Result<Vec<_>, _>>()?;
    let k = fits.first().map(|f| f.law.domains()).unwrap_or(0);
    if k == 0 || fits.iter().any(|f| !f.law.inputs().h) {
        return Err(CliError::input(
            "optimize needs laws of the mixture (fitted with --weights)",
        ));
    }
    if fits.iter().any(|f| f.law.domains() != k) {
        return Err(CliError::input(
            "all --params files must have the same number of domains",
        ));
    }
    let weights = a
        .numbers("target-weights")?
        .unwrap_or_else(|| vec![1.0 / fits.len() as f64; fits.len()]);
    if weights.len() != fits.len() || weights.iter().any(|w| *w < 0.0) {
        return Err(CliError::input(
            "--target-weights needs one non-negative weight per --params file",
        ));
    }
    let needs = |f: &Fit<AnyLaw>, n: bool| {
        if n {
            f.law.inputs().n
        } else {
            f.law.inputs().d
        }
    };
    let n = a.number("n")?;
    let d = a.number("d")?;
    if n.is_none() && fits.iter().any(|f| needs(f, true)) {
        return Err(CliError::input("these laws depend on N: pass --n X"));
    }
    if d.is_none() && fits.iter().any(|f| needs(f, false)) {
        return Err(CliError::input("these laws depend on D: pass --d X"));
    }
    let (n, d) = (n.unwrap_or(1.0), d.unwrap_or(1.0));
    if n <= 0.0 || d <= 0.0 {
        return Err(CliError::input("--n and --d must be > 0"));
    }
    let lower = a.number("min-weight")?.unwrap_or(0.0);
    let upper = a.numbers("max-weights")?;
    if let Some(u) = &upper {
        if u.len() != k {
            return Err(CliError::input(format!("--max-weights needs {k} values")));
        }
    }
    let bounds = Bounds::new(
        Side::All(lower),
        upper.as_deref().map_or(Side::All(1.0), Side::Each),
    );
    let started = Instant::now();
    let targets = fits
        .iter()
        .map(|f| LawAt::new(&f.law, &f.params, n, d, f.scales))
        .collect::<Result<Vec<_>, _>>()?;
    let objective = Weighted::<_, MAX_DOMAINS>::new(targets.as_slice(), &weights)?;
    let mut h = vec![1.0 / k as f64; k];
    let solution = Solver::<MAX_DOMAINS>::default().minimize(&objective, &bounds, &mut h)?;
    if !solution.objective.is_finite() {
        return Err(CliError::compute("the optimum's objective is not finite"));
    }
    let intervals = match a.list("bootstrap-params")? {
        Some(dirs) => Some(crate::uncertainty::optimum_intervals(
            &dirs,
            &fits,
            &weights,
            (n, d),
            &bounds,
        )?),
        None => None,
    };
    let seconds = started.elapsed().as_secs_f64();
    if a.has("json") {
        let mut j = Json::obj([
            ("h", Json::nums(&h)),
            ("objective", Json::Num(solution.objective)),
            ("gap", Json::Num(solution.gap)),
            ("iterations", Json::Num(solution.iterations as f64)),
            ("seconds", Json::Num(seconds)),
        ]);
        if let Some(b) = &intervals {
            j.push("bootstrap", b.to_json());
        }
        print(io, &j.to_text())
    } else {
        print(
            io,
            &format!(
                "h* = [{}]",
                h.iter()
                    .map(|v| format!("{v:.6}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )?;
        print(
            io,
            &format!(
                "objective {:.6}  gap {:.2e}  ({} iterations, {:?})",
                solution.objective, solution.gap, solution.iterations, solution.status
            ),
        )?;
        if let Some(b) = &intervals {
            for line in b.to_lines() {
                print(io, &line)?;
            }
        }
        Ok(())
    }
}

fn reproduce_cmd(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    let a = Args::parse(args, &["data"], &["json", "quiet"])?;
    let name = a.positional.first().ok_or_else(|| {
        CliError::input(format!(
            "reproduce NAME: one of {}",
            reproduce::experiments().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let data = a.get("data").unwrap_or("../shared/data");
    if !Path::new(data).is_dir() {
        return Err(CliError::input(format!(
            "data folder {data} not found (pass --data DIR)"
        )));
    }
    let report = reproduce::run(name, Path::new(data), !a.has("quiet") && !a.has("json"))?;
    if a.has("json") {
        print(io, &report.to_json().to_text())
    } else {
        print(
            io,
            &format!("{}: ours beside the published figure", report.experiment),
        )?;
        print(
            io,
            &format!("{:<44} {:>14} {:>14}", "metric", "ours", "published"),
        )?;
        for row in &report.rows {
            let metric = row.get("metric").and_then(Json::as_str).unwrap_or("?");
            let num = |k: &str| {
                row.get(k)
                    .and_then(Json::as_f64)
                    .map_or("-".to_string(), |v| format!("{v:.6}"))
            };
            let extra: Vec<String> = match row {
                Json::Obj(pairs) => pairs
                    .iter()
                    .filter(|(k, _)| !["metric", "ours", "published"].contains(&k.as_str()))
                    .map(|(k, v)| format!("{k}={}", v.to_text()))
                    .collect(),
                _ => Vec::new(),
            };
            print(
                io,
                &format!(
                    "{metric:<44} {:>14} {:>14}  {}",
                    num("ours"),
                    num("published"),
                    extra.join(" ")
                ),
            )?;
        }
        Ok(())
    }
}

/// The demo: runs generated from a joint law (k = 3) at small N and D with 0.2 % noise;
/// fits `additive` and `joint` and extrapolates to a 10x larger model.
fn demo(io: &mut Io<'_>) -> Result<(), CliError> {
    let (train, eval, _) = demo_data()?;
    print(io, "mixlaw demo: 3 domains, runs generated from a joint law (Shukor et al. 2025 eq 2.5) with 0.2 % noise")?;
    print(
        io,
        &format!(
            "  train: {} runs at N = 30M..300M; eval: {} runs at N = 3B (10x larger)",
            train.rows(),
            eval.rows()
        ),
    )?;
    for name in ["additive", "joint"] {
        let law = AnyLaw::new(name, 3, None)?;
        let options = FitOptions {
            scales: Scales { n: 1e9, d: 1e9 },
            ..FitOptions::default()
        };
        let t = Instant::now();
        let fit = owned::fit(law, &train, &options, |_| ControlFlow::Continue(()))?;
        let (_, tr) = fit.evaluate(&train)?;
        let (_, ev) = fit.evaluate(&eval)?;
        print(
            io,
            &format!(
                "  {name:<9} {:>2} params  train MRE {:.3} %  3B MRE {:.3} %  ({:.2} s)",
                fit.params.len(),
                tr.mre,
                ev.mre,
                t.elapsed().as_secs_f64()
            ),
        )?;
    }
    print(io, "")?;
    print(io, "On your own runs (one row per run; weights sum to 1):")?;
    print(io, "  cargo run --release --example mixlaw -- fit --law joint --train runs.csv --eval big.csv \\")?;
    print(io, "      --weights w_web,w_code,w_books --loss loss_code --n params --d tokens --out joint.json")?;
    print(
        io,
        "  cargo run --release --example mixlaw -- optimize --params joint.json --n 7e9 --d 1.5e11",
    )?;
    print(
        io,
        "  cargo run --release --example mixlaw -- laws      (the catalogue)",
    )
}

/// Deterministic demo runs: (train, eval, true parameters).
pub fn demo_data() -> Result<(Runs, Runs, Vec<f64>), CliError> {
    // E, alpha, beta, C[3], gamma[3], CA[3], gammaA, CB[3], gammaB (N, D in billions).
    let truth = vec![
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
            n: Some(vec![]),
            d: Some(vec![]),
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
