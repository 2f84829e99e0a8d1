#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;

fn doc(text: &str) -> OpenApi {
    OpenApi::parse(text, 1 << 20, 64).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn smoke() {
    let d = doc(
        "openapi: 3.1.0\npaths:\n  /payments/{id}:\n    get:\n      responses:\n        200:\n          description: ok\n",
    );
    assert_eq!(d.operations(), vec!["GET /payments/{}".to_string()]);
}
