//! The one data-loading module: where the data folder is ([`dir`], and the real-data tests'
//! policy [`for_test`]), CSV tables read with the `csv` crate ([`read`], [`parse`]) and turned
//! into runs under the rules of the CLI contract (`spec/cli.md`: a header row, columns chosen
//! by name, rows with an empty or NaN loss skipped and counted, any other unparsable cell an
//! error naming row and column, mixtures checked per row: [`load`]); and one submodule per
//! shared data folder whose files more than one experiment reads, or whose layout needs its
//! own reader (`olmix`: swarm CSVs joined on the run id, and the olmix YAML configs; `regmix`: mixture
//! and loss files joined on `index`).

pub mod epoch;
pub mod muennighoff;
pub mod olmix;
pub mod regmix;
pub mod shukor;
pub mod sldbench;

use std::format;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_fit::owned::Runs;

use crate::error::Error;

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
    Ok(Table { headers, rows })
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
}

/// Which columns hold what (the CLI's column flags).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// Mixture weight columns, in domain order.
    pub weights: Vec<String>,
    /// Observed loss column.
    pub loss: Option<String>,
    /// Model-size column.
    pub n: Option<String>,
    /// Training-token column.
    pub d: Option<String>,
    /// Unique-token column.
    pub unique: Option<String>,
    /// Rescale each row's weights to sum to 1 instead of rejecting them.
    pub normalize: bool,
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
            "row {}, column '{name}': '{cell}' is not a number",
            row + 1
        ))
    })
}

fn finite_positive(v: f64, row: usize, name: &str) -> Result<f64, Error> {
    if !v.is_finite() || v <= 0.0 {
        return Err(Error::input(format!(
            "row {}, column '{name}': {v} must be a finite number > 0",
            row + 1
        )));
    }
    Ok(v)
}

/// Reads runs: with `need_loss`, rows whose loss cell is empty or NaN are skipped (and
/// counted); without it the loss column is ignored (prediction) and losses are set to 1.
pub fn load(table: &Table, cols: &Columns, need_loss: bool) -> Result<Loaded, Error> {
    let w_idx = cols
        .weights
        .iter()
        .map(|c| table.column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let idx = |c: &Option<String>| c.as_deref().map(|c| table.column(c)).transpose();
    let (n_idx, d_idx, u_idx) = (idx(&cols.n)?, idx(&cols.d)?, idx(&cols.unique)?);
    let loss_idx = if need_loss {
        Some(
            table.column(
                cols.loss
                    .as_deref()
                    .ok_or_else(|| Error::input("--loss COL is required"))?,
            )?,
        )
    } else {
        None
    };
    let k = w_idx.len();
    let mut runs = Runs {
        k,
        ..Runs::default()
    };
    let (mut n, mut d, mut u) = (Vec::new(), Vec::new(), Vec::new());
    let mut source_rows = Vec::new();
    let mut skipped = 0;
    for r in 0..table.rows.len() {
        let y = match loss_idx {
            Some(li) => {
                let cell = table
                    .rows
                    .get(r)
                    .and_then(|row| row.get(li))
                    .map(|c| c.trim())
                    .unwrap_or("");
                if cell.is_empty() || cell.eq_ignore_ascii_case("nan") {
                    skipped += 1;
                    continue;
                }
                let v = number(table, r, li)?;
                if !v.is_finite() {
                    return Err(Error::input(format!(
                        "row {}, column '{}': the loss {v} is not finite",
                        r + 1,
                        cols.loss.as_deref().unwrap_or("")
                    )));
                }
                v
            }
            None => 1.0,
        };
        let mut h = Vec::with_capacity(k);
        for (&c, name) in w_idx.iter().zip(&cols.weights) {
            let v = number(table, r, c)?;
            if !v.is_finite() || v < 0.0 {
                return Err(Error::input(format!(
                    "row {}, column '{name}': weight {v} must be finite and >= 0",
                    r + 1
                )));
            }
            h.push(v);
        }
        if k > 0 {
            let sum: f64 = h.iter().sum();
            if cols.normalize {
                if sum <= 0.0 {
                    return Err(Error::input(format!(
                        "row {}: the weights sum to 0 and cannot be normalised",
                        r + 1
                    )));
                }
                h.iter_mut().for_each(|v| *v /= sum);
            } else if (sum - 1.0).abs() > 1e-6 {
                return Err(Error::input(format!(
                    "row {}: the weights sum to {sum}, not 1 (within 1e-6); pass --normalize to rescale",
                    r + 1
                )));
            }
        }
        if let Some(c) = n_idx {
            n.push(finite_positive(
                number(table, r, c)?,
                r,
                cols.n.as_deref().unwrap_or(""),
            )?);
        }
        if let Some(c) = d_idx {
            d.push(finite_positive(
                number(table, r, c)?,
                r,
                cols.d.as_deref().unwrap_or(""),
            )?);
        }
        if let Some(c) = u_idx {
            u.push(finite_positive(
                number(table, r, c)?,
                r,
                cols.unique.as_deref().unwrap_or(""),
            )?);
        }
        runs.h.extend(h);
        runs.y.push(y);
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
    Ok(Loaded {
        runs,
        source_rows,
        skipped,
    })
}
