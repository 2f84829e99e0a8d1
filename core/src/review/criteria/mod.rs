//! Review policies (`kind: ReviewPolicy`): success criteria judged on every
//! release reviewed, and the instability thresholds. [`compile`] turns a
//! merged policy into its compiled form (the only module here that reads
//! documents); [`evaluate`] scores one record against the compiled
//! policies, over the record bound as roots by [`roots`].

pub(crate) mod compile;
pub(crate) mod evaluate;
pub(crate) mod roots;
