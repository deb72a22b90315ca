//! Inputs of a law: one point, or a whole data set with its parameter-free cache.

use crate::{Error, MAX_DOMAINS, SIMPLEX_TOLERANCE};

/// Which inputs a law reads besides its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Inputs {
    /// The mixture h.
    pub h: bool,
    /// Model parameters N.
    pub n: bool,
    /// Training tokens D.
    pub d: bool,
    /// Unique tokens U (repetition laws).
    pub u: bool,
}

impl Inputs {
    /// The names of the inputs used, in the order h, N, D, U.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        [(self.h, "h"), (self.n, "N"), (self.d, "D"), (self.u, "U")]
            .into_iter()
            .filter_map(|(used, name)| used.then_some(name))
    }
}

/// Fixed divisors applied to N, D (and U) before a law sees them, for conditioning.
/// They are part of a fitted result: predictions must use the same scales.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scales {
    /// N is divided by this.
    pub n: f64,
    /// D and U are divided by this.
    pub d: f64,
}

impl Default for Scales {
    fn default() -> Self {
        Scales { n: 1.0, d: 1.0 }
    }
}

impl Scales {
    /// Checks both scales are finite and positive.
    pub fn check(&self) -> Result<(), Error> {
        for (i, s) in [self.n, self.d].into_iter().enumerate() {
            if !s.is_finite() {
                return Err(Error::NonFinite {
                    what: "scale",
                    index: i,
                });
            }
            if s <= 0.0 {
                return Err(Error::NotPositive {
                    what: "scale",
                    index: i,
                });
            }
        }
        Ok(())
    }
}

/// One row as a law sees it: scaled inputs and their logarithms (`ln 0 = -inf`).
///
/// Built by [`Point`] or [`Prepared::row`], which validate the inputs; a law's
/// formulas trust them.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    /// The mixture.
    pub h: &'a [f64],
    /// `ln h_i` (`-inf` where `h_i = 0`).
    pub ln_h: &'a [f64],
    /// Scaled model size N / n_scale (1 when absent).
    pub n: f64,
    /// `ln` of the scaled N.
    pub ln_n: f64,
    /// Scaled training tokens D / d_scale (1 when absent).
    pub d: f64,
    /// `ln` of the scaled D.
    pub ln_d: f64,
    /// Scaled unique tokens U / d_scale (1 when absent).
    pub u: f64,
    /// Which of the law's outputs is asked for (see [`crate::Law::outputs`]; 0 for laws
    /// with one output).
    pub output: usize,
}

/// A single evaluation point in raw units, with `ln h` computed on the stack.
///
/// Its capacity `K` (the largest mixture it can hold) is chosen by the caller, heapless
/// style: `Point::new` gives the host default [`MAX_DOMAINS`] (2 KiB); a device computing
/// a k = 3 law at a fixed point uses `Point::<3>::with_capacity(..)` (a few dozen bytes
/// of stack).
#[derive(Clone, Copy, Debug)]
pub struct Point<const K: usize = MAX_DOMAINS> {
    k: usize,
    h: [f64; K],
    ln_h: [f64; K],
    n: f64,
    d: f64,
    u: f64,
}

impl Point {
    /// A point with mixture `h` (must lie on the simplex within [`SIMPLEX_TOLERANCE`];
    /// empty for laws of N and D only), model size `n`, tokens `d`, all in raw units.
    /// Pass 1.0 for inputs the law ignores.
    pub fn new(h: &[f64], n: f64, d: f64) -> Result<Self, Error> {
        Self::with_unique(h, n, d, 1.0)
    }

    /// As [`Point::new`], with unique tokens `u` for repetition laws.
    pub fn with_unique(h: &[f64], n: f64, d: f64, u: f64) -> Result<Self, Error> {
        Self::with_capacity(h, n, d, u)
    }
}

