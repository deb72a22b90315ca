//! `farseer`: L(N, D) = exp(a3 N^gamma + b3) + exp(a2 N^beta + b2) D^(-exp(a1 N^alpha + b1))
//! (Li et al., "Predictable Scale Part II: Farseer", arXiv:2506.10972, eq. 3; the
//! authors' class `ExpExpExpFit`).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::param::{Block, Reader, Writer};

/// The Farseer law of N and D; parameters `a1, alpha, b1, a2, beta, b2, a3, gamma, b3`
/// (9, free sign).
///
/// Every coefficient of Chinchilla's form becomes a function of N: the floor
/// `E(N) = exp(a3 N^gamma + b3)`, the data coefficient `B(N) = exp(a2 N^beta + b2)` and
/// the data exponent `beta(N) = exp(a1 N^alpha + b1)`, so `L = E(N) + B(N) D^-beta(N)`.
/// The exp wrappers keep all three positive without sign constraints (the authors search
/// `a2 > 0`, `beta < 0` and N-exponents in [-0.5, 0.5)). Because the D-exponent depends on
/// N, the law has no separable form. It reads no mixture: it is an (N, D) backbone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Farseer;

impl Farseer {
    /// The law (it does not depend on the mixture).
    pub const fn new() -> Self {
        Farseer
    }
}

/// Parameter layout of [`Farseer`].
pub const BLOCKS: &[Block] = &[
    Block::free("a1", -1.0, 1.0),
    Block::free("alpha", -0.5, 0.5),
    Block::free("b1", -2.5, 0.0),
    Block::free("a2", 0.0, 1.5),
    Block::free("beta", -0.5, 0.5),
    Block::free("b2", -1.0, 1.0),
    Block::free("a3", -1.0, 1.0),
    Block::free("gamma", -0.5, 0.5),
    Block::free("b3", -1.5, 0.5),
];

/// One coefficient `exp(a N^p + b)` of the law: `(value, N^p)`.
#[inline]
fn coefficient(a: f64, p: f64, b: f64, ln_n: f64) -> (f64, f64) {
    let np = libm::exp(p * ln_n);
    (libm::exp(a * np + b), np)
}

/// Farseer's (N, D) part with its exact gradient, reusable wherever an (N, D) backbone is
/// needed (the `farseer` law is exactly this).
#[derive(Clone, Copy, Debug)]
pub struct FarseerTerms {
    a1: f64,
    alpha: f64,
    b1: f64,
    a2: f64,
    beta: f64,
    b2: f64,
    a3: f64,
    gamma: f64,
    b3: f64,
}

impl FarseerTerms {
    /// Reads `a1, alpha, b1, a2, beta, b2, a3, gamma, b3` (the next nine parameters).
    pub fn read(p: &mut Reader<'_>) -> Self {
        FarseerTerms {
            a1: p.scalar(),
            alpha: p.scalar(),
            b1: p.scalar(),
            a2: p.scalar(),
            beta: p.scalar(),
            b2: p.scalar(),
            a3: p.scalar(),
            gamma: p.scalar(),
            b3: p.scalar(),
        }
    }

    /// `E(N) + B(N) D^-beta(N)`.
    pub fn value(&self, row: &Row<'_>) -> f64 {
        let (e, _) = coefficient(self.a3, self.gamma, self.b3, row.ln_n);
        let (x, _) = coefficient(self.a1, self.alpha, self.b1, row.ln_n);
        // B(N) D^-beta(N) = exp(a2 N^beta + b2 - beta(N) ln D), one exp (no overflow of B).
        let nb = libm::exp(self.beta * row.ln_n);
        e + libm::exp(self.a2 * nb + self.b2 - x * row.ln_d)
    }

    /// [`FarseerTerms::value`], writing its nine gradient slots.
    pub fn value_grad(&self, row: &Row<'_>, g: &mut Writer<'_>) -> f64 {
        let ln_n = row.ln_n;
        let (e, ng) = coefficient(self.a3, self.gamma, self.b3, ln_n);
        let (x, na) = coefficient(self.a1, self.alpha, self.b1, ln_n);
        let nb = libm::exp(self.beta * ln_n);
        let t = libm::exp(self.a2 * nb + self.b2 - x * row.ln_d);
        // dL/dbeta(N) = -t ln D; dbeta(N)/d(a1, alpha, b1) = x (N^alpha, a1 N^alpha ln N, 1).
        let dx = -t * row.ln_d * x;
        g.scalar(dx * na);
        g.scalar(dx * self.a1 * na * ln_n);
        g.scalar(dx);
        g.scalar(t * nb);
        g.scalar(t * self.a2 * nb * ln_n);
        g.scalar(t);
        g.scalar(e * ng);
        g.scalar(e * self.a3 * ng * ln_n);
        g.scalar(e);
        e + t
    }
}

impl Law for Farseer {
    fn name(&self) -> &'static str {
        "farseer"
    }
    fn domains(&self) -> usize {
        0
    }
    fn blocks(&self) -> &'static [Block] {
        BLOCKS
    }
    fn inputs(&self) -> Inputs {
        Inputs {
            h: false,
            n: true,
            d: true,
            u: false,
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let head = FarseerTerms::read(&mut Reader::new(params));
        match grad {
            Some(grad) => head.value_grad(row, &mut Writer::new(grad)),
            None => head.value(row),
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        grad_h.iter_mut().for_each(|g| *g = 0.0);
        self.eval_row(params, row, None)
    }
}
