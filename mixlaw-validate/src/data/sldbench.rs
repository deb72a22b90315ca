//! SLDBench's domain-mixture runs of Ye et al. (`sldbench/domain_mixture_all_models_data.json`),
//! read by `sldbench-mixture` and `ye-mixing`.

use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use mixlaw_fit::owned::Runs;

use crate::error::Error;
use crate::json::Json;

/// Model sizes of the benchmark, in the JSON's naming.
pub const SIZES: [&str; 4] = ["70M", "160M", "305M", "410M"];

/// The 5 training / validation domain groups, in the order of `proportions` and `loss`.
pub const GROUPS: [&str; 5] = ["academic", "prose", "dialogue", "symbolic", "internet"];

/// Training tokens of every run: step 30000 x 1,048,576 tokens (only `bimix` reads D).
const TOKENS: f64 = 30_000.0 * 1_048_576.0;

/// One mixture's run: proportions h and the loss on each group.
#[derive(Clone, Debug, PartialEq)]
pub struct Mixture {
    /// Training proportions (5).
    pub h: Vec<f64>,
    /// Validation loss per group (5).
    pub loss: Vec<f64>,
}

/// One model size's SLDBench split.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// The size's name, e.g. `70M`.
    pub size: String,
    /// The 20 `train` mixtures.
    pub train: Vec<Mixture>,
    /// The 6 `eval` mixtures.
    pub eval: Vec<Mixture>,
}

fn array<'a>(v: Option<&'a Json>, what: &str) -> Result<&'a [Json], Error> {
    match v {
        Some(Json::Array(items)) => Ok(items),
        _ => Err(Error::input(format!("{what}: expected an array"))),
    }
}

fn numbers(v: Option<&Json>, what: &str) -> Result<Vec<f64>, Error> {
    array(v, what)?
        .iter()
        .map(|x| {
            x.as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| Error::input(format!("{what}: expected finite numbers")))
        })
        .collect()
}

/// Reads the SLDBench JSON file under `data` and returns the splits of `sizes`.
pub fn load(data: &Path, sizes: &[&str]) -> Result<Vec<Split>, Error> {
    let path = data.join("sldbench/domain_mixture_all_models_data.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display())))?;
    let json =
        crate::json::parse(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    let mut out = Vec::with_capacity(sizes.len());
    for &size in sizes {
        let entry = json
            .get(size)
            .ok_or_else(|| Error::input(format!("{}: no size '{size}'", path.display())))?;
        let part = |name: &str| -> Result<Vec<Mixture>, Error> {
            let what = format!("{}: {size}.{name}", path.display());
            let points = array(entry.get(name), &what)?;
            let mut v = Vec::with_capacity(points.len());
            for (i, p) in points.iter().enumerate() {
                let what = format!("{what}[{i}]");
                let h = numbers(p.get("proportions"), &format!("{what}.proportions"))?;
                let loss = numbers(p.get("loss"), &format!("{what}.loss"))?;
                if h.len() != GROUPS.len() || loss.len() != GROUPS.len() {
                    return Err(Error::input(format!(
                        "{what}: expected {} proportions and losses",
                        GROUPS.len()
                    )));
                }
                if loss.iter().any(|&l| l <= 0.0) {
                    return Err(Error::input(format!("{what}: losses must be > 0")));
                }
                v.push(Mixture { h, loss });
            }
            if v.is_empty() {
                return Err(Error::input(format!("{what}: no mixtures")));
            }
            Ok(v)
        };
        out.push(Split {
            size: size.to_string(),
            train: part("train")?,
            eval: part("eval")?,
        });
    }
    Ok(out)
}

/// Runs of the mixtures `points` with target group `j` (D set to the fixed token count).
pub fn runs(points: &[&Mixture], j: usize) -> Runs {
    Runs {
        k: GROUPS.len(),
        h: points.iter().flat_map(|p| p.h.iter().copied()).collect(),
        n: None,
        d: Some(vec![TOKENS; points.len()]),
        u: None,
        y: points
            .iter()
            .map(|p| p.loss.get(j).copied().unwrap_or(f64::NAN))
            .collect(),
        ..Runs::default()
    }
}
