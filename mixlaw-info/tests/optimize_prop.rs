//! The optimiser on random settings (1-8 buckets, random shares, sizes, budgets, models,
//! densities and normalisations): a converged, certified, non-increasing recipe that beats
//! a random search.

use mixlaw_info::{
    check_recipe, optimize, random_search, InfoLaw, Normalization, Setting, Source, Status,
};
use proptest::prelude::*;

fn normalization() -> impl Strategy<Value = Normalization> {
    prop_oneof![
        Just(Normalization::Log),
        (0.5..50.0f64).prop_map(Normalization::Constant),
        (0.02..0.2f64).prop_map(Normalization::Power),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(256)))]

    #[test]
    fn optimum_is_certified_and_beats_random_search(
        raw in prop::collection::vec(0.05..1.0f64, 1..=8),
        ls in 9.0..13.0f64,
        lt in 9.0..13.0f64,
        ln in 8.0..11.0f64,
        theta in 0.0..2.0f64,
        norm in normalization(),
        seed in 0u64..1000,
    ) {
        let sum: f64 = raw.iter().sum();
        let shares: Vec<f64> = raw.iter().map(|v| v / sum).collect();
        let law = InfoLaw { theta, normalization: norm, ..InfoLaw::PAPER };
        let src = Source::new(&shares, 10f64.powf(ls)).unwrap();
        let p = Setting::new(&law, &src, 10f64.powf(ln), 10f64.powf(lt)).unwrap();
        let opt = optimize(&p).unwrap();
        let w = opt.recipe.as_slice();
        check_recipe(w, shares.len(), true).unwrap();
        prop_assert_eq!(opt.status, Status::Converged, "{:?}", opt);
        prop_assert!(opt.gap <= 1e-9 * p.scale());
        prop_assert!(p.certified_gap(w).unwrap() <= 1e-9 * p.scale());
        let rs = random_search(&p, 3000, seed).unwrap();
        // Exact up to the certified gap (1e-12 T g(D) by default).
        prop_assert!(opt.info + opt.gap >= rs.info, "{} + {} < {}", opt.info, opt.gap, rs.info);
    }
}
