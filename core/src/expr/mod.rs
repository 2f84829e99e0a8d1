//! CEL: the one shared environment (standard library, string extension and
//! our [function library](library)), compiling with static checks and
//! limits, and converting facts to CEL values.
//!
//! Every expression is compiled once, when its bundle loads. Evaluation
//! shares one `Env`; a decision builds one root context with the facts and
//! each policy a child scope with its `variables`.

pub(crate) mod absent;
mod arguments;
pub(crate) mod bind;
mod compare;
pub(crate) mod convert;
pub(crate) mod library;
mod literals;
mod suggest;
mod typecheck;

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use cel::{Context, Env, Program, Value};

use crate::error::ErrorCode;
use crate::limits::Limits;
use crate::model::shape::Shape;
pub(crate) use typecheck::CheckError;

/// The shared CEL environment.
pub(crate) static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| {
    let mut env = Env::stdlib();
    // Registration can only fail on a duplicate name, which the test
    // `environment_builds` rules out; a failure would leave the function
    // undefined, and every rule using it would fail closed.
    let _ = env.add_extension(cel::extensions::strings);
    let _ = library::register(&mut env);
    Arc::new(env)
});

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
    program: Program,
    /// Fact paths the expression reads.
    pub reads: Vec<Vec<String>>,
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
        variables: &BTreeMap<String, Shape>,
        limits: &Limits,
    ) -> Result<Self, CheckError> {
        typecheck::precheck(source, limits)?;
        let program = ENV.compile(source).map_err(|errs| {
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
        let info = program.source_info();
        let offsets = |id: u64| info.offset_for(id).map(|(start, _)| start as usize);
        let inferred = typecheck::infer(program.expression(), &offsets, roots, variables, limits)?;
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
        Ok(Self {
            program,
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
        let info = self.program.source_info();
        absent::absorbed(self.program.expression(), roots, optional, guarded)
            .into_iter()
            .map(|a| {
                let offset = info.offset_for(a.id).map(|(start, _)| start as usize);
                (a, offset)
            })
            .collect()
    }

    /// The paths the expression tests for (`has(p)`, `p != null`).
    pub(crate) fn guards(&self, roots: &Shape) -> std::collections::BTreeSet<Vec<String>> {
        absent::guards(self.program.expression(), roots)
    }

    /// Evaluate against a context.
    pub(crate) fn eval(&self, ctx: &Context<'_, '_>) -> Result<Value, String> {
        self.program.execute(ctx).map_err(|e| error_message(&e))
    }

    /// Evaluate to an interpreter value, without converting it to a
    /// [`Value`] (for variables, which are bound back into a context).
    pub(crate) fn eval_val<'e, 'v>(
        &'e self,
        ctx: &'e Context<'_, 'v>,
    ) -> Result<cel::common::value::CowVal<'e, 'v>, String> {
        Value::resolve_val(self.program.expression(), ctx).map_err(|e| error_message(&e))
    }
}

fn article(type_name: &str) -> String {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {type_name}")
    } else {
        format!("a {type_name}")
    }
}

/// A lowercase, backticked message for an evaluation error.
fn error_message(e: &cel::ExecutionError) -> String {
    use cel::ExecutionError as E;
    match e {
        E::NoSuchKey(k) => format!("no such field `{k}` in the facts"),
        E::UndeclaredReference(r) => format!("`{r}` is not in the facts"),
        E::FunctionError { function, message } => format!("`{function}`: {message}"),
        E::Overflow(op, _, _) => format!("integer overflow in `{op}`"),
        E::IndexOutOfBounds(i) => format!("index `{}` is out of bounds", convert::to_json(i)),
        E::DivisionByZero(_) => "division by zero".to_string(),
        E::RemainderByZero(_) => "remainder by zero".to_string(),
        other => {
            let s = other.to_string();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
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

/// A fresh root context over the shared environment.
pub(crate) fn root_context<'v>() -> Context<'static, 'v> {
    Context::with_env(Arc::clone(&ENV))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shape::FACTS;

    fn compile(src: &str, want: Want) -> Result<CompiledExpr, CheckError> {
        CompiledExpr::compile(src, want, &FACTS, &BTreeMap::new(), &Limits::default())
    }

    fn eval(src: &str) -> Result<Value, String> {
        let e = compile(src, Want::Any).map_err(|e| e.message)?;
        let ctx = root_context();
        e.eval(&ctx)
    }

    #[test]
    fn environment_builds() {
        let mut env = Env::stdlib();
        assert!(env.add_extension(cel::extensions::strings).is_ok());
        assert!(library::register(&mut env).is_ok());
    }

    #[test]
    fn library_functions_evaluate() {
        assert_eq!(
            eval("semver.compare('2.4.0', '2.10.0')"),
            Ok(Value::Int(-1))
        );
        assert_eq!(eval("satisfies('2.4.0', '^2.1')"), Ok(Value::Bool(true)));
        assert_eq!(eval("major('3.0.0-rc.1')"), Ok(Value::Int(3)));
        assert_eq!(eval("semver.valid('2.4')"), Ok(Value::Bool(false)));
        assert_eq!(eval("days(2) == duration('48h')"), Ok(Value::Bool(true)));
        assert_eq!(eval("percent(1, 4)"), Ok(Value::Float(25.0)));
        assert!(eval("ratio(1, 0)").is_err_and(|e| e.contains("cannot divide")));
        assert!(eval("major('x')").is_err_and(|e| e.contains("invalid semantic version `x`")));
        assert_eq!(eval("'a,b'.split(',').size()"), Ok(Value::Int(2)));
        assert_eq!(
            eval("formatDuration(duration('5400s'))"),
            Ok(Value::String(std::sync::Arc::new("1h30m".into())))
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
        let mut vars = BTreeMap::new();
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
            &BTreeMap::new(),
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
        assert_eq!(
            eval("semver.compare('1.0.0+a', '1.0.0+b')"),
            Ok(Value::Int(0))
        );
    }

    #[test]
    fn comprehension_ranges_are_bounded_and_map_order_never_leaks() {
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
        let e = compile("labels.map(k, k).size() > 0", Want::Bool).err();
        assert!(e.is_some_and(|e| e.message.contains("no fixed order")));
        assert!(compile("labels.all(k, k != '')", Want::Bool).is_ok());
    }
}
