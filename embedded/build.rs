//! Runs every check of `src/checks.rs` on the host, at build time, and writes the results
//! to `$OUT_DIR/expected.rs` as bit patterns; the firmware compares its own results with
//! them bit for bit. Also puts `memory.x` where the linker finds it (cortex-m-rt's
//! `link.x` includes it).

use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "src/checks.rs"]
#[allow(dead_code)]
mod checks;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::copy("memory.x", out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=src/checks.rs");

    let mut src = String::from(
        "/// Host results of every check of `checks::CHECKS`, in order, as `f64::to_bits`.\n\
         pub const EXPECTED: [&[u64]; checks::CHECKS.len()] = [\n",
    );
    for (name, check) in checks::CHECKS {
        let mut values = checks::Values::new();
        if let Err(e) = check(&mut values) {
            panic!("check `{name}` fails on the host: {e:?}");
        }
        writeln!(src, "    // {name}: {:?}", values.as_slice()).unwrap();
        src.push_str("    &[");
        for v in values.as_slice() {
            write!(src, "{:#018x}, ", v.to_bits()).unwrap();
        }
        src.push_str("],\n");
    }
    src.push_str("];\n");
    std::fs::write(out.join("expected.rs"), src).expect("write expected.rs");
}
