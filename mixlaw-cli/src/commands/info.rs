//! `mixlaw info eval` and `mixlaw info best`: the InfoLaw of `mixlaw-info` with the paper's
//! constants ([`InfoLaw::PAPER`], [`PowerLaw::PAPER`]) and bucket shares ([`PAPER_SHARES`]).

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_info::{optimize, random_search, InfoLaw, PowerLaw, Setting, Source, PAPER_SHARES};
use mixlaw_validate::json::{nums, obj, push, Json};

use crate::cli::{numbers, Global, InfoArgs, InfoBestArgs, InfoCommand, InfoEvalArgs, InfoSetting};
use crate::output::Output;
use crate::Error;

/// Largest `--random K` accepted (the paper draws 100,000).
const MAX_RANDOM: u64 = 10_000_000;

/// Runs `mixlaw info eval|best`.
pub fn run(a: &InfoArgs, global: &Global, out: &mut Output<'_, '_>) -> Result<(), Error> {
    match &a.command {
        InfoCommand::Eval(e) => eval(e, out),
        InfoCommand::Best(b) => best(b, global.seed, out),
    }
}

fn input(e: mixlaw_info::Error) -> Error {
    Error::input(e.to_string())
}

fn positive(name: &str, v: f64) -> Result<f64, Error> {
    if v > 0.0 {
        Ok(v)
    } else {
        Err(Error::input(format!("--{name} must be positive")))
    }
}

/// The `(N, T, S)` problem of the flags.
fn setting(a: &InfoSetting) -> Result<(Setting, Source), Error> {
    let size = positive("size", a.size)?;
    let tokens = positive("tokens", a.tokens)?;
    let source_size = positive("source", a.source)?;
    let shares = a
        .shares
        .as_deref()
        .map(|s| numbers("shares", s))
        .transpose()?;
    let source = match &shares {
        Some(p) => Source::new(p, source_size),
        None => Source::new(&PAPER_SHARES, source_size),
    }
    .map_err(input)?;
    let problem = Setting::new(&InfoLaw::PAPER, &source, size, tokens).map_err(input)?;
    Ok((problem, source))
}

fn loss(info: f64) -> Result<f64, Error> {
    PowerLaw::PAPER
        .loss(info)
        .map_err(|e| Error::compute(e.to_string()))
}

fn fmt_list(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.4}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn eval(a: &InfoEvalArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let (problem, source) = setting(&a.setting)?;
    let w = numbers("recipe", &a.recipe)?;
    let info = problem.info(&w).map_err(input)?;
    let mix = source.layermix(&w, problem.tokens()).map_err(input)?;
    let unique: Vec<f64> = mix.buckets().iter().map(|b| b.unique).collect();
    let repetition: Vec<f64> = mix.buckets().iter().map(|b| b.repetition).collect();
    let l = loss(info)?;
    if out.json() {
        let j = obj([
            ("model_size", Json::from(problem.model_size())),
            ("tokens", Json::from(problem.tokens())),
            ("source", Json::from(source.size())),
            ("shares", nums(source.shares())),
            ("recipe", nums(&w)),
            ("unique_tokens", nums(&unique)),
            ("repetition", nums(&repetition)),
            ("decay_rate", Json::from(problem.decay_rate())),
            ("info", Json::from(info)),
            ("loss", Json::from(l)),
        ]);
        out.object(j)
    } else {
        out.line(&format!(
            "InfoLaw: N = {:.4e}, T = {:.4e} tokens, S = {:.4e} tokens, k = {:.4}",
            problem.model_size(),
            problem.tokens(),
            source.size(),
            problem.decay_rate()
        ))?;
        out.line(&format!(
            "{:>6} {:>8} {:>14} {:>10}",
            "bucket", "w", "unique", "repeats"
        ))?;
        for (d, (b, wd)) in mix.buckets().iter().zip(&w).enumerate() {
            out.line(&format!(
                "{d:>6} {wd:>8.4} {:>14.4e} {:>10.3}",
                b.unique, b.repetition
            ))?;
        }
        out.line(&format!("info = {info:.6e}"))?;
        out.line(&format!("loss = {l:.6}"))
    }
}

fn best(a: &InfoBestArgs, seed: Option<u64>, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let (problem, _source) = setting(&a.setting)?;
    let random = a.random;
    if let Some(k) = random {
        if k == 0 || k > MAX_RANDOM {
            return Err(Error::input(format!(
                "--random must be between 1 and {MAX_RANDOM}"
            )));
        }
    }
    let opt = optimize(&problem).map_err(|e| Error::compute(e.to_string()))?;
    let l = loss(opt.info)?;
    let sampled = match random {
        Some(k) => Some(
            random_search(&problem, k as usize, seed.unwrap_or(0))
                .map_err(|e| Error::compute(e.to_string()))?,
        ),
        None => None,
    };
    if out.json() {
        let mut j = obj([
            ("model_size", Json::from(problem.model_size())),
            ("tokens", Json::from(problem.tokens())),
            ("source", Json::from(problem.source().size())),
            ("recipe", nums(opt.recipe.as_slice())),
            ("info", Json::from(opt.info)),
            ("loss", Json::from(l)),
            ("gap", Json::from(opt.gap)),
        ]);
        if let Some(s) = &sampled {
            push(
                &mut j,
                "random",
                obj([
                    ("samples", Json::from(s.samples)),
                    ("seed", Json::from(seed.unwrap_or(0))),
                    ("recipe", nums(s.recipe.as_slice())),
                    ("info", Json::from(s.info)),
                    ("loss", Json::from(loss(s.info)?)),
                ]),
            );
        }
        out.object(j)
    } else {
        out.line(&format!(
            "exact optimum:  w = [{}]  info = {:.6e}  loss = {l:.6}  certified gap <= {:.3e}",
            fmt_list(opt.recipe.as_slice()),
            opt.info,
            opt.gap
        ))?;
        if let Some(s) = &sampled {
            out.line(&format!(
                "best of {} random: w = [{}]  info = {:.6e}  loss = {:.6}",
                s.samples,
                fmt_list(s.recipe.as_slice()),
                s.info,
                loss(s.info)?
            ))?;
        }
        Ok(())
    }
}
