//! Mixtures of Data Experts (Belenki et al., seed `004`, section 3.1, Algorithm 1): the
//! loss of the ensemble `p_lambda(t) = sum_i lambda_i p_i(t)` of k domain experts on a
//! validation set, from cached per-token expert probabilities `p_i(t)`,
//!
//! ```text
//! L(lambda) = -(1/T) sum_t ln sum_i lambda_i p_i(t)
//! dL/dlambda_i = -(1/T) sum_t p_i(t) / p_lambda(t)
//! ```
//!
//! and the per-domain interpolation `mde-interp` of appendix C.7,
//! `L(lambda) = -ln sum_i lambda_i P_i` with `P_i` expert i's mean token probability.
//!
//! Probabilities are read token-major (`probs[t * k + i] = p_i(t)`), as `f32` or `f64`,
//! from caller memory in chunks of any size: [`MdeSums`] accumulates the sums of one
//! validation set at one `lambda` and merges partial sums computed on separate shards.
//! [`MdeObjective`] and [`InterpObjective`] are [`SimplexObjective`]s for optimising
//! `lambda` on an aggregate of validation sets with [`crate::Solver`].

use crate::objective::SimplexObjective;
use crate::Error;

/// Checks one chunk of token-major probabilities for `k` experts: whole tokens, every
/// value finite in `[0, 1]`, and no token with probability 0 under every expert (its loss
/// would be infinite for every mixture). `offset` numbers tokens in errors.
pub fn check_probs<P: Copy + Into<f64>>(k: usize, probs: &[P], offset: usize) -> Result<(), Error> {
    if k == 0 {
        return Err(Error::Empty);
    }
    if probs.len() % k != 0 {
        return Err(Error::LengthMismatch {
            what: "probabilities (a multiple of k per chunk)",
            expected: (probs.len() / k + 1) * k,
            found: probs.len(),
        });
    }
    for (t, tok) in probs.chunks_exact(k).enumerate() {
        let mut any = false;
        for &p in tok {
            let p: f64 = p.into();
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::InvalidInput {
                    what: "expert probability (token index)",
                    index: offset + t,
                });
            }
            any |= p > 0.0;
        }
        if !any {
            return Err(Error::InvalidInput {
                what: "token with probability 0 under every expert (token index)",
                index: offset + t,
            });
        }
    }
    Ok(())
}

/// Adds one chunk's `sum_t -ln p_lambda(t)` and `sum_t -p_i(t) / p_lambda(t)` (into
/// `grad`, when given) and `sum_t p_i(t)` (into `psum`, when given). Unchecked input.
/// A token with `p_lambda(t) = 0` adds `+inf` to the loss and `-inf` to the gradient of
/// experts that give it positive probability.
#[inline]
fn accumulate<P: Copy + Into<f64>>(
    lambda: &[f64],
    probs: &[P],
    mut grad: Option<&mut [f64]>,
    mut psum: Option<&mut [f64]>,
) -> f64 {
    let k = lambda.len();
    let mut neg_log = 0.0;
    if k == 0 {
        return neg_log;
    }
    for tok in probs.chunks_exact(k) {
        let mut s = 0.0;
        for (&l, &p) in lambda.iter().zip(tok) {
            s += l * p.into();
        }
        neg_log -= libm::log(s);
        if let Some(g) = grad.as_deref_mut() {
            let inv = 1.0 / s;
            for (gi, &p) in g.iter_mut().zip(tok) {
                let p: f64 = p.into();
                if p > 0.0 {
                    *gi -= p * inv;
                }
            }
        }
        if let Some(ps) = psum.as_deref_mut() {
            for (a, &p) in ps.iter_mut().zip(tok) {
                *a += p.into();
            }
        }
    }
    neg_log
}

