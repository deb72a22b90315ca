//! Link flags of the `mixlaw` binary only (tests, examples and the libraries are untouched).
//!
//! On x86-64 Linux with glibc the binary is linked as a position-dependent executable
//! (`-no-pie`): a PIE of this size carries ~20,500 relative relocations that the dynamic
//! loader applies at every start, touching (and copying) each page of its relocated data;
//! without PIE they are resolved at link time (95 remain), page faults per start fall from
//! ~320 to ~145, and `mixlaw --version` starts ~0.3-0.5 ms faster (benches/README.md,
//! "Chinchilla on Epoch's 240 points"). The cost: the binary's own code is not
//! address-randomised (the shared libraries, stack and heap still are). A fully static
//! link (`+crt-static`) started faster still but is a target feature that would also apply
//! to proc-macros, which cannot be built that way; it is not used.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && var("CARGO_CFG_TARGET_ARCH") == "x86_64"
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
