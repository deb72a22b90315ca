//! Information of a training run (eq 5 of arXiv:2605.02364 as recovered in
//! `spec/infolaw.md`) and its exact gradient in the recipe `w`.
//!
//! ```text
//! info(w) = sum_d rho_d U_d g(D) (1 - exp(-k R_d / g(D)))
//! ```
//!
//! with `U_d`, `R_d` from LayerMix, `rho_d = exp(-theta d)`, `k = a ln N + b`, `D = T`.
//! Writing `c_d = p_d S / T` for the weight at which bucket d is exhausted, each term is
//! a concave function of `w_d` alone:
//!
//! ```text
//! w_d <= c_d:  rho_d T g (1 - e^(-k/g)) w_d                       (R_d = 1, linear)
//! w_d >= c_d:  rho_d T g c_d (1 - e^(-k w_d / (c_d g)))           (U_d = S_d, R_d = w_d / c_d)
//! d/dw_d    :  rho_d T g (1 - e^(-k/g))   below,   rho_d T k e^(-k R_d / g)   above
//! ```
//!
//! At `w_d = c_d` (exactly at capacity) the term has a kink: the left derivative is
//! larger than the right one, so `info` is concave but not differentiable there; see
//! [`KinkSide`].

use crate::layermix::{check_len, check_recipe, check_tokens};
use crate::{Error, InfoLaw, Source, MAX_BUCKETS};

/// Relative distance from capacity within which a bucket counts as at its kink.
pub(crate) const KINK: f64 = 1e-9;

/// Which one-sided derivative to report for a bucket exactly at capacity (`w_d T = p_d S`).
/// Away from capacity both are the same number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KinkSide {
    /// The derivative as `w_d` decreases (the unique-token branch, `R_d = 1`). It is the
    /// largest supergradient of the concave `info`, so Frank-Wolfe gaps computed with it
    /// still bound the distance to the optimum.
    #[default]
    Left,
    /// The derivative as `w_d` increases (the repetition branch).
    Right,
}

/// One setting of the law: model size N, training tokens `T = D` and a source, with every
/// recipe-independent quantity precomputed. Evaluating it never allocates.
///
/// ```
/// use mixlaw_info::{InfoLaw, Setting, Source};
/// // spec d.3: 7B, 300B tokens, S = 312B.
/// let p = Setting::new(&InfoLaw::PAPER, &Source::paper(312e9)?, 7e9, 300e9)?;
/// let info = p.info(&[0.548, 0.444, 0.008, 0.0, 0.0, 0.0])?;
/// assert!((info / 4.4103e11 - 1.0).abs() < 1e-4);
/// # Ok::<(), mixlaw_info::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setting {
    len: usize,
    /// `rho_d T g (1 - e^(-k/g))`: slope of bucket d below capacity.
    slope: [f64; MAX_BUCKETS],
    /// `rho_d T k`: derivative scale above capacity.
    rate: [f64; MAX_BUCKETS],
    /// `rho_d T g`: ceiling per unit of capacity weight.
    ceil: [f64; MAX_BUCKETS],
    /// Capacity weights `c_d = p_d S / T`.
    cap: [f64; MAX_BUCKETS],
    /// `k / g`.
    x: f64,
    k: f64,
    g: f64,
    tokens: f64,
    model_size: f64,
    source: Source,
}

