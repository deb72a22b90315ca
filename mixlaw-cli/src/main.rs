//! The `mixlaw` program: see the crate docs of `mixlaw_cli` and `spec/cli.md`.

use std::io::IsTerminal;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Unlocked handles: reproductions print progress from worker threads.
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let err_is_terminal = err.is_terminal();
    let code = mixlaw_cli::main(
        &args,
        &mut mixlaw_cli::Io {
            out: &mut out,
            err: &mut err,
            err_is_terminal,
        },
    );
    std::process::exit(code);
}
