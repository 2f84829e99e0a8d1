//! Every seed of the `serve_request` fuzz target (`fuzz/seeds/serve_request/`)
//! runs through the fuzz oracle (which panics on a violated invariant), and
//! the attack seeds (`attack-*`) never get a `go`.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use release_policy_server::fuzzing::request_from_bytes;

#[test]
fn serve_request_seeds_answer_within_the_invariants_and_attacks_never_go() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/serve_request");
    let mut decided = 0;
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let answer = request_from_bytes(&bytes);
        seen += 1;
        if let Some(a) = &answer
            && a.status == 200
        {
            decided += 1;
            if name.starts_with("attack-") {
                assert_ne!(a.verdict, Some("go"), "{name}");
            }
        }
        if name == "attack-near-token.bin" {
            let tokens =
                release_policy_server::auth::Tokens::parse("fuzz-token-0123456789").unwrap();
            assert!(!tokens.allows(Some(b"Bearer fuzz-token-012345678")));
        }
    }
    assert!(seen >= 10, "{seen} seeds");
    // The example seeds are real requests: they must be decided.
    assert!(decided >= 6, "only {decided} seeds decided");
}
