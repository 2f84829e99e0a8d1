//! OpenAPI 3 documents: the operations they offer and the breaking changes between two versions.