impl<const K: usize> Point<K> {
    /// A point of capacity `K` (at least `h.len()` domains): mixture `h`, model size `n`,
    /// tokens `d`, unique tokens `u` (1.0 for inputs the law ignores), in raw units.
    pub fn with_capacity(h: &[f64], n: f64, d: f64, u: f64) -> Result<Self, Error> {
        let k = h.len();
        if k > K {
            return Err(Error::TooManyDomains { max: K, found: k });
        }
        if k > 0 {
            check_mixture(h, 0)?;
        }
        for (i, v) in [n, d, u].into_iter().enumerate() {
            check_positive(["N", "D", "U"].get(i).copied().unwrap_or("input"), v, 0)?;
        }
        let mut p = Point {
            k,
            h: [0.0; K],
            ln_h: [0.0; K],
            n,
            d,
            u,
        };
        for ((dst, ln), &src) in p.h.iter_mut().zip(p.ln_h.iter_mut()).zip(h) {
            *dst = src;
            *ln = libm::log(src);
        }
        Ok(p)
    }

    /// Number of domains.
    pub fn domains(&self) -> usize {
        self.k
    }

    /// The mixture.
    pub fn h(&self) -> &[f64] {
        self.h.get(..self.k).unwrap_or(&[])
    }

    /// The row a law sees under the given scales.
    pub fn row(&self, scales: Scales) -> Row<'_> {
        let (n, d, u) = (self.n / scales.n, self.d / scales.d, self.u / scales.d);
        Row {
            h: self.h.get(..self.k).unwrap_or(&[]),
            ln_h: self.ln_h.get(..self.k).unwrap_or(&[]),
            n,
            ln_n: libm::log(n),
            d,
            ln_d: libm::log(d),
            u,
            output: 0,
        }
    }
}

/// Checks a mixture row: finite, non-negative, summing to 1 within [`SIMPLEX_TOLERANCE`].
pub fn check_mixture(h: &[f64], row: usize) -> Result<(), Error> {
    check_mixture_within(h, row, SIMPLEX_TOLERANCE)
}

/// Checks a mixture row: finite, non-negative, summing to 1 within `tolerance`.
pub fn check_mixture_within(h: &[f64], row: usize, tolerance: f64) -> Result<(), Error> {
    let sum = non_negative_sum("h", h, |_| row)?;
    let within = (sum - 1.0).abs() <= tolerance;
    if !within || sum <= 0.0 {
        return Err(Error::OffSimplex {
            what: "mixture",
            row,
            sum,
        });
    }
    Ok(())
}

/// The sum of `values`, which must all be finite and >= 0 (else an error naming `what` and
/// `index(i)` for the first bad element i).
pub(crate) fn non_negative_sum(
    what: &'static str,
    values: &[f64],
    index: impl Fn(usize) -> usize,
) -> Result<f64, Error> {
    let mut sum = 0.0;
    for (i, &v) in values.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                what,
                index: index(i),
            });
        }
        if v < 0.0 {
            return Err(Error::Negative {
                what,
                index: index(i),
            });
        }
        sum += v;
    }
    Ok(sum)
}

fn check_positive(what: &'static str, v: f64, index: usize) -> Result<(), Error> {
    if !v.is_finite() {
        Err(Error::NonFinite { what, index })
    } else if v <= 0.0 {
        Err(Error::NotPositive { what, index })
    } else {
        Ok(())
    }
}

/// The shape of a data set: domains, observed losses per run, and how far a mixture's
/// sum may stray from 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    /// Number of domains k (0 for laws of N and D only).
    pub domains: usize,
    /// Observed losses per run (the law's [`crate::Law::outputs`]; 1 for most laws).
    pub outputs: usize,
    /// Largest accepted `|sum_i h_i - 1|` (default [`SIMPLEX_TOLERANCE`]). Mixtures are
    /// used as given; a wider tolerance accepts published weights rounded to a few
    /// decimals.
    pub sum_tolerance: f64,
}

impl Layout {
    /// k domains, one loss per run, the default sum tolerance.
    pub const fn new(domains: usize) -> Self {
        Layout {
            domains,
            outputs: 1,
            sum_tolerance: SIMPLEX_TOLERANCE,
        }
    }
    /// With `outputs` observed losses per run.
    pub const fn outputs(mut self, outputs: usize) -> Self {
        self.outputs = outputs;
        self
    }
    /// With another sum tolerance.
    pub const fn sum_tolerance(mut self, tolerance: f64) -> Self {
        self.sum_tolerance = tolerance;
        self
    }
}

