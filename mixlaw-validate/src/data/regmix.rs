//! RegMix's proxy-model runs (`regmix/`, Liu et al., ICLR 2025, sail-sg/regmix `data/`): a
//! mixture file and a loss file per split, joined on their `index` column (not a row number;
//! the 1B files start at 0). Mixtures are the 17 `train_the_pile_<domain>` weights, rounded
//! to 3 decimals in the files (rows sum to 1 +- 0.004) and rescaled here to sum 1 exactly,
//! `h_i = w_i / sum_j w_j`; the loss is one `metric/the_pile_<domain>_val_loss` column.

use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_fit::owned::Runs;

use super::{join, read, Columns};
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
/// (e.g. [`PILE_CC`]): the inner join of the two files on `index` ([`join()`]), read as the
/// program reads joined files ([`super::load`], weights normalised); a mixture without a
/// loss row, a duplicated index or a mixture summing to 0 is an error.
pub fn load(data: &Path, split: Split, target: &str) -> Result<RegmixRuns, Error> {
    let (name, mix_file, loss_file) = split;
    let dir = data.join(FOLDER);
    let ctx = |file: &str, e: Error| Error::input(format!("regmix {name} ({file}): {e}"));
    let mix = read(&dir.join(mix_file)).map_err(|e| ctx(mix_file, e))?;
    let loss = read(&dir.join(loss_file)).map_err(|e| ctx(loss_file, e))?;
    let (table, counts) = join(&mix, &loss, "index", (mix_file, loss_file))
        .map_err(|e| Error::input(format!("regmix {name}: {e}")))?;
    if counts.only_first > 0 {
        // Name the first mixture left out (the joined table keeps the mixture file's order).
        let key = |t: &super::Table, r: usize| {
            t.column("index")
                .ok()
                .and_then(|c| t.rows.get(r).and_then(|row| row.get(c)))
                .map(|v| v.trim().to_string())
        };
        let kept: Vec<String> = (0..table.rows.len())
            .filter_map(|r| key(&table, r))
            .collect();
        let first = (0..mix.rows.len())
            .filter_map(|r| key(&mix, r))
            .find(|k| !kept.contains(k))
            .unwrap_or_default();
        return Err(Error::input(format!(
            "regmix {name}: {} mixtures of {mix_file} have no row in {loss_file} (the first: index {first})",
            counts.only_first
        )));
    }
    let weights: Vec<String> = mix
        .headers
        .iter()
        .filter(|h| h.starts_with(WEIGHT_PREFIX))
        .cloned()
        .collect();
    if weights.is_empty() {
        return Err(Error::input(format!(
            "regmix {name} ({mix_file}): no {WEIGHT_PREFIX}* columns"
        )));
    }
    let domains = weights
        .iter()
        .map(|w| w[WEIGHT_PREFIX.len()..].to_string())
        .collect();
    let columns = Columns {
        weights,
        loss: Some(target.to_string()),
        normalize: true,
        ..Columns::default()
    };
    let loaded = super::load(&table, &columns, true).map_err(|e| ctx(mix_file, e))?;
    if loaded.skipped > 0 {
        return Err(Error::input(format!(
            "regmix {name} ({loss_file}): {} runs have no {target}",
            loaded.skipped
        )));
    }
    Ok(RegmixRuns {
        domains,
        runs: loaded.runs,
    })
}
