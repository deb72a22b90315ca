//! Terms shared by several laws, each with its exact derivatives.
//!
//! Gradient helpers *write* parameter slots and *add* to `grad_h` (laws zero it first).

use crate::law::{dpow, pow_ln, pow_ln_times_ln};
use crate::real::Real;

/// `c x^-e` from `ln x`.
#[inline]
pub fn decay<T: Real>(c: T, e: T, ln_x: T) -> T {
    c * (-e * ln_x).exp()
}

/// `1 / S` with `S = sum_i c_i h_i^g_i` (the mixture term of Shukor et al. eq 2.4).
#[inline]
pub fn inverse_mixture<T: Real>(c: &[T], g: &[T], h: &[T], ln_h: &[T]) -> T {
    let s: T = c
        .iter()
        .zip(g)
        .zip(h.iter().zip(ln_h))
        .map(|((&c, &g), (&h, &l))| c * pow_ln(h, l, g))
        .sum();
    T::ONE / s
}

/// `1 / S` and its derivatives: `dc_i = -h_i^g_i / S^2`, `dg_i = -c_i h_i^g_i ln h_i / S^2`,
/// each multiplied by `scale`.
#[inline]
pub fn inverse_mixture_grad(
    c: &[f64],
    g: &[f64],
    h: &[f64],
    ln_h: &[f64],
    scale: f64,
    dc: &mut [f64],
    dg: &mut [f64],
) -> f64 {
    mixture_powers(g, h, ln_h, dc);
    inverse_mixture_grad_of_powers(c, h, ln_h, scale, dc, dg)
}

/// The powers `h_i^g_i` of [`inverse_mixture`] into `powers`.
#[inline]
pub fn mixture_powers(g: &[f64], h: &[f64], ln_h: &[f64], powers: &mut [f64]) {
    for (t, (&gi, (&hi, &li))) in powers.iter_mut().zip(g.iter().zip(h.iter().zip(ln_h))) {
        *t = pow_ln(hi, li, gi);
    }
}

/// [`inverse_mixture`] from its [`mixture_powers`] (the same arithmetic).
#[inline]
pub fn inverse_mixture_of_powers(c: &[f64], powers: &[f64]) -> f64 {
    let s: f64 = c.iter().zip(powers).map(|(&c, &t)| c * t).sum();
    1.0 / s
}

/// [`inverse_mixture`] for [`crate::Law::factors`], keeping its [`mixture_powers`] in
/// `kept` (when it has room for them) for [`inverse_mixture_grad_kept`].
#[inline]
pub fn inverse_mixture_kept(
    c: &[f64],
    g: &[f64],
    h: &[f64],
    ln_h: &[f64],
    kept: &mut [f64],
) -> f64 {
    match kept.get_mut(..c.len()) {
        Some(powers) => {
            mixture_powers(g, h, ln_h, powers);
            inverse_mixture_of_powers(c, powers)
        }
        None => inverse_mixture(c, g, h, ln_h),
    }
}

/// [`inverse_mixture_grad`] from the powers [`inverse_mixture_kept`] kept (recomputed when
/// `kept` is too short).
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn inverse_mixture_grad_kept(
    c: &[f64],
    g: &[f64],
    h: &[f64],
    ln_h: &[f64],
    kept: &[f64],
    scale: f64,
    dc: &mut [f64],
    dg: &mut [f64],
) -> f64 {
    match kept.get(..c.len()) {
        Some(powers) => {
            for (d, &t) in dc.iter_mut().zip(powers) {
                *d = t;
            }
            inverse_mixture_grad_of_powers(c, h, ln_h, scale, dc, dg)
        }
        None => inverse_mixture_grad(c, g, h, ln_h, scale, dc, dg),
    }
}

/// [`inverse_mixture_grad`] with the [`mixture_powers`] already in `dc` (replaced by the
/// derivatives).
#[inline]
pub fn inverse_mixture_grad_of_powers(
    c: &[f64],
    h: &[f64],
    ln_h: &[f64],
    scale: f64,
    dc: &mut [f64],
    dg: &mut [f64],
) -> f64 {
    let mut s = 0.0;
    for (&t, &ci) in dc.iter().zip(c) {
        s += ci * t;
    }
    let inv = 1.0 / s;
    let f = -scale * inv * inv;
    for ((dci, dgi), ((&ci, &hi), &li)) in dc
        .iter_mut()
        .zip(dg.iter_mut())
        .zip(c.iter().zip(h).zip(ln_h))
    {
        let t = *dci;
        *dgi = f * ci * pow_ln_times_ln(t, hi, li);
        *dci = f * t;
    }
    inv
}

