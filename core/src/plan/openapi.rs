//! OpenAPI 3 documents: the operations they offer and the breaking changes between two versions.
//! STUB — replaced by the openapi branch.
#![allow(missing_docs, dead_code, unused)]
#[derive(Debug)]
pub(crate) struct OpenApi;
pub(crate) struct OpenApiError { pub(crate) line: usize, pub(crate) column: usize, pub(crate) pointer: Option<String>, pub(crate) message: String, pub(crate) hint: Option<String> }
impl OpenApi {
    pub(crate) fn parse(_t: &str, _b: usize, _d: usize) -> Result<OpenApi, OpenApiError> { Ok(OpenApi) }
    pub(crate) fn has_operation(&self, _o: &str) -> bool { true }
}
pub(crate) fn operation_key(o: &str) -> Option<String> { Some(o.into()) }
#[derive(Debug, Clone, Copy)]
pub(crate) enum ChangeKind { OperationRemoved }
impl ChangeKind { pub(crate) fn as_str(self) -> &'static str { "operation-removed" } }
pub(crate) struct Change { pub(crate) kind: ChangeKind, pub(crate) operation: String, pub(crate) pointer: String, pub(crate) message: String }
pub(crate) fn breaking_changes(_o: &OpenApi, _n: &OpenApi) -> Vec<Change> { Vec::new() }
