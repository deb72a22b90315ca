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
//! KKT conditions, in O(k) per run. Nothing is allocated and k has no limit: the per-run
//! vectors (the allocation, the loss pieces kept for the pullback, the output weights,
//! [`WORK_PER_DOMAIN`] per domain) live in the caller's scratch ([`Law::outputs_scratch_len`],
//! [`Law::grad_h_scratch_len`]); losses without gradients need none. The single-row calls,
//! which get no scratch ([`Law::eval_row`], [`Law::grad_h_row`]), keep none: they find the
//! multiplier without storing the allocation and recompute each domain's share where the
//! pullback reads it (O(k) time, O(1) memory, for any k; the same values bit for bit).

mod inner;

pub use inner::{allocate, Allocation};

use crate::data::{Inputs, Row, Scales};
use crate::law::{Law, LawExt, OutputsGrad};
use crate::param::{self, Block, Reader};
use crate::{Error, MAX_DOMAINS};

/// Largest parameter count of a capacity law at the default capacity (eq 3 with a fitted
/// head, k = MAX_DOMAINS): what a caller sizing stack vectors for such a law needs.
pub const MAX_PARAMS: usize = 5 * MAX_DOMAINS + 1;

/// Scratch entries per domain of one run's pass with gradients: the allocation `x_i`, the
/// loss `L_i`, the output weight `w_i`, and the pieces `ln x_i`, `x_i^-b_i`,
/// `A_i (D h_i)^-a_i`, `ln(D h_i)` kept for the pullback.
pub const WORK_PER_DOMAIN: usize = 7;

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
    /// `sum_j w_j dL_j/dp` and `sum_j w_j dL_j/dh` added to `grad` and `grad_h`; `work`
    /// has [`WORK_PER_DOMAIN`] `* k` entries.
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
        work: &mut [f64],
    ) -> f64 {
        let mut value = 0.0;
        let pass = Pass {
            guess: f64::NAN,
            grad,
            grad_h,
        };
        self.run_pass(params, h, n, d, pass, work, |pred, cot| {
            for ((l, c), &wj) in pred.iter().zip(cot.iter_mut()).zip(w) {
                *c = wj;
                if wj != 0.0 {
                    value += wj * l;
                }
            }
        });
        value
    }

    /// One run on validated, scaled inputs: solves the inner problem once (from
    /// `pass.guess`, a nearby `ln lambda`, or NaN) and computes the k losses into the first
    /// k entries of `work`. With a gradient asked for, lets `cotangent(losses, w)` choose the
    /// weights `w_j` and accumulates `sum_j w_j dL_j/dp` into `pass.grad` and
    /// `sum_j w_j dL_j/dh` into `pass.grad_h`: then `work` has [`WORK_PER_DOMAIN`] `* k`
    /// entries (shorter: the losses are NaN); without, `k` (the allocation is solved
    /// into it and turned into the losses in place) and `cotangent` is not called.
    /// Returns the allocation's summary.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_pass(
        &self,
        params: &[f64],
        h: &[f64],
        n: f64,
        d: f64,
        pass: Pass<'_>,
        work: &mut [f64],
        cotangent: impl FnOnce(&[f64], &mut [f64]),
    ) -> Allocation {
        let v = self.view(params);
        let k = self.k;
        let Pass {
            guess,
            grad,
            grad_h,
        } = pass;
        if grad.is_none() && grad_h.is_none() {
            let Some(out) = work.get_mut(..k) else {
                return Allocation::unsolved();
            };
            let alloc = self.solve(&v, h, n, out, guess);
            for (j, o) in out.iter_mut().enumerate() {
                *o = self.domain_loss(&v, h, d, j, *o).loss;
            }
            return alloc;
        }
        let Some(mut w) = Work::split(work, k) else {
            work.iter_mut().take(k).for_each(|o| *o = f64::NAN);
            return Allocation::unsolved();
        };
        let alloc = self.solve(&v, h, n, w.x, guess);
        self.terms(&v, h, d, &mut w);
        cotangent(w.out, w.w);
        self.pullback(&v, h, &w, &alloc, grad, grad_h);
        alloc
    }

    /// Output `row.output` of one run on validated, scaled inputs, with its gradients
    /// added to `grad` and `grad_h`: the single-row calls, which get no scratch from their
    /// caller. Needs no memory for any k: the multiplier is found without storing the
    /// allocation ([`inner::solve_in_place`]), and the pullback recomputes each domain's
    /// allocation and loss pieces where [`CapacityLaw::run_pass`] keeps them
    /// ([`OneOutput`]); the value and gradients are those of `run_pass`, bit for bit.
    fn single_output(
        &self,
        params: &[f64],
        row: &Row<'_>,
        grad: Option<&mut [f64]>,
        grad_h: Option<&mut [f64]>,
    ) -> f64 {
        let v = self.view(params);
        let budget = row.n + (self.k as f64 - 1.0) * v.head;
        let alloc = inner::solve_in_place(row.h, v.b, v.c, budget, v.head, f64::NAN);
        let one = OneOutput {
            law: self,
            view: &v,
            row,
            ln_lambda: alloc.ln_lambda,
            resolvable: inner::check_resolvable(budget, v.head).is_ok(),
        };
        let value = one.loss();
        if grad.is_some() || grad_h.is_some() {
            self.pullback(&v, row.h, &one, &alloc, grad, grad_h);
        }
        value
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

    /// The losses given the allocation `w.x`, at scaled `d`, into `w.out`, and their
    /// per-domain pieces into `w`.
    fn terms(&self, v: &View<'_>, h: &[f64], d: f64, w: &mut Work<'_>) {
        let pieces = w
            .ln_x
            .iter_mut()
            .zip(w.pow.iter_mut())
            .zip(w.noise.iter_mut().zip(w.ln_dh.iter_mut()));
        for (j, ((o, ((lx, pw), (nz, ldh))), &xj)) in
            w.out.iter_mut().zip(pieces).zip(w.x.iter()).enumerate()
        {
            let t = self.domain_loss(v, h, d, j, xj);
            (*lx, *pw, *nz, *ldh, *o) = (t.ln_x, t.pow, t.noise, t.ln_dh, t.loss);
        }
    }

    /// Domain `j`'s loss at allocation `xj` (scaled `d`), with its pieces.
    #[inline]
    fn domain_loss(&self, v: &View<'_>, h: &[f64], d: f64, j: usize, xj: f64) -> DomainLoss {
        let cap = capacity_term(v, j, xj);
        let (noise, ln_dh) = self.noise(v, h, d, j);
        DomainLoss {
            ln_x: cap.ln_x,
            pow: cap.pow,
            noise,
            ln_dh,
            loss: at(v.c, j) * cap.pow + at(v.e, j) + noise,
        }
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

    /// Adds `sum_j w_j dL_j/dp` to `grad` and `sum_j w_j dL_j/dh` to `grad_h`, reading
    /// the run's allocation, loss pieces and output weights from `pieces`.
    ///
    /// Implicit differentiation of the KKT system: for free domains `S`,
    /// `dx_i = q_i (dpsi_i - d ln lambda)` with `q_i = x_i / (b_i + 1)` and
    /// `dpsi_i = dh_i/h_i + dc_i/c_i + (1/b_i - ln x_i) db_i`, while the budget gives
    /// `sum_S dx_i = dN + (|S| - 1) dH`. With `v_i = w_i dL_i/dx_i` and
    /// `v_bar = sum_S v_i q_i / sum_S q_i`, the adjoint is
    /// `sum_i v_i dx_i = sum_S q_i (v_i - v_bar) dpsi_i + v_bar (|S| - 1) dH + sum_{not S} v_i dH`.
    fn pullback(
        &self,
        v: &View<'_>,
        h: &[f64],
        pieces: &impl Pieces,
        alloc: &Allocation,
        grad: Option<&mut [f64]>,
        grad_h: Option<&mut [f64]>,
    ) {
        let k = self.k;
        let floor = v.head;
        // Per domain: v_i = w_i dL_i/dx_i = -w_i b_i c_i x_i^(-b_i-1), and
        // q_i = x_i / (b_i + 1) on free domains (0 at the floor).
        let slope =
            |i: usize, c: &Capacity| -pieces.weight(i) * at(v.b, i) * at(v.c, i) * c.pow / c.x;
        let q = |i: usize, c: &Capacity| {
            if c.x > floor {
                c.x / (at(v.b, i) + 1.0)
            } else {
                0.0
            }
        };
        let (mut weighted_q, mut at_floor) = (0.0, 0.0);
        for i in 0..k {
            let c = pieces.capacity(i);
            let s = slope(i, &c);
            weighted_q += s * q(i, &c);
            if c.x <= floor {
                at_floor += s;
            }
        }
        let v_bar = if alloc.free > 0 && alloc.q_sum > 0.0 {
            weighted_q / alloc.q_sum
        } else {
            0.0
        };
        let omega = |i: usize, c: &Capacity| q(i, c) * (slope(i, c) - v_bar);
        if let Some(g) = grad {
            let mut slots = g.iter_mut();
            for i in 0..k {
                if let Some(gb) = slots.next() {
                    let cap = pieces.capacity(i);
                    let (b, c, lx) = (at(v.b, i), at(v.c, i), cap.ln_x);
                    let direct = -pieces.weight(i) * c * cap.pow * lx;
                    *gb += direct + omega(i, &cap) * (1.0 / b - lx);
                }
            }
            for i in 0..k {
                if let Some(gc) = slots.next() {
                    let cap = pieces.capacity(i);
                    *gc += pieces.weight(i) * cap.pow + omega(i, &cap) / at(v.c, i);
                }
            }
            if self.form == Form::Eq3 {
                // The noise term of a domain with weight 0 is not evaluated (it may be inf).
                let noise = |i: usize| {
                    if pieces.weight(i) != 0.0 {
                        pieces.noise(i)
                    } else {
                        (0.0, 0.0)
                    }
                };
                for i in 0..k {
                    if let Some(g_big_a) = slots.next() {
                        let wi = pieces.weight(i);
                        *g_big_a += if wi != 0.0 {
                            wi * noise(i).0 / at(v.big_a, i)
                        } else {
                            0.0
                        };
                    }
                }
                for i in 0..k {
                    if let Some(g_a) = slots.next() {
                        let (term, ln_dh) = noise(i);
                        *g_a += -pieces.weight(i) * term * ln_dh;
                    }
                }
            }
            for i in 0..k {
                if let Some(ge) = slots.next() {
                    *ge += pieces.weight(i);
                }
            }
            if let (Head::Fitted, Some(gh)) = (self.head, slots.next()) {
                // Saturated (no free domain): every x_i = H and at_floor sums all slopes.
                *gh += at_floor + v_bar * (alloc.free as f64 - 1.0).max(0.0);
            }
        }
        if let Some(gh) = grad_h {
            for (i, g) in gh.iter_mut().enumerate().take(k) {
                let cap = pieces.capacity(i);
                let q_i = q(i, &cap);
                let capacity = if q_i > 0.0 {
                    omega(i, &cap) / at(h, i)
                } else {
                    0.0
                };
                let wi = pieces.weight(i);
                let noise = if self.form == Form::Eq3 && wi != 0.0 {
                    -wi * at(v.a, i) * pieces.noise(i).0 / at(h, i)
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
        let mut grad = grad;
        if let Some(g) = grad.as_deref_mut() {
            g.iter_mut().for_each(|v| *v = 0.0);
        }
        self.single_output(params, row, grad, None)
    }

    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        grad_h.iter_mut().for_each(|v| *v = 0.0);
        self.single_output(params, row, None, Some(grad_h))
    }

    /// One inner solve for all k outputs, from the multiplier kept in `state`; with a
    /// gradient, `scratch` holds the run's vectors (without, none is needed).
    fn eval_outputs(
        &self,
        params: &[f64],
        row: &Row<'_>,
        values: &mut [f64],
        grad: OutputsGrad<'_>,
        state: &mut [f64],
        scratch: &mut [f64],
    ) {
        let guess = state.first().copied().unwrap_or(f64::NAN);
        let alloc = match grad {
            None => {
                let pass = Pass {
                    guess,
                    grad: None,
                    grad_h: None,
                };
                self.run_pass(params, row.h, row.n, row.d, pass, values, |_, _| {})
            }
            Some((grad, cotangent)) => {
                let pass = Pass {
                    guess,
                    grad: Some(grad),
                    grad_h: None,
                };
                let alloc = self.run_pass(params, row.h, row.n, row.d, pass, scratch, cotangent);
                for (v, &p) in values.iter_mut().zip(scratch.iter()) {
                    *v = p;
                }
                alloc
            }
        };
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
        scratch: &mut [f64],
    ) -> f64 {
        grad_h.iter_mut().for_each(|v| *v = 0.0);
        let (h, n, d) = (row.h, row.n, row.d);
        self.weighted_at(params, h, n, d, weights, None, Some(grad_h), scratch)
    }

    /// The inner problem's `ln lambda`, a warm start for the next solve.
    fn state_len(&self) -> usize {
        1
    }

    /// [`WORK_PER_DOMAIN`] per domain: the run's vectors.
    fn outputs_scratch_len(&self) -> usize {
        WORK_PER_DOMAIN * self.k
    }

    /// [`WORK_PER_DOMAIN`] per domain: the run's vectors.
    fn grad_h_scratch_len(&self) -> usize {
        WORK_PER_DOMAIN * self.k
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

/// What one run's pass computes besides the losses: a warm start for the inner solve
/// (`ln lambda`, or NaN) and the gradients to accumulate into.
pub(crate) struct Pass<'g> {
    guess: f64,
    grad: Option<&'g mut [f64]>,
    grad_h: Option<&'g mut [f64]>,
}

/// One run's vectors of k entries in the caller's scratch (see [`WORK_PER_DOMAIN`]):
/// the allocation, the losses, the output weights, and the loss pieces kept for the
/// pullback (`ln x_i`, `x_i^-b_i`, the noise term `A_i (D h_i)^-a_i` and `ln(D h_i)`, both
/// 0 under eq 1).
struct Work<'a> {
    out: &'a mut [f64],
    x: &'a mut [f64],
    w: &'a mut [f64],
    ln_x: &'a mut [f64],
    pow: &'a mut [f64],
    noise: &'a mut [f64],
    ln_dh: &'a mut [f64],
}

impl<'a> Work<'a> {
    /// The vectors for k domains at the start of `work` (the losses first), or `None`
    /// when it is shorter than [`WORK_PER_DOMAIN`] `* k`.
    fn split(work: &'a mut [f64], k: usize) -> Option<Self> {
        let work = work.get_mut(..WORK_PER_DOMAIN * k)?;
        let (out, rest) = work.split_at_mut(k);
        let (x, rest) = rest.split_at_mut(k);
        let (w, rest) = rest.split_at_mut(k);
        let (ln_x, rest) = rest.split_at_mut(k);
        let (pow, rest) = rest.split_at_mut(k);
        let (noise, ln_dh) = rest.split_at_mut(k);
        Some(Work {
            out,
            x,
            w,
            ln_x,
            pow,
            noise,
            ln_dh,
        })
    }
}

/// What the pullback reads of one solved run, per domain: the output weight `w_i`, the
/// allocation with its capacity term, and the noise term (read only where `w_i != 0`).
trait Pieces {
    /// The output weight `w_i`.
    fn weight(&self, i: usize) -> f64;
    /// The allocation `x_i`, `ln x_i` and `x_i^-b_i`.
    fn capacity(&self, i: usize) -> Capacity;
    /// The noise term `A_i (D h_i)^-a_i` and `ln(D h_i)` (both 0 under eq 1).
    fn noise(&self, i: usize) -> (f64, f64);
}

/// A domain's allocation `x_i` with `ln x_i` and `x_i^-b_i`.
#[derive(Clone, Copy)]
struct Capacity {
    x: f64,
    ln_x: f64,
    pow: f64,
}

/// `x_j`, `ln x_j` and `x_j^-b_j` at allocation `xj`.
#[inline]
fn capacity_term(v: &View<'_>, j: usize, xj: f64) -> Capacity {
    let ln_x = libm::log(xj);
    Capacity {
        x: xj,
        ln_x,
        pow: libm::exp(-at(v.b, j) * ln_x),
    }
}

/// The pieces kept in the caller's scratch by [`CapacityLaw::run_pass`].
impl Pieces for Work<'_> {
    #[inline]
    fn weight(&self, i: usize) -> f64 {
        at(self.w, i)
    }
    #[inline]
    fn capacity(&self, i: usize) -> Capacity {
        Capacity {
            x: at(self.x, i),
            ln_x: at(self.ln_x, i),
            pow: at(self.pow, i),
        }
    }
    #[inline]
    fn noise(&self, i: usize) -> (f64, f64) {
        (at(self.noise, i), at(self.ln_dh, i))
    }
}

/// One output of one run (`w = e_j`, `j = row.output`) with nothing stored: each domain's
/// allocation is recomputed from the multiplier ([`inner::share`]), with the same
/// operations as [`inner::solve`], so the pieces equal those [`Work`] keeps.
struct OneOutput<'a> {
    law: &'a CapacityLaw,
    view: &'a View<'a>,
    row: &'a Row<'a>,
    ln_lambda: f64,
    /// False when the budget or floor cannot be resolved: every allocation is NaN.
    resolvable: bool,
}

impl OneOutput<'_> {
    /// Domain i's allocation.
    fn allocation(&self, i: usize) -> f64 {
        if !self.resolvable {
            return f64::NAN;
        }
        let v = self.view;
        let t = inner::log_weight(self.row.h, v.b, v.c, i);
        inner::share(t, at(v.b, i), self.ln_lambda, v.head)
    }

    /// The output's value `L_j`.
    fn loss(&self) -> f64 {
        let j = self.row.output;
        let (v, row) = (self.view, self.row);
        self.law
            .domain_loss(v, row.h, row.d, j, self.allocation(j))
            .loss
    }
}

impl Pieces for OneOutput<'_> {
    fn weight(&self, i: usize) -> f64 {
        if i == self.row.output {
            1.0
        } else {
            0.0
        }
    }
    fn capacity(&self, i: usize) -> Capacity {
        capacity_term(self.view, i, self.allocation(i))
    }
    fn noise(&self, i: usize) -> (f64, f64) {
        self.law.noise(self.view, self.row.h, self.row.d, i)
    }
}

/// Domain j's loss at its allocation, with the pieces the pullback reuses.
struct DomainLoss {
    ln_x: f64,
    pow: f64,
    noise: f64,
    ln_dh: f64,
    loss: f64,
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
