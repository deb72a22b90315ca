//! The program points of the contract's second edition: `--version`, help on stdout with
//! exit code 0 (every form), each command's help listing its flags and only those, an unknown
//! flag naming the flag meant, unused flags warned about (stderr and the JSON `"warnings"`,
//! present on every command), and a closed stdout ending quietly with exit code 0. Most run
//! in process; the version, help and pipe checks also run the built binary.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::process::{Command, Stdio};

use common::{demo_csv, run, temp, COLS};
use mixlaw_cli::{main, Io, Json};

const BIN: &str = env!("CARGO_BIN_EXE_mixlaw");

fn bin(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn version_prints_name_and_semver() {
    for (code, out, err) in [bin(&["--version"]), run(&["--version"])] {
        assert_eq!(code, 0, "{err}");
        assert!(err.is_empty(), "{err}");
        let version = out.trim().strip_prefix("mixlaw ").unwrap();
        let parts: Vec<&str> = version.split('.').collect();
        assert!(
            parts.len() == 3 && parts.iter().all(|p| p.parse::<u64>().is_ok()),
            "{out}"
        );
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
    }
}

/// On x86-64 Linux with glibc the binary is linked without PIE (`mixlaw-cli/build.rs`): its
/// ELF header's type is `ET_EXEC` (2), not `ET_DYN` (3), and it still runs.
#[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
#[test]
fn binary_is_position_dependent_on_x86_64_linux_gnu() {
    let mut header = [0u8; 18];
    std::fs::File::open(BIN)
        .unwrap()
        .read_exact(&mut header)
        .unwrap();
    assert_eq!(&header[..4], b"\x7fELF");
    assert_eq!(u16::from_le_bytes([header[16], header[17]]), 2, "e_type");
    assert_eq!(bin(&["--version"]).0, 0);
}

#[test]
fn every_form_of_help_is_on_stdout_with_exit_0() {
    let forms: [&[&str]; 6] = [
        &["--help"],
        &["help"],
        &["help", "fit"],
        &["fit", "--help"],
        &["help", "info", "best"],
        &["optimize", "-h"],
    ];
    for args in forms {
        for (code, out, err) in [bin(args), run(args)] {
            assert_eq!(code, 0, "{args:?}: {err}");
            assert!(err.is_empty(), "{args:?}: {err}");
            assert!(out.contains("Usage: mixlaw"), "{args:?}: {out}");
        }
    }
}

/// The long flags listed in `mixlaw help CMD`.
fn listed_flags(cmd: &[&str]) -> Vec<String> {
    let mut args = vec!["help"];
    args.extend(cmd);
    let (code, out, _) = run(&args);
    assert_eq!(code, 0);
    let mut flags: Vec<String> = out
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("--"))
        .map(|w| w.trim_end_matches(',').to_string())
        .filter(|w| {
            w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

#[test]
fn each_command_help_lists_exactly_its_flags() {
    let every = ["help", "json", "quiet", "seed", "version"];
    let columns = [
        "weights",
        "loss",
        "n",
        "d",
        "unique",
        "target-domain",
        "normalize",
        "sum-tol",
        "join",
    ];
    let search = [
        "n-scale", "d-scale", "loss-fn", "delta", "starts", "hops", "local",
    ];
    let cases: [(&[&str], Vec<&str>); 8] = [
        (&["laws"], vec!["domains"]),
        (
            &["fit"],
            [
                &["law", "train", "eval", "out"][..],
                &columns,
                &search,
                &["bootstrap", "resample", "bootstrap-out", "threads"],
                &["bound", "no-bounds", "head", "mask-below"],
                &["screen-rows"],
            ]
            .concat(),
        ),
        (&["predict"], [&["params", "csv"][..], &columns].concat()),
        (
            &["optimize"],
            vec![
                "params",
                "target-weights",
                "n",
                "d",
                "min-weight",
                "max-weights",
                "min-weights",
                "trust",
                "prior",
                "kl",
                "available",
                "target-tokens",
                "max-repeat",
                "bootstrap-params",
            ],
        ),
        (
            &["select"],
            [
                &["train", "laws", "folds", "leave-out", "by", "threads"][..],
                &columns,
                &search,
            ]
            .concat(),
        ),
        (&["reproduce"], vec!["data"]),
        (
            &["info", "eval"],
            vec!["size", "tokens", "source", "shares", "recipe"],
        ),
        (
            &["info", "best"],
            vec!["size", "tokens", "source", "shares", "random"],
        ),
    ];
    for (cmd, own) in cases {
        let mut expected: Vec<String> = own
            .iter()
            .chain(every.iter())
            .map(|s| s.to_string())
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(listed_flags(cmd), expected, "{cmd:?}");
    }
}

#[test]
fn unknown_flag_is_one_error_line_naming_it_and_the_flag_meant() {
    let args = [
        "fit",
        "--law",
        "additive",
        "--train",
        "x.csv",
        "--wieghts",
        "a",
    ];
    for (code, out, err) in [run(&args), bin(&args)] {
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: ") && err.contains("--wieghts") && err.contains("--weights"),
            "{err}"
        );
    }
    // A flag of another command is unknown here too, and nothing close is suggested.
    let (code, _, err) = run(&["laws", "--bootstrap", "3"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: ") && err.contains("--bootstrap") && err.lines().count() == 1);
    let (code, _, err) = run(&["predict", "--params", "p.json", "--csv", "x.csv", "--zzz"]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("tip"), "{err}");
}

/// The `"warnings"` strings of a JSON output.
fn warnings(out: &str) -> Vec<String> {
    let j = mixlaw_validate::json::parse(out).unwrap();
    j.get("warnings")
        .and_then(Json::as_array)
        .unwrap_or_else(|| panic!("no \"warnings\" list in {out}"))
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_flag_the_law_does_not_use_is_warned_about() {
    let (train, _) = demo_csv();
    let train = temp("warn.csv", &train);
    let base = [
        "fit",
        "--law",
        "chinchilla",
        "--train",
        &train,
        "--loss",
        "loss",
        "--n",
        "params",
        "--d",
        "tokens",
        "--starts",
        "1",
        "--hops",
        "0",
    ];
    // --weights for chinchilla (no mixture), --target-domain for a law without a target.
    let mut args = base.to_vec();
    args.extend(["--weights", "w0,w1,w2", "--target-domain", "1", "--json"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let w = warnings(&out);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("--weights") && w[0].contains("chinchilla"),
        "{w:?}"
    );
    assert!(w[1].contains("--target-domain"), "{w:?}");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].contains("--weights"), "{err}");
    // --quiet: no warning line, the JSON still names them.
    args.push("--quiet");
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(warnings(&out).len(), 2);
    // --n for a law of the mixture alone.
    let mut args = vec!["fit", "--law", "additive-nd", "--train", &train];
    args.extend(&COLS[..6]);
    args.extend(["--starts", "1", "--hops", "0", "--json", "--quiet"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let w = warnings(&out);
    assert!(w.len() == 1 && w[0].starts_with("--n "), "{w:?}");
    // Nothing unused: no warnings.
    let mut clean = base.to_vec();
    clean.push("--json");
    let (code, out, err) = run(&clean);
    assert_eq!(code, 0, "{err}");
    assert!(
        warnings(&out).is_empty() && !err.contains("warning"),
        "{err}"
    );
}

#[test]
fn warnings_key_is_present_on_every_command() {
    let (train, _) = demo_csv();
    let train = temp("every.csv", &train);
    let params = temp("every.json", "");
    let cols = COLS;
    let fit: Vec<&str> = [
        &[
            "fit", "--law", "additive", "--train", &train, "--out", &params, "--starts", "1",
            "--hops", "0",
        ][..],
        &cols,
    ]
    .concat();
    // (predict without --loss, which it does not use.)
    let predict: Vec<&str> = [
        &["predict", "--params", &params, "--csv", &train][..],
        &cols[..2],
        &cols[4..],
    ]
    .concat();
    let select: Vec<&str> = [
        &[
            "select", "--train", &train, "--laws", "additive", "--folds", "2", "--starts", "1",
            "--hops", "0",
        ][..],
        &cols,
    ]
    .concat();
    let setting = ["--size", "7e9", "--tokens", "300e9", "--source", "300e9"];
    let eval: Vec<&str> = [
        &["info", "eval"][..],
        &setting,
        &["--recipe", "0.4,0.3,0.2,0.05,0.03,0.02"],
    ]
    .concat();
    let best: Vec<&str> = [&["info", "best"][..], &setting].concat();
    let commands: Vec<Vec<&str>> = vec![
        vec!["laws"],
        fit,
        predict,
        vec![
            "optimize", "--params", &params, "--n", "7e9", "--d", "1.5e11",
        ],
        select,
        vec!["reproduce", "infolaw-table6", "--data", "."],
        eval,
        best,
    ];
    for mut args in commands {
        args.extend(["--json", "--quiet"]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_eq!(out.lines().count(), 1, "{args:?}: {out}");
        // (optimize says when h* leaves the training support, as it does here: the
        // demo's few training mixtures do not surround it; which domains leave their
        // training range too depends on the fitted minimum.)
        let found = warnings(&out);
        if args[0] == "optimize" {
            let hull = "the mixture is not a convex combination of the training mixtures";
            assert!(found.iter().any(|w| w == hull), "{args:?}: {out}");
            assert!(
                found
                    .iter()
                    .all(|w| w == hull
                        || (w.starts_with("domain '") && w.contains("training weight"))),
                "{args:?}: {out}"
            );
        } else {
            assert!(found.is_empty(), "{args:?}: {out}");
        }
    }
}

/// A stdout whose reader has gone: every write fails with a broken pipe.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    let (mut out, mut err) = (ClosedPipe, Vec::new());
    let code = main(
        &["mixlaw", "laws", "--domains", "7"],
        &mut Io {
            out: &mut out,
            err: &mut err,
            err_is_terminal: false,
        },
    );
    assert_eq!(code, 0);
    assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));

    // The binary, its stdout read for one line and then closed (`mixlaw fit ... | head -1`).
    let (train, _) = demo_csv();
    let train = temp("pipe.csv", &train);
    let mut child = Command::new(BIN)
        .args(["fit", "--law", "joint", "--train", &train])
        .args(COLS)
        .args(["--starts", "2", "--hops", "1", "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// `fit --screen-rows N`: above N runs the search runs on a subsample (2,048 runs) and the
/// JSON says so in `"screen"`; at or below N, or with 0, no screen and no `"screen"`.
#[test]
fn fit_screens_many_runs_and_screen_rows_sets_the_threshold() {
    // 2,500 runs of an additive-nd law (k = 3) at distinct mixtures, 0.5 % noise.
    let mut csv = String::from("w0,w1,w2,loss\n");
    let mut rng = mixlaw_fit::Rng::new(3);
    for _ in 0..2_500 {
        let e: Vec<f64> = (0..3).map(|_| -rng.next_f64().max(1e-300).ln()).collect();
        let s: f64 = e.iter().sum();
        let h: Vec<f64> = e.iter().map(|x| x / s).collect();
        let clean = 1.5 + 1.0 / (h[0].powf(0.3) + 2.0 * h[1].powf(0.5) + 1.5 * h[2].powf(0.4));
        let y = clean * (1.0 + 0.005 * rng.uniform(-1.0, 1.0));
        csv += &format!("{},{},{},{y}\n", h[0], h[1], h[2]);
    }
    let train = temp("screen_rows.csv", &csv);
    let fit_json = |screen_rows: &str| {
        let args = [
            "fit",
            "--law",
            "additive-nd",
            "--train",
            &train,
            "--weights",
            "w0,w1,w2",
            "--loss",
            "loss",
            "--starts",
            "4",
            "--hops",
            "0",
            "--screen-rows",
            screen_rows,
            "--json",
            "--quiet",
        ];
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let screened = fit_json("1000");
    assert_eq!(screened["screen"]["rows"], 2048, "{screened}");
    assert!(screened["screen"]["polished"].as_u64().unwrap() >= 1);
    assert!(screened["screen"]["agreeing_starts"].as_u64().unwrap() >= 1);
    let full = fit_json("2500");
    assert!(full.get("screen").is_none(), "{full}");
    assert!(fit_json("0").get("screen").is_none());
    // The screened search reaches the full search's objective.
    let objective = |j: &serde_json::Value| j["objective"].as_f64().unwrap();
    assert!(objective(&screened) <= objective(&full) * (1.0 + 1e-9));
    // A bad threshold is one error line, exit 2.
    let (code, _, err) = run(&[
        "fit",
        "--law",
        "additive-nd",
        "--train",
        &train,
        "--screen-rows",
        "-1",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error:"), "{err}");
}
