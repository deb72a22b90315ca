//! Cross-validated choice of a law (feature `std`): fit every candidate law on the
//! training part of each fold, score it on the held-out part, rank the laws by mean
//! held-out MRE (percent).
//!
//! Splits: K-fold over rows (deterministic shuffle for a seed), leave one group out
//! (e.g. one mixture with all its sizes and checkpoints), and leave the largest model
//! size out (train on N below the largest, test on the largest: the extrapolation a
//! scaling law is for).
//!
//! ```
//! use mixlaw_core::{laws::chinchilla::Chinchilla, Loss};
//! use mixlaw_fit::owned::{FitOptions, Runs};
//! use mixlaw_fit::select::{cross_validate, Split};
//!
//! let (mut n, mut d, mut y) = (vec![], vec![], vec![]);
//! for i in 0..30 {
//!     let (ni, di) = ((1 + i % 4) as f64 * 1e8, (1 + i) as f64 * 1e9);
//!     n.push(ni);
//!     d.push(di);
//!     y.push(1.8 + 0.5 * (ni / 1e9f64).powf(-0.35) + 2.0 * (di / 1e9f64).powf(-0.3));
//! }
//! let runs = Runs { n: Some(n), d: Some(d), y, ..Runs::default() };
//! let options = FitOptions { loss: Loss::Squared, ..FitOptions::default() }; // scales: automatic
//! let ranking = cross_validate(&[Chinchilla::new()], &runs, &Split::LeaveLargestN, &options, 1)?;
//! assert!(ranking[0].cv_mre < 1e-2 && ranking[0].folds == 1, "{ranking:?}");
//! # Ok::<(), mixlaw_core::Error>(())
//! ```

use std::collections::BTreeMap;
use std::vec::Vec;

use core::ops::ControlFlow;

use mixlaw_core::{Error, Law, LawExt};

use crate::owned::{fit, FitOptions, Runs};
use crate::rng::Rng;

/// How runs are split into training and held-out parts.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Split {
    /// K folds of rows after a deterministic shuffle.
    KFold {
        /// Number of folds (2..=rows).
        folds: usize,
        /// Shuffle seed.
        seed: u64,
    },
    /// One fold per group id (one id per row, e.g. from
    /// [`crate::bootstrap::group_ids`]): that group is held out.
    LeaveGroupOut(Vec<usize>),
    /// One fold: train on N below the largest model size, test on the largest.
    LeaveLargestN,
}

/// Training and held-out rows of one fold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    /// Rows to fit on.
    pub train: Vec<usize>,
    /// Rows to score.
    pub test: Vec<usize>,
}

/// The folds of `split` over `runs`.
pub fn folds(runs: &Runs, split: &Split) -> Result<Vec<Fold>, Error> {
    let rows = runs.rows();
    if rows == 0 {
        return Err(Error::Empty);
    }
    let complement = |test: &[bool]| -> Fold {
        let (mut train, mut held) = (Vec::new(), Vec::new());
        for (r, &t) in test.iter().enumerate() {
            if t {
                held.push(r);
            } else {
                train.push(r);
            }
        }
        Fold { train, test: held }
    };
    match split {
        Split::KFold { folds, seed } => {
            if *folds < 2 || *folds > rows {
                return Err(Error::InvalidConfig {
                    what: "K-fold needs 2 <= K <= rows",
                });
            }
            // Fisher-Yates with the crate's generator.
            let mut order: Vec<usize> = (0..rows).collect();
            let mut rng = Rng::new(*seed);
            for i in (1..rows).rev() {
                let j = ((rng.next_f64() * (i + 1) as f64) as usize).min(i);
                order.swap(i, j);
            }
            Ok((0..*folds)
                .map(|f| {
                    let mut test = std::vec![false; rows];
                    for (pos, &r) in order.iter().enumerate() {
                        if pos % folds == f {
                            if let Some(t) = test.get_mut(r) {
                                *t = true;
                            }
                        }
                    }
                    complement(&test)
                })
                .collect())
        }
        Split::LeaveGroupOut(ids) => {
            if ids.len() != rows {
                return Err(Error::LengthMismatch {
                    what: "group ids",
                    expected: rows,
                    found: ids.len(),
                });
            }
            let mut distinct: BTreeMap<usize, ()> = BTreeMap::new();
            for &g in ids {
                distinct.insert(g, ());
            }
            if distinct.len() < 2 {
                return Err(Error::InvalidConfig {
                    what: "leaving a group out needs at least two groups",
                });
            }
            Ok(distinct
                .keys()
                .map(|&g| complement(&ids.iter().map(|&i| i == g).collect::<Vec<_>>()))
                .collect())
        }
        Split::LeaveLargestN => {
            let n = runs.n.as_ref().ok_or(Error::MissingInput { what: "N" })?;
            let largest = n.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let fold = complement(&n.iter().map(|&x| x >= largest).collect::<Vec<_>>());
            if fold.train.is_empty() {
                return Err(Error::InvalidConfig {
                    what: "leaving the largest N out needs runs at two model sizes",
                });
            }
            Ok(std::vec![fold])
        }
    }
}

