//! Where the training runs were: the training support of a fitted law, exact convex-hull
//! membership, and the extrapolation report of a proposed mixture.
//!
//! A law fitted on mixtures that never give a domain more than 5 % says little about a
//! mixture that gives it 99 %. [`TrainingSupport`] keeps, from the training mixtures, the
//! per-domain extremes `min_weight_i`, `max_weight_i` and the distinct mixtures themselves
//! (up to a caller capacity); [`TrainingSupport::contains`] decides exactly whether a mixture
//! is a convex combination of them; [`Extrapolation`] turns a solution and the supports into
//! data: the domains above their training maximum, the largest ratio `h*_i / max_weight_i`,
//! hull membership and a list of [`Warning`]s (the rules of `cli.md`, "Decisions that say
//! when they extrapolate").
//!
//! ```
//! use mixlaw_opt::support::{Extrapolation, TrainingSupport, Warning};
//! // Three training mixtures of k = 3 domains.
//! let runs = [0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.3, 0.3, 0.4];
//! let mut storage = [0.0; TrainingSupport::storage_len(3, 8)];
//! let support = TrainingSupport::from_mixtures(3, &runs, &mut storage)?;
//! assert_eq!(support.max_weight(), &[0.6, 0.5, 0.4]);
//! let mut work = vec![0.0; support.hull_workspace_len()];
//! // The centroid of the runs is inside their hull; a corner is not.
//! assert!(support.contains(&[11.0 / 30.0, 11.0 / 30.0, 8.0 / 30.0], &mut work)?.inside);
//! let h = [0.95, 0.05, 0.0];
//! let hull = support.contains(&h, &mut work)?;
//! assert!(!hull.inside && hull.margin > 0.3);
//! let report = Extrapolation::new(&h, support.min_weight(), support.max_weight(), Some(!hull.inside))?;
//! assert_eq!(report.above_max().collect::<Vec<_>>(), [0]);
//! assert!(report.warnings().any(|w| matches!(w, Warning::NearOneHot { domain: 0, .. })));
//! # Ok::<(), mixlaw_opt::Error>(())
//! ```

use core::fmt;

use crate::Error;

/// Tolerance of every extrapolation decision: a weight above `max_weight_i + 1e-9` is above
/// the training range, and a mixture within `1e-9` (sum of absolute deviations) of the
/// training hull is inside it.
pub const EXTRAPOLATION_TOLERANCE: f64 = 1e-9;

/// A largest weight above this makes an answer "near one-hot".
pub const NEAR_ONE_HOT: f64 = 0.9;

/// The training support of a fit: per-domain minimum and maximum training weight and the
/// distinct training mixtures (row-major, `k` per mixture), up to a capacity.
///
/// Borrowed views: built into a caller buffer by [`TrainingSupport::from_mixtures`], or
/// from stored parts (a params file) by [`TrainingSupport::from_parts`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainingSupport<'a> {
    k: usize,
    rows: usize,
    min_weight: &'a [f64],
    max_weight: &'a [f64],
    mixtures: &'a [f64],
    complete: bool,
}

impl<'a> TrainingSupport<'a> {
    /// Length of the storage for `k` domains and up to `capacity` distinct mixtures:
    /// `(2 + capacity) k`.
    pub const fn storage_len(k: usize, capacity: usize) -> usize {
        (2 + capacity) * k
    }

