//! A law bound to a prepared data set and a loss: the fitting objective, predictions.

use crate::data::Prepared;
use crate::groups::Groups;
use crate::law::{finite, Factor, Law};
use crate::loss::Loss;
use crate::param;
use crate::Error;

/// A law, a validated data set and a loss: `f(theta) = sum_r w_r loss(L(x_r), y_r) / sum_r w_r`
/// over the unconstrained parameters theta, with its exact gradient.
///
/// All checks (domains, inputs, per-row law conditions, loss settings) happen once in
/// [`Objective::new`]; evaluations then only read the cache and the caller's scratch.
#[derive(Debug)]
pub struct Objective<'l, 'd, L: ?Sized> {
    law: &'l L,
    data: &'d Prepared<'d>,
    loss: Loss,
    total_weight: f64,
    groups: Option<&'d Groups<'d>>,
}

impl<'l, 'd, L: Law + ?Sized> Objective<'l, 'd, L> {
    /// Binds a law to a data set and a loss, validating everything once.
    pub fn new(law: &'l L, data: &'d Prepared<'d>, loss: Loss) -> Result<Self, Error> {
        loss.check()?;
        check_data(law, data)?;
        if loss.is_log() {
            for (r, &y) in data.data().targets().iter().enumerate() {
                if y <= 0.0 {
                    return Err(Error::NotPositive {
                        what: "loss",
                        index: r,
                    });
                }
            }
        }
        let total_weight = match data.data().weights() {
            Some(w) => w.iter().sum(),
            None => data.rows() as f64,
        };
        Ok(Objective {
            law,
            data,
            loss,
            total_weight,
            groups: None,
        })
    }

    /// Evaluates a separable law once per distinct h, N and D of the data set (same
    /// values and gradients, far fewer transcendental calls). Laws without a separable
    /// form ignore the groups. `groups` must index this objective's data set.
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

    /// The groups in use, when the law is separable and groups were given.
    fn active_groups(&self) -> Option<(&'d Groups<'d>, usize)> {
        let t = self.law.separable_terms();
        self.groups.filter(|_| t > 0).map(|g| (g, t))
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
    /// Scratch length [`Objective::eval`] needs: twice the parameter count, plus two
    /// values per term and distinct input when evaluating by groups.
    pub fn scratch_len(&self) -> usize {
        let grouped = match self.active_groups() {
            Some((g, t)) => 2 * t * (g.count(0) + g.count(1) + g.count(2)),
            None => 0,
        };
        2 * self.dim() + grouped
    }

    /// The objective at unconstrained `theta`, and its gradient into `grad` when given.
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
        let (params, rest) = scratch.split_at_mut(p);
        let (row_grad, rest) = rest.split_at_mut(p);
        self.law.to_natural(theta, params)?;
        if let Some(g) = grad.as_deref_mut() {
            param::check_len("grad", g, p)?;
            g.iter_mut().for_each(|x| *x = 0.0);
        }
        if let Some((groups, t)) = self.active_groups() {
            return Ok(self.eval_grouped(params, grad, row_grad, rest, groups, t));
        }
        let weights = self.data.data().weights();
        let targets = self.data.data().targets();
        let mut total = 0.0;
        for (r, (row, &y)) in self.data.iter_rows().zip(targets).enumerate() {
            let w = match weights {
                Some(w) => w.get(r).copied().unwrap_or(0.0),
                None => 1.0,
            };
            if w == 0.0 {
                continue;
            }
            let pred = match grad {
                Some(_) => self.law.eval_row(params, &row, Some(&mut *row_grad)),
                None => self.law.eval_row(params, &row, None),
            };
            let (l, dl) = self.loss.eval(pred, y);
            if !l.is_finite() || !pred.is_finite() {
                return Ok(f64::INFINITY);
            }
            total += w * l;
            if let Some(g) = grad.as_deref_mut() {
                let s = w * dl;
                for (gi, &ri) in g.iter_mut().zip(row_grad.iter()) {
                    *gi += s * ri;
                }
            }
        }
        Ok(self.finish(total, params, grad))
    }

