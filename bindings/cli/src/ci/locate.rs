//! Cheap source positions for the CI outputs: the line of a facts path
//! (`readiness.rollback.duration`) in a YAML or JSON facts file, found by
//! following its keys down the indentation, and the line naming a test
//! case. A best effort: when a key is not found where it should be, there
//! is no position (never a wrong-looking guess).

/// The text of a file the outputs point at, when it reads as UTF-8 and
/// is small (the facts are bounded already; anything else is skipped).
pub(crate) fn read(path: &str) -> Option<String> {
    const MAX: u64 = 4 * 1024 * 1024;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The 1-based line and column of the last key of `path` (dot-separated,
/// `[n]` indices ignored) in block YAML or indented JSON: each key is
/// looked for after its parent, on the parent's line (flow style) or on a
/// following, deeper-indented line, and the search stops at the first
/// line indented no deeper than the parent.
pub(crate) fn path_line(lines: &[&str], path: &str) -> Option<(usize, usize)> {
    let keys: Vec<&str> = path
        .split('.')
        .map(|k| k.split('[').next().unwrap_or(k))
        .filter(|k| !k.is_empty())
        .collect();
    if keys.is_empty() {
        return None;
    }
    // (line index, column of the found key, the column after it, its indentation)
    let mut at: Option<(usize, usize, usize, usize)> = None;
    for key in keys {
        let (start, from_col, parent_indent) = match at {
            None => (0, 0, None),
            Some((l, _, end, ind)) => (l, end, Some(ind)),
        };
        // The column of the keys one level down: that of the first key
        // below the parent (after `- ` list markers).
        let mut child_col: Option<usize> = None;
        let mut found = None;
        for (i, line) in lines.iter().enumerate().skip(start) {
            let indent = line.len() - line.trim_start().len();
            let same_line = Some(i) == at.map(|a| a.0);
            if same_line {
                if let Some(col) = key_at(line, key, from_col) {
                    found = Some((i, col, col + key.len(), indent));
                    break;
                }
                continue;
            }
            let content = line.trim();
            let structural = content.chars().all(|c| "{}[],".contains(c));
            if content.is_empty() || content.starts_with('#') || content == "---" || structural {
                continue;
            }
            if parent_indent.is_some_and(|p| indent <= p) {
                break;
            }
            let mut col = indent;
            let mut rest = content;
            while let Some(r) = rest.strip_prefix("- ") {
                let r2 = r.trim_start();
                col += rest.len() - r2.len();
                rest = r2;
            }
            let level = *child_col.get_or_insert(col);
            let flow = rest.starts_with('{');
            if let Some(c) = key_at(line, key, 0).filter(|c| *c == level || (flow && col == level))
            {
                found = Some((i, c, c + key.len(), indent));
                break;
            }
        }
        at = Some(found?);
    }
    at.map(|(l, c, _, _)| (l + 1, c + 1))
}

/// The byte column of `key` used as a mapping key in `line` at or after
/// `from`: `key:` / `"key":` preceded by the start, a space, `{`, `,` or
/// `- `.
fn key_at(line: &str, key: &str, from: usize) -> Option<usize> {
    for quoted in [false, true] {
        let needle = if quoted {
            format!("\"{key}\"")
        } else {
            key.to_string()
        };
        let mut pos = from;
        while let Some(rel) = line.get(pos..).and_then(|s| s.find(&needle)) {
            let col = pos + rel;
            let before = line.get(..col).and_then(|s| s.chars().last());
            let after = line.get(col + needle.len()..).unwrap_or("");
            let starts = matches!(before, None | Some(' ' | '{' | ',' | '-' | '\t'));
            if starts && after.trim_start().starts_with(':') {
                return Some(col);
            }
            pos = col + needle.len();
        }
    }
    None
}

/// The 1-based line of the first line holding `needle` (a test case's
/// `name:`), if any.
pub(crate) fn needle_line(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    text.lines()
        .position(|l| l.contains(needle) && l.contains("name"))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    fn path_line(text: &str, path: &str) -> Option<(usize, usize)> {
        super::path_line(&text.lines().collect::<Vec<_>>(), path)
    }

    #[test]
    fn finds_block_and_flow_keys() {
        let yaml = "now: x\nrelease: {id: a, kind: standard}\nreadiness:\n  onCall: bob\n  rollback:\n    owner: x\n    duration: 5m\nother:\n  duration: 1\n";
        assert_eq!(path_line(yaml, "release.kind"), Some((2, 18)));
        assert_eq!(path_line(yaml, "readiness.rollback.duration"), Some((7, 5)));
        assert_eq!(path_line(yaml, "readiness.duration"), None);
        let list = "ci:\n  suites:\n    - name: e2e\n      status: failed\n    - {name: unit, status: passed}\n";
        assert_eq!(path_line(list, "ci.suites[0].status"), Some((4, 7)));
        assert_eq!(path_line(yaml, "now"), Some((1, 1)));
        let json = "{\n  \"ci\": {\n    \"suites\": []\n  }\n}\n";
        assert_eq!(path_line(json, "ci.suites[0]"), Some((3, 5)));
        assert_eq!(path_line(json, "missing"), None);
    }
}
