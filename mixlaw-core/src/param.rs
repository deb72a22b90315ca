//! Parameter layouts: names, positivity, and random-start ranges, declared once per law.
//!
//! A law lists its parameters as a static slice of [`Block`]s, in the order of
//! `laws.md`. A block is one scalar (`E`) or one value per domain (`C[0]`, ..., `C[k-1]`).
//! Positive blocks are fitted in log space: the *unconstrained* coordinate is `ln p`.
//! Everything else here (counts, names, transforms, chain rule) derives from that one table.

use core::fmt;

use crate::real::Real;
use crate::Error;

/// One named group of parameters of a law.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Block {
    /// Public name, as in `laws.md` (`"E"`, `"C"`, `"gammaA"`).
    pub name: &'static str,
    /// One value per domain (`C[i]`) rather than a scalar.
    pub per_domain: bool,
    /// Must stay > 0; fitted through its logarithm.
    pub positive: bool,
    /// Random-start range in the unconstrained coordinate (`ln p` for positive blocks).
    pub start: (f64, f64),
    /// The law is affine in every parameter of this block when the others are held fixed
    /// (`E`, `A` in `A N^-alpha`, `C_i`, ...): such parameters can be solved for exactly
    /// given the nonlinear ones (variable projection). Declared with [`Block::linear`];
    /// property-tested for every law (second differences vanish).
    pub linear: bool,
}

impl Block {
    /// A scalar parameter with no sign constraint.
    pub const fn free(name: &'static str, lo: f64, hi: f64) -> Self {
        Block {
            name,
            per_domain: false,
            positive: false,
            start: (lo, hi),
            linear: false,
        }
    }
    /// A positive scalar parameter, started with `ln p` uniform in `[lo, hi]`.
    pub const fn positive(name: &'static str, lo: f64, hi: f64) -> Self {
        Block {
            name,
            per_domain: false,
            positive: true,
            start: (lo, hi),
            linear: false,
        }
    }
    /// One free parameter per domain.
    pub const fn free_each(name: &'static str, lo: f64, hi: f64) -> Self {
        Block {
            name,
            per_domain: true,
            positive: false,
            start: (lo, hi),
            linear: false,
        }
    }
    /// One positive parameter per domain, started with `ln p` uniform in `[lo, hi]`.
    pub const fn positive_each(name: &'static str, lo: f64, hi: f64) -> Self {
        Block {
            name,
            per_domain: true,
            positive: true,
            start: (lo, hi),
            linear: false,
        }
    }
    /// The same block, declared linear (see [`Block::linear`](Block#structfield.linear)).
    pub const fn linear(mut self) -> Self {
        self.linear = true;
        self
    }
    /// Number of parameters this block contributes for k domains.
    pub const fn len(&self, k: usize) -> usize {
        if self.per_domain {
            k
        } else {
            1
        }
    }
    /// True for a per-domain block at k = 0.
    pub const fn is_empty(&self, k: usize) -> bool {
        self.len(k) == 0
    }
}

/// The public name of one parameter: `E`, or `C[3]`. Formats without allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamName {
    /// The block name.
    pub base: &'static str,
    /// The domain index for per-domain blocks.
    pub index: Option<usize>,
}

impl fmt::Display for ParamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "{}[{}]", self.base, i),
            None => f.write_str(self.base),
        }
    }
}

impl ParamName {
    /// True when this name formats to `s` (e.g. `"C[2]"`).
    pub fn matches(&self, s: &str) -> bool {
        match self.index {
            None => s == self.base,
            Some(i) => {
                s.strip_prefix(self.base)
                    .and_then(|r| r.strip_prefix('['))
                    .and_then(|r| r.strip_suffix(']'))
                    .and_then(|r| r.parse::<usize>().ok())
                    == Some(i)
            }
        }
    }

    /// True when this name matches `pattern`: a name (`"E"`, `"C[2]"`), or a block with
    /// every index (`"C[*]"`).
    pub fn matches_pattern(&self, pattern: &str) -> bool {
        match (pattern.strip_suffix("[*]"), self.index) {
            (Some(base), Some(_)) => base == self.base,
            (Some(_), None) => false,
            (None, _) => self.matches(pattern),
        }
    }
}

/// Everything known about one parameter slot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamInfo {
    /// Its public name.
    pub name: ParamName,
    /// Fitted through its logarithm.
    pub positive: bool,
    /// Random-start range in the unconstrained coordinate.
    pub start: (f64, f64),
    /// The law is affine in this parameter (see [`Block::linear`](Block#structfield.linear)).
    pub linear: bool,
}

/// Total number of parameters of a layout for k domains.
pub fn count(blocks: &[Block], k: usize) -> usize {
    blocks.iter().map(|b| b.len(k)).sum()
}

/// The `i`-th parameter of a layout for k domains, if there is one.
pub fn info(blocks: &[Block], k: usize, i: usize) -> Option<ParamInfo> {
    let mut offset = 0;
    for b in blocks {
        let len = b.len(k);
        if i < offset + len {
            let index = if b.per_domain { Some(i - offset) } else { None };
            return Some(ParamInfo {
                name: ParamName {
                    base: b.name,
                    index,
                },
                positive: b.positive,
                start: b.start,
                linear: b.linear,
            });
        }
        offset += len;
    }
    None
}

/// Calls `f(slot, positive)` for every parameter slot of the layout, in order.
pub(crate) fn for_each_slot(blocks: &[Block], k: usize, mut f: impl FnMut(usize, &Block)) {
    let mut slot = 0;
    for b in blocks {
        for _ in 0..b.len(k) {
            f(slot, b);
            slot += 1;
        }
    }
}

