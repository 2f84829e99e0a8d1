//! CEL: parsing with our [parser](parse) (the same tree as the `cel`
//! crate's parser, which parses what ours leaves to it and reports every
//! syntax error; the standard macros and our [two-variable
//! macros](macros)), static checks and limits at load
//! ([`typecheck`]), and the compiled evaluator: each expression becomes a
//! [plan](plan) once, when its bundle loads, evaluated over the facts as
//! they are held ([`value`], [`view`]: the typed facts read in place, or
//! borrowed JSON typed by the facts shape),
//! with native [functions] and our [function library](library), within a
//! per-decision [`Budget`](budget::Budget) of steps and bytes. The `cel`
//! crate's interpreter is kept as the [reference](reference) the
//! differential tests compare against.

pub(crate) mod absent;
mod arguments;
pub(crate) mod bind;
pub(crate) mod budget;
mod compare;
pub(crate) mod convert;
pub mod differential;
pub(crate) mod echo;
pub(crate) mod eval;
mod format;
pub(crate) mod functions;
#[cfg(test)]
pub(crate) mod json_strategy;
pub(crate) mod library;
mod literals;
mod macros;
mod ops;
mod parse;
pub(crate) mod plan;
pub(crate) mod reference;
mod strings;
pub(crate) mod suggest;
mod time;
mod typecheck;
pub(crate) mod value;
pub(crate) mod view;

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use cel::Env;
use cel::common::ast::{IdedExpr, SourceInfo};

use crate::error::ErrorCode;
use crate::limits::Limits;
use crate::model::shape::Shape;
pub(crate) use budget::{Budget, EvalError};
pub(crate) use eval::Frame;
pub(crate) use typecheck::CheckError;
pub(crate) use value::Val;

/// The parsing environment: the standard macros and ours. (Its functions
/// are the reference interpreter's; see [`reference`].)
pub(crate) static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(reference::env()));

/// The variables of a policy declared so far: their inferred shapes (for
/// the static checks) and their slots (declaration order, for evaluation).
#[derive(Debug, Default, Clone)]
pub(crate) struct Variables {
    shapes: BTreeMap<String, Shape>,
    slots: BTreeMap<String, usize>,
}

impl Variables {
    /// Whether `name` is declared.
    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.shapes.contains_key(name)
    }

    /// Declare `name`, with the next slot.
    pub(crate) fn insert(&mut self, name: String, shape: Shape) {
        let slot = self.slots.len();
        self.slots.entry(name.clone()).or_insert(slot);
        self.shapes.insert(name, shape);
    }
}

/// What an expression must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// A boolean (conditions).
    Bool,
    /// A string (messages).
    String,
    /// Anything (variables).
    Any,
}

/// A compiled, checked expression.
#[derive(Debug)]
pub(crate) struct CompiledExpr {
    /// The parsed expression (for the load-time lints and the reference
    /// interpreter).
    parsed: IdedExpr,
    /// Where each node of it was written.
    info: SourceInfo,
    /// The evaluation plan.
    plan: plan::Node,
    /// Fact paths the expression reads.
    pub reads: Vec<Vec<String>>,
    /// The same paths, joined with `.` (`release.environment`): how a
    /// finding names them, made once here rather than on every decision.
    pub read_keys: Vec<std::sync::Arc<str>>,
    /// The inferred result type.
    pub shape: Shape,
}

