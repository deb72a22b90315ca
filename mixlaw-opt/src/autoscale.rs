//! AutoScale (Kang et al., COLM 2025, arXiv:2407.20177): the optimal per-domain token
//! counts at two scales predict those at any other, and the published numbers of the
//! authors' notebooks (`paper`, [`reproduce`]).
//!
//! Under the `autoscale` law `L = E + sum_i C_i (D_i + D0_i)^-gamma_i` with `D_i = D h_i`
//! and `D0 = 0`, the optimal allocation of a token budget satisfies (KKT, interior domains)
//! `C_i gamma_i D_i^(-gamma_i - 1) = lambda`, so
//! `ln D_i* = (ln(C_i gamma_i) + s) / (1 + gamma_i)` with `s = -ln lambda`: every domain's
//! log-optimum is affine in the same scale variable s, with its own slope. Two optima at
//! `s_1`, `s_2` therefore determine the optimum at `s = s_1 + t (s_2 - s_1)` without
//! knowing C or gamma: `D_i*(t) = D_i*(1)^(1 - t) D_i*(2)^t` ([`extrapolate`]).
//! `t = 2` is the AutoScale predictor `D*(3) = D*(2) D*(1)^-1 D*(2)` (the next scale, the
//! marginal loss per token `lambda` falling by the same factor again), `t = 1/2` the
//! geometric midpoint. The total budget at t is whatever the domains add up to. With
//! `D0 != 0` or a bound in force the rule is an approximation.

use mixlaw_core::laws::autoscale::Autoscale;
use mixlaw_core::Scales;

use crate::{Bounds, Error, LawAt, Solver, Status};

/// The optimal per-domain token counts at scale t from those at two reference scales
/// (`t = 0` gives `d1`, `t = 1` gives `d2`): `out_i = d1_i^(1 - t) d2_i^t`. Returns the
/// total `sum_i out_i`.
///
/// ```
/// // Two domains whose optima grew 4x and 2x between the scales: next scale 16x and 4x.
/// let mut next = [0.0; 2];
/// let total = mixlaw_opt::autoscale::extrapolate(&[1.0, 1.0], &[4.0, 2.0], 2.0, &mut next)?;
/// assert!((next[0] - 16.0).abs() < 1e-12 && (next[1] - 4.0).abs() < 1e-12);
/// assert!((total - 20.0).abs() < 1e-12);
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
pub fn extrapolate(d1: &[f64], d2: &[f64], t: f64, out: &mut [f64]) -> Result<f64, Error> {
    for (what, s) in [("d2", d2.len()), ("out", out.len())] {
        if s != d1.len() {
            return Err(Error::LengthMismatch {
                what,
                expected: d1.len(),
                found: s,
            });
        }
    }
    if d1.is_empty() {
        return Err(Error::Empty);
    }
    if !t.is_finite() {
        return Err(Error::InvalidConfig {
            what: "the scale t must be finite",
        });
    }
    for (what, v) in [("d1", d1), ("d2", d2)] {
        if let Some(index) = v.iter().position(|&x| !(x > 0.0 && x.is_finite())) {
            return Err(Error::InvalidInput { what, index });
        }
    }
    let mut total = 0.0;
    for (o, (&a, &b)) in out.iter_mut().zip(d1.iter().zip(d2)) {
        *o = libm::exp((1.0 - t) * libm::log(a) + t * libm::log(b));
        total += *o;
    }
    if !total.is_finite() || total <= 0.0 {
        return Err(Error::Numerical {
            what: "extrapolated token counts under- or overflow",
        });
    }
    Ok(total)
}

