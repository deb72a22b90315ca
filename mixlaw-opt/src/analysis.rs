//! Analyses of Shukor et al. appendix C.1 when training and target domains coincide
//! (m = k): the map `w -> h*(w)` of eq C.1, the Jensen-Shannon distance between a target
//! mixture and its optimal training mixture (fixed points have distance 0), and the
//! optimum for each pure target (behaviour at the corners).

use crate::objective::{SimplexObjective, Weighted};
use crate::{Bounds, Error, Solution, Solver};

/// Jensen-Shannon distance `JS(p, q) = sqrt((KL(p || m) + KL(q || m)) / 2)` with
/// `m = (p + q) / 2` and natural logarithms (so `0 <= JS <= sqrt(ln 2)`); `p` and `q` are
/// probability vectors (finite, >= 0; each is normalised by its sum).
///
/// ```
/// use mixlaw_opt::analysis::js_distance;
/// assert_eq!(js_distance(&[0.2, 0.8], &[0.2, 0.8])?, 0.0);
/// assert!((js_distance(&[1.0, 0.0], &[0.0, 1.0])? - 2f64.ln().sqrt()).abs() < 1e-15);
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
pub fn js_distance(p: &[f64], q: &[f64]) -> Result<f64, Error> {
    if p.len() != q.len() {
        return Err(Error::LengthMismatch {
            what: "q",
            expected: p.len(),
            found: q.len(),
        });
    }
    let sum = |v: &[f64], what: &'static str| -> Result<f64, Error> {
        let mut s = 0.0;
        for (i, &x) in v.iter().enumerate() {
            if !(x >= 0.0 && x.is_finite()) {
                return Err(Error::InvalidInput { what, index: i });
            }
            s += x;
        }
        if s > 0.0 {
            Ok(s)
        } else {
            Err(Error::Empty)
        }
    };
    let (sp, sq) = (sum(p, "p")?, sum(q, "q")?);
    let mut js = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = 0.5 * (a + b);
        if a > 0.0 {
            js += a * libm::log(a / m);
        }
        if b > 0.0 {
            js += b * libm::log(b / m);
        }
    }
    Ok(libm::sqrt((0.5 * js).max(0.0)))
}

/// The optimal training mixture `h*(w) = argmin_h sum_j w_j L^j(h)` for target weights
/// `w` (eq C.1), minimised from `h` (overwritten with `h*`).
pub fn optimum_for_weights<T: SimplexObjective, const K: usize>(
    solver: &mut Solver<K>,
    targets: &[T],
    w: &[f64],
    bounds: &Bounds<'_>,
    h: &mut [f64],
) -> Result<Solution, Error> {
    let obj = Weighted::<_, K>::new(targets, w)?;
    solver.minimize(&obj, bounds, h)
}

/// Behaviour at the corners: `h*(e_j)` for each target j, i.e. each target's own optimum,
/// into row j of `h_out` (`m x k`, row-major), with its solution in `out[j]`. Each solve
/// starts from the uniform mixture.
pub fn corner_optima<T: SimplexObjective, const K: usize>(
    solver: &mut Solver<K>,
    targets: &[T],
    bounds: &Bounds<'_>,
    h_out: &mut [f64],
    out: &mut [Solution],
) -> Result<(), Error> {
    let k = targets.first().ok_or(Error::Empty)?.domains();
    if k == 0 {
        return Err(Error::Empty);
    }
    if h_out.len() != targets.len() * k || out.len() != targets.len() {
        return Err(Error::LengthMismatch {
            what: "corner outputs (m x k and m)",
            expected: targets.len() * k,
            found: h_out.len(),
        });
    }
    for ((t, row), o) in targets
        .iter()
        .zip(h_out.chunks_exact_mut(k))
        .zip(out.iter_mut())
    {
        row.iter_mut().for_each(|v| *v = 1.0 / k as f64);
        *o = solver.minimize(t, bounds, row)?;
    }
    Ok(())
}

