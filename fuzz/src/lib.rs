//! Helpers shared by the fuzz targets: reading typed values from the fuzzer's bytes.

/// Reads values from the fuzzer input; past the end every read yields zero.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// Wraps the fuzzer input.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    /// One byte (0 when exhausted).
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A raw f64 from 8 bytes: any bit pattern, NaN and infinities included.
    pub fn raw_f64(&mut self) -> f64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        f64::from_le_bytes(b)
    }

    /// A float that is usually "interesting": selected by a tag byte among special values,
    /// a moderate value `m * 10^e`, or raw bits.
    pub fn f64(&mut self) -> f64 {
        match self.u8() % 8 {
            0 => [
                0.0,
                -0.0,
                1.0,
                -1.0,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::MIN_POSITIVE,
            ][usize::from(self.u8() % 8)],
            1 => self.raw_f64(),
            2 => f64::from(self.u8()) / 255.0,
            _ => {
                let m = f64::from(self.u8() as i8) / 16.0;
                let e = i32::from(self.u8() as i8) / 4;
                m * libm_pow10(e)
            }
        }
    }

    /// A positive float in a wide but mostly sane range (`[1e-3, 1e13)`-ish), or special.
    pub fn positive(&mut self) -> f64 {
        match self.u8() % 16 {
            0 => self.f64(),
            _ => {
                let m = 1.0 + f64::from(self.u8()) / 32.0;
                let e = i32::from(self.u8() % 16) - 3;
                m * libm_pow10(e)
            }
        }
    }

    /// A mixture of `k` weights: usually on the simplex, sometimes arbitrary.
    pub fn mixture(&mut self, k: usize, out: &mut [f64]) {
        let raw = self.u8().is_multiple_of(8);
        let mut sum = 0.0;
        for v in out.iter_mut().take(k) {
            *v = if raw {
                self.f64()
            } else {
                f64::from(self.u8())
            };
            sum += *v;
        }
        if !raw && sum > 0.0 {
            for v in out.iter_mut().take(k) {
                *v /= sum;
            }
        }
    }

    /// The remaining bytes.
    pub fn rest(&self) -> &'a [u8] {
        self.data
    }
}

fn libm_pow10(e: i32) -> f64 {
    10f64.powi(e)
}