    /// The support of the training `mixtures` (row-major, `k` per row; finite, >= 0; they
    /// need not sum to 1 exactly): extremes over every row, and the distinct rows in order of
    /// first appearance, as many as `storage` holds (`storage.len() / k - 2`; see
    /// [`TrainingSupport::complete`]). Distinct means not equal in every weight
    /// (`-0.0 == 0.0`); the scan costs `O(rows x distinct)` comparisons.
    ///
    /// Errors: `k = 0`, no rows, a length not a multiple of `k`, a negative or non-finite
    /// weight, `storage` shorter than `2k`.
    pub fn from_mixtures(
        k: usize,
        mixtures: &[f64],
        storage: &'a mut [f64],
    ) -> Result<Self, Error> {
        let rows = check_rows(k, mixtures)?;
        if storage.len() < 2 * k {
            return Err(Error::BufferTooSmall {
                needed: 2 * k,
                found: storage.len(),
            });
        }
        let capacity = storage.len() / k - 2;
        let (extremes, set) = storage.split_at_mut(2 * k);
        let (lo, hi) = extremes.split_at_mut(k);
        lo.fill(f64::INFINITY);
        hi.fill(f64::NEG_INFINITY);
        let mut distinct = 0;
        let mut complete = true;
        for row in mixtures.chunks_exact(k) {
            for ((l, u), &v) in lo.iter_mut().zip(hi.iter_mut()).zip(row) {
                *l = l.min(v);
                *u = u.max(v);
            }
            let stored = set.get(..distinct * k).unwrap_or(&[]);
            if stored.chunks_exact(k).any(|s| s == row) {
                continue;
            }
            match set.get_mut(distinct * k..(distinct + 1) * k) {
                Some(slot) if distinct < capacity => {
                    slot.copy_from_slice(row);
                    // -0.0 stored as 0.0, so equal mixtures compare equal bitwise too.
                    slot.iter_mut().for_each(|v| *v += 0.0);
                    distinct += 1;
                }
                _ => complete = false,
            }
        }
        let (lo, hi) = (&*lo, &*hi);
        let set = &*set;
        Ok(TrainingSupport {
            k,
            rows,
            min_weight: lo,
            max_weight: hi,
            mixtures: set.get(..distinct * k).unwrap_or(&[]),
            complete,
        })
    }

    /// A support from stored parts: `rows` training rows, the per-domain extremes and the
    /// stored distinct `mixtures` (row-major, `k = min_weight.len()` per row; may be empty
    /// when only the extremes were kept, then [`TrainingSupport::contains`] fails), `complete`
    /// when they are all the distinct training mixtures.
    ///
    /// Errors: `k = 0`, lengths, weights negative or not finite, `min > max`, a stored
    /// mixture outside the extremes.
    pub fn from_parts(
        rows: usize,
        min_weight: &'a [f64],
        max_weight: &'a [f64],
        mixtures: &'a [f64],
        complete: bool,
    ) -> Result<Self, Error> {
        let k = min_weight.len();
        if k == 0 {
            return Err(Error::Empty);
        }
        if max_weight.len() != k {
            return Err(Error::LengthMismatch {
                what: "max_weight",
                expected: k,
                found: max_weight.len(),
            });
        }
        for (i, (&l, &u)) in min_weight.iter().zip(max_weight).enumerate() {
            if !(l >= 0.0 && l.is_finite() && u.is_finite() && l <= u) {
                return Err(Error::InvalidInput {
                    what: "training support extremes (0 <= min <= max)",
                    index: i,
                });
            }
        }
        if !mixtures.is_empty() {
            check_rows(k, mixtures)?;
        }
        for (r, row) in mixtures.chunks_exact(k).enumerate() {
            let inside = row
                .iter()
                .zip(min_weight.iter().zip(max_weight))
                .all(|(&v, (&l, &u))| v >= l && v <= u);
            if !inside {
                return Err(Error::InvalidInput {
                    what: "stored training mixture outside the extremes",
                    index: r,
                });
            }
        }
        Ok(TrainingSupport {
            k,
            rows,
            min_weight,
            max_weight,
            mixtures,
            complete,
        })
    }

    /// Number of domains k.
    pub fn domains(&self) -> usize {
        self.k
    }

