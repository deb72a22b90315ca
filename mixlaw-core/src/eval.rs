//! A law bound to a prepared data set and a loss: the fitting objective, predictions.

use crate::data::Prepared;
use crate::data::Row;
use crate::groups::Groups;
use crate::law::{finite_outputs, Factor, Law, LawExt};
use crate::loss::Loss;
use crate::param;
use crate::Error;

/// A law, a validated data set and a loss: `f(theta) = sum_{r,j} w_rj loss(L_j(x_r), y_rj)
/// / sum_{r,j} w_rj` over the objective's unconstrained coordinates theta (the law's, or
/// bounded ones, see [`Objective::with_bounds`]), with its exact gradient. `j` runs over
/// the law's outputs (one for most laws).
///
/// All checks (domains, inputs, per-row law conditions, loss settings) happen once in
/// [`Objective::new`]; evaluations then only read the cache and the caller's scratch.
#[derive(Debug)]
pub struct Objective<'l, 'd, L: ?Sized> {
    law: &'l L,
    data: &'d Prepared<'d>,
    loss: Loss,
    total_weight: f64,
    /// The run weights in use: the data set's, or a resample's ([`Objective::reweighted`]).
    run_weights: Option<&'d [f64]>,
    groups: Option<&'d Groups<'d>>,
    bounds: Option<&'d [(f64, f64)]>,
    /// Every observation in the loss's residual space (`Loss::target`), when cached
    /// ([`Objective::with_loss_targets`]).
    loss_targets: Option<&'d [f64]>,
}

impl<'l, 'd, L: Law + ?Sized> Objective<'l, 'd, L> {
    /// Binds a law to a data set and a loss, validating everything once.
    pub fn new(law: &'l L, data: &'d Prepared<'d>, loss: Loss) -> Result<Self, Error> {
        loss.check()?;
        check_data(law, data)?;
        let ds = data.data();
        let m = ds.outputs();
        let mut total_weight = 0.0;
        for (i, &y) in ds.targets().iter().enumerate() {
            let w = ds.weight(i / m, i % m);
            if w > 0.0 && loss.is_log() && y <= 0.0 {
                return Err(Error::NotPositive {
                    what: "loss",
                    index: i / m,
                });
            }
            total_weight += w;
        }
        if !(total_weight > 0.0 && total_weight.is_finite()) {
            return Err(Error::Empty);
        }
        Ok(Objective {
            law,
            data,
            loss,
            total_weight,
            run_weights: ds.weights(),
            groups: None,
            bounds: None,
            loss_targets: None,
        })
    }

