//! Joint fitting of a capacity law: all k target domains of every run at once.

use super::{check_mixture, CapacityLaw, Form, MAX_PARAMS};
use crate::data::Scales;
use crate::loss::Loss;
use crate::param;
use crate::Error;

/// Training runs for a capacity law: per run a mixture `h` (k weights), N, D, the k
/// observed losses `y` (one per domain) and k entry weights (0 masks an entry).
///
/// Matrices are row-major, one row of k per run. Masked entries' losses are not read (they
/// may be NaN). The authors mask `h_i = 0` (eq 3: the noise term diverges there),
/// `h_i >= 0.1` (their 7-domain script) or nothing (eq 1): see [`CapacityData::mask_below`].
#[derive(Clone, Copy, Debug)]
pub struct CapacityData<'a> {
    k: usize,
    h: &'a [f64],
    n: &'a [f64],
    d: &'a [f64],
    y: &'a [f64],
    w: &'a [f64],
}

impl<'a> CapacityData<'a> {
    /// Validates and wraps the runs. `h`, `y` and `w` have `runs * k` entries, `n` and `d`
    /// one per run; N, D > 0, `h >= 0` (not all zero in a run), `w >= 0` with a positive
    /// total, and `y` finite wherever `w > 0`.
    pub fn new(
        k: usize,
        h: &'a [f64],
        n: &'a [f64],
        d: &'a [f64],
        y: &'a [f64],
        w: &'a [f64],
    ) -> Result<Self, Error> {
        crate::laws::check_domains(k, 1)?;
        let runs = n.len();
        if runs == 0 {
            return Err(Error::Empty);
        }
        for (what, s, len) in [
            ("h", h, runs * k),
            ("D", d, runs),
            ("y", y, runs * k),
            ("weights", w, runs * k),
        ] {
            param::check_len(what, s, len)?;
        }
        for (r, hr) in h.chunks_exact(k).enumerate() {
            check_mixture(hr, k, r)?;
        }
        for (what, s) in [("N", n), ("D", d)] {
            for (r, &v) in s.iter().enumerate() {
                if !v.is_finite() {
                    return Err(Error::NonFinite { what, index: r });
                }
                if v <= 0.0 {
                    return Err(Error::NotPositive { what, index: r });
                }
            }
        }
        if crate::data::non_negative_sum("weights", w, |i| i / k)? <= 0.0 {
            return Err(Error::Empty);
        }
        if let Some(i) = w
            .iter()
            .zip(y)
            .position(|(&wi, yi)| wi > 0.0 && !yi.is_finite())
        {
            return Err(Error::NonFinite {
                what: "y",
                index: i / k,
            });
        }
        Ok(CapacityData { k, h, n, d, y, w })
    }

    /// Entry weights that keep the entries with `h_i >= threshold` (and `h_i > 0`), the
    /// authors' masks: `threshold = 0` keeps `h_i > 0` (eq 3), `0.1` their 7-domain mask.
    /// Writes `h.len()` weights into `w`.
    pub fn mask_below(h: &[f64], threshold: f64, w: &mut [f64]) -> Result<(), Error> {
        param::check_len("weights", w, h.len())?;
        for (wi, &hi) in w.iter_mut().zip(h) {
            *wi = if hi > 0.0 && hi >= threshold {
                1.0
            } else {
                0.0
            };
        }
        Ok(())
    }

    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.n.len()
    }
    /// Number of domains k.
    pub fn domains(&self) -> usize {
        self.k
    }
    /// Run `r`: `(h, N, D, y, w)`.
    #[allow(clippy::type_complexity)]
    pub fn run(&self, r: usize) -> Option<(&'a [f64], f64, f64, &'a [f64], &'a [f64])> {
        let k = self.k;
        let rows = r * k..(r + 1) * k;
        Some((
            self.h.get(rows.clone())?,
            *self.n.get(r)?,
            *self.d.get(r)?,
            self.y.get(rows.clone())?,
            self.w.get(rows)?,
        ))
    }
}

/// A capacity law + its runs + a per-entry loss: the weighted mean loss over the unmasked
/// entries, as a function of the law's unconstrained parameters, with its exact gradient.
#[derive(Clone, Copy, Debug)]
pub struct CapacityObjective<'l, 'd> {
    law: &'l CapacityLaw,
    data: &'d CapacityData<'d>,
    loss: Loss,
    scales: Scales,
    total_weight: f64,
    bounds: Option<&'d [(f64, f64)]>,
}

