//! The one data-loading module: where the data folder is ([`dir`], and the real-data tests'
//! policy [`for_test`]), CSV tables read with the `csv` crate ([`read`], [`parse`]) and turned
//! into runs under the rules of the CLI contract (`spec/cli.md`: a header row, columns chosen
//! by name, rows with an empty or NaN loss skipped and counted, any other unparsable cell an
//! error naming row and column, mixtures checked per row: [`load`]); data in the shapes people
//! keep it: two files inner-joined on a key column ([`join()`], [`read_source`]) and weight
//! columns named by a glob ([`Columns::resolve`]); and one submodule per shared data folder
//! whose files more than one experiment reads, or whose layout needs its own reader (`olmix`:
//! swarm CSVs joined on the run id, and the olmix YAML configs; `regmix`: mixture and loss
//! files joined on `index`).

pub mod epoch;
mod join;
pub mod muennighoff;
pub mod olmix;
pub mod regmix;
pub mod shukor;
pub mod sldbench;

use std::format;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_core::SIMPLEX_TOLERANCE;
use mixlaw_fit::owned::Runs;

use crate::error::Error;

pub use join::{join, read_source, JoinCounts, Source};

/// The environment variable naming the data folder.
pub const ENV: &str = "MIXLAW_DATA";

/// The contract's default data folder, relative to the working directory (the repository
/// root): `../shared/data`.
pub const DEFAULT: &str = "../shared/data";

/// `$MIXLAW_DATA` when it is set and not empty (an empty value counts as unset).
fn from_env() -> Option<PathBuf> {
    std::env::var_os(ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The default folder: [`DEFAULT`] from the working directory when it exists, else the
/// folder beside this checkout (`<workspace>/../shared/data`, which is the same folder when
/// the program runs from the repository root, and the right one for test binaries, which
/// run in their package's folder).
fn default_dir() -> PathBuf {
    let here = PathBuf::from(DEFAULT);
    if here.is_dir() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
    }
}

/// The data folder: `explicit` (the program's `--data`), else `$MIXLAW_DATA` (non-empty),
/// else the default (`../shared/data` beside the repository root).
pub fn dir(explicit: Option<&Path>) -> PathBuf {
    match explicit {
        Some(p) => p.to_path_buf(),
        None => from_env().unwrap_or_else(default_dir),
    }
}

/// The data folder for a real-data test named `what`, under the house rule: `None`, with a
/// `SKIPPED` notice on stderr, when `MIXLAW_DATA` is unset (or empty) and the default folder
/// is absent; the folder otherwise.
///
/// # Panics
/// When `MIXLAW_DATA` is set but names no folder: the data was asked for and is missing,
/// so the test fails instead of passing green.
pub fn for_test(what: &str) -> Option<PathBuf> {
    match from_env() {
        Some(set) => {
            assert!(
                set.is_dir(),
                "{what}: {ENV}={} is set but that data folder is missing",
                set.display()
            );
            Some(set)
        }
        None => {
            let d = default_dir();
            if d.is_dir() {
                Some(d)
            } else {
                std::eprintln!(
                    "SKIPPED {what}: {ENV} is unset and the default data folder {} is absent",
                    d.display()
                );
                None
            }
        }
    }
}

/// A parsed CSV file: header names and raw cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows of cells, each as long as `headers`.
    pub rows: Vec<Vec<String>>,
    /// The key column of a table made by [`join()`]: its rows are not the lines of either
    /// file, so messages name a row by its key (`row index=7`) instead of its position.
    pub key: Option<String>,
}

/// Parses CSV text with the `csv` crate: comma-separated, optional UTF-8 BOM, LF or CRLF
/// line ends, double-quoted cells with `""` escapes. Blank lines are ignored. Errors on no
/// header, duplicate or empty header names, and rows whose cell count differs from the
/// header's (naming the line).
pub fn parse(text: &str) -> Result<Table, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::input(format!("CSV: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        let blank = cells.len() == 1 && cells.first().is_some_and(|c| c.trim().is_empty());
        if !blank {
            records.push((line, cells));
        }
    }
    let mut lines = records.into_iter();
    let Some((_, headers)) = lines.next() else {
        return Err(Error::input("the CSV file is empty (no header row)"));
    };
    let headers: Vec<String> = headers.into_iter().map(|h| h.trim().to_string()).collect();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(Error::input(format!(
                "CSV header: column {} has no name",
                i + 1
            )));
        }
        if headers.iter().take(i).any(|x| x == h) {
            return Err(Error::input(format!(
                "CSV header: duplicate column name '{h}'"
            )));
        }
    }
    let mut rows = Vec::new();
    for (line, cells) in lines {
        if cells.len() != headers.len() {
            return Err(Error::input(format!(
                "CSV line {line}: {} cells, but the header has {}",
                cells.len(),
                headers.len()
            )));
        }
        rows.push(cells);
    }
    Ok(Table {
        headers,
        rows,
        key: None,
    })
}