impl CompiledExpr {
    /// Compile and check `source`; `roots` is the shape of the input the
    /// expression reads (the release facts, the rollout facts, a trigger's
    /// `value`/`baseline`), `variables` the names declared so far in the
    /// policy with their inferred shapes.
    pub(crate) fn compile(
        source: &str,
        want: Want,
        roots: &Shape,
        variables: &Variables,
        limits: &Limits,
    ) -> Result<Self, CheckError> {
        typecheck::precheck(source, limits)?;
        // Backticks quote a field name that is not an identifier
        // (`` m.`content-type` ``), as the CEL specification allows.
        // Our parser first (the same tree, much faster); the `cel` parser
        // for what it leaves, and for the errors.
        let parsed = match parse::parse(source) {
            Some(parsed) => Ok(parsed),
            None => ENV
                .parser()
                .enable_ident_escape_syntax(true)
                .parse_with_source_info(source),
        };
        let (parsed, info) = parsed.map_err(|errs| {
            let first = errs.errors.first();
            let offset = first.and_then(|e| offset_of(source, e.pos.0, e.pos.1));
            let msg = first.map_or_else(|| "syntax error".to_string(), |e| e.msg.clone());
            let msg = msg.to_lowercase();
            let msg = msg.strip_prefix("syntax error: ").unwrap_or(&msg);
            CheckError {
                code: ErrorCode::CelSyntax,
                message: format!("syntax error: {msg}"),
                hint: None,
                offset,
            }
        })?;
        let offsets = |id: u64| info.offset_for(id).map(|(start, _)| start as usize);
        let inferred = typecheck::infer(&parsed, &offsets, roots, &variables.shapes, limits)?;
        let ok = match want {
            Want::Bool => matches!(inferred.result, Shape::Bool | Shape::Any),
            Want::String => matches!(inferred.result, Shape::String | Shape::Any),
            Want::Any => true,
        };
        if !ok {
            let wanted = if want == Want::Bool { "bool" } else { "string" };
            return Err(CheckError {
                code: ErrorCode::WrongResultType,
                message: format!(
                    "expression gives {}, not a {wanted}",
                    article(inferred.result.type_name())
                ),
                hint: (want == Want::Bool)
                    .then(|| "compare it, e.g. `x == \"value\"` or `size(x) > 0`".to_string()),
                offset: Some(0),
            });
        }
        let names = plan::Names {
            roots,
            variables: &variables.slots,
            max_regex_bytes: limits.max_regex_bytes,
        };
        let plan = plan::compile(&parsed, &names).map_err(|message| CheckError {
            code: ErrorCode::UnsupportedExpression,
            message,
            hint: None,
            offset: Some(0),
        })?;
        Ok(Self {
            parsed,
            info,
            plan,
            read_keys: inferred
                .reads
                .iter()
                .map(|p| std::sync::Arc::from(p.join(".")))
                .collect(),
            reads: inferred.reads,
            shape: inferred.result,
        })
    }

    /// The reads of possibly-absent facts whose error `||` or `&&` may
    /// absorb (see [`absent`]), with their character offsets.
    pub(crate) fn absorbed(
        &self,
        roots: &Shape,
        optional: &crate::model::shape::OptionalPaths,
        guarded: &std::collections::BTreeSet<Vec<String>>,
    ) -> Vec<(absent::Absorbed, Option<usize>)> {
        let info = &self.info;
        absent::absorbed(&self.parsed, roots, optional, guarded)
            .into_iter()
            .map(|a| {
                let offset = info.offset_for(a.id).map(|(start, _)| start as usize);
                (a, offset)
            })
            .collect()
    }

    /// The paths the expression tests for (`has(p)`, `p != null`).
    pub(crate) fn guards(&self, roots: &Shape) -> std::collections::BTreeSet<Vec<String>> {
        absent::guards(&self.parsed, roots)
    }

    /// Evaluate in `frame`; an error is its message.
    pub(crate) fn eval<'a>(&'a self, frame: &Frame<'a, '_>) -> Result<Val<'a>, String> {
        eval::eval(&self.plan, frame).map_err(EvalError::into_message)
    }

    /// Evaluate in `frame`, keeping the error's class.
    pub(crate) fn eval_full<'a>(&'a self, frame: &Frame<'a, '_>) -> Result<Val<'a>, EvalError> {
        eval::eval(&self.plan, frame)
    }

    /// The parsed expression, for the reference interpreter.
    pub(crate) fn parsed(&self) -> &IdedExpr {
        &self.parsed
    }

    /// Its source text.
    pub(crate) fn source(&self) -> &str {
        &self.info.source
    }
}

fn article(type_name: &str) -> String {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {type_name}")
    } else {
        format!("a {type_name}")
    }
}

