//! Variable projection (Golub and Pereyra 1973; Open-Athena's vpnls for Chinchilla's
//! "Approach 3"): for a law affine in some of its parameters (declared by the law,
//! [`mixlaw_core::param::Block::linear`]: `E`, `A`, `B`, `C_i`, ...), those are solved
//! exactly for given nonlinear ones, and only the nonlinear ones are searched.
//!
//! With `c` the linear parameters and `u` the nonlinear coordinates, every entry's
//! prediction is `L_e = r_e(u) + phi_e(u) . c`, where the design row `phi_e` is the law's
//! gradient in `c` (constant in `c`) and `r_e = L_e - phi_e . c`. The inner problem
//! `c*(u) = argmin_c sum_e w_e loss(L_e, y_e)` (with `c_j >= 0` for positive linear
//! parameters) is solved by iteratively reweighted least squares: each step linearises
//! the residual `s_e` (`L_e - y_e`, or `ln L_e - ln y_e` for the log loss) in `c`,
//! `s_e ~ s_e0 + s'_e phi_e . (c - c0)`, weights it by `rho_e = psi(s_e0) / s_e0` (1 for
//! the squared loss and inside Huber's delta, `delta / |s_e0|` outside), and solves the
//! weighted normal equations by [`mixlaw_core::linalg::nnls_gram`] (Cholesky when no sign
//! constraint binds), halving the step until the inner objective decreases. For a raw
//! residual this is the classical IRLS (a majorise-minimise method, monotone); for the
//! log residual it is Gauss-Newton with the same weights. The reduced objective
//! `f(u) = F(c*(u), u)` has the gradient `dF/du` at `(c*(u), u)` (the envelope theorem:
//! `dF/dc = 0` at the inner optimum, or the constraint is active and does not move with
//! `u`), so one evaluation of the full [`Objective`] gives both.
//!
//! With at most [`MAX_GRID_DIM`] nonlinear coordinates, a dense deterministic grid over
//! their start ranges replaces random starts ([`grid_search`]); the best local minima of
//! the grid get their linear parameters solved exactly, then are polished on the full
//! objective by basin-hopping's local solver ([`crate::LocalSolver`]: L-BFGS by default,
//! Levenberg-Marquardt with `Lm`), until the best value has been reached from `agree` of
//! them.

use core::ops::ControlFlow;

use mixlaw_core::loss::huber;
use mixlaw_core::{Error, Law, Loss, Objective, Row};

use crate::basin::{BasinConfig, BasinHopping, HopInfo, Outcome};
use crate::problem::{self, LawProblem, Problem};

/// The largest number of nonlinear coordinates searched by a grid.
pub const MAX_GRID_DIM: usize = 3;

/// Most grid minima refined.
const MAX_REFINE: usize = 8;

/// A positive linear parameter solved to 0 is kept at this value (its coordinate is `ln`).
const POSITIVE_FLOOR: f64 = 1e-200;

/// Inner iterations when screening grid points (a near optimum ranks them well).
const SCREEN_ITERATIONS: usize = 2;

/// Grid points are screened on a subsample of about this many entries (every
/// `entries / SCREEN_ENTRIES`-th one) when the data set is larger. 32 ranks the grid as
/// 64 did on every reproduction that searches by grid (`vpnls`, `epoch-chinchilla`,
/// `epoch-bootstrap`, `scalefit-chinchilla`, `muennighoff`, `autoscale`: the same printed
/// figures) at half the screening cost.
const SCREEN_ENTRIES: usize = 32;

/// Inner iterations of a [`Reduced`] evaluation (a cap; its tolerance stops first).
const REFINE_ITERATIONS: usize = 200;

/// Inner (reweighted least-squares) iterations solving a chosen grid point's linear
/// parameters before the full polish, unless [`REFINE_TOLERANCE`] stops them first. They
/// only start the L-BFGS polish, which moves every parameter anyway: on Epoch's 240 points
/// 4 iterations reach the same minimum (objective within 5e-16 relative, 2 more polish
/// evaluations) as the ~14 that the tolerance alone took, in 17 % less time for the whole
/// fit (2026-12-05; 1 iteration leaves the polish 50 % longer).
const START_ITERATIONS: usize = 4;

