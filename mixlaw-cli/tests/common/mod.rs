//! Shared by the CLI test binaries: run the program in process, write temporary files.
#![allow(dead_code)]

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
