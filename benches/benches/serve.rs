//! The decision service under load, beside in-process `check` on the same
//! facts, in one run: requests per second and p50/p99 latency at
//! concurrency 1, 8 and 64 over loopback HTTP/1.1 keep-alive connections,
//! with a small client of its own (one thread per connection, the request
//! bytes prebuilt, the answer read by its `Content-Length`).
//!
//! The service runs as it does in production: the release CLI binary
//! (`cargo build --release -p release-policy-cli`; or `RELEASE_POLICY_BIN`)
//! started as `serve` on a free loopback port, with the built-in pack.
//!
//! ```text
//! cargo bench -p release-policy-benches --bench serve                  # load: c = 1, 8, 64
//! cargo bench -p release-policy-benches --bench serve -- soak 1000000  # a soak: errors and the service's RSS
//! ```
//!
//! `SERVE_BENCH_SECS` sets each measurement's length (default 5 s, after
//! 1 s of warm-up). Not a criterion bench: criterion times one closure,
//! this needs many clients at once and latency percentiles.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use release_policy::{Bundle, Facts, Limits};

/// The allocator of the `release-policy` binary, so that in-process and
/// service figures differ by the HTTP path only.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FACTS: &str = "examples/releases/checkout-2.4.0.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn service_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("RELEASE_POLICY_BIN") {
        return PathBuf::from(p);
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    target.join("release/release-policy")
}

struct Service {
    child: Child,
    addr: SocketAddr,
}

