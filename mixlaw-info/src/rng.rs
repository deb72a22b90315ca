//! Random draws for the paper's random search, on `mixlaw-fit`'s seedable generator
//! (xoshiro256++ seeded by SplitMix64): the same stream for a seed on every platform.

pub use mixlaw_fit::Rng;

/// Fills `w` with a Dirichlet(1, ..., 1) draw ([`Rng::dirichlet`]: normalised standard
/// exponentials, uniform on the simplex) sorted in decreasing order.
///
/// ```
/// use mixlaw_info::rng::{sorted_dirichlet, Rng};
/// let mut rng = Rng::new(1);
/// let mut w = [0.0; 6];
/// sorted_dirichlet(&mut rng, &mut w);
/// assert!(w.windows(2).all(|p| p[0] >= p[1]));
/// assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// ```
pub fn sorted_dirichlet(rng: &mut Rng, w: &mut [f64]) {
    rng.dirichlet(w);
    // Insertion sort, decreasing (a handful of buckets).
    for i in 1..w.len() {
        let mut j = i;
        while j > 0 {
            match (w.get(j - 1).copied(), w.get(j).copied()) {
                (Some(a), Some(b)) if a < b => w.swap(j - 1, j),
                _ => break,
            }
            j -= 1;
        }
    }
}
