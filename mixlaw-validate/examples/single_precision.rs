//! How far the single-precision device path is from `f64` on the real fitted laws of the
//! reproductions: fits (in `f64`, as the reproductions do) the `joint` and `additive` laws
//! of Shukor et al. on their SlimPajama runs (7 targets, `shukor-table8` / `shukor-optimum`
//! protocol), the SLDBench mixture laws (`additive-nd`, `ye-m1`, `ye-m2`, `ye-m4`, `linear`;
//! 4 sizes x 5 groups, `sldbench-mixture`), and Ye et al.'s `ye-m4` on all 70M mixtures
//! (`ye-mixing`); then evaluates every fitted law through the device path
//! (`LawAt::converted`, parameters converted once to `f32`) and through the `f64` path:
//!
//! - at every training point: the largest relative error of the value, and of the
//!   h-gradient (`max_i |g32_i - g64_i| / max_i |g64_i|`);
//! - at the optimum: `h*` solved by `Solver<8, f32>` (default `f32` gap tolerance) and by
//!   `Solver<8>` (`f64`, gap 1e-10) from the uniform mixture over the plain simplex, their
//!   largest coordinate difference, and the `f64` loss at the `f32` optimum minus the
//!   optimal loss.
//!
//! `cargo run --release -p mixlaw-validate --example single_precision [joint] [additive]
//! [sldbench] [ye]` (data from `MIXLAW_DATA` or `../shared/data`; about 9 minutes on two busy cores,
//! mostly the seven `joint` fits). One line per fit goes to stderr (errors, parameters,
//! both solutions).

use std::path::Path;

use mixlaw_core::laws::{
    additive::Additive, additive_nd::AdditiveNd, joint::Joint, linear::Linear, ye_m1::YeM1,
    ye_m2::YeM2, ye_m4::YeM4,
};
use mixlaw_core::{Loss, RealLaw, Scales};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_opt::{Bounds, LawAt, SimplexObjective, Solver};
use mixlaw_validate::data::{shukor, sldbench};
use mixlaw_validate::fits::{mixture_options, parallel};
use mixlaw_validate::Error;

/// The budget at which Shukor et al. solve for the optimal mixture (7B, 150B tokens).
const SHUKOR_BUDGET: (f64, f64) = (7e9, 150e9);

/// Errors of one fitted law in `f32` against `f64`.
#[derive(Clone, Copy, Debug, Default)]
struct Errors {
    value: f64,
    grad: f64,
    h_star: f64,
    loss_at_h_star: f64,
}

impl Errors {
    fn max(self, o: Errors) -> Errors {
        Errors {
            value: self.value.max(o.value),
            grad: self.grad.max(o.grad),
            h_star: self.h_star.max(o.h_star),
            loss_at_h_star: self.loss_at_h_star.max(o.loss_at_h_star),
        }
    }
}

/// Fits `law` on `runs` and measures its `f32` errors (see the module docs); `budget` is
/// where `h*` is solved (raw N, D). `None` when a fitted parameter is outside `f32`'s normal
/// range (`LawAt::converted` refuses it).
fn measure<L: RealLaw + Clone + Sync>(
    law: L,
    runs: &Runs,
    options: &FitOptions,
    budget: (f64, f64),
) -> Result<Option<Errors>, Error> {
    let fitted = fit(law, runs, options, |_| core::ops::ControlFlow::Continue(()))
        .map_err(|e| Error::compute(format!("fit: {e}")))?;
    let (law, params, scales) = (&fitted.law, &fitted.params[..], fitted.scales);
    let k = runs.k;
    let mut p32 = vec![0.0f32; params.len()];
    let at = LawAt::new(law, params, budget.0, budget.1, scales)?;
    if let Err(e) = at.converted(&mut p32) {
        eprintln!(
            "{}: not representable in f32 ({e})\n  params {params:?}",
            law.name()
        );
        return Ok(None);
    }
    let mut errors = Errors::default();
    let (mut g64, mut g32) = (vec![0.0; k], vec![0.0f32; k]);
    for r in 0..runs.y.len() {
        let h = &runs.h[r * k..(r + 1) * k];
        let n = runs.n.as_ref().map_or(scales.n, |n| n[r]);
        let d = runs.d.as_ref().map_or(scales.d, |d| d[r]);
        let at = LawAt::new(law, params, n, d, scales)?;
        let at32 = at.converted(&mut p32)?;
        let ln_h: Vec<f64> = h.iter().map(|v| v.ln()).collect();
        let h32: Vec<f32> = h.iter().map(|&v| v as f32).collect();
        let ln_h32: Vec<f32> = h32.iter().map(|&v| mixlaw_core::Real::ln(v)).collect();
        let v64 = at.value_grad(h, &ln_h, &mut g64);
        let v32 = at32.value_grad(&h32, &ln_h32, &mut g32);
        errors.value = errors.value.max((f64::from(v32) - v64).abs() / v64.abs());
        let gmax = g64.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        let gerr = g64
            .iter()
            .zip(&g32)
            .fold(0.0f64, |m, (&a, &b)| m.max((f64::from(b) - a).abs()));
        if gmax > 0.0 {
            errors.grad = errors.grad.max(gerr / gmax);
        }
    }
    let at = LawAt::new(law, params, budget.0, budget.1, scales)?;
    let at32 = at.converted(&mut p32)?;
    let mut h64 = vec![1.0 / k as f64; k];
    let s64 = Solver::<8>::default().minimize(&at, &Bounds::SIMPLEX, &mut h64)?;
    let mut h32 = vec![1.0f32 / k as f32; k];
    let s32 = Solver::<8, f32>::default().minimize(&at32, &Bounds::SIMPLEX, &mut h32)?;
    errors.h_star = h64
        .iter()
        .zip(&h32)
        .fold(0.0f64, |m, (&a, &b)| m.max((a - f64::from(b)).abs()));
    let h32_64: Vec<f64> = h32.iter().map(|&v| f64::from(v)).collect();
    let ln: Vec<f64> = h32_64.iter().map(|v| v.ln()).collect();
    errors.loss_at_h_star = at.value(&h32_64, &ln) - s64.objective;
    eprintln!(
        "{}: {errors:?}\n  params {params:?}\n  f64 {s64:?} h* {h64:?}\n  f32 {s32:?} h* {h32:?}",
        law.name()
    );
    Ok(Some(errors))
}

