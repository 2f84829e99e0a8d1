//! The security policies of the hand-written pack: certificates, secrets
//! and scans (`policies/security/`, the pentest sign-off aside, which is an
//! approval rule).

use release_policy::model::{Scan, Timestamp};

use super::{Decider, days, eval, when};

impl Decider<'_> {
    /// `security/certificate-expiry.yaml` (production).
    pub(super) fn certificate_expiry(&mut self) {
        let now = self.now;
        let certificates = self.facts.security.as_ref().map(|s| &s.certificates);
        let within = |n| certificates.map(|c| !c.iter().any(|c| c.not_after - now <= days(n)));
        self.block("certificates-not-expiring", eval(within(14)));
        self.warn("certificates-expiring-soon", eval(within(30)));
    }

    /// `security/secret-rotation.yaml` (production).
    pub(super) fn secret_rotation(&mut self) {
        let now = self.now;
        let rotated = self.facts.security.as_ref().map(|s| {
            s.secrets
                .iter()
                .all(|s| now - s.rotated_at <= s.max_age.as_chrono())
        });
        self.waivable("secrets-rotated", &["security"], eval(rotated));
    }

    /// `security/security-scans.yaml` (production): per kind, a recent scan,
    /// and no critical (block, waivable by security) or high (warn) finding
    /// in the latest scan of each tool.
    pub(super) fn security_scans(&mut self) {
        let scans = self.facts.security.as_ref().map(|s| s.scans.as_slice());
        let (sast, sca) = match scans {
            Some(scans) => (
                Some(latest(scans, "sast", self.now)),
                Some(latest(scans, "sca", self.now)),
            ),
            None => (None, None),
        };
        let recent = |l: &Option<Latest>| l.as_ref().map(|l| l.recent);
        self.block("sast-completed", eval(recent(&sast)));
        self.block("sca-completed", eval(recent(&sca)));
        let any = |l: &Option<Latest>| l.as_ref().map(|l| l.any);
        let critical = |l: &Option<Latest>| l.as_ref().map(|l| l.critical);
        let high = |l: &Option<Latest>| l.as_ref().map(|l| l.high);
        let g = when(any(&sast), || critical(&sast));
        self.waivable("sast-no-critical", &["security"], g);
        let g = when(any(&sca), || critical(&sca));
        self.waivable("sca-no-critical", &["security"], g);
        self.warn("sast-no-high", when(any(&sast), || high(&sast)));
        self.warn("sca-no-high", when(any(&sca), || high(&sca)));
    }
}

/// The scans of one kind, summed up for the gates.
struct Latest {
    /// Any scan of the kind.
    any: bool,
    /// One completed in the last 7 days.
    recent: bool,
    /// No critical finding in the latest scan of each tool (the first of
    /// equally late scans, as `latestBy`).
    critical: bool,
    /// No high finding in them.
    high: bool,
}

fn latest(scans: &[Scan], kind: &str, now: Timestamp) -> Latest {
    let of_kind = || scans.iter().filter(move |s| s.kind == kind);
    let mut out = Latest {
        any: false,
        recent: false,
        critical: true,
        high: true,
    };
    for (i, s) in of_kind().enumerate() {
        out.any = true;
        out.recent |= now - s.completed_at <= days(7);
        // The latest of its tool: no later one, and no equally late one
        // before it.
        let superseded = of_kind().enumerate().any(|(j, o)| {
            o.tool == s.tool
                && (o.completed_at > s.completed_at || (o.completed_at == s.completed_at && j < i))
        });
        if !superseded {
            out.critical &= s.findings.critical == 0;
            out.high &= s.findings.high == 0;
        }
    }
    out
}
