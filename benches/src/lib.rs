//! Benchmarks support crate.
