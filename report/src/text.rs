//! Writing values out: HTML and Markdown escaping (everything a record
//! holds came from a CI system or a person, so every such string passes
//! through [`html`] or [`md`]), and the fixed formats of times, durations,
//! rates and numbers, so the same portfolio always gives the same bytes.

use std::fmt::{self, Display, Write as _};

use release_policy::model::Timestamp;

/// Text escaped for HTML content and attribute values (`&`, `<`, `>`,
/// `"`, `'`), written through [`Display`].
pub(crate) struct Html<'a>(pub(crate) &'a str);

/// Writes `text` to `f` with `&`, `<` and `>` as entities (both HTML and
/// Markdown take them so) and every other character as `other` writes it.
fn escape(
    f: &mut fmt::Formatter<'_>,
    text: &str,
    other: fn(&mut fmt::Formatter<'_>, char) -> fmt::Result,
) -> fmt::Result {
    for c in text.chars() {
        match c {
            '&' => f.write_str("&amp;")?,
            '<' => f.write_str("&lt;")?,
            '>' => f.write_str("&gt;")?,
            c => other(f, c)?,
        }
    }
    Ok(())
}

impl Display for Html<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        escape(f, self.0, |f, c| match c {
            '"' => f.write_str("&quot;"),
            '\'' => f.write_str("&#39;"),
            // Controls other than tab and newline are not allowed in HTML
            // text; a replacement character shows one was there.
            c if c.is_control() && c != '\n' && c != '\t' => f.write_char('\u{fffd}'),
            c => f.write_char(c),
        })
    }
}

/// `text` escaped for HTML.
pub(crate) fn html(text: &str) -> Html<'_> {
    Html(text)
}

/// Text escaped for a Markdown table cell or line: HTML-significant
/// characters as entities (a wiki renders inline HTML), Markdown's
/// punctuation with a backslash, line breaks as spaces.
pub(crate) struct Md<'a>(pub(crate) &'a str);

impl Display for Md<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        escape(f, self.0, |f, c| match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '#' | '!' => {
                f.write_char('\\')?;
                f.write_char(c)
            }
            '\n' | '\r' | '\t' => f.write_char(' '),
            c if c.is_control() => f.write_char('\u{fffd}'),
            c => f.write_char(c),
        })
    }
}

/// `text` escaped for Markdown.
pub(crate) fn md(text: &str) -> Md<'_> {
    Md(text)
}

/// `2026-11-26 10:00 UTC`.
pub(crate) fn time(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2026-11-26`.
pub(crate) fn day(t: Timestamp) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// `11-26`: a week's label on a chart axis.
pub(crate) fn short_day(t: Timestamp) -> String {
    t.format("%m-%d").to_string()
}

/// A number with at most `decimals` decimals, trailing zeros dropped
/// (`2.5`, `3`, `0.25`); `–` for a value that is not finite.
pub(crate) fn number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

/// A rate (0..1) as a percentage: `33.3%`.
pub(crate) fn percent(rate: f64) -> String {
    format!("{}%", number(rate * 100.0, 1))
}

/// A span in seconds, written short: `45s`, `12m`, `3.5h`, `2.1d`.
pub(crate) fn span(seconds: f64) -> String {
    let s = seconds.abs();
    if s < 60.0 {
        format!("{}s", number(seconds, 0))
    } else if s < 3_600.0 {
        format!("{}m", number(seconds / 60.0, 1))
    } else if s < 172_800.0 {
        format!("{}h", number(seconds / 3_600.0, 1))
    } else {
        format!("{}d", number(seconds / 86_400.0, 1))
    }
}

/// `in 3 days`, `today`, `2 days ago`.
pub(crate) fn days_left(days: i64) -> String {
    match days {
        0 => "within a day".to_string(),
        1 => "in 1 day".to_string(),
        d if d > 1 => format!("in {d} days"),
        -1 => "expired 1 day ago".to_string(),
        d => format!("expired {} days ago", d.unsigned_abs()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(
            html("<script>alert('x&y')</script>\"").to_string(),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;"
        );
        assert_eq!(html("a\u{0}b").to_string(), "a\u{fffd}b");
    }

    #[test]
    fn escapes_markdown() {
        assert_eq!(
            md("a|b <i>*x*</i>\n[l](u)").to_string(),
            "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; \\[l\\](u)"
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(number(2.50, 2), "2.5");
        assert_eq!(number(3.0, 1), "3");
        assert_eq!(number(-0.0001, 1), "0");
        assert_eq!(number(f64::NAN, 1), "–");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
        assert_eq!(span(45.0), "45s");
        assert_eq!(span(690.0), "11.5m");
        assert_eq!(span(7_200.0), "2h");
        assert_eq!(span(345_600.0), "4d");
        assert_eq!(days_left(-2), "expired 2 days ago");
    }
}
