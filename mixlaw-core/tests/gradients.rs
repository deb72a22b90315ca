//! Every law's exact gradients (in its unconstrained parameters and in h) against finite
//! differences, over random parameters from the law's start ranges, random N, D, U and
//! mixtures with exact zeros and near-zero weights, for k = 1..7.

mod common;

use mixlaw_core::laws::{additive::Additive, chinchilla::Chinchilla, joint::Joint};

gradient_tests! {
    chinchilla: |_k| Chinchilla::new();
    additive: |k| Additive::new(k).unwrap();
    joint: |k| Joint::new(k).unwrap();
}