/// `1 / S`, adding `d(1/S)/dh_i = -c_i g_i h_i^(g_i - 1) / S^2` to `grad_h`.
#[inline]
pub fn inverse_mixture_grad_h<T: Real>(
    c: &[T],
    g: &[T],
    h: &[T],
    ln_h: &[T],
    grad_h: &mut [T],
) -> T {
    let inv = inverse_mixture(c, g, h, ln_h);
    let f = -inv * inv;
    for (gh, ((&ci, &gi), (&hi, &li))) in grad_h
        .iter_mut()
        .zip(c.iter().zip(g).zip(h.iter().zip(ln_h)))
    {
        *gh += f * ci * dpow(hi, li, gi);
    }
    inv
}

/// `P^g` with `P = sum_i c_i h_i` (the mixture-dependent coefficients of eq 2.5).
#[inline]
pub fn linear_power<T: Real>(c: &[T], g: T, h: &[T]) -> (T, T) {
    let p: T = c.iter().zip(h).map(|(&c, &h)| c * h).sum();
    (p.powf(g), p)
}

/// `P^g` and, times `scale`: `dc_i = g P^(g-1) h_i` into `dc`; returns `(P^g, d/dg)` where
/// `d/dg = scale P^g ln P`.
#[inline]
pub fn linear_power_grad(c: &[f64], g: f64, h: &[f64], scale: f64, dc: &mut [f64]) -> (f64, f64) {
    linear_power_grad_of(linear_power(c, g, h), g, h, scale, dc)
}

/// [`linear_power_grad`] from `(P^g, P)` ([`linear_power`]'s result).
#[inline]
pub fn linear_power_grad_of(
    (v, p): (f64, f64),
    g: f64,
    h: &[f64],
    scale: f64,
    dc: &mut [f64],
) -> (f64, f64) {
    let f = scale * g * v / p;
    for (d, &hi) in dc.iter_mut().zip(h) {
        *d = f * hi;
    }
    (v, scale * v * libm::log(p))
}

/// [`linear_power`]'s `P^g` for [`crate::Law::factors`], keeping `(P^g, P)` in `kept[..2]`
/// (when it has room) for [`linear_power_grad_kept`].
#[inline]
pub fn linear_power_kept(c: &[f64], g: f64, h: &[f64], kept: &mut [f64]) -> f64 {
    let (v, p) = linear_power(c, g, h);
    if let [kept_v, kept_p, ..] = kept {
        *kept_v = v;
        *kept_p = p;
    }
    v
}

/// [`linear_power_grad`] from what [`linear_power_kept`] kept (recomputed when `kept` is
/// too short).
#[inline]
pub fn linear_power_grad_kept(
    c: &[f64],
    g: f64,
    h: &[f64],
    kept: &[f64],
    scale: f64,
    dc: &mut [f64],
) -> (f64, f64) {
    match kept {
        [v, p, ..] => linear_power_grad_of((*v, *p), g, h, scale, dc),
        _ => linear_power_grad(c, g, h, scale, dc),
    }
}

/// `P^g`, adding `scale g P^(g-1) c_i` to `grad_h`.
#[inline]
pub fn linear_power_grad_h<T: Real>(c: &[T], g: T, h: &[T], scale: T, grad_h: &mut [T]) -> T {
    let (v, p) = linear_power(c, g, h);
    let f = scale * g * v / p;
    for (gh, &ci) in grad_h.iter_mut().zip(c) {
        *gh += f * ci;
    }
    v
}

/// Adds `v` to `grad[i]` (no-op out of range).
#[inline]
pub fn add_at(grad: &mut [f64], i: usize, v: f64) {
    if let Some(g) = grad.get_mut(i) {
        *g += v;
    }
}

