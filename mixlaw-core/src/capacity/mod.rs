//! The capacity-competition laws of Dai & Zheng, "Explaining Data Mixing Scaling Laws"
//! (ICML 2026): `capacity-eq1` (their eq 1) and `capacity-eq3` (eq 3, Theorem 4.1).
//!
//! A model of capacity `N` trained on mixture `h` splits its capacity between the k
//! domains: it keeps a shared head of size `H` and spends the rest where it lowers the
//! mixture's loss most,
//!
//! ```text
//! x*(h, N) = argmin_x sum_i h_i c_i x_i^-b_i   s.t.  sum_i x_i = N + (k-1) H,  x_i >= H
//! L_i(h, N, D) = c_i x_i*^-b_i + A_i (D h_i)^-a_i + E_i        (eq 3; eq 1 drops the A term)
//! ```
//!
//! One inner problem serves all k outputs, so a capacity law is a [`Law`] with k outputs
//! ([`Law::outputs`]): a data set holds k observed losses per run and the generic
//! [`crate::Objective`] fits all of them jointly, one inner solve per run
//! ([`Law::eval_outputs`], warm-started from the previous multiplier kept in the
//! objective's scratch). The inner problem is solved exactly ([`allocate`]); gradients in
//! the parameters and in `h` go through its solution by implicit differentiation of the
//! KKT conditions, in O(k) per run. Nothing is allocated: per-run vectors live on the
//! stack, bounded by [`crate::MAX_DOMAINS`].

mod inner;

pub use inner::{allocate, Allocation};

use crate::data::{Inputs, Row, Scales};
use crate::law::{Law, LawExt, OutputsGrad};
use crate::param::{self, Block, Reader};
use crate::{Error, MAX_DOMAINS};

/// Largest parameter count of a capacity law (eq 3 with a fitted head, k = MAX_DOMAINS).
pub const MAX_PARAMS: usize = 5 * MAX_DOMAINS + 1;

/// Which of the paper's two laws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Eq 1, "extended quantization model": `L_i = c_i x_i*^-b_i + E_i` (3k parameters).
    Eq1,
    /// Eq 3, "extended linear regression model": adds the noise term `A_i (D h_i)^-a_i`
    /// (5k parameters).
    Eq3,
}

/// The head size `H`: the floor of every domain's capacity and, through the budget
/// `N + (k-1) H`, part of the capacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Head {
    /// `H` is the law's last parameter (the authors' 7-domain script).
    Fitted,
    /// `H` is fixed configuration (their 4- and 17-domain scripts: `MIN_X`).
    Fixed(f64),
}

/// Layout of eq 1 with a fitted head: `b[i], c[i], E[i], H`.
const EQ1: &[Block] = &[
    Block::positive_each("b", -2.3, -0.5),
    Block::positive_each("c", 0.0, 2.1),
    Block::free_each("E", 0.1, 2.0).linear(),
    Block::positive("H", -3.0, 3.0),
];
/// Layout of eq 3 with a fitted head: `b[i], c[i], A[i], a[i], E[i], H`.
const EQ3: &[Block] = &[
    Block::positive_each("b", -2.3, -0.5),
    Block::positive_each("c", 0.0, 2.1),
    Block::positive_each("A", 0.0, 2.1).linear(),
    Block::positive_each("a", -2.3, -0.5),
    Block::free_each("E", 0.1, 2.0).linear(),
    Block::positive("H", -3.0, 3.0),
];

