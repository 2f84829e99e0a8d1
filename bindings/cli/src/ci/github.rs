//! GitHub Actions workflow commands: one `::error`, `::warning` or
//! `::notice` line per item that did not pass or was not skipped (`error`
//! when it fails the verdict or is a load error, `notice` when it holds the
//! verdict or only informs, `warning` when it warns), with `file`, `line`,
//! `col` and `title` properties, then one plain line: the verdict and the
//! counts. Messages escape `%`, CR and LF; property values also `:` and
//! `,`; other control characters become U+FFFD, so nothing in a message
//! can end the line or start another command.

use std::fmt::Write;

use super::{Item, Report, Status};

/// A command's message (its data).
pub(crate) fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A command's property value.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(i: &Item) -> String {
    let mut props = Vec::new();
    if let Some(f) = &i.location.file {
        props.push(format!("file={}", escape_property(f)));
        if let Some(l) = i.location.line {
            props.push(format!("line={l}"));
        }
        if let Some(c) = i.location.column {
            props.push(format!("col={c}"));
        }
    }
    // `RULE (policy, effect)`, leaving out what repeats the id or file.
    let mut also: Vec<&str> = Vec::new();
    if i.location.file.as_deref() != Some(i.group.as_str()) {
        also.push(&i.group);
    }
    if i.kind != i.id {
        also.push(&i.kind);
    }
    let title = if also.is_empty() {
        i.id.clone()
    } else {
        format!("{} ({})", i.id, also.join(", "))
    };
    props.push(format!("title={}", escape_property(&title)));
    let mut message = i.message.clone();
    if !i.paths.is_empty() {
        let paths: Vec<String> = i.paths.iter().map(|p| format!("`{p}`")).collect();
        message.push_str(&format!(" (read {})", paths.join(", ")));
    }
    for d in &i.details {
        message.push('\n');
        message.push_str(d);
    }
    format!(
        "::{} {}::{}",
        i.severity.github_command(),
        props.join(","),
        escape_data(&message)
    )
}

/// The report as workflow commands and a summary line.
pub(crate) fn render(r: &Report) -> String {
    let mut out = String::new();
    for i in r
        .items
        .iter()
        .filter(|i| matches!(i.status, Status::Fail | Status::Error | Status::Waiting))
    {
        let _ = writeln!(out, "{}", command(i));
    }
    let _ = writeln!(out, "{}", escape_data(&r.summary));
    out
}

#[cfg(test)]
mod tests {
    use super::{escape_data, escape_property};

    #[test]
    fn escapes_per_github_rules() {
        assert_eq!(escape_data("50%\r\n::x\u{7}"), "50%25%0D%0A::x\u{fffd}");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
