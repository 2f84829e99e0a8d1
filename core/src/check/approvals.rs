//! Approval rules: which approvals count (not stale, not by the author, with
//! the required evidence), quorum, vetoes, and decision rights when approvers
//! disagree (the `decider`, then the `escalation` chain).

use std::collections::BTreeMap;

use super::compile::ApprovalRule;
use super::decision::{ApprovalNote, ApprovalState};
use crate::model::identity;
use crate::model::{Approval, ApprovalDecision, Timestamp};
use crate::vocab::{Effect, Outcome};

/// The result of an approval rule.
pub(crate) struct Judgement {
    pub outcome: Outcome,
    pub effect: Effect,
    pub message: String,
    pub state: ApprovalState,
    /// What is still wanted for the rule to pass, if anything can give it.
    pub wanted: Option<Wanted>,
}

/// Approvals still wanted.
pub(crate) struct Wanted {
    /// Roles that can give them.
    pub roles: Vec<String>,
    /// How many are needed.
    pub needed: usize,
    /// Why.
    pub reason: String,
    /// The plain quorum gap (nobody disagrees): the rule's own `message` or
    /// `messageExpression` may word it.
    pub quorum_gap: bool,
}

impl Judgement {
    fn done(outcome: Outcome, effect: Effect, message: String, state: ApprovalState) -> Self {
        Judgement {
            outcome,
            effect,
            message,
            state,
            wanted: None,
        }
    }

    fn waiting(
        state: ApprovalState,
        roles: Vec<String>,
        needed: usize,
        reason: String,
        quorum_gap: bool,
    ) -> Self {
        Judgement {
            outcome: Outcome::Fail,
            effect: Effect::Approval,
            message: reason.clone(),
            state,
            wanted: Some(Wanted {
                roles,
                needed,
                reason,
                quorum_gap,
            }),
        }
    }
}

/// The roles of `rule` not in `have`, and how many of them are still needed.
fn quorum_gap(rule: &ApprovalRule, have: &[String], needed: usize) -> (Vec<String>, usize) {
    let open = rule
        .roles
        .iter()
        .filter(|r| !have.contains(r))
        .cloned()
        .collect();
    (open, needed.saturating_sub(have.len()))
}

fn needs(more: usize, open: &[String]) -> String {
    format!(
        "needs {more} more approval{} from {}",
        if more == 1 { "" } else { "s" },
        open.join(", ")
    )
}

fn decision_name(d: ApprovalDecision) -> &'static str {
    match d {
        ApprovalDecision::Approve => "approve",
        ApprovalDecision::Reject => "reject",
        ApprovalDecision::Abstain => "abstain",
    }
}

/// Whether two names are the same person, by their identity key (NFKC,
/// case, confusable skeleton), so neither `Alice ` nor `аlice` (Cyrillic)
/// can approve `alice`'s release.
pub(crate) use crate::model::identity::same_person;

/// The roles approved when each person counts for one role only: a maximum
/// matching of roles to the people who approved in them (augmenting paths,
/// roles in the rule's order, people in the order of their identity keys,
/// so the result is deterministic). Returned in the rule's role order.
fn distinct_roles<'a>(
    roles: &[String],
    approvals: impl Iterator<Item = &'a &'a Approval>,
) -> Vec<String> {
    let mut people: Vec<String> = Vec::new();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); roles.len()];
    let mut by_key: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for a in approvals {
        by_key
            .entry(identity::key(&a.by))
            .or_default()
            .push(a.role.as_str());
    }
    for (key, their_roles) in by_key {
        let p = people.len();
        people.push(key);
        for (r, role) in roles.iter().enumerate() {
            if their_roles.contains(&role.as_str()) {
                if let Some(e) = edges.get_mut(r) {
                    e.push(p);
                }
            }
        }
    }
    // person -> role holding them
    let mut owner: Vec<Option<usize>> = vec![None; people.len()];
    fn augment(
        r: usize,
        edges: &[Vec<usize>],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for &p in edges.get(r).map_or(&[][..], Vec::as_slice) {
            if seen.get(p).copied().unwrap_or(true) {
                continue;
            }
            if let Some(s) = seen.get_mut(p) {
                *s = true;
            }
            let current = owner.get(p).copied().flatten();
            if current.is_none_or(|other| augment(other, edges, owner, seen)) {
                if let Some(o) = owner.get_mut(p) {
                    *o = Some(r);
                }
                return true;
            }
        }
        false
    }
    for r in 0..roles.len() {
        let mut seen = vec![false; people.len()];
        augment(r, &edges, &mut owner, &mut seen);
    }
    roles
        .iter()
        .enumerate()
        .filter(|(r, _)| owner.contains(&Some(*r)))
        .map(|(_, role)| role.clone())
        .collect()
}

