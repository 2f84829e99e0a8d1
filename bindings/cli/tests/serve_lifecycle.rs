//! `release-policy serve`'s life under load, over real loopback HTTP:
//! slow and idle connections, the concurrency bound, reloads of good and
//! bad bundles (a request in flight finishes on the bundle it started
//! with), SIGHUP, and SIGTERM with no answer cut off.

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

use http::{Server, get, post, root, temp_dir, try_send};

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap()
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
    let r = http::raw(
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
    let holder = http::slow_check(addr, 10, Duration::from_millis(1500));
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
    assert_eq!(holder.join().unwrap().unwrap().status, 200);
    // Probes pass even at the limit.
    assert_eq!(get(s.addr, "/healthz").status, 200);
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
    // A request whose body is still arriving when the bundle changes...
    let addr = s.addr;
    let in_flight = http::slow_check(addr, 50, Duration::from_millis(2500));
    std::thread::sleep(Duration::from_millis(200));
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
    // ...finishes on the bundle it started with; the next one gets the new.
    let finished = in_flight.join().unwrap().unwrap();
    assert_eq!(finished.status, 200);
    assert_eq!(
        finished.header("release-policy-bundle"),
        Some(first.as_str())
    );
    let next = post(
        s.addr,
        "/v1/check",
        "application/yaml",
        &read("examples/releases/checkout-2.4.0.yaml"),
    );
    assert_eq!(
        next.header("release-policy-bundle"),
        second["digest"].as_str()
    );
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
    let slow = http::slow_check(addr, 100, Duration::from_millis(1200));
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
    // Every decision the service made reached its client. (Its last line
    // may still be on its way through the log reader.)
    assert!(
        s.wait_log("answered=", Duration::from_secs(10)),
        "{}",
        s.log_text()
    );
    let log = s.log_text();
    let answered: usize = log
        .split("answered=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(answered, statuses.len() + 1, "{log}");
}