/// Adds `w` times the gradient of `c x^-e` to slots `ic` (for c) and `ie` (for e).
#[inline]
pub fn decay_vjp(
    grad: &mut [f64],
    w: f64,
    (ic, c): (usize, f64),
    (ie, e): (usize, f64),
    ln_x: f64,
) {
    let p = libm::exp(-e * ln_x);
    add_at(grad, ic, w * p);
    add_at(grad, ie, -w * c * p * ln_x);
}

/// Adds `src` (scaled by nothing) into `grad[start..]`.
#[inline]
pub fn add_slice(grad: &mut [f64], start: usize, src: &[f64]) {
    if let Some(dst) = grad.get_mut(start..start + src.len()) {
        for (d, s) in dst.iter_mut().zip(src) {
            *d += s;
        }
    }
}

/// Writes `values` into `out` (the T factors of one input).
#[inline]
pub fn write_factors<const T: usize>(out: &mut [f64], values: [f64; T]) {
    for (o, v) in out.iter_mut().zip(values) {
        *o = v;
    }
}

/// Weight `t` of a factor weight vector (0 when absent).
#[inline]
pub fn weight(weights: &[f64], t: usize) -> f64 {
    weights.get(t).copied().unwrap_or(0.0)
}

/// The leading parameters `E, A, B, alpha, beta` that `chinchilla`, `additive` and `simple`
/// share, and their part of the law: `E + A N^-alpha + B D^-beta`.
#[derive(Clone, Copy, Debug)]
pub struct ChinchillaTerms<T = f64> {
    e: T,
    a: T,
    b: T,
    alpha: T,
    beta: T,
}

impl<T: Real> ChinchillaTerms<T> {
    /// Reads `E, A, B, alpha, beta` (the first five parameters).
    #[inline]
    pub fn read(p: &mut crate::param::Reader<'_, T>) -> Self {
        ChinchillaTerms {
            e: p.scalar(),
            a: p.scalar(),
            b: p.scalar(),
            alpha: p.scalar(),
            beta: p.scalar(),
        }
    }
    /// `E`.
    #[inline]
    pub fn e(&self) -> T {
        self.e
    }
    /// `E + A N^-alpha + B D^-beta` in any float type.
    #[inline]
    pub fn value_of(&self, row: &crate::real::RowOf<'_, T>) -> T {
        self.e + decay(self.a, self.alpha, row.ln_n) + decay(self.b, self.beta, row.ln_d)
    }
}

impl ChinchillaTerms {
    /// `A N^-alpha`.
    #[inline]
    pub fn model(&self, row: &crate::data::Row<'_>) -> f64 {
        decay(self.a, self.alpha, row.ln_n)
    }
    /// `B D^-beta`.
    #[inline]
    pub fn tokens(&self, row: &crate::data::Row<'_>) -> f64 {
        decay(self.b, self.beta, row.ln_d)
    }
    /// `E + A N^-alpha + B D^-beta`.
    #[inline]
    pub fn value(&self, row: &crate::data::Row<'_>) -> f64 {
        self.value_of(&row.into())
    }
    /// [`ChinchillaTerms::value`], writing its five gradient slots.
    #[inline]
    pub fn value_grad(&self, row: &crate::data::Row<'_>, g: &mut crate::param::Writer<'_>) -> f64 {
        let (tn, td) = (self.model(row), self.tokens(row));
        g.scalar(1.0);
        g.scalar(tn / self.a);
        g.scalar(td / self.b);
        g.scalar(-tn * row.ln_n);
        g.scalar(-td * row.ln_d);
        self.e + tn + td
    }
    /// Adds `w_model d(A N^-alpha)/dp` (Model factor) or `w_tokens d(B D^-beta)/dp`
    /// (Tokens factor) to `grad`; the Mixture factor's `E` slot gets `w_e`.
    #[inline]
    pub fn vjp(
        &self,
        factor: crate::law::Factor,
        row: &crate::data::Row<'_>,
        (w_e, w_model, w_tokens): (f64, f64, f64),
        grad: &mut [f64],
    ) {
        use crate::law::Factor;
        match factor {
            Factor::Mixture => add_at(grad, 0, w_e),
            Factor::Model => decay_vjp(grad, w_model, (1, self.a), (3, self.alpha), row.ln_n),
            Factor::Tokens => decay_vjp(grad, w_tokens, (2, self.b), (4, self.beta), row.ln_d),
        }
    }
}
