//! The computations the firmware checks. This file is compiled twice: into the firmware
//! (`main.rs`, on the Cortex-M4F) and into the build script (`build.rs`, on the host), which
//! runs every check at build time and writes its results as the expected values. A check
//! passes when the device's results equal the host's bit for bit.
//!
//! Everything here is `core` only: no allocation, fixed-size buffers on the stack.
//!
//! Uses of the `LawExt` helper methods (`value`, `value_grad`, `grad_h`, `to_natural`) are
//! confined to this file.

use core::ops::ControlFlow;

use mixlaw_core::laws::joint::Joint;
use mixlaw_core::{Dataset, LawExt, Loss, Objective, Point, Prepared, Real, Scales};
use mixlaw_fit::{fit_law, BasinConfig, LbfgsConfig};
use mixlaw_info::{InfoLaw, KinkSide, PowerLaw, Setting, Source};
use mixlaw_opt::schedule::{aioli_matrix, Aioli, Sampler, Scheduler, Step};
use mixlaw_opt::{Bounds, LawAt, Side, SimplexObjective, Solution, Solver, Status};

/// Most values one check produces.
pub const MAX_VALUES: usize = 40;

/// The results of one check, in order.
pub struct Values {
    /// The values (the first `len` are set).
    pub v: [f64; MAX_VALUES],
    /// How many are set.
    pub len: usize,
}

impl Values {
    /// No values yet.
    pub const fn new() -> Self {
        Values {
            v: [0.0; MAX_VALUES],
            len: 0,
        }
    }

    fn push(&mut self, x: f64) -> Result<(), Failure> {
        let slot = self.v.get_mut(self.len).ok_or(Failure::TooManyValues)?;
        *slot = x;
        self.len += 1;
        Ok(())
    }

    fn extend(&mut self, xs: &[f64]) -> Result<(), Failure> {
        xs.iter().try_for_each(|&x| self.push(x))
    }

    /// Single-precision values, stored exactly as `f64` (so equal bits mean equal `f32`).
    fn extend_f32(&mut self, xs: &[f32]) -> Result<(), Failure> {
        xs.iter().try_for_each(|&x| self.push(f64::from(x)))
    }

    /// The values set.
    pub fn as_slice(&self) -> &[f64] {
        self.v.get(..self.len).unwrap_or(&[])
    }
}

/// Why a check could not produce its values (printed with `Debug`, which dead-code
/// analysis does not count as a read).
#[derive(Debug)]
#[allow(dead_code)]
pub enum Failure {
    /// An error from the libraries (one error type for mixlaw-core, -fit, -opt, -info).
    Lib(mixlaw_core::Error),
    /// A solver or fit stopped for another reason than convergence.
    NotConverged,
    /// More than [`MAX_VALUES`] values.
    TooManyValues,
}

impl Failure {
    /// What failed, without the error's fields (printing those on the device would pull
    /// `core::fmt`'s float formatting into the measured size; the host prints them).
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Lib(_) => "library error",
            Failure::NotConverged => "not converged",
            Failure::TooManyValues => "too many values",
        }
    }
}

impl From<mixlaw_core::Error> for Failure {
    fn from(e: mixlaw_core::Error) -> Self {
        Failure::Lib(e)
    }
}

/// A check: fills its values.
pub type CheckFn = fn(&mut Values) -> Result<(), Failure>;

/// Every check, by name, in the order the firmware runs them.
pub const CHECKS: [(&str, CheckFn); 8] = [
    ("law value + param/h gradients (joint, k = 3)", law),
    ("law value + h gradient in f32 (joint, k = 3)", law_f32),
    ("fit (joint, k = 2, 24 rows, basin-hopping L-BFGS)", fit),
    (
        "simplex solve, interior optimum (joint, k = 6)",
        simplex_interior,
    ),
    (
        "simplex solve in f32, interior optimum (joint, k = 6)",
        simplex_interior_f32,
    ),
    (
        "simplex solve, bounded (joint, k = 3, caps)",
        simplex_bounded,
    ),
    ("InfoLaw info + gradient + loss (6 buckets)", info),
    (
        "online schedule (40 law-gradient + 3 Aioli + 1 DoReMi updates, 200 draws, k = 3)",
        schedule,
    ),
];

/// Scales of every law here: N and D in billions.
pub const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

/// A joint law fitted to three domains (natural parameters, in the law's block order:
/// E, alpha, beta, C[3], gamma[3], CA[3], gammaA, CB[3], gammaB). The mixture term
/// `1 / sum C_i h_i^gamma_i` pulls toward the interior; the nearly equal `CA`, `CB` tilt it
/// only slightly, so the optimum `h*` is interior.
pub const JOINT3: [f64; 17] = [
    1.8, 0.32, 0.28, // E, alpha, beta
    2.0, 1.5, 0.8, // C
    0.4, 0.3, 0.5, // gamma
    4.0, 4.2, 3.9, // CA
    0.9, // gammaA
    7.0, 7.3, 6.8, // CB
    1.1, // gammaB
];

