//! The policy language: documents (serde), loading from files, directories,
//! strings and the built-in pack, layering, compilation with static checks,
//! and the bundle digest.

mod compile;
mod compile_rollout;
pub mod document;
mod layer;
pub(crate) mod load;
mod locate;
mod rollout_rules;

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub(crate) use compile::{CompiledGate, CompiledPolicy, CompiledPromotion, CompiledTrigger};
pub(crate) use compile_rollout::trigger_window;
use document::{PolicyDocument, Spec};
use load::Source;

use crate::error::{Error, PolicyError, SourceLocation};
use crate::limits::Limits;

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
    pub digest: String,
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
        self.layers.push(vec![Source {
            name: name.into(),
            text: text.into(),
        }]);
        self
    }

    /// Parse, layer, check and compile.
    pub fn build(self) -> Result<Bundle, Error> {
        let mut errors: Vec<PolicyError> = Vec::new();
        if let Some(e) = self.errors.into_iter().next() {
            return Err(e);
        }
        if self.layers.is_empty() {
            return Err(Error::Io {
                path: "bundle".into(),
                message: "no policy layers given".into(),
            });
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
        let merged = layer::merge(layers).map_err(Error::from)?;
        let digest = digest(&merged);
        let policies = compile::compile(merged, &self.limits).map_err(Error::from)?;
        // A bundle that decides nothing would say `go` to everything.
        if policies.iter().all(|p| p.rule_count() == 0) {
            let place = self
                .layers
                .iter()
                .flatten()
                .next()
                .map_or("bundle".to_string(), |s| s.name.clone());
            return Err(PolicyError::new(
                SourceLocation::file(place),
                "the policies hold no rules (`gates`, `approvals`, `triggers`, `promotion`, `analysis` or `burnRate`)",
            )
            .with_hint("an empty bundle would let every release go")
            .into());
        }
        Ok(Bundle {
            inner: Arc::new(BundleInner {
                policies,
                digest,
                limits: self.limits,
                broken: None,
            }),
        })
    }
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
                digest: "invalid".into(),
                limits: Limits::default(),
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
        &self.inner.digest
    }

    /// The limits the bundle was built with.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// `name@version` of every policy, in evaluation order.
    pub fn policies(&self) -> Vec<String> {
        self.inner
            .policies
            .iter()
            .map(|p| format!("{}@{}", p.metadata.name, p.metadata.version))
            .collect()
    }

    /// Every rule id with its policy name and kind (`gate`, `approval`,
    /// `trigger`, `promotion`, `analysis` or `burn-rate`).
    pub fn rules(&self) -> Vec<(String, String, &'static str)> {
        self.inner
            .policies
            .iter()
            .flat_map(|p| {
                p.definitions()
                    .into_iter()
                    .map(|r| (p.metadata.name.clone(), r.id().to_string(), r.kind()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

impl Bundle {
    /// The definition of a rule, as written (after layering), with its
    /// policy: for `release-policy explain RULE`.
    pub fn explain(&self, rule: &str) -> Option<serde_json::Value> {
        self.inner.policies.iter().find_map(|p| {
            let def = p
                .definitions()
                .into_iter()
                .find(|r| r.id() == rule)
                .map(|r| (r.kind(), r.to_json()))?;
            Some(serde_json::json!({
                "policy": p.metadata.name,
                "policyVersion": p.metadata.version,
                "description": p.metadata.description,
                "owners": p.metadata.owners,
                "kind": def.0,
                "rule": def.1,
            }))
        })
    }
}

fn digest(policies: &[layer::MergedPolicy]) -> String {
    let docs: Vec<PolicyDocument> = policies
        .iter()
        .map(|p| PolicyDocument {
            api_version: document::API_VERSION.into(),
            kind: p.kind.clone(),
            metadata: p.metadata.clone(),
            spec: Spec {
                applies_to: p.applies_to.as_ref().map(|(a, _)| a.clone()),
                variables: p.variables.iter().map(|(v, _)| v.clone()).collect(),
                gates: p.gates.iter().map(|(g, _)| g.clone()).collect(),
                approvals: p.approvals.iter().map(|(a, _)| a.clone()).collect(),
                triggers: p.triggers.iter().map(|(r, _)| r.clone()).collect(),
                promotion: p.promotion.iter().map(|(r, _)| r.clone()).collect(),
                analysis: p.analysis.iter().map(|(r, _)| r.clone()).collect(),
                burn_rate: p.burn_rate.iter().map(|(r, _)| r.clone()).collect(),
                disable: Vec::new(),
            },
        })
        .collect();
    let canonical = serde_json::to_vec(&docs).unwrap_or_default();
    format!("sha256:{:x}", Sha256::digest(&canonical))
}
