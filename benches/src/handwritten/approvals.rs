//! The approval rules of the hand-written pack, and telling people apart.
//!
//! The four approval rules of the standard pack all have `quorum: all`,
//! separation of duties and one person per role; two add `distinctPeople`,
//! a decider and an escalation chain. [`judge`] is the algorithm of the
//! engine's `check/approvals.rs` for exactly that shape: the latest word of
//! each person in each role (statements after `now` left out), approvals
//! that count (not by the author, not stale, with the evidence, not an
//! abstention), a veto, and when approvers disagree the first role of the
//! chain that spoke after the latest rejection.

use std::sync::LazyLock;

use release_policy::Facts;
use release_policy::model::{Approval, ApprovalDecision};
use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// The comparison key of an identity (the engine's `model/identity.rs`,
/// re-implemented): NFKC, lower case, TR39 confusable skeleton, lower case
/// again, trimmed; two names with the same key are the same person.
pub fn identity_key(name: &str) -> String {
    static ASCII: LazyLock<Vec<String>> = LazyLock::new(|| {
        (0u8..128)
            .map(|b| skeleton(&char::from(b).to_string()).collect())
            .collect()
    });
    let name = name.trim();
    if name.is_ascii() {
        let mut out = String::with_capacity(name.len());
        for b in name.bytes() {
            out.push_str(
                ASCII
                    .get(usize::from(b.to_ascii_lowercase()))
                    .map_or("", String::as_str),
            );
        }
        return out.to_lowercase().trim().to_string();
    }
    let folded: String = name.nfkc().collect::<String>().to_lowercase();
    let skeleton: String = skeleton(&folded).collect();
    skeleton.to_lowercase().trim().to_string()
}

/// The identity keys one decision needs, made once: the author's and each
/// approval's person.
pub(super) struct Keys {
    author: String,
    author_key: String,
    /// Parallel to `facts.approvals`.
    approvals: Vec<String>,
}

impl Keys {
    pub(super) fn new(facts: &Facts) -> Self {
        let author = facts.release.author.clone();
        Keys {
            author_key: identity_key(&author),
            author,
            approvals: facts
                .approvals
                .iter()
                .map(|a| identity_key(&a.by))
                .collect(),
        }
    }

    /// Whether `name` is the release's author.
    pub(super) fn is_author(&self, name: &str) -> bool {
        name == self.author || identity_key(name) == self.author_key
    }

    fn is_author_key(&self, name: &str, key: &str) -> bool {
        name == self.author || key == self.author_key
    }

    /// The approvals with their people's keys.
    fn approvals<'a>(&'a self, facts: &'a Facts) -> impl Iterator<Item = (&'a Approval, &'a str)> {
        facts
            .approvals
            .iter()
            .zip(self.approvals.iter().map(String::as_str))
    }

    /// For an `effect: approval` gate: whether the latest word of some
    /// person (not the author, not after `now`) in one of `roles` is an
    /// approval.
    pub(super) fn gate_approved(&self, facts: &Facts, roles: &[&str]) -> bool {
        let words = latest_words(self.approvals(facts), facts, |a, key| {
            roles.contains(&a.role.as_str()) && !self.is_author_key(&a.by, key)
        });
        words
            .iter()
            .any(|w| w.approval.decision == ApprovalDecision::Approve)
    }
}

/// An approval rule of the pack (`quorum: all`, one person per role,
/// `separationOfDuties: true`).
pub(super) struct Rule {
    pub id: &'static str,
    roles: &'static [&'static str],
    veto: &'static [&'static str],
    /// The decider, then the escalation roles.
    chain: &'static [&'static str],
    max_age_days: i64,
    evidence: &'static [&'static str],
    distinct_people: bool,
}

/// `approvals/readiness-review.yaml`, standard and security releases.
pub(super) const READINESS_REVIEW: Rule = Rule {
    id: "readiness-review",
    roles: &["development", "qa", "security", "operations", "compliance"],
    veto: &["security"],
    chain: &["release-manager", "engineering-director", "cto"],
    max_age_days: 14,
    evidence: &[],
    distinct_people: true,
};

/// `approvals/readiness-review.yaml`, hotfix and emergency releases.
pub(super) const EXPEDITED_REVIEW: Rule = Rule {
    id: "expedited-review",
    roles: &["development", "operations"],
    veto: &["operations"],
    chain: &["release-manager", "engineering-director"],
    max_age_days: 2,
    evidence: &[],
    distinct_people: true,
};

/// `security/pentest-signoff.yaml`.
pub(super) const PENTEST_SIGNOFF: Rule = Rule {
    id: "pentest-signoff",
    roles: &["security"],
    veto: &["security"],
    chain: &[],
    max_age_days: 30,
    evidence: &["pentest"],
    distinct_people: false,
};

/// `privacy/privacy-review.yaml`.
pub(super) const PRIVACY_LEGAL_REVIEW: Rule = Rule {
    id: "privacy-legal-review",
    roles: &["privacy", "legal"],
    veto: &["privacy", "legal"],
    chain: &[],
    max_age_days: 30,
    evidence: &[],
    distinct_people: false,
};

/// What a rule comes to.
pub(super) enum Judgement {
    Pass,
    /// Approvals still missing, or a disagreement nobody resolved.
    Pending,
    /// Vetoed, or decided no-go.
    Deny,
}

/// The latest word of one person in one role.
struct Word<'a> {
    role: &'a str,
    key: &'a str,
    approval: &'a Approval,
}

