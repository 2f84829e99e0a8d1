//! The release records read for a review ([`Records`]): held sorted by the
//! time each deployment finished (then by release id), so that the order
//! of files, lines and documents never changes a report.

use std::sync::Arc;

use crate::model::ReleaseRecord;

/// Release records, read and checked by [`Records::from_dir`],
/// [`Records::from_path`] or [`Records::from_sources`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Records {
    pub(crate) inner: Arc<Vec<ReleaseRecord>>,
}

impl Records {
    /// Records from already checked ones, in the canonical order.
    pub(crate) fn new(mut records: Vec<ReleaseRecord>) -> Records {
        records.sort_by(|a, b| {
            a.deployment
                .finished_at
                .cmp(&b.deployment.finished_at)
                .then_with(|| a.release.id.cmp(&b.release.id))
        });
        Records {
            inner: Arc::new(records),
        }
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The records, ordered by the time their deployment finished, then by
    /// release id.
    pub fn iter(&self) -> impl Iterator<Item = &ReleaseRecord> {
        self.inner.iter()
    }

    /// The record of release `id`.
    pub fn get(&self, id: &str) -> Option<&ReleaseRecord> {
        self.inner.iter().find(|r| r.release.id == id)
    }

    /// The services named by the records, sorted, each once.
    pub fn services(&self) -> Vec<&str> {
        let mut s: Vec<&str> = self
            .inner
            .iter()
            .map(|r| r.release.service.as_str())
            .collect();
        s.sort_unstable();
        s.dedup();
        s
    }
}
