//! `release-policy serve` over real loopback HTTP: every endpoint answers
//! what the CLI prints, byte for byte; every error status; tokens; TLS;
//! decisions archived. Its life under load (reloads, SIGTERM) is in
//! `serve_lifecycle.rs`.

// Test code: a failed step is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod http;

use std::process::Command;
use std::time::Duration;

use http::{Server, get, post, root, send, temp_dir, try_send};

/// The CLI's stdout for `args`.
fn cli(args: &[&str]) -> Vec<u8> {
    Command::new(http::bin())
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
        .stdout
}

/// The answer is the CLI's output for `args`, byte for byte, and its
/// verdict header is the body's verdict (a release review's: its outcome).
fn same_as_cli(r: &http::Reply, args: &[&str]) {
    assert_eq!(r.status, 200, "{args:?}: {}", r.text());
    assert_eq!(r.text(), String::from_utf8(cli(args)).unwrap(), "{args:?}");
    let body = r.json();
    let verdict = body.get("verdict").or_else(|| body.get("outcome"));
    assert_eq!(
        r.header("release-policy-verdict"),
        verdict.and_then(|v| v.as_str()),
        "{args:?}"
    );
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap()
}

fn files(dir: &str, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn every_question_answers_the_clis_json_byte_for_byte() {
    let s = Server::start(&["--catalog", "examples/catalog", "--watch-interval", "0"]);
    let digest = get(s.addr, "/v1/bundle").json()["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let mut seen = Vec::new();
    for f in files("examples/releases", "yaml") {
        let r = post(s.addr, "/v1/check", "application/yaml", &read(&f));
        assert_eq!(r.status, 200, "{f}: {}", r.text());
        same_as_cli(
            &r,
            &[
                "check",
                "--catalog",
                "examples/catalog",
                "--format",
                "json",
                &f,
            ],
        );
        assert_eq!(r.header("release-policy-bundle"), Some(digest.as_str()));
        assert_eq!(r.header("content-type"), Some("application/json"));
        // The same facts as JSON decide the same (the body's form never shows).
        let yaml: serde_json::Value = yaml_serde::from_slice(&read(&f)).unwrap();
        let j = post(
            s.addr,
            "/v1/check",
            "application/json",
            yaml.to_string().as_bytes(),
        );
        assert_eq!(j.json()["verdict"], r.json()["verdict"], "{f} as JSON");
        seen.push(r.header("release-policy-verdict").unwrap().to_string());
    }
    assert!(seen.contains(&"no-go".to_string()), "{seen:?}");
    for (question, dir) in [("assess", "examples/rollouts"), ("plan", "examples/plans")] {
        for f in files(dir, "yaml") {
            let r = post(
                s.addr,
                &format!("/v1/{question}"),
                "application/yaml",
                &read(&f),
            );
            same_as_cli(
                &r,
                &[
                    question,
                    "--catalog",
                    "examples/catalog",
                    "--format",
                    "json",
                    &f,
                ],
            );
        }
    }
    let jsonl = "examples/records/more.jsonl";
    let r = post(
        s.addr,
        "/v1/review?from=2026-10-01&to=2026-12-01",
        "application/x-ndjson",
        &read(jsonl),
    );
    same_as_cli(
        &r,
        &[
            "review",
            "--records",
            jsonl,
            "--catalog",
            "examples/catalog",
            "--from",
            "2026-10-01",
            "--to",
            "2026-12-01",
            "--format",
            "json",
        ],
    );
    let one = "examples/records/checkout-2.4.0.yaml";
    let r = post(
        s.addr,
        "/v1/review?release=checkout-2.4.0",
        "application/yaml",
        &read(one),
    );
    same_as_cli(
        &r,
        &[
            "review",
            "--records",
            one,
            "--release",
            "checkout-2.4.0",
            "--format",
            "json",
        ],
    );
}

#[test]
fn bad_requests_get_coded_errors_and_the_right_status() {
    let s = Server::start(&[
        "--watch-interval",
        "0",
        "--max-body-bytes",
        "4096",
        "--body-timeout",
        "1",
    ]);
    // Bad facts: 400, the coded error with its location in the body.
    let r = post(
        s.addr,
        "/v1/check",
        "application/json",
        br#"{"release": "r", "release": "s"}"#,
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let e = r.json();
    assert!(e["code"].as_str().unwrap().starts_with("RP"), "{e}");
    assert!(
        e["location"].as_str().unwrap().starts_with("request"),
        "{e}"
    );
    assert!(e["location"].as_str().unwrap().contains("$.release"), "{e}");
    assert!(!e["message"].as_str().unwrap().is_empty(), "{e}");
    // Duplicate keys are refused, as in a facts file.
    let r = post(
        s.addr,
        "/v1/check",
        "application/json",
        br#"{"now": "2026-11-30T10:00:00Z", "now": "2026-11-30T11:00:00Z"}"#,
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["message"].as_str().unwrap().contains("duplicate"),
        "{}",
        r.text()
    );
    assert!(r.header("release-policy-verdict").is_none());
    let r = post(s.addr, "/v1/check", "application/json", b"{\"release\": ");
    assert_eq!(r.status, 400);
    let r = post(
        s.addr,
        "/v1/assess",
        "application/yaml",
        b"- not: rollout facts",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let r = post(
        s.addr,
        "/v1/review?servce=checkout",
        "application/json",
        b"[]",
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("servce"), "{}", r.text());
    let r = post(s.addr, "/v1/check", "application/json", &[0xff, 0xfe, b'{']);
    assert_eq!(r.status, 400, "{}", r.text());
    // No catalog: plan is not served.
    assert_eq!(
        post(s.addr, "/v1/plan", "application/yaml", b"x: 1").status,
        404
    );
    // Routes and methods.
    assert_eq!(get(s.addr, "/v1/nothing").status, 404);
    let r = get(s.addr, "/v1/check");
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
    let r = send(s.addr, "DELETE", "/v1/bundle", &[], b"");
    assert_eq!((r.status, r.header("allow")), (405, Some("GET")));
    // Body types and sizes.
    assert_eq!(post(s.addr, "/v1/check", "text/plain", b"{}").status, 415);
    assert_eq!(
        post(s.addr, "/v1/check", "application/x-ndjson", b"{}").status,
        415
    );
    assert_eq!(
        post(s.addr, "/v1/check", "application/json", &vec![b' '; 5000]).status,
        413
    );
    // Over the limit without a declared length (chunked): 413 too.
    let mut chunked = b"POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..5 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b' '; 0x400]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(
        http::raw(s.addr, &chunked, Duration::ZERO).unwrap().status,
        413
    );
    // A body that never finishes: 408 after `--body-timeout`.
    let slow = b"POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"rel";
    assert_eq!(http::raw(s.addr, slow, Duration::ZERO).unwrap().status, 408);
    // Nothing of it was a server error, and the metrics counted by code.
    let m = get(s.addr, "/metrics").text();
    assert!(!m.contains("status=\"500\""), "{m}");
    assert!(
        m.contains("release_policy_responses_total{status=\"413\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("release_policy_errors_total{question=\"check\",code=\"RP"),
        "{m}"
    );
}

/// A refusal that comes before the body is read (a missing token, a body
/// over the limit) still reaches the client: the rest of the body is read
/// and dropped (hyper does it) instead of the connection being closed on
/// unread input, which would reset it and lose the answer.
#[test]
fn refusals_before_the_body_reach_the_client() {
    use std::io::{Read, Write};
    let dir = temp_dir("refusals");
    let tokens = dir.join("tokens");
    std::fs::write(&tokens, "refusal-token-0123456789\n").unwrap();
    let s = Server::start(&[
        "--watch-interval",
        "0",
        "--token-file",
        tokens.to_str().unwrap(),
        "--max-body-bytes",
        "4096",
    ]);
    let big = vec![b' '; 300_000];
    for _ in 0..10 {
        let r = send(
            s.addr,
            "POST",
            "/v1/check",
            &[("Content-Type", "application/json")],
            &big,
        );
        assert_eq!(r.status, 401);
    }
    for _ in 0..10 {
        // Headers, then the body in two parts: the service has answered 413
        // before the second part arrives.
        let mut c = std::net::TcpStream::connect(s.addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = "POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer refusal-token-0123456789\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        c.write_all(head.as_bytes()).unwrap();
        c.write_all(format!("{:x}\r\n{}\r\n", 5000, " ".repeat(5000)).as_bytes())
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let _ = c.write_all(format!("{:x}\r\n{}\r\n0\r\n\r\n", 3000, " ".repeat(3000)).as_bytes());
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        assert_eq!(http::parse(&out).unwrap().status, 413);
    }
}

#[test]
fn tokens_are_required_and_compared_exactly() {
    let dir = temp_dir("tokens");
    let tokens = dir.join("tokens");
    std::fs::write(&tokens, "# ci\nci-token-0123456789abcdef\n").unwrap();
    let s = Server::start(&[
        "--watch-interval",
        "0",
        "--token-file",
        tokens.to_str().unwrap(),
    ]);
    let facts = read("examples/releases/checkout-2.4.0.yaml");
    let yaml = ("Content-Type", "application/yaml");
    for auth in [
        None,
        Some("Bearer "),
        Some("Bearer ci-token-0123456789abcde"),
        Some("Bearer ci-token-0123456789abcdef0"),
        Some("Bearer ci-token-0123456789abcdeF"),
        Some("Basic ci-token-0123456789abcdef"),
        Some("ci-token-0123456789abcdef"),
    ] {
        let headers: Vec<(&str, &str)> = auth
            .map(|a| ("Authorization", a))
            .into_iter()
            .chain([yaml])
            .collect();
        let r = send(s.addr, "POST", "/v1/check", &headers, &facts);
        assert_eq!(r.status, 401, "{auth:?}");
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer realm=\"release-policy\"")
        );
        assert!(r.header("release-policy-verdict").is_none());
    }
    let ok = send(
        s.addr,
        "POST",
        "/v1/check",
        &[("Authorization", "Bearer ci-token-0123456789abcdef"), yaml],
        &facts,
    );
    assert_eq!(ok.status, 200);
    assert_eq!(get(s.addr, "/metrics").status, 401);
    assert_eq!(get(s.addr, "/v1/bundle").status, 401);
    assert_eq!(get(s.addr, "/healthz").status, 200);
    assert_eq!(get(s.addr, "/readyz").status, 200);
    // A weak token file stops the service from starting at all.
    std::fs::write(&tokens, "short\n").unwrap();
    let err = Server::try_start(&["--token-file", tokens.to_str().unwrap()])
        .err()
        .unwrap();
    assert!(
        err.contains("error[RP0601]") && err.contains("at least 16"),
        "{err}"
    );
    std::fs::write(&tokens, "# only a comment\n").unwrap();
    assert!(Server::try_start(&["--token-file", tokens.to_str().unwrap()]).is_err());
}

#[test]
fn tls_serves_https_and_refuses_plain_http() {
    let dir = temp_dir("tls");
    let (cert, key) = http::self_signed(&dir);
    let s = Server::start(&[
        "--watch-interval",
        "0",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert!(s.log_text().contains("listening on https://"));
    let facts = read("examples/releases/checkout-2.4.0.yaml");
    let r = http::send_tls(
        s.addr,
        &cert,
        "POST",
        "/v1/check",
        &[("Content-Type", "application/yaml")],
        &facts,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        String::from_utf8(cli(&[
            "check",
            "--format",
            "json",
            "examples/releases/checkout-2.4.0.yaml"
        ]))
        .unwrap()
    );
    // Plain HTTP to the TLS port gets no HTTP answer.
    assert!(try_send(s.addr, "GET", "/healthz", &[], b"").is_err());
    // A client that does not trust the certificate is refused by its own TLS.
    let (other, _) = http::self_signed(&temp_dir("tls-other"));
    assert!(http::send_tls(s.addr, &other, "GET", "/healthz", &[], b"").is_err());
    // A key that does not fit the certificate: the service does not start.
    let err = Server::try_start(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        temp_dir("tls-other").join("key.pem").to_str().unwrap(),
    ])
    .err()
    .unwrap();
    assert!(err.contains("error[RP0601]"), "{err}");
}

#[test]
fn archive_records_every_decision() {
    let dir = temp_dir("archive");
    let db = dir.join("audit.db");
    let s = Server::start(&["--watch-interval", "0", "--archive", db.to_str().unwrap()]);
    for f in files("examples/releases", "yaml") {
        assert_eq!(
            post(s.addr, "/v1/check", "application/yaml", &read(&f)).status,
            200
        );
    }
    let rollout = read("examples/rollouts/checkout-canary-healthy.yaml");
    assert_eq!(
        post(s.addr, "/v1/assess", "application/yaml", &rollout).status,
        200
    );
    // A refused input is not archived.
    assert_eq!(
        post(s.addr, "/v1/check", "application/json", b"{").status,
        400
    );
    drop(s);
    let out = Command::new(http::bin())
        .args(["audit", "verify", "--archive"])
        .arg(&db)
        .args(["--replay", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let decided = files("examples/releases", "yaml").len() + 1;
    assert_eq!(report["verification"]["count"], decided, "{report}");
    assert!(
        report["verification"]["breaks"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{report}"
    );
    // Every archived decision re-decides to the same bytes.
    assert_eq!(report["replayed"], decided, "{report}");
}
