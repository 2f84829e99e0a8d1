//! Approval rules: which approvals count (not stale, not by the author, with
//! the required evidence), quorum, vetoes, and decision rights when approvers
//! disagree (the `decider`, then the `escalation` chain).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

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
    /// The people (identity keys) whose approvals made the rule pass.
    pub counted: Vec<String>,
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
            counted: Vec::new(),
        }
    }

    fn counting(mut self, people: Vec<String>) -> Self {
        self.counted = people;
        self
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
            counted: Vec::new(),
        }
    }
}

/// The roles of `rule` not yet approved, and how many more approvals would
/// reach the quorum: the smallest gaps (a role with a `count` may lack
/// several) among the roles still open.
fn quorum_gap(
    rule: &ApprovalRule,
    fill: &Fill,
    have: &[String],
    needed: usize,
) -> (Vec<String>, usize) {
    let open: Vec<String> = rule
        .roles
        .iter()
        .filter(|r| !have.contains(&r.role))
        .map(|r| r.role.clone())
        .collect();
    let mut gaps: Vec<usize> = rule
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| !have.contains(&r.role))
        .map(|(i, r)| (r.count as usize).saturating_sub(fill.people.get(i).map_or(0, Vec::len)))
        .collect();
    gaps.sort_unstable();
    let more = gaps.iter().take(needed.saturating_sub(have.len())).sum();
    (open, more)
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

/// Who fills each role of a rule: per role (in the rule's order), the
/// identity keys of the approving people counted for it, at most the
/// role's `count`.
pub(crate) struct Fill {
    pub people: Vec<Vec<String>>,
}

impl Fill {
    /// The people filling the `approved` roles.
    fn counted(&self, rule: &ApprovalRule, approved: &[String]) -> Vec<String> {
        rule.roles
            .iter()
            .zip(&self.people)
            .filter(|(r, _)| approved.contains(&r.role))
            .flat_map(|(_, p)| p.iter().cloned())
            .collect()
    }

    /// The roles with as many people as their `count`, in the rule's order.
    fn approved(&self, rule: &ApprovalRule) -> Vec<String> {
        rule.roles
            .iter()
            .zip(&self.people)
            .filter(|(r, p)| p.len() >= r.count as usize)
            .map(|(r, _)| r.role.clone())
            .collect()
    }
}

