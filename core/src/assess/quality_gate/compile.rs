//! Checking a quality gate at load: its criteria strings parsed (a
//! malformed one refused with its location), its aggregate function, its
//! total scores, and what would let it pass on nothing (an empty criteria
//! set, no scored objective) refused.

use super::criteria::Criterion;

use crate::error::ErrorCode;
use crate::lang::compiler::Compiler;
use crate::lang::document::{CriteriaSet, Percent};
pub(crate) use crate::lang::document::{IncludeResults, QualityGate};
use crate::lang::layer::Origin;

/// How previous values are aggregated into the reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Aggregate {
    /// The mean.
    Avg,
    /// Keptn's percentile, `0 < p < 1`.
    Percentile(f64),
}

impl Aggregate {
    /// `avg`, or `pN` with 0 < N < 100 (`p50`, `p90`, `p95`, `p99.9`).
    pub(super) fn parse(s: &str) -> Option<Aggregate> {
        if s == "avg" {
            return Some(Aggregate::Avg);
        }
        let n: f64 = s.strip_prefix('p')?.parse().ok()?;
        (n.is_finite() && n > 0.0 && n < 100.0 && !s.contains(['e', 'E', '+', '-', 'i', 'n']))
            .then_some(Aggregate::Percentile(n / 100.0))
    }
}

/// A quality gate ready to evaluate: its criteria parsed.
#[derive(Debug)]
pub(crate) struct CompiledQualityGate {
    pub rule: QualityGate,
    /// Per objective, in order: the pass and the warning criteria sets.
    pub objectives: Vec<CompiledObjective>,
    pub aggregate: Aggregate,
    pub pass_score: f64,
    pub warning_score: Option<f64>,
}

/// The parsed criteria of one objective.
#[derive(Debug)]
pub(crate) struct CompiledObjective {
    pub pass: Vec<Vec<Criterion>>,
    pub warning: Vec<Vec<Criterion>>,
}

/// Compile the quality gates of a policy; refusals go to the compiler.
pub(crate) fn compile(
    c: &mut Compiler<'_>,
    rules: Vec<(QualityGate, Origin)>,
) -> Vec<CompiledQualityGate> {
    let mut out = Vec::new();
    for (q, o) in rules {
        let before = c.errors.len();
        if let Some(g) = compile_one(c, &q, &o) {
            if c.errors.len() == before {
                let (aggregate, pass_score, warning_score, objectives) = g;
                out.push(CompiledQualityGate {
                    rule: q,
                    objectives,
                    aggregate,
                    pass_score,
                    warning_score,
                });
            }
        }
    }
    out
}

type Parts = (Aggregate, f64, Option<f64>, Vec<CompiledObjective>);

