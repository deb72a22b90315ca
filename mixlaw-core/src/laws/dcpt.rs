//! `dcpt`: L = E + A N^-alpha + B r^eta D^-beta + C (r + eps)^-gamma with r = h_t, the
//! recommended ("L3") parametrisation of the D-CPT Law (Que et al., NeurIPS 2024,
//! arXiv:2406.01375) for continual pre-training on a general and a domain corpus.
//!
//! Provenance: the paper's body was not available to us; the form is the one two
//! independent secondary sources give (`laws-extra.md` section 1; the sciencestack.ai
//! summary of the paper prints the same formula).

use crate::data::{Inputs, Row};
use crate::law::{dpow, pow_ln, pow_ln_times_ln, Factor, Law};
use crate::laws::terms::{add_at, decay, decay_vjp, weight, write_factors};
use crate::laws::{check_target, own_weight};
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// The D-CPT law for one target t (the general or the domain corpus); parameters
/// `E, A, alpha, B, eta, beta, C, gamma, eps` (9, all but E positive).
///
/// The law reads only the target's own weight `r = h_t` (the paper fits `L_g` on
/// `r_g` and `L_d` on `r_d`, k = 2). `eps` keeps `r = 0` finite; with `0^eta = 0` the
/// middle term vanishes there, and for `eta < 1` its derivative in r is `+inf`, which
/// [`LawExt::grad_h`](crate::LawExt::grad_h) reports as [`Error::InfiniteGradient`].
/// At fixed r it is Chinchilla.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dcpt {
    k: usize,
    target: usize,
}

impl Dcpt {
    /// The law for `k >= 1` domains, predicting the loss on domain `target < k`.
    pub fn new(k: usize, target: usize) -> Result<Self, Error> {
        check_target(k, target)?;
        Ok(Dcpt { k, target })
    }

    /// The target domain's index t.
    pub fn target(&self) -> usize {
        self.target
    }
}

/// Parameter layout of [`Dcpt`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive("A", -3.0, 3.0).linear(),
    Block::positive("alpha", -3.0, 0.0),
    Block::positive("B", -3.0, 3.0).linear(),
    Block::positive("eta", -3.0, 0.5),
    Block::positive("beta", -3.0, 0.0),
    Block::positive("C", -3.0, 1.0).linear(),
    Block::positive("gamma", -3.0, 0.0),
    Block::positive("eps", -5.0, -1.0),
];

/// The nine parameters, by name.
#[derive(Clone, Copy, Debug)]
struct P<T = f64> {
    e: T,
    a: T,
    alpha: T,
    b: T,
    eta: T,
    beta: T,
    c: T,
    gamma: T,
    eps: T,
}

impl<T: Real> P<T> {
    fn read(params: &[T]) -> Self {
        let mut p = Reader::new(params);
        P {
            e: p.scalar(),
            a: p.scalar(),
            alpha: p.scalar(),
            b: p.scalar(),
            eta: p.scalar(),
            beta: p.scalar(),
            c: p.scalar(),
            gamma: p.scalar(),
            eps: p.scalar(),
        }
    }
    /// `C (r + eps)^-gamma` and `r + eps`.
    fn floor(&self, r: T) -> (T, T) {
        let re = r + self.eps;
        (decay(self.c, self.gamma, re.ln()), re)
    }
}

