//! `data-constrained`: L = E + A/(U_N + U_N RN (1 - e^(-R_N/RN)))^alpha +
//! B/(U_D + U_D RD (1 - e^(-R_D/RD)))^beta (Muennighoff et al. 2023, "Scaling
//! Data-Constrained Language Models", eq 5; definitions as in huggingface/datablations).
//!
//! With unique tokens U: `U_D = U`, `R_D = max(D/U - 1, 0)`, `U_N = min(N, N_opt(U))`,
//! `R_N = max(N/U_N - 1, 0)`, where `N_opt(U) = G (U G)^(beta/alpha)` and
//! `G = (alpha A / (beta B))^(1/(alpha + beta))` is the compute-optimal model size for U
//! tokens under the Chinchilla part of the law.

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::law::Structure;
use crate::param::{Block, Reader, Writer};

/// The data-constrained law of Muennighoff et al.; parameters `E, A, B, alpha, beta, RN, RD`
/// (7), all but E positive. Inputs N, D and unique tokens U; no mixture.
///
/// `RN` and `RD` are the paper's `R_N*` and `R_D*` (the decay constants of repeated
/// parameters and data). The gradient is exact, including the dependence of `N_opt(U)`
/// on `A, B, alpha, beta` where `N_opt(U) < N`. At the kinks of `min` and `max` it is the
/// one-sided derivative of the branch taken (`U_N = N` when `N <= N_opt(U)`); the law is in
/// fact continuously differentiable across `N = N_opt(U)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataConstrained;

impl DataConstrained {
    /// The law (it does not depend on the mixture).
    pub const fn new() -> Self {
        DataConstrained
    }
}

/// Parameter layout of [`DataConstrained`], with start ranges around the published fit
/// in raw units (scales 1): `E = 1.87, A = e^6.26, B = e^7.30, alpha = beta = 0.353,
/// RN = 5.31, RD = 15.4`.
pub const BLOCKS: &[Block] = &[
    Block::free("E", 1.0, 2.5).linear(),
    Block::positive("A", 4.5, 8.0),
    Block::positive("B", 5.5, 9.0),
    Block::positive("alpha", -1.6, -0.7),
    Block::positive("beta", -1.6, -0.7),
    Block::positive("RN", 0.0, 3.5),
    Block::positive("RD", 0.5, 3.5),
];

/// The repetition factor `f = 1 + R* (1 - e^-x)`, `x = R / R*`, of an effective count
/// `X = U' f`, with what its derivatives need.
struct Repeat {
    /// `ln f`.
    ln_f: f64,
    /// `f`.
    f: f64,
    /// `1 - e^-x`.
    om: f64,
    /// `g = 1 - e^-x - x e^-x`, so that `dX/dR* = U' g`.
    g: f64,
}

impl Repeat {
    fn new(r: f64, r_star: f64) -> Self {
        let x = r / r_star;
        let om = -libm::expm1(-x);
        let t = r_star * om;
        Repeat {
            ln_f: libm::log1p(t),
            f: 1.0 + t,
            om,
            g: one_minus_exp_minus_x_times(x, om),
        }
    }
}

/// `1 - e^-x - x e^-x` for `x >= 0` given `om = 1 - e^-x`, without cancellation near 0
/// (series `sum_{n>=2} (-1)^n (n-1) x^n / n!` below 0.1).
fn one_minus_exp_minus_x_times(x: f64, om: f64) -> f64 {
    if x < 0.1 {
        let mut term = x;
        let mut sum = 0.0;
        let mut sign = 1.0;
        for n in 2..=18u32 {
            let nf = f64::from(n);
            term *= x / nf;
            sum += sign * (nf - 1.0) * term;
            sign = -sign;
        }
        sum
    } else {
        om - x * libm::exp(-x)
    }
}

impl Law for DataConstrained {
    fn name(&self) -> &'static str {
        "data-constrained"
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
            u: true,
        }
    }
    /// Published in raw units: automatic scales are 1.
    fn structure(&self) -> Structure {
        Structure::raw_units()
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let mut p = Reader::new(params);
        let (e, a, b, alpha, beta) = (p.scalar(), p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let (rn, rd) = (p.scalar(), p.scalar());
        let ln_u = libm::log(row.u);

        // Data: U_D = U, R_D = max(D/U - 1, 0).
        let rep_d = Repeat::new((row.d / row.u - 1.0).max(0.0), rd);
        let ln_xd = ln_u + rep_d.ln_f;
        let td = b * libm::exp(-beta * ln_xd);

        // Parameters: ln N_opt(U) = (ln(alpha A / (beta B)) + beta ln U) / alpha.
        let ln_nopt = (libm::log(alpha) + libm::log(a) - libm::log(beta) - libm::log(b)
            + beta * ln_u)
            / alpha;
        let on_opt = ln_nopt < row.ln_n;
        let (ln_un, r_n) = if on_opt {
            (ln_nopt, libm::expm1(row.ln_n - ln_nopt))
        } else {
            (row.ln_n, 0.0)
        };
        let rep_n = Repeat::new(r_n, rn);
        let ln_xn = ln_un + rep_n.ln_f;
        let tn = a * libm::exp(-alpha * ln_xn);

        if let Some(grad) = grad {
            // s = dL/d ln U_N on the N_opt branch: d ln X_N / d ln U_N = (om + RN g) / f
            // (R_N = N/U_N - 1 moves with U_N).
            let s = if on_opt {
                -alpha * tn * (rep_n.om + rn * rep_n.g) / rep_n.f
            } else {
                0.0
            };
            let mut g = Writer::new(grad);
            g.scalar(1.0);
            g.scalar(tn / a + s / (alpha * a));
            g.scalar(td / b - s / (alpha * b));
            g.scalar(-tn * ln_xn + s * (1.0 / alpha - ln_nopt) / alpha);
            g.scalar(-td * ln_xd + s * (ln_u - 1.0 / beta) / alpha);
            g.scalar(-alpha * tn * rep_n.g / rep_n.f);
            g.scalar(-beta * td * rep_d.g / rep_d.f);
        }
        e + tn + td
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        grad_h.iter_mut().for_each(|g| *g = 0.0);
        self.eval_row(params, row, None)
    }
}
