//! Shared helpers for mixlaw's benchmarks: loading the real data sets used for timing,
//! and the fixed workloads (row selection, parameter vectors) that the criterion benches,
//! the `law_timing` example and the numpy comparison script (`scripts/laws_numpy.py`)
//! all use, so that every side times the same formula on the same rows.
//!
//! The data live outside the workspace (see [`data_dir`]). When they are absent,
//! [`shukor_bench_rows`] prints a skip notice and returns `None`: callers then run no
//! benchmark rather than a fake one.

use std::fmt;
use std::path::{Path, PathBuf};

use mixlaw_core::laws::additive::Additive;
use mixlaw_core::laws::joint::Joint;
use mixlaw_core::{Dataset, Groups, Law, LawExt, Loss, Objective, Prepared, Scales};

/// Environment variable naming the data directory (the one holding `shukor2025/`).
pub const DATA_ENV: &str = "MIXLAW_DATA";

/// The Shukor et al. 2025 SlimPajama runs, relative to [`data_dir`].
pub const SHUKOR_CSV: &str = "shukor2025/dmsl_llm_slimpajama.csv";

/// Number of training domains in the Shukor data.
pub const SHUKOR_K: usize = 7;

/// The domains of the Shukor data, in column order.
pub const SHUKOR_DOMAINS: [&str; SHUKOR_K] = [
    "arxiv",
    "book",
    "c4",
    "github",
    "commoncrawl",
    "stackexchange",
    "wikipedia",
];

/// Rows in the benchmark workload (about the size of one Shukor et al. target fit).
pub const BENCH_ROWS: usize = 2200;
/// Loss column used as the benchmark target.
pub const BENCH_LOSS: &str = "arxiv_loss";
/// Only rows with `model_size` below this enter the workload (the paper's train split).
pub const BENCH_MAX_MODEL_SIZE: f64 = 2.7e9;
/// Scales applied to N and D (`N / 1e9`, `D / 1e9`).
pub const BENCH_SCALES: Scales = Scales { n: 1e9, d: 1e9 };
/// The fitting loss of Shukor et al. eq 2.6: Huber with delta = 1e-3 on `pred - obs`.
pub const BENCH_LOSS_FN: Loss = Loss::Huber { delta: 1e-3 };

/// Fixed, realistic natural parameters of the `additive` law for k = 7 and the
/// `arxiv_loss` target, in layout order `E, A, B, alpha, beta, C[0..7], gamma[0..7]`:
/// a least-squares fit on the benchmark rows, rounded to two digits (mean |residual|
/// about 0.019, 3.5 % of rows on the quadratic Huber branch). Mirrored in
/// `scripts/laws_numpy.py`.
pub const ADDITIVE_PARAMS: [f64; 5 + 2 * SHUKOR_K] = [
    0.88, 0.31, 1.66, 0.22, 0.91, // E, A, B, alpha, beta
    4.5, 0.11, 0.25, 0.83, 0.22, 0.78, 0.22, // C
    0.54, 0.27, 0.78, 0.048, 0.60, 0.69, 1.8, // gamma
];

/// Fixed, realistic natural parameters of the `joint` law for k = 7 and the
/// `arxiv_loss` target, in layout order
/// `E, alpha, beta, C[0..7], gamma[0..7], CA[0..7], gammaA, CB[0..7], gammaB`:
/// a least-squares fit on the benchmark rows, rounded to two digits (mean |residual|
/// about 0.015, 5.7 % of rows on the quadratic Huber branch). Mirrored in
/// `scripts/laws_numpy.py`.
pub const JOINT_PARAMS: [f64; 5 + 4 * SHUKOR_K] = [
    0.95, 0.21, 0.91, // E, alpha, beta
    5.8, 0.11, 0.22, 0.62, 0.22, 0.95, 0.22, // C
    0.43, 0.27, 0.83, 0.047, 0.63, 0.61, 1.76, // gamma
    0.30, 0.32, 0.29, 0.30, 0.29, 0.33, 0.34, // CA
    0.94, // gammaA
    0.46, 1.98, 2.01, 1.83, 2.07, 1.52, 1.75, // CB
    0.97, // gammaB
];

