//! A start built from the data for the additive family of Shukor et al. (2025):
//! `L = E + 1/(sum_i C_i h_i^gamma_i) [+ A N^-alpha] [+ B D^-beta]` (a law declares it by
//! [`Law::inverse_mixture_form`]), in closed form, instead of the best of random points.
//!
//! Runs come as grids: a few mixtures, each trained at several model sizes and token
//! counts. Within one mixture the law is a Chinchilla law with its own offset
//! `E_h = E + 1/S(h)`, `S(h) = sum_i C_i h_i^gamma_i`. So:
//!
//! 1. **Backbone.** On a grid of `(alpha, beta)` (13 points per exponent over its start
//!    range), A and B by weighted least squares on the runs centred within their mixture
//!    (the offsets drop out); the point with the lowest residual, A, B > 0, gives every
//!    mixture's offset `E_h` (its mean residual).
//! 2. **Mixture term.** For E below the lowest offset ([`GAPS`] gaps, `10^-4 .. 10` times
//!    its size) and one gamma for every domain ([`GAMMAS`] points over gamma's start
//!    range), C by non-negative least squares on `1/(E_h - E) ~ sum_i C_i h_i^gamma`; the
//!    candidate whose offsets `E + 1/S(h)` are closest to the `E_h` (weighted squares:
//!    with step 1, the raw squared error of the whole fit) is the first start.
//! 3. **Each domain's gamma.** One sweep over the domains, each one's gamma on the grid
//!    with the others fixed, E and C re-solved: the second start, when it fits the offsets
//!    better.
//!
//! The two starts often lie in different basins. On the 7 domains of Shukor et al.'s
//! Table 8, one solve from the first reaches scipy's best objective on 5 (and lower minima
//! than 40 random starts on c4 and commoncrawl), one solve from the second on 6 (the
//! lowest known on book and wikipedia), where random starts need tens of solves
//! (benches/README.md, "A start informed by the data"). [`crate::fit_law`] runs them
//! before its random starts ([`BasinConfig::informed`]). Allocation-free: the caller's
//! workspace of [`workspace_len`] values.

use mixlaw_core::linalg::{nnls_gram, nnls_workspace_len};
use mixlaw_core::{Error, InverseMixtureForm, Law, Objective};

#[cfg(doc)]
use crate::BasinConfig;

/// Grid points per backbone exponent (alpha, beta).
pub const EXPONENT_POINTS: usize = 13;
/// Gaps between E and the lowest mixture offset, log-spaced from 1e-4 to 10 times its size.
pub const GAPS: usize = 21;
/// Shared gamma values tried, over gamma's start range.
pub const GAMMAS: usize = 15;
/// Sweeps over the domains refining each one's gamma (others fixed) after the shared one.
pub const SWEEPS: usize = 1;
/// Gap points on either side of the current E tried in a sweep.
pub const SWEEP_GAPS: usize = 3;
/// Starts built at most (see [`start`]).
pub const POINTS: usize = 2;
/// Domains above which no start is built: each candidate solves a k x k non-negative
/// least-squares system, `GAPS * GAMMAS` of them.
pub const MAX_DOMAINS: usize = 64;

/// Which form and sizes apply to `objective`, if a start can be built for it: the law
/// declares the form, has one output and at most [`MAX_DOMAINS`] domains, the objective
/// has groups ([`Objective::with_groups`]) and no bounds (its coordinates are then the
/// law's).
fn applicable<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
) -> Option<(InverseMixtureForm, Sizes)> {
    let law = objective.law();
    let form = law.inverse_mixture_form()?;
    let groups = objective.groups()?;
    let k = law.domains();
    if law.outputs() != 1 || k == 0 || k > MAX_DOMAINS || objective.bounds().is_some() {
        return None;
    }
    Some((
        form,
        Sizes {
            rows: groups.rows(),
            k,
            mixtures: groups.count(0),
            models: groups.count(1),
            tokens: groups.count(2),
            params: objective.dim(),
        },
    ))
}

#[derive(Clone, Copy)]
struct Sizes {
    rows: usize,
    k: usize,
    mixtures: usize,
    models: usize,
    tokens: usize,
    params: usize,
}

