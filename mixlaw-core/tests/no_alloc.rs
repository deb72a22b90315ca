//! Evaluation paths allocate nothing: a counting global allocator (`mixlaw-testkit`,
//! counted per thread) watches them.

use mixlaw_core::laws::{additive::Additive, joint::Joint};
use mixlaw_core::{
    eval, metrics, Dataset, Groups, LawExt, Loss, Objective, Point, Prepared, Scales,
};
use mixlaw_testkit::allocations_during;

#[test]
fn evaluation_paths_do_not_allocate() {
    let k = 3;
    let rows = 50;
    let h: Vec<f64> = (0..rows)
        .flat_map(|r| {
            let a = (r % 7) as f64 / 10.0;
            [a, 0.5 - a / 2.0, 0.5 - a / 2.0]
        })
        .collect();
    let n: Vec<f64> = (0..rows).map(|r| 1e8 * (1 + r % 5) as f64).collect();
    let d: Vec<f64> = (0..rows).map(|r| 1e9 * (1 + r % 11) as f64).collect();
    let y: Vec<f64> = (0..rows).map(|r| 3.0 - 0.01 * r as f64).collect();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, k)];
    let data = Dataset::new(k, &h, &y)
        .unwrap()
        .with_n(&n)
        .unwrap()
        .with_d(&d)
        .unwrap();
    let prepared = Prepared::new(data, Scales { n: 1e9, d: 1e9 }, &mut cache).unwrap();
    let additive = Additive::new(k).unwrap();
    let joint = Joint::new(k).unwrap();
    let pa = [1.5, 0.5, 2.0, 0.3, 0.3, 1.0, 1.5, 2.0, 0.4, 0.3, 0.5];
    let pj = [
        1.5, 0.3, 0.3, 1.0, 1.5, 2.0, 0.4, 0.3, 0.5, 0.5, 0.7, 0.9, 1.1, 1.2, 1.3, 1.4, 0.9,
    ];
    let mut theta_a = [0.0; 11];
    let mut theta_j = [0.0; 17];
    let mut grad = [0.0; 17];
    let mut scratch = [0.0; 36]; // 2 x 17 parameters + 2 x 1 output
    let mut preds = vec![0.0; rows];
    let mut order = vec![0usize; 2 * rows];
    let mut ranks = vec![0.0; 2 * rows];
    let point = Point::new(&[0.2, 0.3, 0.5], 7e9, 1.5e11).unwrap();
    let scales = Scales { n: 1e9, d: 1e9 };
    additive.to_unconstrained(&pa, &mut theta_a).unwrap();
    joint.to_unconstrained(&pj, &mut theta_j).unwrap();
    let mut group_buf = vec![0usize; Groups::buffer_len(rows)];
    let mut grouped_scratch = vec![0.0; 1000];
    let mut total = 0.0;
    let count = allocations_during(|| {
        let groups = Groups::new(&prepared, &mut group_buf).unwrap();
        let oj = Objective::new(&joint, &prepared, Loss::default())
            .unwrap()
            .with_groups(&groups)
            .unwrap();
        total += oj
            .eval(&theta_j, Some(&mut grad), &mut grouped_scratch)
            .unwrap();

        for loss in [
            Loss::Huber { delta: 1e-3 },
            Loss::LogHuber { delta: 1e-3 },
            Loss::Squared,
        ] {
            let oa = Objective::new(&additive, &prepared, loss).unwrap();
            total += oa
                .eval(&theta_a, Some(&mut grad[..11]), &mut scratch)
                .unwrap();
            total += oa.eval(&theta_a, None, &mut scratch).unwrap();
            let oj = Objective::new(&joint, &prepared, loss).unwrap();
            total += oj.eval(&theta_j, Some(&mut grad), &mut scratch).unwrap();
        }
        eval::predict(&joint, &pj, &prepared, &mut preds).unwrap();
        total += metrics::mre(&preds, &y).unwrap() + metrics::r2(&preds, &y).unwrap();
        total += metrics::spearman(&preds, &y, &mut order, &mut ranks).unwrap();
        total += metrics::kendall(&preds, &y, &mut order).unwrap();
        total += joint.value(&pj, &point, scales).unwrap();
        total += joint.value_grad(&pj, &point, scales, &mut grad).unwrap();
        total += joint.grad_h(&pj, &point, scales, &mut grad[..3]).unwrap();
        total += additive
            .grad_h(&pa, &point, scales, &mut grad[..3])
            .unwrap();
    });
    assert!(total.is_finite());
    assert_eq!(count, 0, "evaluation allocated {count} times");
}

#[test]
fn capacity_paths_do_not_allocate() {
    use mixlaw_core::capacity::{mask_below, CapacityLaw, Head};
    let k = 4;
    let h = [0.4, 0.3, 0.2, 0.1, 0.1, 0.0, 0.5, 0.4];
    let (n, d) = ([100.0, 200.0], [10.0, 20.0]);
    let y = [2.0, 2.5, 3.0, 3.5, 2.8, f64::NAN, 2.1, 2.4];
    let mut w = [0.0; 8];
    mask_below(&h, 0.0, &mut w).unwrap();
    let data = Dataset::with_layout(mixlaw_core::Layout::new(k).outputs(k), &h, &y)
        .unwrap()
        .with_n(&n)
        .unwrap()
        .with_d(&d)
        .unwrap()
        .with_entry_weights(&w)
        .unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(2, k)];
    let data = Prepared::new(data, Scales::default(), &mut cache).unwrap();
    let law = CapacityLaw::eq3(k, Head::Fitted).unwrap();
    let bounds = [(1e-3, 10.0); 21];
    let objective = Objective::new(&law, &data, Loss::Squared)
        .unwrap()
        .with_bounds(&bounds)
        .unwrap();
    let theta = [0.1; 21];
    let (mut grad, mut grad_h, mut out) = ([0.0; 21], [0.0; 4], [0.0; 4]);
    let mut params = [0.0; 21];
    let mut scratch = vec![0.0; objective.scratch_len()];
    objective.to_natural(&theta, &mut params).unwrap();
    let point = Point::new(&h[..4], 100.0, 10.0).unwrap();
    let count = allocations_during(|| {
        objective
            .eval(&theta, Some(&mut grad), &mut scratch)
            .unwrap();
        law.values(&params, &point, Scales::default(), &mut out)
            .unwrap();
        law.weighted_grad_h(&params, &point, Scales::default(), &[0.25; 4], &mut grad_h)
            .unwrap();
    });
    assert!(grad.iter().chain(&grad_h).all(|g| g.is_finite()));
    assert_eq!(count, 0, "capacity evaluation allocated {count} times");
}
