"""release-policy: may this release go?

Policies are YAML with CEL conditions; facts about a release go in (a
``dict`` as ``json.loads`` gives, or YAML / JSON text); a decision comes out:
a verdict (``go``, ``no-go``, ``pending``) with every finding. Facts about a
rollout in progress go to ``assess``; an assessment comes out: ``promote``,
``continue``, ``hold`` or ``rollback``, with every finding. A catalog of
services and a release plan go to ``plan``; a plan comes out: ``ok``,
``blocked`` or ``needsDecision``, with waves, violations and a schedule.
Release records go to ``review``; DORA's four keys, stability and
post-mortems come out, with a verdict (``pass``, ``fail``,
``no-deployments``). An ``Archive`` (SQLite file or PostgreSQL URL) keeps
every decision in a tamper-evident hash chain: ``check(..., archive=a)``,
``a.verify()``, ``a.backtest(new_bundle)``, ``a.report()``.

>>> from release_policy import Bundle, RolloutVerdict, Verdict
>>> decision = Bundle.builtin().check(facts)        # doctest: +SKIP
>>> decision.verdict is Verdict.NO_GO               # doctest: +SKIP
>>> assessment = Bundle.builtin().assess(rollout)   # doctest: +SKIP
>>> assessment.verdict is RolloutVerdict.HOLD       # doctest: +SKIP
>>> plan = Bundle.builtin().plan(catalog, releases) # doctest: +SKIP
>>> plan.verdict is PlanVerdict.BLOCKED             # doctest: +SKIP
>>> Bundle.builtin().review(records)["verdict"]     # doctest: +SKIP

Every decision is made by the Rust core; this package is a thin binding.
"""

from release_policy._release_policy import (
    ApprovalNote,
    Archive,
    ApprovalState,
    AssessFinding,
    Assessment,
    Bundle,
    BundleBuilder,
    Catalog,
    Decision,
    Deployability,
    Finding,
    Lifted,
    MissingApproval,
    Plan,
    Records,
    ReleasePlan,
    WaiverUse,
    __version__,
    run_tests,
)
from release_policy._types import (
    Action,
    AssessRuleKind,
    CatalogError,
    Effect,
    EvaluationError,
    FactsError,
    JudgeGroup,
    JudgeMetric,
    JudgeResult,
    Outcome,
    PlanVerdict,
    PolicyError,
    PolicyIOError,
    ReleasePolicyError,
    RolloutVerdict,
    RuleKind,
    Verdict,
)

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