/// Why an approval does not count for `rule`, if it does not. A stale
/// rejection still counts: only approvals and abstentions age out.
pub(crate) fn ignored_because(
    a: &Approval,
    author: &str,
    now: Timestamp,
    separation_of_duties: bool,
    max_age: Option<crate::model::Duration>,
    evidence: &[String],
) -> Option<String> {
    if separation_of_duties && same_person(&a.by, author) {
        return Some(format!(
            "`{}` is the release's author (separation of duties)",
            a.by
        ));
    }
    if a.at > now {
        return Some(format!(
            "dated `{}`, after the evaluation time",
            a.at.to_rfc3339()
        ));
    }
    if let (Some(max), false) = (max_age, a.decision == ApprovalDecision::Reject) {
        if now - a.at > max.as_chrono() {
            return Some(format!("stale: older than `maxAge` of {max}"));
        }
    }
    if a.decision == ApprovalDecision::Approve {
        let missing: Vec<&String> = evidence
            .iter()
            .filter(|e| !a.evidence.contains(e))
            .collect();
        if let Some(e) = missing.first() {
            return Some(format!("carries no `{e}` evidence"));
        }
    }
    None
}

/// The latest word of each person in each role among `approvals` for which
/// `relevant` holds. Statements dated after `now` are left out first, so a
/// future-dated statement never hides an earlier valid one.
pub(crate) fn latest_words(
    approvals: &[Approval],
    now: Timestamp,
    relevant: impl Fn(&Approval) -> bool,
) -> BTreeMap<(&str, String), &Approval> {
    // People are told apart as `same_person` does: by their identity key.
    let mut latest: BTreeMap<(&str, String), &Approval> = BTreeMap::new();
    for a in approvals.iter().filter(|a| a.at <= now && relevant(a)) {
        let key = (a.role.as_str(), identity::key(&a.by));
        if latest.get(&key).is_none_or(|prev| prev.at <= a.at) {
            latest.insert(key, a);
        }
    }
    latest
}