/// Relative decrease of the inner objective below which a refined grid minimum's linear
/// parameters are taken as solved (on Epoch's 240 points: the same minimum, the same number
/// of polish evaluations as 1e-15, a fifth of the refinement's time).
const REFINE_TOLERANCE: f64 = 1e-8;

/// Linear and nonlinear parameter counts `(q, m)` of `objective`'s law when variable
/// projection applies to it: at least one of each, no parameter bounds, a loss of
/// residuals it can reweight (Huber, log-space Huber, squared).
pub fn split<L: Law + ?Sized>(objective: &Objective<'_, '_, L>) -> Option<(usize, usize)> {
    let law = objective.law();
    let p = law.num_params();
    if objective.bounds().is_some() || !supported(objective.loss()) {
        return None;
    }
    let mut q = 0;
    for i in 0..p {
        if law.param_info(i)?.linear {
            q += 1;
        }
    }
    (q > 0 && q < p).then_some((q, p - q))
}

fn supported(loss: Loss) -> bool {
    matches!(
        loss,
        Loss::Huber { .. } | Loss::LogHuber { .. } | Loss::Squared
    )
}

/// Points per nonlinear coordinate of the grid for `m` coordinates (`config.grid` when
/// set, at most 1024, 1024 and 101 for 1, 2, 3 coordinates): 33, 9, 5 by default.
pub fn grid_points(config: &BasinConfig, m: usize) -> usize {
    let (default, most) = match m {
        1 => (33, 1024),
        2 => (9, 1024),
        _ => (5, 101),
    };
    if config.grid > 0 {
        config.grid.clamp(2, most)
    } else {
        default
    }
}

/// Workspace length of [`grid_search`] for `objective` under `config` (0 when variable
/// projection does not apply).
pub fn workspace_len<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
) -> usize {
    let Some((q, m)) = split(objective) else {
        return 0;
    };
    let p = q + m;
    let cells = grid_points(config, m).saturating_pow(m as u32);
    let local = BasinHopping::new(*config);
    reduced_len(objective, q)
        + cells
        + local.local_workspace_len(p)
        + problem::scratch_len(objective, config.local)
        + m
        + 3 * p
}

/// Workspace of one [`Reduced`] problem.
fn reduced_len<L: Law + ?Sized>(objective: &Objective<'_, '_, L>, q: usize) -> usize {
    let p = objective.dim();
    let entries = objective.data().rows() * objective.law().outputs();
    entries * (q + 4)
        + q * q
        + 5 * q
        + mixlaw_core::linalg::nnls_workspace_len(q)
        + 4 * p
        + objective.scratch_len()
}

/// The reduced objective `f(u)` over the nonlinear coordinates as a [`Problem`]; it keeps
/// the last inner solution as the next one's start.
pub struct Reduced<'o, 'l, 'd, 'w, L: ?Sized> {
    objective: &'o Objective<'l, 'd, L>,
    q: usize,
    m: usize,
    max_inner: usize,
    /// Entries x (q + 1): the design row, then `r_e`.
    design: &'w mut [f64],
    /// Per entry: `ln y_e` for the log loss, else `y_e`.
    ln_y: &'w mut [f64],
    /// Per entry: the residual `s_e` at the last inner value computed.
    resid: &'w mut [f64],
    /// Per entry: its weight (run weight times entry weight; 0 masks it).
    weight: &'w mut [f64],
    /// Relative decrease of the inner objective below which the inner solve stops.
    inner_tol: f64,
    /// Sum of the entry weights (the objective's divisor).
    total_weight: f64,
    /// Only every `stride`-th entry is used (a subsample for screening; 1: all).
    stride: usize,
    gram: &'w mut [f64],
    rhs: &'w mut [f64],
    c: &'w mut [f64],
    c_trial: &'w mut [f64],
    /// Full index of each linear parameter.
    linear_at: &'w mut [f64],
    /// 1 where a linear parameter must stay >= 0 (a positive one), else 0.
    nonneg: &'w mut [f64],
    nnls: &'w mut [f64],
    params: &'w mut [f64],
    theta: &'w mut [f64],
    grad: &'w mut [f64],
    row_grad: &'w mut [f64],
    scratch: &'w mut [f64],
    have_c: bool,
    /// Evaluations of the full objective so far.
    pub evaluations: usize,
}