/// A capacity law for k domains (`capacity-eq1` or `capacity-eq3`).
///
/// Parameters, in order: `b[i], c[i]` (capacity term), for eq 3 `A[i], a[i]` (noise term),
/// `E[i]`, and `H` unless the head is fixed. All but `E` are positive (fitted in log space).
/// N and D are divided by the fit's [`Scales`]; with a fixed head the budget is
/// `N / n_scale + (k-1) H`, so the authors' fixed budget `M` at a fixed floor is
/// `n_scale = N / (M - (k-1) H)`.
///
/// ```
/// use mixlaw_core::capacity::{CapacityLaw, Head};
/// use mixlaw_core::{prelude::*, Point, Scales};
/// let law = CapacityLaw::eq3(2, Head::Fitted)?;
/// //           b[0] b[1] c[0] c[1] A[0] A[1] a[0] a[1] E[0] E[1] H
/// let params = [0.3, 0.5, 2.0, 3.0, 1.0, 2.0, 0.3, 0.4, 1.5, 2.0, 1.0];
/// let mut losses = [0.0; 2];
/// let point = Point::new(&[0.7, 0.3], 100.0, 10.0)?;
/// law.values(&params, &point, Scales::default(), &mut losses)?;
/// assert!(losses[0] < losses[1]); // domain 0 has more weight, capacity and data
/// # Ok::<(), mixlaw_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CapacityLaw {
    k: usize,
    form: Form,
    head: Head,
}

/// A law's natural parameters, by block.
#[derive(Clone, Copy, Debug)]
struct View<'a> {
    b: &'a [f64],
    c: &'a [f64],
    big_a: &'a [f64],
    a: &'a [f64],
    e: &'a [f64],
    head: f64,
}

/// The names [`CapacityLaw::new`] accepts.
pub const NAMES: &[&str] = &["capacity-eq1", "capacity-eq3"];

impl CapacityLaw {
    /// The law of the given form for `k >= 1` domains.
    pub fn new(form: Form, k: usize, head: Head) -> Result<Self, Error> {
        crate::laws::check_domains(k, 1)?;
        if let Head::Fixed(h) = head {
            if !(h.is_finite() && h > 0.0) {
                return Err(Error::NotPositive {
                    what: "head size H",
                    index: 0,
                });
            }
        }
        Ok(CapacityLaw { k, form, head })
    }
    /// `capacity-eq1` for k domains.
    pub fn eq1(k: usize, head: Head) -> Result<Self, Error> {
        Self::new(Form::Eq1, k, head)
    }
    /// `capacity-eq3` for k domains.
    pub fn eq3(k: usize, head: Head) -> Result<Self, Error> {
        Self::new(Form::Eq3, k, head)
    }
    /// The law called `name` (one of [`NAMES`]).
    pub fn by_name(name: &str, k: usize, head: Head) -> Result<Self, Error> {
        match name {
            "capacity-eq1" => Self::eq1(k, head),
            "capacity-eq3" => Self::eq3(k, head),
            _ => Err(Error::UnknownLaw),
        }
    }

    /// Eq 1 or eq 3.
    pub fn form(&self) -> Form {
        self.form
    }
    /// Whether `H` is fitted or fixed.
    pub fn head(&self) -> Head {
        self.head
    }

