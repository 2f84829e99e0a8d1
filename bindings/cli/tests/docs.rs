//! The outputs shown in the README and `docs/` are real: every shown
//! `$ release-policy …` command whose inputs are in the repository is run
//! from the repository root, and its output (standard error, then standard
//! output) is compared with the lines shown under it. A line `…` stands
//! for any number of lines; a line ending in `…` matches any line that
//! starts with the rest. `$ echo $?` followed by a number checks the exit
//! code. With `UPDATE_DOCS=1`, a shown output without `…` that differs
//! is replaced by the printed one (review the diff). Commands with a pipe or a redirection, or naming a file that is
//! not in the repository (an illustration such as `f1.yaml`), are skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One shown command: where, the arguments, the lines shown under it, and
/// the exit code shown by a following `$ echo $?`.
struct Sample {
    place: String,
    /// The index of the `$` line in its file.
    line: usize,
    args: Vec<String>,
    shown: Vec<String>,
    exit: Option<i32>,
}

/// The markdown files of the README and `docs/`.
fn markdown_files() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md")];
    let mut stack = vec![root().join("docs")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The shown commands of one markdown file, and how many were skipped.
fn samples(file: &Path) -> (Vec<Sample>, usize) {
    let text = std::fs::read_to_string(file).unwrap();
    let rel = file
        .strip_prefix(root())
        .unwrap_or(file)
        .display()
        .to_string();
    let (mut out, mut skipped) = (Vec::new(), 0);
    let mut in_block = false;
    let mut current: Option<Sample> = None;
    let mut after_echo = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            if in_block {
                out.extend(current.take());
            }
            in_block = !in_block;
            after_echo = false;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            after_echo = false;
            if cmd.trim() == "echo $?" {
                after_echo = true;
                continue;
            }
            out.extend(current.take());
            let cmd = cmd.split("  #").next().unwrap_or(cmd).trim();
            let words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
            let runnable = words.first().is_some_and(|w| w == "release-policy")
                && !cmd.contains(['|', '<', '>', '\\', '\'', '"'])
                && paths(&words).all(|w| root().join(w).exists());
            if runnable {
                current = Some(Sample {
                    place: format!("{rel}:{}", i + 1),
                    line: i,
                    args: words.into_iter().skip(1).collect(),
                    shown: Vec::new(),
                    exit: None,
                });
            } else {
                skipped += 1;
            }
            continue;
        }
        if after_echo {
            if let (Some(s), Ok(code)) = (current.as_mut(), line.trim().parse()) {
                s.exit = Some(code);
            }
            after_echo = false;
            continue;
        }
        if let Some(s) = current.as_mut() {
            s.shown.push(line.to_string());
        }
    }
    (out, skipped)
}

/// The words of a command that name files: every argument after the
/// subcommand but flags, the value of `--format`, and the rule of
/// `explain`.
fn paths(words: &[String]) -> impl Iterator<Item = &String> {
    let explain = words.get(1).is_some_and(|w| w == "explain");
    let mut rule_seen = false;
    let mut after_format = false;
    words.iter().skip(2).filter(move |w| {
        if std::mem::take(&mut after_format) {
            return false;
        }
        if *w == "--format" {
            after_format = true;
            return false;
        }
        if w.starts_with('-') {
            return false;
        }
        if explain && !rule_seen {
            rule_seen = true;
            return false;
        }
        true
    })
}

/// Whether `actual` matches the `shown` lines (`…` for any lines, a
/// trailing `…` for any rest of a line); trailing blank lines are ignored.
fn matches(shown: &[String], actual: &[&str]) -> bool {
    match shown.split_first() {
        None => actual.iter().all(|l| l.trim().is_empty()),
        Some((first, rest)) if first == "…" => {
            (0..=actual.len()).any(|skip| matches(rest, actual.get(skip..).unwrap_or_default()))
        }
        Some((first, rest)) => match actual.split_first() {
            Some((a, more)) => {
                let same = match first.strip_suffix('…') {
                    Some(prefix) => a.starts_with(prefix),
                    None => a == first,
                };
                same && matches(rest, more)
            }
            None => shown.iter().all(|l| l.trim().is_empty()),
        },
    }
}

#[test]
fn every_shown_command_prints_what_the_docs_show() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let (mut ran, mut skipped, mut wrong) = (0, 0, Vec::new());
    for file in markdown_files() {
        let (list, s) = samples(&file);
        skipped += s;
        let mut rewrites: Vec<(usize, usize, Vec<String>)> = Vec::new();
        for sample in list {
            let out = Command::cargo_bin("release-policy")
                .unwrap()
                .current_dir(root())
                .args(&sample.args)
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
            let actual: Vec<&str> = text.lines().collect();
            let code = out.status.code().unwrap_or(-1);
            let elided = sample.shown.iter().any(|l| l.contains('…'));
            if update && !elided && !matches(&sample.shown, &actual) {
                let mut printed: Vec<String> = actual.iter().map(|l| l.to_string()).collect();
                while printed.last().is_some_and(|l| l.trim().is_empty()) {
                    printed.pop();
                }
                let mut shown_len = sample.shown.len();
                while shown_len > 0
                    && sample
                        .shown
                        .get(shown_len - 1)
                        .is_some_and(|l| l.trim().is_empty())
                {
                    shown_len -= 1;
                }
                rewrites.push((sample.line + 1, shown_len, printed));
                ran += 1;
                continue;
            }
            if !matches(&sample.shown, &actual) || sample.exit.is_some_and(|e| e != code) {
                wrong.push(format!(
                    "{} `release-policy {}` (exit {code}):\n--- shown\n{}\n--- printed\n{}",
                    sample.place,
                    sample.args.join(" "),
                    sample.shown.join("\n"),
                    text
                ));
            }
            ran += 1;
        }
        if !rewrites.is_empty() {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            for (at, len, printed) in rewrites.into_iter().rev() {
                lines.splice(at..at + len, printed);
            }
            std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    // The check must not pass by skipping: most shown commands run.
    assert!(
        ran >= 15,
        "only {ran} shown commands ran ({skipped} skipped)"
    );
}

#[test]
fn the_matcher_elides_and_compares() {
    let shown: Vec<String> = ["a", "…", "d…", ""].iter().map(|s| s.to_string()).collect();
    assert!(matches(&shown, &["a", "b", "c", "done"]));
    assert!(matches(&shown, &["a", "dx"]));
    assert!(!matches(&shown, &["a", "b", "c"]));
    assert!(!matches(&shown, &["x", "dx"]));
    assert!(!matches(&["a".to_string()], &["a", "extra"]));
}