impl Setting {
    /// The setting of `law` for a model of `model_size` raw parameters trained on
    /// `tokens = T = D` tokens drawn by LayerMix from `source`.
    pub fn new(
        law: &InfoLaw,
        source: &Source,
        model_size: f64,
        tokens: f64,
    ) -> Result<Self, Error> {
        law.check()?;
        let len = check_len(source.buckets())?;
        check_tokens(tokens)?;
        let k = law.decay_rate(model_size)?;
        let g = law.normalization.factor(tokens)?;
        let x = k / g;
        let first = -g * libm::expm1(-x); // g (1 - e^(-k/g))
        let mut p = Setting {
            len,
            slope: [0.0; MAX_BUCKETS],
            rate: [0.0; MAX_BUCKETS],
            ceil: [0.0; MAX_BUCKETS],
            cap: [0.0; MAX_BUCKETS],
            x,
            k,
            g,
            tokens,
            model_size,
            source: *source,
        };
        for (d, ((((s, r), c), cap), &share)) in p
            .slope
            .iter_mut()
            .zip(p.rate.iter_mut())
            .zip(p.ceil.iter_mut())
            .zip(p.cap.iter_mut())
            .zip(source.shares())
            .enumerate()
        {
            let rho_t = law.density(d) * tokens;
            *s = rho_t * first;
            *r = rho_t * k;
            *c = rho_t * g;
            *cap = share * source.size() / tokens;
        }
        let finite = |a: &[f64; MAX_BUCKETS]| a.iter().all(|v| v.is_finite());
        let positive = p.cap.iter().take(len).all(|&c| c > 0.0);
        if !(finite(&p.slope) && finite(&p.rate) && finite(&p.ceil) && finite(&p.cap) && positive) {
            return Err(Error::InvalidConfig {
                what: "the setting over- or underflows (source size / tokens out of range)",
            });
        }
        Ok(p)
    }

    /// Number of buckets.
    pub fn buckets(&self) -> usize {
        self.len
    }

    /// Decay rate `k = a ln N + b`.
    pub fn decay_rate(&self) -> f64 {
        self.k
    }

    /// Normalisation `g(D)`.
    pub fn normalization(&self) -> f64 {
        self.g
    }

    /// Training tokens `T = D`.
    pub fn tokens(&self) -> f64 {
        self.tokens
    }

    /// Model size N.
    pub fn model_size(&self) -> f64 {
        self.model_size
    }

    /// The source.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Capacity weight of bucket d, `c_d = p_d S / T`: the weight at which its unique data
    /// is used up (`None` past the last bucket). Above it the bucket repeats.
    pub fn capacity(&self, d: usize) -> Option<f64> {
        self.cap.get(..self.len).and_then(|c| c.get(d)).copied()
    }

    /// `T g(D)`: an upper bound of `info` over all recipes (reached only by
    /// `rho = 1`, infinitely many learnings); used to scale objectives to `[0, 1]`.
    pub fn scale(&self) -> f64 {
        self.tokens * self.g
    }

    /// Eq 5: the information of recipe `w` (checked by [`check_recipe`]; monotonicity is
    /// not required).
    pub fn info(&self, w: &[f64]) -> Result<f64, Error> {
        check_recipe(w, self.len, false)?;
        Ok(self.value(w))
    }

    /// Eq 5 as a function of any finite `w` (not necessarily a recipe): the sum of the
    /// per-bucket terms above, with the linear branch continued below `w_d = 0`, so that
    /// derivatives at `w_d = 0` are two-sided. Equals [`Setting::info`] on recipes.
    pub fn info_extended(&self, w: &[f64]) -> Result<f64, Error> {
        self.check_point(w)?;
        finite_info(self.value(w), &[])
    }

    /// Writes the exact partial derivatives `d info / d w_d` into `grad` (length = bucket
    /// count) and returns `info(w)`, for any finite `w` (see [`Setting::info_extended`]);
    /// `side` chooses the one-sided derivative of buckets exactly at capacity.
    ///
    /// ```
    /// use mixlaw_info::{InfoLaw, Setting, KinkSide, Source};
    /// let p = Setting::new(&InfoLaw::PAPER, &Source::paper(300e9)?, 7e9, 300e9)?;
    /// let c0 = p.capacity(0).unwrap_or(0.0); // 0.05: bucket 0 exactly used up
    /// let w = [c0, 0.5, 0.45 - c0, 0.05, 0.0, 0.0];
    /// let (mut left, mut right) = ([0.0; 6], [0.0; 6]);
    /// p.gradient(&w, &mut left, KinkSide::Left)?;
    /// p.gradient(&w, &mut right, KinkSide::Right)?;
    /// assert!(left[0] > right[0]); // the kink: repetition lowers the marginal gain
    /// assert_eq!(left[1], right[1]); // bucket 1 repeats either way
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn gradient(&self, w: &[f64], grad: &mut [f64], side: KinkSide) -> Result<f64, Error> {
        self.check_point(w)?;
        if grad.len() != self.len {
            return Err(Error::LengthMismatch {
                what: "gradient buffer",
                expected: self.len,
                found: grad.len(),
            });
        }
        let v = self.value_grad(w, grad, side);
        finite_info(v, grad)
    }