    /// The parameter layout (the one of [`Law::blocks`]).
    fn layout(&self) -> &'static [Block] {
        let all = match self.form {
            Form::Eq1 => EQ1,
            Form::Eq3 => EQ3,
        };
        match (self.head, all.split_last()) {
            (Head::Fixed(_), Some((_, without_head))) => without_head,
            _ => all,
        }
    }

    /// The capacity allocation `x*(h, N)` of one run into `x` (scaled units).
    pub fn allocation(
        &self,
        params: &[f64],
        h: &[f64],
        n: f64,
        scales: Scales,
        x: &mut [f64],
    ) -> Result<Allocation, Error> {
        let (n, _) = self.checked_run(params, h, n, 1.0, scales)?;
        param::check_len("x", x, self.k)?;
        Ok(self.solve(&self.view(params), h, n, x, f64::NAN))
    }

    /// `F = sum_j w_j L_j` at one run on validated, scaled inputs, with
    /// `sum_j w_j dL_j/dp` and `sum_j w_j dL_j/dh` added to `grad` and `grad_h`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn weighted_at(
        &self,
        params: &[f64],
        h: &[f64],
        n: f64,
        d: f64,
        w: &[f64],
        grad: Option<&mut [f64]>,
        grad_h: Option<&mut [f64]>,
    ) -> f64 {
        let mut value = 0.0;
        self.run_pass(params, h, n, d, f64::NAN, grad, grad_h, |pred, cot| {
            for ((l, c), &wj) in pred.iter().zip(cot.iter_mut()).zip(w) {
                *c = wj;
                if wj != 0.0 {
                    value += wj * l;
                }
            }
        });
        value
    }

    /// One run on validated, scaled inputs: solves the inner problem once (from `guess`, a
    /// nearby `ln lambda`, or NaN), computes the k losses, lets `cotangent(losses, w)`
    /// choose the weights `w_j`, and accumulates `sum_j w_j dL_j/dp` into `grad` and
    /// `sum_j w_j dL_j/dh` into `grad_h`. Returns the allocation's summary.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_pass(
        &self,
        params: &[f64],
        h: &[f64],
        n: f64,
        d: f64,
        guess: f64,
        grad: Option<&mut [f64]>,
        grad_h: Option<&mut [f64]>,
        cotangent: impl FnOnce(&[f64], &mut [f64]),
    ) -> Allocation {
        let v = self.view(params);
        let k = self.k;
        let (mut x, mut out, mut w) = ([0.0; MAX_DOMAINS], [0.0; MAX_DOMAINS], [0.0; MAX_DOMAINS]);
        let x = x.get_mut(..k).unwrap_or(&mut []);
        let out = out.get_mut(..k).unwrap_or(&mut []);
        let w = w.get_mut(..k).unwrap_or(&mut []);
        let alloc = self.solve(&v, h, n, x, guess);
        let terms = self.terms(&v, h, d, x, out);
        cotangent(out, w);
        if grad.is_some() || grad_h.is_some() {
            self.pullback(&v, h, x, &terms, &alloc, w, grad, grad_h);
        }
        alloc
    }

    fn checked_run(
        &self,
        params: &[f64],
        h: &[f64],
        n: f64,
        d: f64,
        scales: Scales,
    ) -> Result<(f64, f64), Error> {
        self.check_params(params)?;
        scales.check()?;
        check_mixture(h, self.k, 0)?;
        for (what, v) in [("N", n), ("D", d)] {
            if !v.is_finite() {
                return Err(Error::NonFinite { what, index: 0 });
            }
            if v <= 0.0 {
                return Err(Error::NotPositive { what, index: 0 });
            }
        }
        let (n, d) = (n / scales.n, d / scales.d);
        let head = self.view(params).head;
        inner::check_resolvable(n + (self.k as f64 - 1.0) * head, head)?;
        for (what, v) in [("N / n_scale", n), ("D / d_scale", d)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::NotPositive { what, index: 0 });
            }
        }
        Ok((n, d))
    }

    fn view<'a>(&self, params: &'a [f64]) -> View<'a> {
        let k = self.k;
        let mut p = Reader::new(params);
        let (b, c) = (p.each(k), p.each(k));
        let (big_a, a): (&[f64], &[f64]) = match self.form {
            Form::Eq1 => (&[], &[]),
            Form::Eq3 => (p.each(k), p.each(k)),
        };
        let e = p.each(k);
        let head = match self.head {
            Head::Fitted => p.scalar(),
            Head::Fixed(h) => h,
        };
        View {
            b,
            c,
            big_a,
            a,
            e,
            head,
        }
    }

    /// Solves the inner problem at scaled `n`. A budget or floor that cannot be resolved
    /// to the budget's precision (subnormal) gives a NaN allocation, so that every output
    /// is NaN and callers report [`Error::NonFiniteValue`].
    fn solve(&self, v: &View<'_>, h: &[f64], n: f64, x: &mut [f64], guess: f64) -> Allocation {
        let budget = n + (self.k as f64 - 1.0) * v.head;
        let alloc = inner::solve(h, v.b, v.c, budget, v.head, x, guess);
        if inner::check_resolvable(budget, v.head).is_err() {
            x.iter_mut().for_each(|x| *x = f64::NAN);
        }
        alloc
    }

    /// The per-domain pieces of the losses given the allocation `x`, at scaled `d`, and
    /// the losses themselves into `out`.
    fn terms(&self, v: &View<'_>, h: &[f64], d: f64, x: &[f64], out: &mut [f64]) -> Terms {
        let mut t = Terms {
            ln_x: [0.0; MAX_DOMAINS],
            pow: [0.0; MAX_DOMAINS],
            noise: [0.0; MAX_DOMAINS],
            ln_dh: [0.0; MAX_DOMAINS],
        };
        let rows = t
            .ln_x
            .iter_mut()
            .zip(t.pow.iter_mut())
            .zip(t.noise.iter_mut().zip(t.ln_dh.iter_mut()));
        for (j, ((o, ((lx, pw), (nz, ldh))), &xj)) in out.iter_mut().zip(rows).zip(x).enumerate() {
            let (b, c, e) = (at(v.b, j), at(v.c, j), at(v.e, j));
            *lx = libm::log(xj);
            *pw = libm::exp(-b * *lx);
            (*nz, *ldh) = self.noise(v, h, d, j);
            *o = c * *pw + e + *nz;
        }
        t
    }

    /// The noise term `A_j (D h_j)^-a_j` and `ln(D h_j)` (0 and 0 under eq 1; `+inf` at
    /// `h_j = 0`).
    fn noise(&self, v: &View<'_>, h: &[f64], d: f64, j: usize) -> (f64, f64) {
        match self.form {
            Form::Eq1 => (0.0, 0.0),
            Form::Eq3 => {
                let ln_dh = libm::log(d * at(h, j));
                (at(v.big_a, j) * libm::exp(-at(v.a, j) * ln_dh), ln_dh)
            }
        }
    }

    /// Adds `sum_j w_j dL_j/dp` to `grad` and `sum_j w_j dL_j/dh` to `grad_h`.
    ///
    /// Implicit differentiation of the KKT system: for free domains `S`,
    /// `dx_i = q_i (dpsi_i - d ln lambda)` with `q_i = x_i / (b_i + 1)` and
    /// `dpsi_i = dh_i/h_i + dc_i/c_i + (1/b_i - ln x_i) db_i`, while the budget gives
    /// `sum_S dx_i = dN + (|S| - 1) dH`. With `v_i = w_i dL_i/dx_i` and
    /// `v_bar = sum_S v_i q_i / sum_S q_i`, the adjoint is
    /// `sum_i v_i dx_i = sum_S q_i (v_i - v_bar) dpsi_i + v_bar (|S| - 1) dH + sum_{not S} v_i dH`.
    #[allow(clippy::too_many_arguments)]
    fn pullback(
        &self,
        v: &View<'_>,
        h: &[f64],
        x: &[f64],
        terms: &Terms,
        alloc: &Allocation,
        w: &[f64],
        grad: Option<&mut [f64]>,
        grad_h: Option<&mut [f64]>,
    ) {
        let k = self.k;
        let floor = v.head;
        let (ln_x, pow) = (&terms.ln_x, &terms.pow);
        // Per domain: v_i = w_i dL_i/dx_i = -w_i b_i c_i x_i^(-b_i-1), and
        // q_i = x_i / (b_i + 1) on free domains (0 at the floor).
        let (mut slopes, mut qs) = ([0.0; MAX_DOMAINS], [0.0; MAX_DOMAINS]);
        let (mut weighted_q, mut at_floor) = (0.0, 0.0);
        for i in 0..k.min(MAX_DOMAINS) {
            let (b, c, xi) = (at(v.b, i), at(v.c, i), at(x, i));
            let slope = -at(w, i) * b * c * at(pow, i) / xi;
            let q = if xi > floor { xi / (b + 1.0) } else { 0.0 };
            if let (Some(s_), Some(q_)) = (slopes.get_mut(i), qs.get_mut(i)) {
                (*s_, *q_) = (slope, q);
            }
            weighted_q += slope * q;
            if xi <= floor {
                at_floor += slope;
            }
        }
        let v_bar = if alloc.free > 0 && alloc.q_sum > 0.0 {
            weighted_q / alloc.q_sum
        } else {
            0.0
        };
        let omega = |i: usize| at(&qs, i) * (at(&slopes, i) - v_bar);
        if let Some(g) = grad {
            let mut slots = g.iter_mut();
            for i in 0..k {
                if let Some(gb) = slots.next() {
                    let (b, c, lx) = (at(v.b, i), at(v.c, i), at(ln_x, i));
                    let direct = -at(w, i) * c * at(pow, i) * lx;
                    *gb += direct + omega(i) * (1.0 / b - lx);
                }
            }
            for i in 0..k {
                if let Some(gc) = slots.next() {
                    *gc += at(w, i) * at(pow, i) + omega(i) / at(v.c, i);
                }
            }
            if self.form == Form::Eq3 {
                let mut ga = [0.0; MAX_DOMAINS];
                for i in 0..k {
                    let wi = at(w, i);
                    let (term, ln_dh) = if wi != 0.0 {
                        (at(&terms.noise, i), at(&terms.ln_dh, i))
                    } else {
                        (0.0, 0.0)
                    };
                    if let Some(g_big_a) = slots.next() {
                        *g_big_a += if wi != 0.0 {
                            wi * term / at(v.big_a, i)
                        } else {
                            0.0
                        };
                    }
                    if let Some(s) = ga.get_mut(i) {
                        *s = -wi * term * ln_dh;
                    }
                }
                for s in ga.iter().take(k) {
                    if let Some(g_a) = slots.next() {
                        *g_a += s;
                    }
                }
            }
            for i in 0..k {
                if let Some(ge) = slots.next() {
                    *ge += at(w, i);
                }
            }
            if let (Head::Fitted, Some(gh)) = (self.head, slots.next()) {
                // Saturated (no free domain): every x_i = H and at_floor sums all slopes.
                *gh += at_floor + v_bar * (alloc.free as f64 - 1.0).max(0.0);
            }
        }
        if let Some(gh) = grad_h {
            for (i, g) in gh.iter_mut().enumerate().take(k) {
                let capacity = if at(&qs, i) > 0.0 {
                    omega(i) / at(h, i)
                } else {
                    0.0
                };
                let wi = at(w, i);
                let noise = if self.form == Form::Eq3 && wi != 0.0 {
                    -wi * at(v.a, i) * at(&terms.noise, i) / at(h, i)
                } else {
                    0.0
                };
                *g += capacity + noise;
            }
        }
    }
}

