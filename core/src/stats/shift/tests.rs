//! Reference numbers: printed by `core/tests/data/shift_reference.py`
//! (scipy 1.17.1, numpy 2.4.6): R's `wilcox.test` interval algorithm
//! re-implemented with `scipy.optimize.brentq`, each root checked against
//! a brute-force scan of all pairwise differences. The ends of the
//! interval and the z = 0 estimate are pairwise differences (or the
//! midpoint of two), compared to 1e-12 relative: the reference ranks
//! `canary − d` against the baseline as R does, this code counts the
//! differences `canary_i − baseline_j`, and two mathematically equal
//! differences (14.1 − 11.4 and 12.8 − 10.1) can round a few units in the
//! last place apart. The quantiles are compared to 1e-12 too.

use super::*;

/// (canary, baseline, 98 % interval, 95 % interval, z = 0 estimate).
type Case = (
    &'static str,
    Vec<f64>,
    Vec<f64>,
    (f64, f64),
    (f64, f64),
    f64,
);

fn heavy_ties() -> (Vec<f64>, Vec<f64>) {
    let mut canary = vec![0.0; 360];
    canary.extend((0..240).map(|i| f64::from(10 + i % 40)));
    let mut baseline = vec![0.0; 360];
    baseline.extend((0..240).map(|i| f64::from(1 + i % 8)));
    (canary, baseline)
}

fn cases() -> Vec<Case> {
    let (hc, hb) = heavy_ties();
    vec![
        (
            "ties_small",
            vec![1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0],
            vec![2.0, 3.0, 3.0, 4.0, 5.0, 6.0],
            (-3.0, 2.0),
            (-2.0, 1.0),
            -1.0,
        ),
        (
            "shifted",
            vec![
                10.2, 11.5, 12.1, 13.3, 11.9, 12.8, 13.7, 14.1, 12.2, 13.0, 11.1, 12.5,
            ],
            vec![9.8, 10.1, 10.9, 11.2, 10.4, 9.5, 11.8, 10.7, 10.0, 11.4],
            (0.6999999999999993, 2.9000000000000004),
            (0.9000000000000004, 2.700000000000001),
            1.8499999999999996,
        ),
        (
            "one_vs_five",
            vec![7.0],
            vec![1.0, 2.0, 3.0, 4.0, 5.0],
            (2.0, 6.0),
            (2.0, 6.0),
            4.0,
        ),
        (
            "many_ties_50_60",
            (0..50)
                .map(|i| f64::from(i * 37 % 17) / 2.0 + 1.0)
                .collect(),
            (0..60).map(|j| f64::from(j * 29 % 19) / 2.0).collect(),
            (-0.5, 2.0),
            (-0.5, 1.5),
            0.5,
        ),
        (
            "negative",
            vec![-3.5, -1.25, -7.0, -2.0, -0.5, -4.75, -1.25],
            vec![-5.0, -6.25, -2.0, -8.5, -3.0, -4.0, -9.75, -1.0],
            (-2.0, 6.5),
            (-1.0, 5.0),
            1.75,
        ),
        (
            // 15 pairs: Kayenta's corrected z is 0 on [-1, 1], so its
            // estimate (0) differs from the Hodges-Lehmann median (-1).
            "odd_pairs",
            vec![1.0, 4.0, 9.0],
            vec![2.0, 3.0, 5.0, 7.0, 8.0],
            (-7.0, 7.0),
            (-7.0, 7.0),
            0.0,
        ),
        (
            // R stops here ("all observations are tied" at d = mumin);
            // the brute force gives the single difference.
            "constant_pair",
            vec![5.0, 5.0, 5.0],
            vec![3.0, 3.0],
            (2.0, 2.0),
            (2.0, 2.0),
            2.0,
        ),
        ("heavy_ties", hc, hb, (0.0, 0.0), (0.0, 0.0), 0.0),
    ]
}

