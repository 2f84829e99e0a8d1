//! The import rules of `docs/architecture.md`, enforced: every source file
//! of the crate is read, the crate modules it names (`crate::x`, and
//! `super::x` where `super` reaches the crate root) are resolved to their
//! top-level module, and each top-level module may name only the modules
//! its layer allows. A slice never names another slice; the shared layers
//! name no slice; inside a slice only `compile.rs` reads the policy
//! documents (`lang`), so evaluation reads compiled forms only. Every file
//! has a module doc.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The slices: one per question.
const SLICES: &[&str] = &["check", "assess", "plan", "review", "audit"];

/// What each shared layer may name (besides itself).
const SHARED: &[(&str, &[&str])] = &[
    ("vocab", &[]),
    ("error", &[]),
    ("limits", &["error"]),
    ("stats", &[]),
    ("model", &["error", "limits", "stats", "vocab"]),
    ("expr", &["error", "limits", "model", "vocab"]),
    (
        "lang",
        &["error", "limits", "model", "expr", "stats", "vocab"],
    ),
];

/// What a slice may name (besides itself).
const SLICE_MAY_USE: &[&str] = &["vocab", "error", "limits", "model", "lang", "expr", "stats"];

/// The facade and the cross-cutting modules that may name anything: the
/// bundle (hands each kind to its slice), the crate root, policy tests and
/// the JSON Schemas.
const FACADE: &[&str] = &["lib", "bundle", "testing", "schema"];

/// Every top-level module the rules know.
fn known_modules() -> Vec<&'static str> {
    let mut all: Vec<&str> = SLICES.to_vec();
    all.extend(SHARED.iter().map(|(m, _)| *m));
    all.extend(FACADE);
    all
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `check/compile.rs` → `[check, compile]`,
/// `check/mod.rs` → `[check]`, `lib.rs` → `[]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments (so docs may name anything).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The top-level crate modules (or root items) that `code`, written in the
/// module at `path`, names.
fn named_modules(code: &str, path: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let text = code;
    for (start, _) in text.match_indices("crate::") {
        if start > 0 && text[..start].chars().last().is_some_and(is_ident) {
            continue; // `release_policy_crate::` or similar
        }
        let rest = &text[start + "crate::".len()..];
        let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    for (start, _) in text.match_indices("super::") {
        if start > 0
            && text[..start]
                .chars()
                .last()
                .is_some_and(|c| is_ident(c) || c == ':')
        {
            continue; // the tail of a `super::super::` chain is handled at its head
        }
        let mut rest = &text[start..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        if ups < path.len() {
            continue; // stays inside the top-level module
        }
        let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// The rule violations of one file, as messages.
fn violations(relative: &Path, text: &str) -> Vec<String> {
    let path = module_path(relative);
    let top = path.first().map_or("lib", String::as_str);
    let file = relative.display();
    let mut errors = Vec::new();
    if !text.trim_start().starts_with("//!") {
        errors.push(format!("{file}: no module doc (`//!` at the top)"));
    }
    if FACADE.contains(&top) {
        return errors;
    }
    let allowed: Vec<&str> = if SLICES.contains(&top) {
        SLICE_MAY_USE.to_vec()
    } else if let Some((_, may)) = SHARED.iter().find(|(m, _)| *m == top) {
        may.to_vec()
    } else {
        errors.push(format!(
            "{file}: top-level module `{top}` is not in the architecture (docs/architecture.md)"
        ));
        return errors;
    };
    let is_compile = relative.file_name().is_some_and(|n| n == "compile.rs");
    for name in named_modules(&code(text), &path) {
        if !known_modules().contains(&name.as_str())
            && !name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        {
            continue; // an item of an inline module (`mod tests`), not a crate module
        }
        if name == top || name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            if name != top {
                errors.push(format!(
                    "{file}: names the root re-export `crate::{name}`; name the module it lives in"
                ));
            }
            continue;
        }
        if !allowed.contains(&name.as_str()) {
            errors.push(format!("{file}: `{top}` may not import `{name}`"));
        } else if SLICES.contains(&top) && name == "lang" && !is_compile {
            errors.push(format!(
                "{file}: evaluation reads compiled forms only; only the slice's `compile.rs` may import `lang`"
            ));
        }
    }
    errors
}

#[test]
fn every_module_follows_the_import_rules() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 30, "found only {} source files", files.len());
    let mut errors = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let relative = f.strip_prefix(&root).unwrap_or(f);
        errors.extend(violations(relative, &text));
    }
    assert!(
        errors.is_empty(),
        "architecture rules broken (see docs/architecture.md):\n{}",
        errors.join("\n")
    );
}

#[test]
fn a_slice_importing_another_slice_is_caught() {
    let text = "//! doc\nuse crate::check::decision::Decision;\n";
    let errors = violations(Path::new("assess/report.rs"), text);
    assert_eq!(
        errors,
        vec!["assess/report.rs: `assess` may not import `check`"]
    );
}

#[test]
fn a_shared_layer_importing_a_slice_is_caught_through_super() {
    let text = "//! doc\nuse super::assess::Assessment;\n";
    let errors = violations(Path::new("lang/mod.rs"), text);
    assert_eq!(errors, vec!["lang/mod.rs: `lang` may not import `assess`"]);
    let deep = "//! doc\nuse super::super::super::check::Thing;\n";
    let errors = violations(Path::new("stats/judge/score.rs"), deep);
    assert_eq!(
        errors,
        vec!["stats/judge/score.rs: `stats` may not import `check`"]
    );
}

#[test]
fn evaluation_reading_documents_is_caught() {
    let text = "//! doc\nuse crate::lang::document::Trigger;\n";
    assert_eq!(
        violations(Path::new("assess/compile.rs"), text),
        Vec::<String>::new()
    );
    let errors = violations(Path::new("assess/metrics.rs"), text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("compiled forms only"), "{errors:?}");
}

#[test]
fn a_missing_module_doc_and_root_reexports_are_caught() {
    let errors = violations(Path::new("stats/rank.rs"), "use crate::Decision;\n");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("no module doc"));
    assert!(errors[1].contains("root re-export"));
}

#[test]
fn comments_may_name_anything() {
    let text = "//! uses crate::check in words\n// crate::assess too\nfn f() {}\n";
    assert!(violations(Path::new("lang/rules.rs"), text).is_empty());
}

#[test]
fn bindings_use_the_stable_api_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for b in [
        "bindings/cli",
        "bindings/python",
        "bindings/c",
        "archive",
        "report",
        "server",
    ] {
        rust_files(&root.join(b).join("src"), &mut files);
    }
    assert!(files.len() > 5, "found only {} binding files", files.len());
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| code(&std::fs::read_to_string(f).unwrap_or_default()).contains("unstable::"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "bindings use `unstable` internals: {offenders:?}"
    );
}
