//! The program's arguments, declared once with clap (derive): every command, its flags and
//! their help. `--json`, `--quiet` and `--seed` are global (accepted by every command);
//! the column flags, the search flags and the bootstrap flags are groups flattened into the
//! commands that accept them, so each command's `--help` lists exactly what it accepts.

use std::path::PathBuf;
use std::string::String;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Data-mixture scaling laws: fit laws to training runs in CSV files, predict, find the
/// optimal mixture, reproduce published results. With no command: a demo on generated runs.
#[derive(Debug, Parser)]
#[command(
    name = "mixlaw",
    version,
    propagate_version = true,
    allow_negative_numbers = true
)]
pub struct Cli {
    /// The command (none: the demo).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: Global,
}

/// `--json`, `--quiet`, `--seed`: accepted by every command.
#[derive(Clone, Debug, Default, Args)]
pub struct Global {
    /// Print exactly one JSON object on stdout (with a "warnings" list).
    #[arg(long, global = true, help_heading = "Every command")]
    pub json: bool,
    /// No progress and no warnings on stderr.
    #[arg(long, global = true, help_heading = "Every command")]
    pub quiet: bool,
    /// Seed of the random search and of resampling.
    #[arg(
        long,
        global = true,
        value_name = "U64",
        help_heading = "Every command"
    )]
    pub seed: Option<u64>,
}

/// The commands.
#[derive(Debug, Subcommand)]
// Each command's arguments are built only when that command is parsed (clap's
// `Command::defer`): a `mixlaw fit` run does not build the other commands' parsers (36 us
// instead of 79 us per parse, 2026-12-05). The deferred build applies the argument
// struct's doc comment as the command's about, so each struct's doc repeats its
// variant's line here (`mixlaw --help` lists the variant's, `mixlaw CMD --help` shows
// the struct's; the test `every_command_has_one_about` holds them equal).
#[command(defer = true)]
pub enum Command {
    /// Every law with its parameter count for K domains.
    Laws(LawsArgs),
    /// Fit one law to the runs of a CSV file (capacity-* laws: jointly on k loss columns).
    Fit(FitArgs),
    /// Predictions of a saved fit on the runs of a CSV file.
    Predict(PredictArgs),
    /// The mixture minimising the weighted sum of saved fits at a budget (N, D).
    Optimize(OptimizeArgs),
    /// Rank laws by cross-validated held-out error.
    Select(SelectArgs),
    /// Run a published validation experiment on the real data.
    Reproduce(ReproduceArgs),
    /// InfoLaw (Rong et al.): a recipe's information and loss, or the best recipe.
    Info(InfoArgs),
    /// Draw a saved fit against observed losses, or h* across budgets, as an SVG file.
    Plot(PlotArgs),
}

/// Every law with its parameter count for K domains.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct LawsArgs {
    /// Number of domains K.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub domains: usize,
}

/// Which CSV columns hold what (by header name).
#[derive(Clone, Debug, Default, Args)]
pub struct ColumnArgs {
    /// The k mixture-weight columns, in domain order (laws of the mixture); a glob such as
    /// 'train_*' names the matching columns in file order.
    #[arg(long, value_name = "C1,C2,..|GLOB")]
    pub weights: Option<String>,
    /// The observed loss column (capacity laws: k columns l_0,..,l_{k-1}, one per domain).
    #[arg(long, value_name = "COL")]
    pub loss: Option<String>,
    /// The model-size column N (laws of N).
    #[arg(long, value_name = "COL")]
    pub n: Option<String>,
    /// The training-token column D (laws of D).
    #[arg(long, value_name = "COL")]
    pub d: Option<String>,
    /// The unique-token column U (data-constrained).
    #[arg(long, value_name = "COL")]
    pub unique: Option<String>,
    /// 0-based position in --weights of the target domain (bimix).
    #[arg(long, value_name = "I")]
    pub target_domain: Option<usize>,
    /// Rescale each row's weights to sum 1 instead of rejecting them.
    #[arg(long)]
    pub normalize: bool,
    /// Accept rows whose weights sum to 1 within X (default 1e-6); they are used as given.
    #[arg(long, value_name = "X", value_parser = tolerance)]
    pub sum_tol: Option<f64>,
    /// Read the runs from two files, MIXTURES.csv,METRICS.csv, inner-joined on COL.
    #[arg(long, value_name = "COL")]
    pub join: Option<String>,
}

