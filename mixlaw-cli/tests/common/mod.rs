//! Shared by the CLI test binaries: run the program in process, write temporary files.
#![allow(dead_code)]

use mixlaw_cli::commands::demo::demo_data;
use mixlaw_cli::{main, Io};

/// Runs `mixlaw ARGS` in process: (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = std::iter::once("mixlaw")
        .chain(args.iter().copied())
        .map(str::to_string)
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = main(
        &args,
        &mut Io {
            out: &mut out,
            err: &mut err,
            err_is_terminal: false,
        },
    );
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Writes `text` to a file `name` in this process's temporary folder; returns its path.
pub fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mixlaw-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// The demo's runs as CSV text (3 domains).
pub fn demo_csv() -> (String, String) {
    let (train, eval, _) = demo_data().unwrap();
    let to_csv = |r: &mixlaw_fit::owned::Runs| {
        let mut s = String::from("w0,w1,w2,params,tokens,loss\n");
        for i in 0..r.rows() {
            let h = &r.h[3 * i..3 * i + 3];
            s += &format!(
                "{},{},{},{},{},{}\n",
                h[0],
                h[1],
                h[2],
                r.n.as_ref().unwrap()[i],
                r.d.as_ref().unwrap()[i],
                r.y[i]
            );
        }
        s
    };
    (to_csv(&train), to_csv(&eval))
}

/// The column flags of [`demo_csv`].
pub const COLS: [&str; 8] = [
    "--weights",
    "w0,w1,w2",
    "--loss",
    "loss",
    "--n",
    "params",
    "--d",
    "tokens",
];
