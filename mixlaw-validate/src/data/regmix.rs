//! RegMix's proxy-model runs (`regmix/`, Liu et al., ICLR 2025, sail-sg/regmix `data/`): a
//! mixture file and a loss file per split, joined on their `index` column (not a row number;
//! the 1B files start at 0). Mixtures are the 17 `train_the_pile_<domain>` weights, rounded
//! to 3 decimals in the files (rows sum to 1 +- 0.004) and rescaled here to sum 1 exactly,
//! `h_i = w_i / sum_j w_j`; the loss is one `metric/the_pile_<domain>_val_loss` column.

use std::collections::HashMap;
use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_fit::owned::Runs;

use super::{numbers, read};
use crate::error::Error;

/// The data folder's name under the shared data folder.
pub const FOLDER: &str = "regmix";

/// The paper's target: the Pile-CC validation loss.
pub const PILE_CC: &str = "metric/the_pile_pile_cc_val_loss";

/// Prefix of the mixture columns.
const WEIGHT_PREFIX: &str = "train_the_pile_";

/// One split of the released runs: `(name, mixture file, loss file)`.
pub type Split = (&'static str, &'static str, &'static str);

/// The 512 training runs (1M-parameter models, 1B tokens).
pub const TRAIN_1M: Split = ("train_1m", "train_mixture_1m.csv", "train_pile_loss_1m.csv");

/// The held-out runs: 256 mixtures at 1M and 60M parameters (1B tokens) and 64 at 1B
/// parameters (25B tokens), as `(scale, mixture file, loss file)`.
pub const TESTS: [Split; 3] = [
    ("1m", "test_mixture_1m.csv", "test_pile_loss_1m.csv"),
    ("60m", "test_mixture_60m.csv", "test_pile_loss_60m.csv"),
    ("1b", "test_mixture_1B.csv", "test_pile_loss_1B.csv"),
];

/// One split read: the domain names (the mixture columns without their prefix) and the runs
/// (mixtures only: every run of a split has the same N and D), in the mixture file's order.
#[derive(Clone, Debug, PartialEq)]
pub struct RegmixRuns {
    /// Domain names, in the mixture file's column order.
    pub domains: Vec<String>,
    /// The runs: normalised mixtures and the `target` loss.
    pub runs: Runs,
}

/// Reads `split` under `data` (the shared data folder) with the loss column `target`
/// (e.g. [`PILE_CC`]): an inner join of the two files on `index`; a mixture without a loss
/// row, a duplicated index or a mixture summing to 0 is an error.
pub fn load(data: &Path, split: Split, target: &str) -> Result<RegmixRuns, Error> {
    let (name, mix_file, loss_file) = split;
    let dir = data.join(FOLDER);
    let ctx = |file: &str, e: Error| Error::input(format!("regmix {name} ({file}): {e}"));
    let mix = read(&dir.join(mix_file)).map_err(|e| ctx(mix_file, e))?;
    let loss = read(&dir.join(loss_file)).map_err(|e| ctx(loss_file, e))?;
    let loss_index = numbers(&loss, "index").map_err(|e| ctx(loss_file, e))?;
    let loss_values = numbers(&loss, target).map_err(|e| ctx(loss_file, e))?;
    let mut by_index: HashMap<u64, f64> = HashMap::with_capacity(loss_index.len());
    for (i, v) in loss_index.iter().zip(&loss_values) {
        if by_index.insert(i.to_bits(), *v).is_some() {
            return Err(Error::input(format!(
                "regmix {name} ({loss_file}): index {i} appears twice"
            )));
        }
    }
    let domains: Vec<String> = mix
        .headers
        .iter()
        .filter_map(|h| h.strip_prefix(WEIGHT_PREFIX).map(str::to_string))
        .collect();
    if domains.is_empty() {
        return Err(Error::input(format!(
            "regmix {name} ({mix_file}): no {WEIGHT_PREFIX}* columns"
        )));
    }
    let columns = domains
        .iter()
        .map(|d| numbers(&mix, &format!("{WEIGHT_PREFIX}{d}")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ctx(mix_file, e))?;
    let mix_index = numbers(&mix, "index").map_err(|e| ctx(mix_file, e))?;
    let k = domains.len();
    let mut runs = Runs {
        k,
        ..Runs::default()
    };
    for (r, index) in mix_index.iter().enumerate() {
        let y = by_index.get(&index.to_bits()).copied().ok_or_else(|| {
            Error::input(format!(
                "regmix {name}: mixture index {index} has no row in {loss_file}"
            ))
        })?;
        let row: Vec<f64> = columns
            .iter()
            .map(|c| c.get(r).copied().unwrap_or(f64::NAN))
            .collect();
        let sum: f64 = row.iter().sum();
        if !(sum > 0.0 && sum.is_finite()) || row.iter().any(|w| *w < 0.0) || !y.is_finite() {
            return Err(Error::input(format!(
                "regmix {name}: index {index}: weights must be >= 0 with a positive sum, and the loss finite"
            )));
        }
        runs.h.extend(row.iter().map(|w| w / sum));
        runs.y.push(y);
    }
    Ok(RegmixRuns { domains, runs })
}