/// Partial sums of the MDE loss of one validation set at one mixture `lambda`, over the
/// tokens added so far: token count, `sum_t -ln p_lambda(t)`, `sum_t -p_i(t)/p_lambda(t)`
/// and `sum_t p_i(t)`. Shards compute their own sums and [`MdeSums::merge`] adds them.
///
/// ```
/// use mixlaw_opt::mde::MdeSums;
/// // Two experts; three tokens; the mixture (0.25, 0.75).
/// let probs: [f32; 6] = [0.5, 0.1, 0.2, 0.4, 0.9, 0.3];
/// let lambda = [0.25, 0.75];
/// let mut a = MdeSums::<2>::new(&lambda)?;
/// a.add_chunk(&probs[..2])?; // shard 1: token 0
/// let mut b = MdeSums::<2>::new(&lambda)?;
/// b.add_chunk(&probs[2..])?; // shard 2: tokens 1, 2
/// a.merge(&b)?;
/// let want = -((0.25f64 * 0.5 + 0.75 * 0.1f32 as f64).ln()
///     + (0.25 * 0.2f32 as f64 + 0.75 * 0.4f32 as f64).ln()
///     + (0.25 * 0.9f32 as f64 + 0.75 * 0.3f32 as f64).ln()) / 3.0;
/// assert_eq!(a.tokens(), 3);
/// assert!((a.loss()? - want).abs() < 1e-15);
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MdeSums<const K: usize> {
    k: usize,
    lambda: [f64; K],
    tokens: u64,
    neg_log: f64,
    grad: [f64; K],
    psum: [f64; K],
}

impl<const K: usize> MdeSums<K> {
    /// Empty sums at mixture `lambda` (k = `lambda.len()` <= K, entries finite and >= 0;
    /// `lambda` need not be normalised, but the MDE of the paper uses the simplex).
    pub fn new(lambda: &[f64]) -> Result<Self, Error> {
        let k = lambda.len();
        if k == 0 {
            return Err(Error::Empty);
        }
        if k > K {
            return Err(Error::TooManyDomains { max: K, found: k });
        }
        let mut l = [0.0; K];
        for (i, (dst, &v)) in l.iter_mut().zip(lambda).enumerate() {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(Error::InvalidInput {
                    what: "lambda",
                    index: i,
                });
            }
            *dst = v;
        }
        Ok(MdeSums {
            k,
            lambda: l,
            tokens: 0,
            neg_log: 0.0,
            grad: [0.0; K],
            psum: [0.0; K],
        })
    }

    /// Adds a chunk of token-major probabilities (`chunk.len()` a multiple of k; checked
    /// as by [`check_probs`]).
    pub fn add_chunk<P: Copy + Into<f64>>(&mut self, chunk: &[P]) -> Result<(), Error> {
        let offset = usize::try_from(self.tokens).unwrap_or(usize::MAX);
        check_probs(self.k, chunk, offset)?;
        let k = self.k;
        let lambda = self.lambda.get(..k).unwrap_or(&[]);
        let grad = self.grad.get_mut(..k);
        let psum = self.psum.get_mut(..k);
        self.neg_log += accumulate(lambda, chunk, grad, psum);
        self.tokens += (chunk.len() / k) as u64;
        Ok(())
    }

    /// Adds another shard's sums; both must be at the same `lambda` (checked exactly).
    pub fn merge(&mut self, other: &Self) -> Result<(), Error> {
        if other.k != self.k || other.lambda != self.lambda {
            return Err(Error::InvalidConfig {
                what: "merging MDE sums computed at different mixtures",
            });
        }
        self.tokens += other.tokens;
        self.neg_log += other.neg_log;
        for (a, b) in self.grad.iter_mut().zip(&other.grad) {
            *a += b;
        }
        for (a, b) in self.psum.iter_mut().zip(&other.psum) {
            *a += b;
        }
        Ok(())
    }

    /// Number of experts k.
    pub fn domains(&self) -> usize {
        self.k
    }

    /// Tokens added.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// The mixture the sums are taken at.
    pub fn lambda(&self) -> &[f64] {
        self.lambda.get(..self.k).unwrap_or(&[])
    }

    /// The MDE loss `-(1/T) sum_t ln p_lambda(t)` (nats/token; `+inf` if some token has
    /// probability 0 under the mixture).
    pub fn loss(&self) -> Result<f64, Error> {
        if self.tokens == 0 {
            return Err(Error::Empty);
        }
        Ok(self.neg_log / self.tokens as f64)
    }

    /// The gradient `dL/dlambda_i = -(1/T) sum_t p_i(t) / p_lambda(t)` into `out` (k).
    pub fn grad(&self, out: &mut [f64]) -> Result<(), Error> {
        self.per_token(&self.grad, out)
    }

    /// Expert i's mean token probability `P_i = (1/T) sum_t p_i(t)` into `out` (k): the
    /// input of `mde-interp` (appendix C.7).
    pub fn mean_probs(&self, out: &mut [f64]) -> Result<(), Error> {
        self.per_token(&self.psum, out)
    }

    fn per_token(&self, sums: &[f64; K], out: &mut [f64]) -> Result<(), Error> {
        if out.len() != self.k {
            return Err(Error::LengthMismatch {
                what: "output",
                expected: self.k,
                found: out.len(),
            });
        }
        if self.tokens == 0 {
            return Err(Error::Empty);
        }
        let inv = 1.0 / self.tokens as f64;
        for (o, s) in out.iter_mut().zip(sums) {
            *o = s * inv;
        }
        Ok(())
    }
}

