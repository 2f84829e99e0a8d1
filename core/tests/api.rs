//! The public API's promises that the compiler does not check: every
//! public enum's `as_str()` is the name it has in JSON, and what a decision
//! lists as blocking, warning or waived is what its verdict reads (the
//! assessment's `acting`, `waiting` and `alerts` are tested in `assess.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use release_policy::decision::Summary;
use release_policy::model::{
    ApprovalDecision, ChangeRequestStatus, CommunicationStatus, PostmortemStatus, ReleaseKind,
    ReleaseOutcome, Status,
};
use release_policy::{
    Action, AssessRuleKind, Bundle, Effect, Outcome, RolloutVerdict, RuleKind, Verdict,
};
use serde::Serialize;

fn json_name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v).unwrap() {
        serde_json::Value::String(s) => s,
        other => panic!("not a string: {other}"),
    }
}

macro_rules! names_match {
    ($($ty:ident: [$($variant:ident),* $(,)?]),* $(,)?) => {
        $($(
            assert_eq!(
                $ty::$variant.as_str(),
                json_name(&$ty::$variant),
                concat!(stringify!($ty), "::", stringify!($variant))
            );
        )*)*
    };
}

#[test]
fn every_enum_is_named_as_in_json() {
    names_match!(
        Verdict: [Go, Pending, NoGo],
        RolloutVerdict: [Promote, Continue, Hold, Rollback],
        Outcome: [Pass, Warn, Fail, Error, NoData, Skipped, Waived],
        Effect: [Warn, Approval, Block],
        Action: [Alert, Hold, Rollback],
        RuleKind: [Gate, Approval],
        AssessRuleKind: [Trigger, Promotion, Analysis, BurnRate],
        Status: [Passed, Failed, Skipped, Pending, Error],
        ApprovalDecision: [Approve, Reject, Abstain],
        CommunicationStatus: [None, Draft, Scheduled, Sent, NotNeeded],
        ReleaseOutcome: [Succeeded, RolledBack, Hotfixed, Failed],
        PostmortemStatus: [Open, Closed],
        ChangeRequestStatus: [Draft, Submitted, Approved, Rejected],
        ReleaseKind: [Standard, Hotfix, Security, Emergency],
    );
}

const POLICY: &str = r#"
apiVersion: release-policy/v1
kind: Policy
metadata: {name: mixed, version: 1.0.0}
spec:
  gates:
    - id: blocked
      expression: ci.suites.all(s, s.status == "passed")
      message: a suite did not pass
    - id: erring-approval-gate
      effect: approval
      approvers: [sre]
      expression: ci.suites[5].status == "passed"
      message: never evaluates
    - id: waiting-for-approval
      effect: approval
      approvers: [sre]
      expression: "false"
      message: needs an SRE
    - id: warned
      effect: warn
      expression: "false"
      message: just so you know
    - id: erring-warning
      effect: warn
      expression: ci.suites[5].status == "passed"
      message: never evaluates either
    - id: passes
      expression: "true"
      message: fine
"#;

const FACTS: &str = r#"
now: 2026-11-26T10:00:00Z
release: {id: r-1, service: checkout, version: "1.0.0", environment: production,
          kind: standard, author: alice}
ci:
  suites: [{name: e2e, required: true, status: failed, passed: 1, failed: 1}]
"#;

#[test]
fn decision_lists_what_blocks_warns_and_is_waived() {
    let bundle = Bundle::from_yaml_str("mixed.yaml", POLICY).unwrap();
    let d = bundle.check_str(FACTS).unwrap();
    assert_eq!(d.verdict(), Verdict::NoGo);
    let ids = |v: Vec<&release_policy::Finding>| {
        v.iter().map(|f| f.rule().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids(d.blocking()), ["blocked", "erring-approval-gate"]);
    assert_eq!(ids(d.warnings()), ["warned", "erring-warning"]);
    assert!(d.waived().is_empty());
    assert_eq!(d.missing_approvals().len(), 1);
    assert_eq!(d.missing_approvals()[0].rule(), "waiting-for-approval");
    let s: &Summary = d.summary();
    assert_eq!(
        s.pass() + s.fail() + s.warn() + s.error() + s.skipped() + s.waived(),
        d.findings().len()
    );
}
