//! `mixlaw info eval` / `mixlaw info best` in process: JSON keys, the exact optimum beating
//! a published recipe, and bad input answered by one `error:` line and exit code 2.

mod common;

use common::run;
use mixlaw_cli::Json;

fn json(args: &[&str]) -> Json {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{err}");
    mixlaw_validate::json::parse(out.trim()).unwrap()
}

/// Table 6, 7B at 300B tokens, normalised to sum to 1.
const PUBLISHED: &str = "0.5474525474525476,0.44355644355644364,0.003996003996003997,0.0029970029970029974,0.0019980019980019984,0";

const SETTING: [&str; 6] = ["--size", "7e9", "--tokens", "300e9", "--source", "300e9"];

#[test]
fn eval_keys_and_values() {
    let mut args = vec!["info", "eval"];
    args.extend(SETTING);
    args.extend(["--recipe", PUBLISHED, "--json"]);
    let j = json(&args);
    for key in [
        "model_size",
        "tokens",
        "source",
        "shares",
        "recipe",
        "unique_tokens",
        "repetition",
        "decay_rate",
        "info",
        "loss",
    ] {
        assert!(j.get(key).is_some(), "missing key {key}");
    }
    let loss = j.get("loss").unwrap().as_f64().unwrap();
    assert!(loss > 2.5 && loss < 3.0, "{loss}");
    let Some(Json::Array(rep)) = j.get("repetition") else {
        panic!("repetition is not an array")
    };
    assert_eq!(rep.len(), 6);
    assert!(rep[0].as_f64().unwrap() > 10.0); // bucket 0 repeated ~11x
                                              // text output works too
    let mut args = vec!["info", "eval"];
    args.extend(SETTING);
    args.extend(["--recipe", PUBLISHED]);
    let (code, out, _) = run(&args);
    assert_eq!(code, 0);
    assert!(out.contains("info =") && out.contains("loss ="));
}

#[test]
fn best_beats_published_recipe() {
    let mut args = vec!["info", "eval"];
    args.extend(SETTING);
    args.extend(["--recipe", PUBLISHED, "--json"]);
    let published = json(&args).get("info").unwrap().as_f64().unwrap();

    let mut args = vec!["info", "best"];
    args.extend(SETTING);
    args.extend(["--random", "2000", "--seed", "7", "--json"]);
    let j = json(&args);
    for key in ["recipe", "info", "loss", "gap", "random"] {
        assert!(j.get(key).is_some(), "missing key {key}");
    }
    let best = j.get("info").unwrap().as_f64().unwrap();
    let gap = j.get("gap").unwrap().as_f64().unwrap();
    assert!(best >= published, "{best} < {published}");
    assert!(gap >= 0.0 && gap <= 1e-6 * best);
    let random = j.get("random").unwrap();
    let sampled = random.get("info").unwrap().as_f64().unwrap();
    assert!(sampled <= best * (1.0 + 1e-12));
    assert_eq!(random.get("samples").unwrap().as_f64(), Some(2000.0));
    assert!(
        j.get("loss").unwrap().as_f64().unwrap() <= random.get("loss").unwrap().as_f64().unwrap()
    );
}

#[test]
fn bad_input_exits_2() {
    let cases: Vec<Vec<&str>> = vec![
        vec!["info"],
        vec!["info", "nope"],
        vec![
            "info", "eval", "--size", "7e9", "--tokens", "300e9", "--source", "300e9",
        ],
        vec![
            "info",
            "eval",
            "--size",
            "7e9",
            "--tokens",
            "300e9",
            "--source",
            "300e9",
            "--recipe",
            "0.5,0.6,0,0,0,0",
        ],
        vec![
            "info", "eval", "--size", "7e9", "--tokens", "300e9", "--source", "300e9", "--recipe",
            "0.5,0.5",
        ],
        vec![
            "info", "best", "--size", "-1", "--tokens", "300e9", "--source", "300e9",
        ],
        vec![
            "info", "best", "--size", "7e9", "--tokens", "nan", "--source", "300e9",
        ],
        vec!["info", "best", "--size", "7e9", "--tokens", "300e9"],
        vec![
            "info", "best", "--size", "7e9", "--tokens", "300e9", "--source", "300e9", "--shares",
            "0.5,0.6",
        ],
        vec![
            "info", "best", "--size", "7e9", "--tokens", "300e9", "--source", "300e9", "--random",
            "0",
        ],
        vec!["info", "best", "--size", "7e9", "--bogus", "1"],
    ];
    for args in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
}

/// `--seed` without `--random` is accepted (every command accepts `--seed`) but not silently
/// (the contract's second edition; it used to be an error).
#[test]
fn seed_without_random_is_a_warning() {
    let args = [
        "info", "best", "--size", "7e9", "--tokens", "300e9", "--source", "300e9", "--seed", "3",
        "--json",
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with("warning: --seed") && err.lines().count() == 1,
        "{err}"
    );
    let j = mixlaw_validate::json::parse(&out).unwrap();
    let warnings = j.get("warnings").and_then(Json::as_array).unwrap();
    assert!(warnings.len() == 1 && warnings[0].as_str().unwrap().contains("--seed"));
}
