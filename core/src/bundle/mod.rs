//! The facade every binding calls: [`Bundle`] (a compiled, immutable set
//! of policies) and [`BundleBuilder`] (layers and limits). It loads and
//! layers documents through `lang`, hands each merged policy to the slice
//! that compiles its kind, and answers each question by handing the
//! compiled policies of that kind to the slice that evaluates them. The
//! entry points of `check` and `assess` are in [`decide`](self::decide),
//! those of `review` in [`review`](self::review).

mod audit;
mod decide;
mod review;

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::assess::{self, RolloutPolicy};
use crate::check::{self, ReleasePolicy};
use crate::error::{Error, ErrorCode, PolicyError, SourceLocation};
use crate::lang::document::{KIND_REVIEW, KIND_ROLLOUT, Metadata};
use crate::lang::layer::MergedPolicy;
use crate::lang::load::{self, Source};
use crate::lang::rules::{RuleDoc, SECTIONS};
use crate::limits::Limits;
use crate::vocab::BundleInfo;

/// A compiled policy: one variant per kind of policy document.
#[derive(Debug)]
pub(crate) enum CompiledPolicy {
    /// `kind: Policy`, read by `check`.
    Release(ReleasePolicy),
    /// `kind: RolloutPolicy`, read by `assess`.
    Rollout(RolloutPolicy),
    /// `kind: ReviewPolicy`, read by `review`.
    Review(crate::review::criteria::compile::ReviewPolicy),
}

impl CompiledPolicy {
    fn compile(p: MergedPolicy, limits: &Limits, errors: &mut Vec<PolicyError>) -> Self {
        if p.kind == KIND_ROLLOUT {
            CompiledPolicy::Rollout(assess::compile(p, limits, errors))
        } else if p.kind == KIND_REVIEW {
            CompiledPolicy::Review(crate::review::criteria::compile::compile(p, limits, errors))
        } else {
            CompiledPolicy::Release(check::compile(p, limits, errors))
        }
    }

    fn metadata(&self) -> &Metadata {
        match self {
            CompiledPolicy::Release(p) => &p.metadata,
            CompiledPolicy::Rollout(p) => &p.metadata,
            CompiledPolicy::Review(p) => &p.metadata,
        }
    }

    fn rule_count(&self) -> usize {
        match self {
            CompiledPolicy::Release(p) => p.rule_count(),
            CompiledPolicy::Rollout(p) => p.rule_count(),
            CompiledPolicy::Review(p) => p.rule_count(),
        }
    }

    /// The release policy, if this is one (what `check` reads).
    fn as_release(&self) -> Option<&ReleasePolicy> {
        match self {
            CompiledPolicy::Release(p) => Some(p),
            _ => None,
        }
    }

    /// [`as_release`](Self::as_release), to change (numbering its paths).
    fn as_release_mut(&mut self) -> Option<&mut ReleasePolicy> {
        match self {
            CompiledPolicy::Release(p) => Some(p),
            _ => None,
        }
    }

    /// The rollout policy, if this is one (what `assess` reads).
    fn as_rollout(&self) -> Option<&RolloutPolicy> {
        match self {
            CompiledPolicy::Rollout(p) => Some(p),
            _ => None,
        }
    }

    /// The review policy, if this is one (what `review` reads).
    fn as_review(&self) -> Option<&crate::review::criteria::compile::ReviewPolicy> {
        match self {
            CompiledPolicy::Review(p) => Some(p),
            _ => None,
        }
    }
}

/// A rule of a bundle: its policy, id and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    policy: String,
    id: String,
    kind: &'static str,
}

impl RuleInfo {
    /// The name of the policy that holds the rule.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// The rule id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `gate`, `approval`, `trigger`, `promotion`, `analysis` or `burn-rate`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

/// A rule's definition as written (after layering), with its policy: what
/// `release-policy explain RULE` prints. Serialises to the JSON the CLI
/// shows (`policy`, `policyVersion`, `description`, `owners`, `kind`,
/// `rule`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    policy: String,
    policy_version: String,
    description: Option<String>,
    owners: Vec<String>,
    kind: &'static str,
    rule: serde_json::Value,
}

impl Explanation {
    /// The policy that holds the rule.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// The policy's version.
    pub fn policy_version(&self) -> &str {
        &self.policy_version
    }

