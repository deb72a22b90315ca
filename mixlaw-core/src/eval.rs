//! A law bound to a prepared data set and a loss: the fitting objective, predictions.

use crate::data::Prepared;
use crate::law::{finite, Law};
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
        })
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
    /// Scratch length [`Objective::eval`] needs (twice the parameter count).
    pub fn scratch_len(&self) -> usize {
        2 * self.dim()
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
        if scratch.len() < 2 * p {
            return Err(Error::BufferTooSmall {
                needed: 2 * p,
                found: scratch.len(),
            });
        }
        let (params, rest) = scratch.split_at_mut(p);
        let row_grad = rest.get_mut(..p).unwrap_or(&mut []);
        self.law.to_natural(theta, params)?;
        if let Some(g) = grad.as_deref_mut() {
            param::check_len("grad", g, p)?;
            g.iter_mut().for_each(|x| *x = 0.0);
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
        let value = total / self.total_weight;
        if let Some(g) = grad {
            let inv = 1.0 / self.total_weight;
            g.iter_mut().for_each(|x| *x *= inv);
            param::chain_to_unconstrained(self.law.blocks(), self.law.domains(), params, g);
            if g.iter().any(|x| !x.is_finite()) {
                return Ok(f64::INFINITY);
            }
        }
        Ok(value)
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
