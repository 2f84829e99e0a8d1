"""The enums and exception classes of ``release_policy``.

They are plain Python classes (the exceptions need multiple inheritance:
``FactsError`` is also a ``ValueError``, ``PolicyIOError`` an ``OSError``);
the native module creates them from the core's values and errors, in one
place (``errors.rs``).
"""

from __future__ import annotations

from enum import Enum
from typing import TypedDict

__all__ = [
    "Verdict",
    "Outcome",
    "Effect",
    "RuleKind",
    "RolloutVerdict",
    "Action",
    "AssessRuleKind",
    "PlanVerdict",
    "ReleasePolicyError",
    "PolicyError",
    "FactsError",
    "EvaluationError",
    "PolicyIOError",
    "CatalogError",
    "JudgeMetric",
    "JudgeGroup",
    "JudgeResult",
]


class Verdict(str, Enum):
    """May this release go?"""

    GO = "go"
    """Every blocking gate passes and every approval is in."""
    NO_GO = "no-go"
    """A blocking gate failed or erred, or a veto was cast."""
    PENDING = "pending"
    """Waiting for approvals (or an escalation)."""

    def __str__(self) -> str:
        return self.value


class Outcome(str, Enum):
    """The result of one rule."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    NO_DATA = "no-data"
    SKIPPED = "skipped"
    WAIVED = "waived"

    def __str__(self) -> str:
        return self.value


class Effect(str, Enum):
    """What a rule's failure does."""

    WARN = "warn"
    APPROVAL = "approval"
    PENDING = "pending"
    BLOCK = "block"

    def __str__(self) -> str:
        return self.value


class RuleKind(str, Enum):
    """Gate or approval rule."""

    GATE = "gate"
    APPROVAL = "approval"

    def __str__(self) -> str:
        return self.value


class RolloutVerdict(str, Enum):
    """What a rollout should do next (``Bundle.assess``)."""

    PROMOTE = "promote"
    """Every promotion criterion held for its window and the analysis passed."""
    CONTINUE = "continue"
    """Healthy so far, not yet proven: stay on this step and assess again."""
    HOLD = "hold"
    """Stop advancing: a ``hold`` trigger, missing data, an error, or a marginal analysis."""
    ROLLBACK = "rollback"
    """A ``rollback`` trigger tripped or the analysis failed."""

    def __str__(self) -> str:
        return self.value


class Action(str, Enum):
    """What a rollout finding does to the rollout."""

    ALERT = "alert"
    """Reported only; never changes the verdict."""
    HOLD = "hold"
    """Stop advancing: the verdict is at least ``hold``."""
    ROLLBACK = "rollback"
    """Roll back."""

    def __str__(self) -> str:
        return self.value


class AssessRuleKind(str, Enum):
    """The kind of a rollout rule."""

    TRIGGER = "trigger"
    PROMOTION = "promotion"
    ANALYSIS = "analysis"
    BURN_RATE = "burn-rate"
    QUALITY_GATE = "quality-gate"

    def __str__(self) -> str:
        return self.value


class PlanVerdict(str, Enum):
    """Can these releases go, in what order and when? (``Bundle.plan``)"""

    OK = "ok"
    """Every release can go as requested (exit code 0)."""
    BLOCKED = "blocked"
    """A contract violation, a cycle, a freeze or no free slot stops the plan (exit code 1)."""
    NEEDS_DECISION = "needsDecision"
    """Conflicts with a proposed resolution a release manager must accept or edit (exit code 3)."""

    def __str__(self) -> str:
        return self.value


