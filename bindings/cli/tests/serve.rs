//! `release-policy serve` over real loopback HTTP: every endpoint answers
//! what the CLI prints, byte for byte; every error status; tokens; TLS;
//! reloads with good and bad bundles under load; SIGTERM under load with
//! no answer cut off; decisions archived.

// Test code: a failed step is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod http;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
        let expected = cli(&[
            "check",
            "--catalog",
            "examples/catalog",
            "--format",
            "json",
            &f,
        ]);
        assert_eq!(r.text(), String::from_utf8(expected).unwrap(), "{f}");
        assert_eq!(
            r.header("release-policy-verdict"),
            r.json()["verdict"].as_str()
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
    for f in files("examples/rollouts", "yaml") {
        let r = post(s.addr, "/v1/assess", "application/yaml", &read(&f));
        let expected = cli(&[
            "assess",
            "--catalog",
            "examples/catalog",
            "--format",
            "json",
            &f,
        ]);
        assert_eq!(r.text(), String::from_utf8(expected).unwrap(), "{f}");
        assert_eq!(
            r.header("release-policy-verdict"),
            r.json()["verdict"].as_str()
        );
    }
    for f in files("examples/plans", "yaml") {
        let r = post(s.addr, "/v1/plan", "application/yaml", &read(&f));
        let expected = cli(&[
            "plan",
            "--catalog",
            "examples/catalog",
            "--format",
            "json",
            &f,
        ]);
        assert_eq!(r.text(), String::from_utf8(expected).unwrap(), "{f}");
        assert_eq!(
            r.header("release-policy-verdict"),
            r.json()["verdict"].as_str()
        );
    }
    let jsonl = "examples/records/more.jsonl";
    let r = post(
        s.addr,
        "/v1/review?from=2026-10-01&to=2026-12-01",
        "application/x-ndjson",
        &read(jsonl),
    );
    let expected = cli(&[
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
    ]);
    assert_eq!(r.text(), String::from_utf8(expected).unwrap());
    assert_eq!(
        r.header("release-policy-verdict"),
        r.json()["verdict"].as_str()
    );
    let one = "examples/records/checkout-2.4.0.yaml";
    let r = post(
        s.addr,
        "/v1/review?release=checkout-2.4.0",
        "application/yaml",
        &read(one),
    );
    let expected = cli(&[
        "review",
        "--records",
        one,
        "--release",
        "checkout-2.4.0",
        "--format",
        "json",
    ]);
    assert_eq!(r.text(), String::from_utf8(expected).unwrap());
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
    assert_eq!(raw(s.addr, &chunked, Duration::ZERO).unwrap().status, 413);
    // A body that never finishes: 408 after `--body-timeout`.
    let slow = b"POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"rel";
    assert_eq!(raw(s.addr, slow, Duration::ZERO).unwrap().status, 408);
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

/// Write `bytes`, wait `pause`, read the answer to EOF.
fn raw(addr: std::net::SocketAddr, bytes: &[u8], pause: Duration) -> Result<http::Reply, String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(bytes).map_err(|e| e.to_string())?;
    std::thread::sleep(pause);
    let mut out = Vec::new();
    s.read_to_end(&mut out).map_err(|e| e.to_string())?;
    http::parse(&out)
}

