//! Shared helpers for mixlaw's benchmarks: loading the real data sets used for timing.
