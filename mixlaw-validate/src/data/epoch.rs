//! Epoch AI's Chinchilla points (`epoch_chinchilla/`), read by `epoch-chinchilla`,
//! `epoch-bootstrap` and `scalefit-chinchilla`.

use std::format;
use std::path::Path;
use std::vec::Vec;

use mixlaw_fit::owned::Runs;

use super::Columns;
use crate::error::Error;

/// Epoch's data file, relative to the data folder.
pub const DATA_FILE: &str = "epoch_chinchilla/svg_extracted_data.csv";

/// Points kept after dropping the 5 highest losses.
pub const POINTS: usize = 240;

/// The Epoch points (N, D = C / 6N, loss), 5 highest losses dropped, in file order.
pub fn load_points(data: &Path) -> Result<Runs, Error> {
    let table = super::read(&data.join(DATA_FILE))?;
    let cols = Columns {
        loss: Some("loss".into()),
        n: Some("Model Size".into()),
        d: Some("Training FLOP".into()),
        ..Columns::default()
    };
    let loaded = super::load(&table, &cols, true)?;
    let mut runs = loaded.runs;
    // D = C / (6 N).
    if let (Some(n), Some(d)) = (&runs.n, &mut runs.d) {
        for (d, &n) in d.iter_mut().zip(n) {
            *d /= 6.0 * n;
        }
    }
    let mut sorted = runs.y.clone();
    sorted.sort_by(f64::total_cmp);
    let Some(&cut) = sorted.len().checked_sub(5).and_then(|i| sorted.get(i)) else {
        return Err(Error::input(format!("{DATA_FILE}: fewer than 5 points")));
    };
    let keep: Vec<usize> = (0..runs.rows())
        .filter(|&r| runs.y.get(r).is_some_and(|&y| y < cut))
        .collect();
    Ok(runs.select(&keep))
}

/// [`load_points`], checked to hold Epoch's [`POINTS`] points.
pub fn load_240(data: &Path) -> Result<Runs, Error> {
    let runs = load_points(data)?;
    if runs.rows() != POINTS {
        return Err(Error::input(format!(
            "{DATA_FILE}: expected {POINTS} points after dropping the 5 highest losses, found {}",
            runs.rows()
        )));
    }
    Ok(runs)
}