/// Enumerates the grid `{a / steps : a_i in N, sum a_i = steps}` on the simplex of
/// dimension `m - 1` (`C(steps + m - 1, m - 1)` points), `m <= K`, without allocating:
/// call [`SimplexGrid::next_point`] until it returns `false`.
///
/// ```
/// use mixlaw_opt::analysis::SimplexGrid;
/// let mut grid = SimplexGrid::<4>::new(3, 2)?;
/// let mut w = [0.0; 3];
/// let mut n = 0;
/// while grid.next_point(&mut w) { n += 1; }
/// assert_eq!(n, 6); // (2,0,0) (1,1,0) (1,0,1) (0,2,0) (0,1,1) (0,0,2), halved
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SimplexGrid<const K: usize> {
    m: usize,
    steps: usize,
    counts: [usize; K],
    started: bool,
    done: bool,
}

impl<const K: usize> SimplexGrid<K> {
    /// The grid with `steps >= 1` subdivisions on `1 <= m <= K` coordinates.
    pub fn new(m: usize, steps: usize) -> Result<Self, Error> {
        if m == 0 || steps == 0 {
            return Err(Error::InvalidConfig {
                what: "a simplex grid needs m >= 1 and steps >= 1",
            });
        }
        if m > K {
            return Err(Error::TooManyDomains { max: K, found: m });
        }
        let mut counts = [0; K];
        if let Some(c) = counts.first_mut() {
            *c = steps;
        }
        Ok(SimplexGrid {
            m,
            steps,
            counts,
            started: false,
            done: false,
        })
    }

    /// Writes the next grid point into `w` (length m) and returns `true`, or returns
    /// `false` when the grid is exhausted (or `w` has the wrong length).
    pub fn next_point(&mut self, w: &mut [f64]) -> bool {
        if self.done || w.len() != self.m {
            return false;
        }
        if self.started && !self.advance() {
            self.done = true;
            return false;
        }
        self.started = true;
        let inv = 1.0 / self.steps as f64;
        for (o, &c) in w.iter_mut().zip(&self.counts) {
            *o = c as f64 * inv;
        }
        true
    }

    /// The next composition in reverse-lexicographic order.
    fn advance(&mut self) -> bool {
        let m = self.m;
        let counts = match self.counts.get_mut(..m) {
            Some(c) => c,
            None => return false,
        };
        let (head, last) = counts.split_at_mut(m - 1);
        let t = match last.first_mut() {
            Some(l) => core::mem::replace(l, 0),
            None => return false,
        };
        let Some(j) = head.iter().rposition(|&c| c > 0) else {
            return false;
        };
        if let Some(c) = head.get_mut(j) {
            *c -= 1;
        }
        match counts.get_mut(j + 1) {
            Some(c) => *c = t + 1,
            None => return false,
        }
        true
    }
}

/// Fixed-point scan of Shukor et al. Figures 8-9: for every target mixture `w` of a
/// [`SimplexGrid`] with `steps` subdivisions (m = k targets, one per training domain),
/// solves `h*(w)` (warm-started from the previous point) and calls
/// `visit(w, h*(w), JS(w, h*(w)), solution)`. Points with distance near 0 are fixed
/// points of `w -> h*(w)`. Returns the smallest distance seen and the number of points.
pub fn fixed_point_scan<T: SimplexObjective, const K: usize>(
    solver: &mut Solver<K>,
    targets: &[T],
    bounds: &Bounds<'_>,
    steps: usize,
    mut visit: impl FnMut(&[f64], &[f64], f64, &Solution),
) -> Result<(f64, usize), Error> {
    let k = targets.first().ok_or(Error::Empty)?.domains();
    let m = targets.len();
    if m != k {
        return Err(Error::LengthMismatch {
            what: "targets (must equal the number of domains)",
            expected: k,
            found: m,
        });
    }
    let mut grid = SimplexGrid::<K>::new(k, steps)?;
    let mut w = [0.0; K];
    let mut h = [0.0; K];
    let w = w
        .get_mut(..k)
        .ok_or(Error::TooManyDomains { max: K, found: k })?;
    let h = h
        .get_mut(..k)
        .ok_or(Error::TooManyDomains { max: K, found: k })?;
    h.iter_mut().for_each(|v| *v = 1.0 / k as f64);
    let mut best = f64::INFINITY;
    let mut count = 0usize;
    while grid.next_point(w) {
        let sol = optimum_for_weights(solver, targets, w, bounds, h)?;
        let js = js_distance(w, h)?;
        best = best.min(js);
        count += 1;
        visit(w, h, js, &sol);
    }
    Ok((best, count))
}
