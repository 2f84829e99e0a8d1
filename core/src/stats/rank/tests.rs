//! Reference numbers: printed by `core/tests/data/stats_reference.py`
//! run with scipy 1.17.1 and numpy 2.4.6 (Python 3.11). U and p are
//! scipy's `mannwhitneyu(canary, baseline, alternative=...,
//! use_continuity=True, method="asymptotic")`; z is scipy's
//! `_get_mwu_z` formula (checked there to reproduce scipy's p); the
//! Hodges-Lehmann estimates are
//! `numpy.median(numpy.subtract.outer(canary, baseline))`; the normal
//! tail values are `scipy.stats.norm.sf`.
//!
//! Tolerances: U and Hodges-Lehmann exactly (bit for bit); z, p and
//! normal_sf relative 1e-12, p-values down to 1e-34 included (observed
//! differences: z exact, p within 6e-15, normal_sf(37.5) within 6e-14).

use super::*;
use proptest::prelude::*;

const TOLERANCE: f64 = 1e-12;

fn close(actual: f64, expected: f64, rel: f64) -> bool {
    actual == expected || (actual - expected).abs() <= rel * expected.abs().max(actual.abs())
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, rel: f64, what: &str) {
    assert!(
        close(actual, expected, rel),
        "{what}: got {actual:e}, expected {expected:e} (relative tolerance {rel:e})"
    );
}

/// (u, z, p) for two-sided, greater, less.
type Reference = [(f64, f64, f64); 3];

#[track_caller]
fn check_mwu(name: &str, canary: &[f64], baseline: &[f64], expected: Reference) {
    let alternatives = [
        Alternative::TwoSided,
        Alternative::Greater,
        Alternative::Less,
    ];
    for (alt, (u, z, p)) in alternatives.into_iter().zip(expected) {
        let r = mann_whitney(canary, baseline, alt).unwrap();
        let what = format!("{name} {alt:?}");
        assert_eq!(r.u, u, "{what}: u");
        assert_close(r.z, z, TOLERANCE, &format!("{what}: z"));
        assert_close(r.p_value, p, TOLERANCE, &format!("{what}: p"));
        assert_eq!(r.n_canary, canary.len());
        assert_eq!(r.n_baseline, baseline.len());
    }
}

/// Canary and baseline.
type Samples = (Vec<f64>, Vec<f64>);

fn ties_small() -> Samples {
    (
        vec![1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0],
        vec![2.0, 3.0, 3.0, 4.0, 5.0, 6.0],
    )
}

fn shifted() -> Samples {
    (
        vec![
            10.2, 11.5, 12.1, 13.3, 11.9, 12.8, 13.7, 14.1, 12.2, 13.0, 11.1, 12.5,
        ],
        vec![9.8, 10.1, 10.9, 11.2, 10.4, 9.5, 11.8, 10.7, 10.0, 11.4],
    )
}

fn identical() -> Samples {
    let x = vec![3.1, 1.2, 5.5, 2.2, 4.8, 3.1];
    (x.clone(), x)
}

fn one_vs_five() -> Samples {
    (vec![7.0], vec![1.0, 2.0, 3.0, 4.0, 5.0])
}

fn many_ties_50_60() -> Samples {
    (
        (0..50)
            .map(|i| f64::from(i * 37 % 17) / 2.0 + 1.0)
            .collect(),
        (0..60).map(|j| f64::from(j * 29 % 19) / 2.0).collect(),
    )
}

fn negative() -> Samples {
    (
        vec![-3.5, -1.25, -7.0, -2.0, -0.5, -4.75, -1.25],
        vec![-5.0, -6.25, -2.0, -8.5, -3.0, -4.0, -9.75, -1.0],
    )
}

fn separated_tail() -> Samples {
    (
        (0..100).map(|i| 100.0 + f64::from(i)).collect(),
        (0..100).map(|j| 0.5 * f64::from(j)).collect(),
    )
}

fn signed_zeros() -> Samples {
    (vec![0.0, -0.0, 1.0, 2.0], vec![-0.0, 0.0, 0.0, -1.0, 1.0])
}

#[test]
fn mann_whitney_small_with_ties() {
    let (c, b) = ties_small();
    check_mwu(
        "ties_small",
        &c,
        &b,
        [
            (18.0, 0.7253531777113148, 0.468235389889336),
            (18.0, -0.8572355736588265, 0.804342646955283),
            (18.0, 0.7253531777113148, 0.234117694944668),
        ],
    );
}

