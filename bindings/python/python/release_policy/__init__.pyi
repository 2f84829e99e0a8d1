# Hand-written stub of the `release_policy` package; checked against the
# built module by `python -m mypy.stubtest release_policy` (scripts/test-python).

from datetime import datetime
from enum import Enum
from os import PathLike
from collections.abc import Sequence
from typing import Any, TypedDict, final

__version__: str

class Verdict(str, Enum):
    GO = "go"
    NO_GO = "no-go"
    PENDING = "pending"

class Outcome(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    NO_DATA = "no-data"
    SKIPPED = "skipped"
    WAIVED = "waived"

class Effect(str, Enum):
    WARN = "warn"
    APPROVAL = "approval"
    PENDING = "pending"
    BLOCK = "block"

class RuleKind(str, Enum):
    GATE = "gate"
    APPROVAL = "approval"

class RolloutVerdict(str, Enum):
    PROMOTE = "promote"
    CONTINUE = "continue"
    HOLD = "hold"
    ROLLBACK = "rollback"

class Action(str, Enum):
    ALERT = "alert"
    HOLD = "hold"
    ROLLBACK = "rollback"

class AssessRuleKind(str, Enum):
    TRIGGER = "trigger"
    PROMOTION = "promotion"
    ANALYSIS = "analysis"
    BURN_RATE = "burn-rate"
    QUALITY_GATE = "quality-gate"

class PlanVerdict(str, Enum):
    OK = "ok"
    BLOCKED = "blocked"
    NEEDS_DECISION = "needsDecision"

class ReleasePolicyError(Exception):
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
    ) -> None: ...

class PolicyError(ReleasePolicyError):
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
    ) -> None: ...

class FactsError(ReleasePolicyError, ValueError):
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
    ) -> None: ...

class EvaluationError(ReleasePolicyError): ...

class PolicyIOError(ReleasePolicyError, OSError):
    path: str | None
    def __init__(
        self,
        text: str,
        /,
        *,
        message: str | None = None,
        path: str | None = None,
        code: str | None = None,
    ) -> None: ...

class CatalogError(ReleasePolicyError):
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
    ) -> None: ...

@final
class Bundle:
    @staticmethod
    def builtin() -> Bundle: ...
    @staticmethod
    def from_dir(path: str | PathLike[str]) -> Bundle: ...
    @staticmethod
    def from_yaml(name: str, text: str) -> Bundle: ...
    @staticmethod
    def builder() -> BundleBuilder: ...
    @property
    def digest(self) -> str: ...
    @property
    def policies(self) -> list[str]: ...
    @property
    def rules(self) -> list[tuple[str, str, str]]: ...
    @property
    def warnings(self) -> list[dict[str, str | None]]: ...
    def explain(self, rule: str) -> dict[str, Any] | None: ...
    def check(
        self,
        facts: dict[str, Any] | str | bytes,
        *,
        catalog: Catalog | None = None,
        records: Records | None = None,
        archive: Archive | None = None,
    ) -> Decision: ...
    def verdict(
        self,
        facts: dict[str, Any] | str | bytes,
        *,
        catalog: Catalog | None = None,
        records: Records | None = None,
    ) -> Verdict: ...
    def assess(
        self,
        facts: dict[str, Any] | str | bytes,
        *,
        catalog: Catalog | None = None,
        archive: Archive | None = None,
    ) -> Assessment: ...
    def plan(self, catalog: Catalog, release_plan: ReleasePlan) -> Plan: ...
    def can_i_deploy(
        self, catalog: Catalog, service: str, version: str, environment: str
    ) -> Deployability: ...
    def review(
        self,
        records: Records,
        *,
        from_: datetime | str | None = None,
        to: datetime | str | None = None,
        service: str | None = None,
        team: str | None = None,
        environment: str = "production",
        bands: str | None = None,
        decisions: str | PathLike[str] | None = None,
    ) -> dict[str, Any]: ...
    def review_release(
        self, records: Records, release: str, *, now: datetime | str
    ) -> dict[str, Any]: ...
    def history(
        self,
        records: Records,
        service: str,
        *,
        now: datetime | str,
        environment: str = "production",
    ) -> dict[str, Any]: ...

@final
class Catalog:
    @staticmethod
    def from_dir(path: str | PathLike[str]) -> Catalog: ...
    @staticmethod
    def from_file(path: str | PathLike[str]) -> Catalog: ...
    @staticmethod
    def from_sources(sources: dict[str, str] | Sequence[tuple[str, str]]) -> Catalog: ...
    @property
    def service_count(self) -> int: ...
    @property
    def dependency_count(self) -> int: ...
    @property
    def service_names(self) -> list[str]: ...
    @property
    def calendar_names(self) -> list[str]: ...