impl Law for CapacityLaw {
    fn name(&self) -> &'static str {
        match self.form {
            Form::Eq1 => "capacity-eq1",
            Form::Eq3 => "capacity-eq3",
        }
    }

    /// Number of domains k (both of the mixture and of the outputs).
    fn domains(&self) -> usize {
        self.k
    }

    fn blocks(&self) -> &'static [Block] {
        self.layout()
    }

    /// h and N; D for eq 3's noise term.
    fn inputs(&self) -> Inputs {
        Inputs {
            h: true,
            n: true,
            d: self.form == Form::Eq3,
            u: false,
        }
    }

    /// One loss per domain.
    fn outputs(&self) -> usize {
        self.k
    }

    /// The authors' masks: entry j of a run is fitted when its loss is observed (finite),
    /// `h_j >= mask_below` and, under eq 3, `h_j > 0` (the noise term diverges at `h_j = 0`);
    /// see [`mask_below`].
    fn entry_weights(
        &self,
        h: &[f64],
        y: &[f64],
        mask_below: f64,
        w: &mut [f64],
    ) -> Result<(), Error> {
        param::check_len("entry weights", w, y.len())?;
        param::check_len("mixtures", h, y.len())?;
        let zero_defined = self.form == Form::Eq1;
        for ((wi, &hi), yi) in w.iter_mut().zip(h).zip(y) {
            *wi = if yi.is_finite() && kept(hi, mask_below, zero_defined) {
                1.0
            } else {
                0.0
            };
        }
        Ok(())
    }

    /// The authors' boxes (their scripts fit inside them; without them the joint
    /// least-squares problem has degenerate valleys, exponents to 0 or infinity and `E` far
    /// below zero, that fit the runs and extrapolate absurdly): exponents `b_i, a_i` in
    /// `[0.01, 1]`, `c_i` in `[1e-12, 1e3]`, `A_i` in `[1e-12, 1e4]`, the irreducible loss
    /// `E_i` in `[1e-12, min_r y_ri]` (the smallest fitted loss of domain i; `[-1e3, inf)`
    /// when it has none > 0), `H` in `[0, inf)`.
    fn recommended_bounds(
        &self,
        y: &[f64],
        w: &[f64],
        bounds: &mut [(f64, f64)],
    ) -> Result<bool, Error> {
        param::check_len_of("bounds", bounds.len(), self.num_params())?;
        param::check_len("entry weights", w, y.len())?;
        let k = self.k.max(1);
        let min_loss = |j: usize| {
            y.iter()
                .zip(w)
                .skip(j)
                .step_by(k)
                .filter(|(yi, &wi)| wi > 0.0 && yi.is_finite())
                .fold(f64::INFINITY, |m, (yi, _)| m.min(*yi))
        };
        for (i, b) in bounds.iter_mut().enumerate() {
            let info = self.param_info(i);
            let j = info.and_then(|p| p.name.index).unwrap_or(0);
            *b = match info.map(|p| p.name.base) {
                Some("b") | Some("a") => (0.01, 1.0),
                Some("c") => (1e-12, 1e3),
                Some("A") => (1e-12, 1e4),
                Some("E") => {
                    let m = min_loss(j);
                    if m.is_finite() && m > 0.0 {
                        (1e-12, m)
                    } else {
                        (-1e3, f64::INFINITY)
                    }
                }
                _ => (0.0, f64::INFINITY),
            };
        }
        Ok(true)
    }

    /// Under eq 3 output j is undefined (infinite) where h_j = 0. (A budget
    /// `N / n_scale + (k-1) H` below the normal floats cannot be resolved: such rows give NaN
    /// outputs, which callers report as [`Error::NonFiniteValue`].)
    fn check_row(&self, row: &Row<'_>, index: usize) -> Result<(), Error> {
        if self.form == Form::Eq3 && row.h.get(row.output) == Some(&0.0) {
            return Err(Error::ZeroTargetWeight { row: index });
        }
        Ok(())
    }

    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let j = row.output;
        let mut value = f64::NAN;
        let mut grad = grad;
        if let Some(g) = grad.as_deref_mut() {
            g.iter_mut().for_each(|v| *v = 0.0);
        }
        self.run_pass(
            params,
            row.h,
            row.n,
            row.d,
            f64::NAN,
            grad,
            None,
            |pred, cot| {
                value = pred.get(j).copied().unwrap_or(f64::NAN);
                if let Some(c) = cot.get_mut(j) {
                    *c = 1.0;
                }
            },
        );
        value
    }

    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        let j = row.output;
        let mut value = f64::NAN;
        grad_h.iter_mut().for_each(|v| *v = 0.0);
        self.run_pass(
            params,
            row.h,
            row.n,
            row.d,
            f64::NAN,
            None,
            Some(grad_h),
            |pred, cot| {
                value = pred.get(j).copied().unwrap_or(f64::NAN);
                if let Some(c) = cot.get_mut(j) {
                    *c = 1.0;
                }
            },
        );
        value
    }

    /// One inner solve for all k outputs, from the multiplier kept in `state`.
    fn eval_outputs(
        &self,
        params: &[f64],
        row: &Row<'_>,
        values: &mut [f64],
        grad: OutputsGrad<'_>,
        state: &mut [f64],
        _scratch: &mut [f64],
    ) {
        let guess = state.first().copied().unwrap_or(f64::NAN);
        let (grad, mut cotangent) = match grad {
            Some((g, c)) => (Some(g), Some(c)),
            None => (None, None),
        };
        let alloc = self.run_pass(
            params,
            row.h,
            row.n,
            row.d,
            guess,
            grad,
            None,
            |pred, cot| {
                for (v, &p) in values.iter_mut().zip(pred) {
                    *v = p;
                }
                match cotangent.as_mut() {
                    Some(c) => c(pred, cot),
                    None => cot.iter_mut().for_each(|c| *c = 0.0),
                }
            },
        );
        if let Some(s) = state.first_mut() {
            *s = alloc.ln_lambda;
        }
    }

    fn grad_h_outputs(
        &self,
        params: &[f64],
        row: &Row<'_>,
        weights: &[f64],
        grad_h: &mut [f64],
        _scratch: &mut [f64],
    ) -> f64 {
        grad_h.iter_mut().for_each(|v| *v = 0.0);
        self.weighted_at(params, row.h, row.n, row.d, weights, None, Some(grad_h))
    }

    /// The inner problem's `ln lambda`, a warm start for the next solve.
    fn state_len(&self) -> usize {
        1
    }
}