    /// Number of training rows the support was built from.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Smallest training weight of each domain.
    pub fn min_weight(&self) -> &'a [f64] {
        self.min_weight
    }

    /// Largest training weight of each domain (0 for a domain never trained on).
    pub fn max_weight(&self) -> &'a [f64] {
        self.max_weight
    }

    /// The stored distinct mixtures, row-major.
    pub fn mixtures(&self) -> &'a [f64] {
        self.mixtures
    }

    /// Number of stored distinct mixtures.
    pub fn distinct(&self) -> usize {
        self.mixtures.len() / self.k
    }

    /// Whether every distinct training mixture is stored (else the capacity cut the list,
    /// and the hull of the stored ones is smaller than the training hull: membership is
    /// then conservative, never claiming inside wrongly).
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// Length of the workspace of [`TrainingSupport::contains`]:
    /// `m + k + (k + 1) + (k + 2)(m + 2k + 1)` for `m` stored mixtures.
    pub fn hull_workspace_len(&self) -> usize {
        let (m, k) = (self.distinct(), self.k);
        m + k + (k + 1) + (k + 2) * (m + 2 * k + 1)
    }

    /// Whether `h` is a convex combination of the stored mixtures, to
    /// [`EXTRAPOLATION_TOLERANCE`]: decided exactly by the linear program
    ///
    /// ```text
    /// distance = min { ||V lambda - h||_1 : lambda >= 0, sum_j lambda_j = 1 }
    /// ```
    ///
    /// (`V` the stored mixtures as columns), solved by a dense phase-1 simplex method with
    /// Bland's rule (no cycling) in `work` ([`TrainingSupport::hull_workspace_len`]).
    /// Both certificates are written back and verified in plain arithmetic:
    /// `work[..m]` holds convex weights `lambda` whose residual `||V lambda - h||_1` is
    /// [`HullMembership::residual`] (an upper bound on the distance); `work[m..m + k]`
    /// holds the normal `y` (`|y_i| <= 1`) of the separating hyperplane
    /// `y . x = max_j y . v_j`, whose margin `y . h - max_j y . v_j` is
    /// [`HullMembership::margin`] (a lower bound: every point of the hull is at least that
    /// far from `h` in the 1-norm). `h` is inside when the residual is at most the
    /// tolerance; the method stops as soon as it is.
    ///
    /// Errors: `h` of the wrong length or not finite, no stored mixtures, a short `work`,
    /// [`Error::Numerical`] if the method does not terminate within its iteration cap.
    pub fn contains(&self, h: &[f64], work: &mut [f64]) -> Result<HullMembership, Error> {
        hull_membership(self.mixtures, self.k, h, work)
    }

    /// The intersection of several supports' extremes (several fitted laws decide one
    /// mixture): `min_out_i` the largest `min_weight_i`, `max_out_i` the smallest
    /// `max_weight_i` over `supports`. (The intersection may be empty in a domain,
    /// `min > max`; the report then flags every value there.)
    pub fn intersect(
        supports: &[TrainingSupport<'_>],
        min_out: &mut [f64],
        max_out: &mut [f64],
    ) -> Result<(), Error> {
        let first = supports.first().ok_or(Error::Empty)?;
        let k = first.k;
        for (what, len) in [("min_out", min_out.len()), ("max_out", max_out.len())] {
            if len != k {
                return Err(Error::LengthMismatch {
                    what,
                    expected: k,
                    found: len,
                });
            }
        }
        min_out.fill(f64::NEG_INFINITY);
        max_out.fill(f64::INFINITY);
        for s in supports {
            if s.k != k {
                return Err(Error::LengthMismatch {
                    what: "domains of a training support",
                    expected: k,
                    found: s.k,
                });
            }
            for ((l, u), (&sl, &su)) in min_out
                .iter_mut()
                .zip(max_out.iter_mut())
                .zip(s.min_weight.iter().zip(s.max_weight))
            {
                *l = l.max(sl);
                *u = u.min(su);
            }
        }
        Ok(())
    }
}

/// Checks a row-major block of mixtures; returns the row count.
fn check_rows(k: usize, mixtures: &[f64]) -> Result<usize, Error> {
    if k == 0 || mixtures.is_empty() {
        return Err(Error::Empty);
    }
    if mixtures.len() % k != 0 {
        return Err(Error::LengthMismatch {
            what: "training mixtures (a multiple of k)",
            expected: (mixtures.len() / k + 1) * k,
            found: mixtures.len(),
        });
    }
    if let Some(i) = mixtures.iter().position(|v| !(*v >= 0.0 && v.is_finite())) {
        return Err(Error::InvalidInput {
            what: "training mixture weight",
            index: i,
        });
    }
    Ok(mixtures.len() / k)
}