impl<'o, 'l, 'd, 'w, L: Law + ?Sized> Reduced<'o, 'l, 'd, 'w, L> {
    /// The reduced problem of `objective` in `workspace` (see [`workspace_len`]).
    pub fn new(
        objective: &'o Objective<'l, 'd, L>,
        workspace: &'w mut [f64],
    ) -> Result<Self, Error> {
        let (q, m) = split(objective).ok_or(Error::InvalidConfig {
            what: "variable projection needs linear and nonlinear parameters, no bounds",
        })?;
        let p = q + m;
        let needed = reduced_len(objective, q);
        let short = Error::BufferTooSmall {
            needed,
            found: workspace.len(),
        };
        let entries = objective.data().rows() * objective.law().outputs();
        let (design, rest) = workspace
            .split_at_mut_checked(entries * (q + 1))
            .ok_or(short)?;
        let (ln_y, rest) = rest.split_at_mut_checked(entries).ok_or(short)?;
        let (resid, rest) = rest.split_at_mut_checked(entries).ok_or(short)?;
        let (weight, rest) = rest.split_at_mut_checked(entries).ok_or(short)?;
        for (l, &y) in ln_y.iter_mut().zip(objective.data().data().targets()) {
            *l = objective.loss().target(y);
        }
        resid.iter_mut().for_each(|v| *v = 0.0);
        let m_out = objective.law().outputs().max(1);
        for (e, w) in weight.iter_mut().enumerate() {
            *w = objective.weight(e / m_out, e % m_out).max(0.0);
        }
        let total_weight: f64 = weight.iter().sum();
        let (gram, rest) = rest.split_at_mut_checked(q * q).ok_or(short)?;
        let (rhs, rest) = rest.split_at_mut_checked(q).ok_or(short)?;
        let (c, rest) = rest.split_at_mut_checked(q).ok_or(short)?;
        let (c_trial, rest) = rest.split_at_mut_checked(q).ok_or(short)?;
        let (linear_at, rest) = rest.split_at_mut_checked(q).ok_or(short)?;
        let (nonneg, rest) = rest.split_at_mut_checked(q).ok_or(short)?;
        let (nnls, rest) = rest
            .split_at_mut_checked(mixlaw_core::linalg::nnls_workspace_len(q))
            .ok_or(short)?;
        let (params, rest) = rest.split_at_mut_checked(p).ok_or(short)?;
        let (theta, rest) = rest.split_at_mut_checked(p).ok_or(short)?;
        let (grad, rest) = rest.split_at_mut_checked(p).ok_or(short)?;
        let (row_grad, rest) = rest.split_at_mut_checked(p).ok_or(short)?;
        let (scratch, _) = rest
            .split_at_mut_checked(objective.scratch_len())
            .ok_or(short)?;
        objective.reset_state(scratch);
        c.iter_mut().for_each(|v| *v = 0.0);
        let law = objective.law();
        let linear = (0..p).filter(|&i| law.param_info(i).is_some_and(|x| x.linear));
        for ((at, flag), i) in linear_at.iter_mut().zip(nonneg.iter_mut()).zip(linear) {
            *at = i as f64;
            *flag = if law.param_info(i).is_some_and(|x| x.positive) {
                1.0
            } else {
                0.0
            };
        }
        Ok(Reduced {
            objective,
            q,
            m,
            max_inner: REFINE_ITERATIONS,
            design,
            ln_y,
            resid,
            weight,
            inner_tol: 1e-15,
            total_weight,
            stride: 1,
            gram,
            rhs,
            c,
            c_trial,
            linear_at,
            nonneg,
            nnls,
            params,
            theta,
            grad,
            row_grad,
            scratch,
            have_c: false,
            evaluations: 0,
        })
    }

    fn is_linear(&self, i: usize) -> bool {
        self.objective
            .law()
            .param_info(i)
            .is_some_and(|info| info.linear)
    }

    fn is_positive(&self, i: usize) -> bool {
        self.objective
            .law()
            .param_info(i)
            .is_some_and(|info| info.positive)
    }

