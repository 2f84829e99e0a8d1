//! Scalar types of the facts: timestamps, durations and semantic versions.
//!
//! Durations are written the way operators write them (`90d`, `3m`, `1h30m`,
//! `500ms`); versions are semantic versions and must be strings (a plain
//! `2.10` in YAML is the float 2.1, so an unquoted number is an error).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, RFC 3339 (`2026-11-26T10:00:00Z`).
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The newtype name by which a timestamp announces itself to a
/// serialiser that is not human-readable (the facts digest): its payload
/// is one `u128`, the zigzagged seconds since the Unix epoch in its high
/// 64 bits and the nanoseconds in its low 32 (one call, where a tuple of
/// the two cost the encoder a list).
pub(crate) const TIMESTAMP_MARKER: &str = "$release-policy::Timestamp";

/// The newtype name by which a duration announces itself to a serialiser
/// that is not human-readable (the facts digest): its payload is the
/// duration in whole milliseconds.
pub(crate) const DURATION_MARKER: &str = "$release-policy::Duration";

/// The newtype name by which a non-empty list of samples announces itself
/// to a serialiser that is not human-readable (the facts digest): its
/// payload is the packed samples as bytes (`canonical/samples.rs`).
pub(crate) const SAMPLES_MARKER: &str = "$release-policy::Samples";

/// Serialise a timestamp: for the facts digest (a serialiser that is not
/// human-readable) as its binary value, seconds and nanoseconds under
/// [`TIMESTAMP_MARKER`]; otherwise exactly as chrono does
/// (`2026-11-26T10:00:00Z`), without chrono's character-by-character
/// formatter for the common case of whole seconds in years 0–9999. Every
/// timestamp field of the facts serialises through here.
pub(crate) fn serialize_timestamp<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    if !s.is_human_readable() {
        let secs = t.timestamp();
        let zigzag = ((secs << 1) ^ (secs >> 63)) as u64;
        let payload = (u128::from(zigzag) << 32) | u128::from(t.timestamp_subsec_nanos());
        return s.serialize_newtype_struct(TIMESTAMP_MARKER, &payload);
    }
    match whole_seconds(t) {
        // Only ASCII digits and separators were written.
        Some(b) => s.serialize_str(std::str::from_utf8(&b).unwrap_or_default()),
        None => t.serialize(s),
    }
}

