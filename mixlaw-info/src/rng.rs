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
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Fills `w` with a Dirichlet(1, ..., 1) draw (normalised standard exponentials,
    /// uniform on the simplex) sorted in decreasing order.
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
        let mut sum = 0.0;
        for v in w.iter_mut() {
            *v = -libm::log(self.next_open01());
            sum += *v;
        }
        if sum > 0.0 {
            let inv = 1.0 / sum;
            w.iter_mut().for_each(|v| *v *= inv);
        } else {
            // All draws were exactly 1 (probability ~2^-53 per bucket): uniform.
            let u = 1.0 / w.len() as f64;
            w.iter_mut().for_each(|v| *v = u);
        }
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
