//! Random draws for the paper's random search, on `mixlaw-fit`'s seedable generator
//! (xoshiro256++ seeded by SplitMix64): the same stream for a seed on every platform.

/// The generator of [`mixlaw_fit::Rng`] with the draws InfoLaw's random search needs.
#[derive(Clone, Debug)]
pub struct Rng(mixlaw_fit::Rng);

impl Rng {
    /// A generator for `seed`; equal seeds give equal streams.
    pub fn new(seed: u64) -> Self {
        Rng(mixlaw_fit::Rng::new(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `(0, 1]` with 53 random bits.
    pub fn next_open01(&mut self) -> f64 {
        self.0.next_open01()
    }

    /// Fills `w` with a Dirichlet(1, ..., 1) draw ([`mixlaw_fit::Rng::dirichlet`]) sorted in
    /// decreasing order.
    ///
    /// ```
    /// use mixlaw_info::rng::Rng;
    /// let mut rng = Rng::new(1);
    /// let mut w = [0.0; 6];
    /// rng.sorted_dirichlet(&mut w);
    /// assert!(w.windows(2).all(|p| p[0] >= p[1]));
    /// assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// ```
    pub fn sorted_dirichlet(&mut self, w: &mut [f64]) {
        self.0.dirichlet(w);
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
}
