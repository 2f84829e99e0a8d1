//! SLO arithmetic: burn rates and error budgets (Google SRE workbook,
//! "Alerting on SLOs").
//!
//! With an objective of 99.9 %, the error budget is 0.1 % of requests. A
//! burn rate of 1 spends exactly the budget over the SLO period; 14.4 spends
//! 2 % of a 30-day budget in one hour.

/// The error ratio the objective allows (`99.9` → `0.001`).
pub fn allowed_error_ratio(objective_percent: f64) -> f64 {
    1.0 - objective_percent / 100.0
}

/// How many times faster than sustainable the budget burns at
/// `error_ratio`; `None` when the objective leaves no budget.
pub fn burn_rate(error_ratio: f64, objective_percent: f64) -> Option<f64> {
    let allowed = allowed_error_ratio(objective_percent);
    (allowed > 0.0 && allowed.is_finite()).then(|| error_ratio / allowed)
}

/// The fraction of the budget left after a period with `error_ratio`
/// (1 = untouched, 0 = spent, negative = overspent).
pub fn budget_remaining(error_ratio: f64, objective_percent: f64) -> Option<f64> {
    burn_rate(error_ratio, objective_percent).map(|b| 1.0 - b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn workbook_figures() {
        // 99.9 %: an error ratio of 1.44 % burns at 14.4×.
        assert!(close(burn_rate(0.0144, 99.9), 14.4));
        // Half the allowed ratio over the period leaves half the budget.
        assert!(close(budget_remaining(0.0005, 99.9), 0.5));
        assert!(close(budget_remaining(0.002, 99.9), -1.0));
        assert_eq!(burn_rate(0.1, 100.0), None);
    }
}
