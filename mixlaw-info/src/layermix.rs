//! LayerMix sampling (section 3.1 and appendix C of arXiv:2605.02364; `spec/infolaw.md`
//! section c): how many unique tokens `U_d` and what average repetition `R_d` each quality
//! bucket contributes to a packed training set.
//!
//! For source size `S`, bucket shares `p`, recipe `w` and `T` training tokens:
//!
//! ```text
//! K_d = w_d T        quota          S_d = p_d S    available
//! U_d = min(K_d, S_d)               R_d = K_d / U_d  (R_d = 1 when K_d <= S_d)
//! ```
//!
//! A bucket with `w_d = 0` contributes nothing: `U_d = R_d = 0`.

use crate::{Error, MAX_BUCKETS};

/// Source shares of the paper's six buckets (percentiles 0-5, 5-20, 20-40, 40-60, 60-80,
/// 80-100 of the quality score; bucket 0 is the best).
pub const PAPER_SHARES: [f64; 6] = [0.05, 0.15, 0.20, 0.20, 0.20, 0.20];

/// The source corpus: its size `S` (tokens) and the share `p_d` of each quality bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Source {
    shares: [f64; MAX_BUCKETS],
    len: usize,
    size: f64,
}

impl Source {
    /// A source of `size` tokens split into buckets with `shares` (each > 0, summing to 1
    /// within [`mixlaw_core::SIMPLEX_TOLERANCE`]; 1 to [`MAX_BUCKETS`] buckets).
    ///
    /// ```
    /// use mixlaw_info::{Source, PAPER_SHARES};
    /// let s = Source::new(&PAPER_SHARES, 300e9)?;
    /// assert_eq!(s.available(0), Some(15e9));
    /// assert!(Source::new(&[0.5, 0.6], 1e9).is_err());
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn new(shares: &[f64], size: f64) -> Result<Self, Error> {
        let len = check_len(shares.len())?;
        let mut sum = 0.0;
        for (i, &p) in shares.iter().enumerate() {
            if !p.is_finite() {
                return Err(Error::NonFinite {
                    what: "source shares",
                    index: i,
                });
            }
            if p <= 0.0 {
                return Err(Error::NotPositive {
                    what: "source shares",
                    index: i,
                });
            }
            sum += p;
        }
        if libm::fabs(sum - 1.0) > mixlaw_core::SIMPLEX_TOLERANCE {
            return Err(Error::OffSimplex {
                what: "source shares",
                row: 0,
                sum,
            });
        }
        check_positive("source size", size)?;
        let mut s = [0.0; MAX_BUCKETS];
        for (dst, &p) in s.iter_mut().zip(shares) {
            *dst = p;
        }
        Ok(Source {
            shares: s,
            len,
            size,
        })
    }

    /// The paper's six buckets ([`PAPER_SHARES`]) with source size `size`.
    pub fn paper(size: f64) -> Result<Self, Error> {
        Source::new(&PAPER_SHARES, size)
    }

    /// Number of buckets.
    pub fn buckets(&self) -> usize {
        self.len
    }

    /// The bucket shares `p`.
    pub fn shares(&self) -> &[f64] {
        self.shares.get(..self.len).unwrap_or(&[])
    }

    /// Source size `S` in tokens.
    pub fn size(&self) -> f64 {
        self.size
    }

    /// Tokens available in bucket `d`, `S_d = p_d S` (`None` past the last bucket).
    pub fn available(&self, d: usize) -> Option<f64> {
        self.shares().get(d).map(|p| p * self.size)
    }

    /// LayerMix accounting of recipe `w` (checked by [`check_recipe`], monotone or not)
    /// over `tokens = T` training tokens.
    ///
    /// ```
    /// use mixlaw_info::Source;
    /// let src = Source::paper(312e9)?;
    /// let mix = src.layermix(&[0.548, 0.444, 0.008, 0.0, 0.0, 0.0], 300e9)?;
    /// let b = mix.buckets();
    /// assert!((b[0].unique - 15.6e9).abs() < 1.0 && (b[0].repetition - 10.538).abs() < 1e-3);
    /// assert_eq!((b[2].unique, b[2].repetition), (2.4e9, 1.0));
    /// assert_eq!((b[3].unique, b[3].repetition), (0.0, 0.0));
    /// # Ok::<(), mixlaw_info::Error>(())
    /// ```
    pub fn layermix(&self, w: &[f64], tokens: f64) -> Result<LayerMix, Error> {
        check_recipe(w, self.len, false)?;
        check_tokens(tokens)?;
        let mut buckets = [Bucket::EMPTY; MAX_BUCKETS];
        for ((b, &wd), &p) in buckets.iter_mut().zip(w).zip(self.shares()) {
            *b = Bucket::new(wd * tokens, p * self.size);
        }
        Ok(LayerMix {
            buckets,
            len: self.len,
            tokens,
        })
    }
}

