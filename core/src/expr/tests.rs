//! Tests of the compiled evaluator through `CompiledExpr`: compiling
//! against the facts schema, evaluating, and the errors of both.

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

/// `src` evaluated with a policy variable `m` (`m_src`'s value) and null
/// roots: its value (or error message) and the steps it cost.
fn with_m(m_src: &str, src: &str) -> (Result<serde_json::Value, String>, u64) {
    let mut declared = Variables::default();
    let m = compile(m_src, Want::Any).unwrap_or_else(|e| panic!("{}", e.message));
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
    let result = e.eval(&frame).map(|v| v.to_json());
    (result, budget.used() - used)
}

/// The steps `src` costs, its variables (`variables.m`, a map) and
/// roots included.
fn steps(src: &str) -> u64 {
    let (result, steps) = with_m("{'a': {'b': 1}, 'c': [1, 2]}", src);
    assert!(result.is_ok(), "{src}");
    steps
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
    assert!(
        e.is_some_and(|e| e.message == "comprehensions iterate facts, variables or list literals")
    );
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
    t("duration('-1.5s').getMilliseconds() == -500 || duration('-1.5s').getMilliseconds() == 500");
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
    assert!(eval("9223372036854775807 + 1 > 0").is_err_and(|e| e == "integer overflow in `add`"));
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

/// An input from the facts can be megabytes long: an error quotes its
/// first 64 characters, and parsing or looking it up is charged a step per
/// 64 bytes (a 7 MiB string converted on every item of a comprehension
/// took a second a decision and put 7 MiB in every message).
#[test]
fn an_input_quoted_in_an_error_is_cut_short_and_reading_it_is_charged() {
    use super::functions::{Func, call};
    let text = format!("{}x", "9".repeat(6_400));
    let nines = "9".repeat(64);
    for (func, message) in [
        (Func::Int, format!("cannot convert `{nines}…` to an int")),
        (Func::Uint, format!("cannot convert `{nines}…` to a uint")),
        (
            Func::Double,
            format!("cannot convert `{nines}…` to a double"),
        ),
        (Func::Bool, format!("cannot convert `{nines}…` to a bool")),
        (Func::Duration, format!("invalid duration `{nines}…`")),
    ] {
        let budget = Budget::new(&Limits::default());
        let e = call(func, &[Val::string(text.as_str())], &budget).unwrap_err();
        assert_eq!(e.message, message);
        // A duration's text is charged a step per 2 bytes.
        let charged = if func == Func::Duration { 3_200 } else { 100 };
        assert_eq!(budget.used(), charged, "{}", func.name());
        let short = Budget::new(&Limits::default());
        assert!(call(func, &[Val::string("9x")], &short).is_err());
        let charged = u64::from(func == Func::Duration);
        assert_eq!(short.used(), charged, "{}", func.name());
    }
    let budget = Budget::new(&Limits::default());
    let e = call(Func::Timestamp, &[Val::string(text.as_str())], &budget).unwrap_err();
    assert!(
        e.message
            .starts_with(&format!("invalid timestamp `{nines}…`: ")),
        "{}",
        e.message
    );
    // A pattern of the facts too large to compile: quoted short, and
    // charged by its length each time it is read again (its failure is
    // remembered, so the second time costs the reading and the lookup).
    let budget = Budget::new(&Limits::default());
    let pattern = Val::string(format!("({})", "a".repeat(6_398)).as_str());
    let subject = Val::string("a");
    let e = call(Func::Matches, &[subject.clone(), pattern.clone()], &budget).unwrap_err();
    assert!(
        e.message.starts_with(&format!(
            "invalid regular expression `({}…`: ",
            "a".repeat(63)
        )),
        "{}",
        e.message
    );
    let first = budget.used();
    assert!(call(Func::Matches, &[subject, pattern], &budget).is_err());
    assert_eq!(budget.used() - first, 100 + 1);
}

/// `src` evaluated with a policy variable `m` = `{'s': text}`.
fn over_string(text: &str, src: &str) -> (Result<serde_json::Value, String>, u64) {
    with_m(&format!("{{'s': '{text}'}}"), src)
}

/// Ordering two strings reads them: a step per 64 bytes of the shorter,
/// charged before they are compared, as equality is (two 7 MiB strings of
/// the facts ordered under 1,000 × 1,000 iterations took 26 s when an
/// ordering cost one step).
#[test]
fn ordering_long_strings_is_charged_by_their_length() {
    // Within the 4 KiB of an expression's text: 3,200 bytes, 50 steps.
    let long = "a".repeat(3_200);
    for op in ["<=", ">=", "==", "<", ">"] {
        let src = format!("variables.m.s {op} variables.m.s");
        let ((a, short), (b, long)) = (over_string("a", &src), over_string(&long, &src));
        assert!(a.is_ok() && b.is_ok(), "{src}");
        assert_eq!(long - short, 50, "{op}");
    }
}

/// `&&` and `||` absorb an error when the other side decides, except a
/// limit's: a size limit hit on one side fails the expression whatever the
/// other side says (absorbed, the work before the limit could be repeated
/// on every item of a comprehension, within the budget, for minutes).
#[test]
fn a_limits_error_is_not_absorbed_by_and_or() {
    let s = "variables.m.s";
    // 21 copies of 3,200 bytes: over the 64 KiB a string may have.
    let big = vec![s; 21].join(" + ");
    let text = "a".repeat(3_200);
    for src in [
        format!("size({big}) > 0 || {s} != ''"),
        format!("size({big}) > 0 && {s} == ''"),
        format!("{s} == '' || size({big}) > 0"),
        format!("{s} != '' && size({big}) > 0"),
    ] {
        let (result, _) = over_string(&text, &src);
        assert!(
            result
                .as_ref()
                .is_err_and(|e| e.contains("more than the limit of 65536")),
            "{src}: {result:?}"
        );
    }
    // Any other error is absorbed, as the specification says.
    let (result, _) = over_string(&text, &format!("int({s}) > 0 || {s} != ''"));
    assert_eq!(result, Ok(json!(true)));
    let (result, _) = over_string(&text, &format!("int({s}) > 0 && {s} == ''"));
    assert_eq!(result, Ok(json!(false)));
}
