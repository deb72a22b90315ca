//! The `mixlaw` command-line program. Run from the repository root:
//! `cargo run --release --example mixlaw -- <command> ...` (no command: a demo).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Unlocked handles: reproductions print progress from worker threads.
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let code = mixlaw_cli::commands::main(
        &args,
        &mut mixlaw_cli::commands::Io {
            out: &mut out,
            err: &mut err,
        },
    );
    std::process::exit(code);
}
