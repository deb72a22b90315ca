//! Shukor et al. 2025's SlimPajama runs (`shukor2025/dmsl_llm_slimpajama.csv`) and their
//! published Table 8, read by `shukor-table8`, `shukor-optimum` and `shukor-select`.

use std::format;
use std::path::Path;
use std::string::String;
use std::vec::Vec;

use mixlaw_fit::owned::Runs;

use super::Columns;
use crate::error::Error;

/// Target domains, in the file's column order.
pub const DOMAINS: [&str; 7] = [
    "arxiv",
    "book",
    "c4",
    "github",
    "commoncrawl",
    "stackexchange",
    "wikipedia",
];

/// Paper Table 8 per domain: additive train, additive 3B, joint train, joint 3B (MRE %).
pub const PAPER: [[f64; 4]; 7] = [
    [0.50, 2.09, 0.39, 1.62],
    [0.29, 0.80, 0.24, 1.19],
    [0.29, 0.31, 0.24, 0.34],
    [0.65, 1.17, 0.54, 2.51],
    [0.29, 0.58, 0.24, 0.90],
    [0.51, 0.36, 0.38, 0.47],
    [0.92, 4.45, 0.57, 2.09],
];

/// Paper means over the 7 domains: additive train, additive 3B, joint train, joint 3B.
pub const PAPER_MEAN: [f64; 4] = [0.493, 1.394, 0.371, 1.303];

/// Runs at or above this `model_size` are the held-out '3B' runs.
const TEST_SIZE: f64 = 2.7e9;
/// Runs below this `model_size` (the 1.22e8 runs) are not among the paper's training sizes.
const PAPER_MIN_SIZE: f64 = 2.0e8;

/// One domain's train and 3B runs.
pub struct DomainData {
    /// Every run below the test size (the main protocol's fit set).
    pub train: Runs,
    /// The paper's four training sizes only (the second protocol's fit set).
    pub paper_train: Runs,
    /// The held-out '3B' runs.
    pub test: Runs,
    /// Rows skipped for an empty or NaN target loss.
    pub skipped: usize,
}

/// The runs of every target domain in `targets`, for the loss columns loss columns `<target>_loss` of the file (e.g. `openhermes`).
pub fn load_targets(data: &Path, targets: &[&str]) -> Result<Vec<DomainData>, Error> {
    let path = data.join("shukor2025/dmsl_llm_slimpajama.csv");
    let table = super::read(&path)?;
    let weights: Vec<String> = DOMAINS.iter().map(|d| format!("weight_{d}")).collect();
    let mut out = Vec::with_capacity(targets.len());
    for &d in targets {
        let cols = Columns {
            weights: weights.clone(),
            loss: Some(format!("{d}_loss")),
            n: Some("model_size".into()),
            d: Some("n_tokens".into()),
            ..Columns::default()
        };
        let loaded = super::load(&table, &cols, true)
            .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
        let runs = loaded.runs;
        let sizes = runs.n.clone().unwrap_or_default();
        let pick = |keep: &dyn Fn(f64) -> bool| -> Vec<usize> {
            sizes
                .iter()
                .enumerate()
                .filter(|(_, &n)| keep(n))
                .map(|(i, _)| i)
                .collect()
        };
        let train_rows = pick(&|n| n < TEST_SIZE);
        let paper_rows = pick(&|n| (PAPER_MIN_SIZE..TEST_SIZE).contains(&n));
        let test_rows = pick(&|n| n >= TEST_SIZE);
        if train_rows.is_empty() || paper_rows.is_empty() || test_rows.is_empty() {
            return Err(Error::input(format!(
                "{}: domain {d} needs runs below and above model_size {TEST_SIZE:e}",
                path.display()
            )));
        }
        out.push(DomainData {
            train: runs.select(&train_rows),
            paper_train: runs.select(&paper_rows),
            test: runs.select(&test_rows),
            skipped: loaded.skipped,
        });
    }
    Ok(out)
}