    fn check_point(&self, w: &[f64]) -> Result<(), Error> {
        if w.len() != self.len {
            return Err(Error::LengthMismatch {
                what: "recipe",
                expected: self.len,
                found: w.len(),
            });
        }
        if let Some(i) = w.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: "recipe",
                index: i,
            });
        }
        Ok(())
    }

    /// A certified bound on `max info - info(w)` over non-increasing recipes, for a
    /// non-increasing recipe `w` (checked): the Frank-Wolfe gap
    /// `max_j <g, u_j> - <g, w>` (`u_j` uniform on the first `j + 1` buckets, the
    /// vertices of the monotone simplex) for the supergradient `g` that makes it smallest.
    ///
    /// Where a bucket sits at capacity (within `1e-9 c_d`), `g_d` may be anything between
    /// the right and the left derivative, and is chosen by coordinate-wise search;
    /// elsewhere `g` is the gradient. For a bucket near but not at its kink,
    /// `|w_d - c_d| (left - right)` is added, so the bound holds without rounding `w`.
    /// Zero at an exact optimum, including one at a kink, where the one-sided gaps are
    /// not.
    ///
    /// ```
    /// use mixlaw_info::{optimize, InfoLaw, Normalization, Setting, Source};
    /// // Without normalisation repetition is so costly that the optimum uses the source
    /// // exactly once: both buckets sit at their kinks.
    /// let law = InfoLaw { normalization: Normalization::Constant(1.0), ..InfoLaw::PAPER };
    /// let p = Setting::new(&law, &Source::new(&[0.6, 0.4], 1e11)?, 7e9, 1e11)?;
    /// assert!(p.certified_gap(&[0.6, 0.4])? <= 1e-6 * p.info(&[0.6, 0.4])?);
    /// assert!(p.certified_gap(&[0.7, 0.3])? > 1e-3 * p.info(&[0.7, 0.3])?);
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn certified_gap(&self, w: &[f64]) -> Result<f64, Error> {
        check_recipe(w, self.len, true)?;
        Ok(self.certify(w))
    }

    /// Unchecked [`Setting::certified_gap`].
    pub(crate) fn certify(&self, w: &[f64]) -> f64 {
        let mut g = [0.0; MAX_BUCKETS];
        let n = w.len().min(self.len);
        let (gap, slack) = self.supergradient(w, g.get_mut(..n).unwrap_or(&mut []));
        gap.max(0.0) + slack
    }

    /// Whether a bucket of `w` is within `KINK c_d` of its capacity.
    #[inline]
    pub(crate) fn near_kink(&self, w: &[f64]) -> bool {
        w.iter()
            .zip(&self.cap)
            .any(|(&wd, &cap)| libm::fabs(wd - cap) <= KINK * cap)
    }

    /// Writes into `g` the supergradient at `w` that minimises the Frank-Wolfe gap over
    /// the monotone simplex (free only at buckets within `KINK c_d` of capacity, between
    /// the right and the left derivative) and returns that gap with the slack
    /// `sum |w_d - c_d| (left - right)` owed to buckets near but not at their kink.
    pub(crate) fn supergradient(&self, w: &[f64], g: &mut [f64]) -> (f64, f64) {
        let n = w.len().min(g.len()).min(self.len);
        let (w, g) = (w.get(..n).unwrap_or(&[]), g.get_mut(..n).unwrap_or(&mut []));
        let (mut lo, mut hi) = ([0.0; MAX_BUCKETS], [0.0; MAX_BUCKETS]);
        let mut kinks = [false; MAX_BUCKETS];
        let mut slack = 0.0;
        self.value_grad(w, g, KinkSide::Left);
        for (((((&wd, gd), l), h), k), ((&s, &r), &cap)) in w
            .iter()
            .zip(g.iter_mut())
            .zip(lo.iter_mut())
            .zip(hi.iter_mut())
            .zip(kinks.iter_mut())
            .zip(self.slope.iter().zip(&self.rate).zip(&self.cap))
        {
            if libm::fabs(wd - cap) <= KINK * cap {
                let right = r * libm::exp(-self.x);
                *k = true;
                *l = right;
                *h = s;
                slack += libm::fabs(wd - cap) * (s - right.min(*gd));
                *gd = s;
            } else {
                *l = *gd;
                *h = *gd;
            }
        }
        let gap_of = |g: &[f64]| -> f64 {
            let (mut prefix, mut best, mut dot) = (0.0, f64::NEG_INFINITY, 0.0);
            for (j, (&gi, &wi)) in g.iter().zip(w).enumerate() {
                prefix += gi;
                best = best.max(prefix / (j as f64 + 1.0));
                dot += gi * wi;
            }
            best - dot
        };
        if kinks.iter().any(|&k| k) {
            // Start from the KKT form of an optimum: one multiplier mu; on every block of
            // equal weights the supergradient averages mu, with the kinks' freedom spent
            // as late in the block as possible (so prefix means stay below mu). Candidates
            // for mu: block means with all kinks at their right or left derivatives, and
            // every one-sided derivative.
            let block_end = |s0: usize| -> usize {
                let mut e = s0 + 1;
                while let (Some(&a), Some(&b)) = (w.get(e - 1), w.get(e)) {
                    if a > 0.0 && libm::fabs(a - b) <= 1e-12 * a {
                        e += 1;
                    } else {
                        break;
                    }
                }
                e.min(n)
            };
            let build = |mu: f64, g: &mut [f64]| {
                let mut s0 = 0;
                while s0 < n {
                    let e = block_end(s0);
                    let mut target = mu * (e - s0) as f64;
                    for d in s0..e {
                        match (kinks.get(d), lo.get(d), g.get_mut(d)) {
                            (Some(true), Some(&l), Some(gd)) => {
                                *gd = l;
                                target -= l;
                            }
                            (_, _, Some(gd)) => target -= *gd,
                            _ => {}
                        }
                    }
                    for d in (s0..e).rev() {
                        if let (Some(true), Some(&l), Some(&h), Some(gd)) =
                            (kinks.get(d), lo.get(d), hi.get(d), g.get_mut(d))
                        {
                            // `max`/`min`, not `clamp`: rounding can put the right derivative above the
                            // left one (h < l), where `clamp` panics.
                            let raise = target.max(0.0).min((h - l).max(0.0));
                            *gd += raise;
                            target -= raise;
                        }
                    }
                    s0 = e;
                }
            };
            let mut trial = [0.0; MAX_BUCKETS];
            let trial = trial.get_mut(..n).unwrap_or(&mut []);
            let mut best_gap = gap_of(g);
            let mut best_mu = None;
            let mut consider = |mu: f64, g: &[f64]| {
                trial.copy_from_slice(g);
                build(mu, trial);
                let v = gap_of(trial);
                if v < best_gap {
                    best_gap = v;
                    best_mu = Some(mu);
                }
            };
            let mut s0 = 0;
            while s0 < n {
                let e = block_end(s0);
                for use_hi in [false, true] {
                    let sum: f64 = (s0..e)
                        .map(|d| match (kinks.get(d), lo.get(d), hi.get(d), g.get(d)) {
                            (Some(true), Some(&l), Some(&h), _) => {
                                if use_hi {
                                    h
                                } else {
                                    l
                                }
                            }
                            (_, _, _, Some(&gd)) => gd,
                            _ => 0.0,
                        })
                        .sum();
                    consider(sum / (e - s0) as f64, g);
                }
                s0 = e;
            }
            for d in 0..n {
                if let (Some(&l), Some(&h)) = (lo.get(d), hi.get(d)) {
                    consider(l, g);
                    consider(h, g);
                }
            }
            if let Some(mu) = best_mu {
                build(mu, g);
            }
            // Then coordinate-wise ternary searches: the gap is convex piecewise linear in
            // g (this also handles a kink pooled in a block with other buckets).
            for _sweep in 0..4 {
                for (d, ((&k, &a0), &b0)) in kinks.iter().zip(&lo).zip(&hi).enumerate().take(n) {
                    if !k {
                        continue;
                    }
                    let (mut a, mut b) = (a0, b0);
                    let mut at = |v: f64| {
                        if let Some(x) = g.get_mut(d) {
                            *x = v;
                        }
                        gap_of(g)
                    };
                    for _ in 0..80 {
                        let m1 = a + (b - a) / 3.0;
                        let m2 = b - (b - a) / 3.0;
                        if at(m1) <= at(m2) {
                            b = m2;
                        } else {
                            a = m1;
                        }
                    }
                    at(0.5 * (a + b));
                }
            }
        }
        (gap_of(g), slack)
    }

    /// Unchecked value: `w` has the bucket count and finite entries (shorter slices sum
    /// fewer buckets).
    #[inline]
    pub(crate) fn value(&self, w: &[f64]) -> f64 {
        let mut sum = 0.0;
        for ((((&wd, &s), &c), &cap), _) in w
            .iter()
            .zip(&self.slope)
            .zip(&self.ceil)
            .zip(&self.cap)
            .zip(0..self.len)
        {
            sum += if wd <= cap {
                s * wd
            } else {
                -c * cap * libm::expm1(-self.x * wd / cap)
            };
        }
        sum
    }

    /// Left derivative of bucket `d`'s term at weight `v` (0 past the last bucket).
    #[inline]
    pub(crate) fn slope_at(&self, d: usize, v: f64) -> f64 {
        match (self.slope.get(d), self.rate.get(d), self.cap.get(d)) {
            (Some(&s), Some(&r), Some(&cap)) if d < self.len => {
                if v <= cap {
                    s
                } else {
                    r * libm::exp(-self.x * v / cap)
                }
            }
            _ => 0.0,
        }
    }

    /// Unchecked value and gradient (`grad` as long as `w`).
    #[inline]
    pub(crate) fn value_grad(&self, w: &[f64], grad: &mut [f64], side: KinkSide) -> f64 {
        let mut sum = 0.0;
        for (((((&wd, gd), &s), &c), &r), &cap) in w
            .iter()
            .zip(grad.iter_mut())
            .zip(&self.slope)
            .zip(&self.ceil)
            .zip(&self.rate)
            .zip(&self.cap)
        {
            let below = wd < cap || (wd == cap && side == KinkSide::Left);
            if below {
                sum += s * wd;
                *gd = s;
            } else {
                let e = libm::exp(-self.x * wd / cap);
                sum += -c * cap * libm::expm1(-self.x * wd / cap);
                *gd = r * e;
            }
        }
        sum
    }
}

/// `info` and `grad` if all finite; an overflow error otherwise (far-off extended points).
fn finite_info(info: f64, grad: &[f64]) -> Result<f64, Error> {
    if !info.is_finite() {
        return Err(Error::NonFinite {
            what: "info (overflow)",
            index: 0,
        });
    }
    if let Some(i) = grad.iter().position(|g| !g.is_finite()) {
        return Err(Error::NonFinite {
            what: "info gradient (overflow)",
            index: i,
        });
    }
    Ok(info)
}