    /// The same objective with `run_weights` in place of the data set's run weights
    /// (the entry weights still multiply them): `f = sum_{r,j} v_r e_rj loss / sum_{r,j}
    /// v_r e_rj`. A bootstrap resample's counts reweight the runs without a new
    /// [`Prepared`] or [`Groups`]. A run may only carry weight where the data set's own
    /// weight is positive (its checks in [`Objective::new`] cover only those runs):
    /// [`Error::InvalidInput`] otherwise, or for a negative or non-finite weight;
    /// [`Error::Empty`] when every weight is 0.
    pub fn reweighted<'w>(&self, run_weights: &'w [f64]) -> Result<Objective<'l, 'w, L>, Error>
    where
        'd: 'w,
    {
        param::check_len("run weights", run_weights, self.data.rows())?;
        let ds = self.data.data();
        let m = ds.outputs();
        let mut total_weight = 0.0;
        for (r, &v) in run_weights.iter().enumerate() {
            let own = ds
                .weights()
                .map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
            if !v.is_finite() || v < 0.0 || (v > 0.0 && own <= 0.0) {
                return Err(Error::InvalidInput {
                    what: "run weights",
                    index: r,
                });
            }
            for j in 0..m {
                let entry = ds
                    .entry_weights()
                    .map_or(1.0, |e| e.get(r * m + j).copied().unwrap_or(0.0));
                total_weight += v * entry;
            }
        }
        if !(total_weight > 0.0 && total_weight.is_finite()) {
            return Err(Error::Empty);
        }
        Ok(Objective {
            law: self.law,
            data: self.data,
            loss: self.loss,
            total_weight,
            run_weights: Some(run_weights),
            groups: self.groups,
            bounds: self.bounds,
            loss_targets: self.loss_targets,
        })
    }

    /// The weight of entry `j` of run `r`: run weight (see [`Objective::reweighted`])
    /// times entry weight.
    pub fn weight(&self, r: usize, j: usize) -> f64 {
        let ds = self.data.data();
        let run = self
            .run_weights
            .map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
        let entry = ds
            .entry_weights()
            .map_or(1.0, |w| w.get(r * ds.outputs() + j).copied().unwrap_or(0.0));
        run * entry
    }

    /// [`Objective::weight`] of a one-output law's run `r` (its only entry): the grouped
    /// passes weigh rows exactly as the row pass does, entry weights included.
    #[inline]
    fn one_output_weight(&self, r: usize) -> f64 {
        let run = self
            .run_weights
            .map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
        let entry = self
            .data
            .data()
            .entry_weights()
            .map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
        run * entry
    }

    /// Evaluates a separable law once per distinct h, N and D of the data set (same
    /// values and gradients, far fewer transcendental calls). Laws without a separable
    /// form ignore the groups, and so does a data set whose distinct inputs are too many
    /// for groups to save work (see `active_groups`: fewer than two rows per distinct
    /// input read by the law, e.g. rows of distinct random mixtures). `groups` must
    /// index this objective's data set.
    pub fn with_groups(mut self, groups: &'d Groups<'d>) -> Result<Self, Error> {
        if groups.rows() != self.data.rows() {
            return Err(Error::LengthMismatch {
                what: "groups",
                expected: self.data.rows(),
                found: groups.rows(),
            });
        }
        self.groups = Some(groups);
        Ok(self)
    }

    /// Caches every observation in the loss's residual space ([`Loss::target`]: `ln y`
    /// for [`Loss::LogHuber`]) in `buf` (at least `rows * outputs` long): a log loss then
    /// takes one `ln` per entry and evaluation instead of two, with the same values bit
    /// for bit. Other losses need no cache: `self` is returned unchanged.
    pub fn with_loss_targets(mut self, buf: &'d mut [f64]) -> Result<Self, Error> {
        if !self.loss.is_log() {
            return Ok(self);
        }
        let targets = self.data.data().targets();
        let needed = targets.len();
        let found = buf.len();
        let Some(cache) = buf.get_mut(..needed) else {
            return Err(Error::BufferTooSmall { needed, found });
        };
        for (t, &y) in cache.iter_mut().zip(targets) {
            *t = self.loss.target(y);
        }
        self.loss_targets = Some(cache);
        Ok(self)
    }

    /// Observation `y` of entry `e` (`r * outputs + j`) in the loss's residual space:
    /// from the cache when there is one.
    #[inline]
    fn loss_target(&self, e: usize, y: f64) -> f64 {
        match self.loss_targets {
            Some(cache) => cache.get(e).copied().unwrap_or(f64::NAN),
            None => self.loss.target(y),
        }
    }

    /// Box bounds `lo <= p <= hi` on the natural parameters, one pair per parameter (an
    /// infinite side is open; a positive parameter stays > 0 whatever `lo`). A bounded
    /// parameter is fitted through a transform that keeps it inside its box:
    /// `lo + (hi - lo) / (1 + e^-t)` for a finite box, `lo + e^t` or `hi - e^t` for a
    /// one-sided one (`hi / (1 + e^-t)` for a positive parameter below `hi`). The
    /// objective's coordinates are then no longer the law's: use
    /// [`Objective::to_natural`] / [`Objective::to_unconstrained`].
    pub fn with_bounds(mut self, bounds: &'d [(f64, f64)]) -> Result<Self, Error> {
        param::check_len_of("bounds", bounds.len(), self.dim())?;
        for (i, &(lo, hi)) in bounds.iter().enumerate() {
            if lo.is_nan()
                || hi.is_nan()
                || lo >= hi
                || lo == f64::INFINITY
                || hi == f64::NEG_INFINITY
            {
                return Err(Error::InvalidBound { index: i });
            }
            let positive = self.law.param_info(i).is_some_and(|p| p.positive);
            if positive && hi <= 0.0 {
                return Err(Error::InvalidBound { index: i });
            }
        }
        self.bounds = Some(bounds);
        Ok(self)
    }

    /// The transform of coordinate `i` (see [`Objective::with_bounds`]).
    fn transform(&self, i: usize) -> Transform {
        let positive = self.law.param_info(i).is_some_and(|p| p.positive);
        let (lo, hi) = self
            .bounds
            .and_then(|b| b.get(i).copied())
            .unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        let lo = if positive && lo <= 0.0 { 0.0 } else { lo };
        match (lo.is_finite(), hi.is_finite()) {
            (true, true) => Transform::Box(lo, hi),
            (true, false) if !(positive && lo == 0.0) => Transform::Above(lo),
            (false, true) => Transform::Below(hi),
            _ if positive => Transform::Log,
            _ => Transform::Identity,
        }
    }

    /// The objective's coordinates to natural parameters.
    pub fn to_natural(&self, theta: &[f64], params: &mut [f64]) -> Result<(), Error> {
        if self.bounds.is_none() {
            return self.law.to_natural(theta, params);
        }
        param::check_len("theta", theta, self.dim())?;
        param::check_len("params", params, self.dim())?;
        for (i, (&t, p)) in theta.iter().zip(params.iter_mut()).enumerate() {
            if !t.is_finite() {
                return Err(Error::NonFinite {
                    what: "theta",
                    index: i,
                });
            }
            *p = self.transform(i).natural(t);
            if !p.is_finite() {
                return Err(Error::Overflow {
                    what: "parameter transform",
                });
            }
        }
        self.law.check_params(params)
    }

    /// Natural parameters to the objective's coordinates (bounded ones must lie strictly
    /// inside their box: [`Error::InvalidBound`] otherwise).
    pub fn to_unconstrained(&self, params: &[f64], theta: &mut [f64]) -> Result<(), Error> {
        self.law.to_unconstrained(params, theta)?;
        if self.bounds.is_none() {
            return Ok(());
        }
        for (i, (&p, t)) in params.iter().zip(theta.iter_mut()).enumerate() {
            *t = self
                .transform(i)
                .unconstrained(p)
                .ok_or(Error::InvalidBound { index: i })?;
        }
        Ok(())
    }

    /// Random-start range of coordinate `i`: the law's, or `[-3, 3]` for a bounded one.
    pub fn start_range(&self, i: usize) -> Option<(f64, f64)> {
        match self.transform(i) {
            Transform::Log | Transform::Identity => self.law.param_info(i).map(|p| p.start),
            _ => Some((-3.0, 3.0)),
        }
    }

    /// The natural parameters that lie at (within `1e-6` relative of) a finite bound.
    pub fn at_bound(&self, params: &[f64], i: usize) -> bool {
        let Some(&(lo, hi)) = self.bounds.and_then(|b| b.get(i)) else {
            return false;
        };
        let Some(&p) = params.get(i) else {
            return false;
        };
        let near = |b: f64| b.is_finite() && (p - b).abs() <= 1e-6 * b.abs().max(1e-12);
        near(lo) || near(hi)
    }

    /// The bounds, if any.
    pub fn bounds(&self) -> Option<&'d [(f64, f64)]> {
        self.bounds
    }

    /// The groups given with [`Objective::with_groups`], if any (whether or not
    /// evaluation uses them).
    pub fn groups(&self) -> Option<&'d Groups<'d>> {
        self.groups
    }

    /// The groups in use: when the law is separable, groups were given, and they save
    /// work. By groups, each distinct input the law reads costs two factor evaluations
    /// (values, then their vector-Jacobian product), `2 (n_h + n_N + n_D)` in all; by
    /// rows, each row costs one evaluation with its gradient. Groups are used when
    /// `2 (n_h + n_N + n_D) <= rows`: on grids of runs (Shukor et al.: 2 x 109 against
    /// 2,408 rows), not on rows of distinct mixtures, where the grouped pass would
    /// evaluate every row twice and read the rows in sorted, not stored, order.
    fn active_groups(&self) -> Option<(&'d Groups<'d>, usize)> {
        let t = self.law.separable_terms();
        let inputs = self.law.inputs();
        let saves_work = |g: &&Groups<'_>| {
            let distinct = [inputs.h, inputs.n, inputs.d]
                .into_iter()
                .enumerate()
                .filter(|&(_, read)| read)
                .map(|(i, _)| g.count(i))
                .sum::<usize>();
            2 * distinct <= g.rows()
        };
        self.groups
            .filter(|g| t > 0 && saves_work(g))
            .map(|g| (g, t))
    }

    /// The law.
    pub fn law(&self) -> &'l L {
        self.law
    }
    /// The prepared data.
    pub fn data(&self) -> &'d Prepared<'d> {
        self.data
    }
    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }
    /// Number of unconstrained parameters.
    pub fn dim(&self) -> usize {
        self.law.num_params()
    }
    /// Scratch length [`Objective::eval`] needs: the parameters, a row's scratch (its
    /// gradient and outputs, or the law's [`Law::outputs_scratch_len`] if larger), the
    /// outputs, the law's warm-start state per row, plus two values per term and distinct
    /// input and the law's factor cache ([`Law::factors_cache_len`]) when evaluating by
    /// groups. The warm-start part persists between calls when
    /// the caller passes the same buffer (any initial content is valid).
    pub fn scratch_len(&self) -> usize {
        let grouped = match self.active_groups() {
            Some((g, t)) => 2 * t * (g.count(0) + g.count(1) + g.count(2)) + self.cache_len(g),
            None => 0,
        };
        self.dim() + self.row_scratch_len() + self.law.outputs() + self.state_len() + grouped
    }

    /// The law's factor caches ([`Law::factors_cache_len`]) of every distinct input.
    fn cache_len(&self, groups: &Groups<'_>) -> usize {
        FACTORS
            .into_iter()
            .enumerate()
            .map(|(i, f)| self.law.factors_cache_len(f) * groups.count(i))
            .sum()
    }

    /// A row's scratch: its gradient and outputs, or what the law asks for.
    fn row_scratch_len(&self) -> usize {
        (self.dim() + self.law.outputs()).max(self.law.outputs_scratch_len())
    }

    fn state_len(&self) -> usize {
        self.law.state_len() * self.data.rows()
    }

    /// Marks the law's warm-start state in `scratch` as empty (NaN): results never
    /// depend on it beyond rounding, but a fresh start is reproducible.
    pub fn reset_state(&self, scratch: &mut [f64]) {
        let (p, m) = (self.dim(), self.law.outputs());
        if let Some(state) = scratch.get_mut(2 * p + 2 * m..2 * p + 2 * m + self.state_len()) {
            state.iter_mut().for_each(|s| *s = f64::NAN);
        }
    }

    /// The objective at `theta` (the objective's coordinates), and its gradient into
    /// `grad` when given.
    ///
    /// Returns `Ok(f64::INFINITY)` when the law is not finite somewhere at these parameters
    /// (an optimiser backtracks from such points); the gradient is then unspecified.
    /// Errors only for wrong lengths or non-finite `theta`.
    pub fn eval(
        &self,
        theta: &[f64],
        mut grad: Option<&mut [f64]>,
        scratch: &mut [f64],
    ) -> Result<f64, Error> {
        let p = self.dim();
        let needed = self.scratch_len();
        if scratch.len() < needed {
            return Err(Error::BufferTooSmall {
                needed,
                found: scratch.len(),
            });
        }
        let m = self.law.outputs();
        let (params, rest) = scratch.split_at_mut(p);
        let (row_scratch, rest) = rest.split_at_mut(self.row_scratch_len());
        let (values, rest) = rest.split_at_mut(m);
        let (state, rest) = rest.split_at_mut(self.state_len());
        self.to_natural(theta, params)?;
        if let Some(g) = grad.as_deref_mut() {
            param::check_len("grad", g, p)?;
            g.iter_mut().for_each(|x| *x = 0.0);
        }
        if let Some((groups, t)) = self.active_groups() {
            let row_grad = row_scratch.get_mut(..p).unwrap_or(&mut []);
            return Ok(self.eval_grouped(params, grad, row_grad, rest, groups, t));
        }
        let ds = self.data.data();
        let targets = ds.targets();
        let loss = self.loss;
        let sl = self.law.state_len();
        // Laws with several outputs divide each entry's cotangent by the total weight (the
        // arithmetic the joint capacity fits were published with, kept so that their
        // multimodal searches follow the same path bit for bit); one-output laws scale the
        // summed gradient once, in `finish`.
        let per_entry = m > 1;
        let total_weight = self.total_weight;
        if m == 1 && sl == 0 {
            let row_grad = row_scratch.get_mut(..p).unwrap_or(&mut []);
            let total = self.single_output_rows(params, grad.as_deref_mut(), row_grad);
            if !total.is_finite() {
                return Ok(f64::INFINITY);
            }
            return Ok(self.finish(total, params, grad));
        }
        let mut total = 0.0;
        for (r, row) in self.data.iter_rows().enumerate() {
            let ys = targets.get(r * m..(r + 1) * m).unwrap_or(&[]);
            let row_state = state.get_mut(r * sl..(r + 1) * sl).unwrap_or(&mut []);
            let mut row_total = 0.0;
            let mut any = false;
            for j in 0..m {
                any |= self.weight(r, j) > 0.0;
            }
            if !any {
                continue;
            }
            match grad.as_deref_mut() {
                Some(g) => {
                    let mut cotangent = |pred: &[f64], c: &mut [f64]| {
                        for (j, ((&pj, cj), &yj)) in
                            pred.iter().zip(c.iter_mut()).zip(ys).enumerate()
                        {
                            let w = self.weight(r, j);
                            *cj = 0.0;
                            if w > 0.0 {
                                let (l, dl) = loss.eval_target(pj, self.loss_target(r * m + j, yj));
                                row_total += w * l;
                                *cj = if per_entry {
                                    w * dl / total_weight
                                } else {
                                    w * dl
                                };
                            }
                        }
                    };
                    self.law.eval_outputs(
                        params,
                        &row,
                        values,
                        Some((g, &mut cotangent)),
                        row_state,
                        row_scratch,
                    );
                }
                None => {
                    self.law
                        .eval_outputs(params, &row, values, None, row_state, row_scratch);
                    for (j, (&pj, &yj)) in values.iter().zip(ys).enumerate() {
                        let w = self.weight(r, j);
                        if w > 0.0 {
                            let t = self.loss_target(r * m + j, yj);
                            row_total += w * loss.eval_target(pj, t).0;
                        }
                    }
                }
            }
            if !row_total.is_finite() {
                return Ok(f64::INFINITY);
            }
            total += row_total;
        }
        Ok(self.finish(total, params, grad))
    }

    /// The row pass of [`Objective::eval`] for a law with one output and no warm-start
    /// state: `sum_r w_r loss(L(x_r), y_r)` (non-finite on failure), adding
    /// `sum_r w_r loss'(L(x_r), y_r) dL/dp (x_r)` to `grad` when given.
    ///
    /// This is [`Law::eval_outputs`]'s definition for one output (one [`Law::eval_row`]
    /// with its gradient, scaled by the cotangent `w_r loss'`), written out: the same
    /// arithmetic in the same order, without a dynamic cotangent call and a per-row
    /// weight lookup per output. Rows with weight 0 are skipped, as there.
    fn single_output_rows(
        &self,
        params: &[f64],
        mut grad: Option<&mut [f64]>,
        row_grad: &mut [f64],
    ) -> f64 {
        let ds = self.data.data();
        let run_weights = self.run_weights;
        let entry_weights = ds.entry_weights();
        let loss = self.loss;
        let mut total = 0.0;
        for (r, (row, &y)) in self.data.iter_rows().zip(ds.targets()).enumerate() {
            let run = run_weights.map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
            let entry = entry_weights.map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
            let w = run * entry;
            if w <= 0.0 {
                continue;
            }
            let row_total = match grad.as_deref_mut() {
                Some(g) => {
                    let pred = self.law.eval_row(params, &row, Some(&mut *row_grad));
                    let (l, dl) = loss.eval_target(pred, self.loss_target(r, y));
                    let c = w * dl;
                    if c != 0.0 {
                        for (gi, &ri) in g.iter_mut().zip(row_grad.iter()) {
                            *gi += c * ri;
                        }
                    }
                    w * l
                }
                None => {
                    let pred = self.law.eval_row(params, &row, None);
                    w * loss.eval_target(pred, self.loss_target(r, y)).0
                }
            };
            if !row_total.is_finite() {
                return f64::INFINITY;
            }
            total += row_total;
        }
        total
    }

    /// Divides by the total weight and applies the chain rule to unconstrained coordinates.
    fn finish(&self, total: f64, params: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let value = total / self.total_weight;
        if let Some(g) = grad {
            if self.law.outputs() == 1 {
                let inv = 1.0 / self.total_weight;
                g.iter_mut().for_each(|x| *x *= inv);
            }
            if self.bounds.is_some() {
                for (i, (g, &p)) in g.iter_mut().zip(params.iter()).enumerate() {
                    *g *= self.transform(i).derivative(p);
                }
            } else {
                param::chain_to_unconstrained(self.law.blocks(), self.law.domains(), params, g);
            }
            // Checked after the chain rule, which can overflow a finite natural gradient.
            if g.iter().any(|x| !x.is_finite()) {
                return f64::INFINITY;
            }
        }
        value
    }

    /// The objective of a separable law by groups: factors once per distinct input, a few
    /// multiply-adds per row, and the gradient as one vector-Jacobian product per group.
    #[allow(clippy::too_many_arguments)]
    fn eval_grouped(
        &self,
        params: &[f64],
        mut grad: Option<&mut [f64]>,
        row_grad: &mut [f64],
        buf: &mut [f64],
        groups: &Groups<'_>,
        t: usize,
    ) -> f64 {
        let counts = [groups.count(0), groups.count(1), groups.count(2)];
        let (values, rest) = buf.split_at_mut(t * (counts[0] + counts[1] + counts[2]));
        let (weights, cache) = rest.split_at_mut(values.len());
        // values = [F | G | K], weights (dObjective/dfactor) laid out the same way, then
        // the law's cache of each distinct input.
        let offsets = [0, t * counts[0], t * (counts[0] + counts[1])];
        let cache_at = self.cache_layout(groups);
        for (i, factor) in FACTORS.into_iter().enumerate() {
            let base = offsets.get(i).copied().unwrap_or(0);
            let (cache_base, c) = cache_at.get(i).copied().unwrap_or((0, 0));
            for (g, &r) in groups.representatives(i).iter().enumerate() {
                if let (Some(row), Some(out), Some(kept)) = (
                    self.data.row(r),
                    values.get_mut(base + g * t..base + (g + 1) * t),
                    cache.get_mut(cache_base + g * c..cache_base + (g + 1) * c),
                ) {
                    self.law.factors(params, factor, &row, out, kept);
                }
            }
        }
        weights.iter_mut().for_each(|w| *w = 0.0);
        let with_grad = grad.is_some();
        // The row pass specialised for the loss (no branch on its kind per row).
        let rows = RowPass {
            values,
            weights,
            offsets,
            groups,
            t,
            with_grad,
            one_factor_per_term: self.one_factor_per_term(t),
        };
        // The row pass reads the observations in the loss's residual space when they are
        // cached (`with_loss_targets`, log loss), else as observed.
        let observed = self.data.data().targets();
        let total = match (self.loss, self.loss_targets) {
            (Loss::LogHuber { delta }, Some(targets)) => {
                let loss = Loss::LogHuber { delta };
                self.grouped_rows_with(rows, targets, |p, t| loss.eval_target(p, t))
            }
            (Loss::LogHuber { delta }, None) => {
                let loss = Loss::LogHuber { delta };
                self.grouped_rows_with(rows, observed, |p, y| loss.eval(p, y))
            }
            (Loss::Huber { delta }, _) => {
                let loss = Loss::Huber { delta };
                self.grouped_rows_with(rows, observed, |p, y| loss.eval(p, y))
            }
            (Loss::Squared, _) => {
                self.grouped_rows_with(rows, observed, |p, y| Loss::Squared.eval(p, y))
            }
        };
        if !total.is_finite() {
            return f64::INFINITY;
        }
        if let Some(gr) = grad.as_deref_mut() {
            for (i, factor) in FACTORS.into_iter().enumerate() {
                let base = offsets.get(i).copied().unwrap_or(0);
                let (cache_base, c) = cache_at.get(i).copied().unwrap_or((0, 0));
                for (g, &r) in groups.representatives(i).iter().enumerate() {
                    if let (Some(row), Some(wt), Some(kept)) = (
                        self.data.row(r),
                        weights.get(base + g * t..base + (g + 1) * t),
                        cache.get(cache_base + g * c..cache_base + (g + 1) * c),
                    ) {
                        self.law
                            .factors_vjp(params, factor, &row, wt, kept, gr, row_grad);
                    }
                }
            }
        }
        self.finish(total, params, grad)
    }

    /// Where the law's factor cache of each input starts in the cache buffer, and its
    /// length per distinct input.
    fn cache_layout(&self, groups: &Groups<'_>) -> [(usize, usize); 3] {
        let mut layout = [(0, 0); 3];
        let mut base = 0;
        for (i, (slot, factor)) in layout.iter_mut().zip(FACTORS).enumerate() {
            let len = self.law.factors_cache_len(factor);
            *slot = (base, len);
            base += len * groups.count(i);
        }
        layout
    }

    /// [`Objective::grouped_rows`] for `rows.t` terms, with or without the gradient.
    fn grouped_rows_with(
        &self,
        rows: RowPass<'_, '_>,
        targets: &[f64],
        loss: impl Fn(f64, f64) -> (f64, f64),
    ) -> f64 {
        let RowPass {
            values,
            weights,
            offsets,
            groups,
            t,
            with_grad,
            one_factor_per_term: one,
        } = rows;
        let unweighted = self.run_weights.is_none() && self.data.data().entry_weights().is_none();
        macro_rules! pass {
            ($t:literal, $grad:literal, $one:literal) => {
                if unweighted {
                    self.grouped_rows::<$t, $grad, $one, true>(
                        values, weights, offsets, groups, targets, loss,
                    )
                } else {
                    self.grouped_rows::<$t, $grad, $one, false>(
                        values, weights, offsets, groups, targets, loss,
                    )
                }
            };
        }
        match (t, with_grad, one) {
            (1, false, _) => pass!(1, false, false),
            (1, true, false) => pass!(1, true, false),
            (1, true, true) => pass!(1, true, true),
            (2, false, _) => pass!(2, false, false),
            (2, true, false) => pass!(2, true, false),
            (2, true, true) => pass!(2, true, true),
            (3, false, _) => pass!(3, false, false),
            (3, true, false) => pass!(3, true, false),
            (3, true, true) => pass!(3, true, true),
            (4, false, _) => pass!(4, false, false),
            (4, true, false) => pass!(4, true, false),
            (4, true, true) => pass!(4, true, true),
            _ => self.grouped_rows_any(t, values, weights, offsets, groups, with_grad),
        }
    }

    /// Whether every term of the law's separable form has at most one factor that is not
    /// the constant 1 ([`Law::unit_factors`]: `additive`'s `E + 1/(sum C h^gamma) +
    /// A N^-alpha + B D^-beta`, one factor per term). The weight of that factor is then
    /// `sum_r s_r 1 1 = sum_r s_r` over the rows of its group, the same for every term.
    fn one_factor_per_term(&self, t: usize) -> bool {
        let units = FACTORS.map(|f| self.law.unit_factors(f));
        (0..t).all(|term| {
            units
                .iter()
                .filter(|&&u| u.checked_shr(term as u32).unwrap_or(0) & 1 == 0)
                .count()
                <= 1
        })
    }

    /// The per-row pass of [`Objective::eval`] by groups, for a fixed number of terms `T`
    /// (unrolled), `loss(prediction, target)` against `targets` (one per row): the
    /// weighted loss total (non-finite on failure) and, with `GRAD`,
    /// d objective / d factor accumulated into `weights` (laid out like `values`):
    /// `weights[F_t(h_r)] += s_r G_t K_t`, `weights[G_t(N_r)] += s_r F_t K_t`,
    /// `weights[K_t(D_r)] += s_r F_t G_t` with `s_r = w_r loss'(L(x_r), y_r)`, rows in order.
    ///
    /// With `ONE` (every term has one factor that is not the constant 1, see
    /// [`Objective::one_factor_per_term`]), that factor's weight gets `s_r G_t K_t = s_r 1 1
    /// = s_r` exactly: one sum per group, written to every term of the group (the weights
    /// of constant factors are never read by [`Law::factors_vjp`]).
    ///
    /// The sums of the group a row shares with the previous row (rows of one mixture or
    /// model size come together) stay in registers until the group changes: the same
    /// additions in the same order as adding into `weights` row by row, without waiting
    /// for each row's store to reach the next row's load. A non-finite loss makes the total
    /// non-finite (every loss is >= 0, so nothing cancels it), which the caller checks once
    /// instead of after every row.
    ///
    /// Not inlined: the row loop gets its own registers (inlined into the factor passes of
    /// [`Objective::eval_grouped`], its running sums were kept on the stack).
    #[inline(never)]
    fn grouped_rows<const T: usize, const GRAD: bool, const ONE: bool, const UNWEIGHTED: bool>(
        &self,
        values: &[f64],
        weights: &mut [f64],
        offsets: [usize; 3],
        groups: &Groups<'_>,
        targets: &[f64],
        loss: impl Fn(f64, f64) -> (f64, f64),
    ) -> f64 {
        let read = |o: usize| -> Option<[f64; T]> { values.get(o..o + T)?.try_into().ok() };
        let run_weights = self.run_weights;
        let entry_weights = self.data.data().entry_weights();
        let mut total = 0.0;
        // Per input (h, N, D): the group whose sums are open in registers.
        let mut open_f = OpenGroup::<T>::default();
        let mut open_g = OpenGroup::<T>::default();
        let mut open_k = OpenGroup::<T>::default();
        let mut sum_f = OpenSum::<T>::default();
        let mut sum_g = OpenSum::<T>::default();
        let mut sum_k = OpenSum::<T>::default();
        for (r, (&y, ((&ih, &inn), &id))) in targets
            .iter()
            .zip(groups.ids(0).iter().zip(groups.ids(1)).zip(groups.ids(2)))
            .enumerate()
        {
            let w = if UNWEIGHTED {
                1.0
            } else {
                let run = run_weights.map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
                let entry = entry_weights.map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
                run * entry
            };
            if w <= 0.0 {
                continue;
            }
            let (fo, go, ko) = (ih * T, offsets[1] + inn * T, offsets[2] + id * T);
            let (Some(f), Some(g), Some(k)) = (read(fo), read(go), read(ko)) else {
                return f64::INFINITY;
            };
            let pred: f64 = f.iter().zip(&g).zip(&k).map(|((f, g), k)| f * g * k).sum();
            let (l, dl) = loss(pred, y);
            total += w * l;
            if GRAD && ONE {
                let s = w * dl;
                sum_f.add(weights, fo, s);
                sum_g.add(weights, go, s);
                sum_k.add(weights, ko, s);
            } else if GRAD {
                let s = w * dl;
                open_f.add(weights, fo, s, &g, &k);
                open_g.add(weights, go, s, &f, &k);
                open_k.add(weights, ko, s, &f, &g);
            }
        }
        open_f.close(weights);
        open_g.close(weights);
        open_k.close(weights);
        sum_f.close(weights);
        sum_g.close(weights);
        sum_k.close(weights);
        total
    }

    /// [`Objective::grouped_rows`] for any number of terms.
    fn grouped_rows_any(
        &self,
        t: usize,
        values: &[f64],
        weights: &mut [f64],
        offsets: [usize; 3],
        groups: &Groups<'_>,
        with_grad: bool,
    ) -> f64 {
        let targets = self.data.data().targets();
        let mut total = 0.0;
        for (r, (&y, ((&ih, &inn), &id))) in targets
            .iter()
            .zip(groups.ids(0).iter().zip(groups.ids(1)).zip(groups.ids(2)))
            .enumerate()
        {
            let w = self.one_output_weight(r);
            if w <= 0.0 {
                continue;
            }
            let (fo, go, ko) = (ih * t, offsets[1] + inn * t, offsets[2] + id * t);
            let (Some(f), Some(g), Some(k)) = (
                values.get(fo..fo + t),
                values.get(go..go + t),
                values.get(ko..ko + t),
            ) else {
                return f64::INFINITY;
            };
            let pred: f64 = f.iter().zip(g).zip(k).map(|((f, g), k)| f * g * k).sum();
            let (l, dl) = self.loss.eval_target(pred, self.loss_target(r, y));
            if !l.is_finite() || !pred.is_finite() {
                return f64::INFINITY;
            }
            total += w * l;
            if with_grad {
                let s = w * dl;
                for (offset, a, b) in [(fo, g, k), (go, f, k), (ko, f, g)] {
                    for (j, (x, y)) in a.iter().zip(b).enumerate() {
                        if let Some(d) = weights.get_mut(offset + j) {
                            *d += s * x * y;
                        }
                    }
                }
            }
        }
        total
    }
}

