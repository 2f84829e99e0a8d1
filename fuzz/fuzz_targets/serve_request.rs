//! Arbitrary bytes as what a client of `release-policy serve` controls past
//! HTTP framing: the route, the `Content-Type`, the `Authorization` value,
//! review's query and the body (split at `0x00` bytes; see
//! `release_policy_server::fuzzing`). Every request is answered `200` with
//! a verdict header that matches its body, or `400` with a coded error, or
//! refused before a handler; only the configured token passes. Never a
//! panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = release_policy_server::fuzzing::request_from_bytes(data);
});