/// One line of the table: the largest errors over the fits that convert to `f32`.
fn print(what: &str, all: &[Option<Errors>]) {
    let refused = all.iter().filter(|e| e.is_none()).count();
    let e = all
        .iter()
        .flatten()
        .fold(Errors::default(), |a, &b| a.max(b));
    println!(
        "| {what} | {} ({refused}) | {:.1e} | {:.1e} | {:.1e} | {:.1e} |",
        all.len(),
        e.value,
        e.grad,
        e.h_star,
        e.loss_at_h_star
    );
}

fn main() -> Result<(), Error> {
    let data = mixlaw_validate::data::dir(None);
    let data = data.as_path();
    println!(
        "Single precision (the device path, f32) against f64, on the laws fitted to the real data:"
    );
    println!("| fitted laws | fits (not representable in f32) | value, max rel. error | h-gradient, max rel. error | h*, max abs. difference | f64 loss at the f32 h* minus the optimum |");
    println!("|---|---:|---:|---:|---:|---:|");
    // Optional arguments pick parts: `joint`, `additive`, `sldbench`, `ye` (all by default).
    let picked: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |part: &str| picked.is_empty() || picked.iter().any(|p| p == part);
    for law in ["joint", "additive"] {
        if wanted(law) {
            shukor_laws(data, law)?;
        }
    }
    if wanted("sldbench") {
        sldbench_laws(data)?;
    }
    if wanted("ye") {
        ye_mixing(data)?;
    }
    Ok(())
}

fn shukor_laws(data: &Path, name: &str) -> Result<(), Error> {
    let domains = shukor::load_targets(data, &shukor::DOMAINS)?;
    let options = FitOptions {
        loss: Loss::Huber { delta: 1e-3 },
        scales: Some(Scales { n: 1e9, d: 1e9 }),
        ..FitOptions::default()
    };
    let k = shukor::DOMAINS.len();
    let all = parallel(domains.len(), 0, |i| {
        let train = &domains[i].train;
        if name == "joint" {
            measure(Joint::new(k)?, train, &options, SHUKOR_BUDGET)
        } else {
            measure(Additive::new(k)?, train, &options, SHUKOR_BUDGET)
        }
    })?;
    print(
        &format!("Shukor et al., `{name}` (k = 7, per target domain; h* at 7B / 150B)"),
        &all,
    );
    Ok(())
}

fn sldbench_laws(data: &Path) -> Result<(), Error> {
    let splits = sldbench::load(data, &sldbench::SIZES)?;
    let k = sldbench::GROUPS.len();
    let options = mixture_options(Loss::Huber { delta: 1e-3 });
    let per_law = splits.len() * k;
    for name in ["additive-nd", "ye-m1", "ye-m2", "ye-m4", "linear"] {
        let all = parallel(per_law, 0, |i| {
            let split = &splits[i / k];
            let train: Vec<&sldbench::Mixture> = split.train.iter().collect();
            let runs = sldbench::runs(&train, i % k);
            let budget = (1e9, 1e9);
            match name {
                "additive-nd" => measure(AdditiveNd::new(k)?, &runs, &options, budget),
                "ye-m1" => measure(YeM1::new(k)?, &runs, &options, budget),
                "ye-m2" => measure(YeM2::new(k)?, &runs, &options, budget),
                "ye-m4" => measure(YeM4::new(k)?, &runs, &options, budget),
                _ => measure(Linear::new(k)?, &runs, &options, budget),
            }
        })?;
        print(
            &format!("SLDBench mixture, `{name}` (k = 5, 4 sizes x 5 groups)"),
            &all,
        );
    }
    Ok(())
}

fn ye_mixing(data: &Path) -> Result<(), Error> {
    let split = sldbench::load(data, &["70M"])?
        .into_iter()
        .next()
        .ok_or_else(|| Error::input("no 70M split"))?;
    let all: Vec<&sldbench::Mixture> = split.train.iter().chain(&split.eval).collect();
    let k = sldbench::GROUPS.len();
    let options = mixture_options(Loss::Squared);
    let errs = parallel(k, 0, |j| {
        measure(
            YeM4::new(k)?,
            &sldbench::runs(&all, j),
            &options,
            (1e9, 1e9),
        )
    })?;
    print(
        "Ye et al. mixing law `ye-m4` (70M, all 26 mixtures, per group)",
        &errs,
    );
    Ok(())
}