/// One law's cross-validated score.
#[derive(Clone, Debug, PartialEq)]
pub struct Score<L> {
    /// The law.
    pub law: L,
    /// Held-out MRE (percent) of every fold, in fold order (NaN where the fit failed).
    pub fold_mre: Vec<f64>,
    /// Mean held-out MRE over the folds that succeeded (percent; `+inf` if none did).
    pub cv_mre: f64,
    /// Its spread: the sample standard deviation over folds; with a single fold, that of
    /// the held-out rows' relative errors (percent).
    pub cv_mre_sd: f64,
    /// Mean held-out root mean squared error over the folds that succeeded (`+inf` if none
    /// did).
    pub cv_rmse: f64,
    /// Mean held-out Spearman rank correlation over the folds where it is defined (`None`
    /// when it is defined on none: e.g. folds of one row).
    pub cv_spearman: Option<f64>,
    /// Mean held-out Kendall tau-b, as `cv_spearman`.
    pub cv_kendall: Option<f64>,
    /// Folds scored.
    pub folds: usize,
    /// Folds whose fit or prediction failed.
    pub failed: usize,
}

/// Cross-validates every law of `laws` on `runs` under `split`, fitting with `options`
/// (each law sees only the inputs it reads), on `threads` threads (0: every core).
/// Returns the scores best first (lowest mean held-out MRE; failed laws last).
pub fn cross_validate<L>(
    laws: &[L],
    runs: &Runs,
    split: &Split,
    options: &FitOptions,
    threads: usize,
) -> Result<Vec<Score<L>>, Error>
where
    L: Law + Clone + Send + Sync,
{
    if laws.is_empty() {
        return Err(Error::InvalidConfig {
            what: "no law to cross-validate",
        });
    }
    let folds = folds(runs, split)?;
    let per_law: Vec<Runs> = laws.iter().map(|l| runs.only_inputs(l.inputs())).collect();
    for (law, r) in laws.iter().zip(&per_law) {
        r.dataset()?;
        law.check_inputs(r.dataset()?.inputs())?;
    }
    let jobs = laws.len() * folds.len();
    // The folds run in parallel: each fit's starts on one thread (same result, see
    // `FitOptions::threads`).
    let options = &FitOptions {
        threads: 1,
        ..options.clone()
    };
    // (MRE %, sd of the rows' relative errors %, Spearman, Kendall, RMSE) of one (law, fold).
    type Job = (f64, f64, Option<f64>, Option<f64>, f64);
    let job = |j: usize| -> Option<Job> {
        let (l, f) = (j / folds.len(), j % folds.len());
        let (law, data, fold) = (laws.get(l)?, per_law.get(l)?, folds.get(f)?);
        let train = data.select(&fold.train);
        let test = data.select(&fold.test);
        let fitted = fit(law.clone(), &train, options, |_| ControlFlow::Continue(())).ok()?;
        let pred = fitted.predict(&test).ok()?;
        // Over the entries with a positive weight (every run for a one-output law; the
        // unmasked losses of a capacity law).
        let (pred, obs) = test.scored_pairs(&pred);
        let rel: Vec<f64> = pred
            .iter()
            .zip(&obs)
            .map(|(p, y)| 100.0 * ((p - y) / y).abs())
            .collect();
        let (mean, sd) = mean_sd(&rel)?;
        let ranks = crate::owned::score(&pred, &obs).ok();
        let spearman = ranks.as_ref().and_then(|m| m.spearman);
        let kendall = ranks.as_ref().and_then(|m| m.kendall);
        let rmse = ranks.as_ref().map_or(f64::INFINITY, |m| m.rmse);
        (mean.is_finite() && sd.is_finite()).then_some((mean, sd, spearman, kendall, rmse))
    };
    let results = crate::par::map(jobs, threads, job);
    let mut scores: Vec<Score<L>> = laws
        .iter()
        .enumerate()
        .map(|(l, law)| {
            let per_fold: Vec<Option<Job>> = results
                .iter()
                .skip(l * folds.len())
                .take(folds.len())
                .copied()
                .collect();
            let ok: Vec<f64> = per_fold.iter().flatten().map(|j| j.0).collect();
            let mean_of = |v: Vec<f64>| mean_sd(&v).map(|(m, _)| m);
            let cv_spearman = mean_of(per_fold.iter().flatten().filter_map(|j| j.2).collect());
            let cv_kendall = mean_of(per_fold.iter().flatten().filter_map(|j| j.3).collect());
            let cv_rmse = mean_of(per_fold.iter().flatten().map(|j| j.4).collect())
                .filter(|r| r.is_finite())
                .unwrap_or(f64::INFINITY);
            let (cv_mre, cv_mre_sd) = match (ok.len(), per_fold.first()) {
                (0, _) => (f64::INFINITY, 0.0),
                (1, Some(Some((m, sd, ..)))) if folds.len() == 1 => (*m, *sd),
                _ => mean_sd(&ok).unwrap_or((f64::INFINITY, 0.0)),
            };
            Score {
                law: law.clone(),
                fold_mre: per_fold
                    .iter()
                    .map(|r| r.map_or(f64::NAN, |j| j.0))
                    .collect(),
                cv_mre,
                cv_mre_sd,
                cv_rmse,
                cv_spearman,
                cv_kendall,
                folds: folds.len(),
                failed: folds.len() - ok.len(),
            }
        })
        .collect();
    scores.sort_by(|a, b| a.cv_mre.total_cmp(&b.cv_mre));
    Ok(scores)
}

