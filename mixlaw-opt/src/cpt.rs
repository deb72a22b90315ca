//! The decision procedures of the D-CPT Law (Que et al., NeurIPS 2024, arXiv:2406.01375,
//! section "usages"): continual pre-training on a general corpus and one domain corpus
//! (k = 2), the domain ratio `r_d = h_domain`, the general ratio `1 - r_d`.
//!
//! - [`Cpt::max_domain_ratio`] (usage 1, trade-off): the largest `r_d` whose general loss
//!   stays within `(1 + T) L_g0` of the base model's `L_g0` (the domain loss falls with
//!   `r_d`, so this is the best domain performance the tolerance allows): a 1-D root.
//! - [`Cpt::best_ratio_for_domain_tokens`] (usage 2, limited domain data `D_d`): the
//!   training set is `D = D_d / r_d` tokens (all domain tokens used once, topped up with
//!   general data; this reading of the paper is `laws-extra.md`'s and unconfirmed);
//!   minimise `L_d(N, D_d / r_d, r_d)` over `r_d`: a 1-D minimisation.
//!
//! The law's form and both usages come from secondary sources (the paper's body was not
//! available): see the README's section on the laws from the wider field.
//!
//! Both work for any 2-domain law (fitted `dcpt` laws in the paper) and for any
//! function of one ratio ([`largest_within`], [`minimize_on`]). Non-finite loss values
//! count as `+inf`. They scan the whole interval before refining: the D-CPT law is not
//! convex in r for `eta < 1` (it rises from r = 0 like `r^eta`, then may fall), so a local
//! method such as the simplex solver can stop at the minimum at the lower bound and its
//! duality gap is no global certificate there.

use mixlaw_core::{Law, LawExt, Point, Scales};

use crate::budget::brent;
use crate::Error;

/// Grid intervals of the scans that bracket the root or the minimum.
pub const SCAN: usize = 64;

/// Absolute tolerance on the ratio of both procedures.
pub const RATIO_TOL: f64 = 1e-12;

/// `v` if finite, else `+inf`.
fn or_inf(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        f64::INFINITY
    }
}

fn check_interval(lo: f64, hi: f64) -> Result<(), Error> {
    if lo.is_finite() && hi.is_finite() && lo < hi {
        Ok(())
    } else {
        Err(Error::InvalidConfig {
            what: "need a finite interval lo < hi",
        })
    }
}

/// The largest `x` in `[lo, hi]` with `f(x) <= limit`: `hi` if feasible, else the largest
/// feasible point of a [`SCAN`]-interval grid refined by bisection against the next grid
/// point up (to [`RATIO_TOL`]); `None` if no grid point is feasible. Exact for monotone
/// `f`; otherwise the largest crossing the grid resolves.
pub fn largest_within(
    mut f: impl FnMut(f64) -> Result<f64, Error>,
    limit: f64,
    lo: f64,
    hi: f64,
) -> Result<Option<f64>, Error> {
    check_interval(lo, hi)?;
    if limit.is_nan() {
        return Err(Error::InvalidConfig {
            what: "the limit is NaN",
        });
    }
    if or_inf(f(hi)?) <= limit {
        return Ok(Some(hi));
    }
    let step = (hi - lo) / SCAN as f64;
    let mut above = hi;
    for j in (0..SCAN).rev() {
        let x = lo + step * j as f64;
        if or_inf(f(x)?) <= limit {
            // f(x) <= limit < f(above): bisect.
            let (mut a, mut b) = (x, above);
            while b - a > RATIO_TOL {
                let m = 0.5 * (a + b);
                if m <= a || m >= b {
                    break;
                }
                if or_inf(f(m)?) <= limit {
                    a = m;
                } else {
                    b = m;
                }
            }
            return Ok(Some(a));
        }
        above = x;
    }
    Ok(None)
}

/// A minimum of a function of one variable on an interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Minimum {
    /// The minimiser.
    pub x: f64,
    /// The minimal value.
    pub value: f64,
    /// The minimum lies at an end of the interval (`lo` or `hi`).
    pub at_edge: bool,
}

