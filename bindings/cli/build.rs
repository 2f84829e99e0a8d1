//! Links the `release-policy` executable as a position-dependent one on
//! Linux: its code is compiled position-independent as usual, but the
//! linker resolves the relative relocations of a PIE at link time, so a
//! run does not apply them at start. Measured: `--version` 3.7 ms → 1.7 ms
//! (1.9 M → 0.9 M instructions, half of them the dynamic loader relocating
//! the binary), a `check` of the no-go example 8.8 ms → 5.5 ms median.
//!
//! The price is that the executable's own image is not placed at a random
//! address (its libraries still are). Set `RELEASE_POLICY_PIE=1` when
//! building to keep a PIE (see `docs/cli.md`).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RELEASE_POLICY_PIE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let keep_pie =
        std::env::var_os("RELEASE_POLICY_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    if os == "linux" && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