/// The fitting objective and the basin-hopping search.
#[derive(Clone, Debug, Default, Args)]
pub struct SearchArgs {
    /// Divide N by X (default: the power of ten nearest the median N).
    #[arg(long, value_name = "X", value_parser = finite)]
    pub n_scale: Option<f64>,
    /// Divide D by X (default: the power of ten nearest the median D).
    #[arg(long, value_name = "X", value_parser = finite)]
    pub d_scale: Option<f64>,
    /// The loss of residuals: huber, log-huber or squared.
    #[arg(long, value_name = "FN", default_value = "huber")]
    pub loss_fn: String,
    /// The Huber delta.
    #[arg(long, value_name = "X", value_parser = finite, default_value_t = 1e-3)]
    pub delta: f64,
    /// Random starts of the search (basin-hopping: given, it also replaces the grid search
    /// of laws with linear parameters and at most 3 nonlinear ones).
    #[arg(long, value_name = "K")]
    pub starts: Option<u64>,
    /// Basin hops per start (given, basin-hopping as for `--starts`).
    #[arg(long, value_name = "K")]
    pub hops: Option<u64>,
    /// Local minimiser of basin-hopping and of the grid search's polish: auto (L-BFGS,
    /// measured fastest), lbfgs, or lm (Levenberg-Marquardt on the Gauss-Newton system).
    #[arg(long, value_name = "SOLVER", value_enum, default_value_t = LocalArg::Auto)]
    pub local: LocalArg,
}

/// `--local`: basin-hopping's local minimiser (`mixlaw_fit::LocalSolver`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LocalArg {
    /// The solver measured fastest (L-BFGS today).
    #[default]
    Auto,
    /// L-BFGS.
    Lbfgs,
    /// Levenberg-Marquardt.
    Lm,
}

/// Fit one law to the runs of a CSV file (capacity-* laws: jointly on k loss columns).
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct FitArgs {
    /// The law (see `mixlaw laws`).
    #[arg(long, value_name = "NAME")]
    pub law: String,
    /// Training runs (CSV; with --join: MIXTURES.csv,METRICS.csv).
    #[arg(long, value_name = "FILE")]
    pub train: PathBuf,
    /// Held-out runs to evaluate the fit on (CSV; with --join: two files).
    #[arg(long, value_name = "FILE")]
    pub eval: Option<PathBuf>,
    /// Which columns hold what.
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Objective and search.
    #[command(flatten)]
    pub search: SearchArgs,
    /// Write the fitted parameters (the params JSON) here.
    #[arg(long, value_name = "PARAMS.json")]
    pub out: Option<PathBuf>,
    /// Bootstrap refits.
    #[command(flatten)]
    pub bootstrap: BootstrapArgs,
    /// Bounds on fitted parameters.
    #[command(flatten)]
    pub capacity: CapacityArgs,
    /// Above N runs, run the search on an evenly strided subsample and polish its best
    /// minima on every run (0: never; default 8192).
    #[arg(long, value_name = "N")]
    pub screen_rows: Option<u64>,
}

/// `fit --bootstrap B`: uncertainty of the parameters and predictions.
#[derive(Clone, Debug, Default, Args)]
pub struct BootstrapArgs {
    /// Refit on B resamples; adds "bootstrap" (SE, 95 % intervals) to the report.
    #[arg(long, value_name = "B")]
    pub bootstrap: Option<u64>,
    /// What to resample: rows, mixture or run.
    #[arg(long, value_name = "WHAT")]
    pub resample: Option<String>,
    /// Write each refit's params JSON into this folder.
    #[arg(long, value_name = "DIR")]
    pub bootstrap_out: Option<PathBuf>,
    /// Worker threads.
    #[command(flatten)]
    pub threads: Threads,
}