impl<'l, 'd> CapacityObjective<'l, 'd> {
    /// Checks that law, data, loss and scales agree. Under eq 3 an unmasked entry with
    /// `h_i = 0` is [`Error::ZeroTargetWeight`]; under a log loss an unmasked loss must be
    /// positive.
    pub fn new(
        law: &'l CapacityLaw,
        data: &'d CapacityData<'d>,
        loss: Loss,
        scales: Scales,
    ) -> Result<Self, Error> {
        loss.check()?;
        scales.check()?;
        if law.domains() != data.k {
            return Err(Error::WrongDomainCount {
                expected: law.domains(),
                found: data.k,
            });
        }
        for (r, (&n, &d)) in data.n.iter().zip(data.d).enumerate() {
            let (n, d) = (n / scales.n, d / scales.d);
            if !(n.is_normal() && d.is_normal()) {
                return Err(Error::NotPositive {
                    what: "N / n_scale and D / d_scale (normal floats)",
                    index: r,
                });
            }
        }
        for (i, ((&w, &h), &y)) in data.w.iter().zip(data.h).zip(data.y).enumerate() {
            if w > 0.0 && law.form() == Form::Eq3 && h == 0.0 {
                return Err(Error::ZeroTargetWeight { row: i / data.k });
            }
            if w > 0.0 && loss.is_log() && y <= 0.0 {
                return Err(Error::NotPositive {
                    what: "y",
                    index: i / data.k,
                });
            }
        }
        Ok(CapacityObjective {
            law,
            data,
            loss,
            scales,
            total_weight: data.w.iter().sum(),
            bounds: None,
        })
    }

    /// Box bounds `lo < p < hi` on the natural parameters (one pair per parameter; an
    /// infinite `hi` keeps the layout's own transform), as the authors' L-BFGS-B boxes. A
    /// bounded parameter is fitted through `p = lo + (hi - lo) / (1 + e^-t)`, so the
    /// objective's coordinates are no longer the law's: use
    /// [`Self::to_natural`] / [`Self::to_unconstrained`].
    pub fn with_bounds(mut self, bounds: &'d [(f64, f64)]) -> Result<Self, Error> {
        param::check_len_of("bounds", bounds.len(), self.dim())?;
        for (i, &(lo, hi)) in bounds.iter().enumerate() {
            let positive = self.law.param_info(i).is_some_and(|p| p.positive);
            if !(lo.is_finite() && lo < hi) || (hi.is_finite() && positive && lo < 0.0) {
                return Err(Error::InvalidConfig {
                    what: "bounds must be finite lo < hi (lo >= 0 for positive parameters)",
                });
            }
        }
        self.bounds = Some(bounds);
        Ok(self)
    }

    /// The finite box of parameter `i`, if bounded.
    fn bound(&self, i: usize) -> Option<(f64, f64)> {
        self.bounds
            .and_then(|b| b.get(i).copied())
            .filter(|(_, hi)| hi.is_finite())
    }

