//! Canary analysis: the numbers behind a canary-versus-baseline comparison,
//! with the semantics of Kayenta's `NetflixACAJudge`.
//!
//! - [`stats`] — the statistics: the Mann-Whitney U test (normal
//!   approximation with tie and continuity correction, as
//!   `scipy.stats.mannwhitneyu(..., use_continuity=True, method="asymptotic")`),
//!   the Hodges-Lehmann shift estimate, the normal upper tail, mean and
//!   median.
//! - [`shift`] — the confidence interval of the shift, by inverting the
//!   Mann-Whitney test (R's `wilcox.test(conf.int = TRUE, exact = FALSE)`),
//!   and the shift at which its z is 0 (Kayenta's estimate).
//! - [`outliers`] — outlier removal by the interquartile range (Kayenta's
//!   `IQRDetector`).
//! - [`judge`] — per-metric classification (`pass`, `high`, `low`,
//!   `no-data`) and the weighted group score with its `pass` / `marginal` /
//!   `fail` / `no-data` outcome.
//!
//! ```
//! use release_policy::unstable::judge::{
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
pub mod outliers;
pub mod percentile;
pub mod rank;
pub mod shift;
pub mod slo;

/// A number for messages (the judge's reasons, the explanations of an
/// assessment): four significant digits, trailing zeros trimmed.
pub(crate) fn fmt_number(x: f64) -> String {
    fn trim(s: &str) -> &str {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            s
        }
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let magnitude = x.abs();
    if (1e-4..1e7).contains(&magnitude) {
        let exponent = magnitude.log10().floor() as i64;
        let decimals = usize::try_from(3 - exponent).unwrap_or(0);
        trim(&format!("{x:.decimals$}")).to_owned()
    } else {
        let s = format!("{x:.3e}");
        match s.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim(mantissa)),
            None => s,
        }
    }
}
