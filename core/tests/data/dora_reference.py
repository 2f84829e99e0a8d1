#!/usr/bin/env python3
"""Reference numbers for DORA's four keys over release records (`review`).

Standard library only. Usage:

    python3 core/tests/data/dora_reference.py RECORDS.jsonl FROM TO [ENVIRONMENT]

RECORDS.jsonl holds one `kind: ReleaseRecord` JSON object per line (blank
lines are skipped). FROM and TO are RFC 3339 UTC timestamps ending in `Z`,
e.g. `2026-10-27T00:00:00Z`. ENVIRONMENT defaults to `production`. The
result is printed as JSON with sorted keys and an indent of 2:

    {"overall": KEYS, "services": {name: KEYS}, "teams": {name: KEYS},
     "weeks": [{"from": "...Z", "to": "...Z", **KEYS}, ...]}

Every record is checked against the schema rules first (the same rules the
Rust side enforces); a record that breaks one stops the script with an error
naming the record, so the reference never computes over data the Rust side
would refuse.

Definitions
-----------
A period is half-open, [from, to). The deployments of a period are the
records whose `release.environment` equals ENVIRONMENT and whose
`deployment.finishedAt` is in [from, to) -- a deployment finishing exactly at
`from` counts, one finishing exactly at `to` does not. Nothing else about a
record (when it started, when its incidents happened) places it in a period.

KEYS, for a set of deployments over [from, to):

  deployments            the number of deployments.
  perDay                 deployments / ((to - from) in seconds / 86400).
  leadTimeMedianSeconds  lead time of a deployment that has `commits` is
                         deployment.finishedAt - commits.firstAt in seconds;
                         statistics.median of the lead times, null if none.
                         (Deployments without `commits` are left out.)
  leadTimeP90Seconds     statistics.quantiles(lead times, n=10,
                         method="inclusive")[8] with >= 2 lead times, i.e.
                         with x sorted and m = len(x):
                             j, d = divmod(9 * (m - 1), 10)
                             p90 = (x[j] * (10 - d) + x[j + 1] * d) / 10
                         the single lead time itself when there is one, null
                         when there is none.
  failed                 the number of failed deployments: outcome
                         `rolled-back` or `hotfixed`, or at least one
                         incident. (`degraded` without an incident and
                         `success` without an incident are not failed.)
  changeFailureRate      failed / deployments; null when deployments == 0.
  recoveryMedianSeconds  recovery of a failed deployment with >= 1 incident:
                         when every incident has `restoredAt` and every
                         restoredAt < to, recovery = max(restoredAt) -
                         min(startedAt) over its incidents, in seconds.
                         Otherwise the deployment is "open" and left out.
                         Failed deployments without incidents have no
                         recovery. statistics.median of the recoveries, null
                         when there are none.
  openIncidents          the ids of the incidents of "open" deployments that
                         lack `restoredAt` or whose restoredAt >= to; sorted,
                         each id once (an incident linked to two deployments
                         is listed once).

All durations are floats (timedelta.total_seconds()); medians of an even
count are (a + b) / 2. Nothing is rounded.

overall   KEYS over [FROM, TO).
services  KEYS per `release.service`, over the subset of the period's
          deployments of that service (only services with >= 1 deployment).
teams     the same per `release.team`.
weeks     for k = 0, 1, ... while from + 7k days < TO: the week
          [from + 7k days, min(from + 7(k + 1) days, TO)), with KEYS computed
          by the same function over that week -- a week's deployments are
          placed by finishedAt in the week, "open" is relative to the week's
          end and perDay to the week's length (a last, shorter week divides
          by its own days).
"""

import json
import re
import statistics
import sys
from datetime import datetime, timedelta, timezone

API_VERSION = "release-policy/v1"
RELEASE_KINDS = {"standard", "hotfix", "security", "emergency"}
OUTCOMES = {"success", "rolled-back", "hotfixed", "degraded"}
SEVERITIES = {"sev1", "sev2", "sev3", "sev4", "sev5"}
POSTMORTEM_STATUSES = {"open", "closed"}
FEEDBACK_SOURCES = {"support", "customer-success"}
FEEDBACK_SEVERITIES = {"low", "medium", "high", "critical"}

# semver.org's regular expression for a semantic version.
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


class RecordError(Exception):
    pass


def parse_time(text, where):
    """An RFC 3339 UTC timestamp ending in `Z` -> aware datetime."""
    if not isinstance(text, str) or not TIMESTAMP.match(text):
        raise RecordError(f"{where}: `{text}` is not an RFC 3339 UTC timestamp ending in Z")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=timezone.utc)


