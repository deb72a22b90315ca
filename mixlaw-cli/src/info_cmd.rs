//! `mixlaw info eval` and `mixlaw info best`: the InfoLaw of `mixlaw-info` with the paper's
//! constants ([`InfoLaw::PAPER`], [`PowerLaw::PAPER`]) and bucket shares ([`PAPER_SHARES`]).

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_info::{optimize, random_search, InfoLaw, PowerLaw, Setting, Source, PAPER_SHARES};

use crate::args::Args;
use crate::commands::Io;
use crate::error::CliError;
use crate::json::Json;

const USAGE: &str =
    "mixlaw info eval --size N --tokens T --source S --recipe w0,w1,.. [--shares p0,..] [--json]
mixlaw info best --size N --tokens T --source S [--shares p0,..] [--random K --seed U64] [--json]";

/// Largest `--random K` accepted (the paper draws 100,000).
const MAX_RANDOM: u64 = 10_000_000;

/// Runs `mixlaw info SUBCOMMAND ...` (`args` without the word `info`).
pub fn run(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    match args.first().map(String::as_str) {
        Some("eval") => eval(args.get(1..).unwrap_or(&[]), io),
        Some("best") => best(args.get(1..).unwrap_or(&[]), io),
        Some(other) => Err(CliError::input(format!(
            "unknown info command '{other}' (usage: {})",
            USAGE.replace('\n', " | ")
        ))),
        None => Err(CliError::input(format!(
            "info needs a command (usage: {})",
            USAGE.replace('\n', " | ")
        ))),
    }
}

fn input(e: mixlaw_info::Error) -> CliError {
    CliError::input(e.to_string())
}

fn print(io: &mut Io<'_>, text: &str) -> Result<(), CliError> {
    writeln!(io.out, "{text}").map_err(|e| CliError::compute(format!("cannot write output: {e}")))
}

fn positive(a: &Args, name: &str) -> Result<f64, CliError> {
    let v = a
        .number(name)?
        .ok_or_else(|| CliError::input(format!("--{name} is required")))?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(CliError::input(format!("--{name} must be positive")))
    }
}

/// The `(N, T, S)` problem of the flags.
fn setting(a: &Args) -> Result<(Setting, Source), CliError> {
    let size = positive(a, "size")?;
    let tokens = positive(a, "tokens")?;
    let source_size = positive(a, "source")?;
    let shares = a.numbers("shares")?;
    let source = match &shares {
        Some(p) => Source::new(p, source_size),
        None => Source::new(&PAPER_SHARES, source_size),
    }
    .map_err(input)?;
    let problem = Setting::new(&InfoLaw::PAPER, &source, size, tokens).map_err(input)?;
    Ok((problem, source))
}

fn loss(info: f64) -> Result<f64, CliError> {
    PowerLaw::PAPER
        .loss(info)
        .map_err(|e| CliError::compute(e.to_string()))
}

fn fmt_list(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.4}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn eval(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    let a = Args::parse(
        args,
        &["size", "tokens", "source", "recipe", "shares"],
        &["json"],
    )?;
    let (problem, source) = setting(&a)?;
    let w = a
        .numbers("recipe")?
        .ok_or_else(|| CliError::input("--recipe is required"))?;
    let info = problem.info(&w).map_err(input)?;
    let mix = source.layermix(&w, problem.tokens()).map_err(input)?;
    let unique: Vec<f64> = mix.buckets().iter().map(|b| b.unique).collect();
    let repetition: Vec<f64> = mix.buckets().iter().map(|b| b.repetition).collect();
    let l = loss(info)?;
    if a.has("json") {
        let j = Json::obj([
            ("model_size", Json::Num(problem.model_size())),
            ("tokens", Json::Num(problem.tokens())),
            ("source", Json::Num(source.size())),
            ("shares", Json::nums(source.shares())),
            ("recipe", Json::nums(&w)),
            ("unique_tokens", Json::nums(&unique)),
            ("repetition", Json::nums(&repetition)),
            ("decay_rate", Json::Num(problem.decay_rate())),
            ("info", Json::Num(info)),
            ("loss", Json::Num(l)),
        ]);
        print(io, &j.to_text())
    } else {
        print(
            io,
            &format!(
                "InfoLaw: N = {:.4e}, T = {:.4e} tokens, S = {:.4e} tokens, k = {:.4}",
                problem.model_size(),
                problem.tokens(),
                source.size(),
                problem.decay_rate()
            ),
        )?;
        print(
            io,
            &format!(
                "{:>6} {:>8} {:>14} {:>10}",
                "bucket", "w", "unique", "repeats"
            ),
        )?;
        for (d, (b, wd)) in mix.buckets().iter().zip(&w).enumerate() {
            print(
                io,
                &format!(
                    "{d:>6} {wd:>8.4} {:>14.4e} {:>10.3}",
                    b.unique, b.repetition
                ),
            )?;
        }
        print(io, &format!("info = {info:.6e}"))?;
        print(io, &format!("loss = {l:.6}"))
    }
}

fn best(args: &[String], io: &mut Io<'_>) -> Result<(), CliError> {
    let a = Args::parse(
        args,
        &["size", "tokens", "source", "shares", "random", "seed"],
        &["json"],
    )?;
    let (problem, _source) = setting(&a)?;
    let random = a.integer("random")?;
    let seed = a.integer("seed")?;
    if seed.is_some() && random.is_none() {
        return Err(CliError::input("--seed needs --random K"));
    }
    if let Some(k) = random {
        if k == 0 || k > MAX_RANDOM {
            return Err(CliError::input(format!(
                "--random must be between 1 and {MAX_RANDOM}"
            )));
        }
    }
    let opt = optimize(&problem).map_err(|e| CliError::compute(e.to_string()))?;
    let l = loss(opt.info)?;
    let sampled = match random {
        Some(k) => Some(
            random_search(&problem, k as usize, seed.unwrap_or(0))
                .map_err(|e| CliError::compute(e.to_string()))?,
        ),
        None => None,
    };
    if a.has("json") {
        let mut j = Json::obj([
            ("model_size", Json::Num(problem.model_size())),
            ("tokens", Json::Num(problem.tokens())),
            ("source", Json::Num(problem.source().size())),
            ("recipe", Json::nums(opt.recipe.as_slice())),
            ("info", Json::Num(opt.info)),
            ("loss", Json::Num(l)),
            ("gap", Json::Num(opt.gap)),
        ]);
        if let Some(s) = &sampled {
            j.push(
                "random",
                Json::obj([
                    ("samples", Json::Num(s.samples as f64)),
                    ("seed", Json::Num(seed.unwrap_or(0) as f64)),
                    ("recipe", Json::nums(s.recipe.as_slice())),
                    ("info", Json::Num(s.info)),
                    ("loss", Json::Num(loss(s.info)?)),
                ]),
            );
        }
        print(io, &j.to_text())
    } else {
        print(
            io,
            &format!(
                "exact optimum:  w = [{}]  info = {:.6e}  loss = {l:.6}  certified gap <= {:.3e}",
                fmt_list(opt.recipe.as_slice()),
                opt.info,
                opt.gap
            ),
        )?;
        if let Some(s) = &sampled {
            print(
                io,
                &format!(
                    "best of {} random: w = [{}]  info = {:.6e}  loss = {:.6}",
                    s.samples,
                    fmt_list(s.recipe.as_slice()),
                    s.info,
                    loss(s.info)?
                ),
            )?;
        }
        Ok(())
    }
}