/// Reads and parses a CSV file.
pub fn read(path: &Path) -> Result<Table, Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(format!("{} is not UTF-8 text", path.display())))?;
    parse(&text)
}

/// The cells of column `name` as numbers, one per row (an error naming row and column).
pub fn numbers(table: &Table, name: &str) -> Result<Vec<f64>, Error> {
    let c = table.column(name)?;
    (0..table.rows.len()).map(|r| number(table, r, c)).collect()
}

impl Table {
    /// Index of the column called `name`.
    pub fn column(&self, name: &str) -> Result<usize, Error> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::input(format!(
                "no column '{name}' in the CSV header ({})",
                self.headers.join(",")
            ))
        })
    }

    /// How messages name data row `row` (0-based): `row 3` (1-based), or `row index=7` in
    /// a joined table (by its key).
    pub fn row_name(&self, row: usize) -> String {
        let key = self.key.as_deref().and_then(|k| {
            let c = self.headers.iter().position(|h| h == k)?;
            Some(format!("{k}={}", self.rows.get(row)?.get(c)?.trim()))
        });
        match key {
            Some(k) => format!("row {k}"),
            None => format!("row {}", row + 1),
        }
    }
}

/// Whether `text` matches the glob `pattern`: `*` stands for any run of characters
/// (possibly empty), `?` for exactly one, anything else for itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Greedy matching that backtracks to the last `*`: O(|p| |t|) at worst.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        match p.get(i) {
            Some('*') => {
                star = Some((i, j));
                i += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(j) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((si, sj)) => {
                    i = si + 1;
                    j = sj + 1;
                    star = Some((si, sj + 1));
                }
                None => return false,
            },
        }
    }
    p.get(i..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Which columns hold what (the CLI's column flags).
#[derive(Clone, Debug, PartialEq)]
pub struct Columns {
    /// Mixture weight columns, in domain order.
    pub weights: Vec<String>,
    /// Observed loss column; for a law with several outputs (the capacity laws), its
    /// columns comma-separated (`l_0,..,l_{k-1}`).
    pub loss: Option<String>,
    /// Model-size column.
    pub n: Option<String>,
    /// Training-token column.
    pub d: Option<String>,
    /// Unique-token column.
    pub unique: Option<String>,
    /// Rescale each row's weights to sum to 1 instead of rejecting them.
    pub normalize: bool,
    /// Largest accepted `|sum_i h_i - 1|` of a row's weights when they are not normalised
    /// (default [`SIMPLEX_TOLERANCE`]); the weights are then used as given.
    pub sum_tolerance: f64,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            weights: Vec::new(),
            loss: None,
            n: None,
            d: None,
            unique: None,
            normalize: false,
            sum_tolerance: SIMPLEX_TOLERANCE,
        }
    }
}

impl Columns {
    /// The columns with each `weights` item that contains `*` or `?` and is not itself a
    /// column of `table` replaced by the columns it matches ([`glob_match`]), in the file's
    /// order: `train_*` names every column starting with `train_`. An error for a pattern
    /// that matches no column, or a column named twice.
    pub fn resolve(&self, table: &Table) -> Result<Columns, Error> {
        let mut weights: Vec<String> = Vec::with_capacity(self.weights.len());
        for item in &self.weights {
            let literal = table.headers.contains(item) || !item.contains(['*', '?']);
            let matched: Vec<&String> = if literal {
                std::vec![item]
            } else {
                table
                    .headers
                    .iter()
                    .filter(|h| glob_match(item, h))
                    .collect()
            };
            if matched.is_empty() {
                return Err(Error::input(format!(
                    "--weights '{item}' matches no column of the CSV header ({})",
                    table.headers.join(",")
                )));
            }
            for m in matched {
                if weights.contains(m) {
                    return Err(Error::input(format!(
                        "--weights names the column '{m}' twice"
                    )));
                }
                weights.push(m.clone());
            }
        }
        Ok(Columns {
            weights,
            ..self.clone()
        })
    }
}