    /// The policy's description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The policy's owners.
    pub fn owners(&self) -> &[String] {
        &self.owners
    }

    /// The rule's kind (as in [`RuleInfo::kind`]).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The rule as written, as JSON (camelCase fields, as in the policy).
    pub fn definition(&self) -> &serde_json::Value {
        &self.rule
    }
}

/// A compiled, immutable set of policies: what `check` evaluates.
///
/// Cheap to clone (an `Arc`), `Send + Sync`: build it once, share it
/// across threads and requests.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub(crate) inner: Arc<BundleInner>,
}

#[derive(Debug)]
pub(crate) struct BundleInner {
    pub policies: Vec<CompiledPolicy>,
    /// Every rule as written, with its policy's metadata: for listing and
    /// `explain` (evaluation never reads it).
    pub definitions: Vec<(usize, RuleDoc)>,
    /// The files (or names) read, with their layer (1 = first), in order.
    pub sources: Vec<(usize, String)>,
    /// The layers as given: `(name, text)` of every source, for archiving
    /// a bundle so that its decisions can be replayed.
    pub texts: Vec<Vec<(String, String)>>,
    /// What `lint` warns about (`RP07xx`); the bundle works regardless.
    pub warnings: Vec<PolicyError>,
    /// The bundle's digest and `name@version` of each policy, made once at
    /// load: every result carries it, sharing it.
    pub info: BundleInfo,
    pub limits: Limits,
    /// Why the bundle could not be built, for [`Bundle::builtin`]'s
    /// fallback: every `check` on it is an error, never a verdict.
    pub broken: Option<String>,
}

/// Builds a [`Bundle`] from layers, in order: organisation first, team last.
#[derive(Debug, Default, Clone)]
pub struct BundleBuilder {
    layers: Vec<Vec<Source>>,
    limits: Limits,
    errors: Vec<Error>,
}

impl BundleBuilder {
    /// A builder with no layers and the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Use these limits instead of the defaults.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Add the built-in standard pack as a layer.
    pub fn builtin_layer(mut self) -> Self {
        self.layers.push(load::builtin_sources());
        self
    }

    /// Add every policy file below `dir` as one layer.
    pub fn dir_layer(mut self, dir: impl AsRef<Path>) -> Self {
        match load::dir_sources(dir.as_ref(), &self.limits) {
            Ok(sources) => self.layers.push(sources),
            Err(e) => self.errors.push(e),
        }
        self
    }

    /// Add one YAML text (one or more documents) as a layer; `name` stands
    /// for the file in error locations.
    pub fn yaml_layer(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.layers
            .push(vec![Source::new(name.into(), text.into())]);
        self
    }

    /// Add one layer of several sources, `(name, text)` each: what
    /// [`Bundle::layers`] gives back, to rebuild an archived bundle.
    pub fn sources_layer(mut self, sources: impl IntoIterator<Item = (String, String)>) -> Self {
        self.layers.push(
            sources
                .into_iter()
                .map(|(name, text)| Source::new(name, text))
                .collect(),
        );
        self
    }

