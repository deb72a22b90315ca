//! Distinct inputs of a data set: which rows share a mixture, a model size, a token count.
//!
//! Training runs come as grids (Shukor et al.: 2,408 rows but 60 mixtures, 5 model sizes
//! and 44 token counts), so a separable law (see [`crate::Law::separable_terms`]) is
//! evaluated once per distinct input and combined per row with a few multiply-adds.
//! Built once per data set, in a caller-provided `usize` buffer; values must match exactly.

use core::cmp::Ordering;

use crate::data::Prepared;
use crate::Error;

/// Group ids of every row and one representative row per group, for h, N and D.
#[derive(Debug)]
pub struct Groups<'a> {
    rows: usize,
    ids: [&'a [usize]; 3],
    reps: [&'a [usize]; 3],
}

impl<'a> Groups<'a> {
    /// Buffer length [`Groups::new`] needs for `rows` rows.
    pub const fn buffer_len(rows: usize) -> usize {
        7 * rows
    }

    /// Finds the distinct mixtures, model sizes and token counts of `data`.
    pub fn new(data: &Prepared<'_>, buf: &'a mut [usize]) -> Result<Self, Error> {
        let rows = data.rows();
        let needed = Self::buffer_len(rows);
        if buf.len() < needed {
            return Err(Error::BufferTooSmall {
                needed,
                found: buf.len(),
            });
        }
        let (order, rest) = buf.split_at_mut(rows);
        let (ids_h, rest) = rest.split_at_mut(rows);
        let (ids_n, rest) = rest.split_at_mut(rows);
        let (ids_d, rest) = rest.split_at_mut(rows);
        let (reps_h, rest) = rest.split_at_mut(rows);
        let (reps_n, rest) = rest.split_at_mut(rows);
        let (reps_d, _) = rest.split_at_mut(rows);
        let uh = group(order, ids_h, reps_h, |a, b| {
            let (x, y) = (data.row(a), data.row(b));
            match (x, y) {
                (Some(x), Some(y)) => lexicographic(x.h, y.h),
                _ => Ordering::Equal,
            }
        });
        let un = group(order, ids_n, reps_n, |a, b| {
            let key = |r| data.row(r).map(|x| x.n).unwrap_or(0.0);
            key(a).total_cmp(&key(b))
        });
        let ud = group(order, ids_d, reps_d, |a, b| {
            let key = |r| data.row(r).map(|x| x.d).unwrap_or(0.0);
            key(a).total_cmp(&key(b))
        });
        let (reps_h, _) = reps_h.split_at(uh);
        let (reps_n, _) = reps_n.split_at(un);
        let (reps_d, _) = reps_d.split_at(ud);
        Ok(Groups {
            rows,
            ids: [ids_h, ids_n, ids_d],
            reps: [reps_h, reps_n, reps_d],
        })
    }

    /// Number of rows indexed.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Group id of every row for input `i` (0: h, 1: N, 2: D).
    pub fn ids(&self, i: usize) -> &'a [usize] {
        self.ids.get(i).copied().unwrap_or(&[])
    }
    /// One representative row per group for input `i` (0: h, 1: N, 2: D).
    pub fn representatives(&self, i: usize) -> &'a [usize] {
        self.reps.get(i).copied().unwrap_or(&[])
    }
    /// Number of distinct values of input `i` (0: h, 1: N, 2: D).
    pub fn count(&self, i: usize) -> usize {
        self.representatives(i).len()
    }
}

fn lexicographic(a: &[f64], b: &[f64]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match x.total_cmp(y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

/// Sorts row indices by `cmp`, writes each row's group id and each group's first row;
/// returns the number of groups.
fn group(
    order: &mut [usize],
    ids: &mut [usize],
    reps: &mut [usize],
    cmp: impl Fn(usize, usize) -> Ordering,
) -> usize {
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    let mut groups = 0;
    let mut previous: Option<usize> = None;
    for &r in order.iter() {
        let same = previous.is_some_and(|p| cmp(p, r) == Ordering::Equal);
        if !same {
            if let Some(slot) = reps.get_mut(groups) {
                *slot = r;
            }
            groups += 1;
        }
        if let Some(id) = ids.get_mut(r) {
            *id = groups - 1;
        }
        previous = Some(r);
    }
    groups
}
