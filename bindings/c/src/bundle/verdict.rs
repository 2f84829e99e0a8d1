//! The verdicts a deciding call writes (`rp_verdict`, `rp_rollout_verdict`),
//! the `flags` it takes (`RP_JSON_PRETTY`, `RP_VERDICT_ONLY`), and the
//! conversions from the engine's verdicts.

/// A verdict: may the release go? `0` is never a verdict, so a zeroed
/// variable is not mistaken for `RP_VERDICT_GO`.
pub type rp_verdict = u32;

/// Every blocking gate passes and every approval is in.
pub const RP_VERDICT_GO: rp_verdict = 1;
/// Waiting for approvals (or an escalation).
pub const RP_VERDICT_PENDING: rp_verdict = 2;
/// A blocking gate failed or erred, or a veto was cast.
pub const RP_VERDICT_NO_GO: rp_verdict = 3;

/// A rollout verdict (`rp_bundle_assess`): what the rollout should do
/// next. `0` is never a verdict.
pub type rp_rollout_verdict = u32;

/// Every promotion criterion held and the analysis passed: next step.
pub const RP_ROLLOUT_PROMOTE: rp_rollout_verdict = 1;
/// Healthy so far, not yet proven: stay on this step, assess again.
pub const RP_ROLLOUT_CONTINUE: rp_rollout_verdict = 2;
/// Stop advancing (a `hold` trigger, missing data, an error, a marginal
/// analysis).
pub const RP_ROLLOUT_HOLD: rp_rollout_verdict = 3;
/// A `rollback` trigger tripped or the analysis failed.
pub const RP_ROLLOUT_ROLLBACK: rp_rollout_verdict = 4;

/// Flag for `rp_bundle_check` and `rp_bundle_assess`: indented JSON (exactly the engine's
/// `to_json_pretty`, no trailing newline) instead of compact canonical
/// JSON.
pub const RP_JSON_PRETTY: u32 = 1;

/// Flag for `rp_bundle_check`, `rp_bundle_assess` and their `_with_…`
/// forms: the verdict only. No JSON is written (`*decision_out` gets an
/// empty buffer, still freed with `rp_buf_free`); `verdict_out` must not be
/// NULL. A check then works out the verdict alone (the engine's
/// `Bundle::verdict`: every rule evaluated as for the decision, within the
/// same budget, but no values shown and no digest), so a caller that acts
/// on the verdict (a gateway, an admission hook) pays for neither the
/// decision's text nor what only the text shows. An assessment is worked
/// out whole, its JSON not written.
pub const RP_VERDICT_ONLY: u32 = 2;

/// The flags a deciding call knows.
pub(super) const KNOWN_FLAGS: u32 = RP_JSON_PRETTY | RP_VERDICT_ONLY;

/// The JSON a deciding call returns, as `flags` ask: none for
/// `RP_VERDICT_ONLY`, else indented or compact.
pub(super) fn output(
    flags: u32,
    pretty: impl FnOnce() -> String,
    compact: impl FnOnce() -> String,
) -> String {
    if flags & RP_VERDICT_ONLY != 0 {
        String::new()
    } else if flags & RP_JSON_PRETTY != 0 {
        pretty()
    } else {
        compact()
    }
}

pub(super) fn rollout_verdict(v: release_policy_core::RolloutVerdict) -> rp_rollout_verdict {
    match v {
        release_policy_core::RolloutVerdict::Promote => RP_ROLLOUT_PROMOTE,
        release_policy_core::RolloutVerdict::Continue => RP_ROLLOUT_CONTINUE,
        release_policy_core::RolloutVerdict::Hold => RP_ROLLOUT_HOLD,
        release_policy_core::RolloutVerdict::Rollback => RP_ROLLOUT_ROLLBACK,
    }
}

pub(super) fn verdict(v: release_policy_core::Verdict) -> rp_verdict {
    match v {
        release_policy_core::Verdict::Go => RP_VERDICT_GO,
        release_policy_core::Verdict::Pending => RP_VERDICT_PENDING,
        release_policy_core::Verdict::NoGo => RP_VERDICT_NO_GO,
    }
}