#[test]
fn mann_whitney_shifted() {
    let (c, b) = shifted();
    check_mwu(
        "shifted",
        &c,
        &b,
        [
            (110.0, 3.2639333433091458, 0.001098770124574993),
            (110.0, 3.2639333433091458, 0.0005493850622874964),
            (110.0, -3.3298713906487243, 0.9995655694700827),
        ],
    );
}

#[test]
fn mann_whitney_identical() {
    let (c, b) = identical();
    check_mwu(
        "identical",
        &c,
        &b,
        [
            (18.0, -0.08209869717864816, 1.0),
            (18.0, -0.08209869717864816, 0.5327158854353529),
            (18.0, -0.08209869717864816, 0.5327158854353529),
        ],
    );
}

#[test]
fn mann_whitney_one_vs_five() {
    let (c, b) = one_vs_five();
    check_mwu(
        "one_vs_five",
        &c,
        &b,
        [
            (5.0, 1.1710800875382397, 0.24156658696897293),
            (5.0, 1.1710800875382397, 0.12078329348448646),
            (5.0, -1.7566201313073595, 0.9605087103681085),
        ],
    );
}

#[test]
fn mann_whitney_50_vs_60_many_ties() {
    let (c, b) = many_ties_50_60();
    check_mwu(
        "many_ties_50_60",
        &c,
        &b,
        [
            (1681.5, 1.0880675685882082, 0.2765652796669743),
            (1681.5, 1.0880675685882082, 0.13828263983348715),
            (1681.5, -1.0940789916190823, 0.8630398322821835),
        ],
    );
}

#[test]
fn mann_whitney_negative_values() {
    let (c, b) = negative();
    check_mwu(
        "negative",
        &c,
        &b,
        [
            (39.5, 1.2752819633404626, 0.20220945942783486),
            (39.5, 1.2752819633404626, 0.10110472971391743),
            (39.5, -1.3912166872805047, 0.9179201357607424),
        ],
    );
}

#[test]
fn mann_whitney_far_tail() {
    let (c, b) = separated_tail();
    check_mwu(
        "separated_tail",
        &c,
        &b,
        [
            (10000.0, 12.215722741186958, 2.562143669163401e-34),
            (10000.0, 12.215722741186958, 1.2810718345817004e-34),
            (10000.0, -12.218166130074085, 1.0),
        ],
    );
}

#[test]
fn mann_whitney_signed_zeros_tie() {
    let (c, b) = signed_zeros();
    check_mwu(
        "signed_zeros",
        &c,
        &b,
        [
            (14.5, 1.0787197799411874, 0.2807126652684958),
            (14.5, 1.0787197799411874, 0.1403563326342479),
            (14.5, -1.348399724926484, 0.9112350737939232),
        ],
    );
}

#[test]
fn mann_whitney_all_tied_has_p_one() {
    // scipy: statistic 3.0, p 1.0 (its z is -inf; ours is defined as 0).
    for alt in [
        Alternative::TwoSided,
        Alternative::Greater,
        Alternative::Less,
    ] {
        let r = mann_whitney(&[2.0, 2.0, 2.0], &[2.0, 2.0], alt).unwrap();
        assert_eq!(r.u, 3.0);
        assert_eq!(r.z, 0.0);
        assert_eq!(r.p_value, 1.0);
    }
}

#[test]
fn mann_whitney_rejects_empty_and_nan() {
    assert!(mann_whitney(&[], &[1.0], Alternative::TwoSided).is_none());
    assert!(mann_whitney(&[1.0], &[], Alternative::Greater).is_none());
    assert!(mann_whitney(&[1.0, f64::NAN], &[1.0], Alternative::Less).is_none());
    // One each: defined (n * (n - 1) = 2).
    let r = mann_whitney(&[1.0], &[2.0], Alternative::Less).unwrap();
    assert_eq!(r.u, 0.0);
    assert!(r.p_value > 0.0 && r.p_value <= 1.0);
}

#[test]
fn hodges_lehmann_matches_numpy() {
    let cases: [(&str, Samples, f64); 8] = [
        ("ties_small", ties_small(), -1.0),
        ("shifted", shifted(), 1.8499999999999996),
        ("identical", identical(), 0.0),
        ("one_vs_five", one_vs_five(), 4.0),
        ("many_ties_50_60", many_ties_50_60(), 0.5),
        ("negative", negative(), 1.75),
        ("separated_tail", separated_tail(), 124.75),
        ("signed_zeros", signed_zeros(), 1.0),
    ];
    for (name, (c, b), expected) in cases {
        assert_eq!(hodges_lehmann(&c, &b), Some(expected), "{name}");
    }
}

