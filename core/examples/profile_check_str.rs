//! Runs `check_str` of the built-in pack on a facts file, and writes each
//! decision as compact JSON, in a loop: the Rust side of what the C call
//! `rp_bundle_check` does, for profilers (`valgrind --tool=callgrind`).
//!
//! `profile_check_str FILE [N] [nojson]`: `nojson` skips the decision JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a facts file");
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let json = args.next().is_none();
    let text = std::fs::read_to_string(path).unwrap();
    let bundle = release_policy::Bundle::builtin();
    let start = std::time::Instant::now();
    let mut bytes = 0;
    for _ in 0..n {
        let d = bundle.check_str(&text).unwrap();
        if json {
            bytes += d.to_json().len();
        }
    }
    let per = start.elapsed() / n as u32;
    println!("{n} checks, {per:?} each ({bytes} bytes of decision JSON)");
}