/// `--threads K`: worker threads of the fit's basin-hopping starts, the bootstrap refits
/// and the folds (results do not depend on K).
#[derive(Clone, Copy, Debug, Default, Args)]
pub struct Threads {
    /// Worker threads (0: one per core).
    #[arg(long = "threads", value_name = "K", default_value_t = 0)]
    pub count: usize,
}

/// Bounds on the fitted parameters, and the flags of the laws with one loss per domain
/// (`capacity-eq1`, `capacity-eq3`).
#[derive(Clone, Debug, Default, Args)]
pub struct CapacityArgs {
    /// Keep parameter NAME (or a whole block, `C[*]`) in `[LO, HI]`; an empty side is unbounded
    /// (repeatable; wins over the law's recommended bounds).
    #[arg(long = "bound", value_name = "NAME=LO:HI")]
    pub bounds: Vec<String>,
    /// Fit without the law's recommended bounds (the capacity laws' boxes).
    #[arg(long)]
    pub no_bounds: bool,
    /// Capacity laws: fix the head size H (default: fitted).
    #[arg(long, value_name = "X", value_parser = finite)]
    pub head: Option<f64>,
    /// Laws with one loss per domain: mask every entry with h_i below T.
    #[arg(long, value_name = "T", value_parser = finite)]
    pub mask_below: Option<f64>,
}

/// Predictions of a saved fit on the runs of a CSV file.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct PredictArgs {
    /// A saved fit (`fit --out`).
    #[arg(long, value_name = "PARAMS.json")]
    pub params: PathBuf,
    /// The runs to predict (CSV; with --join: MIXTURES.csv,METRICS.csv).
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// Which columns hold what.
    #[command(flatten)]
    pub columns: ColumnArgs,
}

/// The mixture minimising the weighted sum of saved fits at a budget (N, D).
#[derive(Clone, Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct OptimizeArgs {
    /// Saved fits, one per target (comma-separated).
    #[arg(long, value_name = "P1.json,..")]
    pub params: String,
    /// Weight of each target in the objective (default: equal).
    #[arg(long, value_name = "W1,W2,..")]
    pub target_weights: Option<String>,
    /// Model size N of the budget.
    #[arg(long, value_name = "X", value_parser = finite)]
    pub n: Option<f64>,
    /// Training tokens D of the budget.
    #[arg(long, value_name = "X", value_parser = finite)]
    pub d: Option<f64>,
    /// Lower bound of every domain's weight.
    #[arg(long, value_name = "X", value_parser = finite)]
    pub min_weight: Option<f64>,
    /// Upper bound of each domain's weight: k values, or name=x,... (unlisted: no cap).
    #[arg(long, value_name = "M1,M2,..|NAME=X,..")]
    pub max_weights: Option<String>,
    /// Lower bound of each domain's weight: k values, or name=x,... (with --min-weight:
    /// the larger).
    #[arg(long, value_name = "M1,M2,..|NAME=X,..")]
    pub min_weights: Option<String>,
    /// Never more than X (>= 1) times a domain's largest training weight.
    #[arg(long, value_name = "X", value_parser = finite)]
    pub trust: Option<f64>,
    /// The prior of --kl: uniform, k values, or name=p,... (unlisted share the rest).
    #[arg(long, value_name = "uniform|P1,..|NAME=P,..")]
    pub prior: Option<String>,
    /// Minimise objective + LAMBDA KL(h || prior) (LAMBDA >= 0).
    #[arg(long, value_name = "LAMBDA", value_parser = finite)]
    pub kl: Option<f64>,
    /// Unique tokens available per domain (needs --target-tokens; unlisted: no cap).
    #[arg(long, value_name = "NAME=TOKENS,..")]
    pub available: Option<String>,
    /// Planned training tokens T of --available.
    #[arg(long, value_name = "T", value_parser = finite)]
    pub target_tokens: Option<f64>,
    /// Times each domain's available tokens may be repeated (default 1).
    #[arg(long, value_name = "R", value_parser = finite)]
    pub max_repeat: Option<f64>,
    /// Folders of bootstrap refits (`fit --bootstrap-out`), one per --params file.
    #[arg(long, value_name = "DIR1,..")]
    pub bootstrap_params: Option<String>,
}

