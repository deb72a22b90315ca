//! `mixlaw plot fit|optimum`: standalone SVG pictures (plotters' SVG backend, no system
//! libraries: text is SVG `<text>` that the viewer draws, so no font is embedded).
//!
//! - `plot fit`: a saved fit's predictions ([`super::predict::predictions`]; a law with several
//!   outputs, the capacity laws: one mark per scored run and domain) against the
//!   observed losses, one circle per run, the identity line `predicted = observed`, and, for
//!   laws of N, one colour per model size (up to [`PALETTE`]'s 20 sizes; more are shaded
//!   from light to dark by `log N`).
//! - `plot optimum`: `optimize`'s h* ([`super::optimize::solve`], every limit flag of
//!   `optimize` applies, the capacity laws included) at `K` budgets `N_j = A (B/A)^(j/(K-1))`, `j = 0..K-1`, with
//!   `D_j` swept the same way over `--d-range` when given (else `--d`, fixed), as a stacked
//!   area: domain `i` fills `sum_{l<i} h*_l <= y <= sum_{l<=i} h*_l` over `log N`.

use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_core::Law;
use plotters::prelude::*;

use mixlaw_validate::json::{nums, obj, Json};

use super::optimize::{solve, Optimum};
use super::predict::{predictions, Predictions};
use crate::cli::{list, PlotArgs, PlotCommand, PlotFitArgs, PlotOptimumArgs};
use crate::output::{Io, Output};
use crate::{params, Error};

/// Size of a picture in pixels.
const SIZE: (u32, u32) = (900, 600);

/// Width of the legend column of `plot optimum`.
const LEGEND_WIDTH: u32 = 220;

/// Colours of domains and model sizes (Tableau 20), in order.
pub const PALETTE: [(u8, u8, u8); 20] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (174, 199, 232),
    (255, 187, 120),
    (152, 223, 138),
    (255, 152, 150),
    (197, 176, 213),
    (196, 156, 148),
    (247, 182, 210),
    (199, 199, 199),
    (219, 219, 141),
    (158, 218, 229),
];

/// Runs `mixlaw plot`.
pub fn run(a: &PlotArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    match &a.command {
        PlotCommand::Fit(f) => fit(f, out),
        PlotCommand::Optimum(o) => optimum(o, out),
    }
}

/// A drawing error as the program's error (a failure to compute).
fn drawing<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::compute(format!("drawing the picture failed: {e}"))
}

/// Writes the SVG text to `path` (an unwritable path is bad input).
fn write_svg(path: &Path, svg: &str) -> Result<(), Error> {
    std::fs::write(path, svg)
        .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))
}

/// `--out` must name an `.svg` file.
fn check_out(path: &Path) -> Result<(), Error> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => Ok(()),
        _ => Err(Error::input(format!(
            "--out {}: only SVG pictures are written (name the file *.svg)",
            path.display()
        ))),
    }
}

/// Colour `i` of [`PALETTE`] (cycling).
fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE.get(i % PALETTE.len()).copied().unwrap_or((0, 0, 0));
    RGBColor(r, g, b)
}

/// A number in a legend or an axis label: 3 significant digits, exponent form outside
/// [1e-2, 1e4).
fn short(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e4 || v.abs() < 1e-2) {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
    }
}

