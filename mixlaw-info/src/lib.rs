//! # mixlaw-info
//!
//! InfoLaw: information accumulation over quality-weighted mixtures with repetition. Under
//! construction: lands with the InfoLaw issue; this crate exports nothing yet.
#![no_std]
