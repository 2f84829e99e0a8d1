//! Keptn's criteria strings, parsed once at load: an operator (`<`, `<=`,
//! `=`, `>=`, `>`), an optional sign, a number and an optional `%`
//! (white space anywhere is ignored, as Keptn removes it).
//!
//! - Without sign or `%` the criterion is absolute: `<=800` compares the
//!   SLI with 800.
//! - A sign or a `%` makes it relative to the aggregated previous value
//!   `r`: `+x` gives the target `r + x`, `-x` gives `r - x`; `+x%` (or
//!   `x%`) gives `r · (100 + x) / 100`, `-x%` gives `r · (100 - x) / 100`.
//!
//! This is lighthouse-service's `parseCriteriaString` and
//! `evaluateComparison`, except that a string Keptn would half-read
//! (`<=1e3`, `<=abc`, `=<5`) is refused here.

use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

/// One parsed criterion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Criterion {
    /// As written, for reports.
    pub text: String,
    pub op: Op,
    /// The number, without its sign.
    pub value: f64,
    /// Relative to previous evaluations (a sign or a `%`).
    pub relative: bool,
    /// `%`: a percentage of the reference.
    pub percent: bool,
    /// `+` (or a bare `%`): above the reference; `-`: below.
    pub increase: bool,
}

/// Why a criteria string does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CriteriaError(pub &'static str);

impl fmt::Display for CriteriaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Criterion {
    /// Parse a criteria string as Keptn writes it.
    pub(crate) fn parse(text: &str) -> Result<Criterion, CriteriaError> {
        let s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (op, rest) = [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
            ("=", Op::Eq),
        ]
        .iter()
        .find_map(|(p, op)| s.strip_prefix(p).map(|r| (*op, r)))
        .ok_or(CriteriaError(
            "it does not start with an operator (`<`, `<=`, `=`, `>=`, `>`)",
        ))?;
        let (rest, percent) = match rest.strip_suffix('%') {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let (number, sign) = match rest.strip_prefix('+') {
            Some(r) => (r, Some(true)),
            None => match rest.strip_prefix('-') {
                Some(r) => (r, Some(false)),
                None => (rest, None),
            },
        };
        let digits = number.chars().filter(char::is_ascii_digit).count();
        let dots = number.chars().filter(|c| *c == '.').count();
        if digits == 0 || dots > 1 || digits + dots != number.chars().count() {
            return Err(CriteriaError(
                "the operator is not followed by a number (`800`, `+10%`, `-5`)",
            ));
        }
        let value: f64 = number
            .parse()
            .map_err(|_| CriteriaError("the number does not parse"))?;
        Ok(Criterion {
            text: text.to_string(),
            op,
            value,
            relative: percent || sign.is_some(),
            percent,
            increase: sign.unwrap_or(true),
        })
    }

    /// The target to compare with: the number itself when absolute, or
    /// computed from the reference `r` when relative (`None` without one).
    pub(crate) fn target(&self, reference: Option<f64>) -> Option<f64> {
        if !self.relative {
            return Some(self.value);
        }
        let r = reference?;
        let t = match (self.percent, self.increase) {
            (true, true) => r * (100.0 + self.value) / 100.0,
            (true, false) => r * (100.0 - self.value) / 100.0,
            (false, true) => r + self.value,
            (false, false) => r - self.value,
        };
        Some(t)
    }

    /// Whether `measured` meets the criterion against `target`.
    pub(crate) fn holds(&self, measured: f64, target: f64) -> bool {
        match self.op {
            Op::Lt => measured < target,
            Op::Le => measured <= target,
            Op::Eq => measured == target,
            Op::Ge => measured >= target,
            Op::Gt => measured > target,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Criterion {
        Criterion::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn keptn_strings_parse_to_keptn_semantics() {
        let c = p("<=800");
        assert_eq!((c.op, c.value, c.relative), (Op::Le, 800.0, false));
        assert_eq!(c.target(None), Some(800.0));
        let c = p("<+10%");
        assert!(c.relative && c.percent && c.increase);
        assert_eq!(c.target(Some(200.0)), Some(220.0));
        let c = p(">=-5%");
        assert_eq!(c.op, Op::Ge);
        assert_eq!(c.target(Some(200.0)), Some(190.0));
        let c = p("<=+50");
        assert!(c.relative && !c.percent);
        assert_eq!(c.target(Some(200.0)), Some(250.0));
        assert_eq!(p("<-50").target(Some(200.0)), Some(150.0));
        // A bare `%` is an increase, as in Keptn (issue #1498).
        assert_eq!(p("<10%").target(Some(200.0)), Some(220.0));
        assert_eq!(p(" < = 5 ").op, Op::Le);
        assert_eq!(p("=0").op, Op::Eq);
        assert_eq!(p(">0.5").value, 0.5);
        // Relative without a reference has no target.
        assert_eq!(p("<+10%").target(None), None);
    }

    #[test]
    fn malformed_strings_are_refused() {
        for s in [
            "", "800", "<=", "<=abc", "=<5", "<=1e3", "<=1.2.3", "<=+", "<=%", "<=10%%", "<>5",
            "<=--5", "<=inf", "≤800",
        ] {
            assert!(Criterion::parse(s).is_err(), "`{s}` parsed");
        }
    }

    #[test]
    fn exactly_at_the_target() {
        let c = p("<=800");
        assert!(c.holds(800.0, 800.0));
        assert!(!p("<800").holds(800.0, 800.0));
        assert!(p(">=800").holds(800.0, 800.0));
        assert!(!p(">800").holds(800.0, 800.0));
        assert!(p("=800").holds(800.0, 800.0));
    }
}