/// Rank laws by cross-validated held-out error.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct SelectArgs {
    /// Training runs (CSV; with --join: MIXTURES.csv,METRICS.csv).
    #[arg(long, value_name = "FILE")]
    pub train: PathBuf,
    /// Laws to rank (default: every law the columns allow).
    #[arg(long, value_name = "A,B,..")]
    pub laws: Option<String>,
    /// K-fold cross-validation (default 5 folds).
    #[arg(long, value_name = "K")]
    pub folds: Option<u64>,
    /// Leave out each mixture, or the largest model size: mixture or largest-n.
    #[arg(long, value_name = "WHAT")]
    pub leave_out: Option<String>,
    /// The ranking key: mre, rmse (lowest first), spearman or kendall (highest first).
    #[arg(long, value_name = "KEY", default_value = "mre")]
    pub by: String,
    /// Which columns hold what.
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Objective and search.
    #[command(flatten)]
    pub search: SearchArgs,
    /// Worker threads.
    #[command(flatten)]
    pub threads: Threads,
}

/// Run a published validation experiment on the real data.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct ReproduceArgs {
    /// The experiment (`mixlaw-validate`).
    #[arg(
        value_name = "NAME",
        value_parser = clap::builder::PossibleValuesParser::new(mixlaw_validate::names())
    )]
    pub name: Option<String>,
    /// The data folder (default: $MIXLAW_DATA, else ../shared/data).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

/// InfoLaw (Rong et al.): a recipe's information and loss, or the best recipe.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// eval or best.
    #[command(subcommand)]
    pub command: InfoCommand,
}

/// `mixlaw info eval|best`.
#[derive(Debug, Subcommand)]
pub enum InfoCommand {
    /// Information and loss of a recipe.
    Eval(InfoEvalArgs),
    /// The exact optimal recipe (and, with --random K, the best of K random ones).
    Best(InfoBestArgs),
}

/// The InfoLaw setting.
#[derive(Debug, Args)]
pub struct InfoSetting {
    /// Model size N (parameters).
    #[arg(long, value_name = "N", value_parser = finite)]
    pub size: f64,
    /// Training tokens T.
    #[arg(long, value_name = "T", value_parser = finite)]
    pub tokens: f64,
    /// Source size S (unique tokens).
    #[arg(long, value_name = "S", value_parser = finite)]
    pub source: f64,
    /// Bucket shares of the source (default: the paper's).
    #[arg(long, value_name = "P0,P1,..")]
    pub shares: Option<String>,
}

/// `mixlaw info eval`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct InfoEvalArgs {
    /// The setting.
    #[command(flatten)]
    pub setting: InfoSetting,
    /// The recipe: one weight per bucket.
    #[arg(long, value_name = "W0,W1,..")]
    pub recipe: String,
}

/// `mixlaw info best`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct InfoBestArgs {
    /// The setting.
    #[command(flatten)]
    pub setting: InfoSetting,
    /// Also report the best of K random recipes (seeded by --seed).
    #[arg(long, value_name = "K")]
    pub random: Option<u64>,
}

/// Draw a saved fit against observed losses, or h* across budgets, as an SVG file.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// fit or optimum.
    #[command(subcommand)]
    pub command: PlotCommand,
}