#[test]
fn slow_headers_are_cut_and_excess_requests_are_refused() {
    let s = Server::start(&[
        "--watch-interval",
        "0",
        "--header-timeout",
        "0.5",
        "--max-concurrent",
        "1",
        "--body-timeout",
        "5",
    ]);
    // Headers that never end: the connection is closed after the timeout.
    let started = std::time::Instant::now();
    let r = raw(
        s.addr,
        b"POST /v1/check HTTP/1.1\r\nHost: x\r\n",
        Duration::ZERO,
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(r.map(|r| r.status >= 400).unwrap_or(true));
    // A connection that sends nothing, or idles after an answer, is closed
    // too: idle connections cannot pile up to `--max-connections`.
    for first in [&b""[..], &b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"[..]] {
        use std::io::{Read, Write};
        let mut c = std::net::TcpStream::connect(s.addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(first).unwrap();
        let started = std::time::Instant::now();
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(out.is_empty(), first.is_empty());
    }
    // One request holds the only permit while its body trickles in...
    let addr = s.addr;
    let holder = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        let body = std::fs::read(root().join("examples/releases/checkout-2.4.0.yaml")).unwrap();
        let head = format!(
            "POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        c.write_all(head.as_bytes()).unwrap();
        c.write_all(&body[..10]).unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        c.write_all(&body[10..]).unwrap();
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        http::parse(&out).unwrap()
    });
    std::thread::sleep(Duration::from_millis(500));
    // ...so another is refused at once, with Retry-After.
    let r = post(
        s.addr,
        "/v1/check",
        "application/yaml",
        &read("examples/releases/checkout-2.4.0.yaml"),
    );
    assert_eq!(
        (r.status, r.header("retry-after")),
        (503, Some("1")),
        "{}",
        r.text()
    );
    assert_eq!(holder.join().unwrap().status, 200);
    // Probes pass even at the limit.
    assert_eq!(get(s.addr, "/healthz").status, 200);
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

/// Clients posting checks in a loop until `stop`; the counts of complete
/// answers by status and of failures.
struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<(Vec<u16>, Vec<String>)>>,
}

impl Load {
    fn start(addr: std::net::SocketAddr, clients: usize, sent: Arc<AtomicUsize>) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let facts = Arc::new(read("examples/releases/checkout-2.4.0.yaml"));
        let threads = (0..clients)
            .map(|_| {
                let (stop, facts, sent) =
                    (Arc::clone(&stop), Arc::clone(&facts), Arc::clone(&sent));
                std::thread::spawn(move || {
                    let (mut ok, mut failed) = (Vec::new(), Vec::new());
                    while !stop.load(Ordering::Relaxed) {
                        sent.fetch_add(1, Ordering::Relaxed);
                        match try_send(
                            addr,
                            "POST",
                            "/v1/check",
                            &[("Content-Type", "application/yaml")],
                            &facts,
                        ) {
                            Ok(r) => ok.push(r.status),
                            Err(e) => failed.push(e),
                        }
                    }
                    (ok, failed)
                })
            })
            .collect();
        Load { stop, threads }
    }

    fn finish(self) -> (Vec<u16>, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = (Vec::new(), Vec::new());
        for t in self.threads {
            let (ok, failed) = t.join().unwrap();
            all.0.extend(ok);
            all.1.extend(failed);
        }
        all
    }
}