/// Numbers of the authors' repository (feiyang-k/AutoScale @ f3cae22, notebooks
/// `algorithms/DDO_example.ipynb` and `AutoScale_example.ipynb`; laws-extra.md section 3):
/// GPT-2 Large on 7 RedPajama domains. Quoted for checking; the notebooks' PPL matrix is
/// not copied.
pub mod paper {
    /// The 7 domains, in the notebooks' order.
    pub const DOMAINS: [&str; 7] = [
        "common_crawl",
        "github",
        "books",
        "wiki",
        "c4",
        "stackexchange",
        "arxiv",
    ];
    /// DDO fit per domain: `PPL(x) / PPL(1) = (x + a)^-b + c`, x the data multiplier.
    pub const DDO_A: [f64; 7] = [
        2.66587, 6.61618, 2.67360, 2.46311, 2.51838, 2.88996, 3.31917,
    ];
    /// Exponents b of the DDO fit.
    pub const DDO_B: [f64; 7] = [
        1.24920, 1.43600, 1.53626, 1.82873, 1.18587, 1.95363, 1.92667,
    ];
    /// Offsets c of the DDO fit (they do not move the optimum).
    pub const DDO_C: [f64; 7] = [
        0.80265, 0.94582, 0.86452, 0.89685, 0.77504, 0.92962, 0.94033,
    ];
    /// DDO's budget: the multipliers sum to the number of domains.
    pub const DDO_TOTAL: f64 = 7.0;
    /// DDO's lower bound on every multiplier.
    pub const DDO_FLOOR: f64 = 0.2;
    /// The notebook's DDO optimum (multipliers; github at the floor).
    pub const DDO_OPTIMUM: [f64; 7] = [1.62475, 0.2, 1.27415, 1.17980, 1.85190, 0.63716, 0.23224];
    /// Training tokens (billions) of the two reference scales.
    pub const SCALES_B: [f64; 2] = [0.3, 1.2];
    /// Optimal multipliers at 0.3B tokens (tokens of domain i = multiplier / 7 x total).
    pub const MULTIPLIERS_03B: [f64; 7] =
        [1.55819, 0.2, 1.16460, 1.42333, 1.49551, 0.68185, 0.47653];
    /// Optimal multipliers at 1.2B tokens.
    pub const MULTIPLIERS_12B: [f64; 7] = [1.63121, 0.2, 1.30180, 1.21426, 1.83266, 0.62006, 0.2];
    /// The notebook's predicted per-domain tokens (billions) at the next scale.
    pub const NEXT_B: [f64; 7] = [
        1.17097, 0.13714, 0.99784, 0.71033, 1.54000, 0.38666, 0.05756,
    ];
    /// The notebook's predicted totals (billions) at the next four scales (t = 2..5).
    pub const NEXT_TOTALS_B: [f64; 4] = [5.0005, 21.389, 93.228, 412.440];
    /// The notebook's prediction for 0.6B tokens, `sqrt(D(0.3) D(1.2))` (billions).
    pub const MIDPOINT_B: [f64; 7] = [
        0.13665, 0.01714, 0.10554, 0.11268, 0.14190, 0.05573, 0.02646,
    ];
    /// An independent DDO at 0.6B tokens (billions), the notebook's check of
    /// [`MIDPOINT_B`].
    pub const DDO_06B: [f64; 7] = [
        0.14175, 0.01714, 0.10275, 0.10954, 0.13896, 0.06782, 0.02203,
    ];
}

/// `mixlaw reproduce autoscale`, computed: the DDO optimum recomputed by the simplex solver
/// on the `autoscale` law, and the scale extrapolation of the notebook's optima.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reproduction {
    /// DDO optimum (multipliers, summing to 7), ours.
    pub ddo: [f64; 7],
    /// Solver status and Frank-Wolfe gap of the DDO solve.
    pub ddo_status: Status,
    /// Frank-Wolfe gap of the DDO solve.
    pub ddo_gap: f64,
    /// The common marginal gain `b_i (n_i + a_i)^(-b_i - 1)` of the unbounded domains at
    /// our optimum (the notebook: 0.0472026).
    pub ddo_marginal: f64,
    /// Predicted per-domain tokens (billions) at the next scale (t = 2).
    pub next: [f64; 7],
    /// Predicted totals (billions) at t = 2, 3, 4, 5.
    pub next_totals: [f64; 4],
    /// Prediction for 0.6B tokens (t = 1/2), billions.
    pub midpoint: [f64; 7],
}

/// One reported figure: metric `"<kind>_<domain>"` (or `"<kind>_t<t>"` for totals).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    /// `ddo`, `next`, `mid` (per domain) or `next_total` (per scale).
    pub kind: &'static str,
    /// The domain name, or `None` for a total.
    pub domain: Option<&'static str>,
    /// For totals: the scale t (2..5).
    pub t: usize,
    /// Our value.
    pub ours: f64,
    /// The notebook's value.
    pub published: f64,
}

