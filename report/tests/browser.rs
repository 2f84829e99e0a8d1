//! The report in a real browser: headless Chromium (Debian's `chromium`,
//! installed by `scripts/install-chromium`) renders the example portfolio
//! to a screenshot and a PDF; the PDF's text (`pdftotext`) must hold what
//! a person reads — service names, verdicts, control ids, chart titles —
//! and the screenshot must not be blank. The screenshot is kept at
//! `target/report-artifacts/portfolio.png`. A hostile page is loaded too:
//! its DOM (`--dump-dom`) holds the script as text, never as an element.
//!
//! Without Chromium or `pdftotext` the test says it skipped; under
//! `CI=true` it fails instead.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use release_policy::Bundle;
use release_policy_report::Portfolio;

const CHROMIUM: &str = "/usr/bin/chromium";

/// A directory of its own under the system's temporary directory,
/// removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "release-policy-report-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether the tools are there; when not, skip (or fail under `CI=true`).
fn tools_present() -> bool {
    let pdftotext = Command::new("pdftotext")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    let chromium = Path::new(CHROMIUM).exists();
    if chromium && pdftotext {
        return true;
    }
    let missing = match (chromium, pdftotext) {
        (false, false) => "chromium and pdftotext are",
        (false, true) => "chromium is",
        _ => "pdftotext is",
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{missing} missing and CI=true: run scripts/install-chromium");
    }
    eprintln!(
        "SKIPPED: the browser test of the report did not run: {missing} missing \
         (run scripts/install-chromium; under CI=true this fails)"
    );
    false
}

/// Runs Chromium headless on `page` with `args`, a fresh profile, no
/// network services, within two minutes; returns its standard output.
fn chromium(work: &TempDir, profile: &str, page: &Path, args: &[String]) -> String {
    let profile = work.path(profile);
    std::fs::create_dir_all(&profile).unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "chromium failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PNG's width, height and the bytes of its image data (`IDAT`).
fn png_facts(bytes: &[u8]) -> (u32, u32, usize) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let (mut width, mut height, mut data) = (0, 0, 0);
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = be(&bytes[at..]) as usize;
        let kind = &bytes[at + 4..at + 8];
        if kind == b"IHDR" {
            width = be(&bytes[at + 8..]);
            height = be(&bytes[at + 12..]);
        } else if kind == b"IDAT" {
            data += len;
        }
        at += 12 + len;
    }
    (width, height, data)
}

/// Where artefacts go: `$CARGO_TARGET_DIR/report-artifacts`, or the
/// target directory this test binary was built in.
fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            // target/debug/deps/browser-… → target
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })
        .unwrap_or_else(|| common::root().join("target"));
    let dir = target.join("report-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_report_renders_in_chromium() {
    if !tools_present() {
        return;
    }
    let work = TempDir::new("browser");
    let bundle = Bundle::builtin();
    let portfolio = Portfolio::from_records(common::archive(&bundle), &bundle, None).unwrap();
    let page = work.path("portfolio.html");
    std::fs::write(&page, portfolio.to_html()).unwrap();

    // The screenshot, and a blank page's for scale.
    let shot = work.path("portfolio.png");
    let window = "--window-size=1280,2000".to_string();
    chromium(
        &work,
        "profile-shot",
        &page,
        &[format!("--screenshot={}", shot.display()), window.clone()],
    );
    let blank_page = work.path("blank.html");
    std::fs::write(
        &blank_page,
        "<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>",
    )
    .unwrap();
    let blank = work.path("blank.png");
    chromium(
        &work,
        "profile-blank",
        &blank_page,
        &[format!("--screenshot={}", blank.display()), window],
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    let (width, height, data) = png_facts(&png);
    assert_eq!((width, height), (1280, 2000));
    let (_, _, blank_data) = png_facts(&std::fs::read(&blank).unwrap());
    // A uniform page compresses to almost nothing; text, tables and
    // badges do not.
    assert!(
        data > 10 * blank_data.max(1_000),
        "the screenshot looks blank: {data} bytes of image data, a blank page has {blank_data}"
    );
    let kept = artifacts().join("portfolio.png");
    std::fs::copy(&shot, &kept).unwrap();
    eprintln!("screenshot kept at {}", kept.display());

    // The PDF, and its text as rendered.
    let pdf = work.path("portfolio.pdf");
    chromium(
        &work,
        "profile-pdf",
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ],
    );
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(text.status.success(), "pdftotext failed");
    let text = normalised(&String::from_utf8_lossy(&text.stdout));
    std::fs::write(artifacts().join("portfolio.txt"), &text).unwrap();
    for expected in [
        "Release portfolio",
        "checkout",
        "payments",
        "search",
        "no-go",
        "pending",
        "rollback",
        "ci-required-suites-passed",
        "sca-no-critical",
        "SOC2:CC8.1",
        "GDPR:Art.32",
        "HIPAA:164.308(a)(1)(ii)(A)",
        "Deployment frequency (deployments per week)",
        "Lead time for changes (median, hours)",
        "Change failure rate (% of deployments)",
        "Time to restore service (median, minutes)",
        "Rollback frequency per service",
        "1 of 6 rolled back (16.7%)",
    ] {
        assert!(
            text.contains(expected),
            "the rendered page does not show `{expected}`"
        );
    }
}

#[test]
fn a_hostile_record_stays_text_in_chromium() {
    if !tools_present() {
        return;
    }
    let work = TempDir::new("hostile");
    let bundle = Bundle::builtin();
    let mut entries = common::entries(&bundle);
    let evil = "<script>document.title='PWNED'</script><img src=x onerror=alert(1)>";
    entries[0].release = evil.into();
    entries[0].service = evil.into();
    let records = common::seal(entries);
    let portfolio = Portfolio::from_records(records, &bundle, None).unwrap();
    let page = work.path("hostile.html");
    std::fs::write(&page, portfolio.to_html()).unwrap();
    let dom = chromium(&work, "profile-dom", &page, &["--dump-dom".to_string()]);
    assert!(dom.contains("<title>Release portfolio"), "no DOM dumped");
    assert!(!dom.contains("PWNED</title>"), "the script ran");
    assert!(!dom.contains("<script"), "a script element is in the DOM");
    assert!(!dom.contains("<img"), "an img element is in the DOM");
    assert!(dom.contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;"));
}