/// The result of [`TrainingSupport::contains`]: the decision and the two verified bounds
/// `margin <= distance(h, hull) <= residual` (1-norm).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HullMembership {
    /// `residual <= EXTRAPOLATION_TOLERANCE`.
    pub inside: bool,
    /// `||V lambda - h||_1` of the convex weights written to the workspace.
    pub residual: f64,
    /// `y . h - max_j y . v_j` of the hyperplane normal written to the workspace (`<= 0`
    /// when the method stopped early inside).
    pub margin: f64,
    /// Simplex pivots taken.
    pub pivots: usize,
}

/// Reduced costs below `-REDUCED_TOL` improve the phase-1 objective.
const REDUCED_TOL: f64 = 1e-12;
/// Smallest pivot element accepted by the ratio test.
const PIVOT_TOL: f64 = 1e-12;

/// The phase-1 simplex of [`TrainingSupport::contains`].
///
/// Tableau: rows `0..k` are `sum_j v_ji lambda_j + a+_i - a-_i = h_i`, row `k` is
/// `sum_j lambda_j = 1`, row `k + 1` the reduced costs (cost 1 on every `a+-`, 0 on
/// `lambda`); columns `lambda_0..m`, `a+_0..k`, `a-_0..k`, right-hand side. The starting
/// basis is the stored mixture nearest `h` (row `k`) and, per domain, whichever of `a+_i`,
/// `a-_i` makes the residual non-negative.
fn hull_membership(
    points: &[f64],
    k: usize,
    h: &[f64],
    work: &mut [f64],
) -> Result<HullMembership, Error> {
    let m = points.len() / k.max(1);
    if m == 0 || k == 0 {
        return Err(Error::Empty);
    }
    if h.len() != k {
        return Err(Error::LengthMismatch {
            what: "h",
            expected: k,
            found: h.len(),
        });
    }
    if let Some(i) = h.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidInput {
            what: "h",
            index: i,
        });
    }
    let w = m + 2 * k + 1;
    let needed = m + k + (k + 1) + (k + 2) * w;
    if work.len() < needed {
        return Err(Error::BufferTooSmall {
            needed,
            found: work.len(),
        });
    }
    let (lambda, rest) = work.split_at_mut(m);
    let (normal, rest) = rest.split_at_mut(k);
    // Basic variable of each row, as exact small integers.
    let (basis, rest) = rest.split_at_mut(k + 1);
    let tab = rest.get_mut(..(k + 2) * w).unwrap_or(&mut []);
    let rhs = w - 1;
    let point = |j: usize| points.get(j * k..(j + 1) * k).unwrap_or(&[]);

    // Start from the nearest stored mixture.
    let l1 = |p: &[f64]| p.iter().zip(h).map(|(a, b)| (a - b).abs()).sum::<f64>();
    let mut j0 = 0;
    let mut best = f64::INFINITY;
    for j in 0..m {
        let d = l1(point(j));
        if d < best {
            best = d;
            j0 = j;
        }
    }
    let v0 = point(j0);
    tab.fill(0.0);
    {
        let mut rows = tab.chunks_exact_mut(w);
        for (i, (b, (&hi, &v0i))) in basis.iter_mut().zip(h.iter().zip(v0)).enumerate() {
            let row = rows.next().unwrap_or(&mut []);
            for (j, t) in row.iter_mut().take(m).enumerate() {
                *t = point(j).get(i).copied().unwrap_or(0.0) - v0i;
            }
            let r = hi - v0i;
            let sign = if r < 0.0 { -1.0 } else { 1.0 };
            if let Some(t) = row.get_mut(m + i) {
                *t = 1.0;
            }
            if let Some(t) = row.get_mut(m + k + i) {
                *t = -1.0;
            }
            if let Some(t) = row.get_mut(rhs) {
                *t = r;
            }
            if sign < 0.0 {
                row.iter_mut().for_each(|t| *t = -*t);
            }
            *b = if sign < 0.0 { m + k + i } else { m + i } as f64;
        }
        let row = rows.next().unwrap_or(&mut []);
        row.iter_mut().take(m).for_each(|t| *t = 1.0);
        if let Some(t) = row.get_mut(rhs) {
            *t = 1.0;
        }
        if let Some(b) = basis.get_mut(k) {
            *b = j0 as f64;
        }
    }
    // Reduced costs: c_j minus the sum of the domain rows (their basics cost 1).
    {
        let (body, cost) = tab.split_at_mut((k + 1) * w);
        for (j, c) in cost.iter_mut().enumerate() {
            let cj = if j >= m && j < rhs { 1.0 } else { 0.0 };
            let s: f64 = body
                .chunks_exact(w)
                .take(k)
                .map(|row| row.get(j).copied().unwrap_or(0.0))
                .sum();
            *c = cj - s;
        }
    }

    let tol = EXTRAPOLATION_TOLERANCE;
    let max_pivots = 50 * (w + 10);
    let mut pivots = 0;
    loop {
        let cost = tab.get((k + 1) * w..).unwrap_or(&[]);
        let objective = -cost.get(rhs).copied().unwrap_or(0.0);
        if objective <= 0.25 * tol {
            break;
        }
        // Bland: the first improving column enters ...
        let Some(e) = cost.iter().take(rhs).position(|&d| d < -REDUCED_TOL) else {
            break;
        };
        // ... and the row of the smallest ratio leaves, ties to the smallest basic index.
        let mut leave: Option<(usize, f64, f64)> = None;
        for (r, row) in tab.chunks_exact(w).take(k + 1).enumerate() {
            let a = row.get(e).copied().unwrap_or(0.0);
            if a > PIVOT_TOL {
                let ratio = row.get(rhs).copied().unwrap_or(0.0).max(0.0) / a;
                let b = basis.get(r).copied().unwrap_or(f64::INFINITY);
                let better = match leave {
                    None => true,
                    Some((_, best, bb)) => ratio < best || (ratio == best && b < bb),
                };
                if better {
                    leave = Some((r, ratio, b));
                }
            }
        }
        let Some((p, _, _)) = leave else {
            // Unbounded descent is impossible (the objective is >= 0): rounding broke the
            // tableau.
            return Err(Error::Numerical {
                what: "hull membership: unbounded phase-1 ray",
            });
        };
        pivot(tab, w, p, e);
        if let Some(b) = basis.get_mut(p) {
            *b = e as f64;
        }
        pivots += 1;
        if pivots > max_pivots {
            return Err(Error::Numerical {
                what: "hull membership: simplex iteration cap",
            });
        }
    }

    // Certificates, verified in plain arithmetic.
    lambda.fill(0.0);
    for (row, &b) in tab.chunks_exact(w).zip(basis.iter()) {
        let b = b as usize;
        if b < m {
            if let Some(l) = lambda.get_mut(b) {
                *l = row.get(rhs).copied().unwrap_or(0.0).max(0.0);
            }
        }
    }
    let total: f64 = lambda.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(Error::Numerical {
            what: "hull membership: no convex weights",
        });
    }
    lambda.iter_mut().for_each(|l| *l /= total);
    let mut residual = 0.0;
    for (i, &hi) in h.iter().enumerate() {
        let mut x = 0.0;
        for (j, &l) in lambda.iter().enumerate() {
            if l != 0.0 {
                x += l * point(j).get(i).copied().unwrap_or(0.0);
            }
        }
        residual += (x - hi).abs();
    }
    let cost = tab.get((k + 1) * w..).unwrap_or(&[]);
    for (i, y) in normal.iter_mut().enumerate() {
        *y = (1.0 - cost.get(m + i).copied().unwrap_or(1.0)).clamp(-1.0, 1.0);
    }
    let dot = |p: &[f64]| p.iter().zip(normal.iter()).map(|(a, b)| a * b).sum::<f64>();
    let support = (0..m)
        .map(|j| dot(point(j)))
        .fold(f64::NEG_INFINITY, f64::max);
    let margin = dot(h) - support;
    if !(residual.is_finite() && margin.is_finite()) {
        // Weights near f64::MAX overflow the certificates.
        return Err(Error::Numerical {
            what: "hull membership: certificates overflow",
        });
    }
    Ok(HullMembership {
        inside: residual <= tol,
        residual,
        margin,
        pivots,
    })
}

