//! InfoLaw on arbitrary settings: `Setting::new`, `info`, `gradient`, `certified_gap`,
//! `optimize_with`, `random_search`, `PowerLaw::loss` return finite values or errors, and
//! an optimum is a sorted recipe on the simplex.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_fuzz::Bytes;
use mixlaw_info::{
    optimize_with, random_search, InfoLaw, KinkSide, Normalization, PowerLaw, Setting,
    SolverConfig, Source,
};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let buckets = usize::from(b.u8() % 12);
    let mut shares = [0.0; 12];
    b.mixture(buckets, &mut shares);
    let Ok(source) = Source::new(&shares[..buckets], b.positive()) else {
        return;
    };
    let normalization = match b.u8() % 4 {
        0 => Normalization::Constant(b.f64()),
        1 => Normalization::Power(b.f64()),
        _ => Normalization::Log,
    };
    let law = if b.u8().is_multiple_of(2) {
        InfoLaw {
            normalization,
            ..InfoLaw::PAPER
        }
    } else {
        InfoLaw {
            theta: b.f64(),
            a: b.f64(),
            b: b.f64(),
            normalization,
        }
    };
    let (model_size, tokens) = (b.positive(), b.positive());
    if std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!("source={source:?} law={law:?} n={model_size:e} t={tokens:e}");
    }
    let Ok(problem) = Setting::new(&law, &source, model_size, tokens) else {
        return;
    };
    let k = problem.buckets();
    let mut w = [0.0; 12];
    let wk = if b.u8().is_multiple_of(16) {
        usize::from(b.u8() % 13)
    } else {
        k
    };
    b.mixture(wk, &mut w);
    let w = &w[..wk];
    if let Ok(v) = problem.info(w) {
        assert!(v.is_finite(), "info {v}");
    }
    if let Ok(v) = problem.info_extended(w) {
        assert!(v.is_finite(), "info_extended {v}");
    }
    let mut g = [0.0; 12];
    let side = if b.u8().is_multiple_of(2) {
        KinkSide::Left
    } else {
        KinkSide::Right
    };
    if let Ok(v) = problem.gradient(w, &mut g[..wk], side) {
        assert!(
            v.is_finite() && g[..wk].iter().all(|x| x.is_finite()),
            "gradient {v} {g:?}"
        );
    }
    if std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!("w={w:?}");
    }
    if let Ok(v) = problem.certified_gap(w) {
        assert!(!v.is_nan(), "gap {v}");
    }
    let config = SolverConfig {
        max_iter: usize::from(b.u8()) * 4 + 1,
        ..SolverConfig::default()
    };
    if let Ok(opt) = optimize_with(&problem, &config) {
        let r = opt.recipe.as_slice();
        assert!(opt.info.is_finite(), "info {}", opt.info);
        let sum: f64 = r.iter().sum();
        assert!((sum - 1.0).abs() < 1e-9, "sum {sum} {r:?}");
        assert!(r.iter().all(|x| x.is_finite() && *x >= 0.0), "{r:?}");
        assert!(
            r.windows(2).all(|p| p[0] >= p[1] - 1e-12),
            "not sorted {r:?}"
        );
        let pl = PowerLaw {
            alpha: b.f64(),
            beta: b.f64(),
            unit: b.positive(),
        };
        for law in [PowerLaw::PAPER, pl] {
            if let Ok(l) = law.loss(opt.info) {
                assert!(l.is_finite(), "loss {l}");
            }
        }
    }
    if let Ok(s) = random_search(&problem, usize::from(b.u8() % 16), u64::from(b.u8())) {
        assert!(s.info.is_finite(), "sampled info {}", s.info);
    }
});