/// The Gauss-Newton system of an [`Objective`] whose loss is a sum of residual losses.
impl<L: Law + ?Sized> Objective<'_, '_, L> {
    /// Scratch length [`Objective::gauss_newton`] needs: [`Objective::scratch_len`], the
    /// chain-rule diagonal and a row's Jacobian, and when evaluating by groups the
    /// Jacobian of every factor of every distinct input (`p` values per term and input).
    pub fn gauss_newton_scratch_len(&self) -> usize {
        let jacobians = match self
            .active_groups()
            .filter(|&(_, t)| t <= MAX_GROUPED_TERMS)
        {
            Some((g, t)) => self.dim() * t * (g.count(0) + g.count(1) + g.count(2)),
            None => 0,
        };
        self.scratch_len() + 2 * self.dim() + jacobians
    }

    /// The objective's Gauss-Newton system at `theta`, accumulated row by row without
    /// storing the Jacobian: returns `f(theta)` (as [`Objective::eval`]), writes the exact
    /// gradient `g = (1/W) sum_{r,j} w_rj loss'(L_j(x_r)) J_rj` into `grad` and the
    /// Gauss-Newton matrix `H = (1/W) sum_{r,j} w_rj c_rj J_rj J_rj^T` into `hess`
    /// (`p x p`, row-major, symmetric), where `J_rj = dL_j(x_r)/dtheta` is the law's exact
    /// per-row gradient times the chain rule of the objective's transform and `c_rj` the
    /// loss's curvature weight ([`Loss::gauss_newton`]: IRLS weights for Huber). Every
    /// observed entry of a law with several outputs is one residual.
    ///
    /// A separable law evaluated by groups builds each factor's Jacobian once per
    /// distinct input and each row's `J` from them (`sum_t G_t K_t dF_t + F_t K_t dG_t +
    /// F_t G_t dK_t`). Returns `Ok(f64::INFINITY)` where the law (or `H`, `g`) is not
    /// finite; [`Error::NotResidual`] for a loss without a Gauss-Newton form. `scratch`
    /// needs [`Objective::gauss_newton_scratch_len`] elements.
    pub fn gauss_newton(
        &self,
        theta: &[f64],
        grad: &mut [f64],
        hess: &mut [f64],
        scratch: &mut [f64],
    ) -> Result<f64, Error> {
        let p = self.dim();
        let needed = self.gauss_newton_scratch_len();
        if scratch.len() < needed {
            return Err(Error::BufferTooSmall {
                needed,
                found: scratch.len(),
            });
        }
        if self.loss.gauss_newton(1.0, 1.0).is_none() {
            return Err(Error::NotResidual);
        }
        param::check_len("grad", grad, p)?;
        param::check_len("hess", hess, p * p)?;
        let m = self.law.outputs();
        let (params, rest) = scratch.split_at_mut(p);
        let (row_scratch, rest) = rest.split_at_mut(p + m);
        let (_values, rest) = rest.split_at_mut(m);
        let (_state, rest) = rest.split_at_mut(self.state_len());
        let (grouped, rest) =
            rest.split_at_mut(self.scratch_len() - 2 * p - 2 * m - self.state_len());
        let (diag, rest) = rest.split_at_mut(p);
        let (row_jac, jacobians) = rest.split_at_mut(p);
        self.to_natural(theta, params)?;
        grad.iter_mut().for_each(|x| *x = 0.0);
        hess.iter_mut().for_each(|x| *x = 0.0);
        // d p_i / d theta_i: the transform is one coordinate at a time.
        if self.bounds.is_some() {
            for (i, (d, &pi)) in diag.iter_mut().zip(params.iter()).enumerate() {
                *d = self.transform(i).derivative(pi);
            }
        } else {
            diag.iter_mut().for_each(|d| *d = 1.0);
            param::chain_to_unconstrained(self.law.blocks(), self.law.domains(), params, diag);
        }
        let row_grad = row_scratch.get_mut(..p).unwrap_or(&mut []);
        let total = match self
            .active_groups()
            .filter(|&(_, t)| t <= MAX_GROUPED_TERMS)
        {
            Some((groups, t)) => {
                let mut sys = System {
                    grad,
                    hess,
                    total: 0.0,
                };
                self.gauss_newton_grouped(
                    params, diag, row_grad, row_jac, grouped, jacobians, groups, t, &mut sys,
                );
                sys.total
            }
            None => self.gauss_newton_rows(params, diag, row_grad, grad, hess),
        };
        if !total.is_finite() {
            return Ok(f64::INFINITY);
        }
        let inv = 1.0 / self.total_weight;
        grad.iter_mut().for_each(|g| *g *= inv);
        for i in 0..p {
            for j in 0..=i {
                let v = hess.get(i * p + j).copied().unwrap_or(0.0) * inv;
                if let Some(h) = hess.get_mut(i * p + j) {
                    *h = v;
                }
                if let Some(h) = hess.get_mut(j * p + i) {
                    *h = v;
                }
            }
        }
        if grad.iter().chain(hess.iter()).any(|x| !x.is_finite()) {
            return Ok(f64::INFINITY);
        }
        Ok(total * inv)
    }

