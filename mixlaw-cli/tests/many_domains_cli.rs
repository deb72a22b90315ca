//! `mixlaw` at many domains: `optimize` of a k = 1,024 fit certifies its optimum (the
//! solver at a capacity picked from k), a `laws` table at k = 1,024, and one `error:` line
//! past the largest capacity.

mod common;

use common::{run, temp};

/// A `ye-m1` params file for k domains, written by hand (the count follows from the
/// names): `L = E + sum_i C_i exp(gamma_i h_i)` with `C_i > 0`, `gamma_i < 0`.
fn ye_m1_params(k: usize) -> String {
    let mut pairs = vec![("E".to_string(), 1.5)];
    pairs.extend((0..k).map(|i| {
        (
            format!("C[{i}]"),
            0.002 + 0.008 * ((i * 37) % k) as f64 / k as f64,
        )
    }));
    pairs.extend((0..k).map(|i| {
        (
            format!("gamma[{i}]"),
            -0.5 - 2.5 * ((i * 53) % k) as f64 / k as f64,
        )
    }));
    let body: Vec<String> = pairs.iter().map(|(n, v)| format!("\"{n}\": {v}")).collect();
    format!(
        "{{\"law\": \"ye-m1\", \"params\": {{{}}}}}",
        body.join(", ")
    )
}

#[test]
fn optimize_certifies_an_optimum_at_1024_domains() {
    let k = 1024;
    let params = temp("ye_m1_1024.json", &ye_m1_params(k));
    let (code, out, err) = run(&["optimize", "--params", &params, "--json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let h: Vec<f64> = j["h"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(h.len(), k);
    assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(h.iter().all(|&v| v >= 0.0));
    let gap = j["gap"].as_f64().unwrap();
    assert!((0.0..=1e-9).contains(&gap), "gap {gap}");
    // The optimum beats the uniform mixture: L(uniform) = E + sum_i C_i exp(gamma_i / k).
    let c = |i: usize| 0.002 + 0.008 * ((i * 37) % k) as f64 / k as f64;
    let g = |i: usize| -0.5 - 2.5 * ((i * 53) % k) as f64 / k as f64;
    let uniform: f64 = 1.5 + (0..k).map(|i| c(i) * (g(i) / k as f64).exp()).sum::<f64>();
    let objective = j["objective"].as_f64().unwrap();
    assert!(
        objective < uniform - 1e-6,
        "{objective} vs uniform {uniform}"
    );
    // Stationarity of the interior domains: C_i gamma_i exp(gamma_i h_i) is the same for
    // every domain with h_i > 0.
    let slopes: Vec<f64> = (0..k)
        .filter(|&i| h[i] > 1e-6)
        .map(|i| c(i) * g(i) * (g(i) * h[i]).exp())
        .collect();
    assert!(slopes.len() > 1);
    let (lo, hi) = slopes
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &s| {
            (a.min(s), b.max(s))
        });
    assert!(hi - lo < 1e-6 * lo.abs(), "slopes {lo} .. {hi}");
}

#[test]
fn laws_lists_counts_at_1024_domains() {
    let (code, out, err) = run(&["laws", "--domains", "1024", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"ye-m1\""), "{out}");
    assert!(out.contains("2049"), "ye-m1 has 1 + 2k parameters: {out}");
}

#[test]
fn beyond_the_largest_capacity_is_one_error_line() {
    let k = 5000;
    let params = temp("ye_m1_5000.json", &ye_m1_params(k));
    let (code, _, err) = run(&["optimize", "--params", &params]);
    assert_eq!(code, 2);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("error:") && lines[0].contains("5000"),
        "{err}"
    );
}

/// The optimiser at the program's largest capacity (`LARGE_DOMAINS`, k = 4,096) solves on a
/// thread with a 64 KiB stack: its working vectors are in a heap workspace
/// (`solver::minimize_in`). A `Box::new(Solver::<4096>::default())`, nine arrays of 4,096
/// values (288 KiB) built on the stack before being moved to the heap in a debug build,
/// overflowed this stack even in the tests' optimised profile.
#[test]
fn optimize_at_the_largest_capacity_runs_on_a_small_stack() {
    use mixlaw_cli::commands::optimize::{minimize_fits, LARGE_DOMAINS};
    use mixlaw_core::{AnyLaw, Loss, Scales};
    use mixlaw_fit::owned::Fit;
    use mixlaw_opt::Bounds;
    let k = LARGE_DOMAINS;
    let law = AnyLaw::new("ye-m1", k, None).unwrap();
    // E, C[i] > 0, gamma[i] < 0, as in `ye_m1_params`.
    let mut params = vec![1.5];
    params.extend((0..k).map(|i| 0.002 + 0.008 * ((i * 37) % k) as f64 / k as f64));
    params.extend((0..k).map(|i| -0.5 - 2.5 * ((i * 53) % k) as f64 / k as f64));
    let fit = Fit {
        law,
        params,
        scales: Scales::default(),
        loss: Loss::Squared,
        objective: 0.0,
        outcome: None,
        active_bounds: Vec::new(),
    };
    let solved = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let mut h = vec![1.0 / k as f64; k];
            let bounds = Bounds::min_weight(0.0);
            let (solution, value, _) = minimize_fits(
                std::slice::from_ref(&fit),
                &[Vec::new()],
                &[1.0],
                (1e9, 1e10),
                &bounds,
                None,
                &mut h,
            )
            .unwrap();
            (solution, value, h)
        })
        .unwrap()
        .join()
        .expect("the solve ran out of its 64 KiB stack");
    let (solution, value, h) = solved;
    assert!(solution.gap <= 1e-6, "{solution:?}");
    assert!(value.is_finite() && value < 1.5 + 0.01 * k as f64);
    assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-9);
}