/// The data directory: `$MIXLAW_DATA` when set and non-empty, else `../shared/data`
/// relative to the workspace root (found from this crate's manifest directory).
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
    }
}

/// Path of the Shukor et al. CSV under [`data_dir`].
pub fn shukor_path() -> PathBuf {
    data_dir().join(SHUKOR_CSV)
}

/// Columns of the Shukor data needed to fit one target: mixtures, N, D and one loss.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// Mixture weights, row-major, [`SHUKOR_K`] per row.
    pub weights: Vec<f64>,
    /// Model size N (raw parameters, as released).
    pub model_size: Vec<f64>,
    /// Training tokens D (raw).
    pub n_tokens: Vec<f64>,
    /// The chosen loss column; NaN where the file has an empty field.
    pub loss: Vec<f64>,
}

impl Columns {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.loss.len()
    }

    /// The first `limit` rows (in file order) with `model_size < max_model_size` and a
    /// finite loss.
    pub fn select(&self, max_model_size: f64, limit: usize) -> Columns {
        let mut out = Columns::default();
        let rows = self
            .weights
            .chunks_exact(SHUKOR_K)
            .zip(&self.model_size)
            .zip(&self.n_tokens)
            .zip(&self.loss)
            .filter(|(((_, &n), _), &y)| n < max_model_size && y.is_finite())
            .take(limit);
        for (((h, &n), &d), &y) in rows {
            out.weights.extend_from_slice(h);
            out.model_size.push(n);
            out.n_tokens.push(d);
            out.loss.push(y);
        }
        out
    }
}

/// Why the Shukor CSV could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io(PathBuf, std::io::Error),
    /// A required column is not in the header.
    MissingColumn(String),
    /// A malformed line (1-based line number and what is wrong).
    Format(usize, String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            LoadError::MissingColumn(c) => write!(f, "column `{c}` not in the header"),
            LoadError::Format(line, what) => write!(f, "line {line}: {what}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Parses the Shukor CSV text (header row, comma-separated, no quoting) into [`Columns`],
/// keeping `loss_column` as the loss. An empty field parses as NaN.
pub fn parse_shukor(text: &str, loss_column: &str) -> Result<Columns, LoadError> {
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = match lines.next() {
        Some((_, h)) => h.trim_end_matches('\r').split(',').collect(),
        None => return Err(LoadError::Format(1, "empty file".into())),
    };
    let find = |name: &str| {
        header
            .iter()
            .position(|c| c.trim() == name)
            .ok_or_else(|| LoadError::MissingColumn(name.into()))
    };
    let mut weight_cols = [0usize; SHUKOR_K];
    for (slot, domain) in weight_cols.iter_mut().zip(SHUKOR_DOMAINS) {
        *slot = find(&format!("weight_{domain}"))?;
    }
    let (n_col, d_col, y_col) = (find("model_size")?, find("n_tokens")?, find(loss_column)?);

    let mut out = Columns::default();
    let mut fields: Vec<f64> = Vec::with_capacity(header.len());
    for (i, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        fields.clear();
        for field in line.split(',') {
            let field = field.trim();
            let v = if field.is_empty() {
                f64::NAN
            } else {
                field
                    .parse::<f64>()
                    .map_err(|e| LoadError::Format(i + 1, format!("cannot parse `{field}`: {e}")))?
            };
            fields.push(v);
        }
        if fields.len() != header.len() {
            return Err(LoadError::Format(
                i + 1,
                format!("{} fields, header has {}", fields.len(), header.len()),
            ));
        }
        let get = |c: usize| fields.get(c).copied().unwrap_or(f64::NAN);
        out.weights.extend(weight_cols.iter().map(|&c| get(c)));
        out.model_size.push(get(n_col));
        out.n_tokens.push(get(d_col));
        out.loss.push(get(y_col));
    }
    Ok(out)
}

/// Reads and parses the Shukor CSV at `path` (see [`parse_shukor`]).
pub fn load_shukor(path: &Path, loss_column: &str) -> Result<Columns, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io(path.to_path_buf(), e))?;
    parse_shukor(&text, loss_column)
}

