//! The objective's row pass for one-output laws without warm-start state (the definition
//! of `Law::eval_outputs` written out) gives the same bits as the general pass through
//! `eval_outputs`, with run weights (zeros included), entry weights, every loss; and
//! groups of distinct inputs give the row path's value where they cannot save work.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use mixlaw_core::param::Block;
use mixlaw_core::{
    AnyLaw, Dataset, Error, Groups, Inputs, Law, Loss, Objective, Prepared, Row, Scales,
};

/// `law` with one warm-start value per row (never read): the objective then takes the
/// general pass through `Law::eval_outputs`.
struct WithState(AnyLaw);

impl Law for WithState {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn domains(&self) -> usize {
        self.0.domains()
    }
    fn blocks(&self) -> &'static [Block] {
        self.0.blocks()
    }
    fn inputs(&self) -> Inputs {
        self.0.inputs()
    }
    fn check_row(&self, row: &Row<'_>, index: usize) -> Result<(), Error> {
        self.0.check_row(row, index)
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        self.0.eval_row(params, row, grad)
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.0.grad_h_row(params, row, grad_h)
    }
    fn state_len(&self) -> usize {
        1
    }
}

/// Deterministic uniform numbers in (0, 1) (splitmix64).
fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

#[test]
fn one_output_row_pass_matches_eval_outputs_bit_for_bit() {
    let k = 3;
    let rows = 200;
    let mut u = uniforms(11);
    let mut h = Vec::new();
    let (mut n, mut d, mut y, mut w, mut ew) = (vec![], vec![], vec![], vec![], vec![]);
    for r in 0..rows {
        let e: Vec<f64> = (0..k).map(|_| -u().ln()).collect();
        let s: f64 = e.iter().sum();
        h.extend(e.iter().map(|x| x / s));
        n.push(0.1 + 10.0 * u());
        d.push(1.0 + 50.0 * u());
        y.push(2.0 + u());
        w.push(if r % 7 == 0 {
            0.0
        } else {
            (r % 3) as f64 + 0.5
        });
        ew.push(if r % 5 == 0 { 0.0 } else { 1.0 });
    }
    for name in ["additive-nd", "additive", "additive-n", "joint", "linear"] {
        let law = AnyLaw::new(name, k, None).unwrap();
        let mut data = Dataset::new(k, &h, &y).unwrap();
        if law.inputs().n {
            data = data.with_n(&n).unwrap();
        }
        if law.inputs().d {
            data = data.with_d(&d).unwrap();
        }
        data = data
            .with_weights(&w)
            .unwrap()
            .with_entry_weights(&ew)
            .unwrap();
        let mut cache = vec![0.0; Prepared::buffer_len(rows, k)];
        let prepared = Prepared::new(data, Scales::default(), &mut cache).unwrap();
        let stateful = WithState(law);
        let mut theta = vec![0.0; law.num_params()];
        for t in theta.iter_mut() {
            *t = 0.5 * u() - 0.25;
        }
        for loss in [Loss::Huber { delta: 1e-3 }, Loss::LogHuber { delta: 1e-2 }] {
            let fast = Objective::new(&law, &prepared, loss).unwrap();
            let general = Objective::new(&stateful, &prepared, loss).unwrap();
            let (mut g1, mut g2) = (vec![0.0; theta.len()], vec![0.0; theta.len()]);
            let mut s1 = vec![0.0; fast.scratch_len()];
            let mut s2 = vec![0.0; general.scratch_len()];
            let v1 = fast.eval(&theta, Some(&mut g1), &mut s1).unwrap();
            let v2 = general.eval(&theta, Some(&mut g2), &mut s2).unwrap();
            assert!(v1.is_finite() && v1 > 0.0, "{name}: {v1}");
            assert_eq!(v1.to_bits(), v2.to_bits(), "{name} {loss:?}");
            for (a, b) in g1.iter().zip(&g2) {
                assert_eq!(
                    a.to_bits(),
                    b.to_bits(),
                    "{name} {loss:?}: {g1:?} vs {g2:?}"
                );
            }
            let value_only = fast.eval(&theta, None, &mut s1).unwrap();
            assert_eq!(value_only.to_bits(), v1.to_bits(), "{name} {loss:?}");
        }
    }
}

#[test]
fn groups_of_distinct_mixtures_give_the_row_path() {
    let k = 3;
    let rows = 500;
    let mut u = uniforms(3);
    let mut h = Vec::new();
    let mut y = Vec::new();
    for _ in 0..rows {
        let e: Vec<f64> = (0..k).map(|_| -u().ln()).collect();
        let s: f64 = e.iter().sum();
        h.extend(e.iter().map(|x| x / s));
        y.push(2.0 + u());
    }
    let law = AnyLaw::new("additive-nd", k, None).unwrap();
    let data = Dataset::new(k, &h, &y).unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, k)];
    let prepared = Prepared::new(data, Scales::default(), &mut cache).unwrap();
    let mut group_buf = vec![0usize; Groups::buffer_len(rows)];
    let groups = Groups::new(&prepared, &mut group_buf).unwrap();
    assert_eq!(groups.count(0), rows);
    let loss = Loss::Huber { delta: 1e-3 };
    let by_rows = Objective::new(&law, &prepared, loss).unwrap();
    let by_groups = Objective::new(&law, &prepared, loss)
        .unwrap()
        .with_groups(&groups)
        .unwrap();
    let theta = [0.3, 0.1, -0.2, 0.4, -1.0, -0.5, -0.8];
    let (mut g1, mut g2) = ([0.0; 7], [0.0; 7]);
    let mut s1 = vec![0.0; by_rows.scratch_len()];
    let mut s2 = vec![0.0; by_groups.scratch_len()];
    let v1 = by_rows.eval(&theta, Some(&mut g1), &mut s1).unwrap();
    let v2 = by_groups.eval(&theta, Some(&mut g2), &mut s2).unwrap();
    // By groups the gradient would be summed in sorted-mixture order; by rows, in row
    // order: equal bits show the row path was taken.
    assert_eq!(v1.to_bits(), v2.to_bits());
    assert_eq!(g1.map(f64::to_bits), g2.map(f64::to_bits));
}