    /// Parse, layer, check and compile.
    pub fn build(self) -> Result<Bundle, Error> {
        let mut errors: Vec<PolicyError> = Vec::new();
        if let Some(e) = self.errors.into_iter().next() {
            return Err(e);
        }
        if self.layers.is_empty() {
            return Err(PolicyError::new(
                ErrorCode::NoLayers,
                SourceLocation::file("bundle"),
                "no policy layers given",
            )
            .with_hint("add a layer: `dir_layer`, `yaml_layer` or `builtin_layer`")
            .into());
        }
        let mut layers = Vec::new();
        for layer in &self.layers {
            let mut docs = Vec::new();
            for source in layer {
                match load::parse(source, &self.limits) {
                    Ok(d) => docs.extend(d),
                    Err(e) => errors.extend(e),
                }
            }
            layers.push(docs);
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let sources: Vec<(usize, String)> = self
            .layers
            .iter()
            .enumerate()
            .flat_map(|(i, l)| l.iter().map(move |s| (i + 1, s.name.clone())))
            .collect();
        let texts: Vec<Vec<(String, String)>> = self
            .layers
            .iter()
            .map(|l| l.iter().map(|s| (s.name.clone(), s.text.clone())).collect())
            .collect();
        let merged = crate::lang::layer::merge(layers).map_err(Error::from)?;
        let digest = crate::lang::digest(&merged);
        let mut definitions = Vec::new();
        let mut policies = Vec::new();
        for (i, p) in merged.into_iter().enumerate() {
            // Listed kind by kind, as they are evaluated.
            let mut rules: Vec<&RuleDoc> = p.rules.iter().map(|(r, _)| r).collect();
            rules.sort_by_key(|r| SECTIONS.iter().position(|s| *s == r.section()));
            definitions.extend(rules.into_iter().map(|r| (i, r.clone())));
            policies.push(CompiledPolicy::compile(p, &self.limits, &mut errors));
        }
        // A decision keeps the values its findings show by path, across
        // the release policies: their paths are numbered once, here.
        check::number_fact_paths(
            policies
                .iter_mut()
                .filter_map(CompiledPolicy::as_release_mut)
                .map(|p| &mut p.paths),
        );
        let (warnings, errors): (Vec<PolicyError>, Vec<PolicyError>) =
            errors.into_iter().partition(|e| e.code.is_warning());
        if !errors.is_empty() {
            return Err(errors.into());
        }
        // A bundle that decides nothing would say `go` to everything.
        if policies.iter().all(|p| p.rule_count() == 0) {
            let place = self
                .layers
                .iter()
                .flatten()
                .next()
                .map_or("bundle".to_string(), |s| s.name.clone());
            return Err(PolicyError::new(
                ErrorCode::NoRules,
                SourceLocation::file(place),
                "the policies hold no rules (`gates`, `approvals`, `triggers`, `promotion`, `analysis`, `burnRate`, `qualityGates`, `criteria` or `instability`)",
            )
            .with_hint("an empty bundle would let every release go")
            .into());
        }
        let info = BundleInfo {
            digest: digest.into(),
            policies: policies.iter().map(policy_label).collect(),
        };
        Ok(Bundle {
            inner: Arc::new(BundleInner {
                policies,
                definitions,
                sources,
                texts,
                warnings,
                info,
                limits: self.limits,
                broken: None,
            }),
        })
    }
}

/// `name@version` of a policy, as results list it.
fn policy_label(p: &CompiledPolicy) -> String {
    format!("{}@{}", p.metadata().name, p.metadata().version)
}

impl Bundle {
    /// The standard pack, embedded in the library.
    ///
    /// It is checked by the test suite, so loading it cannot fail in a
    /// released build; should it ever, every `check` on the returned bundle
    /// is an error (never a verdict) — use [`Bundle::try_builtin`] to see
    /// the error up front.
    pub fn builtin() -> Bundle {
        Self::try_builtin().unwrap_or_else(|e| Bundle {
            inner: Arc::new(BundleInner {
                policies: Vec::new(),
                definitions: Vec::new(),
                sources: Vec::new(),
                texts: Vec::new(),
                info: BundleInfo {
                    digest: "invalid".into(),
                    policies: Arc::from([]),
                },
                limits: Limits::default(),
                warnings: Vec::new(),
                broken: Some(e.to_string()),
            }),
        })
    }

    /// The standard pack, or the error that stops it from loading.
    ///
    /// The pack is compiled once per process (a few milliseconds); later
    /// calls share it, as the bundle is immutable.
    pub fn try_builtin() -> Result<Bundle, Error> {
        static BUILTIN: std::sync::OnceLock<Result<Bundle, Error>> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| BundleBuilder::new().builtin_layer().build())
            .clone()
    }