/// The latest word of each person in each role among the approvals for
/// which `relevant` holds, leaving out statements after `now` (on equal
/// times the later entry wins), in (role, person) order.
fn latest_words<'a>(
    approvals: impl Iterator<Item = (&'a Approval, &'a str)>,
    facts: &Facts,
    relevant: impl Fn(&Approval, &str) -> bool,
) -> Vec<Word<'a>> {
    let mut words: Vec<Word<'a>> = Vec::new();
    for (a, key) in approvals {
        if a.at > facts.now || !relevant(a, key) {
            continue;
        }
        match words.iter_mut().find(|w| w.role == a.role && w.key == key) {
            Some(w) if w.approval.at <= a.at => w.approval = a,
            Some(_) => {}
            None => words.push(Word {
                role: &a.role,
                key,
                approval: a,
            }),
        }
    }
    words.sort_unstable_by(|x, y| (x.role, x.key).cmp(&(y.role, y.key)));
    words
}

/// Judge `rule` against the approvals of `facts`.
pub(super) fn judge(rule: &Rule, facts: &Facts, keys: &Keys) -> Judgement {
    let now = facts.now;
    let asked = |role: &str| rule.roles.contains(&role);
    let words = latest_words(keys.approvals(facts), facts, |a, _| {
        let role = a.role.as_str();
        asked(role) || rule.veto.contains(&role) || rule.chain.contains(&role)
    });
    let max_age = chrono::Duration::days(rule.max_age_days);
    let counts = |w: &Word<'_>| {
        let a = w.approval;
        let evidence: &[&str] = if asked(w.role) { rule.evidence } else { &[] };
        !keys.is_author_key(&a.by, w.key)
            && (a.decision == ApprovalDecision::Reject || now - a.at <= max_age)
            && (a.decision != ApprovalDecision::Approve
                || evidence.iter().all(|e| a.evidence.iter().any(|x| x == e)))
            && a.decision != ApprovalDecision::Abstain
    };
    let counted: Vec<&Word<'_>> = words.iter().filter(|w| counts(w)).collect();
    let rejects = |w: &&&Word<'_>| w.approval.decision == ApprovalDecision::Reject;
    if counted
        .iter()
        .filter(rejects)
        .any(|w| rule.veto.contains(&w.role))
    {
        return Judgement::Deny;
    }
    let approved = approved_roles(rule, &counted);
    let is_approved = |i: usize| approved.get(i).copied().unwrap_or(false);
    let mut rejections = counted.iter().filter(rejects).filter(|w| asked(w.role));
    if let Some(first) = rejections.next() {
        let last_rejection = rejections
            .clone()
            .map(|w| w.approval.at)
            .fold(first.approval.at, Ord::max);
        // The first role of the chain with a word after the latest
        // rejection decides, with its latest word (the last of equals).
        let word = rule.chain.iter().find_map(|role| {
            counted
                .iter()
                .filter(|w| w.role == *role && w.approval.at >= last_rejection)
                .max_by_key(|w| w.approval.at)
        });
        return match word.map(|w| w.approval.decision) {
            Some(ApprovalDecision::Approve) => {
                // Go overrules the rejections; the quorum still counts.
                let rejected = |role: &str| {
                    counted
                        .iter()
                        .filter(rejects)
                        .any(|w| w.role == role && asked(w.role))
                };
                let all = (0..rule.roles.len())
                    .all(|i| is_approved(i) || rule.roles.get(i).is_some_and(|r| rejected(r)));
                if all {
                    Judgement::Pass
                } else {
                    Judgement::Pending
                }
            }
            Some(_) => Judgement::Deny,
            None => Judgement::Pending,
        };
    }
    if (0..rule.roles.len()).all(is_approved) {
        Judgement::Pass
    } else {
        Judgement::Pending
    }
}

/// Which roles of `rule` are approved by the counted words: any approving
/// person in the role, or with `distinctPeople` a maximum matching of roles
/// to people (augmenting paths, roles in the rule's order, people in the
/// order of their keys, a free person first), as the engine finds it.
fn approved_roles(rule: &Rule, counted: &[&Word<'_>]) -> Vec<bool> {
    let approvals = || {
        counted
            .iter()
            .filter(|w| w.approval.decision == ApprovalDecision::Approve)
    };
    if !rule.distinct_people {
        return rule
            .roles
            .iter()
            .map(|r| approvals().any(|w| w.role == *r))
            .collect();
    }
    let mut people: Vec<&str> = approvals().map(|w| w.key).collect();
    people.sort_unstable();
    people.dedup();
    // One place per role with someone approving in it: (role, people).
    let places: Vec<(usize, Vec<usize>)> = rule
        .roles
        .iter()
        .enumerate()
        .filter_map(|(r, role)| {
            let edges: Vec<usize> = people
                .iter()
                .enumerate()
                .filter(|(_, key)| approvals().any(|w| w.key == **key && w.role == *role))
                .map(|(p, _)| p)
                .collect();
            (!edges.is_empty()).then_some((r, edges))
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; people.len()];
    for place in 0..places.len() {
        let mut seen = vec![false; people.len()];
        augment(place, &places, &mut owner, &mut seen);
    }
    let mut approved = vec![false; rule.roles.len()];
    for place in owner.into_iter().flatten() {
        if let Some(slot) = places.get(place).and_then(|(r, _)| approved.get_mut(*r)) {
            *slot = true;
        }
    }
    approved
}

/// Kuhn's augmenting path from `place`.
fn augment(
    place: usize,
    places: &[(usize, Vec<usize>)],
    owner: &mut [Option<usize>],
    seen: &mut [bool],
) -> bool {
    let edges = places.get(place).map_or(&[][..], |(_, e)| e.as_slice());
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