/// Maps unconstrained coordinates to natural parameter values (`exp` on positive slots).
/// Fails where `exp` under- or overflows (the point is outside the law's domain).
pub fn to_natural(blocks: &[Block], k: usize, theta: &[f64], out: &mut [f64]) -> Result<(), Error> {
    let n = count(blocks, k);
    check_len("theta", theta, n)?;
    check_len("params", out, n)?;
    let mut result = Ok(());
    let mut slots = theta.iter().zip(out.iter_mut()).enumerate();
    for_each_slot(blocks, k, |_, b| {
        if let Some((i, (t, p))) = slots.next() {
            if !t.is_finite() && result.is_ok() {
                result = Err(Error::NonFinite {
                    what: "theta",
                    index: i,
                });
            }
            *p = if b.positive { libm::exp(*t) } else { *t };
            // exp under- or overflowed: the point is outside the law's domain.
            if b.positive && !(*p > 0.0 && p.is_finite()) && result.is_ok() {
                result = Err(Error::NotPositive {
                    what: "params",
                    index: i,
                });
            }
        }
    });
    result
}

/// Maps natural parameter values to unconstrained coordinates (`ln` on positive slots).
pub fn to_unconstrained(
    blocks: &[Block],
    k: usize,
    params: &[f64],
    out: &mut [f64],
) -> Result<(), Error> {
    check_params(blocks, k, params)?;
    check_len("theta", out, params.len())?;
    let mut slots = params.iter().zip(out.iter_mut());
    for_each_slot(blocks, k, |_, b| {
        if let Some((p, t)) = slots.next() {
            *t = if b.positive { libm::log(*p) } else { *p };
        }
    });
    Ok(())
}

/// Checks length, finiteness and positivity of natural parameter values.
pub fn check_params(blocks: &[Block], k: usize, params: &[f64]) -> Result<(), Error> {
    let n = count(blocks, k);
    if params.len() != n {
        return Err(Error::WrongParamCount {
            expected: n,
            found: params.len(),
        });
    }
    let mut result = Ok(());
    let mut values = params.iter();
    for_each_slot(blocks, k, |i, b| {
        if let Some(&p) = values.next() {
            if result.is_err() {
                return;
            }
            if !p.is_finite() {
                result = Err(Error::NonFinite {
                    what: "params",
                    index: i,
                });
            } else if b.positive && p <= 0.0 {
                result = Err(Error::NotPositive {
                    what: "params",
                    index: i,
                });
            }
        }
    });
    result
}

/// Chain rule from natural to unconstrained coordinates: multiplies the gradient of
/// positive slots by the parameter value (d/d ln p = p d/dp).
pub fn chain_to_unconstrained(blocks: &[Block], k: usize, params: &[f64], grad: &mut [f64]) {
    let mut slots = params.iter().zip(grad.iter_mut());
    for_each_slot(blocks, k, |_, b| {
        if let Some((p, g)) = slots.next() {
            if b.positive {
                *g *= *p;
            }
        }
    });
}

pub(crate) fn check_len_of(what: &'static str, found: usize, expected: usize) -> Result<(), Error> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what,
            expected,
            found,
        })
    }
}

pub(crate) fn check_len(what: &'static str, s: &[f64], expected: usize) -> Result<(), Error> {
    if s.len() == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what,
            expected,
            found: s.len(),
        })
    }
}

/// Reads a law's parameters block by block, in layout order, without indexing.
///
/// Lengths are checked before a law is evaluated; a short slice reads as NaN / empty,
/// which the callers' finiteness checks turn into an error rather than a panic.
#[derive(Debug)]
pub struct Reader<'a, T = f64> {
    rest: &'a [T],
}

impl<'a, T: Real> Reader<'a, T> {
    /// Starts reading at the first parameter.
    pub fn new(params: &'a [T]) -> Self {
        Reader { rest: params }
    }
    /// The next scalar parameter.
    pub fn scalar(&mut self) -> T {
        match self.rest.split_first() {
            Some((x, rest)) => {
                self.rest = rest;
                *x
            }
            None => T::NAN,
        }
    }
    /// The next `k` parameters (one per domain).
    pub fn each(&mut self, k: usize) -> &'a [T] {
        if k <= self.rest.len() {
            let (head, rest) = self.rest.split_at(k);
            self.rest = rest;
            head
        } else {
            &[]
        }
    }
}

/// Writes a law's gradient block by block, in layout order, without indexing.
#[derive(Debug)]
pub struct Writer<'a> {
    rest: &'a mut [f64],
}

impl<'a> Writer<'a> {
    /// Starts writing at the first slot.
    pub fn new(grad: &'a mut [f64]) -> Self {
        Writer { rest: grad }
    }
    /// Writes the next scalar slot.
    pub fn scalar(&mut self, value: f64) {
        let rest = core::mem::take(&mut self.rest);
        if let Some((x, rest)) = rest.split_first_mut() {
            *x = value;
            self.rest = rest;
        }
    }
    /// The next `k` slots (one per domain), to be filled by the caller.
    pub fn each(&mut self, k: usize) -> &'a mut [f64] {
        let rest = core::mem::take(&mut self.rest);
        if k <= rest.len() {
            let (head, rest) = rest.split_at_mut(k);
            self.rest = rest;
            head
        } else {
            self.rest = rest;
            &mut []
        }
    }
}
