//! `mixlaw laws`: every law of the catalogue with its parameter count for K domains (the
//! capacity laws with a fitted head size H), its inputs and its outputs per run.

use std::format;
use std::vec::Vec;

use mixlaw_core::{laws, AnyLaw, Law};
use mixlaw_validate::json::{obj, Json};

use crate::cli::LawsArgs;
use crate::output::Output;
use crate::Error;

/// Runs `mixlaw laws`.
pub fn run(a: &LawsArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let k = a.domains;
    if k == 0 {
        return Err(Error::input("--domains must be at least 1"));
    }
    let mut rows = Vec::new();
    for name in laws::NAMES {
        let law = AnyLaw::new(name, k, Some(0))?;
        rows.push((
            *name,
            law.num_params(),
            law.inputs().names().collect::<Vec<_>>(),
        ));
    }
    if out.json() {
        let list = rows
            .iter()
            .map(|(n, p, i)| {
                obj([
                    ("name", Json::from(*n)),
                    ("params", Json::from(*p)),
                    (
                        "inputs",
                        Json::Array(i.iter().map(|s| Json::from(*s)).collect()),
                    ),
                ])
            })
            .collect();
        out.object(obj([("laws", Json::Array(list))]))
    } else {
        out.line(&format!(
            "{:<18} {:>7}  inputs   (k = {k} domains)",
            "law", "params"
        ))?;
        for (n, p, i) in rows {
            out.line(&format!("{n:<18} {p:>7}  {}", i.join(",")))?;
        }
        Ok(())
    }
}
