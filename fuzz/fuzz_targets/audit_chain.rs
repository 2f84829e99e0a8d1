//! Arbitrary bytes as an exported audit chain, a checkpoint and a key
//! (split at lines `=====`): parsing the records, verifying the chain and
//! the checkpoint's signature, reading PEM keys, replaying archived facts
//! through the built-in pack and comparing the results return a value or
//! an error and never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = release_policy::unstable::audit_from_bytes(data);
});
