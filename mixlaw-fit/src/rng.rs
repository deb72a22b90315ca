//! A small seedable generator (xoshiro256++ seeded by SplitMix64): deterministic fits for a
//! given seed on every platform, with no dependency.

/// xoshiro256++ (Blackman and Vigna), seeded through SplitMix64.
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

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]` with 53 random bits (never 0: safe under `ln`).
    pub fn next_open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }

    /// Fills `w` with a Dirichlet(1, ..., 1) draw: standard exponentials `-ln u`,
    /// `u` uniform in `(0, 1]` with 53 random bits, normalised (uniform on the simplex;
    /// all-zero draws, probability ~2^-53 each, give the uniform mixture).
    ///
    /// ```
    /// let mut rng = mixlaw_fit::Rng::new(1);
    /// let mut w = [0.0; 4];
    /// rng.dirichlet(&mut w);
    /// assert!(w.iter().all(|&v| v >= 0.0) && (w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// ```
    pub fn dirichlet(&mut self, w: &mut [f64]) {
        let mut sum = 0.0;
        for v in w.iter_mut() {
            *v = -libm::log(self.next_open01());
            sum += *v;
        }
        if sum > 0.0 {
            let inv = 1.0 / sum;
            w.iter_mut().for_each(|v| *v *= inv);
        } else {
            let u = 1.0 / w.len() as f64;
            w.iter_mut().for_each(|v| *v = u);
        }
    }

    /// A generator for an independent sub-stream (e.g. one start of a multi-start fit).
    pub fn fork(&mut self) -> Rng {
        Rng::new(self.next_u64())
    }
}
