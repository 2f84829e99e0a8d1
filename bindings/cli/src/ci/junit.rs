//! JUnit XML: `<testsuites>` with one `<testsuite>` per group (policy,
//! test file, release, service) in first-seen order, one `<testcase>` per
//! item (`classname` the group, `name` the id). A failed item is a
//! `<failure message type>` whose text is the message and the values it
//! read; an item that could not be evaluated an `<error>`; a waiting or
//! skipped one `<skipped>`. Counts are per suite and in total; the only
//! timestamp is the result's own `now`. Everything is escaped, and the
//! characters XML 1.0 forbids are replaced with U+FFFD, so a hostile
//! message still gives well-formed XML.

use std::fmt::Write;

use super::{Item, Report, Status, counts};

/// `s` as XML character data or an attribute value (quotes escaped too;
/// tabs and line breaks as character references, which attribute
/// normalisation keeps).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !allowed(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// XML 1.0's `Char` production (less what `escape` handles first).
fn allowed(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The text under a failure: the message, then the details, one a line.
fn body(i: &Item) -> String {
    let mut lines = vec![i.message.clone()];
    lines.extend(i.details.iter().cloned());
    if let Some(f) = &i.location.file {
        let at = match (i.location.line, i.location.column) {
            (Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            (Some(l), None) => format!("{f}:{l}"),
            _ => f.clone(),
        };
        lines.push(format!("at {at}"));
    }
    // Line breaks stay line breaks in element text.
    lines
        .iter()
        .map(|l| escape(l).replace("&#10;", "\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn testcase(out: &mut String, i: &Item) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        escape(&i.group),
        escape(&i.id)
    );
    let (tag, text) = match i.status {
        Status::Pass => {
            let _ = writeln!(out, "/>");
            return;
        }
        Status::Skipped => {
            let _ = writeln!(out, ">\n      <skipped/>\n    </testcase>");
            return;
        }
        Status::Waiting => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                escape(&i.message)
            );
            return;
        }
        Status::Fail => ("failure", body(i)),
        Status::Error => ("error", body(i)),
    };
    let _ = writeln!(
        out,
        ">\n      <{tag} message=\"{}\" type=\"{}\">{text}</{tag}>\n    </testcase>",
        escape(&i.message),
        escape(&i.kind)
    );
}

/// The report as a JUnit XML document.
pub(crate) fn render(r: &Report) -> String {
    let mut groups: Vec<&str> = Vec::new();
    for i in &r.items {
        if !groups.contains(&i.group.as_str()) {
            groups.push(&i.group);
        }
    }
    let name = format!("release-policy {}", r.command);
    let stamp = r
        .timestamp
        .as_ref()
        .map(|t| format!(" timestamp=\"{}\"", escape(t)))
        .unwrap_or_default();
    let (tests, failures, errors, skipped) = counts(&r.items);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">",
        escape(&name)
    );
    for g in groups {
        let items: Vec<&Item> = r.items.iter().filter(|i| i.group == g).collect();
        let (tests, failures, errors, skipped) = counts(items.iter().copied());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\"{stamp}>",
            escape(g)
        );
        for i in items {
            testcase(&mut out, i);
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("<script>&\"]]>'\u{1}\u{b}\t\u{fffe}"),
            "&lt;script&gt;&amp;&quot;]]&gt;&apos;\u{fffd}\u{fffd}&#9;\u{fffd}"
        );
    }
}
