//! The canary judge's rule (`analysis`): its compile step lives here, beside
//! the slice's other rule kinds; the judge itself is `stats::judge`, and
//! its evaluation is in `assess/slo.rs`.

mod compile;

pub(super) use compile::analysis;
