//! Canary analysis: the numbers behind a canary-versus-baseline comparison,
//! with the semantics of Kayenta's `NetflixACAJudge`.
//!
//! - [`stats`] — the statistics: the Mann-Whitney U test (normal
//!   approximation with tie and continuity correction, as
//!   `scipy.stats.mannwhitneyu(..., use_continuity=True, method="asymptotic")`),
//!   the Hodges-Lehmann shift estimate, the normal upper tail, mean and
//!   median.
//! - [`judge`] — per-metric classification (`pass`, `high`, `low`,
//!   `no-data`) and the weighted group score with its `pass` / `marginal` /
//!   `fail` / `no-data` outcome.
//!
//! ```
//! use release_policy::analysis::judge::{
//!     judge, Classification, Direction, JudgeConfig, JudgeOutcome, MetricConfig, MetricInput,
//! };
//!
//! let latency = MetricConfig { direction: Direction::Increase, ..MetricConfig::new("p99-latency") };
//! let canary: Vec<Option<f64>> = (0..30).map(|i| Some(230.0 + f64::from(i % 7))).collect();
//! let baseline: Vec<Option<f64>> = (0..30).map(|i| Some(180.0 + f64::from(i % 5))).collect();
//! let result = judge(
//!     &JudgeConfig::default(),
//!     &[MetricInput { config: &latency, canary: &canary, baseline: &baseline }],
//! );
//! assert_eq!(result.metrics[0].classification, Classification::High);
//! assert_eq!(result.outcome, JudgeOutcome::Fail);
//! ```
//!
//! Nothing here panics: empty inputs give `None` / `no-data`, and values
//! that are not finite are treated as missing samples.

pub mod judge;
pub mod slo;
pub mod stats;
