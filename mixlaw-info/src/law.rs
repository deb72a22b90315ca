//! The InfoLaw building blocks (Liu, Zhou et al. 2026, arXiv:2605.02364, section 4): the
//! per-learning gain and its total, the normalisation in the token budget, the quality
//! density, the decay rate, the loss power law and the overtraining shift of its intercept.
//!
//! Equation numbers follow `spec/infolaw.md` section (b); forms marked there as
//! reconstructed (eqs 3, 10-13) are flagged here too.

use crate::layermix::check_positive;
use crate::Error;

/// `g(D)`, the normalisation of the decay rate by the token budget D (eq 3 and appendix B
/// eqs 10-12; the forms of 10 and 11 are reconstructed from their names).
///
/// With it, a document of information `I` learned `R` times yields
/// `I g(D) (1 - exp(-k R / g(D)))` (eq 4).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[non_exhaustive]
pub enum Normalization {
    /// `g(D) = ln D` with D in raw tokens (eq 12, the paper's choice).
    #[default]
    Log,
    /// `g(D) = c`, independent of D (eq 10; `c = 1` is the unnormalised eq 2).
    Constant(f64),
    /// `g(D) = D^gamma` (eq 11).
    Power(f64),
}

impl Normalization {
    /// `g(D)` for `tokens = D` raw tokens; it must be finite and positive (so `Log` needs
    /// `D > 1`).
    ///
    /// ```
    /// use mixlaw_info::Normalization;
    /// let g = Normalization::Log.factor(300e9)?;
    /// assert!((g - 26.427).abs() < 1e-3);
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn factor(self, tokens: f64) -> Result<f64, Error> {
        check_positive("tokens", tokens)?;
        let g = match self {
            Normalization::Log => libm::log(tokens),
            Normalization::Constant(c) => c,
            Normalization::Power(gamma) => libm::pow(tokens, gamma),
        };
        if g.is_finite() && g > 0.0 {
            Ok(g)
        } else {
            Err(Error::InvalidConfig {
                what: "the normalisation g(D) must be finite and > 0",
            })
        }
    }
}

/// Eqs 1 and 3: information gained at the `j`-th learning (`j >= 0`, continuous) of a
/// document holding `info`, `I k exp(-k j / g)`; `g = 1` gives the unnormalised eq 1.
///
/// ```
/// use mixlaw_info::law::learning_gain;
/// // The first learning gains I k whatever the normalisation.
/// assert_eq!(learning_gain(2.0, 3.0, 0.0, 25.0), 6.0);
/// assert!(learning_gain(2.0, 3.0, 5.0, 25.0) < 6.0);
/// ```
pub fn learning_gain(info: f64, k: f64, j: f64, g: f64) -> f64 {
    info * k * libm::exp(-k * j / g)
}

/// Eqs 2 and 4: information accumulated over `r` learnings, the integral of
/// [`learning_gain`] from 0 to `r`: `I g (1 - exp(-k r / g))`. It saturates at `I g`.
///
/// ```
/// use mixlaw_info::law::accumulated;
/// let (i, k, g) = (1.0, 3.19, 26.4);
/// assert!((accumulated(i, k, 1e-6, g) - i * k * 1e-6).abs() < 1e-12); // ~ I k R for small R
/// assert!((accumulated(i, k, 1e4, g) - i * g).abs() < 1e-9); // ceiling I g
/// ```
pub fn accumulated(info: f64, k: f64, r: f64, g: f64) -> f64 {
    -info * g * libm::expm1(-k * r / g)
}

/// The law's fitted constants: quality density `rho_d = exp(-theta d)` (eq 8), decay rate
/// `k = a ln N + b` (eq 9) and the normalisation `g(D)` (eq 3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InfoLaw {
    /// Density decay per bucket, `theta > 0` (bucket 0 is the best).
    pub theta: f64,
    /// Slope `a` of the decay rate in `ln N`.
    pub a: f64,
    /// Intercept `b` of the decay rate.
    pub b: f64,
    /// How the decay rate is normalised by the token budget.
    pub normalization: Normalization,
}

