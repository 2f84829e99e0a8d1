//! Sandbox bounds, in the manner of rhai's `Limits` and Kubernetes' CEL
//! cost limits: every input that could make evaluation slow or deep is
//! bounded, and hitting a bound is a clear error, never a hang or a crash.

use serde::Serialize;

/// Bounds on policies, expressions and facts.
///
/// The defaults are generous for real release data and policies, and small
/// enough that the worst case evaluates in well under a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Longest CEL expression, in bytes.
    pub max_expression_len: usize,
    /// Deepest bracket / unary-operator nesting, checked before parsing so a
    /// pathological expression cannot exhaust the parser's stack.
    pub max_nesting: usize,
    /// Most AST nodes in one expression.
    pub max_ast_nodes: usize,
    /// Deepest AST.
    pub max_ast_depth: usize,
    /// Most comprehensions (`all`, `exists`, `map`, `filter`) nested inside
    /// each other. With `max_list_items` this bounds the work of one rule.
    pub max_comprehension_nesting: usize,
    /// Largest facts document, in bytes.
    pub max_facts_bytes: usize,
    /// Longest list anywhere in the facts.
    pub max_list_items: usize,
    /// Largest policy file, in bytes.
    pub max_policy_bytes: usize,
    /// Largest value a `variables` entry may compute: list elements and map
    /// entries counted at every depth (a top-level list is also held to
    /// `max_list_items`). Comprehensions iterate only facts, variables and
    /// literals, so this bounds every comprehension range.
    pub max_variable_items: usize,
    /// Longest string a `variables` entry may compute, in bytes.
    pub max_variable_string_bytes: usize,
    /// Deepest `[`/`{` nesting in YAML input, checked before parsing (the
    /// YAML scanner takes quadratic time on deep flow nesting).
    pub max_yaml_nesting: usize,
    /// Most values in one set of facts, counted at every depth (every
    /// list item, map entry and metric sample): bounds the work and memory
    /// of a decision, which per-list limits alone do not.
    pub max_fact_values: usize,
    /// Largest value a finding echoes (the values a rule read), in bytes of
    /// JSON; a larger one is shown as a short summary, so the output of a
    /// decision stays small whatever the facts hold.
    pub max_echo_bytes: usize,
    /// Largest compiled form of a literal `matches` pattern, in bytes (the
    /// `regex` crate's size limit); a larger one is refused at load. `\w`
    /// repeated 200 times is over it: such a pattern took 44 ms to compile
    /// on every call.
    pub max_regex_bytes: usize,
    /// Most evaluation steps of one decision, all its expressions together
    /// (the way Kubernetes bounds CEL by cost): every node evaluated is a
    /// step, and work in proportion to a size (a comprehension's items, a
    /// string copied, a list compared) costs in proportion. A decision
    /// over it fails closed: the rule being evaluated, and every rule
    /// after it, is an error naming the limit. The default stops any
    /// decision within about 100 ms on one core (docs/performance.md).
    pub max_eval_cost: u64,
    /// Most bytes the expressions of one decision may build (strings,
    /// lists, maps), checked before each value is built.
    pub max_eval_bytes: u64,
    /// Largest catalog or release plan, all its files together, in bytes.
    pub max_catalog_bytes: usize,
    /// Largest OpenAPI document a catalog names, in bytes.
    pub max_openapi_bytes: usize,
    /// Most services in one catalog (the facts' `max_list_items` does not
    /// apply: a catalog of 10,000 services is within the defaults).
    pub max_catalog_services: usize,
    /// Most dependencies in one catalog.
    pub max_catalog_edges: usize,
    /// Most releases in one release plan.
    pub max_plan_releases: usize,
    /// Largest set of release records, all its files together, in bytes.
    /// The default (96 MiB, about 160,000 records as JSON Lines) keeps a
    /// load with its text under 256 MB (100,000 records: 119 MB peak).
    pub max_records_bytes: usize,
    /// Most release records read at once.
    pub max_records: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_expression_len: 4096,
            max_nesting: 32,
            max_ast_nodes: 1000,
            max_ast_depth: 64,
            max_comprehension_nesting: 2,
            max_facts_bytes: 8 * 1024 * 1024,
            max_list_items: 1000,
            max_policy_bytes: 1024 * 1024,
            max_variable_items: 10_000,
            max_variable_string_bytes: 64 * 1024,
            max_yaml_nesting: 64,
            max_fact_values: 100_000,
            max_echo_bytes: 4096,
            max_regex_bytes: 256 * 1024,
            max_eval_cost: 1_000_000,
            max_eval_bytes: 64 * 1024 * 1024,
            max_catalog_bytes: 64 * 1024 * 1024,
            max_openapi_bytes: 4 * 1024 * 1024,
            max_catalog_services: 20_000,
            max_catalog_edges: 200_000,
            max_plan_releases: 2_000,
            max_records_bytes: 96 * 1024 * 1024,
            max_records: 200_000,
        }
    }
}