@final
class Records:
    @staticmethod
    def from_path(path: str | PathLike[str]) -> Records: ...
    @staticmethod
    def from_str(text: str, name: str = "records.yaml") -> Records: ...
    def __len__(self) -> int: ...

@final
class Archive:
    def __new__(cls, target: str) -> Archive: ...
    @property
    def location(self) -> str: ...
    def head(self) -> tuple[int, str] | None: ...
    def add_records(self, records: Records) -> int: ...
    def records(
        self,
        *,
        release: str | None = None,
        service: str | None = None,
        kind: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> list[dict[str, Any]]: ...
    def verify(
        self, *, public_key: str | None = None, replay: bool = False
    ) -> dict[str, Any]: ...
    def checkpoint(self, private_key: str) -> dict[str, Any]: ...
    def backtest(
        self,
        bundle: Bundle,
        *,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> dict[str, Any]: ...
    def report(self, *, bundle: Bundle | None = None, format: str = "html") -> str: ...

@final
class ReleasePlan:
    @staticmethod
    def from_file(path: str | PathLike[str]) -> ReleasePlan: ...
    @staticmethod
    def from_str(text: str, name: str = "<string>") -> ReleasePlan: ...
    def __len__(self) -> int: ...

@final
class Plan:
    @property
    def verdict(self) -> PlanVerdict: ...
    @property
    def exit_code(self) -> int: ...
    @property
    def summary(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def releases(self) -> list[dict[str, Any]]: ...
    @property
    def waves(self) -> list[dict[str, Any]]: ...
    @property
    def violations(self) -> list[dict[str, Any]]: ...
    @property
    def cycles(self) -> list[dict[str, Any]]: ...
    @property
    def conflicts(self) -> list[dict[str, Any]]: ...
    def release(self, id: str) -> dict[str, Any] | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def to_text(self) -> str: ...
    def to_markdown(self) -> str: ...
    def to_dot(self) -> str: ...
    def to_mermaid(self) -> str: ...

@final
class Deployability:
    @property
    def deployable(self) -> bool: ...
    @property
    def summary(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def environment(self) -> str: ...
    @property
    def provides(self) -> dict[str, str]: ...
    @property
    def violations(self) -> list[dict[str, Any]]: ...
    @property
    def blast_radius(self) -> dict[str, Any]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...

@final
class BundleBuilder:
    def __new__(cls) -> BundleBuilder: ...
    def builtin_layer(self) -> BundleBuilder: ...
    def dir_layer(self, path: str | PathLike[str]) -> BundleBuilder: ...
    def yaml_layer(self, name: str, text: str) -> BundleBuilder: ...
    def limits(
        self,
        *,
        max_expression_len: int | None = None,
        max_nesting: int | None = None,
        max_ast_nodes: int | None = None,
        max_ast_depth: int | None = None,
        max_comprehension_nesting: int | None = None,
        max_facts_bytes: int | None = None,
        max_list_items: int | None = None,
        max_policy_bytes: int | None = None,
        max_variable_items: int | None = None,
        max_variable_string_bytes: int | None = None,
        max_yaml_nesting: int | None = None,
        max_fact_values: int | None = None,
        max_echo_bytes: int | None = None,
        max_regex_bytes: int | None = None,
        max_eval_cost: int | None = None,
        max_eval_bytes: int | None = None,
    ) -> BundleBuilder: ...
    def build(self) -> Bundle: ...

@final
class Decision:
    @property
    def verdict(self) -> Verdict: ...
    @property
    def release(self) -> str: ...
    @property
    def now(self) -> str: ...
    @property
    def schema(self) -> str: ...
    @property
    def summary(self) -> dict[str, int]: ...
    @property
    def findings(self) -> list[Finding]: ...
    def finding(self, rule: str) -> Finding | None: ...
    @property
    def missing_approvals(self) -> list[MissingApproval]: ...
    @property
    def blocking(self) -> list[Finding]: ...
    @property
    def warnings(self) -> list[Finding]: ...
    @property
    def waived(self) -> list[Finding]: ...
    @property
    def waivers(self) -> list[WaiverUse]: ...
    @property
    def digest(self) -> str: ...
    @property
    def policies(self) -> list[str]: ...
    @property
    def facts_digest(self) -> str: ...
    @property
    def catalog_digest(self) -> str | None: ...
    @property
    def engine_version(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self, *, pretty: bool = False) -> str: ...

@final
class Finding:
    @property
    def policy(self) -> str: ...
    @property
    def policy_version(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def kind(self) -> RuleKind: ...
    @property
    def outcome(self) -> Outcome: ...
    @property
    def effect(self) -> Effect: ...
    @property
    def message(self) -> str: ...
    @property
    def values(self) -> dict[str, Any]: ...
    @property
    def controls(self) -> list[str]: ...
    @property
    def waivable_by(self) -> list[str]: ...
    @property
    def lifted(self) -> Lifted | None: ...
    @property
    def approval(self) -> ApprovalState | None: ...
    @property
    def blocks(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Lifted:
    @property
    def via(self) -> str: ...
    @property
    def by(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def expires(self) -> str | None: ...

@final
class ApprovalState:
    @property
    def roles(self) -> list[str]: ...
    @property
    def needed(self) -> int: ...
    @property
    def counts(self) -> dict[str, int]: ...
    @property
    def approved_roles(self) -> list[str]: ...
    @property
    def approvals(self) -> list[ApprovalNote]: ...
    @property
    def escalated_to(self) -> str | None: ...

@final
class ApprovalNote:
    @property
    def role(self) -> str: ...
    @property
    def by(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def ignored(self) -> str | None: ...

@final
class MissingApproval:
    @property
    def rule(self) -> str: ...
    @property
    def policy(self) -> str: ...
    @property
    def roles(self) -> list[str]: ...
    @property
    def needed(self) -> int: ...
    @property
    def evidence(self) -> list[str]: ...
    @property
    def reason(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class WaiverUse:
    @property
    def rule(self) -> str: ...
    @property
    def by(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def expires(self) -> str: ...

@final
class Assessment:
    @property
    def verdict(self) -> RolloutVerdict: ...
    @property
    def reason(self) -> str: ...
    @property
    def rollout(self) -> dict[str, Any]: ...
    @property
    def now(self) -> str: ...
    @property
    def schema(self) -> str: ...
    @property
    def summary(self) -> dict[str, Any]: ...
    @property
    def findings(self) -> list[AssessFinding]: ...
    def finding(self, rule: str) -> AssessFinding | None: ...
    @property
    def acting(self) -> list[AssessFinding]: ...
    @property
    def waiting(self) -> list[AssessFinding]: ...
    @property
    def alerts(self) -> list[AssessFinding]: ...
    @property
    def dry_runs(self) -> list[AssessFinding]: ...
    @property
    def budgets(self) -> list[dict[str, Any]]: ...
    @property
    def markers(self) -> list[dict[str, Any]]: ...
    @property
    def digest(self) -> str: ...
    @property
    def policies(self) -> list[str]: ...
    @property
    def facts_digest(self) -> str: ...
    @property
    def catalog_digest(self) -> str | None: ...
    @property
    def engine_version(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self, *, pretty: bool = False) -> str: ...

@final
class AssessFinding:
    @property
    def policy(self) -> str: ...
    @property
    def policy_version(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def kind(self) -> AssessRuleKind: ...
    @property
    def outcome(self) -> Outcome: ...
    @property
    def effect(self) -> Action | None: ...
    @property
    def action(self) -> Action | None: ...
    @property
    def message(self) -> str: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def threshold(self) -> str | None: ...
    @property
    def observed(self) -> dict[str, Any]: ...
    @property
    def duration_ms(self) -> int | None: ...
    @property
    def flip(self) -> str | None: ...
    @property
    def judge(self) -> JudgeResult | None: ...
    @property
    def measurements(self) -> dict[str, Any] | None: ...
    @property
    def quality_gate(self) -> dict[str, Any] | None: ...
    @property
    def dry_run(self) -> bool: ...
    @property
    def controls(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...

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

__all__ = [
    "Action",
    "ApprovalNote",
    "Archive",
    "ApprovalState",
    "AssessFinding",
    "AssessRuleKind",
    "Assessment",
    "Bundle",
    "BundleBuilder",
    "Catalog",
    "CatalogError",
    "Decision",
    "Deployability",
    "Effect",
    "EvaluationError",
    "FactsError",
    "Finding",
    "JudgeGroup",
    "JudgeMetric",
    "JudgeResult",
    "Lifted",
    "MissingApproval",
    "Outcome",
    "Plan",
    "PlanVerdict",
    "PolicyError",
    "PolicyIOError",
    "Records",
    "ReleasePlan",
    "ReleasePolicyError",
    "RolloutVerdict",
    "RuleKind",
    "Verdict",
    "WaiverUse",
    "__version__",
    "run_tests",
]

def run_tests(*dirs: str | PathLike[str], builtin: bool = False) -> dict[str, Any]:
    """Run the policy tests of directories layered in order (after the
    built-in pack with ``builtin=True``); the report as plain data."""
    ...