/// `plot fit`.
fn fit(a: &PlotFitArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    check_out(&a.out)?;
    // One mark per scored entry: per run, or per run and domain for a law with several
    // outputs (the capacity laws), with the model size of its run where the law has N.
    let Predictions {
        fit,
        runs,
        pred: all,
        metrics,
        ..
    } = predictions(&a.predict, out)?;
    let Some(metrics) = metrics else {
        return Err(Error::input(
            "plot fit needs the observed loss: --loss COL (or a saved loss column in the file)",
        ));
    };
    let outputs = fit.law.outputs().max(1);
    let sizes_of_runs = runs.n.as_ref().filter(|_| fit.law.inputs().n);
    let (mut pred, mut observed, mut marked_sizes) = (Vec::new(), Vec::new(), Vec::new());
    for (e, (&p, &o)) in all.iter().zip(&runs.y).enumerate() {
        let scored = runs.entry_weights.as_ref().is_none_or(|w| w[e] > 0.0);
        if !scored || !p.is_finite() || !o.is_finite() {
            continue;
        }
        pred.push(p);
        observed.push(o);
        if let Some(n) = sizes_of_runs {
            marked_sizes.push(n[e / outputs]);
        }
    }
    let sizes = sizes_of_runs.map(|_| marked_sizes);
    let law = fit.law.name();
    let metrics = Some(metrics);
    let several_outputs = outputs > 1;
    let observed = &observed;
    let sizes = sizes.as_ref();
    let mut distinct: Vec<f64> = sizes.cloned().unwrap_or_default();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let (lo, hi) = pred
        .iter()
        .chain(observed)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(*v), h.max(*v))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(Error::compute("a prediction or a loss is not finite"));
    }
    let pad = ((hi - lo) * 0.05).max(1e-9 * hi.abs().max(1.0));
    let range = (lo - pad)..(hi + pad);
    let caption = match &metrics {
        Some(m) => format!(
            "{}: predicted vs observed ({} {}, MRE {:.3} %, Spearman {})",
            law,
            m.rows,
            if several_outputs { "entries" } else { "runs" },
            m.mre,
            m.spearman
                .map_or("undefined".to_string(), |s| format!("{s:.4}"))
        ),
        None => format!("{law}: predicted vs observed"),
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(range.clone(), range.clone())
            .map_err(drawing)?;
        chart
            .configure_mesh()
            .x_desc("observed loss")
            .y_desc("predicted loss")
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| short(*v))
            .draw()
            .map_err(drawing)?;
        chart
            .draw_series(LineSeries::new(
                [(range.start, range.start), (range.end, range.end)],
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(drawing)?
            .label("predicted = observed")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.6)));
        let (log_lo, log_hi) = (
            distinct.first().map_or(0.0, |v| v.ln()),
            distinct.last().map_or(0.0, |v| v.ln()),
        );
        let shade = |n: f64| -> RGBColor {
            if distinct.len() <= PALETTE.len() {
                let i = distinct.iter().position(|d| *d == n).unwrap_or(0);
                colour(i)
            } else {
                // Light to dark blue by log N.
                let t = if log_hi > log_lo {
                    (n.ln() - log_lo) / (log_hi - log_lo)
                } else {
                    0.0
                };
                let mix = |a: f64, b: f64| (a + (b - a) * t).round().clamp(0.0, 255.0) as u8;
                RGBColor(mix(158.0, 8.0), mix(202.0, 48.0), mix(225.0, 107.0))
            }
        };
        let marks = observed.iter().zip(&pred).enumerate().map(|(r, (&o, &p))| {
            let c = sizes
                .and_then(|s| s.get(r))
                .map_or(colour(0), |&n| shade(n));
            Circle::new((o, p), 3, c.mix(0.8).filled())
        });
        chart.draw_series(marks).map_err(drawing)?;
        // Legend entries for the model sizes (squares, so that circles count runs).
        let legend_sizes: Vec<f64> = if distinct.len() <= PALETTE.len() {
            distinct.clone()
        } else {
            [distinct.first(), distinct.last()]
                .into_iter()
                .flatten()
                .copied()
                .collect()
        };
        for n in legend_sizes {
            let c = shade(n);
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(drawing)?
                .label(format!("N = {}", short(n)))
                .legend(move |(x, y)| {
                    Rectangle::new([(x + 4, y - 4), (x + 12, y + 4)], c.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(drawing)?;
        root.present().map_err(drawing)?;
    }
    write_svg(&a.out, &svg)?;
    if out.json() {
        out.object(obj([
            ("out", Json::from(a.out.display().to_string())),
            ("marks", Json::from(pred.len())),
            ("model_sizes", nums(&distinct)),
        ]))
    } else {
        out.line(&format!(
            "wrote {} ({} marks{})",
            a.out.display(),
            pred.len(),
            if distinct.is_empty() {
                String::new()
            } else {
                format!(", {} model sizes", distinct.len())
            }
        ))
    }
}

/// `A:B` with `0 < A < B`, both finite.
fn range(flag: &str, value: &str) -> Result<(f64, f64), Error> {
    let bad = || {
        Error::input(format!(
            "--{flag} '{value}': expected A:B with 0 < A < B (e.g. 1e8:1e10)"
        ))
    };
    let (a, b) = value.split_once(':').ok_or_else(bad)?;
    let (a, b): (f64, f64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > 0.0 && b > a && b.is_finite() {
        Ok((a, b))
    } else {
        Err(bad())
    }
}

/// `K` log-spaced values from `a` to `b`: `a (b/a)^(j/(K-1))`.
fn log_spaced(a: f64, b: f64, k: usize) -> Vec<f64> {
    let last = (k - 1).max(1) as f64;
    (0..k)
        .map(|j| {
            if j + 1 == k {
                b
            } else {
                a * (b / a).powf(j as f64 / last)
            }
        })
        .collect()
}

/// `plot optimum`.
fn optimum(a: &PlotOptimumArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    check_out(&a.out)?;
    let o = &a.optimize;
    if o.bootstrap_params.is_some() {
        return Err(Error::input(
            "plot optimum does not draw bootstrap optima: leave out --bootstrap-params",
        ));
    }
    if a.points < 2 {
        return Err(Error::input("--points must be at least 2"));
    }
    let (n_lo, n_hi) = range("n-range", &a.n_range)?;
    let d_sweep = a
        .d_range
        .as_deref()
        .map(|r| range("d-range", r))
        .transpose()?;
    // The laws: every one must have N; D is swept (or fixed by --d) when one has D.
    let paths = list("params", &o.params)?;
    let mut has_d = false;
    let mut laws: Vec<&'static str> = Vec::new();
    for p in &paths {
        let law = params::load(Path::new(p))?.law;
        let (name, inputs) = (law.name(), law.inputs());
        if !inputs.n {
            return Err(Error::input(format!(
                "plot optimum sweeps N, but law '{name}' ({p}) has no N"
            )));
        }
        has_d |= inputs.d;
        laws.push(name);
    }
    if d_sweep.is_some() && !has_d {
        return Err(Error::input("--d-range: none of these laws has D"));
    }
    if has_d && d_sweep.is_none() && o.d.is_none() {
        return Err(Error::input(
            "these laws depend on D: pass --d-range A:B (swept with N) or --d X (fixed)",
        ));
    }
    let ns = log_spaced(n_lo, n_hi, a.points);
    let ds: Vec<Option<f64>> = match d_sweep {
        Some((lo, hi)) => log_spaced(lo, hi, a.points).into_iter().map(Some).collect(),
        None => std::vec![o.d; a.points],
    };
    // One optimum per point; flag warnings (unused flags) once, from the first point.
    let mut optima: Vec<Optimum> = Vec::with_capacity(a.points);
    let (mut sink_out, mut sink_err) = (std::io::sink(), std::io::sink());
    let mut sink = Io {
        out: &mut sink_out,
        err: &mut sink_err,
        err_is_terminal: false,
    };
    let mut muted = Output::new(&mut sink, false, true);
    for (j, (&n, &d)) in ns.iter().zip(&ds).enumerate() {
        let at = crate::cli::OptimizeArgs {
            n: Some(n),
            d: if has_d { d } else { None },
            ..o.clone()
        };
        let target = |o: &mut Output<'_, '_>| solve(&at, o);
        optima.push(if j == 0 {
            target(out)?
        } else {
            target(&mut muted)?
        });
    }
    drop(muted);
    let extrapolating: Vec<f64> = ns
        .iter()
        .zip(&optima)
        .filter(|(_, x)| !x.warnings.is_empty())
        .map(|(n, _)| *n)
        .collect();
    if let (Some(first), Some(last)) = (extrapolating.first(), extrapolating.last()) {
        out.warn(format!(
            "h* leaves the training support at {} of {} points (N = {}..{}; see optimize for details)",
            extrapolating.len(),
            a.points,
            short(*first),
            short(*last)
        ));
    }
    let names = optima.first().map(|x| x.names.clone()).unwrap_or_default();
    let k = names.len();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let (plot_area, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        let budget = match d_sweep {
            Some((lo, hi)) => format!(" (D from {} to {} jointly)", short(lo), short(hi)),
            None => match (has_d, o.d) {
                (true, Some(d)) => format!(" (D = {})", short(d)),
                _ => String::new(),
            },
        };
        let caption = format!("{}: h* against N{budget}", laws.join(" + "));
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(caption, ("sans-serif", 18))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d((n_lo..n_hi).log_scale(), 0.0..1.0)
            .map_err(drawing)?;
        chart
            .configure_mesh()
            .x_desc("model size N")
            .y_desc("h* (stacked)")
            .x_label_formatter(&|v| format!("{v:.0e}"))
            .draw()
            .map_err(drawing)?;
        let mut below = std::vec![0.0; ns.len()];
        for i in 0..k {
            let above: Vec<f64> = below
                .iter()
                .zip(&optima)
                .map(|(b, x)| (b + x.h.get(i).copied().unwrap_or(0.0)).min(1.0))
                .collect();
            let outline: Vec<(f64, f64)> = ns
                .iter()
                .copied()
                .zip(above.iter().copied())
                .chain(ns.iter().copied().zip(below.iter().copied()).rev())
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(outline, colour(i).filled())))
                .map_err(drawing)?;
            below = above;
        }
        // Legend: one square and name per domain, in the order of the stack (top first).
        let style = ("sans-serif", 13).into_font().color(&BLACK);
        let row = ((SIZE.1 - 60) / (k.max(1) as u32)).clamp(8, 22) as i32;
        for (place, (i, name)) in names.iter().enumerate().rev().enumerate() {
            let y = 40 + row * place as i32;
            legend
                .draw(&Rectangle::new([(8, y), (20, y + 12)], colour(i).filled()))
                .map_err(drawing)?;
            legend
                .draw(&Text::new(name.clone(), (26, y), style.clone()))
                .map_err(drawing)?;
        }
        root.present().map_err(drawing)?;
    }
    write_svg(&a.out, &svg)?;
    if out.json() {
        let points: Vec<Json> = ns
            .iter()
            .zip(&ds)
            .zip(&optima)
            .map(|((n, d), x)| {
                obj([
                    ("n", Json::from(*n)),
                    ("d", d.filter(|_| has_d).map_or(Json::Null, Json::from)),
                    ("h", nums(&x.h)),
                    ("objective", Json::from(x.value)),
                    ("gap", Json::from(x.solution.gap)),
                ])
            })
            .collect();
        out.object(obj([
            ("out", Json::from(a.out.display().to_string())),
            (
                "domains",
                Json::Array(names.iter().map(|n| Json::from(n.clone())).collect()),
            ),
            ("points", Json::Array(points)),
        ]))
    } else {
        out.line(&format!(
            "wrote {} ({} domains, {} budgets from N = {} to {})",
            a.out.display(),
            k,
            a.points,
            short(n_lo),
            short(n_hi)
        ))
    }
}