/// Where YAML flow nesting (`[`, `{` outside quotes and comments) first
/// goes deeper than `max`: 1-based line and column.
pub(crate) fn yaml_too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            // A comment ends here; a quoted scalar may go on.
            comment = false;
            prev = c;
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some(q) => {
                if c == q && !(q == '"' && prev == '\\') {
                    quote = None;
                }
            }
            None => match c {
                '#' if prev.is_whitespace() => comment = true,
                // A quote opens a quoted scalar only where a scalar starts
                // (YAML's `a'b` is a plain scalar). Seeing a quote where
                // there is none would let brackets go uncounted, so this
                // errs the other way: a missed quote only over-counts.
                '"' | '\'' if prev.is_whitespace() || matches!(prev, '[' | '{' | ',') => {
                    quote = Some(c)
                }
                '[' | '{' => {
                    depth += 1;
                    if depth > max {
                        return Some((line, col));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

/// The first character YAML does not allow in a document (a control
/// character other than tab, line feed and carriage return, or DEL), with
/// its line and column (1-based): the YAML reader reports only a byte
/// offset for it.
pub(crate) fn yaml_control_char(text: &str) -> Option<(usize, usize, char)> {
    let (mut line, mut col) = (1usize, 0usize);
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            continue;
        }
        if (c.is_control() && !matches!(c, '\t' | '\r')) && (c < '\u{80}' || c == '\u{7f}') {
            return Some((line, col, c));
        }
    }
    None
}

/// The position (line, column, 1-based) of the first YAML alias (`*name`)
/// in `text`, if any. Aliases are refused in facts and policies: a few
/// kilobytes of anchors and aliases can expand to gigabytes (the "billion
/// laughs"), past every size limit checked on the text.
pub(crate) fn yaml_alias(text: &str) -> Option<(usize, usize)> {
    // Without a `*` there is no alias; most inputs skip the scan.
    if !text.contains('*') {
        return None;
    }
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        if let saphyr_parser::Event::Alias(_) = event {
            return Some((span.start.line(), span.start.col() + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn deep_flow_nesting_is_found_before_parsing() {
        let deep = format!("a: {}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(super::yaml_too_deep(&deep, 64), Some((1, 68)));
        assert_eq!(
            super::yaml_too_deep("a: '[[[[['\nb: [1, [2]] # [[[[\n", 2),
            None
        );
        assert_eq!(super::yaml_too_deep("a: \"x\\\"[[[\"", 1), None);
    }

    #[test]
    fn a_quote_inside_a_plain_scalar_does_not_hide_nesting() {
        let attack = format!("x: [a'b, {}{}]", "[".repeat(100), "]".repeat(100));
        assert!(super::yaml_too_deep(&attack, 64).is_some());
        let attack = format!("x: [a\"b, {}{}]", "[".repeat(100), "]".repeat(100));
        assert!(super::yaml_too_deep(&attack, 64).is_some());
        // Quoted scalars that open after `[` or `,` still hide their brackets.
        assert_eq!(super::yaml_too_deep("x: ['[[[', \"[[[\"]", 2), None);
    }

    #[test]
    fn aliases_are_found() {
        assert_eq!(super::yaml_alias("a: &x [1]\nb: *x\n"), Some((2, 4)));
        assert_eq!(super::yaml_alias("a: '*x'\nb: 2 * 3\n"), None);
    }
}