    /// The objective's coordinates to natural parameters.
    pub fn to_natural(&self, theta: &[f64], params: &mut [f64]) -> Result<(), Error> {
        self.law.to_natural(theta, params).or_else(|e| {
            // A bounded slot may hold any real (the law's own transform may overflow there).
            if self.bounds.is_some() {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        for (i, (t, p)) in theta.iter().zip(params.iter_mut()).enumerate() {
            if let Some((lo, hi)) = self.bound(i) {
                if !t.is_finite() {
                    return Err(Error::NonFinite {
                        what: "theta",
                        index: i,
                    });
                }
                *p = lo + (hi - lo) / (1.0 + libm::exp(-t));
            } else if !p.is_finite()
                || (self.law.param_info(i).is_some_and(|q| q.positive) && *p <= 0.0)
            {
                return Err(Error::NotPositive {
                    what: "params",
                    index: i,
                });
            }
        }
        Ok(())
    }

    /// Natural parameters to the objective's coordinates (bounded ones must lie strictly
    /// inside their box).
    pub fn to_unconstrained(&self, params: &[f64], theta: &mut [f64]) -> Result<(), Error> {
        self.law.to_unconstrained(params, theta)?;
        for (i, (p, t)) in params.iter().zip(theta.iter_mut()).enumerate() {
            if let Some((lo, hi)) = self.bound(i) {
                if !(*p > lo && *p < hi) {
                    return Err(Error::InvalidConfig {
                        what: "a start value lies outside its bounds",
                    });
                }
                *t = libm::log((p - lo) / (hi - p));
            }
        }
        Ok(())
    }

    /// Random-start range of coordinate `i`: the law's, or `[-3, 3]` for a bounded one.
    pub fn start_range(&self, i: usize) -> Option<(f64, f64)> {
        match self.bound(i) {
            Some(_) => Some((-3.0, 3.0)),
            None => self.law.param_info(i).map(|p| p.start),
        }
    }

    /// Number of unconstrained parameters.
    pub fn dim(&self) -> usize {
        self.law.num_params()
    }
    /// The law.
    pub fn law(&self) -> &'l CapacityLaw {
        self.law
    }
    /// The runs.
    pub fn data(&self) -> &'d CapacityData<'d> {
        self.data
    }
    /// The scales applied to N and D.
    pub fn scales(&self) -> Scales {
        self.scales
    }

    /// The objective at unconstrained `theta`, and its gradient into `grad` if given.
    /// A non-finite value is [`Error::NonFiniteValue`] naming the run.
    pub fn eval(&self, theta: &[f64], grad: Option<&mut [f64]>) -> Result<f64, Error> {
        self.eval_cached(theta, grad, None)
    }

    /// [`Self::eval`] with a cache of one `ln lambda` per run (caller buffer of
    /// [`CapacityData::runs`] floats, any content at first): each inner solve starts from
    /// the previous evaluation's multiplier, which an optimiser moving in small steps keeps
    /// close. Results equal [`Self::eval`]'s to rounding.
    pub fn eval_cached(
        &self,
        theta: &[f64],
        grad: Option<&mut [f64]>,
        mut cache: Option<&mut [f64]>,
    ) -> Result<f64, Error> {
        if let Some(c) = cache.as_deref() {
            param::check_len("cache", c, self.data.runs())?;
        }
        let p = self.dim();
        let mut params = [0.0; MAX_PARAMS];
        let params = params.get_mut(..p).ok_or(Error::WrongParamCount {
            expected: p,
            found: theta.len(),
        })?;
        self.to_natural(theta, params)?;
        let mut grad = grad;
        if let Some(g) = grad.as_deref_mut() {
            param::check_len("grad", g, p)?;
            g.iter_mut().for_each(|v| *v = 0.0);
        }
        let mut total = 0.0;
        for r in 0..self.data.runs() {
            let (h, n, d, y, w) = self.data.run(r).ok_or(Error::Empty)?;
            let (n, d) = (n / self.scales.n, d / self.scales.d);
            let loss = self.loss;
            let total_weight = self.total_weight;
            let mut run_total = 0.0;
            let slot = cache.as_deref_mut().and_then(|c| c.get_mut(r));
            let guess = slot.as_deref().copied().unwrap_or(f64::NAN);
            let alloc = self.law.run_pass(
                params,
                h,
                n,
                d,
                guess,
                grad.as_deref_mut(),
                None,
                |pred, cot| {
                    for (((&pj, c), &wj), &yj) in pred.iter().zip(cot.iter_mut()).zip(w).zip(y) {
                        *c = 0.0;
                        if wj > 0.0 {
                            let (l, dl) = loss.eval(pj, yj);
                            run_total += wj * l;
                            *c = wj * dl / total_weight;
                        }
                    }
                },
            );
            if let Some(s) = slot {
                *s = alloc.ln_lambda;
            }
            total += run_total;
            if !total.is_finite() {
                return Err(Error::NonFiniteValue { row: r });
            }
        }
        if let Some(g) = grad {
            // Chain rule to the objective's coordinates: logistic for bounded slots,
            // d/d ln p = p d/dp for the layout's positive ones.
            for (i, (g, &p)) in g.iter_mut().zip(params.iter()).enumerate() {
                if let Some((lo, hi)) = self.bound(i) {
                    *g *= (p - lo) * (hi - p) / (hi - lo);
                } else if self.law.param_info(i).is_some_and(|q| q.positive) {
                    *g *= p;
                }
            }
            // Checked after the chain rule, which can overflow a finite natural gradient.
            if g.iter().any(|v| !v.is_finite()) {
                return Err(Error::NonFiniteValue { row: 0 });
            }
        }
        let value = total / self.total_weight;
        if !value.is_finite() {
            return Err(Error::NonFiniteValue { row: 0 });
        }
        Ok(value)
    }

    /// Predictions of the law with natural `params` for every entry, into `out`
    /// (`runs * k`, row-major; `+inf` at `h_i = 0` under eq 3).
    pub fn predict(&self, params: &[f64], out: &mut [f64]) -> Result<(), Error> {
        self.law.check_params(params)?;
        let k = self.data.k;
        param::check_len("out", out, self.data.runs() * k)?;
        for (r, o) in out.chunks_exact_mut(k).enumerate() {
            let (h, n, d, _, _) = self.data.run(r).ok_or(Error::Empty)?;
            self.law
                .predict_scaled(params, h, n / self.scales.n, d / self.scales.d, o);
        }
        Ok(())
    }
}