impl Service {
    fn start() -> Service {
        let bin = service_binary();
        assert!(
            bin.exists(),
            "{} is missing: build it with `cargo build --release -p release-policy-cli`",
            bin.display()
        );
        let mut child = Command::new(&bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--watch-interval", "0"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().expect("the service exited").unwrap();
            if let Some(i) = line.find("://") {
                let a = line[i + 3..].split('"').next().unwrap();
                break a.parse().unwrap();
            }
        };
        // Keep draining its stderr so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Service { child, addr }
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// One keep-alive connection.
struct Client {
    reader: BufReader<TcpStream>,
    request: Arc<Vec<u8>>,
    body: Vec<u8>,
}

impl Client {
    fn new(addr: SocketAddr, request: Arc<Vec<u8>>) -> Client {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        Client {
            reader: BufReader::new(s),
            request,
            body: Vec::new(),
        }
    }

    /// One request; the status.
    fn call(&mut self) -> std::io::Result<u16> {
        self.reader.get_mut().write_all(&self.request)?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body)?;
        Ok(status)
    }
}

fn request_bytes(content_type: &str, facts: &[u8]) -> Arc<Vec<u8>> {
    let mut r = format!(
        "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        facts.len()
    )
    .into_bytes();
    r.extend_from_slice(facts);
    Arc::new(r)
}

struct Measured {
    what: String,
    count: u64,
    secs: f64,
    latencies: Vec<u64>,
    errors: u64,
}

impl Measured {
    fn line(&self) -> String {
        let mut l = self.latencies.clone();
        l.sort_unstable();
        let pct = |p: f64| {
            let i = ((l.len() as f64 - 1.0) * p).round() as usize;
            l.get(i).copied().unwrap_or(0) as f64 / 1000.0
        };
        format!(
            "{:<44} {:>10.0} req/s   p50 {:>8.1} µs   p99 {:>8.1} µs   errors {}",
            self.what,
            self.count as f64 / self.secs,
            pct(0.50),
            pct(0.99),
            self.errors
        )
    }
}

/// Run `work` on `threads` threads for warm-up then `secs`; latencies of the
/// measured part.
fn measure<W: FnMut() -> bool + Send>(
    what: &str,
    threads: usize,
    secs: f64,
    make: impl Fn() -> W + Sync,
) -> Measured {
    let stop = AtomicBool::new(false);
    let measuring = AtomicBool::new(false);
    let errors = AtomicU64::new(0);
    let mut all = Vec::new();
    let mut elapsed = 0.0;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (stop, measuring, errors, make) = (&stop, &measuring, &errors, &make);
                s.spawn(move || {
                    let mut work = make();
                    let mut lat = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let t = Instant::now();
                        let ok = work();
                        if measuring.load(Ordering::Relaxed) {
                            lat.push(t.elapsed().as_nanos() as u64);
                            if !ok {
                                errors.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    lat
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(1));
        measuring.store(true, Ordering::Relaxed);
        let start = Instant::now();
        std::thread::sleep(Duration::from_secs_f64(secs));
        measuring.store(false, Ordering::Relaxed);
        elapsed = start.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            all.extend(h.join().unwrap());
        }
    });
    Measured {
        what: what.to_string(),
        count: all.len() as u64,
        secs: elapsed,
        latencies: all,
        errors: errors.load(Ordering::Relaxed),
    }
}

/// The service's own count and total seconds of check requests (from the
/// body read to the answer), from its `/metrics`.
fn own_time(addr: SocketAddr) -> (f64, f64) {
    let mut metrics = Client::new(
        addr,
        Arc::new(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec()),
    );
    metrics.call().unwrap();
    let text = String::from_utf8_lossy(&metrics.body).to_string();
    let value = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    (
        value("release_policy_request_duration_seconds_count{question=\"check\"}"),
        value("release_policy_request_duration_seconds_sum{question=\"check\"}"),
    )
}

fn load() {
    let secs: f64 = std::env::var("SERVE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let facts_bytes = std::fs::read(root().join(FACTS)).unwrap();
    let bundle = Bundle::try_builtin().unwrap();
    let facts = Facts::from_slice(&facts_bytes, &Limits::default()).unwrap();
    // Platforms send JSON; the example is YAML: the same facts, as JSON.
    let json_text = serde_json::to_string(&serde_json::to_value(&facts).unwrap()).unwrap();
    let mut results = Vec::new();
    results.push(measure(
        "in-process check(&facts), 1 thread",
        1,
        secs,
        || {
            let (b, f) = (bundle.clone(), facts.clone());
            move || b.check(&f).is_ok()
        },
    ));
    results.push(measure(
        "in-process check_str(JSON) + to_json_pretty, 1 thread",
        1,
        secs,
        || {
            let (b, t) = (bundle.clone(), json_text.clone());
            move || b.check_str(&t).map(|d| d.to_json_pretty().len()).is_ok()
        },
    ));
    // One call at a time with the machine idle in between, as a client at
    // concurrency 1 leaves the service: on this kind of machine (a VM) a
    // decision after an idle pause runs about twice as slow as back to back.
    let mut paced = Vec::new();
    let until = Instant::now() + Duration::from_secs_f64(secs);
    while Instant::now() < until {
        std::thread::sleep(Duration::from_micros(200));
        let t0 = Instant::now();
        let d = bundle.check_str(&json_text).unwrap();
        std::hint::black_box(d.to_json_pretty());
        paced.push(t0.elapsed().as_nanos() as u64);
    }
    let paced_secs = paced.iter().sum::<u64>() as f64 / 1e9;
    results.push(Measured {
        what: "  the same, one call every 200 µs (paced)".into(),
        count: paced.len() as u64,
        secs: paced_secs,
        latencies: paced,
        errors: 0,
    });
    let decision = bundle.check(&facts).unwrap();
    results.push(measure(
        "  of which: Facts::from_slice, YAML",
        1,
        secs / 2.0,
        || {
            let t = facts_bytes.clone();
            move || Facts::from_slice(&t, &Limits::default()).is_ok()
        },
    ));
    results.push(measure(
        "  of which: Facts::from_slice, JSON",
        1,
        secs / 2.0,
        || {
            let t = json_text.clone();
            move || Facts::from_slice(t.as_bytes(), &Limits::default()).is_ok()
        },
    ));
    results.push(measure(
        "  of which: decision.to_json_pretty",
        1,
        secs / 2.0,
        || {
            let d = decision.clone();
            move || !d.to_json_pretty().is_empty()
        },
    ));
    results.push(measure(
        "in-process check(&facts), 2 threads",
        2,
        secs,
        || {
            let (b, f) = (bundle.clone(), facts.clone());
            move || b.check(&f).is_ok()
        },
    ));
    println!(
        "{}",
        results
            .iter()
            .map(Measured::line)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let service = Service::start();
    let request = request_bytes("application/json", json_text.as_bytes());
    let yaml_request = request_bytes("application/yaml", &facts_bytes);
    let m = measure("service POST /v1/check, YAML body, 1", 1, secs, || {
        let mut client = Client::new(service.addr, Arc::clone(&yaml_request));
        move || matches!(client.call(), Ok(200))
    });
    println!("{}", m.line());
    let health = Arc::new(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec());
    let m = measure("service GET /healthz (the HTTP floor), 1", 1, secs, || {
        let mut client = Client::new(service.addr, Arc::clone(&health));
        move || matches!(client.call(), Ok(200))
    });
    println!("{}", m.line());
    let small = request_bytes("application/json", b"{}");
    let m = measure("service POST /v1/check `{}` (400), 1", 1, secs, || {
        let mut client = Client::new(service.addr, Arc::clone(&small));
        move || matches!(client.call(), Ok(400))
    });
    println!("{}", m.line());
    for c in [1usize, 8, 64] {
        let before = own_time(service.addr);
        let m = measure(
            &format!("service POST /v1/check, concurrency {c}"),
            c,
            secs,
            || {
                let mut client = Client::new(service.addr, Arc::clone(&request));
                move || matches!(client.call(), Ok(200))
            },
        );
        let after = own_time(service.addr);
        println!(
            "{}   (service's own time per request: {:.1} µs)",
            m.line(),
            (after.1 - before.1) / (after.0 - before.0).max(1.0) * 1e6
        );
        results.push(m);
    }
    let rss = service.rss_kib();
    println!(
        "service resident memory after the runs: {:.1} MiB",
        rss as f64 / 1024.0
    );
}

fn soak(total: u64) {
    let service = Service::start();
    let facts_bytes = std::fs::read(root().join(FACTS)).unwrap();
    let facts = Facts::from_slice(&facts_bytes, &Limits::default()).unwrap();
    let json_text = serde_json::to_string(&serde_json::to_value(&facts).unwrap()).unwrap();
    let request = request_bytes("application/json", json_text.as_bytes());
    let connections = 8u64;
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let (done, errors, request) =
                (Arc::clone(&done), Arc::clone(&errors), Arc::clone(&request));
            let addr = service.addr;
            std::thread::spawn(move || {
                let mut client = Client::new(addr, request);
                while done.fetch_add(1, Ordering::Relaxed) < total {
                    if !matches!(client.call(), Ok(200)) {
                        errors.fetch_add(1, Ordering::Relaxed);
                        client = Client::new(addr, Arc::clone(&client.request));
                    }
                }
            })
        })
        .collect();
    let mut samples = Vec::new();
    let step = (total / 20).max(1);
    let mut next = step;
    while done.load(Ordering::Relaxed) < total {
        let d = done.load(Ordering::Relaxed);
        if d >= next {
            samples.push((d.min(total), service.rss_kib()));
            next += step;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for t in threads {
        t.join().unwrap();
    }
    samples.push((total, service.rss_kib()));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "soak: {total} requests in {secs:.1} s ({:.0} req/s), {} errors",
        total as f64 / secs,
        errors.load(Ordering::Relaxed)
    );
    for (d, rss) in &samples {
        println!(
            "  after {d:>9} requests: RSS {:.1} MiB",
            *rss as f64 / 1024.0
        );
    }
    // Stable: from the first tenth on (allocator and caches warmed), the
    // resident set stays within 5 % of where it was then.
    let base = samples
        .iter()
        .find(|(d, _)| *d >= total / 10)
        .map_or(0, |s| s.1) as f64;
    let max = samples
        .iter()
        .filter(|(d, _)| *d >= total / 10)
        .map(|s| s.1)
        .max()
        .unwrap_or(0) as f64;
    let growth = if base > 0.0 {
        (max - base) / base * 100.0
    } else {
        0.0
    };
    println!("RSS growth after the first tenth: {growth:.2} % (stable if within 5 %)");
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.first().map(String::as_str) {
        Some("soak") => soak(
            args.get(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(1_000_000),
        ),
        _ => load(),
    }
}
