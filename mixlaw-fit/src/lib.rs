//! # mixlaw-fit
//!
//! Fitting of `mixlaw-core` laws to observed training runs. Under construction: the
//! L-BFGS / basin-hopping fitter lands with the fitting issue; this crate exports nothing yet.
#![no_std]