    /// The row pass of [`Objective::gauss_newton`]: one [`Law::eval_row`] with its
    /// gradient per observed entry. Returns the weighted loss total (non-finite on
    /// failure); `hess` receives its lower triangle only.
    fn gauss_newton_rows(
        &self,
        params: &[f64],
        diag: &[f64],
        row_grad: &mut [f64],
        grad: &mut [f64],
        hess: &mut [f64],
    ) -> f64 {
        let ds = self.data.data();
        let targets = ds.targets();
        let m = self.law.outputs();
        let mut sys = System {
            grad,
            hess,
            total: 0.0,
        };
        for (r, row) in self.data.iter_rows().enumerate() {
            for j in 0..m {
                let w = ds.weight(r, j);
                if w <= 0.0 {
                    continue;
                }
                let y = targets.get(r * m + j).copied().unwrap_or(f64::NAN);
                let pred =
                    self.law
                        .eval_row(params, &Row { output: j, ..row }, Some(&mut *row_grad));
                for (g, d) in row_grad.iter_mut().zip(diag) {
                    *g *= d;
                }
                let target = self.loss_target(r * m + j, y);
                if !sys.add(self.loss, w, pred, target, row_grad) {
                    return f64::INFINITY;
                }
            }
        }
        sys.total
    }