/// `mixlaw plot fit|optimum`.
#[derive(Debug, Subcommand)]
pub enum PlotCommand {
    /// Predicted against observed loss, one mark per run, coloured by model size N.
    Fit(PlotFitArgs),
    /// h* as a stacked area over a log-spaced sweep of N (and D).
    Optimum(PlotOptimumArgs),
}

/// `mixlaw plot fit`: `predict`'s flags (with `--loss`, the observed column) and `--out`.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct PlotFitArgs {
    /// The saved fit and the runs.
    #[command(flatten)]
    pub predict: PredictArgs,
    /// The SVG file to write.
    #[arg(long, value_name = "FILE.svg")]
    pub out: PathBuf,
}

/// `mixlaw plot optimum`: `optimize`'s flags, the sweep and `--out`. `--n` (swept instead)
/// and `--bootstrap-params` (not drawn) are refused and left out of the help.
#[derive(Debug, Args)]
#[command(
    allow_negative_numbers = true,
    mut_arg("n", |a| a.hide(true)),
    mut_arg("bootstrap_params", |a| a.hide(true))
)]
pub struct PlotOptimumArgs {
    /// The saved fits and the limits on h (as `optimize`; `--d`: a fixed D without --d-range).
    #[command(flatten)]
    pub optimize: OptimizeArgs,
    /// The model sizes N swept, log-spaced from A to B.
    #[arg(long, value_name = "A:B", conflicts_with = "n")]
    pub n_range: String,
    /// The training tokens D swept jointly with N, log-spaced from A to B.
    #[arg(long, value_name = "A:B", conflicts_with = "d")]
    pub d_range: Option<String>,
    /// Number of points of the sweep (>= 2).
    #[arg(long, value_name = "K", default_value_t = 25)]
    pub points: usize,
    /// The SVG file to write.
    #[arg(long, value_name = "FILE.svg")]
    pub out: PathBuf,
}

/// A finite number (clap value parser).
fn finite(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(std::format!("'{s}' is not a finite number")),
    }
}

/// A tolerance: a finite number >= 0 (clap value parser).
fn tolerance(s: &str) -> Result<f64, String> {
    match finite(s)? {
        x if x >= 0.0 => Ok(x),
        x => Err(std::format!("the tolerance must be >= 0, not {x}")),
    }
}

/// `--name`'s value as a comma-separated list of non-empty words.
pub fn list(name: &str, value: &str) -> Result<std::vec::Vec<String>, crate::Error> {
    let items: std::vec::Vec<String> = value.split(',').map(|x| x.trim().into()).collect();
    if items.iter().any(String::is_empty) {
        Err(crate::Error::input(std::format!(
            "--{name}: empty item in '{value}'"
        )))
    } else {
        Ok(items)
    }
}

/// `--name`'s value as a comma-separated list of finite numbers.
pub fn numbers(name: &str, value: &str) -> Result<std::vec::Vec<f64>, crate::Error> {
    value
        .split(',')
        .map(|x| finite(x).map_err(|e| crate::Error::input(std::format!("--{name}: {e}"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use std::string::ToString;
    use std::vec::Vec;

    use super::Cli;

    /// `mixlaw --help` lists each command with its variant's doc line; `mixlaw CMD --help`
    /// shows the about its deferred build sets, from the argument struct's doc. They must
    /// be the same text (see the `defer` note on `Command`).
    #[test]
    fn every_command_has_one_about() {
        let listed = Cli::command();
        let names: Vec<_> = listed
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        assert_eq!(names.len(), 8, "{names:?}");
        for name in names {
            let about = |c: &clap::Command| c.get_about().map(ToString::to_string);
            let line = listed.find_subcommand(&name).and_then(about);
            let mut built = Cli::command();
            built.build();
            let shown = built.find_subcommand(&name).and_then(about);
            assert!(line.is_some(), "{name}: no about");
            assert_eq!(line, shown, "{name}");
        }
    }
}