    /// The full coordinates at nonlinear `u` and the current linear values, into `theta`;
    /// natural parameters into `params`.
    fn assemble(&mut self, u: &[f64]) -> Result<(), Error> {
        let p = self.q + self.m;
        let (mut a, mut b) = (0, 0);
        for i in 0..p {
            let t = if self.is_linear(i) {
                let mut c = self.c.get(a).copied().unwrap_or(0.0);
                a += 1;
                if self.is_positive(i) {
                    c = libm::log(c.max(POSITIVE_FLOOR));
                }
                c
            } else {
                b += 1;
                u.get(b - 1).copied().unwrap_or(0.0)
            };
            if let Some(v) = self.theta.get_mut(i) {
                *v = t;
            }
        }
        self.objective.to_natural(self.theta, self.params)
    }

    /// Writes the design row and offset of every `stride`-th entry at the current
    /// parameters (only those rows are evaluated).
    fn build_design(&mut self) {
        let law = self.objective.law();
        let data = self.objective.data();
        let m_out = law.outputs().max(1);
        let q = self.q;
        let width = q + 1;
        for (e, dst) in self
            .design
            .chunks_exact_mut(width)
            .enumerate()
            .step_by(self.stride)
        {
            let (r, j) = (e / m_out, e % m_out);
            let weight = self.weight.get(e).copied().unwrap_or(0.0);
            let row = match data.row(r) {
                Some(row) if weight > 0.0 => row,
                _ => {
                    dst.iter_mut().for_each(|v| *v = 0.0);
                    continue;
                }
            };
            let row = Row { output: j, ..row };
            let mut offset = law.eval_row(self.params, &row, Some(self.row_grad));
            for (d, &at) in dst.iter_mut().zip(self.linear_at.iter()) {
                let i = at as usize;
                let phi = self.row_grad.get(i).copied().unwrap_or(0.0);
                offset -= phi * self.params.get(i).copied().unwrap_or(0.0);
                *d = phi;
            }
            if let Some(d) = dst.get_mut(q) {
                *d = offset;
            }
        }
    }

    /// `sum_e w_e loss(L_e(c), y_e)` for linear values `c` (the trial's or the current
    /// ones; `+inf` where undefined); every entry's residual `s_e` into `self.resid`.
    fn inner_value(&mut self, trial: bool) -> f64 {
        let loss = self.objective.loss();
        let width = self.q + 1;
        let c: &[f64] = if trial { self.c_trial } else { self.c };
        let mut total = 0.0;
        for (((row, &ln_y), s), &w) in self
            .design
            .chunks_exact(width)
            .zip(self.ln_y.iter())
            .zip(self.resid.iter_mut())
            .zip(self.weight.iter())
            .step_by(self.stride)
        {
            if w <= 0.0 {
                continue;
            }
            let pred = predict(row, c);
            let (r, l) = match loss {
                Loss::LogHuber { delta } if pred > 0.0 => {
                    let r = libm::log(pred) - ln_y;
                    (r, huber(r, delta).0)
                }
                Loss::Huber { delta } => {
                    let r = pred - ln_y;
                    (r, huber(r, delta).0)
                }
                Loss::Squared => {
                    let r = pred - ln_y;
                    (r, r * r)
                }
                _ => (f64::INFINITY, f64::INFINITY),
            };
            if !(l.is_finite() && pred.is_finite()) {
                return f64::INFINITY;
            }
            *s = r;
            total += w * l;
        }
        total
    }

