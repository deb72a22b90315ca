//! Published numbers of arXiv:2605.02364: the optimal LayerMix recipes of Table 6
//! (appendix J; its 7B rows at 300B and 1000B tokens are Table 2).
//!
//! The table prints a source size of 500B tokens, but with the recovered law (spec
//! `infolaw.md` d.3) no recipe of it is optimal at 500B; the 7B rows are reproduced for
//! S in 295-303B, and [`SOURCE_FIT`] = 300B is used (spec range 300-340B).

/// One row of Table 6.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Published {
    /// Model label as printed ("7B", "1.8B", "1.2B").
    pub model: &'static str,
    /// Model size N in parameters (the decay-rate argument).
    pub model_size: f64,
    /// Training tokens T.
    pub tokens: f64,
    /// The printed recipe (3 decimals; rows may sum to 0.999 or 1.001).
    pub recipe: [f64; 6],
}

impl Published {
    /// The printed recipe divided by its sum, so that it spends exactly T tokens.
    pub fn normalized(&self) -> [f64; 6] {
        let s: f64 = self.recipe.iter().sum();
        let mut w = self.recipe;
        w.iter_mut().for_each(|v| *v /= s);
        w
    }

    /// Training tokens in billions (300 for "300B").
    pub fn tokens_billions(&self) -> f64 {
        self.tokens / 1e9
    }
}

/// Source size printed in Table 6.
pub const SOURCE_PRINTED: f64 = 500e9;

/// Source size at which the recovered law reproduces the 7B rows (see module docs).
pub const SOURCE_FIT: f64 = 300e9;

const fn row(model: &'static str, model_size: f64, tokens_b: f64, recipe: [f64; 6]) -> Published {
    Published {
        model,
        model_size,
        tokens: tokens_b * 1e9,
        recipe,
    }
}

const R619: [f64; 6] = [0.619, 0.376, 0.004, 0.001, 0.000, 0.000];
const R548: [f64; 6] = [0.548, 0.444, 0.004, 0.003, 0.002, 0.000];
const R496: [f64; 6] = [0.496, 0.492, 0.007, 0.003, 0.002, 0.000];
const R491: [f64; 6] = [0.491, 0.487, 0.017, 0.005, 0.000, 0.000];
const R439: [f64; 6] = [0.439, 0.430, 0.130, 0.001, 0.000, 0.000];

/// Table 6, in the printed order (7B, 1.8B, 1.2B; 200B to 1000B tokens).
pub const TABLE6: [Published; 27] = [
    row("7B", 7e9, 200.0, R619),
    row("7B", 7e9, 300.0, R548),
    row("7B", 7e9, 400.0, R496),
    row("7B", 7e9, 500.0, R496),
    row("7B", 7e9, 600.0, R491),
    row("7B", 7e9, 700.0, R439),
    row("7B", 7e9, 800.0, R439),
    row("7B", 7e9, 900.0, [0.404, 0.403, 0.183, 0.006, 0.003, 0.000]),
    row(
        "7B",
        7e9,
        1000.0,
        [0.395, 0.387, 0.214, 0.003, 0.001, 0.000],
    ),
    row(
        "1.8B",
        1.8e9,
        200.0,
        [0.825, 0.165, 0.005, 0.004, 0.001, 0.000],
    ),
    row("1.8B", 1.8e9, 300.0, R619),
    row("1.8B", 1.8e9, 400.0, R548),
    row("1.8B", 1.8e9, 500.0, R548),
    row("1.8B", 1.8e9, 600.0, R496),
    row("1.8B", 1.8e9, 700.0, R496),
    row("1.8B", 1.8e9, 800.0, R496),
    row("1.8B", 1.8e9, 900.0, R491),
    row("1.8B", 1.8e9, 1000.0, R491),
    row(
        "1.2B",
        1.2e9,
        200.0,
        [0.926, 0.066, 0.006, 0.002, 0.000, 0.000],
    ),
    row(
        "1.2B",
        1.2e9,
        300.0,
        [0.758, 0.229, 0.012, 0.001, 0.000, 0.000],
    ),
    row("1.2B", 1.2e9, 400.0, R619),
    row("1.2B", 1.2e9, 500.0, R619),
    row("1.2B", 1.2e9, 600.0, R548),
    row("1.2B", 1.2e9, 700.0, R496),
    row("1.2B", 1.2e9, 800.0, R496),
    row("1.2B", 1.2e9, 900.0, R496),
    row("1.2B", 1.2e9, 1000.0, R496),
];