/// Gauss-Jordan pivot of the tableau (rows of width `w`) on row `p`, column `e`.
fn pivot(tab: &mut [f64], w: usize, p: usize, e: usize) {
    let (before, rest) = tab.split_at_mut(p * w);
    let (prow, after) = rest.split_at_mut(w.min(rest.len()));
    let a = prow.get(e).copied().unwrap_or(1.0);
    prow.iter_mut().for_each(|t| *t /= a);
    if let Some(t) = prow.get_mut(e) {
        *t = 1.0;
    }
    for row in before.chunks_exact_mut(w).chain(after.chunks_exact_mut(w)) {
        let f = row.get(e).copied().unwrap_or(0.0);
        if f != 0.0 {
            for (t, &q) in row.iter_mut().zip(prow.iter()) {
                *t -= f * q;
            }
            if let Some(t) = row.get_mut(e) {
                *t = 0.0;
            }
        }
    }
}

/// One reason not to trust a proposed mixture blindly.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Warning {
    /// `h_i` exceeds the largest training weight of the domain (by more than
    /// [`EXTRAPOLATION_TOLERANCE`]); `max = 0` for a domain never trained on.
    AboveTrainingMax {
        /// The domain.
        domain: usize,
        /// `h*_i`.
        value: f64,
        /// Its largest training weight.
        max: f64,
    },
    /// `h_i` is below the smallest training weight of the domain.
    BelowTrainingMin {
        /// The domain.
        domain: usize,
        /// `h*_i`.
        value: f64,
        /// Its smallest training weight.
        min: f64,
    },
    /// The largest weight exceeds [`NEAR_ONE_HOT`].
    NearOneHot {
        /// The dominant domain.
        domain: usize,
        /// Its weight.
        value: f64,
    },
    /// The mixture is not a convex combination of the training mixtures.
    OutsideHull,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Warning::AboveTrainingMax { domain, value, max } => write!(
                f,
                "domain {domain}: weight {value:.4} above its largest training weight {max:.4}"
            ),
            Warning::BelowTrainingMin { domain, value, min } => write!(
                f,
                "domain {domain}: weight {value:.4} below its smallest training weight {min:.4}"
            ),
            Warning::NearOneHot { domain, value } => write!(
                f,
                "near one-hot answer: domain {domain} has weight {value:.4} (> {NEAR_ONE_HOT})"
            ),
            Warning::OutsideHull => write!(
                f,
                "the mixture is not a convex combination of the training mixtures"
            ),
        }
    }
}