/// Model size and training tokens (raw) at which the joint law is evaluated and solved.
pub const BUDGET: (f64, f64) = (7e9, 1.5e11);

/// The evaluation point of [`law`].
pub const H3: [f64; 3] = [0.5, 0.3, 0.2];

/// The joint law with k = 3.
pub fn joint3() -> Result<Joint, Failure> {
    Ok(Joint::new(3)?)
}

/// Law value, gradient in the unconstrained parameters, and gradient in `h` at [`H3`].
pub fn law(out: &mut Values) -> Result<(), Failure> {
    let law = joint3()?;
    let point = Point::<3>::with_capacity(&H3, BUDGET.0, BUDGET.1, 1.0)?;
    out.push(law.value(&JOINT3, &point, SCALES)?)?;
    let mut grad = [0.0; 17];
    out.push(law.value_grad(&JOINT3, &point, SCALES, &mut grad)?)?;
    out.extend(&grad)?;
    let mut grad_h = [0.0; 3];
    out.push(law.grad_h(&JOINT3, &point, SCALES, &mut grad_h)?)?;
    out.extend(&grad_h)
}

/// The joint law (k = 3) at [`BUDGET`] as the solver sees it (room for 3 domains).
pub fn joint3_at(law: &Joint) -> Result<LawAt<'_, Joint, 3>, Failure> {
    Ok(LawAt::with_capacity(
        law, &JOINT3, BUDGET.0, BUDGET.1, SCALES,
    )?)
}

/// [`H3`] in single precision.
pub const H3_F32: [f32; 3] = [0.5, 0.3, 0.2];

/// The [`law`] check in single precision, on the device path: the law at [`BUDGET`] with
/// its parameters converted once to `f32` ([`LawAt::converted`]), its value and gradient
/// in h at [`H3_F32`] (`ln h` in `f32`). Values: the value, then value and h-gradient.
pub fn law_f32(out: &mut Values) -> Result<(), Failure> {
    let law = joint3()?;
    let target = joint3_at(&law)?;
    let mut params = [0.0f32; 17];
    let target = target.converted(&mut params)?;
    let ln_h = H3_F32.map(Real::ln);
    out.extend_f32(&[target.value(&H3_F32, &ln_h)])?;
    let mut grad_h = [0.0f32; 3];
    out.extend_f32(&[target.value_grad(&H3_F32, &ln_h, &mut grad_h)])?;
    out.extend_f32(&grad_h)
}

/// Rows of the fit's data set.
pub const FIT_ROWS: usize = 24;
/// Domains of the fit's data set.
pub const FIT_K: usize = 2;
/// The joint law (k = 2) the fit's data come from.
pub const FIT_TRUTH: [f64; 13] = [
    1.7, 0.3, 0.35, // E, alpha, beta
    1.2, 0.9, // C
    0.35, 0.5, // gamma
    2.0, 2.5, // CA
    0.8, // gammaA
    3.0, 2.2, // CB
    1.2, // gammaB
];
/// Parameters of the fitted law.
pub const FIT_PARAMS: usize = 13;
/// Workspace of the fit (basin-hopping + L-BFGS + objective scratch), checked at run time.
pub const FIT_WORK: usize = 1024;

/// The fit's basin-hopping settings: a few starts and hops (a full default fit would take
/// minutes on a Cortex-M4 in soft-float f64).
pub fn fit_config() -> BasinConfig {
    BasinConfig {
        starts: 2,
        candidates: 8,
        hops: 1,
        seed: 11,
        lbfgs: LbfgsConfig {
            // 30 pairs fit FIT_WORK (a memory above 30 would keep 5 per parameter, 65 here).
            memory: 30,
            max_iterations: 200,
            ..LbfgsConfig::default()
        },
        ..BasinConfig::default()
    }
}