    /// The grouped pass of [`Objective::gauss_newton`]: each factor's value and Jacobian
    /// (in the objective's coordinates) once per distinct input, then per row the
    /// prediction and its Jacobian from the `3 T` factors it combines.
    #[allow(clippy::too_many_arguments)]
    fn gauss_newton_grouped(
        &self,
        params: &[f64],
        diag: &[f64],
        row_grad: &mut [f64],
        row_jac: &mut [f64],
        values: &mut [f64],
        jacobians: &mut [f64],
        groups: &Groups<'_>,
        t: usize,
        sys: &mut System<'_>,
    ) {
        let p = self.dim();
        let counts = [groups.count(0), groups.count(1), groups.count(2)];
        let offsets = [0, counts[0], counts[0] + counts[1]];
        // values = [F | G | K], then (past the room for the weights `eval` uses) the law's
        // cache of each distinct input.
        let (values, rest) = values.split_at_mut(t * (counts[0] + counts[1] + counts[2]));
        let cache = rest.get_mut(values.len()..).unwrap_or(&mut []);
        let cache_at = self.cache_layout(groups);
        let mut unit = [0.0; MAX_GROUPED_TERMS];
        // Per input and term, the range of parameters any of its factors depends on
        // (factors read few parameters: rows only add that range).
        let mut ranges = [[(usize::MAX, 0usize); MAX_GROUPED_TERMS]; 3];
        for (i, factor) in FACTORS.into_iter().enumerate() {
            let base = offsets.get(i).copied().unwrap_or(0);
            let (cache_base, c) = cache_at.get(i).copied().unwrap_or((0, 0));
            for (g, &r) in groups.representatives(i).iter().enumerate() {
                let (Some(row), Some(kept)) = (
                    self.data.row(r),
                    cache.get_mut(cache_base + g * c..cache_base + (g + 1) * c),
                ) else {
                    continue;
                };
                let slot = base + g;
                if let Some(out) = values.get_mut(slot * t..(slot + 1) * t) {
                    self.law.factors(params, factor, &row, out, kept);
                }
                for term in 0..t {
                    let Some(jac) =
                        jacobians.get_mut((slot * t + term) * p..(slot * t + term + 1) * p)
                    else {
                        continue;
                    };
                    jac.iter_mut().for_each(|x| *x = 0.0);
                    // A one-hot weight vector picks term `term`'s Jacobian out of the
                    // factor's vector-Jacobian product.
                    unit.iter_mut().for_each(|u| *u = 0.0);
                    if let Some(u) = unit.get_mut(term) {
                        *u = 1.0;
                    }
                    let weights = unit.get(..t).unwrap_or(&[]);
                    self.law
                        .factors_vjp(params, factor, &row, weights, kept, jac, row_grad);
                    for (x, d) in jac.iter_mut().zip(diag) {
                        *x *= d;
                    }
                    if let (Some(lo), Some(hi), Some(range)) = (
                        jac.iter().position(|&x| x != 0.0),
                        jac.iter().rposition(|&x| x != 0.0),
                        ranges.get_mut(i).and_then(|r| r.get_mut(term)),
                    ) {
                        *range = (range.0.min(lo), range.1.max(hi + 1));
                    }
                }
            }
        }
        let targets = self.data.data().targets();
        for (r, (&y, ((&ih, &inn), &id))) in targets
            .iter()
            .zip(groups.ids(0).iter().zip(groups.ids(1)).zip(groups.ids(2)))
            .enumerate()
        {
            let w = self.one_output_weight(r);
            if w <= 0.0 {
                continue;
            }
            let slots = [ih, offsets[1] + inn, offsets[2] + id];
            let (Some(f), Some(g), Some(k)) = (
                values.get(slots[0] * t..(slots[0] + 1) * t),
                values.get(slots[1] * t..(slots[1] + 1) * t),
                values.get(slots[2] * t..(slots[2] + 1) * t),
            ) else {
                sys.total = f64::INFINITY;
                return;
            };
            row_jac.iter_mut().for_each(|x| *x = 0.0);
            let mut pred = 0.0;
            for term in 0..t {
                let (ft, gt, kt) = (
                    f.get(term).copied().unwrap_or(0.0),
                    g.get(term).copied().unwrap_or(0.0),
                    k.get(term).copied().unwrap_or(0.0),
                );
                pred += ft * gt * kt;
                for ((slot, scale), input_ranges) in
                    slots.iter().zip([gt * kt, ft * kt, ft * gt]).zip(&ranges)
                {
                    let at = slot * t + term;
                    let (lo, hi) = input_ranges.get(term).copied().unwrap_or((0, 0));
                    if scale == 0.0 || lo >= hi {
                        continue;
                    }
                    if let (Some(jac), Some(dst)) = (
                        jacobians.get(at * p + lo..at * p + hi),
                        row_jac.get_mut(lo..hi),
                    ) {
                        for (j, &x) in dst.iter_mut().zip(jac) {
                            *j += scale * x;
                        }
                    }
                }
            }
            if !sys.add(self.loss, w, pred, self.loss_target(r, y), row_jac) {
                sys.total = f64::INFINITY;
                return;
            }
        }
    }
}