    /// Divides by the total weight and applies the chain rule to unconstrained coordinates.
    fn finish(&self, total: f64, params: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let value = total / self.total_weight;
        if let Some(g) = grad {
            let inv = 1.0 / self.total_weight;
            g.iter_mut().for_each(|x| *x *= inv);
            param::chain_to_unconstrained(self.law.blocks(), self.law.domains(), params, g);
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
        const FACTORS: [Factor; 3] = [Factor::Mixture, Factor::Model, Factor::Tokens];
        let counts = [groups.count(0), groups.count(1), groups.count(2)];
        let (values, weights) = buf.split_at_mut(t * (counts[0] + counts[1] + counts[2]));
        // values = [F | G | K], weights (dObjective/dfactor) laid out the same way.
        let offsets = [0, t * counts[0], t * (counts[0] + counts[1])];
        for (i, factor) in FACTORS.into_iter().enumerate() {
            let base = offsets.get(i).copied().unwrap_or(0);
            for (g, &r) in groups.representatives(i).iter().enumerate() {
                if let (Some(row), Some(out)) = (
                    self.data.row(r),
                    values.get_mut(base + g * t..base + (g + 1) * t),
                ) {
                    self.law.factors(params, factor, &row, out);
                }
            }
        }
        weights.iter_mut().for_each(|w| *w = 0.0);
        let with_grad = grad.is_some();
        let total = match t {
            1 => self.grouped_rows::<1>(values, weights, offsets, groups, with_grad),
            2 => self.grouped_rows::<2>(values, weights, offsets, groups, with_grad),
            3 => self.grouped_rows::<3>(values, weights, offsets, groups, with_grad),
            4 => self.grouped_rows::<4>(values, weights, offsets, groups, with_grad),
            _ => self.grouped_rows_any(t, values, weights, offsets, groups, with_grad),
        };
        if !total.is_finite() {
            return f64::INFINITY;
        }
        if let Some(gr) = grad.as_deref_mut() {
            for (i, factor) in FACTORS.into_iter().enumerate() {
                let base = offsets.get(i).copied().unwrap_or(0);
                for (g, &r) in groups.representatives(i).iter().enumerate() {
                    if let (Some(row), Some(wt)) = (
                        self.data.row(r),
                        weights.get(base + g * t..base + (g + 1) * t),
                    ) {
                        self.law.factors_vjp(params, factor, &row, wt, gr, row_grad);
                    }
                }
            }
        }
        self.finish(total, params, grad)
    }

    /// The per-row pass of [`Objective::eval`] by groups, for a fixed number of terms `T`
    /// (unrolled): the weighted loss total (non-finite on failure) and, with `with_grad`,
    /// d objective / d factor accumulated into `weights` (laid out like `values`).
    fn grouped_rows<const T: usize>(
        &self,
        values: &[f64],
        weights: &mut [f64],
        offsets: [usize; 3],
        groups: &Groups<'_>,
        with_grad: bool,
    ) -> f64 {
        let read = |o: usize| -> Option<[f64; T]> { values.get(o..o + T)?.try_into().ok() };
        let row_weights = self.data.data().weights();
        let targets = self.data.data().targets();
        let mut total = 0.0;
        for (r, (&y, ((&ih, &inn), &id))) in targets
            .iter()
            .zip(groups.ids(0).iter().zip(groups.ids(1)).zip(groups.ids(2)))
            .enumerate()
        {
            let w = row_weights.map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
            if w == 0.0 {
                continue;
            }
            let (fo, go, ko) = (ih * T, offsets[1] + inn * T, offsets[2] + id * T);
            let (Some(f), Some(g), Some(k)) = (read(fo), read(go), read(ko)) else {
                return f64::INFINITY;
            };
            let pred: f64 = f.iter().zip(&g).zip(&k).map(|((f, g), k)| f * g * k).sum();
            let (l, dl) = self.loss.eval(pred, y);
            if !l.is_finite() || !pred.is_finite() {
                return f64::INFINITY;
            }
            total += w * l;
            if with_grad {
                let s = w * dl;
                for (offset, a, b) in [(fo, &g, &k), (go, &f, &k), (ko, &f, &g)] {
                    if let Some(dst) = weights.get_mut(offset..offset + T) {
                        for ((d, x), y) in dst.iter_mut().zip(a).zip(b) {
                            *d += s * x * y;
                        }
                    }
                }
            }
        }
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
        let row_weights = self.data.data().weights();
        let targets = self.data.data().targets();
        let mut total = 0.0;
        for (r, (&y, ((&ih, &inn), &id))) in targets
            .iter()
            .zip(groups.ids(0).iter().zip(groups.ids(1)).zip(groups.ids(2)))
            .enumerate()
        {
            let w = row_weights.map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
            if w == 0.0 {
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
            let (l, dl) = self.loss.eval(pred, y);
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

/// Checks that a prepared data set suits a law: domain count, inputs, per-row conditions.
pub fn check_data<L: Law + ?Sized>(law: &L, data: &Prepared<'_>) -> Result<(), Error> {
    let given = data.data().inputs();
    if law.inputs().h && data.data().domains() != law.domains() {
        return Err(Error::WrongDomainCount {
            expected: law.domains(),
            found: data.data().domains(),
        });
    }
    law.check_inputs(given)?;
    for (r, row) in data.iter_rows().enumerate() {
        law.check_row(&row, r)?;
    }
    Ok(())
}

/// Predictions of a law with natural `params` for every row of `data`, into `out`.
pub fn predict<L: Law + ?Sized>(
    law: &L,
    params: &[f64],
    data: &Prepared<'_>,
    out: &mut [f64],
) -> Result<(), Error> {
    law.check_params(params)?;
    check_data(law, data)?;
    param::check_len("predictions", out, data.rows())?;
    for (r, (row, o)) in data.iter_rows().zip(out.iter_mut()).enumerate() {
        *o = finite(law.eval_row(params, &row, None), r)?;
    }
    Ok(())
}