    /// Every policy file below `dir`.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Bundle, Error> {
        BundleBuilder::new().dir_layer(dir).build()
    }

    /// Policies from a YAML string; `name` stands for the file in errors.
    pub fn from_yaml_str(name: &str, text: &str) -> Result<Bundle, Error> {
        BundleBuilder::new().yaml_layer(name, text).build()
    }

    /// A builder, for layers and limits.
    pub fn builder() -> BundleBuilder {
        BundleBuilder::new()
    }

    /// `sha256:…` over the canonical JSON of the effective policies.
    pub fn digest(&self) -> &str {
        &self.inner.info.digest
    }

    /// The limits the bundle was built with.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// `name@version` of every policy, in evaluation order.
    pub fn policies(&self) -> Vec<String> {
        self.inner.info.policies.to_vec()
    }

    /// Every source the bundle was built from — a file path, `builtin:…`
    /// for the built-in pack, or the name given to a string — with its
    /// layer (1 for the first), in the order read: exactly what was loaded
    /// (`release-policy lint` prints it).
    pub fn sources(&self) -> &[(usize, String)] {
        &self.inner.sources
    }

    /// The layers the bundle was built from, organisation first, each a
    /// list of `(name, text)` sources: with [`BundleBuilder::sources_layer`]
    /// and the same limits they build the same bundle (same digest). The
    /// audit archive keeps them so that `audit verify --replay` and
    /// `backtest` can re-run archived facts.
    pub fn layers(&self) -> &[Vec<(String, String)>] {
        &self.inner.texts
    }

    /// The policy files of the built-in pack, `(path, text)`, paths
    /// relative to the pack's root (`approvals/readiness-review.yaml`): what
    /// `release-policy pack export DIR` writes for users who fork the pack.
    pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
        load::builtin_files()
    }

    /// The warnings found while compiling (codes `RP07xx`, see
    /// [`ErrorCode::is_warning`]): valid policies that probably do not mean
    /// what they say, such as an `||` that would pass on a missing fact.
    /// `release-policy lint` prints them; they never stop a load.
    pub fn warnings(&self) -> &[PolicyError] {
        &self.inner.warnings
    }

    /// Every rule, in evaluation order within each kind.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.inner
            .definitions
            .iter()
            .map(|(p, r)| RuleInfo {
                policy: self.policy_name(*p).to_string(),
                id: r.id().to_string(),
                kind: r.kind(),
            })
            .collect()
    }

    /// The definition of a rule, as written (after layering), with its
    /// policy: for `release-policy explain RULE`.
    pub fn explain(&self, rule: &str) -> Option<Explanation> {
        let (p, r) = self
            .inner
            .definitions
            .iter()
            .find(|(_, r)| r.id() == rule)?;
        let m = self.inner.policies.get(*p)?.metadata();
        Some(Explanation {
            policy: m.name.clone(),
            policy_version: m.version.clone(),
            description: m.description.clone(),
            owners: m.owners.clone(),
            kind: r.kind(),
            rule: r.to_json(),
        })
    }

    fn policy_name(&self, index: usize) -> &str {
        self.inner
            .policies
            .get(index)
            .map_or("", |p| p.metadata().name.as_str())
    }

    /// Who decided: the bundle's digest and policies, for a result.
    fn info(&self) -> BundleInfo {
        self.inner.info.clone()
    }

    /// Why nothing can be evaluated on this bundle, if so.
    fn usable(&self) -> Result<(), Error> {
        match &self.inner.broken {
            Some(why) => Err(Error::evaluation(
                ErrorCode::BuiltinPackBroken,
                format!("the built-in policy pack did not compile: {why}"),
            )),
            None => Ok(()),
        }
    }

    /// Plan releases of many services together against a catalog: contract
    /// violations, cycles, waves, blast radius, schedule conflicts and a
    /// proposed conflict-free schedule, with a verdict (ok, blocked, needs a
    /// decision). The bundle's [`Limits`] bound the exemptions' evaluation.
    /// Errors when a release names a service, environment or API the
    /// catalog does not have.
    pub fn plan(
        &self,
        catalog: &crate::plan::Catalog,
        intended: &crate::plan::ReleasePlan,
    ) -> Result<crate::plan::Plan, Error> {
        crate::plan::evaluate::plan(catalog, intended, &self.inner.limits)
    }

    /// May `version` of `service` go to `environment`, as far as the API
    /// contracts of `catalog` tell (Pact's `can-i-deploy`)? The version
    /// provides the API versions the catalog lists at exactly that
    /// version; every consumer running there must accept them and find
    /// the operations it uses.
    pub fn can_i_deploy(
        &self,
        catalog: &crate::plan::Catalog,
        service: &str,
        version: &str,
        environment: &str,
    ) -> Result<crate::plan::Deployability, Error> {
        crate::plan::evaluate::can_i_deploy(catalog, service, version, environment)
    }
}