/// A data set of training runs held in borrowed slices (nothing is copied).
///
/// `h` is row-major, `rows * k` long; the observed losses `y` are row-major,
/// `rows * outputs` long. Every input is validated once, here (losses where they are
/// used: an entry whose weight is 0 may hold NaN, a missing observation).
#[derive(Clone, Copy, Debug)]
pub struct Dataset<'a> {
    k: usize,
    outputs: usize,
    h: &'a [f64],
    y: &'a [f64],
    n: Option<&'a [f64]>,
    d: Option<&'a [f64]>,
    u: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
    entry_weights: Option<&'a [f64]>,
}

impl<'a> Dataset<'a> {
    /// Mixtures (`rows * k`, row-major) and observed losses (`rows`), one per run.
    /// With `k = 0`, `h` must be empty (laws of N and D only).
    pub fn new(k: usize, h: &'a [f64], y: &'a [f64]) -> Result<Self, Error> {
        Self::with_layout(Layout::new(k), h, y)
    }

    /// Mixtures (`rows * k`) and observed losses (`rows * outputs`), both row-major.
    pub fn with_layout(layout: Layout, h: &'a [f64], y: &'a [f64]) -> Result<Self, Error> {
        let (k, m) = (layout.domains, layout.outputs);
        let tolerance_ok = layout.sum_tolerance >= 0.0;
        if m == 0 || !tolerance_ok {
            return Err(Error::InvalidConfig {
                what: "a layout needs at least one output and a sum tolerance >= 0",
            });
        }
        let rows = y.len() / m;
        if rows == 0 {
            return Err(Error::Empty);
        }
        if y.len() != rows * m {
            return Err(Error::LengthMismatch {
                what: "losses",
                expected: rows * m,
                found: y.len(),
            });
        }
        if h.len() != rows * k {
            return Err(Error::LengthMismatch {
                what: "h",
                expected: rows * k,
                found: h.len(),
            });
        }
        if k > 0 {
            for (r, row) in h.chunks_exact(k).enumerate() {
                check_mixture_within(row, r, layout.sum_tolerance)?;
            }
        }
        if m == 1 {
            check_finite_losses(y, None, 1)?;
        }
        Ok(Dataset {
            k,
            outputs: m,
            h,
            y,
            n: None,
            d: None,
            u: None,
            weights: None,
            entry_weights: None,
        })
    }