fn compile_one(c: &mut Compiler<'_>, q: &QualityGate, o: &Origin) -> Option<Parts> {
    let id = q.id.as_str();
    let cmp = &q.comparison;
    if cmp.number_of_comparison_results == 0 {
        c.refuse(
            ErrorCode::InvalidLimit,
            o,
            "comparison.numberOfComparisonResults",
            id,
            "`numberOfComparisonResults` is `0`: relative criteria would have nothing to compare with".into(),
            Some("1 compares with the latest usable evaluation (Keptn's `single_result`)"),
        );
    }
    let aggregate = Aggregate::parse(&cmp.aggregate_function);
    if aggregate.is_none() {
        c.refuse(
            ErrorCode::InvalidAggregate,
            o,
            "comparison.aggregateFunction",
            id,
            format!(
                "aggregate function `{}` is not `avg` or a percentile `pN` with 0 < N < 100",
                cmp.aggregate_function
            ),
            Some("write `avg`, `p50`, `p90` or `p95`"),
        );
    }
    let pass_score = score(
        c,
        o,
        id,
        "totalScore.pass",
        Some(q.total_score.pass.clone()),
    );
    let warning_score = q
        .total_score
        .warning
        .clone()
        .and_then(|w| score(c, o, id, "totalScore.warning", Some(w)));
    if let (Some(p), Some(w)) = (pass_score, warning_score) {
        if w > p {
            c.refuse(
                ErrorCode::InvalidThreshold,
                o,
                "totalScore.warning",
                id,
                format!("`totalScore.warning` ({w}%) is above `totalScore.pass` ({p}%)"),
                Some("a warning is a score under the pass score"),
            );
        }
    }
    if q.objectives.is_empty() {
        c.refuse(
            ErrorCode::IncompleteRule,
            o,
            "objectives",
            id,
            format!("quality gate `{id}` has no `objectives`"),
            None,
        );
    } else if q.objectives.iter().all(|ob| ob.pass.is_empty()) {
        c.refuse(
            ErrorCode::IncompleteRule,
            o,
            "objectives",
            id,
            format!("no objective of quality gate `{id}` has `pass` criteria, so nothing is scored"),
            Some("Keptn passes such a gate with 100 %; here it would promote on no evidence, so it is refused"),
        );
    }
    let mut objectives = Vec::new();
    for (i, ob) in q.objectives.iter().enumerate() {
        let field = format!("objectives[{i}]");
        if q.objectives.iter().take(i).any(|x| x.sli == ob.sli) {
            c.refuse(
                ErrorCode::DuplicateEntry,
                o,
                &format!("{field}.sli"),
                id,
                format!("SLI `{}` has two objectives", ob.sli),
                None,
            );
        }
        if ob.weight == 0 {
            c.refuse(
                ErrorCode::InvalidLimit,
                o,
                &format!("{field}.weight"),
                id,
                "`weight` is `0`: the objective would count for nothing".into(),
                Some("leave out `pass` to make it informational"),
            );
        }
        if ob.pass.is_empty() && !ob.warning.is_empty() {
            c.refuse(
                ErrorCode::IncompleteRule,
                o,
                &format!("{field}.warning"),
                id,
                format!(
                    "objective `{}` has `warning` criteria but no `pass` criteria",
                    ob.sli
                ),
                Some("an objective without `pass` is informational and never warns"),
            );
        }
        let pass = sets(c, o, id, &format!("{field}.pass"), &ob.pass);
        let warning = sets(c, o, id, &format!("{field}.warning"), &ob.warning);
        objectives.push(CompiledObjective { pass, warning });
    }
    Some((aggregate?, pass_score?, warning_score, objectives))
}

/// A total-score percentage between 0 and 100.
fn score(
    c: &mut Compiler<'_>,
    o: &Origin,
    id: &str,
    field: &str,
    p: Option<Percent>,
) -> Option<f64> {
    let p = p?;
    match p
        .value()
        .filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
    {
        Some(v) => Some(v),
        None => {
            let shown = match &p {
                Percent::Number(n) => n.to_string(),
                Percent::Text(t) => t.clone(),
            };
            c.refuse(
                ErrorCode::InvalidThreshold,
                o,
                field,
                id,
                format!("`{field}` is `{shown}`, not a percentage between 0 and 100"),
                Some("write `90%` or `90`"),
            );
            None
        }
    }
}

/// Parse criteria sets; a malformed string or an empty set is refused.
fn sets(
    c: &mut Compiler<'_>,
    o: &Origin,
    id: &str,
    field: &str,
    sets: &[CriteriaSet],
) -> Vec<Vec<Criterion>> {
    let mut out = Vec::new();
    for (j, set) in sets.iter().enumerate() {
        if set.criteria.is_empty() {
            c.refuse(
                ErrorCode::IncompleteRule,
                o,
                &format!("{field}[{j}].criteria"),
                id,
                "a criteria set has no criteria".into(),
                Some("an empty set would be met by anything; give at least one criterion"),
            );
        }
        let mut parsed = Vec::new();
        for (k, text) in set.criteria.iter().enumerate() {
            match Criterion::parse(text) {
                Ok(cr) => parsed.push(cr),
                Err(e) => c.refuse(
                    ErrorCode::InvalidCriteria,
                    o,
                    &format!("{field}[{j}].criteria[{k}]"),
                    id,
                    format!("criteria `{text}` is malformed: {e}"),
                    Some("write it as Keptn does: `<=800`, `<+10%`, `>=-5%`, `<=+50`"),
                ),
            }
        }
        out.push(parsed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_functions() {
        assert_eq!(Aggregate::parse("avg"), Some(Aggregate::Avg));
        assert_eq!(Aggregate::parse("p95"), Some(Aggregate::Percentile(0.95)));
        assert!(
            matches!(Aggregate::parse("p99.9"), Some(Aggregate::Percentile(p)) if (p - 0.999).abs() < 1e-15)
        );
        for bad in [
            "p0", "p100", "p101", "p-5", "median", "p", "pnan", "pinf", "p1e1", "P50",
        ] {
            assert_eq!(Aggregate::parse(bad), None, "{bad}");
        }
    }
}