/// Read a timestamp exactly as chrono does (RFC 3339, relaxed: chrono's
/// `Deserialize` for `DateTime<Utc>`), with the canonical form
/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` read digit by digit instead of by
/// chrono's general parser (≈ 2 k instructions a timestamp). Anything else
/// — an offset, a lower-case `t` or `z`, a leap second, a date that does
/// not exist — goes to chrono, errors included. Every timestamp field of
/// the facts deserialises through here.
pub(crate) fn deserialize_timestamp<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Timestamp, D::Error> {
    d.deserialize_str(TimestampVisitor)
}

/// [`deserialize_timestamp`] of an optional field (`null` is `None`, as for
/// any `Option`).
pub(crate) fn deserialize_opt_timestamp<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Timestamp>, D::Error> {
    struct Opt;
    impl<'de> serde::de::Visitor<'de> for Opt {
        type Value = Option<Timestamp>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("option")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            deserialize_timestamp(d).map(Some)
        }
    }
    d.deserialize_option(Opt)
}

/// chrono's reading of a timestamp string, its words for what it expects.
struct TimestampVisitor;

impl serde::de::Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
        match canonical_timestamp(v) {
            Some(t) => Ok(t),
            None => v
                .parse::<chrono::DateTime<chrono::FixedOffset>>()
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(E::custom),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f…]Z` (one to nine digits of fraction, seconds
/// 0–59, a date that exists), read digit by digit; `None` for any other
/// text, which chrono then reads.
fn canonical_timestamp(text: &str) -> Option<Timestamp> {
    fn num(digits: &[u8]) -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    }
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
        rest @ ..,
    ] = text.as_bytes()
    else {
        return None;
    };
    let nanos = match rest {
        [b'Z'] => 0,
        [b'.', fraction @ .., b'Z'] if (1..=9).contains(&fraction.len()) => {
            num(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let year = i32::try_from(num(&[*y0, *y1, *y2, *y3])?).ok()?;
    let second = num(&[*s0, *s1])?;
    if second > 59 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(year, num(&[*m0, *m1])?, num(&[*d0, *d1])?)?
        .and_hms_nano_opt(num(&[*h0, *h1])?, num(&[*i0, *i1])?, second, nanos)
        .map(|t| t.and_utc())
}

/// The RFC 3339 text of a timestamp of whole seconds in the years 0–9999
/// (`2026-11-26T10:00:00Z`), written digit by digit; `None` for any other
/// timestamp (chrono's formatter writes those).
fn whole_seconds(t: &Timestamp) -> Option<[u8; 20]> {
    use chrono::{Datelike, Timelike};
    let n = t.naive_utc();
    let (y, nanos) = (n.year(), n.nanosecond());
    if nanos != 0 || !(0..=9999).contains(&y) {
        return None;
    }
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, v: u32, width: usize| put_digits(&mut b, at, v.into(), width);
    put(0, y.unsigned_abs(), 4);
    put(5, n.month(), 2);
    put(8, n.day(), 2);
    put(11, n.hour(), 2);
    put(14, n.minute(), 2);
    put(17, n.second(), 2);
    Some(b)
}

/// [`serialize_timestamp`] for an optional timestamp (`None` as `null`).
pub(crate) fn serialize_opt_timestamp<S: Serializer>(
    t: &Option<Timestamp>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize_timestamp(t, s),
        None => s.serialize_none(),
    }
}

/// A span of time written as `90d`, `12h`, `3m`, `45s`, `500ms` or a sum of
/// them (`1h30m`). Units: `w`, `d`, `h`, `m`, `s`, `ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(chrono::Duration);

const UNITS: [(&str, i64); 6] = [
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

impl Duration {
    /// The duration as chrono's type.
    pub fn as_chrono(&self) -> chrono::Duration {
        self.0
    }

    /// A duration from milliseconds.
    pub fn from_millis(ms: i64) -> Self {
        Self(chrono::Duration::milliseconds(ms))
    }

    /// The duration in whole milliseconds.
    pub fn as_millis(&self) -> i64 {
        self.0.num_milliseconds()
    }

    /// Parse `90d`, `1h30m`, `500ms`. Negative durations are not accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err("empty duration".into());
        }
        if s == "0" {
            return Ok(Self::from_millis(0));
        }
        let mut total: i64 = 0;
        let mut rest = s;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(format!("invalid duration `{text}`"));
            }
            let (num, tail) = rest.split_at(digits);
            let unit_len = tail
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(tail.len());
            let (unit, tail) = tail.split_at(unit_len);
            let factor = UNITS
                .iter()
                .find(|(u, _)| *u == unit)
                .map(|(_, f)| *f)
                .ok_or_else(|| format!("invalid duration `{text}`: unknown unit `{unit}`"))?;
            let n: i64 = num
                .parse()
                .map_err(|_| format!("invalid duration `{text}`"))?;
            total = n
                .checked_mul(factor)
                .and_then(|v| total.checked_add(v))
                .filter(|v| *v <= 100 * 365 * 86_400_000)
                .ok_or_else(|| format!("duration `{text}` is too long"))?;
            rest = tail;
        }
        Ok(Self::from_millis(total))
    }
}

impl fmt::Display for Duration {
    /// The canonical form: the largest units first (`1h30m`, `90d`, `0s`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ms = self.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        if ms < 0 {
            f.write_str("-")?;
            ms = ms.saturating_abs();
        }
        for (unit, factor) in UNITS.iter().skip(1) {
            let n = ms / factor;
            if n > 0 {
                write!(f, "{n}{unit}")?;
                ms -= n * factor;
            }
        }
        Ok(())
    }
}

impl Serialize for Duration {
    /// The canonical text (`1h30m`); for the facts digest (a serialiser
    /// that is not human-readable) the milliseconds under
    /// [`DURATION_MARKER`].
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_newtype_struct(DURATION_MARKER, &self.as_millis())
        }
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        Duration::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "duration",
            "pattern": "^([0-9]+(w|d|h|m|s|ms))+$|^0$",
            "description": "A duration such as `90d`, `1h30m`, `45s` or `500ms`."
        })
    }
}

/// A semantic version (`2.4.0`, `1.0.0-rc.1`). Must be written as a string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(semver::Version);