impl Law for Dcpt {
    fn name(&self) -> &'static str {
        "dcpt"
    }
    fn domains(&self) -> usize {
        self.k
    }
    fn blocks(&self) -> &'static [Block] {
        BLOCKS
    }
    fn inputs(&self) -> Inputs {
        Inputs {
            h: true,
            n: true,
            d: true,
            u: false,
        }
    }
    fn separable_terms(&self) -> usize {
        3
    }
    /// Terms: `E + C (r + eps)^-gamma`; `A N^-alpha`; `B r^eta * D^-beta`.
    fn factors(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        out: &mut [f64],
        _cache: &mut [f64],
    ) {
        let p = P::read(params);
        match factor {
            Factor::Mixture => {
                let (r, ln_r) = own_weight(row.h, row.ln_h, self.target);
                let lift = p.b * pow_ln(r, ln_r, p.eta);
                write_factors(out, [p.e + p.floor(r).0, 1.0, lift]);
            }
            Factor::Model => write_factors(out, [1.0, decay(p.a, p.alpha, row.ln_n), 1.0]),
            Factor::Tokens => write_factors(out, [1.0, 1.0, decay(1.0, p.beta, row.ln_d)]),
        }
    }
    fn unit_factors(&self, factor: Factor) -> u32 {
        match factor {
            Factor::Mixture => 0b010,
            Factor::Model => 0b101,
            Factor::Tokens => 0b011,
        }
    }
    fn factors_vjp(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        weights: &[f64],
        _cache: &[f64],
        grad: &mut [f64],
        _scratch: &mut [f64],
    ) {
        let p = P::read(params);
        let (w0, w1, w2) = (weight(weights, 0), weight(weights, 1), weight(weights, 2));
        match factor {
            Factor::Mixture => {
                let (r, ln_r) = own_weight(row.h, row.ln_h, self.target);
                let (fl, re) = p.floor(r);
                let pow = pow_ln(r, ln_r, p.eta);
                add_at(grad, 0, w0);
                add_at(grad, 3, w2 * pow);
                add_at(grad, 4, w2 * p.b * pow_ln_times_ln(pow, r, ln_r));
                add_at(grad, 6, w0 * fl / p.c);
                add_at(grad, 7, -w0 * fl * libm::log(re));
                add_at(grad, 8, -w0 * p.gamma * fl / re);
            }
            Factor::Model => decay_vjp(grad, w1, (1, p.a), (2, p.alpha), row.ln_n),
            Factor::Tokens => add_at(grad, 5, -w2 * decay(1.0, p.beta, row.ln_d) * row.ln_d),
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let Some(grad) = grad else {
            return self.value_of(params, &row.into());
        };
        let p = P::read(params);
        let (r, ln_r) = own_weight(row.h, row.ln_h, self.target);
        let tn = decay(p.a, p.alpha, row.ln_n);
        let pow = pow_ln(r, ln_r, p.eta);
        let kd = decay(1.0, p.beta, row.ln_d);
        let lift = p.b * pow * kd;
        let (fl, re) = p.floor(r);
        let mut g = Writer::new(grad);
        g.scalar(1.0);
        g.scalar(tn / p.a);
        g.scalar(-tn * row.ln_n);
        g.scalar(pow * kd);
        g.scalar(p.b * kd * pow_ln_times_ln(pow, r, ln_r));
        g.scalar(-lift * row.ln_d);
        g.scalar(fl / p.c);
        g.scalar(-fl * libm::log(re));
        g.scalar(-p.gamma * fl / re);
        p.e + tn + lift + fl
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for Dcpt {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let p = P::read(params);
        let (r, ln_r) = own_weight(row.h, row.ln_h, self.target);
        let kd = decay(T::ONE, p.beta, row.ln_d);
        let (fl, _) = p.floor(r);
        p.e + decay(p.a, p.alpha, row.ln_n) + p.b * pow_ln(r, ln_r, p.eta) * kd + fl
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let p = P::read(params);
        let (r, ln_r) = own_weight(row.h, row.ln_h, self.target);
        let kd = decay(T::ONE, p.beta, row.ln_d);
        let (fl, re) = p.floor(r);
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        if let Some(gt) = grad_h.get_mut(self.target) {
            // B D^-beta eta r^(eta - 1) is +inf at r = 0 for eta < 1, even where B D^-beta
            // underflows (never 0 * inf = NaN).
            let dp = dpow(r, ln_r, p.eta);
            let lift = if dp.is_finite() || dp.is_nan() {
                p.b * kd * dp
            } else {
                T::INFINITY
            };
            *gt = lift - p.gamma * fl / re;
        }
        p.e + decay(p.a, p.alpha, row.ln_n) + p.b * pow_ln(r, ln_r, p.eta) * kd + fl
    }
}
