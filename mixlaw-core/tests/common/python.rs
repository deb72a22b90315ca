//! Reference values computed at test time by a script of `benches/scripts/` (scipy).
//! Shared with mixlaw-opt's tests (included there by path).

/// Runs `python3 benches/scripts/<script>` and parses each output line as
/// space-separated floats; `None` (with a skip notice) when python3 or scipy is missing.
pub fn python_rows(script: &str) -> Option<Vec<Vec<f64>>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../benches/scripts/").to_string() + script;
    let out = match std::process::Command::new("python3").arg(&path).output() {
        Ok(o) if o.status.success() => o,
        _ => {
            eprintln!("skipped: python3 with scipy is not available ({path})");
            return None;
        }
    };
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    Some(
        text.lines()
            .map(|l| l.split(' ').map(|t| t.parse().expect("a float")).collect())
            .collect(),
    )
}