/// The minimum of `f` on `[lo, hi]`: a [`SCAN`]-interval grid, then Brent's method
/// (golden section with parabolic steps, the one of [`crate::budget`]) between the best
/// grid point's neighbours, to [`RATIO_TOL`]. Global for unimodal `f`.
pub fn minimize_on(
    mut f: impl FnMut(f64) -> Result<f64, Error>,
    lo: f64,
    hi: f64,
) -> Result<Minimum, Error> {
    check_interval(lo, hi)?;
    let step = (hi - lo) / SCAN as f64;
    let at = |j: usize| if j == SCAN { hi } else { lo + step * j as f64 };
    let (mut jbest, mut vbest) = (0, f64::INFINITY);
    for j in 0..=SCAN {
        let v = or_inf(f(at(j))?);
        if v < vbest {
            (jbest, vbest) = (j, v);
        }
    }
    if !vbest.is_finite() {
        return Err(Error::NonFiniteStart);
    }
    // Brent between the best grid point's neighbours; from an end point, on its one
    // interval from the midpoint (the minimum may sit just inside), keeping the end point
    // if it stays better.
    let (a, b) = (at(jbest.saturating_sub(1)), at((jbest + 1).min(SCAN)));
    let x0 = if jbest == 0 || jbest == SCAN {
        0.5 * (a + b)
    } else {
        at(jbest)
    };
    let v0 = if x0 == at(jbest) {
        vbest
    } else {
        or_inf(f(x0)?)
    };
    let (x, value) = brent(a, b, x0, v0, RATIO_TOL, 200, |x| Ok(or_inf(f(x)?)))?;
    if value < vbest || !(jbest == 0 || jbest == SCAN) {
        Ok(Minimum {
            x,
            value,
            at_edge: false,
        })
    } else {
        Ok(Minimum {
            x: at(jbest),
            value: vbest,
            at_edge: true,
        })
    }
}

/// A fitted 2-domain law (general and domain corpus) for the D-CPT procedures.
#[derive(Clone, Copy, Debug)]
pub struct Cpt<'a, L: ?Sized> {
    law: &'a L,
    params: &'a [f64],
    domain: usize,
    scales: Scales,
}

impl<'a, L: Law + ?Sized> Cpt<'a, L> {
    /// `law` (k = 2, natural `params`, fitted with `scales`) where `h[domain]` is the
    /// domain corpus's ratio `r_d` and the other weight the general corpus's.
    pub fn new(
        law: &'a L,
        params: &'a [f64],
        domain: usize,
        scales: Scales,
    ) -> Result<Self, Error> {
        if !law.inputs().h || law.domains() != 2 {
            return Err(Error::InvalidConfig {
                what: "a D-CPT procedure needs a law of k = 2 domains (general, domain)",
            });
        }
        if domain >= 2 {
            return Err(Error::InvalidConfig {
                what: "the domain corpus index must be 0 or 1",
            });
        }
        law.check_params(params)?;
        scales.check()?;
        Ok(Cpt {
            law,
            params,
            domain,
            scales,
        })
    }

    /// The law's loss at domain ratio `r` (in [0, 1]), model size `n`, tokens `d` (raw);
    /// `+inf` where the law overflows.
    pub fn loss(&self, r: f64, n: f64, d: f64) -> Result<f64, Error> {
        let mut h = [1.0 - r, 1.0 - r];
        if let Some(x) = h.get_mut(self.domain) {
            *x = r;
        }
        let point = Point::new(&h, n, d)?;
        match self.law.value(self.params, &point, self.scales) {
            Ok(v) => Ok(v),
            Err(Error::NonFiniteValue { .. }) => Ok(f64::INFINITY),
            Err(e) => Err(e),
        }
    }

    /// Usage 1: with `self` the general-loss law, the largest domain ratio `r_d` in
    /// `[0, 1]` with `L_g(N, D, r_d) <= (1 + tolerance) base_loss` (`base_loss` = the
    /// general loss of the model before continual pre-training); `None` if even `r_d = 0`
    /// exceeds it. See [`largest_within`].
    pub fn max_domain_ratio(
        &self,
        n: f64,
        d: f64,
        base_loss: f64,
        tolerance: f64,
    ) -> Result<Option<f64>, Error> {
        if !(base_loss.is_finite() && base_loss > 0.0) {
            return Err(Error::InvalidInput {
                what: "base loss",
                index: 0,
            });
        }
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(Error::InvalidInput {
                what: "tolerance",
                index: 0,
            });
        }
        self.loss(0.0, n, d)?; // validates N and D
        largest_within(
            |r| self.loss(r, n, d),
            (1.0 + tolerance) * base_loss,
            0.0,
            1.0,
        )
    }

    /// Usage 2: with `self` the domain-loss law and `domain_tokens` = `D_d` the available
    /// domain tokens, the ratio minimising `L_d(N, D_d / r_d, r_d)` over
    /// `r_d in [r_min, 1]` (`0 < r_min < 1`; the training set is `D = D_d / r_d`). See
    /// [`minimize_on`].
    pub fn best_ratio_for_domain_tokens(
        &self,
        n: f64,
        domain_tokens: f64,
        r_min: f64,
    ) -> Result<Minimum, Error> {
        if !(r_min > 0.0 && r_min < 1.0) {
            return Err(Error::InvalidConfig {
                what: "r_min must be in (0, 1)",
            });
        }
        if !(domain_tokens.is_finite() && domain_tokens > 0.0) {
            return Err(Error::InvalidInput {
                what: "domain tokens",
                index: 0,
            });
        }
        self.loss(1.0, n, domain_tokens)?; // validates N
        minimize_on(|r| self.loss(r, n, domain_tokens / r), r_min, 1.0)
    }
}