/// One bucket of a LayerMix training set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    /// Quota `K_d = w_d T` (tokens of the training set drawn from the bucket).
    pub quota: f64,
    /// Available tokens `S_d = p_d S`.
    pub available: f64,
    /// Unique tokens `U_d = min(K_d, S_d)`.
    pub unique: f64,
    /// Average repetition `R_d = K_d / U_d`: 1 up to capacity, above 1 past it, 0 for an
    /// empty quota.
    pub repetition: f64,
}

impl Bucket {
    const EMPTY: Bucket = Bucket {
        quota: 0.0,
        available: 0.0,
        unique: 0.0,
        repetition: 0.0,
    };

    /// The bucket for quota `K_d` and availability `S_d > 0`.
    fn new(quota: f64, available: f64) -> Bucket {
        if quota <= 0.0 {
            return Bucket {
                available,
                ..Bucket::EMPTY
            };
        }
        if quota <= available {
            Bucket {
                quota,
                available,
                unique: quota,
                repetition: 1.0,
            }
        } else {
            Bucket {
                quota,
                available,
                unique: available,
                repetition: quota / available,
            }
        }
    }

    /// Whether the bucket repeats data (`K_d > S_d`).
    pub fn repeats(&self) -> bool {
        self.quota > self.available
    }
}

/// The per-bucket accounting of one recipe (see [`Source::layermix`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerMix {
    buckets: [Bucket; MAX_BUCKETS],
    len: usize,
    tokens: f64,
}

impl LayerMix {
    /// The buckets, best first.
    pub fn buckets(&self) -> &[Bucket] {
        self.buckets.get(..self.len).unwrap_or(&[])
    }

    /// Training tokens `T`.
    pub fn tokens(&self) -> f64 {
        self.tokens
    }

    /// Unique tokens of the whole training set, `sum_d U_d`.
    pub fn unique(&self) -> f64 {
        self.buckets().iter().map(|b| b.unique).sum()
    }
}

/// Checks a recipe for `buckets` buckets: the right length, finite, non-negative, summing
/// to 1 within [`mixlaw_core::SIMPLEX_TOLERANCE`] and, if `monotone`, non-increasing
/// (`w_0 >= w_1 >= ...`, the paper's high-quality-first constraint).
///
/// ```
/// use mixlaw_info::{check_recipe, Error};
/// assert!(check_recipe(&[0.6, 0.4, 0.0], 3, true).is_ok());
/// assert_eq!(check_recipe(&[0.4, 0.6, 0.0], 3, true), Err(Error::NotMonotone { bucket: 0 }));
/// assert!(check_recipe(&[0.4, 0.6, 0.0], 3, false).is_ok());
/// assert!(matches!(check_recipe(&[0.5, 0.6], 2, false), Err(Error::OffSimplex { .. })));
/// ```
pub fn check_recipe(w: &[f64], buckets: usize, monotone: bool) -> Result<(), Error> {
    if w.len() != buckets {
        return Err(Error::LengthMismatch {
            what: "recipe",
            expected: buckets,
            found: w.len(),
        });
    }
    let mut sum = 0.0;
    for (i, &v) in w.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                what: "recipe",
                index: i,
            });
        }
        if v < 0.0 {
            return Err(Error::Negative {
                what: "recipe",
                index: i,
            });
        }
        sum += v;
    }
    if libm::fabs(sum - 1.0) > mixlaw_core::SIMPLEX_TOLERANCE {
        return Err(Error::OffSimplex {
            what: "recipe",
            row: 0,
            sum,
        });
    }
    if monotone {
        if let Some(i) = w.windows(2).position(|p| matches!(p, [a, b] if a < b)) {
            return Err(Error::NotMonotone { bucket: i });
        }
    }
    Ok(())
}

pub(crate) fn check_len(n: usize) -> Result<usize, Error> {
    if n == 0 || n > MAX_BUCKETS {
        Err(Error::BucketCount {
            max: MAX_BUCKETS,
            found: n,
        })
    } else {
        Ok(n)
    }
}

/// Checks that a scalar input is finite and > 0.
pub(crate) fn check_positive(what: &'static str, v: f64) -> Result<(), Error> {
    if !v.is_finite() {
        return Err(Error::NonFinite { what, index: 0 });
    }
    if v <= 0.0 {
        return Err(Error::NotPositive { what, index: 0 });
    }
    Ok(())
}

/// Checks the training-token count.
pub(crate) fn check_tokens(tokens: f64) -> Result<(), Error> {
    check_positive("tokens", tokens)
}