/// Mean and sample standard deviation (0 for one value); `None` when empty.
fn mean_sd(v: &[f64]) -> Option<(f64, f64)> {
    if v.is_empty() {
        return None;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        libm::sqrt(v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0))
    } else {
        0.0
    };
    Some((mean, sd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bootstrap::group_ids;
    use crate::BasinConfig;
    use mixlaw_core::{AnyLaw, Scales};
    use std::vec;

    fn options() -> FitOptions {
        FitOptions {
            scales: Some(Scales { n: 1e9, d: 1e9 }),
            basin: BasinConfig {
                starts: 4,
                hops: 2,
                ..BasinConfig::default()
            },
            ..FitOptions::default()
        }
    }

    #[test]
    fn folds_partition_the_rows() {
        let (train, _, _) = crate::testdata::mixture_runs("additive");
        let rows = train.rows();
        let ids = group_ids(&train, false);
        for split in [
            Split::KFold { folds: 5, seed: 1 },
            Split::LeaveGroupOut(ids.clone()),
            Split::LeaveLargestN,
        ] {
            let fs = folds(&train, &split).unwrap();
            for f in &fs {
                assert_eq!(f.train.len() + f.test.len(), rows);
                assert!(!f.test.is_empty() && !f.train.is_empty());
                assert!(f.test.iter().all(|r| !f.train.contains(r)));
            }
            if !matches!(split, Split::LeaveLargestN) {
                // Every row is held out exactly once.
                let mut seen = vec![0; rows];
                fs.iter().flat_map(|f| &f.test).for_each(|&r| seen[r] += 1);
                assert!(seen.iter().all(|&c| c == 1), "{split:?}");
            }
        }
        // Leave-largest-N tests exactly the largest size.
        let f = &folds(&train, &Split::LeaveLargestN).unwrap()[0];
        let n = train.n.as_ref().unwrap();
        assert!(f.test.iter().all(|&r| n[r] == 1.2e8) && f.train.iter().all(|&r| n[r] < 1.2e8));
        // Groups are held out whole.
        for f in folds(&train, &Split::LeaveGroupOut(ids.clone())).unwrap() {
            let g = ids[f.test[0]];
            assert!(f.test.iter().all(|&r| ids[r] == g));
            assert!(f.train.iter().all(|&r| ids[r] != g));
        }
        // K-fold is deterministic for a seed and differs across seeds.
        let a = folds(&train, &Split::KFold { folds: 4, seed: 7 }).unwrap();
        assert_eq!(
            a,
            folds(&train, &Split::KFold { folds: 4, seed: 7 }).unwrap()
        );
        assert_ne!(
            a,
            folds(&train, &Split::KFold { folds: 4, seed: 8 }).unwrap()
        );
        for bad in [
            Split::KFold { folds: 1, seed: 0 },
            Split::KFold {
                folds: rows + 1,
                seed: 0,
            },
            Split::LeaveGroupOut(vec![0; rows]),
            Split::LeaveGroupOut(vec![0; 3]),
        ] {
            assert!(folds(&train, &bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_true_law_ranks_first() {
        // Runs generated from the joint law (mixture-dependent exponents of N and D):
        // extrapolating to a 5x larger model, the joint law must beat the additive law and
        // the laws without N or D.
        let (train, eval, _) = crate::testdata::mixture_runs("joint");
        let mut all = train.clone();
        all.h.extend_from_slice(&eval.h);
        all.y.extend_from_slice(&eval.y);
        for (a, b) in [(&mut all.n, &eval.n), (&mut all.d, &eval.d)] {
            if let (Some(a), Some(b)) = (a.as_mut(), b.as_ref()) {
                a.extend_from_slice(b);
            }
        }
        let laws: Vec<AnyLaw> = ["additive-nd", "joint", "additive", "linear"]
            .iter()
            .map(|n| AnyLaw::new(n, 3, None).unwrap())
            .collect();
        let ranking = cross_validate(&laws, &all, &Split::LeaveLargestN, &options(), 2).unwrap();
        let names: Vec<&str> = ranking.iter().map(|s| s.law.name()).collect();
        assert_eq!(names[0], "joint", "{ranking:?}");
        assert!(
            ranking[0].cv_mre < 1.5 && ranking[2].cv_mre > 10.0,
            "{ranking:?}"
        );
        assert!(ranking.windows(2).all(|w| w[0].cv_mre <= w[1].cv_mre));
        assert!(ranking.iter().all(|s| s.failed == 0 && s.cv_mre_sd > 0.0));
        // K-fold: one MRE per fold, the spread is their standard deviation.
        let kfold = cross_validate(
            &laws[..2],
            &train,
            &Split::KFold { folds: 3, seed: 1 },
            &options(),
            0,
        )
        .unwrap();
        assert_eq!(kfold[0].law.name(), "joint");
        let s = &kfold[0];
        let (m, sd) = mean_sd(&s.fold_mre).unwrap();
        assert_eq!(s.fold_mre.len(), 3);
        assert!((s.cv_mre - m).abs() < 1e-12 && (s.cv_mre_sd - sd).abs() < 1e-12);
        // The true law orders the held-out runs almost perfectly; the rank metrics are
        // correlations in [-1, 1] and the RMSE is in loss units.
        let (rho, tau) = (s.cv_spearman.unwrap(), s.cv_kendall.unwrap());
        assert!(
            rho > 0.95 && rho <= 1.0 && tau > 0.85 && tau <= 1.0,
            "{s:?}"
        );
        assert!(s.cv_rmse > 0.0 && s.cv_rmse < 0.1, "{s:?}");
        assert!(kfold[1].cv_spearman.unwrap() < rho, "{kfold:?}");
    }

    #[test]
    fn a_law_needing_a_missing_input_is_an_error() {
        let (train, _, _) = crate::testdata::mixture_runs("additive");
        let dc = [AnyLaw::new("data-constrained", 0, None).unwrap()];
        assert!(cross_validate(&dc, &train, &Split::LeaveLargestN, &options(), 1).is_err());
        let none: [AnyLaw; 0] = [];
        assert!(cross_validate(&none, &train, &Split::LeaveLargestN, &options(), 1).is_err());
    }
}