def format_time(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def seconds(later, earlier):
    return (later - earlier).total_seconds()


def require(condition, message):
    if not condition:
        raise RecordError(message)


def check_fields(obj, where, required, optional=()):
    require(isinstance(obj, dict), f"{where}: not a mapping")
    for name in required:
        require(name in obj, f"{where}: `{name}` is missing")
    for name in obj:
        require(name in required or name in optional, f"{where}: unknown field `{name}`")


def load(path):
    """Read and check the records; timestamps become datetimes."""
    records = []
    seen_ids = set()
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            where = f"{path}:{number}"
            records.append(check_record(raw, where))
            rid = raw["release"]["id"]
            require(rid not in seen_ids, f"{where}: release id `{rid}` is used twice")
            seen_ids.add(rid)
    return records


def check_record(raw, where):
    check_fields(
        raw,
        where,
        ["apiVersion", "kind", "release", "deployment", "outcome"],
        ["commits", "rollback", "incidents", "postmortem", "feedback", "decisions"],
    )
    require(raw["apiVersion"] == API_VERSION, f"{where}: apiVersion must be {API_VERSION}")
    require(raw["kind"] == "ReleaseRecord", f"{where}: kind must be ReleaseRecord")

    rel = raw["release"]
    check_fields(rel, f"{where} release", ["id", "service", "version", "environment", "kind", "team"])
    for name in ["id", "service", "environment", "team"]:
        require(isinstance(rel[name], str) and rel[name].strip(), f"{where}: release.{name} is blank")
    require(isinstance(rel["version"], str) and SEMVER.match(rel["version"]),
            f"{where}: release.version `{rel['version']}` is not semver")
    require(rel["kind"] in RELEASE_KINDS, f"{where}: release.kind `{rel['kind']}`")
    where = f"{where} ({rel['id']})"

    dep = raw["deployment"]
    check_fields(dep, f"{where} deployment", ["startedAt", "finishedAt"])
    started = parse_time(dep["startedAt"], f"{where} deployment.startedAt")
    finished = parse_time(dep["finishedAt"], f"{where} deployment.finishedAt")
    require(finished >= started, f"{where}: deployment finished before it started")

    commits = None
    if "commits" in raw:
        check_fields(raw["commits"], f"{where} commits", ["firstAt", "count"])
        first_at = parse_time(raw["commits"]["firstAt"], f"{where} commits.firstAt")
        require(first_at <= finished, f"{where}: first commit after the deployment finished")
        count = raw["commits"]["count"]
        require(isinstance(count, int) and not isinstance(count, bool) and count >= 0,
                f"{where}: commits.count")
        commits = {"firstAt": first_at, "count": count}

    outcome = raw["outcome"]
    require(outcome in OUTCOMES, f"{where}: outcome `{outcome}`")
    require(("rollback" in raw) == (outcome == "rolled-back"),
            f"{where}: rollback must be present exactly when the outcome is rolled-back")
    if "rollback" in raw:
        check_fields(raw["rollback"], f"{where} rollback", ["startedAt", "finishedAt"])
        rb_start = parse_time(raw["rollback"]["startedAt"], f"{where} rollback.startedAt")
        rb_end = parse_time(raw["rollback"]["finishedAt"], f"{where} rollback.finishedAt")
        require(rb_end >= rb_start, f"{where}: rollback finished before it started")
        require(rb_start >= started, f"{where}: rollback started before the deployment")

    incidents = []
    incident_ids = set()
    for i, inc in enumerate(raw.get("incidents", [])):
        w = f"{where} incidents[{i}]"
        check_fields(inc, w, ["id", "severity", "startedAt"],
                     ["detectedAt", "restoredAt", "usersAffected", "impactMinutes"])
        require(isinstance(inc["id"], str) and inc["id"].strip(), f"{w}: blank id")
        require(inc["id"] not in incident_ids, f"{w}: incident listed twice")
        incident_ids.add(inc["id"])
        require(inc["severity"] in SEVERITIES, f"{w}: severity `{inc['severity']}`")
        inc_start = parse_time(inc["startedAt"], f"{w}.startedAt")
        require(inc_start >= started, f"{w}: started before the deployment started")
        if "detectedAt" in inc:
            require(parse_time(inc["detectedAt"], f"{w}.detectedAt") >= inc_start,
                    f"{w}: detected before it started")
        restored = None
        if "restoredAt" in inc:
            restored = parse_time(inc["restoredAt"], f"{w}.restoredAt")
            require(restored >= inc_start, f"{w}: restored before it started")
        for name in ["usersAffected", "impactMinutes"]:
            if name in inc:
                v = inc[name]
                require(isinstance(v, int) and not isinstance(v, bool) and v >= 0, f"{w}: {name}")
        incidents.append({"id": inc["id"], "startedAt": inc_start, "restoredAt": restored})

    if "postmortem" in raw:
        pm = raw["postmortem"]
        check_fields(pm, f"{where} postmortem", ["required"], ["status", "due", "link"])
        require(isinstance(pm["required"], bool), f"{where}: postmortem.required")
        if "status" in pm:
            require(pm["status"] in POSTMORTEM_STATUSES, f"{where}: postmortem.status")
        if "due" in pm:
            parse_time(pm["due"], f"{where} postmortem.due")

    for i, fb in enumerate(raw.get("feedback", [])):
        w = f"{where} feedback[{i}]"
        check_fields(fb, w, ["source", "ticket", "at", "severity"], ["missedByTesting"])
        require(fb["source"] in FEEDBACK_SOURCES, f"{w}: source")
        require(isinstance(fb["ticket"], str) and fb["ticket"].strip(), f"{w}: blank ticket")
        parse_time(fb["at"], f"{w}.at")
        require(fb["severity"] in FEEDBACK_SEVERITIES, f"{w}: severity")
        require(isinstance(fb.get("missedByTesting", False), bool), f"{w}: missedByTesting")

    if "decisions" in raw:
        check_fields(raw["decisions"], f"{where} decisions", [], ["check", "assess"])

    return {
        "id": rel["id"],
        "service": rel["service"],
        "team": rel["team"],
        "environment": rel["environment"],
        "finishedAt": finished,
        "commits": commits,
        "outcome": outcome,
        "incidents": incidents,
    }


def is_failed(record):
    return record["outcome"] in ("rolled-back", "hotfixed") or len(record["incidents"]) > 0


def keys(deployments, start, end):
    """DORA's four keys for `deployments` (already chosen) over [start, end)."""
    count = len(deployments)
    days = seconds(end, start) / 86400

    lead_times = [seconds(d["finishedAt"], d["commits"]["firstAt"])
                  for d in deployments if d["commits"] is not None]
    if not lead_times:
        lead_median = None
        lead_p90 = None
    elif len(lead_times) == 1:
        lead_median = lead_times[0]
        lead_p90 = lead_times[0]
    else:
        lead_median = statistics.median(lead_times)
        lead_p90 = statistics.quantiles(lead_times, n=10, method="inclusive")[8]

    failed = [d for d in deployments if is_failed(d)]

    recoveries = []
    open_incidents = set()
    for d in failed:
        if not d["incidents"]:
            continue
        closed = all(i["restoredAt"] is not None and i["restoredAt"] < end for i in d["incidents"])
        if closed:
            last_restore = max(i["restoredAt"] for i in d["incidents"])
            first_start = min(i["startedAt"] for i in d["incidents"])
            recoveries.append(seconds(last_restore, first_start))
        else:
            for i in d["incidents"]:
                if i["restoredAt"] is None or i["restoredAt"] >= end:
                    open_incidents.add(i["id"])

    return {
        "deployments": count,
        "perDay": count / days,
        "leadTimeMedianSeconds": lead_median,
        "leadTimeP90Seconds": lead_p90,
        "failed": len(failed),
        "changeFailureRate": (len(failed) / count) if count else None,
        "recoveryMedianSeconds": statistics.median(recoveries) if recoveries else None,
        "openIncidents": sorted(open_incidents),
    }


def in_period(records, environment, start, end):
    return [r for r in records
            if r["environment"] == environment and start <= r["finishedAt"] < end]


def review(records, start, end, environment="production"):
    chosen = in_period(records, environment, start, end)

    services = {}
    for name in sorted({d["service"] for d in chosen}):
        services[name] = keys([d for d in chosen if d["service"] == name], start, end)

    teams = {}
    for name in sorted({d["team"] for d in chosen}):
        teams[name] = keys([d for d in chosen if d["team"] == name], start, end)

    weeks = []
    k = 0
    while start + timedelta(days=7 * k) < end:
        week_start = start + timedelta(days=7 * k)
        week_end = min(start + timedelta(days=7 * (k + 1)), end)
        week = {"from": format_time(week_start), "to": format_time(week_end)}
        week.update(keys(in_period(records, environment, week_start, week_end), week_start, week_end))
        weeks.append(week)
        k += 1

    return {
        "overall": keys(chosen, start, end),
        "services": services,
        "teams": teams,
        "weeks": weeks,
    }


def main(argv):
    if len(argv) not in (4, 5):
        print("usage: dora_reference.py RECORDS.jsonl FROM TO [ENVIRONMENT]", file=sys.stderr)
        return 2
    path, start_text, end_text = argv[1], argv[2], argv[3]
    environment = argv[4] if len(argv) == 5 else "production"
    try:
        start = parse_time(start_text, "FROM")
        end = parse_time(end_text, "TO")
        require(start < end, "FROM must be before TO")
        records = load(path)
    except RecordError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(review(records, start, end, environment), sort_keys=True, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