fn copy_pack(dir: &Path) {
    let out = Command::new(http::bin())
        .args(["pack", "export"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn reloads_swap_good_bundles_and_keep_serving_through_bad_ones_under_load() {
    let dir = temp_dir("reload");
    let policies = dir.join("policies");
    copy_pack(&policies);
    let s = Server::start(&[
        "--policies",
        policies.to_str().unwrap(),
        "--watch-interval",
        "0.2",
    ]);
    let first = get(s.addr, "/v1/bundle").json()["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let load = Load::start(s.addr, 4, Arc::new(AtomicUsize::new(0)));
    std::thread::sleep(Duration::from_millis(300));
    // A good change: a new policy file. Picked up without a signal.
    std::fs::write(
        policies.join("extra.yaml"),
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: extra, version: 1.0.0}\nspec:\n  gates:\n    - id: extra-always\n      description: always holds\n      expression: \"true\"\n",
    )
    .unwrap();
    assert!(
        s.wait_log("bundle reloaded", Duration::from_secs(20)),
        "{}",
        s.log_text()
    );
    let second = get(s.addr, "/v1/bundle").json();
    assert_ne!(second["digest"].as_str().unwrap(), first);
    assert!(
        second["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "extra-always")
    );
    // A bad change: the old bundle keeps serving, /readyz and the metrics say why.
    std::fs::write(
        policies.join("broken.yaml"),
        "apiVersion: release-policy/v1\nkind: Policy\nspec: [\n",
    )
    .unwrap();
    assert!(
        s.wait_log("bundle reload failed", Duration::from_secs(20)),
        "{}",
        s.log_text()
    );
    let ready = get(s.addr, "/readyz");
    assert_eq!(ready.status, 200);
    let ready = ready.json();
    assert_eq!(ready["bundle"], second["digest"]);
    assert!(
        ready["lastReloadError"]["code"]
            .as_str()
            .unwrap()
            .starts_with("RP01"),
        "{ready}"
    );
    assert!(
        ready["lastReloadError"]["location"]
            .as_str()
            .unwrap()
            .contains("broken.yaml"),
        "{ready}"
    );
    let m = get(s.addr, "/metrics").text();
    assert!(
        m.contains("release_policy_reloads_total{result=\"failure\"} 1"),
        "{m}"
    );
    assert!(m.contains("release_policy_last_reload_success 0"), "{m}");
    assert!(m.contains(&format!(
        "release_policy_bundle_info{{digest=\"{}\"}} 1",
        second["digest"].as_str().unwrap()
    )));
    // Mended, and reloaded on SIGHUP as well.
    std::fs::remove_file(policies.join("broken.yaml")).unwrap();
    std::fs::remove_file(policies.join("extra.yaml")).unwrap();
    s.signal("HUP");
    let back = (0..200).find_map(|_| {
        std::thread::sleep(Duration::from_millis(50));
        let d = get(s.addr, "/v1/bundle").json()["digest"]
            .as_str()
            .unwrap()
            .to_string();
        (d == first).then_some(d)
    });
    assert_eq!(back.as_deref(), Some(first.as_str()));
    let (statuses, failures) = load.finish();
    assert!(failures.is_empty(), "{failures:?}");
    assert!(statuses.len() > 20, "{}", statuses.len());
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

#[test]
fn sigterm_drains_requests_in_flight_and_refuses_new_ones() {
    let s = Server::start(&["--watch-interval", "0"]);
    let addr = s.addr;
    // A request whose body is still arriving when SIGTERM comes.
    let slow = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        let body = std::fs::read(root().join("examples/releases/checkout-2.4.0.yaml")).unwrap();
        let head = format!(
            "POST /v1/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        c.write_all(head.as_bytes()).unwrap();
        c.write_all(&body[..100]).unwrap();
        std::thread::sleep(Duration::from_millis(1200));
        c.write_all(&body[100..]).unwrap();
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        http::parse(&out)
    });
    let load = Load::start(s.addr, 6, Arc::new(AtomicUsize::new(0)));
    std::thread::sleep(Duration::from_millis(600));
    let mut s = s;
    s.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    // New connections are refused once it stopped accepting.
    assert!(try_send(addr, "GET", "/healthz", &[], b"").is_err());
    let slow = slow
        .join()
        .unwrap()
        .expect("the request in flight was answered whole");
    assert_eq!(slow.status, 200);
    assert_eq!(s.wait(Duration::from_secs(30)), Some(0), "{}", s.log_text());
    let (statuses, failures) = load.finish();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // Every failure is a connection the service never took: refused, or
    // closed before any byte of an answer. None is a cut-off answer.
    for f in &failures {
        assert!(
            f.starts_with("connect:")
                || f == "closed with no answer"
                || f.starts_with("read: Connection reset") && f.ends_with("after 0 bytes")
                || f.starts_with("write:"),
            "{f}"
        );
    }
    // Every decision the service made reached its client.
    let log = s.log_text();
    let answered: usize = log
        .split("answered=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(answered, statuses.len() + 1, "{log}");
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
