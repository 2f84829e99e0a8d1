//! `BundleBuilder`: a bundle built from layers, in order, with limits —
//! the core's `BundleBuilder`, immutable so a partial builder can be
//! shared and extended.

use std::path::PathBuf;

use pyo3::prelude::*;
use release_policy::{BundleBuilder as CoreBuilder, Limits};

use crate::{Bundle, detached};

/// One layer of a bundle under construction.
#[derive(Clone)]
enum Layer {
    Builtin,
    Dir(PathBuf),
    Yaml(String, String),
}

/// Builds a [`Bundle`] from layers, in order (organisation first, team
/// last), like the core's `BundleBuilder`. Immutable: each method returns a
/// new builder, so a partial builder can be shared and extended.
#[pyclass(frozen, module = "release_policy")]
pub struct BundleBuilder {
    layers: Vec<Layer>,
    limits: Limits,
}

impl BundleBuilder {
    /// A builder with no layer and the default limits.
    pub(crate) fn empty() -> Self {
        BundleBuilder {
            layers: Vec::new(),
            limits: Limits::default(),
        }
    }

    fn with(&self, layer: Layer) -> BundleBuilder {
        let mut layers = self.layers.clone();
        layers.push(layer);
        BundleBuilder {
            layers,
            limits: self.limits.clone(),
        }
    }
}

#[pymethods]
impl BundleBuilder {
    #[new]
    fn new() -> Self {
        Bundle::builder()
    }

    /// Add the built-in standard pack as a layer.
    fn builtin_layer(&self) -> BundleBuilder {
        self.with(Layer::Builtin)
    }

    /// Add every policy file below the directory `path` as one layer.
    fn dir_layer(&self, path: PathBuf) -> BundleBuilder {
        self.with(Layer::Dir(path))
    }

    /// Add YAML text (one or more documents) as one layer; `name` stands
    /// for the file in error locations.
    fn yaml_layer(&self, name: String, text: String) -> BundleBuilder {
        self.with(Layer::Yaml(name, text))
    }

    /// Replace some of the limits (the others keep their current value).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (
        *,
        max_expression_len = None,
        max_nesting = None,
        max_ast_nodes = None,
        max_ast_depth = None,
        max_comprehension_nesting = None,
        max_facts_bytes = None,
        max_list_items = None,
        max_policy_bytes = None,
        max_variable_items = None,
        max_variable_string_bytes = None,
        max_yaml_nesting = None,
        max_fact_values = None,
        max_echo_bytes = None,
        max_regex_bytes = None,
        max_eval_cost = None,
        max_eval_bytes = None,
    ))]
    fn limits(
        &self,
        max_expression_len: Option<usize>,
        max_nesting: Option<usize>,
        max_ast_nodes: Option<usize>,
        max_ast_depth: Option<usize>,
        max_comprehension_nesting: Option<usize>,
        max_facts_bytes: Option<usize>,
        max_list_items: Option<usize>,
        max_policy_bytes: Option<usize>,
        max_variable_items: Option<usize>,
        max_variable_string_bytes: Option<usize>,
        max_yaml_nesting: Option<usize>,
        max_fact_values: Option<usize>,
        max_echo_bytes: Option<usize>,
        max_regex_bytes: Option<usize>,
        max_eval_cost: Option<u64>,
        max_eval_bytes: Option<u64>,
    ) -> BundleBuilder {
        let d = &self.limits;
        let limits = Limits {
            max_expression_len: max_expression_len.unwrap_or(d.max_expression_len),
            max_nesting: max_nesting.unwrap_or(d.max_nesting),
            max_ast_nodes: max_ast_nodes.unwrap_or(d.max_ast_nodes),
            max_ast_depth: max_ast_depth.unwrap_or(d.max_ast_depth),
            max_comprehension_nesting: max_comprehension_nesting
                .unwrap_or(d.max_comprehension_nesting),
            max_facts_bytes: max_facts_bytes.unwrap_or(d.max_facts_bytes),
            max_list_items: max_list_items.unwrap_or(d.max_list_items),
            max_policy_bytes: max_policy_bytes.unwrap_or(d.max_policy_bytes),
            max_variable_items: max_variable_items.unwrap_or(d.max_variable_items),
            max_variable_string_bytes: max_variable_string_bytes
                .unwrap_or(d.max_variable_string_bytes),
            max_yaml_nesting: max_yaml_nesting.unwrap_or(d.max_yaml_nesting),
            max_fact_values: max_fact_values.unwrap_or(d.max_fact_values),
            max_echo_bytes: max_echo_bytes.unwrap_or(d.max_echo_bytes),
            max_regex_bytes: max_regex_bytes.unwrap_or(d.max_regex_bytes),
            max_eval_cost: max_eval_cost.unwrap_or(d.max_eval_cost),
            max_eval_bytes: max_eval_bytes.unwrap_or(d.max_eval_bytes),
            // The catalog limits (`max_catalog_*`, `max_openapi_bytes`,
            // `max_plan_releases`) bound loading a catalog or a release
            // plan, which `Catalog` and `ReleasePlan` do within the
            // defaults, as the CLI does.
            ..d.clone()
        };
        BundleBuilder {
            layers: self.layers.clone(),
            limits,
        }
    }

    /// Parse, layer, check and compile (without the GIL).
    fn build(&self, py: Python<'_>) -> PyResult<Bundle> {
        let (layers, limits) = (self.layers.clone(), self.limits.clone());
        let inner = detached(py, move || {
            // Limits first: the core reads directories within them.
            let mut b = CoreBuilder::new().limits(limits);
            for layer in layers {
                b = match layer {
                    Layer::Builtin => b.builtin_layer(),
                    Layer::Dir(p) => b.dir_layer(p),
                    Layer::Yaml(name, text) => b.yaml_layer(name, text),
                };
            }
            b.build()
        })?;
        Ok(Bundle { inner })
    }

    fn __repr__(&self) -> String {
        let layers: Vec<String> = self
            .layers
            .iter()
            .map(|l| match l {
                Layer::Builtin => "builtin".to_string(),
                Layer::Dir(p) => format!("dir {}", p.display()),
                Layer::Yaml(name, _) => format!("yaml {name}"),
            })
            .collect();
        format!("<BundleBuilder [{}]>", layers.join(", "))
    }
}