/// `s(lambda) = c + <a, lambda> + sum_j w_j L_j(lambda)` over m validation sets, with
/// `L_j` the MDE loss of set j (Belenki et al. section 3.1 with the aggregate `g` a
/// weighted sum; with a linear term and MDE-feature weights it is the LINEAR+MDE
/// regressor of section 3.2, see [`crate::regress`]). Each set is token-major in caller
/// memory; every evaluation streams all tokens once.
///
/// Convex in `lambda` when every `w_j >= 0`; negative weights (possible for fitted
/// regressors) can make it non-convex, and the solver then returns a KKT point.
#[derive(Clone, Copy, Debug)]
pub struct MdeObjective<'a, P> {
    k: usize,
    sets: &'a [&'a [P]],
    weights: &'a [f64],
    linear: Option<&'a [f64]>,
    constant: f64,
}

impl<'a, P: Copy + Into<f64>> MdeObjective<'a, P> {
    /// `sets[j]` holds validation set j's probabilities for `k` experts (checked once here
    /// as by [`check_probs`], and non-empty); `weights[j]` finite.
    pub fn new(k: usize, sets: &'a [&'a [P]], weights: &'a [f64]) -> Result<Self, Error> {
        if sets.is_empty() {
            return Err(Error::Empty);
        }
        if weights.len() != sets.len() {
            return Err(Error::LengthMismatch {
                what: "set weights",
                expected: sets.len(),
                found: weights.len(),
            });
        }
        for (j, &w) in weights.iter().enumerate() {
            if !w.is_finite() {
                return Err(Error::InvalidInput {
                    what: "set weight",
                    index: j,
                });
            }
        }
        for set in sets {
            check_probs(k, set, 0)?;
            if set.is_empty() {
                return Err(Error::Empty);
            }
        }
        Ok(MdeObjective {
            k,
            sets,
            weights,
            linear: None,
            constant: 0.0,
        })
    }

    /// Adds `c + <a, lambda>` (a of length k, finite; c finite).
    pub fn with_linear(mut self, a: &'a [f64], c: f64) -> Result<Self, Error> {
        if a.len() != self.k {
            return Err(Error::LengthMismatch {
                what: "linear coefficients",
                expected: self.k,
                found: a.len(),
            });
        }
        if let Some(i) = a.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidInput {
                what: "linear coefficient",
                index: i,
            });
        }
        if !c.is_finite() {
            return Err(Error::InvalidInput {
                what: "constant",
                index: 0,
            });
        }
        self.linear = Some(a);
        self.constant = c;
        Ok(self)
    }

    /// The MDE loss of every set at `lambda` into `out` (m): the MDE features of section
    /// 3.2.
    pub fn features(&self, lambda: &[f64], out: &mut [f64]) -> Result<(), Error> {
        if lambda.len() != self.k {
            return Err(Error::LengthMismatch {
                what: "lambda",
                expected: self.k,
                found: lambda.len(),
            });
        }
        if out.len() != self.sets.len() {
            return Err(Error::LengthMismatch {
                what: "features",
                expected: self.sets.len(),
                found: out.len(),
            });
        }
        for (o, set) in out.iter_mut().zip(self.sets) {
            let t = (set.len() / self.k) as f64;
            *o = accumulate(lambda, set, None, None) / t;
        }
        Ok(())
    }

    fn eval(&self, h: &[f64], mut grad: Option<&mut [f64]>) -> f64 {
        let mut v = self.constant;
        if let Some(a) = self.linear {
            v += a.iter().zip(h).map(|(a, h)| a * h).sum::<f64>();
        }
        if let Some(g) = grad.as_deref_mut() {
            match self.linear {
                Some(a) => g.copy_from_slice(a),
                None => g.iter_mut().for_each(|x| *x = 0.0),
            }
        }
        for (set, &w) in self.sets.iter().zip(self.weights) {
            if w == 0.0 {
                continue;
            }
            let inv_t = 1.0 / (set.len() / self.k) as f64;
            match grad.as_deref_mut() {
                // This set's gradient sums, scaled by w / T_j, go straight into g.
                Some(g) => v += w * inv_t * accumulate_scaled(h, set, g, w * inv_t),
                None => v += w * inv_t * accumulate(h, set, None, None),
            }
        }
        v
    }
}