impl Sizes {
    /// The whole workspace: the buffers, a candidate point and the objective's scratch.
    fn total<L: Law + ?Sized>(&self, objective: &Objective<'_, '_, L>) -> usize {
        self.len() + self.params + objective.scratch_len()
    }

    /// The buffers of the two steps.
    fn len(&self) -> usize {
        let (g, k) = (self.mixtures, self.k);
        2 * self.rows
            + 4 * g
            + self.models
            + self.tokens
            + g * k
            + k * k
            + 4 * k
            + nnls_workspace_len(k)
            + self.params
    }
}

/// Workspace length [`start`] needs for `objective` (0 when no start can be built).
pub fn workspace_len<L: Law + ?Sized>(objective: &Objective<'_, '_, L>) -> usize {
    applicable(objective).map_or(0, |(_, sizes)| sizes.total(objective))
}

/// Splits `n` values off the front of `rest`.
fn take<'a>(rest: &mut &'a mut [f64], n: usize) -> Result<&'a mut [f64], Error> {
    let buf = core::mem::take(rest);
    if buf.len() < n {
        return Err(Error::BufferTooSmall {
            needed: n,
            found: buf.len(),
        });
    }
    let (head, tail) = buf.split_at_mut(n);
    *rest = tail;
    Ok(head)
}

/// `n` points evenly spaced from `lo` to `hi` (the midpoint when `n == 1`).
fn grid(lo: f64, hi: f64, i: usize, n: usize) -> f64 {
    if n <= 1 {
        0.5 * (lo + hi)
    } else {
        lo + (hi - lo) * i as f64 / (n - 1) as f64
    }
}

