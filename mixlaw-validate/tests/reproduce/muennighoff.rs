//! Reproduction V4 of `spec/validation.md` (data-constrained law, Muennighoff et al. 2023)
//! on the real data (skipped with a notice when the data folder is absent).

use mixlaw_validate as reproduce;

use super::{data_dir, ours};

#[test]
fn v4_muennighoff() {
    let Some(dir) = data_dir("muennighoff") else {
        return;
    };
    let r = reproduce::run("muennighoff", &dir, false).unwrap();
    std::eprintln!("{}", r.to_json());
    let objective = ours(&r.rows, "objective_sum");
    assert!(objective <= 0.0158260, "objective {objective}");
    let at_published = ours(&r.rows, "objective_at_published_R");
    assert!((at_published - 0.0158259).abs() <= 1e-7, "{at_published}");
    let r2 = ours(&r.rows, "r2");
    assert!((r2 - 0.7722).abs() <= 1e-4, "R^2 {r2}");
    let r2_base = ours(&r.rows, "r2_chinchilla_base");
    assert!((r2_base - 0.4452).abs() <= 1e-4, "R^2 base {r2_base}");
}
