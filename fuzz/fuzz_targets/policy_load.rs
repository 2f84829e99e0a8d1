//! Arbitrary bytes as a policy file: loading (YAML parsing, layering,
//! static checks, CEL compilation, digest) must return `Ok` or `Err`, never
//! panic, overflow the stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use release_policy::Bundle;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Bundle::from_yaml_str("fuzz.yaml", text);
    }
});