/// The benchmark workload: the first [`BENCH_ROWS`] rows of the Shukor CSV with
/// `model_size <` [`BENCH_MAX_MODEL_SIZE`] and a finite [`BENCH_LOSS`].
///
/// When the file is missing or unreadable, prints a skip notice naming the path and
/// [`DATA_ENV`] to stderr and returns `None`.
pub fn shukor_bench_rows() -> Option<Columns> {
    let path = shukor_path();
    match load_shukor(&path, BENCH_LOSS) {
        Ok(all) => {
            let rows = all.select(BENCH_MAX_MODEL_SIZE, BENCH_ROWS);
            if rows.rows() < BENCH_ROWS {
                eprintln!(
                    "mixlaw-benches: note: only {} of the {BENCH_ROWS} requested rows in {}",
                    rows.rows(),
                    path.display()
                );
            }
            Some(rows)
        }
        Err(e) => {
            eprintln!(
                "mixlaw-benches: SKIPPED, no benchmark run: Shukor data unavailable ({e}). \
                 Set {DATA_ENV} to the directory holding {SHUKOR_CSV}."
            );
            None
        }
    }
}

/// The benchmark objectives over `cols`: `additive` and `joint` for k = 7, scales
/// [`BENCH_SCALES`], loss [`BENCH_LOSS_FN`], with the unconstrained parameter vectors
/// of [`ADDITIVE_PARAMS`] and [`JOINT_PARAMS`], each both row by row and by groups of
/// distinct inputs ([`Groups`], built here once, outside any timed region).
///
/// The objectives borrow a cache that lives on this function's stack, so they are
/// handed to `f` rather than returned.
pub fn with_objectives<R>(
    cols: &Columns,
    f: impl FnOnce(Bench<'_, '_, Additive>, Bench<'_, '_, Joint>) -> R,
) -> Result<R, mixlaw_core::Error> {
    let additive = Additive::new(SHUKOR_K)?;
    let joint = Joint::new(SHUKOR_K)?;
    let data = Dataset::new(SHUKOR_K, &cols.weights, &cols.loss)?
        .with_n(&cols.model_size)?
        .with_d(&cols.n_tokens)?;
    let mut buf = vec![0.0; Prepared::buffer_len(data.rows(), SHUKOR_K)];
    let prepared = Prepared::new(data, BENCH_SCALES, &mut buf)?;
    let mut group_buf = vec![0usize; Groups::buffer_len(prepared.rows())];
    let groups = Groups::new(&prepared, &mut group_buf)?;
    let a = Bench::new(&additive, &prepared, &groups, &ADDITIVE_PARAMS)?;
    let j = Bench::new(&joint, &prepared, &groups, &JOINT_PARAMS)?;
    Ok(f(a, j))
}

/// How an objective is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `Objective::new` alone: the law evaluated on every row.
    RowByRow,
    /// `Objective::with_groups`: the law's factors once per distinct h, N and D, combined
    /// per row.
    Grouped,
}

impl Mode {
    /// Both modes, row by row first.
    pub const ALL: [Mode; 2] = [Mode::RowByRow, Mode::Grouped];

    /// Label used in benchmark ids and JSON keys: `row_by_row` or `grouped`.
    pub fn label(self) -> &'static str {
        match self {
            Mode::RowByRow => "row_by_row",
            Mode::Grouped => "grouped",
        }
    }
}

/// One law's benchmark: its objectives (row by row and grouped) and the unconstrained
/// parameters to evaluate at.
#[derive(Debug)]
pub struct Bench<'l, 'd, L> {
    /// The objective (law, prepared rows, loss), evaluated row by row.
    pub objective: Objective<'l, 'd, L>,
    /// The same objective evaluated by groups of distinct inputs.
    pub grouped: Objective<'l, 'd, L>,
    /// Number of distinct mixtures, model sizes and token counts in the rows.
    pub distinct: [usize; 3],
    /// Natural parameter values.
    pub params: Vec<f64>,
    /// The same parameters in unconstrained coordinates (`ln p` for positive ones).
    pub theta: Vec<f64>,
}