impl Version {
    /// Parse a semantic version.
    pub fn parse(text: &str) -> Result<Self, String> {
        semver::Version::parse(text.trim_start_matches('v'))
            .map(Self)
            .map_err(|e| format!("invalid semantic version `{text}`: {e}"))
    }

    /// The parsed version.
    pub fn as_semver(&self) -> &semver::Version {
        &self.0
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Version {
    /// Its canonical text (`2.4.0`, a leading `v` dropped). A version
    /// without pre-release or build parts is written from its three
    /// numbers directly, without the formatting machinery (every check
    /// serialises the release's version twice: for the facts digest and
    /// for the expressions).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = &self.0;
        if v.pre.is_empty() && v.build.is_empty() {
            let mut buf = [0u8; 3 * 20 + 2];
            let mut at = 0;
            for (i, n) in [v.major, v.minor, v.patch].into_iter().enumerate() {
                if i > 0 {
                    if let Some(b) = buf.get_mut(at) {
                        *b = b'.';
                    }
                    at += 1;
                }
                let width = n.checked_ilog10().map_or(1, |l| l as usize + 1);
                put_digits(&mut buf, at, n, width);
                at += width;
            }
            if let Some(Ok(text)) = buf.get(..at).map(std::str::from_utf8) {
                return s.serialize_str(text);
            }
        }
        s.collect_str(&self.0)
    }
}

/// Write the last `width` decimal digits of `v` into `buf` at `at`,
/// zero-padded (the timestamp's fields, a version's numbers).
fn put_digits(buf: &mut [u8], at: usize, mut v: u64, width: usize) {
    for i in (0..width).rev() {
        if let Some(d) = buf.get_mut(at + i) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Version;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a semantic version string such as \"2.4.0\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Version, E> {
                Version::parse(v).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Version, E> {
                Err(E::custom(format!(
                    "version `{v}` is a number, not a semantic version string; quote the full version, e.g. `version: \"2.10.0\"`"
                )))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Version, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Version, E> {
                self.visit_f64(v as f64)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Version {
    fn schema_name() -> Cow<'static, str> {
        "Version".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "semver",
            "description": "A semantic version such as `2.4.0` (quote it in YAML)."
        })
    }
}

/// A timestamp as RFC 3339 text for messages and JSON: UTC with `Z`, and
/// fractional seconds only when there are any. The one formatter of the
/// crate.
pub(crate) fn rfc3339(t: Timestamp) -> String {
    match whole_seconds(&t) {
        Some(b) => String::from_utf8_lossy(&b).into_owned(),
        None => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    }
}

/// [`rfc3339`], written at the end of `out` (without a string of its own
/// for the common timestamp of whole seconds).
pub(crate) fn push_rfc3339(t: Timestamp, out: &mut Vec<u8>) {
    match whole_seconds(&t) {
        Some(b) => out.extend_from_slice(&b),
        None => out.extend_from_slice(rfc3339(t).as_bytes()),
    }
}

#[cfg(test)]
mod fast_timestamp_tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Serialize)]
    struct Fast(#[serde(serialize_with = "serialize_timestamp")] Timestamp);

    proptest! {
        #[test]
        fn fast_timestamps_serialise_like_chrono(secs in -70_000_000_000i64..260_000_000_000, nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000]) {
            let t = chrono::DateTime::from_timestamp(secs, nanos).unwrap_or_default();
            prop_assert_eq!(serde_json::to_string(&Fast(t)).ok(), serde_json::to_string(&t).ok());
            prop_assert_eq!(rfc3339(t), t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
            let mut pushed = b"x".to_vec();
            push_rfc3339(t, &mut pushed);
            prop_assert_eq!(pushed, [b"x", rfc3339(t).as_bytes()].concat());
        }
    }
}

#[cfg(test)]
mod canonical_timestamp_tests {
    use super::*;
    use proptest::prelude::*;

    fn chrono_reads(text: &str) -> Option<Timestamp> {
        serde_json::from_value::<Timestamp>(serde_json::Value::from(text)).ok()
    }

    #[test]
    fn the_forms_chrono_reads_differently_are_left_to_it() {
        for text in [
            "2026-11-26T10:00:00+01:00",
            "2026-11-26t10:00:00z",
            "2026-11-26 10:00:00Z",
            "2016-12-31T23:59:60Z",
            "2026-11-26T10:00:00.1234567890Z",
            "2026-02-30T10:00:00Z",
            "2026-11-26T24:00:00Z",
            "+2026-11-26T10:00:00Z",
        ] {
            assert_eq!(canonical_timestamp(text), None, "{text}");
        }
        assert_eq!(
            canonical_timestamp("2026-11-26T10:00:00.5Z"),
            chrono_reads("2026-11-26T10:00:00.5Z")
        );
    }