/// Judge `rule` against the approvals in the facts.
pub(crate) fn judge(
    rule: &ApprovalRule,
    approvals: &[Approval],
    author: &str,
    now: Timestamp,
) -> Judgement {
    let chain: Vec<&String> = rule.decider.iter().chain(rule.escalation.iter()).collect();
    let relevant = |role: &String| {
        rule.roles.contains(role) || rule.veto.contains(role) || chain.contains(&role)
    };
    // The latest word of each person in each role counts.
    let latest = latest_words(approvals, now, |a| relevant(&a.role));
    let mut notes: Vec<ApprovalNote> = approvals
        .iter()
        .filter(|a| a.at > now && relevant(&a.role))
        .map(|a| ApprovalNote {
            role: a.role.clone(),
            by: a.by.clone(),
            decision: decision_name(a.decision).into(),
            ignored: Some(format!(
                "dated `{}`, after the evaluation time",
                a.at.to_rfc3339()
            )),
        })
        .collect();
    let mut counted: Vec<&Approval> = Vec::new();
    for a in latest.values() {
        let evidence: &[String] = if rule.roles.contains(&a.role) {
            &rule.evidence
        } else {
            &[]
        };
        let ignored = ignored_because(
            a,
            author,
            now,
            rule.separation_of_duties,
            rule.max_age,
            evidence,
        )
        .or_else(|| (a.decision == ApprovalDecision::Abstain).then(|| "abstained".to_string()));
        if ignored.is_none() {
            counted.push(a);
        }
        notes.push(ApprovalNote {
            role: a.role.clone(),
            by: a.by.clone(),
            decision: decision_name(a.decision).into(),
            ignored,
        });
    }
    let approvers = counted
        .iter()
        .filter(|a| a.decision == ApprovalDecision::Approve);
    let approved_roles: Vec<String> = if rule.distinct_people {
        distinct_roles(&rule.roles, approvers)
    } else {
        rule.roles
            .iter()
            .filter(|r| approvers.clone().any(|a| &a.role == *r))
            .cloned()
            .collect()
    };
    let needed = rule.quorum.needed(rule.roles.len());
    let mut state = ApprovalState {
        roles: rule.roles.clone(),
        needed,
        approved_roles: approved_roles.clone(),
        approvals: notes,
        escalated_to: None,
    };
    let who = |a: &Approval| format!("{} ({})", a.by, a.role);

    if let Some(v) = counted
        .iter()
        .find(|a| a.decision == ApprovalDecision::Reject && rule.veto.contains(&a.role))
    {
        return Judgement::done(
            Outcome::Fail,
            Effect::Block,
            format!("vetoed by {}", who(v)),
            state,
        );
    }
    let rejections: Vec<&&Approval> = counted
        .iter()
        .filter(|a| a.decision == ApprovalDecision::Reject && rule.roles.contains(&a.role))
        .collect();
    if !rejections.is_empty() {
        let rejected = rejections
            .iter()
            .map(|a| who(a))
            .collect::<Vec<_>>()
            .join(", ");
        // Any role of the chain may decide; the first in chain order that
        // did, after the latest rejection, does.
        let last_rejection = rejections.iter().map(|a| a.at).max();
        let word = chain.iter().find_map(|role| {
            counted
                .iter()
                .filter(|a| &&a.role == role && Some(a.at) >= last_rejection)
                .max_by_key(|a| a.at)
        });
        match word {
            Some(a) if a.decision == ApprovalDecision::Approve => {
                // Deciding go overrules the rejections; it does not stand in
                // for the approvals nobody gave: the quorum still counts,
                // with the overruled roles counted as approving.
                let overruled: Vec<String> = rule
                    .roles
                    .iter()
                    .filter(|r| {
                        approved_roles.contains(r) || rejections.iter().any(|x| &x.role == *r)
                    })
                    .cloned()
                    .collect();
                let decided = format!("rejected by {rejected}; decided go by {}", who(a));
                if overruled.len() >= needed {
                    return Judgement::done(Outcome::Pass, Effect::Approval, decided, state);
                }
                let (open, more) = quorum_gap(rule, &overruled, needed);
                let reason = format!("{decided}; still {}", needs(more, &open));
                return Judgement::waiting(state, open, more, reason, false);
            }
            Some(a) => {
                let message = format!("rejected by {rejected}; decided no-go by {}", who(a));
                return Judgement::done(Outcome::Fail, Effect::Block, message, state);
            }
            None => {}
        }
        // Nobody decided: escalate to the first role of the chain that has
        // not abstained. Only a valid abstention (not stale, not by the
        // author, not in the future) passes the decision up the chain.
        let abstained = |role: &String| {
            latest.values().any(|a| {
                &a.role == role
                    && a.decision == ApprovalDecision::Abstain
                    && ignored_because(a, author, now, rule.separation_of_duties, rule.max_age, &[])
                        .is_none()
            })
        };
        if let Some(role) = chain.iter().find(|r| !abstained(r)) {
            state.escalated_to = Some((*role).clone());
            let reason =
                format!("approvers disagree (rejected by {rejected}); escalated to `{role}`");
            return Judgement::waiting(state, vec![(*role).clone()], 1, reason, false);
        }
        let reason = format!("rejected by {rejected}; no decider or escalation left to resolve it");
        let roles: Vec<String> = rejections.iter().map(|a| a.role.clone()).collect();
        return Judgement::waiting(state, roles, 1, reason, false);
    }
    if approved_roles.len() >= needed {
        let message = if approved_roles.is_empty() {
            "no approval needed".to_string()
        } else {
            format!("approved by {}", approved_roles.join(", "))
        };
        return Judgement::done(Outcome::Pass, Effect::Approval, message, state);
    }
    let (open, more) = quorum_gap(rule, &approved_roles, needed);
    let reason = rule.message.clone().unwrap_or_else(|| needs(more, &open));
    Judgement::waiting(state, open, more, reason, true)
}