/// Entry weights that keep the entries with `h_i >= threshold` (and `h_i > 0`), the
/// authors' masks: `threshold = 0` keeps `h_i > 0` (eq 3, whose noise term diverges at
/// `h_i = 0`), `0.1` their 7-domain mask. Writes `h.len()` weights into `w` (for
/// [`crate::Dataset::with_entry_weights`]; the mixture's k domains are the law's k outputs).
pub fn mask_below(h: &[f64], threshold: f64, w: &mut [f64]) -> Result<(), Error> {
    param::check_len("weights", w, h.len())?;
    for (wi, &hi) in w.iter_mut().zip(h) {
        *wi = if kept(hi, threshold, false) { 1.0 } else { 0.0 };
    }
    Ok(())
}

/// The one masking rule: an entry of domain weight `h_i` is kept when `h_i >= threshold`
/// and, unless the law is defined at `h_i = 0` (`zero_defined`, eq 1), `h_i > 0`.
fn kept(h_i: f64, threshold: f64, zero_defined: bool) -> bool {
    h_i >= threshold && (zero_defined || h_i > 0.0)
}

/// Per-domain pieces of one run's losses, kept for the pullback: `ln x_i`, `x_i^-b_i`,
/// the noise term `A_i (D h_i)^-a_i` and `ln(D h_i)` (both 0 under eq 1).
struct Terms {
    ln_x: [f64; MAX_DOMAINS],
    pow: [f64; MAX_DOMAINS],
    noise: [f64; MAX_DOMAINS],
    ln_dh: [f64; MAX_DOMAINS],
}

/// `s[i]`, or NaN past the end (lengths are validated before any evaluation).
#[inline]
fn at(s: &[f64], i: usize) -> f64 {
    s.get(i).copied().unwrap_or(f64::NAN)
}

/// Checks a mixture for a capacity law: k entries, finite, non-negative. The weights need
/// not sum to 1 (the inner problem does not require it; RegMix's published weights are
/// rounded to 3 decimals).
fn check_mixture(h: &[f64], k: usize, row: usize) -> Result<(), Error> {
    if h.len() != k {
        return Err(Error::WrongDomainCount {
            expected: k,
            found: h.len(),
        });
    }
    if crate::data::non_negative_sum("h", h, |_| row)? <= 0.0 {
        return Err(Error::OffSimplex {
            what: "mixture",
            row,
            sum: 0.0,
        });
    }
    Ok(())
}