/// Builds up to [`POINTS`] starts into `points` (one after another, each `objective.dim()`
/// values in the objective's coordinates) and returns how many: first the point with one
/// gamma for every domain, then, when it fits the offsets better, the point with each
/// domain's gamma refined (the two often lie in different basins: on the Shukor et al.
/// data each reaches the best known minimum on domains where the other does not). Returns
/// 0 and leaves `points` as is when the law has no [`Law::inverse_mixture_form`], the
/// objective has no groups or has bounds, or the data give no valid start (no backbone
/// with A, B > 0, no finite objective). `range(i)` is coordinate i's start range
/// (log-space for positive parameters, as [`Objective::start_range`]): the grids of alpha,
/// beta and gamma span those of alpha, beta and gamma_0. `points` needs `POINTS *
/// objective.dim()` values and `workspace` [`workspace_len`].
pub fn start<L, R>(
    objective: &Objective<'_, '_, L>,
    range: R,
    points: &mut [f64],
    workspace: &mut [f64],
) -> Result<usize, Error>
where
    L: Law + ?Sized,
    R: Fn(usize) -> (f64, f64),
{
    let Some((form, sizes)) = applicable(objective) else {
        return Ok(0);
    };
    let Some(groups) = objective.groups() else {
        return Ok(0);
    };
    let needed = sizes.total(objective);
    if workspace.len() < needed {
        return Err(Error::BufferTooSmall {
            needed,
            found: workspace.len(),
        });
    }
    let data = objective.data();
    let targets = data.data().targets();
    let Sizes { k, mixtures: g, .. } = sizes;
    let mut rest = &mut *workspace;
    let row_weight = take(&mut rest, sizes.rows)?;
    let centred_y = take(&mut rest, sizes.rows)?;
    let weight = take(&mut rest, g)?;
    let offset = take(&mut rest, g)?;
    let mean_model = take(&mut rest, g)?;
    let mean_tokens = take(&mut rest, g)?;
    let model_power = take(&mut rest, sizes.models)?;
    let token_power = take(&mut rest, sizes.tokens)?;
    let z = take(&mut rest, g * k)?;
    let gram = take(&mut rest, k * k)?;
    let rhs = take(&mut rest, k)?;
    let c = take(&mut rest, k)?;
    let best_c = take(&mut rest, k)?;
    let gammas = take(&mut rest, k)?;
    let nnls = take(&mut rest, nnls_workspace_len(k))?;
    let params = take(&mut rest, sizes.params)?;
    let scratch = rest;

    let (ids_h, ids_n, ids_d) = (groups.ids(0), groups.ids(1), groups.ids(2));
    let rows = data.rows();
    // Each mixture's total weight and mean loss.
    weight.iter_mut().for_each(|v| *v = 0.0);
    offset.iter_mut().for_each(|v| *v = 0.0);
    for r in 0..rows {
        let (Some(&id), Some(&y)) = (ids_h.get(r), targets.get(r)) else {
            continue;
        };
        let w = objective.weight(r, 0);
        if let (Some(wg), Some(o), true) = (weight.get_mut(id), offset.get_mut(id), w > 0.0) {
            *wg += w;
            *o += w * y;
        }
    }
    for (o, &w) in offset.iter_mut().zip(weight.iter()) {
        *o = if w > 0.0 { *o / w } else { 0.0 };
    }
    // Each run's weight (0: left out) and loss centred within its mixture.
    for (r, (w, yc)) in row_weight.iter_mut().zip(centred_y.iter_mut()).enumerate() {
        let id = ids_h.get(r).copied().unwrap_or(usize::MAX);
        let (v, y) = (objective.weight(r, 0), targets.get(r).copied());
        match (offset.get(id), y) {
            (Some(o), Some(y)) if v > 0.0 => (*w, *yc) = (v, y - o),
            _ => (*w, *yc) = (0.0, 0.0),
        }
    }

    // Step 1: the backbone on a grid of its exponents; the mixture offsets at its best.
    // `powers` fills `A N^-alpha`'s N^-alpha per distinct N (and D's), and each mixture's
    // weighted means of them.
    let model_ln = |i: usize| {
        groups
            .representatives(1)
            .get(i)
            .and_then(|&r| data.row(r))
            .map_or(0.0, |row| row.ln_n)
    };
    let token_ln = |i: usize| {
        groups
            .representatives(2)
            .get(i)
            .and_then(|&r| data.row(r))
            .map_or(0.0, |row| row.ln_d)
    };
    let powers = |alpha: f64,
                  beta: f64,
                  model_power: &mut [f64],
                  token_power: &mut [f64],
                  mean_model: &mut [f64],
                  mean_tokens: &mut [f64]| {
        for (i, p) in model_power.iter_mut().enumerate() {
            *p = libm::exp(-alpha * model_ln(i));
        }
        for (i, p) in token_power.iter_mut().enumerate() {
            *p = libm::exp(-beta * token_ln(i));
        }
        mean_model.iter_mut().for_each(|v| *v = 0.0);
        mean_tokens.iter_mut().for_each(|v| *v = 0.0);
        for (((&w, &id), &n), &d) in row_weight.iter().zip(ids_h).zip(ids_n).zip(ids_d) {
            if w > 0.0 {
                if let (Some(m), Some(x)) = (mean_model.get_mut(id), model_power.get(n)) {
                    *m += w * x;
                }
                if let (Some(m), Some(x)) = (mean_tokens.get_mut(id), token_power.get(d)) {
                    *m += w * x;
                }
            }
        }
        for ((m1, m2), &wg) in mean_model
            .iter_mut()
            .zip(mean_tokens.iter_mut())
            .zip(weight.iter())
        {
            if wg > 0.0 {
                *m1 /= wg;
                *m2 /= wg;
            }
        }
    };
    let (model, tokens) = (form.model.is_some(), form.tokens.is_some());
    let (a_range, b_range) = (
        form.model.map_or((0.0, 0.0), |(_, i)| range(i)),
        form.tokens.map_or((0.0, 0.0), |(_, i)| range(i)),
    );
    let (na, nb) = (
        if model { EXPONENT_POINTS } else { 1 },
        if tokens { EXPONENT_POINTS } else { 1 },
    );
    // (residual, alpha, beta, A, B)
    let mut backbone = (f64::INFINITY, 0.0, 0.0, 0.0, 0.0);
    if model || tokens {
        for ia in 0..na {
            for ib in 0..nb {
                let alpha = libm::exp(grid(a_range.0, a_range.1, ia, na));
                let beta = libm::exp(grid(b_range.0, b_range.1, ib, nb));
                powers(
                    alpha,
                    beta,
                    model_power,
                    token_power,
                    mean_model,
                    mean_tokens,
                );
                // Weighted normal equations of the centred runs: y_c ~ A x1_c + B x2_c.
                let (mut g11, mut g12, mut g22, mut b1, mut b2, mut yy) =
                    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
                let rows = row_weight.iter().zip(centred_y.iter());
                for ((((&w, &yc), &id), &n), &d) in rows.zip(ids_h).zip(ids_n).zip(ids_d) {
                    if w > 0.0 {
                        let centre = |x: Option<&f64>, m: &[f64]| match (x, m.get(id)) {
                            (Some(x), Some(m)) => x - m,
                            _ => 0.0,
                        };
                        let x1 = centre(model_power.get(n), mean_model);
                        let x2 = centre(token_power.get(d), mean_tokens);
                        let (x1, x2) =
                            (if model { x1 } else { 0.0 }, if tokens { x2 } else { 0.0 });
                        g11 += w * x1 * x1;
                        g12 += w * x1 * x2;
                        g22 += w * x2 * x2;
                        b1 += w * x1 * yc;
                        b2 += w * x2 * yc;
                        yy += w * yc * yc;
                    }
                }
                let (a, b) = match (model, tokens) {
                    (true, true) => {
                        let det = g11 * g22 - g12 * g12;
                        ((b1 * g22 - b2 * g12) / det, (b2 * g11 - b1 * g12) / det)
                    }
                    (true, false) => (b1 / g11, 0.0),
                    _ => (0.0, b2 / g22),
                };
                let valid = (!model || a > 0.0) && (!tokens || b > 0.0);
                // The residual at the least-squares solution: yy - coef . rhs.
                let residual = yy - a * b1 - b * b2;
                if valid && residual.is_finite() && residual < backbone.0 {
                    backbone = (residual, alpha, beta, a, b);
                }
            }
        }
        if !backbone.0.is_finite() {
            return Ok(0);
        }
        let (_, alpha, beta, a, b) = backbone;
        powers(
            alpha,
            beta,
            model_power,
            token_power,
            mean_model,
            mean_tokens,
        );
        for ((o, &m1), &m2) in offset
            .iter_mut()
            .zip(mean_model.iter())
            .zip(mean_tokens.iter())
        {
            *o -= a * m1 + b * m2;
        }
    }

    // Step 2: E and one gamma on grids, C by non-negative least squares.
    let present = || {
        offset
            .iter()
            .zip(weight.iter())
            .filter(|&(_, &w)| w > 0.0)
            .map(|(&o, _)| o)
    };
    let lowest = present().fold(f64::INFINITY, f64::min);
    let highest = present().fold(f64::NEG_INFINITY, f64::max);
    if !(lowest.is_finite() && highest.is_finite()) {
        return Ok(0);
    }
    let size = if lowest > 0.0 {
        lowest
    } else if highest > lowest {
        highest - lowest
    } else {
        1.0
    };
    let gamma_range = range(form.gamma);
    let reps_h = groups.representatives(0);
    let gamma_at = |i: usize| libm::exp(grid(gamma_range.0, gamma_range.1, i, GAMMAS));
    // Column i of z: h_i^gamma for every mixture.
    let fill = |z: &mut [f64], i: usize, gamma: f64| {
        for (group, zg) in z.chunks_exact_mut(k).enumerate() {
            let ln_h = reps_h
                .get(group)
                .and_then(|&r| data.row(r))
                .and_then(|row| row.ln_h.get(i).copied());
            if let Some(zi) = zg.get_mut(i) {
                *zi = ln_h.map_or(0.0, |l| libm::exp(gamma * l));
            }
        }
    };
    // For the current z, E on its grid and C by NNLS: the lowest offset error, its E, C
    // into `c_out` when below `bound`.
    let best_e = |z: &[f64],
                  gram: &mut [f64],
                  rhs: &mut [f64],
                  c: &mut [f64],
                  nnls: &mut [f64],
                  bound: f64,
                  gaps: core::ops::Range<usize>,
                  c_out: &mut [f64]|
     -> Option<(f64, f64, usize)> {
        gram.iter_mut().for_each(|v| *v = 0.0);
        for (zg, &w) in z.chunks_exact(k).zip(weight.iter()) {
            for (i, &zi) in zg.iter().enumerate() {
                if let Some(row) = gram.get_mut(i * k..(i + 1) * k) {
                    for (gij, &zj) in row.iter_mut().zip(zg) {
                        *gij += w * zi * zj;
                    }
                }
            }
        }
        let mut found = None;
        let mut bound = bound;
        for gap in gaps {
            let e = lowest - size * libm::pow(10.0, grid(-4.0, 1.0, gap, GAPS));
            rhs.iter_mut().for_each(|v| *v = 0.0);
            for ((zg, &w), &o) in z.chunks_exact(k).zip(weight.iter()).zip(offset.iter()) {
                if w > 0.0 {
                    let s = 1.0 / (o - e);
                    for (b, &zi) in rhs.iter_mut().zip(zg) {
                        *b += w * zi * s;
                    }
                }
            }
            if nnls_gram(gram, k, rhs, |_| true, c, nnls).is_err() {
                continue;
            }
            let mut error = 0.0;
            for ((zg, &w), &o) in z.chunks_exact(k).zip(weight.iter()).zip(offset.iter()) {
                if w > 0.0 {
                    let s: f64 = zg.iter().zip(c.iter()).map(|(z, c)| z * c).sum();
                    let d = o - e - 1.0 / s;
                    error += w * d * d;
                }
            }
            if error.is_finite() && error < bound {
                bound = error;
                found = Some((error, e, gap));
                c_out.copy_from_slice(c);
            }
        }
        found
    };
    // The candidate (E, C, gammas) in natural parameters, then in the objective's
    // coordinates into `out` when its objective is finite.
    let (_, alpha, beta, a, b) = backbone;
    let (candidate, scratch) = scratch.split_at_mut(sizes.params.min(scratch.len()));
    let mut emit = |e: f64, c: &[f64], gammas: &[f64], out: &mut [f64]| -> bool {
        let largest = c.iter().copied().fold(0.0, f64::max);
        let mut set = |i: usize, v: f64| {
            if let Some(p) = params.get_mut(i) {
                *p = v;
            }
        };
        set(form.e, e);
        if let Some((ia, ialpha)) = form.model {
            set(ia, a);
            set(ialpha, alpha);
        }
        if let Some((ib, ibeta)) = form.tokens {
            set(ib, b);
            set(ibeta, beta);
        }
        for (i, (&ci, &gi)) in c.iter().zip(gammas).enumerate() {
            // A domain NNLS leaves at 0 starts negligible, not at -inf in log space.
            set(form.c + i, ci.max(1e-6 * largest).max(f64::MIN_POSITIVE));
            set(form.gamma + i, gi);
        }
        if out.len() != sizes.params || objective.to_unconstrained(params, candidate).is_err() {
            return false;
        }
        match objective.eval(candidate, None, scratch) {
            Ok(v) if v.is_finite() => {
                out.copy_from_slice(candidate);
                true
            }
            _ => false,
        }
    };
    let p = sizes.params;
    let (first, second) = points.split_at_mut(p.min(points.len()));
    let second = second.get_mut(..p).unwrap_or(&mut []);

    // One gamma for every domain on its grid.
    let mut mixture = (f64::INFINITY, 0.0, 0);
    for ig in 0..GAMMAS {
        let gamma = gamma_at(ig);
        for i in 0..k {
            fill(z, i, gamma);
        }
        if let Some(found) = best_e(z, gram, rhs, c, nnls, mixture.0, 0..GAPS, best_c) {
            mixture = found;
            gammas.iter_mut().for_each(|g| *g = gamma);
        }
    }
    if !mixture.0.is_finite() || !emit(mixture.1, best_c, gammas, first) {
        return Ok(0);
    }
    // Then each domain's own gamma, one domain at a time, E and C re-solved: the second
    // point, when it differs.
    let shared = mixture.0;
    for _ in 0..SWEEPS {
        for i in 0..k {
            for j in 0..k {
                fill(z, j, gammas.get(j).copied().unwrap_or(1.0));
            }
            for ig in 0..GAMMAS {
                let gamma = gamma_at(ig);
                fill(z, i, gamma);
                // E near its current value: the gamma of one domain moves it little.
                let gap = mixture.2;
                let near = gap.saturating_sub(SWEEP_GAPS)..(gap + SWEEP_GAPS + 1).min(GAPS);
                if let Some(found) = best_e(z, gram, rhs, c, nnls, mixture.0, near, best_c) {
                    mixture = found;
                    if let Some(g) = gammas.get_mut(i) {
                        *g = gamma;
                    }
                }
            }
        }
    }
    if mixture.0 < shared && emit(mixture.1, best_c, gammas, second) {
        Ok(2)
    } else {
        Ok(1)
    }
}