/// How far a proposed mixture `h*` leaves the training support: the data behind the
/// `"extrapolation"` object and the warnings of `optimize`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Extrapolation<'a> {
    h: &'a [f64],
    min_weight: &'a [f64],
    max_weight: &'a [f64],
    /// `Some(true)` when `h*` is outside the training hull (of any support), `None` when
    /// not decided (no stored mixtures).
    pub outside_hull: Option<bool>,
}

impl<'a> Extrapolation<'a> {
    /// The report for `h` against the extremes `min_weight`, `max_weight` (one support's,
    /// or [`TrainingSupport::intersect`] of several) and a hull decision made by
    /// [`TrainingSupport::contains`].
    ///
    /// Errors: lengths, non-finite entries.
    pub fn new(
        h: &'a [f64],
        min_weight: &'a [f64],
        max_weight: &'a [f64],
        outside_hull: Option<bool>,
    ) -> Result<Self, Error> {
        let k = h.len();
        for (what, len) in [
            ("min_weight", min_weight.len()),
            ("max_weight", max_weight.len()),
        ] {
            if len != k {
                return Err(Error::LengthMismatch {
                    what,
                    expected: k,
                    found: len,
                });
            }
        }
        for (what, v) in [
            ("h", h),
            ("min_weight", min_weight),
            ("max_weight", max_weight),
        ] {
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(Error::InvalidInput { what, index: i });
            }
        }
        Ok(Extrapolation {
            h,
            min_weight,
            max_weight,
            outside_hull,
        })
    }

    /// The whole report for `h` against one or several `supports` (several fitted laws
    /// deciding one mixture): their intersected extremes ([`TrainingSupport::intersect`],
    /// written to `extremes`, `2k` values: mins then maxes) and the hull decision, outside
    /// when `h` is outside the hull of any support (so outside their intersection);
    /// `None` when no support could decide it (no stored mixtures) and none said outside.
    /// `work` needs the largest [`TrainingSupport::hull_workspace_len`] of the supports.
    ///
    /// Errors: those of [`TrainingSupport::intersect`], [`TrainingSupport::contains`] and
    /// [`Extrapolation::new`]; `extremes` shorter than `2k`.
    pub fn assess(
        h: &'a [f64],
        supports: &[TrainingSupport<'_>],
        extremes: &'a mut [f64],
        work: &mut [f64],
    ) -> Result<Self, Error> {
        let k = h.len();
        if extremes.len() < 2 * k {
            return Err(Error::BufferTooSmall {
                needed: 2 * k,
                found: extremes.len(),
            });
        }
        let (lo, rest) = extremes.split_at_mut(k);
        let hi = rest.get_mut(..k).unwrap_or(&mut []);
        TrainingSupport::intersect(supports, lo, hi)?;
        let mut outside_hull = Some(false);
        for s in supports {
            if s.distinct() == 0 {
                if outside_hull == Some(false) {
                    outside_hull = None;
                }
                continue;
            }
            // A weight outside the support's own range (the extremes of all its training
            // weights, a superset of the stored mixtures) puts h at least that far from the
            // hull: decided without the linear program, whose dense tableau grows as
            // k (m + 2k) per pivot (minutes at 512 domains and 2,000 mixtures).
            let tol = EXTRAPOLATION_TOLERANCE;
            let out_of_range = h
                .iter()
                .zip(s.min_weight().iter().zip(s.max_weight()))
                .any(|(&v, (&lo, &up))| v > up + tol || v < lo - tol);
            if out_of_range || !s.contains(h, work)?.inside {
                outside_hull = Some(true);
                break;
            }
        }
        let (lo, hi) = (&*lo, &*hi);
        Extrapolation::new(h, lo, hi, outside_hull)
    }

    /// The domains with `h_i > max_weight_i + 1e-9`, never-trained ones (max 0) included.
    pub fn above_max(&self) -> impl Iterator<Item = usize> + '_ {
        self.h
            .iter()
            .zip(self.max_weight)
            .enumerate()
            .filter(|(_, (&v, &u))| v > u + EXTRAPOLATION_TOLERANCE)
            .map(|(i, _)| i)
    }

    /// `max_i h_i / max_weight_i` over the domains with `max_weight_i > 0` (`None` if
    /// there are none; `+inf` only if a maximum is so small, below ~1e-308, that the ratio
    /// overflows).
    pub fn max_ratio(&self) -> Option<f64> {
        self.h
            .iter()
            .zip(self.max_weight)
            .filter(|(_, &u)| u > 0.0)
            .map(|(&v, &u)| v / u)
            .fold(None, |acc: Option<f64>, r| {
                Some(acc.map_or(r, |a| a.max(r)))
            })
    }

    /// Every warning: one per domain outside its training range (above its max or below its
    /// min, by more than 1e-9), one if the largest weight exceeds 0.9, one if `h` is outside
    /// the hull; in that order, at most `k + 2`.
    pub fn warnings(&self) -> impl Iterator<Item = Warning> + '_ {
        let tol = EXTRAPOLATION_TOLERANCE;
        let range = self
            .h
            .iter()
            .zip(self.min_weight.iter().zip(self.max_weight))
            .enumerate()
            .filter_map(move |(domain, (&value, (&min, &max)))| {
                if value > max + tol {
                    Some(Warning::AboveTrainingMax { domain, value, max })
                } else if value < min - tol {
                    Some(Warning::BelowTrainingMin { domain, value, min })
                } else {
                    None
                }
            });
        let top = self
            .h
            .iter()
            .enumerate()
            .fold(None, |acc: Option<(usize, f64)>, (i, &v)| match acc {
                Some((_, b)) if b >= v => acc,
                _ => Some((i, v)),
            })
            .filter(|&(_, v)| v > NEAR_ONE_HOT)
            .map(|(domain, value)| Warning::NearOneHot { domain, value });
        let hull = (self.outside_hull == Some(true)).then_some(Warning::OutsideHull);
        range.chain(top).chain(hull)
    }
}