/// Fill the roles of `rule` from the people who approved in them. Within a
/// role, different people count (people are told apart by their identity
/// key). With `distinctPeople`, each person fills one place in one role
/// only: a maximum matching of the roles' places to people (augmenting
/// paths, places in the rule's order, people in the order of their identity
/// keys, so the result is deterministic).
fn fill<'a>(rule: &ApprovalRule, approvals: impl Iterator<Item = &'a &'a Approval>) -> Fill {
    let mut by_key: BTreeMap<Cow<'_, str>, Vec<&str>> = BTreeMap::new();
    for a in approvals {
        by_key
            .entry(identity::key(&a.by))
            .or_default()
            .push(a.role.as_str());
    }
    let people: Vec<(&Cow<'_, str>, &Vec<&str>)> = by_key.iter().collect();
    if !rule.distinct_people {
        return Fill {
            people: rule
                .roles
                .iter()
                .map(|r| {
                    people
                        .iter()
                        .filter(|(_, roles)| roles.contains(&r.role.as_str()))
                        .take(r.count as usize)
                        .map(|(k, _)| k.to_string())
                        .collect()
                })
                .collect(),
        };
    }
    // One place per role and count: (role index, edges to people).
    let mut places: Vec<(usize, Vec<usize>)> = Vec::new();
    for (r, role) in rule.roles.iter().enumerate() {
        let edges: Vec<usize> = people
            .iter()
            .enumerate()
            .filter(|(_, (_, roles))| roles.contains(&role.role.as_str()))
            .map(|(p, _)| p)
            .collect();
        // A role cannot hold more people than approved in it: places past
        // that stay empty anyway, so they are not made (a `count` of
        // millions would otherwise cost seconds and gigabytes).
        for _ in 0..(role.count as usize).min(edges.len()) {
            places.push((r, edges.clone()));
        }
    }
    // person -> place holding them
    let mut owner: Vec<Option<usize>> = vec![None; people.len()];
    fn augment(
        place: usize,
        places: &[(usize, Vec<usize>)],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        let edges = places.get(place).map_or(&[][..], |(_, e)| e.as_slice());
        // A free person first: one pass, so that filling many places from
        // many people stays quadratic instead of cubic.
        if let Some(&p) = edges
            .iter()
            .find(|&&p| owner.get(p).is_some_and(Option::is_none))
        {
            if let Some(o) = owner.get_mut(p) {
                *o = Some(place);
            }
            return true;
        }
        for &p in edges {
            if seen.get(p).copied().unwrap_or(true) {
                continue;
            }
            if let Some(s) = seen.get_mut(p) {
                *s = true;
            }
            let current = owner.get(p).copied().flatten();
            if current.is_none_or(|other| augment(other, places, owner, seen)) {
                if let Some(o) = owner.get_mut(p) {
                    *o = Some(place);
                }
                return true;
            }
        }
        false
    }
    for place in 0..places.len() {
        let mut seen = vec![false; people.len()];
        augment(place, &places, &mut owner, &mut seen);
    }
    let mut filled: Vec<Vec<String>> = vec![Vec::new(); rule.roles.len()];
    for (p, place) in owner.iter().enumerate() {
        let role = place.and_then(|pl| places.get(pl)).map(|(r, _)| *r);
        if let (Some(r), Some((key, _))) = (role, people.get(p)) {
            if let Some(f) = filled.get_mut(r) {
                f.push(key.to_string());
            }
        }
    }
    Fill { people: filled }
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
) -> BTreeMap<(&str, Cow<'_, str>), &Approval> {
    // People are told apart as `same_person` does: by their identity key.
    let mut latest: BTreeMap<(&str, Cow<'_, str>), &Approval> = BTreeMap::new();
    for a in approvals.iter().filter(|a| a.at <= now && relevant(a)) {
        let key = (a.role.as_str(), identity::key(&a.by));
        if latest.get(&key).is_none_or(|prev| prev.at <= a.at) {
            latest.insert(key, a);
        }
    }
    latest
}

/// Judge `rule` against the approvals in the facts.
///
/// `taken` holds the people (identity key → rule id) already counted by an
/// earlier rule of the policy with `distinctAcrossRules`; when this rule has
/// the option too, their approvals do not count here.
///
/// `roles` is the rule's list of role names, made once at load: the state
/// shares it.
pub(crate) fn judge(
    rule: &ApprovalRule,
    roles: &Arc<[String]>,
    approvals: &[Approval],
    author: &str,
    now: Timestamp,
    taken: &BTreeMap<String, String>,
) -> Judgement {
    let chain: Vec<&String> = rule.decider.iter().chain(rule.escalation.iter()).collect();
    let asked = |role: &String| rule.roles.iter().any(|r| &r.role == role);
    let relevant = |role: &String| asked(role) || rule.veto.contains(role) || chain.contains(&role);
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
        let evidence: &[String] = if asked(&a.role) { &rule.evidence } else { &[] };
        let ignored = ignored_because(
            a,
            author,
            now,
            rule.separation_of_duties,
            rule.max_age,
            evidence,
        )
        .or_else(|| (a.decision == ApprovalDecision::Abstain).then(|| "abstained".to_string()))
        .or_else(|| {
            let other = taken.get(identity::key(&a.by).as_ref())?;
            (rule.distinct_across_rules
                && a.decision == ApprovalDecision::Approve
                && asked(&a.role))
            .then(|| format!("already counted for `{other}` (distinctAcrossRules)"))
        });
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
    let fill = fill(rule, approvers);
    let approved_roles = fill.approved(rule);
    let needed = rule.quorum.needed(rule.roles.len());
    let mut state = ApprovalState {
        roles: roles.clone(),
        counts: rule
            .roles
            .iter()
            .filter(|r| r.count > 1)
            .map(|r| (r.role.clone(), r.count))
            .collect(),
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
        .filter(|a| a.decision == ApprovalDecision::Reject && asked(&a.role))
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
                        approved_roles.contains(&r.role)
                            || rejections.iter().any(|x| x.role == r.role)
                    })
                    .map(|r| r.role.clone())
                    .collect();
                let decided = format!("rejected by {rejected}; decided go by {}", who(a));
                if overruled.len() >= needed {
                    return Judgement::done(Outcome::Pass, Effect::Approval, decided, state)
                        .counting(fill.counted(rule, &approved_roles));
                }
                let (open, more) = quorum_gap(rule, &fill, &overruled, needed);
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
        return Judgement::done(Outcome::Pass, Effect::Approval, message, state)
            .counting(fill.counted(rule, &approved_roles));
    }
    let (open, more) = quorum_gap(rule, &fill, &approved_roles, needed);
    let reason = rule.message.clone().unwrap_or_else(|| needs(more, &open));
    Judgement::waiting(state, open, more, reason, true)
}