impl core::fmt::Display for Figure {
    /// The metric name: `ddo_github`, `next_c4`, `mid_arxiv`, `next_total_t3`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.domain {
            Some(d) => write!(f, "{}_{d}", self.kind),
            None => write!(f, "{}_t{}", self.kind, self.t),
        }
    }
}

impl Reproduction {
    /// Every figure beside the notebook's: `ddo_<domain>` (multipliers), `next_<domain>`
    /// (billions of tokens at the next scale), `mid_<domain>` (0.6B), `next_total_t<t>`.
    pub fn figures(&self) -> impl Iterator<Item = Figure> + '_ {
        let per_domain = |kind: &'static str, ours: [f64; 7], published: [f64; 7]| {
            (0..7).map(move |i| Figure {
                kind,
                domain: paper::DOMAINS.get(i).copied(),
                t: 0,
                ours: ours.get(i).copied().unwrap_or(f64::NAN),
                published: published.get(i).copied().unwrap_or(f64::NAN),
            })
        };
        per_domain("ddo", self.ddo, paper::DDO_OPTIMUM)
            .chain(per_domain("next", self.next, paper::NEXT_B))
            .chain(per_domain("mid", self.midpoint, paper::MIDPOINT_B))
            .chain(
                self.next_totals
                    .iter()
                    .zip(paper::NEXT_TOTALS_B)
                    .enumerate()
                    .map(|(j, (&ours, published))| Figure {
                        kind: "next_total",
                        domain: None,
                        t: j + 2,
                        ours,
                        published,
                    }),
            )
    }
}

/// Recomputes the notebook's numbers: DDO as the `autoscale` law with `E = 0`, `C_i = 1`,
/// `D0_i = a_i`, `gamma_i = b_i` at `D = 7` (multiplier units, so `D h_i = n_i`) under
/// `h_i >= 0.2 / 7`, solved to a Frank-Wolfe gap of 1e-13; then [`extrapolate`] from the
/// notebook's optima at 0.3B and 1.2B tokens.
pub fn reproduce() -> Result<Reproduction, Error> {
    let law = Autoscale::new(7)?;
    let mut params = [0.0; 22];
    let (c, rest) = params.split_at_mut(1).1.split_at_mut(7);
    let (d0, gamma) = rest.split_at_mut(7);
    c.fill(1.0);
    d0.copy_from_slice(&paper::DDO_A);
    gamma.copy_from_slice(&paper::DDO_B);
    let target = LawAt::new(&law, &params, 1.0, paper::DDO_TOTAL, Scales::default())?;
    let mut solver = Solver::<8>::default();
    let mut config = *solver.config();
    config.gap_tol = 1e-13;
    solver.set_config(config);
    let mut h = [1.0 / 7.0; 7];
    let bounds = Bounds::min_weight(paper::DDO_FLOOR / paper::DDO_TOTAL);
    let solution = solver.minimize(&target, &bounds, &mut h)?;
    let ddo = h.map(|x| x * paper::DDO_TOTAL);
    // The marginal gain of the domain furthest from the floor.
    let (mut best, mut marginal) = (0.0, f64::NAN);
    for ((&n, &a), &b) in ddo.iter().zip(&paper::DDO_A).zip(&paper::DDO_B) {
        if n > best {
            best = n;
            marginal = b * libm::pow(n + a, -b - 1.0);
        }
    }
    let tokens = |m: &[f64; 7], total: f64| m.map(|x| x / 7.0 * total);
    let [s1, s2] = paper::SCALES_B;
    let (d1, d2) = (
        tokens(&paper::MULTIPLIERS_03B, s1),
        tokens(&paper::MULTIPLIERS_12B, s2),
    );
    let mut next = [0.0; 7];
    let mut scratch = [0.0; 7];
    let mut next_totals = [0.0; 4];
    for (j, total) in next_totals.iter_mut().enumerate() {
        let out = if j == 0 { &mut next } else { &mut scratch };
        *total = extrapolate(&d1, &d2, (j + 2) as f64, out)?;
    }
    let mut midpoint = [0.0; 7];
    extrapolate(&d1, &d2, 0.5, &mut midpoint)?;
    Ok(Reproduction {
        ddo,
        ddo_status: solution.status,
        ddo_gap: solution.gap,
        ddo_marginal: marginal,
        next,
        next_totals,
        midpoint,
    })
}