impl InfoLaw {
    /// The published fit (arXiv v1 via `spec/infolaw.md` d.1): `theta = 0.922`,
    /// `a = 0.140`, `b = 0.018`, logarithmic normalisation.
    ///
    /// The decay-rate argument is the raw parameter count N (ambiguity A1 of the spec:
    /// the paper's text says non-embedding FLOPs per token; with these constants N
    /// reproduces Table 6).
    pub const PAPER: InfoLaw = InfoLaw {
        theta: 0.922,
        a: 0.140,
        b: 0.018,
        normalization: Normalization::Log,
    };

    /// Checks that `theta`, `a`, `b` are finite and `theta >= 0`.
    pub fn check(&self) -> Result<(), Error> {
        for (i, v) in [self.theta, self.a, self.b].into_iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    what: "law constants (theta, a, b)",
                    index: i,
                });
            }
        }
        if self.theta < 0.0 {
            return Err(Error::InvalidConfig {
                what: "theta must be >= 0",
            });
        }
        Ok(())
    }

    /// Eq 8: quality density of bucket `d`, `rho_d = exp(-theta d)` (`rho_0 = 1`).
    pub fn density(&self, d: usize) -> f64 {
        libm::exp(-self.theta * d as f64)
    }

    /// Eq 9: decay rate `k = a ln N + b` for a model of `model_size = N` raw parameters;
    /// an error unless it is finite and positive.
    ///
    /// ```
    /// use mixlaw_info::InfoLaw;
    /// let k = InfoLaw::PAPER.decay_rate(7e9)?;
    /// assert!((k - 3.1917).abs() < 1e-4);
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn decay_rate(&self, model_size: f64) -> Result<f64, Error> {
        check_positive("model size", model_size)?;
        let k = self.a * libm::log(model_size) + self.b;
        if k.is_finite() && k > 0.0 {
            Ok(k)
        } else {
            Err(Error::InvalidConfig {
                what: "the decay rate a ln N + b must be > 0",
            })
        }
    }
}

/// Eq 6: the loss-information power law `L = alpha (info / unit)^(-beta)`.
///
/// `unit` is the token count `info` is measured in inside the law (ambiguity A3 of the
/// spec): [`PowerLaw::PAPER`] counts billions of tokens, which gives losses of about 2.8
/// at the 7B settings; counting raw tokens multiplies `alpha` by `1e9^beta ~ 2.50`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerLaw {
    /// Intercept `alpha > 0`.
    pub alpha: f64,
    /// Exponent `beta`.
    pub beta: f64,
    /// Tokens per unit of information inside the law (> 0).
    pub unit: f64,
}

impl PowerLaw {
    /// The published fit at overtraining ratio 3.6: `alpha = 3.7373`, `beta = 0.0441`,
    /// information in billions of tokens.
    pub const PAPER: PowerLaw = PowerLaw {
        alpha: 3.7373,
        beta: 0.0441,
        unit: 1e9,
    };

    fn check_info(&self, info: f64) -> Result<f64, Error> {
        if !(self.alpha.is_finite() && self.beta.is_finite() && self.unit.is_finite()) {
            return Err(Error::NonFinite {
                what: "power law (alpha, beta, unit)",
                index: 0,
            });
        }
        if self.alpha <= 0.0 || self.unit <= 0.0 {
            return Err(Error::InvalidConfig {
                what: "alpha and unit must be > 0",
            });
        }
        check_positive("info", info)?;
        Ok(info / self.unit)
    }

    /// `L = alpha (info / unit)^(-beta)`.
    ///
    /// ```
    /// use mixlaw_info::PowerLaw;
    /// // spec d.3: info = 441.03 billion tokens gives L = 2.857.
    /// let l = PowerLaw::PAPER.loss(4.4103e11)?;
    /// assert!((l - 2.857).abs() < 1e-3);
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn loss(&self, info: f64) -> Result<f64, Error> {
        let x = self.check_info(info)?;
        finite_result(self.alpha * libm::pow(x, -self.beta), "loss")
    }

    /// `dL/d info = -beta L / info` (chain it with [`crate::Setting::gradient`] for
    /// `dL/dw`).
    pub fn loss_derivative(&self, info: f64) -> Result<f64, Error> {
        let l = self.loss(info)?;
        finite_result(-self.beta * l / info, "loss derivative")
    }