impl<'l, 'd, L: Law> Bench<'l, 'd, L> {
    fn new(
        law: &'l L,
        data: &'d Prepared<'d>,
        groups: &'d Groups<'d>,
        params: &[f64],
    ) -> Result<Self, mixlaw_core::Error> {
        let objective = Objective::new(law, data, BENCH_LOSS_FN)?;
        let grouped = Objective::new(law, data, BENCH_LOSS_FN)?.with_groups(groups)?;
        let mut theta = vec![0.0; params.len()];
        law.to_unconstrained(params, &mut theta)?;
        Ok(Bench {
            objective,
            grouped,
            distinct: [groups.count(0), groups.count(1), groups.count(2)],
            params: params.to_vec(),
            theta,
        })
    }

    /// The objective evaluated in `mode`.
    pub fn objective(&self, mode: Mode) -> &Objective<'l, 'd, L> {
        match mode {
            Mode::RowByRow => &self.objective,
            Mode::Grouped => &self.grouped,
        }
    }

    /// Buffers sized for [`Objective::eval`] in either mode: `(grad, scratch)` (the
    /// grouped scratch is the longer one: it holds the factors of every distinct input).
    pub fn buffers(&self) -> (Vec<f64>, Vec<f64>) {
        let scratch = self.objective.scratch_len().max(self.grouped.scratch_len());
        (vec![0.0; self.objective.dim()], vec![0.0; scratch])
    }

    /// Number of rows in the objective.
    pub fn rows(&self) -> usize {
        self.objective.data().rows()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn parses_empty_fields_as_nan_and_selects() {
        let mut text = String::from(
            "weight_arxiv,weight_book,weight_c4,weight_github,weight_commoncrawl,\
             weight_stackexchange,weight_wikipedia,model_size,n_tokens,arxiv_loss,github_loss\n",
        );
        text.push_str("0.1,0.1,0.1,0.1,0.1,0.1,0.4,1e8,2e9,3.0,\n");
        text.push_str("0.1,0.1,0.1,0.1,0.1,0.1,0.4,3e9,2e9,2.0,1.0\n");
        text.push_str("0.1,0.1,0.1,0.1,0.1,0.1,0.4,2e8,4e9,2.5,1.5\r\n");
        let all = parse_shukor(&text, "github_loss").unwrap();
        assert_eq!(all.rows(), 3);
        assert!(all.loss[0].is_nan());
        let sel = all.select(2.7e9, 10);
        assert_eq!(sel.rows(), 1);
        assert_eq!(sel.model_size, vec![2e8]);
        assert_eq!(sel.weights.len(), SHUKOR_K);
        assert!(parse_shukor(&text, "book_loss").is_err());
    }

    #[test]
    fn grouped_objectives_match_row_by_row() {
        // A small grid: 3 mixtures x 2 model sizes x 2 token counts, each row twice.
        let mixtures = [
            [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4],
            [0.3, 0.05, 0.2, 0.05, 0.2, 0.1, 0.1],
            [0.02, 0.4, 0.1, 0.08, 0.2, 0.1, 0.1],
        ];
        let mut cols = Columns::default();
        for _ in 0..2 {
            for h in &mixtures {
                for n in [1e8, 6e8] {
                    for d in [2e9, 1.1e10] {
                        cols.weights.extend_from_slice(h);
                        cols.model_size.push(n);
                        cols.n_tokens.push(d);
                        cols.loss.push(2.5 + 0.1 * h[0] - 1e-10 * n);
                    }
                }
            }
        }
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300);
        with_objectives(&cols, |additive, joint| {
            assert_eq!(additive.distinct, [3, 2, 2]);
            fn check<L: Law>(b: &Bench<'_, '_, L>, close: impl Fn(f64, f64) -> bool) {
                let (mut g1, mut scratch) = b.buffers();
                let mut g2 = g1.clone();
                let v1 = b.objective(Mode::RowByRow);
                let v1 = v1.eval(&b.theta, Some(&mut g1), &mut scratch).unwrap();
                let v2 = b.objective(Mode::Grouped);
                let v2 = v2.eval(&b.theta, Some(&mut g2), &mut scratch).unwrap();
                assert!(v1.is_finite() && close(v1, v2), "{v1} vs {v2}");
                for (a, c) in g1.iter().zip(&g2) {
                    assert!(close(*a, *c), "{a} vs {c}");
                }
            }
            check(&additive, close);
            check(&joint, close);
        })
        .unwrap();
    }
}