    proptest! {
        /// Whatever the fast path reads, chrono reads the same; and it
        /// reads every canonical timestamp chrono writes.
        #[test]
        fn the_fast_path_reads_what_chrono_reads(
            secs in -62_000_000_000i64..253_000_000_000,
            nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000],
            digits in 1usize..=9,
        ) {
            let t = chrono::DateTime::from_timestamp(secs, nanos).unwrap_or_default();
            let whole = t.format("%Y-%m-%dT%H:%M:%S").to_string();
            let frac = format!("{:09}", t.timestamp_subsec_nanos());
            let text = format!("{whole}.{}Z", &frac[..digits]);
            prop_assert!(canonical_timestamp(&text).is_some(), "{}", text);
            prop_assert_eq!(canonical_timestamp(&text), chrono_reads(&text));
            let plain = format!("{whole}Z");
            prop_assert_eq!(canonical_timestamp(&plain), chrono_reads(&plain));
        }

        /// Near misses: any text of the canonical shape, valid or not.
        #[test]
        fn near_misses_are_read_as_chrono_reads_them(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,10})?[Zz]?",
        ) {
            if let Some(t) = canonical_timestamp(&text) {
                prop_assert_eq!(Some(t), chrono_reads(&text), "{}", text);
            }
        }
    }

    #[test]
    fn errors_are_chronos() {
        #[derive(Deserialize, Debug)]
        struct Fast(#[serde(deserialize_with = "deserialize_timestamp")] Timestamp);
        for bad in [
            serde_json::json!("2026-02-30T10:00:00Z"),
            serde_json::json!(5),
            serde_json::json!("x"),
        ] {
            let ours = serde_json::from_value::<Fast>(bad.clone())
                .map(|f| f.0)
                .map_err(|e| e.to_string());
            let theirs = serde_json::from_value::<Timestamp>(bad).map_err(|e| e.to_string());
            assert!(ours.is_err());
            assert_eq!(ours, theirs);
        }
    }
}

#[cfg(test)]
mod fast_version_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The version's text is semver's, with and without the fast path
        /// (pre-release and build parts take the slow one).
        #[test]
        fn versions_serialise_like_semver(
            major in prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>()],
            minor in 0u64..1000,
            patch in prop_oneof![Just(10u64), any::<u64>()],
            suffix in prop::sample::select(vec!["", "-rc.1", "+build.5", "-alpha+001"]),
        ) {
            let text = format!("v{major}.{minor}.{patch}{suffix}");
            let v = Version::parse(&text);
            prop_assert!(v.is_ok());
            if let Ok(v) = v {
                prop_assert_eq!(
                    serde_json::to_string(&v).ok(),
                    Some(format!("\"{}\"", v.as_semver()))
                );
                prop_assert_eq!(v.as_semver().to_string(), text.trim_start_matches('v'));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print_canonically() {
        assert_eq!(
            Duration::parse("90d").map(|d| d.to_string()),
            Ok("90d".into())
        );
        assert_eq!(
            Duration::parse("1h30m").map(|d| d.as_millis()),
            Ok(5_400_000)
        );
        assert_eq!(
            Duration::parse("2w").map(|d| d.to_string()),
            Ok("14d".into())
        );
        assert_eq!(
            Duration::parse("90m").map(|d| d.to_string()),
            Ok("1h30m".into())
        );
        assert_eq!(Duration::parse("500ms").map(|d| d.as_millis()), Ok(500));
        assert_eq!(Duration::from_millis(-90_000).to_string(), "-1m30s");
        assert!(Duration::parse("5 minutes").is_err());
        assert!(Duration::parse("-5m").is_err());
        assert!(Duration::parse("m").is_err());
        assert!(Duration::parse("99999999999999d").is_err());
    }

    #[test]
    fn versions_must_be_strings() {
        assert!(Version::parse("2.4.0").is_ok());
        assert!(Version::parse("2.4").is_err());
        let err = yaml_serde::from_str::<Version>("2.10")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("quote the full version")));
    }
}