    /// Solves the inner problem for the current design, from the current `c` (or from the
    /// observations when there is none yet). Returns the inner objective.
    fn solve_inner(&mut self) -> Result<f64, Error> {
        let q = self.q;
        let width = q + 1;
        let loss = self.objective.loss();
        let data = self.objective.data().data();
        let log = loss.is_log();
        let mut value = if self.have_c {
            self.inner_value(false)
        } else {
            f64::INFINITY
        };
        let mut stale = false;
        for _ in 0..self.max_inner.max(1) {
            self.gram.iter_mut().for_each(|v| *v = 0.0);
            self.rhs.iter_mut().for_each(|v| *v = 0.0);
            let fresh = !value.is_finite();
            for ((((row, &ln_y), &s), &y), &w) in self
                .design
                .chunks_exact(width)
                .zip(self.ln_y.iter())
                .zip(self.resid.iter())
                .zip(data.targets())
                .zip(self.weight.iter())
                .step_by(self.stride)
            {
                if w <= 0.0 {
                    continue;
                }
                let pred = predict(row, self.c);
                // Linearised residual s ~ s0 + slope (pred - pred0), and the IRLS weight.
                // Without a usable prediction, ln is linearised around the observation.
                let (s0, slope) = match (log, fresh) {
                    (true, false) => (s, 1.0 / pred),
                    (true, true) => ((pred - y) / y, 1.0 / y),
                    (false, _) => (pred - ln_y, 1.0),
                };
                let rho = match loss {
                    Loss::Huber { delta } | Loss::LogHuber { delta }
                        if !fresh && s0.abs() > delta =>
                    {
                        delta / s0.abs()
                    }
                    _ => 1.0,
                };
                let a = w * rho * slope * slope;
                // Working response: phi . c such that the linearised residual vanishes.
                let target = pred - s0 / slope - row.get(q).copied().unwrap_or(0.0);
                if !(a.is_finite() && target.is_finite()) {
                    continue;
                }
                let phi = row.get(..q).unwrap_or(&[]);
                for (i, &pi) in phi.iter().enumerate() {
                    if let Some(b) = self.rhs.get_mut(i) {
                        *b += a * pi * target;
                    }
                    let g = self.gram.get_mut(i * q..(i + 1) * q).unwrap_or(&mut []);
                    for (gij, &pj) in g.iter_mut().zip(phi) {
                        *gij += a * pi * pj;
                    }
                }
            }
            let flags: &[f64] = self.nonneg;
            let nonneg = |j: usize| flags.get(j).is_some_and(|&f| f > 0.5);
            mixlaw_core::linalg::nnls_gram(
                self.gram,
                q,
                self.rhs,
                nonneg,
                self.c_trial,
                self.nnls,
            )?;
            // Step from c toward the solution until the inner objective decreases.
            let mut accepted = false;
            stale = true;
            for halving in 0..40 {
                if halving > 0 {
                    for (t, &c) in self.c_trial.iter_mut().zip(self.c.iter()) {
                        *t = c + 0.5 * (*t - c);
                    }
                }
                let v = self.inner_value(true);
                if v.is_finite() && (v <= value || !value.is_finite()) {
                    let old = value;
                    value = v;
                    self.c.copy_from_slice(self.c_trial);
                    self.have_c = true;
                    stale = false;
                    accepted = !(old.is_finite() && old - v <= self.inner_tol * old.abs());
                    break;
                }
                if !value.is_finite() && halving > 20 {
                    break;
                }
            }
            if !accepted {
                break;
            }
        }
        // The residual cache must describe c (a rejected trial overwrote it).
        if self.have_c && stale {
            value = self.inner_value(false);
        }
        Ok(value)
    }

    /// `f(u)` and, with `grad`, its gradient; the full coordinates at the inner optimum are
    /// left in [`Reduced::theta`].
    fn evaluate(&mut self, u: &[f64], grad: Option<&mut [f64]>) -> Result<f64, Error> {
        self.assemble(u)?;
        self.build_design();
        let inner = self.solve_inner()?;
        self.assemble(u)?;
        self.evaluations += 1;
        let v = match grad {
            Some(g) => {
                let v = self
                    .objective
                    .eval(self.theta, Some(self.grad), self.scratch)?;
                let mut b = 0;
                for i in 0..(self.q + self.m) {
                    if !self.is_linear(i) {
                        if let (Some(gi), Some(&full)) = (g.get_mut(b), self.grad.get(i)) {
                            *gi = full;
                        }
                        b += 1;
                    }
                }
                v
            }
            // The inner objective is the objective's weighted sum (up to the floor of a
            // positive linear parameter solved to 0).
            None => inner / self.total_weight,
        };
        Ok(v)
    }

    /// The full coordinates of the last evaluation.
    pub fn theta(&self) -> &[f64] {
        self.theta
    }
}

impl<L: Law + ?Sized> Problem for Reduced<'_, '_, '_, '_, L> {
    fn dim(&self) -> usize {
        self.m
    }
    fn cost_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        match self.evaluate(x, Some(grad)) {
            Ok(v) if v.is_finite() => v,
            _ => f64::INFINITY,
        }
    }
}