/// A small fit: 24 runs (4 mixtures x 3 model sizes x 2 token counts) drawn from
/// [`FIT_TRUTH`] with a deterministic +-0.5 % perturbation, fitted by basin-hopping L-BFGS
/// under the Huber loss, all in fixed-size buffers. Values: the objective at the best
/// minimum, evaluations, and the 13 fitted natural parameters.
pub fn fit(out: &mut Values) -> Result<(), Failure> {
    let law = Joint::new(FIT_K)?;
    let mut h = [0.0; FIT_ROWS * FIT_K];
    let mut y = [0.0; FIT_ROWS];
    let mut n = [0.0; FIT_ROWS];
    let mut d = [0.0; FIT_ROWS];
    let mixtures = [0.1, 0.4, 0.7, 0.95];
    for r in 0..FIT_ROWS {
        let w = mixtures[r % 4];
        h[FIT_K * r] = w;
        h[FIT_K * r + 1] = 1.0 - w;
        n[r] = [0.1e9, 0.4e9, 1.6e9][(r / 4) % 3];
        d[r] = [4e9, 32e9][r / 12];
        let point =
            Point::<FIT_K>::with_capacity(&h[FIT_K * r..FIT_K * r + FIT_K], n[r], d[r], 1.0)?;
        // A fixed zig-zag noise of +-0.5 % (same on every machine).
        let noise = 1.0 + 0.005 * (((r * 7) % 5) as f64 - 2.0) / 2.0;
        y[r] = law.value(&FIT_TRUTH, &point, SCALES)? * noise;
    }
    let data = Dataset::new(FIT_K, &h, &y)?.with_n(&n)?.with_d(&d)?;
    let mut cache = [0.0; Prepared::buffer_len(FIT_ROWS, FIT_K)];
    let data = Prepared::new(data, SCALES, &mut cache)?;
    let objective = Objective::new(&law, &data, Loss::Huber { delta: 1e-3 })?;
    let config = fit_config();
    let mut theta = [0.0; FIT_PARAMS];
    let mut work = [0.0; FIT_WORK];
    let outcome = fit_law(&objective, &config, None, &mut theta, &mut work, |_| {
        ControlFlow::Continue(())
    })?;
    let mut natural = [0.0; FIT_PARAMS];
    law.to_natural(&theta, &mut natural)?;
    out.push(outcome.value)?;
    out.push(outcome.evaluations as f64)?;
    out.extend(&natural)
}

/// A joint law over six domains, shaped like [`JOINT3`] (natural parameters: E, alpha,
/// beta, C[6], gamma[6], CA[6], gammaA, CB[6], gammaB); its optimum is interior.
pub const JOINT6: [f64; 29] = [
    1.8, 0.32, 0.28, // E, alpha, beta
    2.0, 1.5, 0.8, 1.2, 0.6, 1.0, // C
    0.4, 0.3, 0.5, 0.35, 0.45, 0.25, // gamma
    4.0, 4.2, 3.9, 4.1, 4.3, 3.8, // CA
    0.9, // gammaA
    7.0, 7.3, 6.8, 7.1, 6.9, 7.2, // CB
    1.1, // gammaB
];

/// Solves `min_h L(N, D, h)` for [`JOINT6`] over the plain simplex from the uniform
/// mixture; the optimum is interior (every weight between 0.013 and 0.54, 18 iterations,
/// gap about 5e-11). Values: `h*`, objective, gap, iterations, evaluations. Fails unless
/// the solver converged with every weight inside (0.005, 0.95).
pub fn simplex_interior(out: &mut Values) -> Result<(), Failure> {
    let law = Joint::new(6)?;
    let target = LawAt::<_, 6>::with_capacity(&law, &JOINT6, BUDGET.0, BUDGET.1, SCALES)?;
    let mut h = [1.0 / 6.0; 6];
    let sol = Solver::<6>::default().minimize(&target, &Bounds::SIMPLEX, &mut h)?;
    if h.iter().any(|&v| !(0.005..0.95).contains(&v)) {
        return Err(Failure::NotConverged);
    }
    push_solution(out, &h, &sol)
}

/// [`simplex_interior`] in single precision: the law converted once to `f32` and solved by
/// `Solver<6, f32>` (default `f32` gap tolerance, about 7.6e-6). Values as for
/// [`simplex_interior`] (the `f32` results, exactly as `f64`).
pub fn simplex_interior_f32(out: &mut Values) -> Result<(), Failure> {
    let law = Joint::new(6)?;
    let target = LawAt::<_, 6>::with_capacity(&law, &JOINT6, BUDGET.0, BUDGET.1, SCALES)?;
    let mut params = [0.0f32; 29];
    let target = target.converted(&mut params)?;
    let mut h = [1.0f32 / 6.0; 6];
    let sol = Solver::<6, f32>::default().minimize(&target, &Bounds::SIMPLEX, &mut h)?;
    if h.iter().any(|&v| !(0.005..0.95).contains(&v)) {
        return Err(Failure::NotConverged);
    }
    push_solution_f32(out, &h, &sol)
}

/// Upper bounds of [`simplex_bounded`]: domain 0 (the one the [`JOINT3`] optimum favours)
/// is capped, as by data availability.
pub const CAPS: [f64; 3] = [0.3, 1.0, 1.0];

