//! Bad inputs are typed errors at the boundary, never panics or silent NaN.

use mixlaw_core::{
    eval, AnyLaw, Dataset, Error, Groups, LawExt, Loss, Objective, Point, Prepared, Scales,
};

#[test]
fn points_are_validated() {
    assert!(matches!(
        Point::new(&[0.5, 0.6], 1.0, 1.0),
        Err(Error::OffSimplex { .. })
    ));
    assert!(matches!(
        Point::new(&[1.5, -0.5], 1.0, 1.0),
        Err(Error::Negative { .. })
    ));
    assert!(matches!(
        Point::new(&[f64::NAN, 1.0], 1.0, 1.0),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Point::new(&[0.5, 0.5], 0.0, 1.0),
        Err(Error::NotPositive { .. })
    ));
    assert!(matches!(
        Point::new(&[0.5, 0.5], 1.0, f64::INFINITY),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Point::new(&[0.0; 200], 1.0, 1.0),
        Err(Error::TooManyDomains { .. })
    ));
    assert!(Point::new(&[], 1e9, 1e10).is_ok());
    let law = AnyLaw::new("joint", 2, None).unwrap();
    let p = Point::new(&[0.5, 0.5], 1e9, 1e10).unwrap();
    let short = [1.0; 5];
    assert!(matches!(
        law.value(&short, &p, Scales::default()),
        Err(Error::WrongParamCount { .. })
    ));
    let three = Point::new(&[0.2, 0.3, 0.5], 1e9, 1e10).unwrap();
    let params = [
        1.5, 0.3, 0.3, 1.0, 1.0, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
    ];
    assert!(matches!(
        law.value(&params, &three, Scales::default()),
        Err(Error::WrongDomainCount { .. })
    ));
    assert!(matches!(
        law.value(&params, &p, Scales { n: 0.0, d: 1.0 }),
        Err(Error::NotPositive { .. })
    ));
    // Overflow is an error, not an infinite loss.
    let huge = [
        1.5, 0.3, 0.3, 1.0, 1.0, 0.5, 0.5, 1e300, 1e300, 900.0, 1.0, 1.0, 1.0,
    ];
    assert!(matches!(
        law.value(&huge, &p, Scales::default()),
        Err(Error::NonFiniteValue { .. })
    ));
    // A zero weight under an exponent below 1 has an infinite derivative in h.
    let corner = Point::new(&[1.0, 0.0], 1e9, 1e10).unwrap();
    let mut gh = [0.0; 2];
    assert_eq!(
        law.grad_h(&params, &corner, Scales { n: 1e9, d: 1e9 }, &mut gh),
        Err(Error::InfiniteGradient { domain: 1 })
    );
}

#[test]
fn data_sets_are_validated() {
    let y = [3.0, 2.9];
    assert!(matches!(
        Dataset::new(2, &[0.5, 0.5, 0.5], &y),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        Dataset::new(2, &[0.5, 0.5, 0.9, 0.2], &y),
        Err(Error::OffSimplex { row: 1, .. })
    ));
    assert!(matches!(Dataset::new(2, &[], &[]), Err(Error::Empty)));
    assert!(matches!(
        Dataset::new(1, &[1.0, 1.0], &[3.0, f64::NAN]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    let ds = Dataset::new(2, &[0.5, 0.5, 0.0, 1.0], &y).unwrap();
    assert!(matches!(
        ds.with_n(&[1.0, -1.0]),
        Err(Error::NotPositive { index: 1, .. })
    ));
    assert!(matches!(
        ds.with_d(&[1.0]),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(ds.with_weights(&[0.0, 0.0]), Err(Error::Empty)));
    assert!(matches!(
        ds.with_weights(&[1.0, -1.0]),
        Err(Error::Negative { .. })
    ));
    let mut small = [0.0; 3];
    assert!(matches!(
        Prepared::new(ds, Scales::default(), &mut small),
        Err(Error::BufferTooSmall { .. })
    ));
    let mut cache = vec![0.0; Prepared::buffer_len(2, 2)];
    let prepared = Prepared::new(ds, Scales::default(), &mut cache).unwrap();
    // A law that needs N on data without N.
    let additive = AnyLaw::new("additive", 2, None).unwrap();
    assert_eq!(
        Objective::new(&additive, &prepared, Loss::default()).err(),
        Some(Error::MissingInput { what: "N" })
    );
    // bimix with the target domain at weight 0 in row 1.
    let bimix = AnyLaw::new("bimix", 2, Some(0)).unwrap();
    let ds_d = ds.with_d(&[1.0, 2.0]).unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(2, 2)];
    let prepared_d = Prepared::new(ds_d, Scales::default(), &mut cache).unwrap();
    assert_eq!(
        eval::check_data(&bimix, &prepared_d),
        Err(Error::ZeroTargetWeight { row: 1 })
    );
    // Log-space loss needs positive observations.
    let neg = Dataset::new(1, &[1.0], &[-1.0]).unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(1, 1)];
    let neg = Prepared::new(neg, Scales::default(), &mut cache).unwrap();
    let linear = AnyLaw::new("linear", 1, None).unwrap();
    assert!(matches!(
        Objective::new(&linear, &neg, Loss::LogHuber { delta: 1e-3 }),
        Err(Error::NotPositive { .. })
    ));
    // Groups need their buffer.
    assert!(matches!(
        Groups::new(&prepared, &mut [0usize; 3]),
        Err(Error::BufferTooSmall { .. })
    ));
}

#[test]
fn objective_is_infinite_not_nan_where_the_law_overflows() {
    let h = [0.5, 0.5];
    let y = [3.0];
    let ds = Dataset::new(2, &h, &y).unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(1, 2)];
    let prepared = Prepared::new(ds, Scales::default(), &mut cache).unwrap();
    let law = AnyLaw::new("ye-m1", 2, None).unwrap();
    let objective = Objective::new(&law, &prepared, Loss::default()).unwrap();
    let mut scratch = vec![0.0; objective.scratch_len()];
    let mut grad = [0.0; 5];
    // exp(1e4 * 0.5) overflows.
    let v = objective
        .eval(&[0.0, 1.0, 1.0, 1e4, 1e4], Some(&mut grad), &mut scratch)
        .unwrap();
    assert_eq!(v, f64::INFINITY);
    assert!(matches!(
        objective.eval(&[0.0, 1.0, f64::NAN, 0.0, 0.0], None, &mut scratch),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        objective.eval(&[0.0; 5], None, &mut [0.0; 2]),
        Err(Error::BufferTooSmall { .. })
    ));
}