    fn column(&self, what: &'static str, v: &'a [f64]) -> Result<&'a [f64], Error> {
        if v.len() != self.rows() {
            return Err(Error::LengthMismatch {
                what,
                expected: self.rows(),
                found: v.len(),
            });
        }
        for (r, &x) in v.iter().enumerate() {
            check_positive(what, x, r)?;
        }
        Ok(v)
    }

    /// Adds model sizes N (raw, > 0).
    pub fn with_n(mut self, n: &'a [f64]) -> Result<Self, Error> {
        self.n = Some(self.column("N", n)?);
        Ok(self)
    }
    /// Adds training tokens D (raw, > 0).
    pub fn with_d(mut self, d: &'a [f64]) -> Result<Self, Error> {
        self.d = Some(self.column("D", d)?);
        Ok(self)
    }
    /// Adds unique tokens U (raw, > 0).
    pub fn with_unique(mut self, u: &'a [f64]) -> Result<Self, Error> {
        self.u = Some(self.column("U", u)?);
        Ok(self)
    }
    /// Adds per-run weights (>= 0; a weight of 0 masks the run out; integer weights are
    /// bootstrap counts).
    pub fn with_weights(mut self, w: &'a [f64]) -> Result<Self, Error> {
        param_len("weights", w, self.rows())?;
        if non_negative_sum("weights", w, |r| r)? <= 0.0 {
            return Err(Error::Empty);
        }
        self.weights = Some(w);
        Ok(self)
    }
    /// Adds per-entry weights (`rows * outputs`, >= 0): 0 masks one observed loss of a
    /// run (a missing or excluded observation); the run weight multiplies them.
    pub fn with_entry_weights(mut self, w: &'a [f64]) -> Result<Self, Error> {
        param_len("entry weights", w, self.y.len())?;
        let m = self.outputs;
        if non_negative_sum("entry weights", w, |i| i / m)? <= 0.0 {
            return Err(Error::Empty);
        }
        self.entry_weights = Some(w);
        Ok(self)
    }

    /// Number of runs (rows).
    pub fn rows(&self) -> usize {
        self.y.len() / self.outputs
    }
    /// Number of domains.
    pub fn domains(&self) -> usize {
        self.k
    }
    /// Observed losses per run.
    pub fn outputs(&self) -> usize {
        self.outputs
    }
    /// Observed losses, `rows * outputs`, row-major.
    pub fn targets(&self) -> &'a [f64] {
        self.y
    }
    /// Per-run weights, if any.
    pub fn weights(&self) -> Option<&'a [f64]> {
        self.weights
    }
    /// Per-entry weights, if any.
    pub fn entry_weights(&self) -> Option<&'a [f64]> {
        self.entry_weights
    }
    /// The weight of entry `j` of run `r`: run weight times entry weight (1 when absent).
    pub fn weight(&self, r: usize, j: usize) -> f64 {
        let run = self
            .weights
            .map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
        let entry = self
            .entry_weights
            .map_or(1.0, |w| w.get(r * self.outputs + j).copied().unwrap_or(0.0));
        run * entry
    }
    /// The mixture of row `r`.
    pub fn mixture(&self, r: usize) -> Option<&'a [f64]> {
        self.h.get(r * self.k..(r + 1) * self.k)
    }
    /// Which inputs are present.
    pub fn inputs(&self) -> Inputs {
        Inputs {
            h: self.k > 0,
            n: self.n.is_some(),
            d: self.d.is_some(),
            u: self.u.is_some(),
        }
    }
    /// The column of N, D or U, if present.
    pub fn column_of(&self, input: Input) -> Option<&'a [f64]> {
        match input {
            Input::N => self.n,
            Input::D => self.d,
            Input::U => self.u,
        }
    }
}

/// One of the scalar inputs of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Model parameters N.
    N,
    /// Training tokens D.
    D,
    /// Unique tokens U.
    U,
}

fn param_len(what: &'static str, v: &[f64], expected: usize) -> Result<(), Error> {
    if v.len() != expected {
        return Err(Error::LengthMismatch {
            what,
            expected,
            found: v.len(),
        });
    }
    Ok(())
}

/// Every loss with a positive weight (all, without weights) must be finite.
pub(crate) fn check_finite_losses(
    y: &[f64],
    weight: Option<&dyn Fn(usize) -> f64>,
    outputs: usize,
) -> Result<(), Error> {
    for (i, &v) in y.iter().enumerate() {
        let used = weight.is_none_or(|w| w(i) > 0.0);
        if used && !v.is_finite() {
            return Err(Error::NonFinite {
                what: "loss",
                index: i / outputs.max(1),
            });
        }
    }
    Ok(())
}

/// Power-of-ten scales for N and D: the power of ten nearest each column's median (1 when
/// a column is absent or when the law is in raw units). Scaled inputs near 1 keep a fit
/// well conditioned; this is the library's default for a fit. `scratch` needs
/// `data.rows()` elements.
pub fn auto_scales(
    data: &Dataset<'_>,
    raw_units: bool,
    scratch: &mut [f64],
) -> Result<Scales, Error> {
    param_len(
        "scratch",
        scratch.get(..data.rows()).unwrap_or(&[]),
        data.rows(),
    )?;
    let mut auto = |col: Option<&[f64]>| -> f64 {
        match col {
            Some(c) if !raw_units => power_of_ten_median(c, scratch),
            _ => 1.0,
        }
    };
    Ok(Scales {
        n: auto(data.n),
        d: auto(data.d),
    })
}

/// The power of ten nearest the (upper) median of the positive finite values (1 when
/// none), selected in `scratch`.
fn power_of_ten_median(values: &[f64], scratch: &mut [f64]) -> f64 {
    let mut count = 0;
    for (dst, &v) in scratch
        .iter_mut()
        .zip(values.iter().filter(|x| x.is_finite() && **x > 0.0))
    {
        *dst = v;
        count += 1;
    }
    let Some(found) = scratch.get_mut(..count) else {
        return 1.0;
    };
    if count == 0 {
        return 1.0;
    }
    let (_, median, _) = found.select_nth_unstable_by(count / 2, f64::total_cmp);
    libm::pow(10.0, libm::round(libm::log10(*median)))
}