/// The buffers of [`Objective::grouped_rows`]: factor values and weights (laid out alike),
/// the offsets of the h, N and D factors in them, the groups, the number of terms,
/// whether the weights are wanted, and [`Objective::one_factor_per_term`].
struct RowPass<'a, 'g> {
    values: &'a [f64],
    weights: &'a mut [f64],
    offsets: [usize; 3],
    groups: &'a Groups<'g>,
    t: usize,
    with_grad: bool,
    one_factor_per_term: bool,
}

/// The factor weights of one group of [`Objective::grouped_rows`] (`T` terms from offset
/// `at` of the weights), held while consecutive rows add to them.
#[derive(Clone, Copy)]
struct OpenGroup<const T: usize> {
    /// The offset, [`CLOSED`] before the first row.
    at: usize,
    sums: [f64; T],
}

impl<const T: usize> Default for OpenGroup<T> {
    fn default() -> Self {
        OpenGroup {
            at: CLOSED,
            sums: [0.0; T],
        }
    }
}

impl<const T: usize> OpenGroup<T> {
    /// `weights[at + t] += s a_t b_t` for every term `t`, into the open sums (the group
    /// at `at` is opened first, the previous one closed).
    #[inline(always)]
    fn add(&mut self, weights: &mut [f64], at: usize, s: f64, a: &[f64; T], b: &[f64; T]) {
        if self.at != at {
            self.close(weights);
            if let Some(src) = weights.get(at..).and_then(|w| w.get(..T)) {
                self.sums.copy_from_slice(src);
            }
            self.at = at;
        }
        for ((d, x), y) in self.sums.iter_mut().zip(a).zip(b) {
            *d += s * x * y;
        }
    }

