//! A small seedable generator (xoshiro256++ seeded by SplitMix64, Blackman and Vigna):
//! the same stream for a seed on every platform, with no dependency.

/// xoshiro256++ seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for `seed`; equal seeds give equal streams.
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^ (x >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.s;
        let result = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        let t = s1 << 17;
        let (mut a, mut b, mut c, mut d) = (s0, s1, s2, s3);
        c ^= a;
        d ^= b;
        b ^= c;
        a ^= d;
        c ^= t;
        d = d.rotate_left(45);
        self.s = [a, b, c, d];
        result
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
