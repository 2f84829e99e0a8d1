//! The `history` section of `check`'s facts, derived from release records
//! at a given `now`: the incidents the service's releases caused, its
//! earlier releases with their outcome, and its open post-mortems — so the
//! readiness gates that react to incident history read real data. Only
//! what had happened by `now` is used; the most recent entries are kept
//! when there are more than the facts' list limit.

use crate::model::{
    History, Incident, PastRelease, PostmortemStatus, RecordOutcome, ReleaseOutcome, ReleaseRecord,
    Timestamp,
};

/// `history` of `service` in `environment` at `now`, from `records` (in
/// any order), keeping at most `max_items` releases and incidents (the
/// most recent).
pub(crate) fn history<'a>(
    records: impl Iterator<Item = &'a ReleaseRecord>,
    service: &str,
    environment: &str,
    now: Timestamp,
    max_items: usize,
) -> History {
    let mut releases = Vec::new();
    let mut incidents = Vec::new();
    let mut open_postmortems = 0u32;
    for r in records {
        if r.release.service != service
            || r.release.environment != environment
            || r.deployment.finished_at > now
        {
            continue;
        }
        let postmortem = r.postmortem.as_ref().and_then(|p| p.status);
        if r.postmortem
            .as_ref()
            .is_some_and(|p| p.required && p.status != Some(PostmortemStatus::Closed))
        {
            open_postmortems = open_postmortems.saturating_add(1);
        }
        // What was known at `now`: a rollback or hotfix after it had not
        // happened yet.
        let outcome = match r.outcome {
            RecordOutcome::RolledBack
                if r.rollback.as_ref().is_some_and(|rb| rb.started_at <= now) =>
            {
                ReleaseOutcome::RolledBack
            }
            RecordOutcome::Hotfixed => ReleaseOutcome::Hotfixed,
            RecordOutcome::Degraded => ReleaseOutcome::Degraded,
            _ => ReleaseOutcome::Succeeded,
        };
        releases.push(PastRelease {
            id: r.release.id.clone(),
            version: r.release.version.clone(),
            at: r.deployment.finished_at,
            outcome,
            postmortem,
        });
        for i in r.incidents.iter().filter(|i| i.started_at <= now) {
            incidents.push(Incident {
                id: i.id.clone(),
                severity: i.severity.level(),
                at: i.started_at,
                resolved_at: i.restored_at.filter(|t| *t <= now),
                caused_by: Some(r.release.id.clone()),
            });
        }
    }
    // Most recent first; ties by id, so the order of the records never shows.
    releases.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    incidents.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    incidents.dedup_by(|a, b| a.id == b.id);
    releases.truncate(max_items);
    incidents.truncate(max_items);
    History {
        incidents,
        releases,
        open_postmortems,
    }
}