class ReleasePolicyError(Exception):
    """Any error of release-policy. ``str(e)`` is the core's message with
    its location (``p.yaml:6:26: unknown field …``); ``message`` is the bare
    message, ``code`` the stable error code (``"RP0102"``, see
    ``docs/errors.md``), ``location`` where (``None`` when unknown) and
    ``hint`` how to fix it (``None`` when no hint helps)."""

    message: str
    hint: str | None
    code: str | None
    location: str | None

    def __init__(
        self,
        text: str,
        /,
        *,
        message: str | None = None,
        hint: str | None = None,
        code: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(text)
        self.message = text if message is None else message
        self.hint = hint
        self.code = code
        self.location = location


class PolicyError(ReleasePolicyError):
    """A policy could not be loaded, checked or layered.

    ``code``, ``location`` (``file:line:column``), ``file``, ``line``,
    ``column`` (``None`` when unknown), ``rule`` (``None`` outside a rule)
    and ``hint`` describe the first error; ``errors`` holds every error of
    the load (``[self]`` when there is one), each with its own code.
    """

    file: str | None
    line: int | None
    column: int | None
    rule: str | None
    errors: list[PolicyError]

    def __init__(
        self,
        text: str,
        /,
        *,
        message: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        rule: str | None = None,
        hint: str | None = None,
        errors: list[PolicyError] | None = None,
        code: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(text, message=message, hint=hint, code=code, location=location)
        self.file = file
        self.line = line
        self.column = column
        self.rule = rule
        self.errors = [self] if errors is None else list(errors)


class FactsError(ReleasePolicyError, ValueError):
    """The facts are malformed or do not match the facts schema.

    ``path`` is the JSON path of the offending value (``$.release.version``)
    when known; ``line`` and ``column`` the place in facts text, when known;
    ``location`` the input's name, position and path as ``str(e)`` prints
    them before the message (``None`` when none is known).
    """

    path: str | None
    line: int | None
    column: int | None

    def __init__(
        self,
        text: str,
        /,
        *,
        message: str | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        code: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(text, message=message, hint=hint, code=code, location=location)
        self.path = path
        self.line = line
        self.column = column


class EvaluationError(ReleasePolicyError):
    """The bundle could not evaluate the facts at all (for instance, the
    built-in pack failed to compile). Problems inside one rule are findings,
    never this error."""


class PolicyIOError(ReleasePolicyError, OSError):
    """Reading a policy file or directory failed (the core's ``Error::Io``).
    ``path`` (also ``filename``, as for any ``OSError``) names it."""

    path: str | None

    def __init__(
        self,
        text: str,
        /,
        *,
        message: str | None = None,
        path: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(text, message=message, code=code, location=path)
        self.path = path
        self.filename = path

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CatalogError(ReleasePolicyError):
    """A catalog, a calendar or a release plan is malformed or inconsistent
    (codes ``RP08xx``, and the CEL codes for a freeze exemption); or release
    records are (codes ``RP09xx``), or a review names a period, service,
    team or release they cannot answer for (``RP0909``).

    ``code``, ``location`` (``file:line:column``), ``file``, ``line``,
    ``column`` (``None`` when unknown) and ``hint`` describe the first
    error; ``errors`` holds every error found (``[self]`` when there is
    one), each with its own code, location and hint.
    """

    file: str | None
    line: int | None
    column: int | None
    errors: list[CatalogError]

    def __init__(
        self,
        text: str,
        /,
        *,
        message: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        errors: list[CatalogError] | None = None,
        code: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(text, message=message, hint=hint, code=code, location=location)
        self.file = file
        self.line = line
        self.column = column
        self.errors = [self] if errors is None else list(errors)


class _JudgeMetricRequired(TypedDict):
    name: str
    classification: str
    reason: str
    nCanary: int
    nBaseline: int
    critical: bool
    mustHaveData: bool


class JudgeMetric(_JudgeMetricRequired, total=False):
    """One metric of the canary judge's result (``AssessFinding.judge``).

    Keys absent when not computed: ``pValue``, ``u``, ``z``, ``estimate``
    (Hodges-Lehmann, it classifies), ``estimateZ0`` (Kayenta's z = 0
    estimate), ``ciLower`` / ``ciUpper`` (the two-sided confidence interval
    of the shift), ``cles``, ``canaryMean``, ``baselineMean``,
    ``meanRatio`` (absent when either mean is 0); ``group`` / ``groups`` as
    configured; ``effectSize`` only when ``cles``; ``canaryOutliers`` /
    ``baselineOutliers`` only when some were removed; ``failsCritically``
    only when true.
    """

    group: str
    groups: list[str]
    pValue: float
    u: float
    z: float
    estimate: float
    estimateZ0: float
    ciLower: float
    ciUpper: float
    cles: float
    effectSize: str
    canaryOutliers: int
    baselineOutliers: int
    canaryMean: float
    baselineMean: float
    meanRatio: float
    failsCritically: bool


class _JudgeGroupRequired(TypedDict):
    name: str
    weight: float
    counted: int
    passed: int


class JudgeGroup(_JudgeGroupRequired, total=False):
    """One metric group of the judge's result; ``score`` (rounded to 2
    decimals) is absent when nothing in the group was counted."""

    score: float


class _JudgeResultRequired(TypedDict):
    score: float
    outcome: str
    metrics: list[JudgeMetric]
    groups: list[JudgeGroup]
    reason: str


class JudgeResult(_JudgeResultRequired, total=False):
    """The canary judge's result, ``AssessFinding.judge``: the score
    (rounded to 2 decimals, half up), the outcome (``pass``, ``marginal``,
    ``fail``, ``no-data``), every metric and group; ``criticalFailure``
    names the first critical metric that failed."""

    criticalFailure: str
