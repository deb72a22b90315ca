//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a part

#[path = "../../../mixlaw-core/tests/common/python.rs"]
pub mod python;

/// The data directory: `$MIXLAW_DATA`, else `../shared/data` from the workspace root;
/// `None` (skip) when unset and the default is absent, a failure when set but missing.
pub fn data_dir() -> Option<std::path::PathBuf> {
    match std::env::var_os("MIXLAW_DATA") {
        Some(d) if !d.is_empty() => {
            let d = std::path::PathBuf::from(d);
            assert!(d.is_dir(), "MIXLAW_DATA={} is not a directory", d.display());
            Some(d)
        }
        _ => {
            let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
            if d.is_dir() {
                Some(d)
            } else {
                eprintln!("skipped: set MIXLAW_DATA (no {})", d.display());
                None
            }
        }
    }
}
