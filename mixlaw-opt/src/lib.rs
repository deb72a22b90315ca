//! # mixlaw-opt
//!
//! Optimal mixtures on the probability simplex for fitted `mixlaw-core` laws. Under
//! construction: the exponentiated-gradient solver lands with the mixture-optimisation
//! issue; this crate exports nothing yet.
#![no_std]