#[track_caller]
fn close(got: f64, expected: f64, what: &str) {
    assert!(
        (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{what}: got {got:e}, expected {expected:e}"
    );
}

#[test]
fn interval_and_z0_estimate_match_the_reference() {
    for (name, c, b, ci98, ci95, z0) in cases() {
        let r98 = shift_interval(&c, &b, 0.98).unwrap();
        close(r98.lower, ci98.0, &format!("{name} 98 % lower"));
        close(r98.upper, ci98.1, &format!("{name} 98 % upper"));
        close(r98.estimate_z0, z0, &format!("{name} z = 0 estimate"));
        let r95 = shift_interval(&c, &b, 0.95).unwrap();
        close(r95.lower, ci95.0, &format!("{name} 95 % lower"));
        close(r95.upper, ci95.1, &format!("{name} 95 % upper"));
        assert!(r98.lower <= r95.lower && r95.upper <= r98.upper, "{name}");
    }
}

#[test]
fn the_interval_is_the_hodges_lehmann_interval_without_the_correction() {
    // With N even and no ties the z = 0 set is between the two middle
    // differences: its midpoint is the Hodges-Lehmann median.
    let c = [1.5, 2.5, 7.0, 3.25];
    let b = [0.5, 2.0, 4.0];
    let hl = crate::stats::rank::hodges_lehmann(&c, &b).unwrap();
    // 12 pairs: even.
    assert_eq!(shift_interval(&c, &b, 0.9).unwrap().estimate_z0, hl);
}

#[test]
fn interval_edges() {
    assert_eq!(shift_interval(&[], &[1.0], 0.98), None);
    assert_eq!(shift_interval(&[1.0], &[], 0.98), None);
    assert_eq!(shift_interval(&[f64::NAN], &[1.0], 0.98), None);
    assert_eq!(shift_interval(&[1.0], &[f64::INFINITY], 0.98), None);
    assert_eq!(shift_interval(&[1.0], &[2.0], 1.0), None);
    assert_eq!(shift_interval(&[1.0], &[2.0], 0.0), None);
    // One pair: everything is the one difference.
    let r = shift_interval(&[1.0], &[2.0], 0.98).unwrap();
    assert_eq!((r.lower, r.upper, r.estimate_z0), (-1.0, -1.0, -1.0));
    // Identical samples: symmetric around 0.
    let x = [3.0, 1.0, 2.0, 5.0, 4.0];
    let r = shift_interval(&x, &x, 0.98).unwrap();
    assert_eq!(r.lower, -r.upper);
    assert_eq!(r.estimate_z0, 0.0);
    assert!(r.estimate_z0.is_sign_positive());
    // Overflowing differences.
    assert_eq!(shift_interval(&[f64::MAX], &[-f64::MAX], 0.98), None);
}

#[test]
fn normal_quantile_matches_scipy() {
    let reference = [
        (0.5, 0.0),
        (0.975, 1.959963984540054),
        (0.99, 2.3263478740408408),
        (0.995, 2.5758293035489004),
        (0.01, -2.3263478740408408),
        (1e-10, -6.361340902404056),
        (0.999999, 4.753424308817087),
    ];
    for (p, expected) in reference {
        let got = normal_quantile(p).unwrap();
        assert!(
            (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "ppf({p}): got {got:e}, expected {expected:e}"
        );
    }
    assert_eq!(normal_quantile(0.0), None);
    assert_eq!(normal_quantile(1.0), None);
    assert_eq!(normal_quantile(f64::NAN), None);
}

mod agreement {
    use super::*;
    use crate::stats::rank::hodges_lehmann;
    use proptest::prelude::*;

    fn sample() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(
            prop_oneof![
                (-20i32..20).prop_map(f64::from),
                (-20i32..20).prop_map(|i| f64::from(i) / 8.0),
                Just(-0.0),
                -1e6f64..1e6,
            ],
            1..30,
        )
    }

    /// The brute force: all differences.
    fn differences(c: &[f64], b: &[f64]) -> Vec<f64> {
        c.iter()
            .flat_map(|&x| b.iter().map(move |&y| (x + 0.0) - (y + 0.0)))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// The median found on the way is the Hodges-Lehmann estimate bit
        /// for bit; the interval holds both estimates; its ends are
        /// pairwise differences.
        #[test]
        fn agrees_with_hodges_lehmann_and_brute_force(c in sample(), b in sample(), conf in 0.5f64..0.999) {
            let r = shift_interval(&c, &b, conf).unwrap();
            prop_assert_eq!(r.hodges_lehmann.to_bits(), hodges_lehmann(&c, &b).unwrap().to_bits());
            prop_assert!(r.lower <= r.hodges_lehmann && r.hodges_lehmann <= r.upper);
            prop_assert!(r.lower <= r.estimate_z0 && r.estimate_z0 <= r.upper);
            let ds = differences(&c, &b);
            prop_assert!(ds.contains(&r.lower) && ds.contains(&r.upper));
        }
    }
}