/// As [`accumulate`] with the gradient sums multiplied by `scale` and added to `grad`.
#[inline]
fn accumulate_scaled<P: Copy + Into<f64>>(
    lambda: &[f64],
    probs: &[P],
    grad: &mut [f64],
    scale: f64,
) -> f64 {
    let k = lambda.len();
    let mut neg_log = 0.0;
    if k == 0 {
        return neg_log;
    }
    for tok in probs.chunks_exact(k) {
        let mut s = 0.0;
        for (&l, &p) in lambda.iter().zip(tok) {
            s += l * p.into();
        }
        neg_log -= libm::log(s);
        let f = scale / s;
        for (gi, &p) in grad.iter_mut().zip(tok) {
            let p: f64 = p.into();
            if p > 0.0 {
                *gi -= p * f;
            }
        }
    }
    neg_log
}

impl<P: Copy + Into<f64>> SimplexObjective for MdeObjective<'_, P> {
    fn domains(&self) -> usize {
        self.k
    }
    fn value(&self, h: &[f64], _ln_h: &[f64]) -> f64 {
        self.eval(h, None)
    }
    fn value_grad(&self, h: &[f64], _ln_h: &[f64], grad: &mut [f64]) -> f64 {
        self.eval(h, Some(grad))
    }
}

/// `mde-interp` (Belenki et al. appendix C.7): `s(lambda) = sum_j w_j (-ln sum_i lambda_i
/// P_ji)` with `P_ji` expert i's mean token probability on validation set j (`p`, m x k
/// row-major; e.g. from [`MdeSums::mean_probs`]). Convex for `w_j >= 0`.
#[derive(Clone, Copy, Debug)]
pub struct InterpObjective<'a> {
    k: usize,
    p: &'a [f64],
    weights: &'a [f64],
}

impl<'a> InterpObjective<'a> {
    /// `p` is `weights.len() x k`, entries in `[0, 1]` with a positive entry per row;
    /// weights finite and >= 0.
    pub fn new(k: usize, p: &'a [f64], weights: &'a [f64]) -> Result<Self, Error> {
        if k == 0 || weights.is_empty() {
            return Err(Error::Empty);
        }
        if p.len() != k * weights.len() {
            return Err(Error::LengthMismatch {
                what: "mean probabilities (m x k)",
                expected: k * weights.len(),
                found: p.len(),
            });
        }
        check_probs(k, p, 0)?;
        for (j, &w) in weights.iter().enumerate() {
            if !(w >= 0.0 && w.is_finite()) {
                return Err(Error::InvalidInput {
                    what: "set weight",
                    index: j,
                });
            }
        }
        Ok(InterpObjective { k, p, weights })
    }
}

impl SimplexObjective for InterpObjective<'_> {
    fn domains(&self) -> usize {
        self.k
    }
    fn value(&self, h: &[f64], _ln_h: &[f64]) -> f64 {
        self.p
            .chunks_exact(self.k)
            .zip(self.weights)
            .map(|(row, &w)| -w * libm::log(row.iter().zip(h).map(|(p, h)| p * h).sum()))
            .sum()
    }
    fn value_grad(&self, h: &[f64], _ln_h: &[f64], grad: &mut [f64]) -> f64 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut v = 0.0;
        for (row, &w) in self.p.chunks_exact(self.k).zip(self.weights) {
            let s: f64 = row.iter().zip(h).map(|(p, h)| p * h).sum();
            v -= w * libm::log(s);
            let f = w / s;
            for (g, &p) in grad.iter_mut().zip(row) {
                if p > 0.0 {
                    *g -= f * p;
                }
            }
        }
        v
    }
}