/// The [`JOINT3`] problem with domain 0 capped at 0.3 (below its unconstrained optimum, 0.42)
/// and a minimum weight of 0.02: the optimum sits on the cap, the other two domains share
/// the rest in the interior. Values as for [`simplex_interior`].
pub fn simplex_bounded(out: &mut Values) -> Result<(), Failure> {
    let law = joint3()?;
    let target = joint3_at(&law)?;
    let mut h = [1.0 / 3.0; 3];
    let bounds = Bounds::new(Side::All(0.02), Side::Each(&CAPS));
    let sol = Solver::<3>::default().minimize(&target, &bounds, &mut h)?;
    push_solution(out, &h, &sol)
}

/// A converged solve's values: `h*`, objective, gap, iterations, evaluations.
fn push_solution(out: &mut Values, h: &[f64], sol: &Solution) -> Result<(), Failure> {
    if sol.status != Status::Converged {
        return Err(Failure::NotConverged);
    }
    out.extend(h)?;
    out.extend(&[
        sol.objective,
        sol.gap,
        sol.iterations as f64,
        sol.evaluations as f64,
    ])
}

/// [`push_solution`] for a single-precision solve.
fn push_solution_f32(out: &mut Values, h: &[f32], sol: &Solution<f32>) -> Result<(), Failure> {
    if sol.status != Status::Converged {
        return Err(Failure::NotConverged);
    }
    out.extend_f32(h)?;
    out.extend_f32(&[sol.objective, sol.gap])?;
    out.extend(&[sol.iterations as f64, sol.evaluations as f64])
}

/// A recipe over the paper's six quality buckets.
pub const RECIPE: [f64; 6] = [0.4, 0.25, 0.15, 0.1, 0.06, 0.04];

/// InfoLaw (paper constants) for a 7B model on 300B tokens from a 300B-token source: the
/// information of [`RECIPE`], its gradient (both one-sided derivatives), and the loss.
pub fn info(out: &mut Values) -> Result<(), Failure> {
    let problem = Setting::new(&InfoLaw::PAPER, &Source::paper(300e9)?, 7e9, 300e9)?;
    let info = problem.info(&RECIPE)?;
    out.push(info)?;
    let mut grad = [0.0; 6];
    out.push(problem.gradient(&RECIPE, &mut grad, KinkSide::Right)?)?;
    out.extend(&grad)?;
    out.push(problem.gradient(&RECIPE, &mut grad, KinkSide::Left)?)?;
    out.extend(&grad)?;
    out.push(PowerLaw::PAPER.loss(info)?)
}

/// Scheduler updates run by [`schedule`].
pub const SCHEDULE_UPDATES: usize = 40;
/// Domain draws run by [`schedule`].
pub const SCHEDULE_DRAWS: usize = 200;

/// The online scheduler (at least 5 % per domain) stepping on the joint law's h-gradient
/// at a growing budget (`D` from 15B to 150B tokens), then three Aioli rounds and one
/// DoReMi update from made-up loss observations, then the weighted sampler drawing 200
/// domains from the final weights. Values: the weights after each phase, the realised
/// counts and the last draw.
pub fn schedule(out: &mut Values) -> Result<(), Failure> {
    let law = joint3()?;
    let bounds = Bounds::min_weight(0.05);
    let mut scheduler = Scheduler::<3>::new(3, &bounds, Step::default())?;
    let mut target = joint3_at(&law)?.at(BUDGET.0, BUDGET.1 / 10.0)?;
    for t in 0..SCHEDULE_UPDATES {
        let d = BUDGET.1 * (1.0 + 9.0 * t as f64 / (SCHEDULE_UPDATES - 1) as f64) / 10.0;
        target = target.at(BUDGET.0, d)?;
        scheduler.step_objective(&target)?;
    }
    out.extend(scheduler.weights())?;
    // Then three Aioli rounds (EMA 0.1, normalised matrices) and a DoReMi update.
    for round in 0..3 {
        let r = round as f64;
        let drops = [
            0.05 + 0.01 * r,
            0.01,
            0.02, //
            0.0,
            0.03,
            0.01 * r, //
            0.01,
            0.0,
            0.04 - 0.005 * r,
        ];
        let mut a = [0.0; 9];
        aioli_matrix(3, &drops, 0.75, true, &mut a)?;
        scheduler.step_aioli(&a, &Aioli { ema: Some(0.1) })?;
    }
    out.extend(scheduler.weights())?;
    scheduler.step_excess_loss(&[3.1, 2.9, 3.4], &[3.0, 3.0, 3.0])?;
    out.extend(scheduler.weights())?;
    let mut sampler = Sampler::<3>::new(scheduler.weights())?;
    let mut last = 0;
    for _ in 0..SCHEDULE_DRAWS {
        last = sampler.next_domain();
    }
    for &c in sampler.counts() {
        out.push(c as f64)?;
    }
    out.push(last as f64)
}
