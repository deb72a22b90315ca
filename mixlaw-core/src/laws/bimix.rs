//! `bimix`: L = (B D^-beta + E) h_t^-gamma, t the target domain (Ge et al. 2024, BiMix, as
//! rewritten in Shukor et al. 2025, appendix B.2; its separate C is folded into B and E).

use crate::data::{Inputs, Row};
use crate::law::{Factor, Law};
use crate::laws::terms::{add_at, decay, decay_vjp, weight, write_factors};
use crate::laws::{check_target, own_weight};
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// The BiMix law for one target domain t; parameters `B, beta, E, gamma` (4), all positive.
///
/// The target index t is configuration, not a parameter. The law is undefined where
/// `h_t = 0`: [`Law::check_row`] rejects such rows with [`Error::ZeroTargetWeight`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bimix {
    k: usize,
    target: usize,
}

impl Bimix {
    /// The law for `k >= 1` domains, predicting the loss on domain `target < k`.
    pub fn new(k: usize, target: usize) -> Result<Self, Error> {
        check_target(k, target)?;
        Ok(Bimix { k, target })
    }

    /// The target domain's index t.
    pub fn target(&self) -> usize {
        self.target
    }
}

/// Parameter layout of [`Bimix`].
pub const BLOCKS: &[Block] = &[
    Block::positive("B", -3.0, 2.0).linear(),
    Block::positive("beta", -3.0, 0.0),
    Block::positive("E", 0.0, 1.2).linear(),
    Block::positive("gamma", -4.0, -0.5),
];

impl Law for Bimix {
    fn name(&self) -> &'static str {
        "bimix"
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
            n: false,
            d: true,
            u: false,
        }
    }
    fn check_row(&self, row: &Row<'_>, index: usize) -> Result<(), Error> {
        match row.h.get(self.target) {
            Some(&ht) if ht > 0.0 => Ok(()),
            Some(_) => Err(Error::ZeroTargetWeight { row: index }),
            None => Err(Error::WrongDomainCount {
                expected: self.k,
                found: row.h.len(),
            }),
        }
    }
    fn separable_terms(&self) -> usize {
        2
    }
    fn factors(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        out: &mut [f64],
        _cache: &mut [f64],
    ) {
        let mut p = Reader::new(params);
        let (b, beta, e, gamma) = (p.scalar(), p.scalar(), p.scalar(), p.scalar());
        match factor {
            Factor::Mixture => {
                let m = decay(1.0, gamma, own_weight(row.h, row.ln_h, self.target).1);
                write_factors(out, [m, e * m]);
            }
            Factor::Model => write_factors(out, [1.0, 1.0]),
            Factor::Tokens => write_factors(out, [decay(b, beta, row.ln_d), 1.0]),
        }
    }
    fn unit_factors(&self, factor: Factor) -> u32 {
        match factor {
            Factor::Mixture => 0,
            Factor::Model => 0b11,
            Factor::Tokens => 0b10,
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
        let mut p = Reader::new(params);
        let (b, beta, e, gamma) = (p.scalar(), p.scalar(), p.scalar(), p.scalar());
        match factor {
            Factor::Mixture => {
                let ln_ht = own_weight(row.h, row.ln_h, self.target).1;
                let m = decay(1.0, gamma, ln_ht);
                let (w0, w1) = (weight(weights, 0), weight(weights, 1));
                add_at(grad, 2, w1 * m);
                add_at(grad, 3, -(w0 + w1 * e) * m * ln_ht);
            }
            Factor::Model => {}
            Factor::Tokens => decay_vjp(grad, weight(weights, 0), (0, b), (1, beta), row.ln_d),
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let Some(grad) = grad else {
            return self.value_of(params, &row.into());
        };
        let mut p = Reader::new(params);
        let (b, beta, e, gamma) = (p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let (_, ln_ht) = own_weight(row.h, row.ln_h, self.target);
        let td = decay(b, beta, row.ln_d);
        let m = decay(1.0, gamma, ln_ht);
        let v = (td + e) * m;
        let mut g = Writer::new(grad);
        g.scalar(td / b * m);
        g.scalar(-td * row.ln_d * m);
        g.scalar(m);
        g.scalar(-v * ln_ht);
        v
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for Bimix {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let (b, beta, e, gamma) = (p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let (_, ln_ht) = own_weight(row.h, row.ln_h, self.target);
        (decay(b, beta, row.ln_d) + e) * decay(T::ONE, gamma, ln_ht)
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let (b, beta, e, gamma) = (p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let (ht, ln_ht) = own_weight(row.h, row.ln_h, self.target);
        let v = (decay(b, beta, row.ln_d) + e) * decay(T::ONE, gamma, ln_ht);
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        if let Some(gh) = grad_h.get_mut(self.target) {
            *gh += -gamma * v / ht;
        }
        v
    }
}