/// Runs read from a table, with the file rows they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The runs kept.
    pub runs: Runs,
    /// 1-based data-row number of each kept run.
    pub source_rows: Vec<usize>,
    /// Rows skipped because their loss was empty or NaN.
    pub skipped: usize,
}

fn number(table: &Table, row: usize, col: usize) -> Result<f64, Error> {
    let cell = table
        .rows
        .get(row)
        .and_then(|r| r.get(col))
        .map(|c| c.trim())
        .unwrap_or("");
    let name = table.headers.get(col).map(String::as_str).unwrap_or("?");
    cell.parse::<f64>().map_err(|_| {
        Error::input(format!(
            "{}, column '{name}': '{cell}' is not a number",
            table.row_name(row)
        ))
    })
}

fn finite_positive(table: &Table, row: usize, col: usize) -> Result<f64, Error> {
    let v = number(table, row, col)?;
    if !v.is_finite() || v <= 0.0 {
        return Err(Error::input(format!(
            "{}, column '{}': {v} must be a finite number > 0",
            table.row_name(row),
            table.headers.get(col).map(String::as_str).unwrap_or("?")
        )));
    }
    Ok(v)
}

/// Reads runs: with `need_loss`, rows whose loss cell is empty or NaN are skipped (and
/// counted); without it the loss column is ignored (prediction) and losses are set to 1.
/// Several loss columns (`cols.loss` comma-separated) give runs of that many outputs: an
/// empty or NaN cell is a NaN loss (unobserved: its entry weight is the law's to set, see
/// `Law::entry_weights`), and only a row with every cell so is skipped.
/// Weight globs are resolved first ([`Columns::resolve`]). A row's weights must sum to 1
/// within `cols.sum_tolerance` (and are then kept as given, the runs accepting the same
/// tolerance), or with `cols.normalize` are divided by their sum.
pub fn load(table: &Table, cols: &Columns, need_loss: bool) -> Result<Loaded, Error> {
    let cols = &cols.resolve(table)?;
    let w_idx = cols
        .weights
        .iter()
        .map(|c| table.column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let idx = |c: &Option<String>| c.as_deref().map(|c| table.column(c)).transpose();
    let (n_idx, d_idx, u_idx) = (idx(&cols.n)?, idx(&cols.d)?, idx(&cols.unique)?);
    let loss_names: Vec<&str> = if need_loss {
        cols.loss
            .as_deref()
            .ok_or_else(|| Error::input("--loss COL is required"))?
            .split(',')
            .map(str::trim)
            .collect()
    } else {
        Vec::new()
    };
    let loss_idx = loss_names
        .iter()
        .map(|c| table.column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let k = w_idx.len();
    let mut runs = Runs {
        k,
        outputs: loss_idx.len().max(1),
        ..Runs::default()
    };
    let (mut n, mut d, mut u) = (Vec::new(), Vec::new(), Vec::new());
    let mut source_rows = Vec::new();
    let mut skipped = 0;
    for r in 0..table.rows.len() {
        let mut y = Vec::with_capacity(loss_idx.len());
        for (&li, name) in loss_idx.iter().zip(&loss_names) {
            let cell = table
                .rows
                .get(r)
                .and_then(|row| row.get(li))
                .map(|c| c.trim())
                .unwrap_or("");
            if cell.is_empty() || cell.eq_ignore_ascii_case("nan") {
                y.push(f64::NAN);
                continue;
            }
            let v = number(table, r, li)?;
            if !v.is_finite() {
                return Err(Error::input(format!(
                    "{}, column '{name}': the loss {v} is not finite",
                    table.row_name(r)
                )));
            }
            y.push(v);
        }
        if !y.is_empty() && y.iter().all(|v| v.is_nan()) {
            skipped += 1;
            continue;
        }
        if y.is_empty() {
            y.push(1.0);
        }
        let mut h = Vec::with_capacity(k);
        for (&c, name) in w_idx.iter().zip(&cols.weights) {
            let v = number(table, r, c)?;
            if !v.is_finite() || v < 0.0 {
                return Err(Error::input(format!(
                    "{}, column '{name}': weight {v} must be finite and >= 0",
                    table.row_name(r)
                )));
            }
            h.push(v);
        }
        if k > 0 {
            let sum: f64 = h.iter().sum();
            if cols.normalize {
                if sum <= 0.0 {
                    return Err(Error::input(format!(
                        "{}: the weights sum to 0 and cannot be normalised",
                        table.row_name(r)
                    )));
                }
                h.iter_mut().for_each(|v| *v /= sum);
            } else if (sum - 1.0).abs() > cols.sum_tolerance || cols.sum_tolerance.is_nan() {
                return Err(Error::input(format!(
                    "{}: the weights sum to {sum}, not 1 (within {:e}); pass --sum-tol X to accept it, or --normalize to rescale",
                    table.row_name(r),
                    cols.sum_tolerance
                )));
            }
        }
        if let Some(c) = n_idx {
            n.push(finite_positive(table, r, c)?);
        }
        if let Some(c) = d_idx {
            d.push(finite_positive(table, r, c)?);
        }
        if let Some(c) = u_idx {
            u.push(finite_positive(table, r, c)?);
        }
        runs.h.extend(h);
        runs.y.extend(y);
        source_rows.push(r + 1);
    }
    if runs.y.is_empty() {
        return Err(Error::input(if skipped > 0 {
            "no usable rows: every loss cell is empty or NaN"
        } else {
            "no data rows in the CSV file"
        }));
    }
    runs.n = n_idx.map(|_| n);
    runs.d = d_idx.map(|_| d);
    runs.u = u_idx.map(|_| u);
    if !cols.normalize {
        runs.sum_tolerance = cols.sum_tolerance;
    }
    Ok(Loaded {
        runs,
        source_rows,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_stars_and_single_characters() {
        assert!(glob_match("train_*", "train_the_pile_arxiv"));
        assert!(glob_match("train_*", "train_"));
        assert!(!glob_match("train_*", "metric/train_x"));
        assert!(glob_match("*_val_loss", "metric/the_pile_pile_cc_val_loss"));
        assert!(glob_match("w?", "w0") && !glob_match("w?", "w10"));
        assert!(glob_match("a*b*c", "aXXbYbZc") && !glob_match("a*b*c", "aXXbYbZ"));
        assert!(glob_match("*", "") && !glob_match("?", ""));
    }

    #[test]
    fn weight_globs_resolve_in_file_order() {
        let t = parse("index,w_b,loss,w_a,w*\n1,0.5,2,0.5,0\n").unwrap();
        let cols = |w: &[&str]| Columns {
            weights: w.iter().map(|s| (*s).into()).collect(),
            ..Columns::default()
        };
        assert_eq!(cols(&["w_*"]).resolve(&t).unwrap().weights, ["w_b", "w_a"]);
        // A header that is itself the pattern is taken literally.
        assert_eq!(cols(&["w*"]).resolve(&t).unwrap().weights, ["w*"]);
        let none = cols(&["x_*"]).resolve(&t).unwrap_err().to_string();
        assert!(none.contains("'x_*' matches no column"), "{none}");
        let twice = cols(&["w_a", "w_?"]).resolve(&t).unwrap_err().to_string();
        assert!(twice.contains("'w_a' twice"), "{twice}");
    }

    #[test]
    fn the_sum_tolerance_only_widens_the_check() {
        let t = parse("a,b,loss\n0.501,0.502,1\n0.25,0.75,2\n").unwrap();
        let mut cols = Columns {
            weights: std::vec!["a".into(), "b".into()],
            loss: Some("loss".into()),
            ..Columns::default()
        };
        let strict = load(&t, &cols, true).unwrap_err().to_string();
        assert!(
            strict.contains("row 1") && strict.contains("--sum-tol"),
            "{strict}"
        );
        cols.sum_tolerance = 1e-2;
        let loaded = load(&t, &cols, true).unwrap();
        // Used as given, and the runs accept the same tolerance.
        assert_eq!(loaded.runs.h, [0.501, 0.502, 0.25, 0.75]);
        assert_eq!(loaded.runs.sum_tolerance, 1e-2);
        assert!(loaded.runs.dataset().is_ok());
        cols.normalize = true;
        let h = load(&t, &cols, true).unwrap().runs.h;
        assert!((h[0] + h[1] - 1.0).abs() < 1e-15 && (h[0] - 0.501 / 1.003).abs() < 1e-15);
    }
}