/// Character offset of a 1-based (line, column) position in `source`.
fn offset_of(source: &str, line: isize, column: isize) -> Option<usize> {
    let line = usize::try_from(line).ok()?.max(1);
    let column = usize::try_from(column).ok()?;
    let before: usize = source
        .split('\n')
        .take(line - 1)
        .map(|l| l.chars().count() + 1)
        .sum();
    Some(before + column.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shape::FACTS;

    use serde_json::json;

    fn compile(src: &str, want: Want) -> Result<CompiledExpr, CheckError> {
        CompiledExpr::compile(src, want, &FACTS, &Variables::default(), &Limits::default())
    }

    fn eval(src: &str) -> Result<serde_json::Value, String> {
        let e = compile(src, Want::Any).map_err(|e| e.message)?;
        let budget = Budget::new(&Limits::default());
        let frame = Frame {
            roots: &[],
            vars: &[],
            budget: &budget,
        };
        e.eval(&frame).map(|v| v.to_json())
    }

    /// The steps `src` costs, its variables (`variables.m`, a map) and
    /// roots included.
    fn steps(src: &str) -> u64 {
        let mut declared = Variables::default();
        let m = compile("{'a': {'b': 1}, 'c': [1, 2]}", Want::Any)
            .unwrap_or_else(|e| panic!("{}", e.message));
        declared.insert("m".into(), m.shape.clone());
        let e = CompiledExpr::compile(src, Want::Any, &FACTS, &declared, &Limits::default())
            .unwrap_or_else(|e| panic!("{src}: {}", e.message));
        let budget = Budget::new(&Limits::default());
        let value = m.eval(&Frame::constant(&budget)).ok();
        let used = budget.used();
        let roots = vec![Val::Null; 64];
        let frame = Frame {
            roots: &roots,
            vars: &[value],
            budget: &budget,
        };
        assert!(e.eval(&frame).is_ok(), "{src}");
        budget.used() - used
    }

    /// What reading a field costs does not depend on where the value read
    /// is held (a comprehension variable, a policy variable, a value
    /// built): each node one step. The figures are the evaluator's before
    /// a field of a held value was read in place.
    #[test]
    fn reading_a_field_costs_a_step_a_node_wherever_the_value_is_held() {
        assert_eq!(steps("variables.m.a.b == 1"), 6);
        assert_eq!(steps("has(variables.m.a)"), 2);
        assert_eq!(steps("[variables.m][0].a.b"), 6);
        assert_eq!(steps("[variables.m].all(x, has(x.a) && x.a.b == 1)"), 12);
        assert_eq!(steps("[variables.m].exists(x, size(x.c) == 2)"), 9);
    }

    #[test]
    fn environment_builds() {
        let mut env = Env::stdlib();
        assert!(env.add_extension(cel::extensions::strings).is_ok());
        assert!(reference::register(&mut env).is_ok());
        assert!(macros::register(&mut env).is_ok());
    }

    #[test]
    fn library_functions_evaluate() {
        assert_eq!(eval("semver.compare('2.4.0', '2.10.0')"), Ok(json!(-1)));
        assert_eq!(eval("satisfies('2.4.0', '^2.1')"), Ok(json!(true)));
        assert_eq!(eval("major('3.0.0-rc.1')"), Ok(json!(3)));
        assert_eq!(eval("semver.valid('2.4')"), Ok(json!(false)));
        assert_eq!(eval("days(2) == duration('48h')"), Ok(json!(true)));
        assert_eq!(eval("percent(1, 4)"), Ok(json!(25.0)));
        assert!(eval("ratio(1, 0)").is_err_and(|e| e.contains("cannot divide")));
        assert!(eval("major('x')").is_err_and(|e| e.contains("invalid semantic version `x`")));
        assert_eq!(eval("'a,b'.split(',').size()"), Ok(json!(2)));
        assert_eq!(
            eval("formatDuration(duration('5400s'))"),
            Ok(json!("1h30m"))
        );
    }

    #[test]
    fn typos_in_fields_get_a_suggestion() {
        let err = compile("release.enviroment == 'production'", Want::Bool).err();
        let err = err.map(|e| (e.message, e.hint, e.offset));
        assert_eq!(
            err,
            Some((
                "unknown field `enviroment` in `release`".into(),
                Some("did you mean `environment`?".into()),
                Some(7)
            ))
        );
    }

    #[test]
    fn fields_are_checked_through_comprehensions_and_filters() {
        assert!(
            compile(
                "security.scans.all(s, s.findings.critical == 0)",
                Want::Bool
            )
            .is_ok()
        );
        let err = compile("security.scans.all(s, s.finding.critical == 0)", Want::Bool).err();
        assert!(err.is_some_and(|e| e.message.contains("unknown field `finding` in `s`")));
        let mut vars = Variables::default();
        let sca = compile("security.scans.filter(s, s.kind == 'sca')", Want::Any);
        vars.insert(
            "sca".to_string(),
            sca.map(|c| c.shape).unwrap_or(Shape::Any),
        );
        let bad = CompiledExpr::compile(
            "variables.sca.all(s, s.critical == 0)",
            Want::Bool,
            &FACTS,
            &vars,
            &Limits::default(),
        );
        assert!(
            bad.err()
                .is_some_and(|e| e.message.contains("unknown field `critical`"))
        );
        let missing = CompiledExpr::compile(
            "size(variables.scb) > 0",
            Want::Bool,
            &FACTS,
            &vars,
            &Limits::default(),
        );
        assert!(
            missing
                .err()
                .is_some_and(|e| e.message == "unknown variable `scb`")
        );
    }

    #[test]
    fn non_boolean_conditions_are_rejected() {
        let err = compile("release.version", Want::Bool).err();
        assert!(err.is_some_and(|e| e.message == "expression gives a string, not a bool"));
        assert!(compile("size(ci.suites)", Want::Bool).is_err());
        assert!(compile("'x' + release.id", Want::String).is_ok());
        assert!(compile("now - release.changes.size()", Want::Bool).is_err());
    }

    #[test]
    fn unknown_names_and_functions_are_rejected() {
        assert!(
            compile("relase.id == 'x'", Want::Bool)
                .err()
                .is_some_and(|e| e.hint == Some("did you mean `release`?".into()))
        );
        assert!(
            compile("sizee(ci.suites) > 0", Want::Bool)
                .err()
                .is_some_and(|e| e.message == "unknown function `sizee`")
        );
        assert!(
            compile("release.version.major > 1", Want::Bool)
                .err()
                .is_some_and(|e| e.message.contains("is a string and has no field"))
        );
    }

    #[test]
    fn limits_hold_before_and_after_parsing() {
        let deep = format!("{}true{}", "(".repeat(1_000), ")".repeat(1_000));
        assert!(
            compile(&deep, Want::Bool)
                .err()
                .is_some_and(|e| e.message.contains("nests deeper"))
        );
        let deeper = format!("{}true{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(
            compile(&deeper, Want::Bool)
                .err()
                .is_some_and(|e| e.message.contains("more than the limit"))
        );
        let unlimited = Limits {
            max_expression_len: usize::MAX,
            ..Limits::default()
        };
        let deepest = CompiledExpr::compile(
            &format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000)),
            Want::Bool,
            &FACTS,
            &Variables::default(),
            &unlimited,
        );
        assert!(
            deepest
                .err()
                .is_some_and(|e| e.message.contains("nests deeper"))
        );
        let nots = format!("{}true", "!".repeat(3000));
        assert!(compile(&nots, Want::Bool).is_err());
        let long = vec!["1"; 1500].join(" + ");
        assert!(compile(&format!("{long} > 0"), Want::Bool).is_err());
        let nested = "ci.suites.all(a, ci.suites.all(b, ci.suites.all(c, true)))";
        assert!(
            compile(nested, Want::Bool)
                .err()
                .is_some_and(|e| e.message.contains("comprehensions"))
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = compile("release.id == ", Want::Bool).err();
        assert!(
            err.as_ref()
                .is_some_and(|e| e.message.starts_with("syntax error")),
            "{err:?}"
        );
        assert!(err.is_some_and(|e| e.offset.is_some()));
    }

    #[test]
    fn reads_are_recorded() {
        let e = compile(
            "ci.suites.all(s, s.status == 'passed') && release.kind == 'standard'",
            Want::Bool,
        );
        let reads = e.map(|e| e.reads).unwrap_or_default();
        assert_eq!(
            reads,
            vec![
                vec!["ci".to_string(), "suites".into()],
                vec!["release".into(), "kind".into()]
            ]
        );
    }

    #[test]
    fn versions_durations_and_timestamps_are_checked_at_load() {
        let e = compile("release.version > '10.0.0'", Want::Bool).err();
        assert!(e.is_some_and(|e| e.message.contains("versions compared as strings")));
        assert!(compile("semver.compare(release.version, '10.0.0') > 0", Want::Bool).is_ok());
        let e = compile("release.version.major > 1", Want::Bool).err();
        assert!(e.is_some_and(|e| e.hint == Some("use `major(release.version)`".into())));
        let e = compile("now - release.changes.size() > duration('14d')", Want::Bool).err();
        assert!(e.is_some(), "type or duration error expected");
        let e = compile("readiness.rollback.duration < duration('14d')", Want::Bool).err();
        assert!(e.is_some_and(|e| e.message == "invalid duration `14d`"));
        assert!(
            compile(
                "readiness.rollback.duration < duration('1h30m')",
                Want::Bool
            )
            .is_ok()
        );
        let e = compile("now > timestamp('yesterday')", Want::Bool).err();
        assert!(e.is_some_and(|e| e.message.starts_with("invalid timestamp `yesterday`")));
        assert_eq!(eval("semver.compare('1.0.0+a', '1.0.0+b')"), Ok(json!(0)));
    }

    #[test]
    fn comprehension_ranges_are_bounded() {
        let e = compile("release.id.split('').all(c, c != 'x')", Want::Bool).err();
        assert!(e.is_some_and(
            |e| e.message == "comprehensions iterate facts, variables or list literals"
        ));
        assert!(
            compile(
                "ci.suites.filter(s, s.required).map(s, s.name).all(n, n != '')",
                Want::Bool
            )
            .is_ok()
        );
        assert!(compile("(ci.suites + ci.suites).exists(s, s.required)", Want::Bool).is_err());
        assert!(compile("[1, 2].all(x, x > 0)", Want::Bool).is_ok());
        // Maps iterate in sorted key order: `map` and `filter` over one
        // are deterministic, and allowed.
        assert!(compile("labels.map(k, k).size() > 0", Want::Bool).is_ok());
        assert!(compile("labels.all(k, k != '')", Want::Bool).is_ok());
    }

    fn t(src: &str) {
        assert_eq!(eval(src), Ok(json!(true)), "{src}");
    }

    #[test]
    fn bytes_format_as_hex_two_digits_a_byte() {
        t(r"'%x|%X|%x'.format([b'\x00\x0f\xff', b'\xab\x01', b'']) == '000fff|AB01|'");
        t("'%x'.format([255]) == 'ff' && '%X'.format([255]) == 'FF'");
    }

    #[test]
    fn two_variable_comprehensions() {
        t("[10, 20].all(i, v, v == (i + 1) * 10)");
        t("{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2)");
        t("!{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 1)");
        t("[1, 2, 3].existsOne(i, v, v > 2)");
        t("![1, 2, 3].exists_one(i, v, v > 1)");
        t("[1, 2, 3].transformList(i, v, v * i) == [0, 2, 6]");
        t("[1, 2, 3].transformList(i, v, v > 1, v) == [2, 3]");
        t("{'b': 2, 'a': 1}.transformList(k, v, k) == ['a', 'b']");
        t("{'a': 1, 'b': 2}.transformMap(k, v, v * 10) == {'a': 10, 'b': 20}");
        t("{'a': 1, 'b': 2}.transformMap(k, v, v > 1, v) == {'b': 2}");
        t("['x', 'y'].transformMap(i, v, v) == {0: 'x', 1: 'y'}");
    }

    #[test]
    fn maps_iterate_in_sorted_key_order() {
        t("{'c': 3, 'a': 1, 'b': 2}.map(k, k) == ['a', 'b', 'c']");
        t("{'c': 3, 'a': 1, 'b': 2}.filter(k, k != 'b') == ['a', 'c']");
        t("{2: 'x', 1: 'y'}.map(k, k) == [1, 2]");
    }

    #[test]
    fn types_are_values() {
        t("type(timestamp('2026-01-01T00:00:00Z')) == timestamp");
        t("type(duration('1h')) == duration");
        t("type(1) == int && type(1u) == uint && type(1.0) == double");
        t("type('a') == string && type([]) == list && type({}) == map");
        t("type(null) == null_type && type(type(1)) == type");
        t("type(1) != string");
    }

    #[test]
    fn backticks_quote_field_names() {
        t("{'content-type': 'json'}.`content-type` == 'json'");
        t("has({'a.b': 1}.`a.b`)");
    }

    #[test]
    fn duration_accessors_follow_the_specification() {
        t("duration('123.321456789s').getMilliseconds() == 321");
        t("duration('123.321456789s').getSeconds() == 123");
        t("duration('90m').getHours() == 1 && duration('90m').getMinutes() == 90");
        t(
            "duration('-1.5s').getMilliseconds() == -500 || duration('-1.5s').getMilliseconds() == 500",
        );
    }

    #[test]
    fn timestamp_accessors_read_a_time_zone() {
        let ts = "timestamp('2023-01-01T05:30:00Z')";
        t(&format!("{ts}.getMonth('America/Los_Angeles') == 11"));
        t(&format!("{ts}.getDayOfYear('-08:00') == 364"));
        t(&format!(
            "{ts}.getFullYear() == 2023 && {ts}.getHours() == 5"
        ));
        t(&format!(
            "{ts}.getHours('Asia/Kolkata') == 11 && {ts}.getMinutes('+05:30') == 0"
        ));
        t(&format!(
            "{ts}.getDayOfWeek() == 0 && {ts}.getDate() == 1 && {ts}.getDayOfMonth() == 0"
        ));
        assert!(
            eval(&format!("{ts}.getHours('Mars/Base') == 1"))
                .is_err_and(|e| e.contains("unknown time zone `Mars/Base`"))
        );
    }

    #[test]
    fn values_are_size_checked_before_they_are_built() {
        let l64 = "a".repeat(64);
        let grown = format!("'aaaaaaaa'.replace('a', '{l64}').replace('a', '{l64}')");
        assert_eq!(eval(&format!("size({grown})")), Ok(json!(32768)));
        let e = eval(&format!("size({grown}.replace('a', 'aaa')) > 0"));
        assert!(
            e.as_ref()
                .is_err_and(|e| e.contains("string of 98304 bytes, more than the limit of 65536")),
            "{e:?}"
        );
        let e = eval(
            "size('aaaa'.replace('a', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')) > 0",
        );
        assert!(e.is_ok());
    }

    #[test]
    fn errors_follow_the_specification() {
        t("1 / 0 == 1 || true");
        t("!(1 / 0 == 1 && false)");
        assert!(eval("1 / 0 == 1 || false").is_err_and(|e| e == "division by zero"));
        assert!(
            eval("9223372036854775807 + 1 > 0").is_err_and(|e| e == "integer overflow in `add`")
        );
        t("[1, 2].exists(x, x / 0 == 1 || x == 2)");
        t("1 == 1.0 && 1u == 1 && 2 > 1.5");
    }

    #[test]
    fn optionals_select_and_index() {
        t("{'a': 1}.?a.value() == 1 && !{'a': 1}.?b.hasValue()");
        t("[1, 2][?5].orValue(0) == 0 && [1, 2][?1].value() == 2");
        t("optional.of([1, 2])[1].value() == 2 && !optional.none()[0].hasValue()");
        t("optional.of({'a': 1}).?a.value() == 1");
        t("[1][0] == 1");
        assert!(eval("[1][3] == 1").is_err_and(|e| e == "index `3` is out of bounds"));
    }
}