#[test]
fn hodges_lehmann_edge_cases() {
    assert_eq!(hodges_lehmann(&[], &[1.0]), None);
    assert_eq!(hodges_lehmann(&[1.0], &[]), None);
    assert_eq!(hodges_lehmann(&[f64::INFINITY], &[1.0]), None);
    assert_eq!(hodges_lehmann(&[1.0], &[f64::NAN]), None);
    assert_eq!(hodges_lehmann(&[5.0], &[2.0]), Some(3.0));
    assert_eq!(hodges_lehmann(&[-5.0], &[2.0]), Some(-7.0));
    // Zero shift is +0.0, also from signed zeros.
    let z = hodges_lehmann(&[-0.0], &[0.0]).unwrap();
    assert!(z == 0.0 && z.is_sign_positive());
    // Differences overflow: not finite, so None rather than inf.
    assert_eq!(hodges_lehmann(&[f64::MAX], &[-f64::MAX]), None);
    // Huge but representable.
    assert_eq!(
        hodges_lehmann(&[f64::MAX, f64::MAX], &[0.0, 0.0]),
        Some(f64::MAX)
    );
}

#[test]
fn normal_sf_matches_scipy_far_into_the_tail() {
    let reference = [
        (0.0, 0.5),
        (1.5, 0.06680720126885807),
        (-2.0, 0.9772498680518208),
        (3.0, 0.0013498980316300933),
        (8.0, 6.22096057427174e-16),
        (20.0, 2.7536241186061556e-89),
        (37.5, 4.605353009581954e-308),
    ];
    for (z, expected) in reference {
        assert_close(normal_sf(z), expected, 1e-12, &format!("sf({z})"));
    }
}

#[test]
fn mean_and_median() {
    assert_eq!(mean(&[]), None);
    assert_eq!(median(&[]), None);
    assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
    assert_eq!(median(&[6.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 2.0, 6.0]), Some(3.0));
    assert_eq!(mean(&[f64::MAX, f64::MAX]), Some(f64::MAX));
    assert_eq!(median(&[f64::MAX, f64::MAX]), Some(f64::MAX));
    assert_eq!(mean(&[1.0, f64::NAN]), None);
    assert_eq!(median(&[1.0, f64::NAN]), None);
}

#[test]
fn order_key_round_trips_and_orders() {
    let xs = [
        f64::NEG_INFINITY,
        -f64::MAX,
        -1.0,
        -f64::MIN_POSITIVE,
        -0.0,
        0.0,
        f64::MIN_POSITIVE,
        1.0,
        f64::MAX,
        f64::INFINITY,
    ];
    for w in xs.windows(2) {
        assert!(order_key(w[0]) < order_key(w[1]), "{} < {}", w[0], w[1]);
    }
    for x in xs {
        assert_eq!(from_order_key(order_key(x)).to_bits(), x.to_bits());
    }
}

fn brute_force_hl(c: &[f64], b: &[f64]) -> f64 {
    let mut d: Vec<f64> = c
        .iter()
        .flat_map(|&x| b.iter().map(move |&y| (x + 0.0) - (y + 0.0)))
        .collect();
    d.sort_by(f64::total_cmp);
    let n = d.len();
    if n % 2 == 1 {
        d[n / 2]
    } else {
        (d[n / 2 - 1] + d[n / 2]) / 2.0
    }
}

/// Values with many ties, negatives, signed zeros and non-integers.
fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            (-20i32..20).prop_map(f64::from),
            (-20i32..20).prop_map(|i| f64::from(i) / 8.0),
            Just(-0.0),
            -1e6f64..1e6,
            -1e-3f64..1e-3,
        ],
        1..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn hodges_lehmann_equals_brute_force(c in sample(), b in sample()) {
        let expected = brute_force_hl(&c, &b);
        let got = hodges_lehmann(&c, &b).unwrap();
        prop_assert_eq!(got.to_bits(), (expected + 0.0).to_bits());
    }

    #[test]
    fn mann_whitney_is_symmetric(c in sample(), b in sample()) {
        // Swapping the samples swaps U1/U2 and greater/less.
        let g = mann_whitney(&c, &b, Alternative::Greater).unwrap();
        let l = mann_whitney(&b, &c, Alternative::Less).unwrap();
        prop_assert_eq!(g.p_value, l.p_value);
        prop_assert_eq!(g.u + l.u, (c.len() * b.len()) as f64);
        // Two-sided is twice the smaller one-sided p-value, at most 1.
        let less = mann_whitney(&c, &b, Alternative::Less).unwrap();
        let t = mann_whitney(&c, &b, Alternative::TwoSided).unwrap();
        prop_assert!((0.0..=1.0).contains(&t.p_value));
        prop_assert_eq!(t.p_value, (2.0 * g.p_value.min(less.p_value)).min(1.0));
    }
}