    /// Stores the open sums back into `weights`.
    #[inline(always)]
    fn close(&self, weights: &mut [f64]) {
        if let Some(dst) = weights.get_mut(self.at..).and_then(|w| w.get_mut(..T)) {
            dst.copy_from_slice(&self.sums);
        }
    }
}

/// The weight of one group of [`Objective::grouped_rows`] for a law with one factor per
/// term: `sum_r s_r` over its rows, the same for its `T` terms (offset `at` of the weights),
/// held while consecutive rows add to it.
#[derive(Clone, Copy)]
struct OpenSum<const T: usize> {
    /// The offset, [`CLOSED`] before the first row.
    at: usize,
    sum: f64,
}

impl<const T: usize> Default for OpenSum<T> {
    fn default() -> Self {
        OpenSum {
            at: CLOSED,
            sum: 0.0,
        }
    }
}

impl<const T: usize> OpenSum<T> {
    /// `weights[at + t] += s` for every term `t` (all equal), into the open sum (the group
    /// at `at` is opened first, the previous one closed).
    #[inline(always)]
    fn add(&mut self, weights: &mut [f64], at: usize, s: f64) {
        if self.at != at {
            self.close(weights);
            self.sum = weights.get(at).copied().unwrap_or(0.0);
            self.at = at;
        }
        self.sum += s;
    }