/// `r_e + phi_e . c` for one design row.
#[inline]
fn predict(row: &[f64], c: &[f64]) -> f64 {
    let q = c.len();
    let mut v = row.get(q).copied().unwrap_or(0.0);
    for (a, b) in row.iter().zip(c) {
        v += a * b;
    }
    v
}

/// Global search by variable projection: a grid of `grid_points^m` points over the
/// nonlinear coordinates' ranges (`range(i)` for full coordinate i), each screened with a
/// few inner iterations; up to `config.refine` of the grid's local minima (points below
/// all their grid neighbours), best first, refined by the inner solve at the grid point and
/// then by `config.local`'s solver on the full objective (as basin-hopping's local
/// minimisations: L-BFGS unless Levenberg-Marquardt is asked for), until `config.agree` of
/// them reach the best value (within 1e-9 relative). `theta` receives the best full
/// coordinates.
pub fn grid_search<L, R, O>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
    range: R,
    theta: &mut [f64],
    workspace: &mut [f64],
    mut observer: O,
) -> Result<Outcome, Error>
where
    L: Law + ?Sized,
    R: Fn(usize) -> (f64, f64),
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    let (q, m) = split(objective).ok_or(Error::InvalidConfig {
        what: "variable projection needs linear and nonlinear parameters, no bounds",
    })?;
    if m > MAX_GRID_DIM {
        return Err(Error::InvalidConfig {
            what: "a grid search needs at most 3 nonlinear coordinates",
        });
    }
    let p = q + m;
    let g = grid_points(config, m);
    let cells = g.saturating_pow(m as u32);
    let needed = workspace_len(objective, config);
    let short = Error::BufferTooSmall {
        needed,
        found: workspace.len(),
    };
    let (reduced_ws, rest) = workspace
        .split_at_mut_checked(reduced_len(objective, q))
        .ok_or(short)?;
    let (values, rest) = rest.split_at_mut_checked(cells).ok_or(short)?;
    // The polish: the local solver basin-hopping would run (`config.local`).
    let local = BasinHopping::new(*config);
    let (local_ws, rest) = rest
        .split_at_mut_checked(local.local_workspace_len(p))
        .ok_or(short)?;
    let (polish_scratch, rest) = rest
        .split_at_mut_checked(problem::scratch_len(objective, config.local))
        .ok_or(short)?;
    let (u, rest) = rest.split_at_mut_checked(m).ok_or(short)?;
    let (full, rest) = rest.split_at_mut_checked(p).ok_or(short)?;
    let (best_theta, rest) = rest.split_at_mut_checked(p).ok_or(short)?;
    let (nonlinear_of, _) = rest.split_at_mut_checked(p).ok_or(short)?;
    // Full index of each nonlinear coordinate (stored as f64 to keep one buffer type).
    let mut b = 0;
    for i in 0..p {
        if !objective.law().param_info(i).is_some_and(|x| x.linear) {
            if let Some(v) = nonlinear_of.get_mut(b) {
                *v = i as f64;
            }
            b += 1;
        }
    }
    let full_index = |k: usize| nonlinear_of.get(k).copied().unwrap_or(0.0) as usize;
    let coord = |cell: usize, k: usize| {
        let digit = (cell / g.pow(k as u32)) % g;
        let (lo, hi) = range(full_index(k));
        lo + (hi - lo) * digit as f64 / (g - 1) as f64
    };
    let mut out = Outcome {
        grid_points: cells,
        ..Outcome::not_started()
    };
    let mut reduced = Reduced::new(objective, reduced_ws)?;
    // Screening: every grid point from a fresh inner start, a few inner iterations, on a
    // subsample of the entries.
    reduced.max_inner = SCREEN_ITERATIONS;
    let entries = objective.data().rows() * objective.law().outputs();
    reduced.stride = (entries / SCREEN_ENTRIES).max(1);
    for (cell, v) in values.iter_mut().enumerate() {
        for (k, uk) in u.iter_mut().enumerate() {
            *uk = coord(cell, k);
        }
        reduced.have_c = false;
        let value = reduced.evaluate(u, None).unwrap_or(f64::INFINITY);
        *v = if value.is_finite() {
            value
        } else {
            f64::INFINITY
        };
    }
    // The grid's local minima, best first.
    let is_local_min = |cell: usize| {
        let v = values.get(cell).copied().unwrap_or(f64::INFINITY);
        if !v.is_finite() {
            return false;
        }
        let mut neighbour = [0usize; MAX_GRID_DIM];
        let mut pattern = 0usize;
        let patterns = 3usize.pow(m as u32);
        while pattern < patterns {
            let mut other = 0usize;
            let mut valid = true;
            let mut shift = 1usize;
            for (k, n) in neighbour.iter_mut().enumerate().take(m) {
                let digit = (cell / g.pow(k as u32)) % g;
                let delta = (pattern / 3usize.pow(k as u32)) % 3;
                *n = digit + delta;
                if *n == 0 || *n > g {
                    valid = false;
                    break;
                }
                other += (*n - 1) * shift;
                shift *= g;
            }
            if valid && other != cell && values.get(other).is_some_and(|&w| w < v) {
                return false;
            }
            pattern += 1;
        }
        true
    };
    let mut chosen = [usize::MAX; MAX_REFINE];
    let refine = config.refine.clamp(1, MAX_REFINE);
    for slot in 0..refine {
        let mut best: Option<(usize, f64)> = None;
        for cell in 0..cells {
            let v = values.get(cell).copied().unwrap_or(f64::INFINITY);
            if chosen.contains(&cell) || !is_local_min(cell) {
                continue;
            }
            if best.is_none_or(|(_, b)| v < b) {
                best = Some((cell, v));
            }
        }
        match (best, chosen.get_mut(slot)) {
            (Some((cell, _)), Some(c)) => *c = cell,
            _ => break,
        }
    }
    if chosen.first() == Some(&usize::MAX) {
        return Err(Error::NoFiniteObjective);
    }
    // Refinement of each chosen minimum: the inner solve, then the full local solver.
    let agree = config.agree.max(1);
    let mut polish_evaluations = 0;
    for (start, &cell) in chosen.iter().enumerate() {
        if cell == usize::MAX {
            break;
        }
        for (k, uk) in u.iter_mut().enumerate() {
            *uk = coord(cell, k);
        }
        // The linear parameters solved (to a start's accuracy) at the grid point, then every
        // parameter refined together (from this start, one full L-BFGS converges in tens of
        // evaluations; an L-BFGS on the reduced objective first took longer).
        reduced.max_inner = START_ITERATIONS;
        reduced.inner_tol = REFINE_TOLERANCE;
        reduced.stride = 1;
        reduced.have_c = false;
        if reduced.evaluate(u, None).is_err() {
            out.non_finite_starts += 1;
            continue;
        }
        full.copy_from_slice(reduced.theta());
        let polish = {
            let mut problem = LawProblem::new(objective, polish_scratch)?;
            let lm = local.uses_lm(&problem);
            local.local_minimize(&mut problem, lm, full, local_ws)?
        };
        out.minimizations += 1;
        polish_evaluations += polish.evaluations;
        out.evaluations = reduced.evaluations + polish_evaluations;
        out.resets += polish.resets;
        let v = polish.value;
        if v.is_finite() {
            if v < out.value - 1e-9 * out.value.abs() || !out.value.is_finite() {
                out.agreeing = 1;
            } else if v <= out.value + 1e-9 * out.value.abs() {
                out.agreeing += 1;
            }
            if v < out.value || !out.value.is_finite() {
                out.value = v;
                out.status = polish.status;
                best_theta.copy_from_slice(full);
            }
        } else {
            out.non_finite_starts += 1;
        }
        let info = HopInfo {
            start,
            hop: 0,
            value: v,
            current: v,
            best: out.value,
            accepted: true,
            step: 0.0,
            evaluations: out.evaluations,
        };
        if observer(&info).is_break() {
            out.stopped_early = true;
            break;
        }
        if out.agreeing >= agree {
            break;
        }
    }
    if !out.value.is_finite() {
        return Err(Error::NoFiniteObjective);
    }
    theta.copy_from_slice(best_theta);
    Ok(out)
}