/// A data set with its parameter-free cache (`ln h`, scaled N, `ln N`, scaled D, `ln D`,
/// scaled U), all in one caller-provided buffer: evaluation allocates nothing.
#[derive(Debug)]
pub struct Prepared<'a> {
    data: Dataset<'a>,
    scales: Scales,
    ln_h: &'a [f64],
    n: &'a [f64],
    ln_n: &'a [f64],
    d: &'a [f64],
    ln_d: &'a [f64],
    u: &'a [f64],
}

impl<'a> Prepared<'a> {
    /// Buffer length [`Prepared::new`] needs for `rows` rows of `k` domains.
    pub const fn buffer_len(rows: usize, k: usize) -> usize {
        rows * (k + 5)
    }

    /// Computes the cache into `buf` (at least [`Prepared::buffer_len`] long).
    pub fn new(data: Dataset<'a>, scales: Scales, buf: &'a mut [f64]) -> Result<Self, Error> {
        scales.check()?;
        let rows = data.rows();
        let k = data.k;
        let needed = Self::buffer_len(rows, k);
        if buf.len() < needed {
            return Err(Error::BufferTooSmall {
                needed,
                found: buf.len(),
            });
        }
        let (ln_h, rest) = buf.split_at_mut(rows * k);
        for (dst, &src) in ln_h.iter_mut().zip(data.h) {
            // ln 0 = -inf without the call: sparse mixtures over hundreds of domains are
            // mostly zeros (same value as `libm::log(0.0)`, either sign of zero).
            *dst = if src == 0.0 {
                f64::NEG_INFINITY
            } else {
                libm::log(src)
            };
        }
        let (n, rest) = rest.split_at_mut(rows);
        let (ln_n, rest) = rest.split_at_mut(rows);
        fill_scaled(data.n, scales.n, n, ln_n);
        let (d, rest) = rest.split_at_mut(rows);
        let (ln_d, rest) = rest.split_at_mut(rows);
        fill_scaled(data.d, scales.d, d, ln_d);
        let (u, _) = rest.split_at_mut(rows);
        fill_scaled(data.u, scales.d, u, &mut []);
        Ok(Prepared {
            data,
            scales,
            ln_h,
            n,
            ln_n,
            d,
            ln_d,
            u,
        })
    }

    /// The underlying data set.
    pub fn data(&self) -> &Dataset<'a> {
        &self.data
    }
    /// The scales in use.
    pub fn scales(&self) -> Scales {
        self.scales
    }
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.data.rows()
    }
    /// Row `r` as a law sees it.
    pub fn row(&self, r: usize) -> Option<Row<'_>> {
        let k = self.data.k;
        Some(Row {
            h: self.data.h.get(r * k..(r + 1) * k)?,
            ln_h: self.ln_h.get(r * k..(r + 1) * k)?,
            n: *self.n.get(r)?,
            ln_n: *self.ln_n.get(r)?,
            d: *self.d.get(r)?,
            ln_d: *self.ln_d.get(r)?,
            u: *self.u.get(r)?,
            output: 0,
        })
    }
    /// Every row, in order.
    pub fn iter_rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        (0..self.rows()).filter_map(move |r| self.row(r))
    }
}

/// Writes `x / scale` and its log (where a log buffer is given); 1 and 0 when absent.
fn fill_scaled(src: Option<&[f64]>, scale: f64, out: &mut [f64], ln_out: &mut [f64]) {
    match src {
        Some(src) => {
            for (o, &s) in out.iter_mut().zip(src) {
                *o = s / scale;
            }
            for (l, &o) in ln_out.iter_mut().zip(out.iter()) {
                *l = libm::log(o);
            }
        }
        None => {
            out.iter_mut().for_each(|o| *o = 1.0);
            ln_out.iter_mut().for_each(|l| *l = 0.0);
        }
    }
}