    /// Stores the open sum back into every term of its group.
    #[inline(always)]
    fn close(&self, weights: &mut [f64]) {
        if let Some(dst) = weights.get_mut(self.at..).and_then(|w| w.get_mut(..T)) {
            dst.iter_mut().for_each(|d| *d = self.sum);
        }
    }
}

/// The offset of a group not yet opened (past the end of any weights).
const CLOSED: usize = usize::MAX;

/// The three inputs of a separable law, in the order of [`Groups`] (h, N, D).
const FACTORS: [Factor; 3] = [Factor::Mixture, Factor::Model, Factor::Tokens];

/// Separable laws with at most this many terms build [`Objective::gauss_newton`] by
/// groups (the one-hot weights that pick one term's Jacobian live on the stack); others
/// by rows.
const MAX_GROUPED_TERMS: usize = 8;

/// The sums of [`Objective::gauss_newton`] as rows are added.
struct System<'a> {
    grad: &'a mut [f64],
    /// Lower triangle, row-major `p x p`.
    hess: &'a mut [f64],
    total: f64,
}

impl System<'_> {
    /// Adds one residual of weight `w`, prediction `pred`, observation `target` (in the
    /// loss's residual space, [`Loss::target`]) and Jacobian `jac` (objective
    /// coordinates); false when its loss is not finite.
    #[inline]
    fn add(&mut self, loss: Loss, w: f64, pred: f64, target: f64, jac: &[f64]) -> bool {
        let Some((l, dl, c)) = loss.gauss_newton_target(pred, target) else {
            return false;
        };
        if !(l.is_finite() && pred.is_finite()) {
            return false;
        }
        self.total += w * l;
        let (a, b) = (w * dl, w * c);
        for (g, &j) in self.grad.iter_mut().zip(jac) {
            *g += a * j;
        }
        if b != 0.0 {
            let p = jac.len();
            for (i, (row, &ji)) in self.hess.chunks_exact_mut(p).zip(jac).enumerate() {
                let bj = b * ji;
                if let (Some(row), Some(head)) = (row.get_mut(..=i), jac.get(..=i)) {
                    for (h, &jj) in row.iter_mut().zip(head) {
                        *h += bj * jj;
                    }
                }
            }
        }
        true
    }
}

/// Checks that a prepared data set suits a law: domain and output counts, inputs,
/// finite losses where they are used, per-entry law conditions.
pub fn check_data<L: Law + ?Sized>(law: &L, data: &Prepared<'_>) -> Result<(), Error> {
    let ds = data.data();
    if law.inputs().h && ds.domains() != law.domains() {
        return Err(Error::WrongDomainCount {
            expected: law.domains(),
            found: ds.domains(),
        });
    }
    let m = law.outputs();
    if ds.outputs() != m {
        return Err(Error::LengthMismatch {
            what: "observed losses per run (the law's outputs)",
            expected: m,
            found: ds.outputs(),
        });
    }
    law.check_inputs(ds.inputs())?;
    let weight = |i: usize| ds.weight(i / m, i % m);
    crate::data::check_finite_losses(ds.targets(), Some(&weight), m)?;
    for (r, row) in data.iter_rows().enumerate() {
        for j in 0..m {
            if m == 1 || ds.weight(r, j) > 0.0 {
                law.check_row(&Row { output: j, ..row }, r)?;
            }
        }
    }
    Ok(())
}

/// Predictions of a law with natural `params` for every run of `data`, into `out`
/// (`rows * outputs`, row-major). An output the law declares undefined at a run
/// ([`Law::check_row`] fails for it) is `+inf`; any other non-finite value is an error.
pub fn predict<L: Law + ?Sized>(
    law: &L,
    params: &[f64],
    data: &Prepared<'_>,
    out: &mut [f64],
) -> Result<(), Error> {
    law.check_params(params)?;
    let ds = data.data();
    let m = law.outputs();
    if law.inputs().h && ds.domains() != law.domains() {
        return Err(Error::WrongDomainCount {
            expected: law.domains(),
            found: ds.domains(),
        });
    }
    law.check_inputs(ds.inputs())?;
    param::check_len("predictions", out, data.rows() * m)?;
    let mut state = [f64::NAN; 4];
    let sl = law.state_len().min(state.len());
    for (r, (row, o)) in data.iter_rows().zip(out.chunks_exact_mut(m)).enumerate() {
        if m == 1 {
            law.check_row(&row, r)?;
        }
        law.eval_outputs(
            params,
            &row,
            o,
            None,
            state.get_mut(..sl).unwrap_or(&mut []),
            &mut [],
        );
        finite_outputs(law, &row, o, r)?;
    }
    Ok(())
}

/// How one coordinate of a bounded objective maps to its natural parameter.
#[derive(Clone, Copy, Debug)]
enum Transform {
    Identity,
    Log,
    Box(f64, f64),
    Above(f64),
    Below(f64),
}

impl Transform {
    fn natural(self, t: f64) -> f64 {
        match self {
            Transform::Identity => t,
            Transform::Log => libm::exp(t),
            Transform::Box(lo, hi) => lo + (hi - lo) / (1.0 + libm::exp(-t)),
            Transform::Above(lo) => lo + libm::exp(t),
            Transform::Below(hi) => hi - libm::exp(t),
        }
    }
    fn unconstrained(self, p: f64) -> Option<f64> {
        let t = match self {
            Transform::Identity => p,
            Transform::Log if p > 0.0 => libm::log(p),
            Transform::Box(lo, hi) if p > lo && p < hi => libm::log((p - lo) / (hi - p)),
            Transform::Above(lo) if p > lo => libm::log(p - lo),
            Transform::Below(hi) if p < hi => libm::log(hi - p),
            _ => return None,
        };
        t.is_finite().then_some(t)
    }
    /// dp/dt at natural value `p`.
    fn derivative(self, p: f64) -> f64 {
        match self {
            Transform::Identity => 1.0,
            Transform::Log => p,
            Transform::Box(lo, hi) => (p - lo) * (hi - p) / (hi - lo),
            Transform::Above(lo) => p - lo,
            Transform::Below(hi) => -(hi - p),
        }
    }
}