    /// The overtraining shift of the intercept (section 5, Figure 4): at a new
    /// overtraining ratio the line keeps its slope `beta` and only `alpha` moves, so one
    /// observed `(loss, info)` pair fixes it: `alpha' = L (info / unit)^beta`.
    ///
    /// ```
    /// use mixlaw_info::PowerLaw;
    /// let base = PowerLaw::PAPER;
    /// let shifted = base.refit_alpha(2.5, 4.0e11)?;
    /// assert_eq!(shifted.beta, base.beta);
    /// assert!((shifted.loss(4.0e11)? - 2.5).abs() < 1e-12);
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn refit_alpha(&self, loss: f64, info: f64) -> Result<PowerLaw, Error> {
        let x = self.check_info(info)?;
        if !(loss.is_finite() && loss > 0.0) {
            return Err(Error::NotPositive {
                what: "loss",
                index: 0,
            });
        }
        Ok(PowerLaw {
            alpha: finite_result(loss * libm::pow(x, self.beta), "refitted alpha")?,
            ..*self
        })
    }

    /// The same law with `alpha` taken from `shift` at overtraining ratio `m`.
    pub fn at_overtraining(&self, shift: &OvertrainShift, m: f64) -> Result<PowerLaw, Error> {
        Ok(PowerLaw {
            alpha: shift.alpha(m)?,
            ..*self
        })
    }
}

/// `v` if finite, else an overflow error naming `what` (extreme constants or info).
fn finite_result(v: f64, what: &'static str) -> Result<f64, Error> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::NonFinite { what, index: 0 })
    }
}

/// The intercept as a function of the overtraining ratio `m = D / D_opt`, for the unknown
/// `H(.)` of Algorithm 1 (eq 13, **reconstructed**, spec ambiguity A6): a power law
/// `alpha(m) = alpha_ref (m / m_ref)^eta`, i.e. parallel lines in log-log space whose
/// intercept moves linearly in `ln m`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OvertrainShift {
    /// Reference ratio (3.6 for the paper's fit).
    pub m_ref: f64,
    /// `alpha` at `m_ref`.
    pub alpha_ref: f64,
    /// Exponent `eta` (0: no shift).
    pub eta: f64,
}

impl OvertrainShift {
    /// The shift through two anchors `(m1, alpha1)` and `(m2, alpha2)`, e.g. the paper's
    /// fit at `m = 3.6` and an `alpha` refitted at `m = 25` by [`PowerLaw::refit_alpha`].
    ///
    /// ```
    /// use mixlaw_info::OvertrainShift;
    /// let s = OvertrainShift::through(3.6, 3.7373, 25.0, 3.60)?;
    /// assert!((s.alpha(25.0)? - 3.60).abs() < 1e-12);
    /// assert!(s.alpha(10.0)? < 3.7373 && s.alpha(10.0)? > 3.60);
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn through(m1: f64, alpha1: f64, m2: f64, alpha2: f64) -> Result<Self, Error> {
        for (i, v) in [m1, alpha1, m2, alpha2].into_iter().enumerate() {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::NotPositive {
                    what: "anchors (m1, alpha1, m2, alpha2)",
                    index: i,
                });
            }
        }
        if m1 == m2 {
            return Err(Error::InvalidConfig {
                what: "the two overtraining ratios must differ",
            });
        }
        Ok(OvertrainShift {
            m_ref: m1,
            alpha_ref: alpha1,
            eta: libm::log(alpha2 / alpha1) / libm::log(m2 / m1),
        })
    }

    /// `alpha(m) = alpha_ref (m / m_ref)^eta` for `m > 0`.
    pub fn alpha(&self, m: f64) -> Result<f64, Error> {
        if !(m.is_finite() && m > 0.0) {
            return Err(Error::NotPositive {
                what: "overtraining ratio",
                index: 0,
            });
        }
        let a = self.alpha_ref * libm::pow(m / self.m_ref, self.eta);
        if a.is_finite() && a > 0.0 {
            Ok(a)
        } else {
            Err(Error::InvalidConfig {
                what: "alpha(m) must be finite and > 0",
            })
        }
    }
}
