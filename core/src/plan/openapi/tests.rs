//! Tests of the OpenAPI reader and of the breaking changes between two
//! documents, over small documents written inline and the fixtures in
//! `core/tests/data/openapi/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use serde_json::json;

use super::compare::{Change, ChangeKind};
use super::*;

const V310: &str = include_str!("../../../tests/data/openapi/payments-3.1.0.yaml");
const V320: &str = include_str!("../../../tests/data/openapi/payments-3.2.0.yaml");

fn parse(text: &str) -> OpenApi {
    OpenApi::parse(text, 1 << 20, 64).unwrap_or_else(|e| panic!("{e:?}"))
}

fn error(text: &str) -> OpenApiError {
    match OpenApi::parse(text, 1 << 20, 64) {
        Ok(d) => panic!("parsed: {:?}", d.operations()),
        Err(e) => e,
    }
}

/// A 3.1 document (as JSON text) with these paths and components.
fn api(paths: serde_json::Value, components: serde_json::Value) -> OpenApi {
    let doc = json!({"openapi": "3.1.0", "paths": paths, "components": components});
    parse(&doc.to_string())
}

/// A document with one operation `POST /payments` made of `op`.
fn post(op: serde_json::Value) -> OpenApi {
    api(json!({"/payments": {"post": op}}), json!({}))
}

/// A JSON response `200` whose body has this schema.
fn ok(schema: serde_json::Value) -> serde_json::Value {
    json!({"responses": {"200": {"description": "ok",
        "content": {"application/json": {"schema": schema}}}}})
}

fn body(required: bool, schema: serde_json::Value) -> serde_json::Value {
    json!({"requestBody": {"required": required,
        "content": {"application/json": {"schema": schema}}}})
}

/// The changes as `(id, message)`.
fn brief(old: &OpenApi, new: &OpenApi) -> Vec<(&'static str, String)> {
    breaking_changes(old, new)
        .into_iter()
        .map(|c| (c.kind.as_str(), c.message))
        .collect()
}

fn one(id: &'static str, message: &str) -> Vec<(&'static str, String)> {
    vec![(id, message.to_string())]
}

#[test]
fn the_fixtures_differ_by_a_removed_operation_and_a_newly_required_field() {
    let (old, new) = (parse(V310), parse(V320));
    assert_eq!(
        old.operations(),
        ["GET /payments", "GET /payments/{}", "POST /payments"]
    );
    assert!(new.has_operation("post /payments/{id}/refunds"));
    let changes = breaking_changes(&old, &new);
    assert_eq!(
        changes,
        vec![
            Change {
                kind: ChangeKind::OperationRemoved,
                operation: "GET /payments/{id}".into(),
                pointer: "/paths/~1payments~1{id}/get".into(),
                message: "operation `GET /payments/{id}` was removed".into(),
            },
            Change {
                kind: ChangeKind::RequestFieldNewlyRequired,
                operation: "POST /payments".into(),
                pointer: "/components/schemas/NewPayment/properties/reference".into(),
                message: "request field `reference` became required".into(),
            },
        ]
    );
    assert!(breaking_changes(&old, &old).is_empty());
    assert!(breaking_changes(&new, &new).is_empty());
}

#[test]
fn a_removed_operation_is_named_as_written_in_the_old_document() {
    let old = api(
        json!({"/payments/{id}": {"get": {}, "delete": {}}}),
        json!({}),
    );
    let new = api(json!({"/payments/{paymentId}": {"get": {}}}), json!({}));
    let changes = breaking_changes(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::OperationRemoved);
    assert_eq!(changes[0].operation, "DELETE /payments/{id}");
    assert_eq!(changes[0].pointer, "/paths/~1payments~1{id}/delete");
    assert_eq!(
        changes[0].message,
        "operation `DELETE /payments/{id}` was removed"
    );
}

#[test]
fn a_renamed_path_parameter_is_not_a_removal() {
    let param = |name: &str| json!([{"name": name, "in": "path", "required": true, "schema": {"type": "string"}}]);
    let old = api(
        json!({"/payments/{id}": {"get": {"parameters": param("id")}}}),
        json!({}),
    );
    let new = api(
        json!({"/payments/{paymentId}": {"get": {"parameters": param("paymentId")}}}),
        json!({}),
    );
    assert_eq!(brief(&old, &new), []);
    // Its type is still compared, by position.
    let new = api(
        json!({"/payments/{paymentId}": {"get": {"parameters": [
            {"name": "paymentId", "in": "path", "required": true, "schema": {"type": "integer"}}]}}}),
        json!({}),
    );
    assert_eq!(
        brief(&old, &new),
        one(
            "type-changed",
            "type of `path` parameter `paymentId` changed from `string` to `integer`"
        )
    );
}

#[test]
fn a_new_required_parameter_and_one_made_required_are_breaking() {
    let q = |name: &str, required: bool| json!({"name": name, "in": "query", "required": required});
    let old = post(json!({"parameters": [q("limit", false)]}));
    let new = post(json!({"parameters": [q("limit", true)]}));
    let changes = breaking_changes(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::ParameterNewlyRequired);
    assert_eq!(changes[0].operation, "POST /payments");
    assert_eq!(changes[0].pointer, "/paths/~1payments/post/parameters/0");
    assert_eq!(
        changes[0].message,
        "`query` parameter `limit` became required"
    );
    let new = post(json!({"parameters": [q("limit", false),
        {"name": "Idempotency-Key", "in": "header", "required": true}]}));
    assert_eq!(
        brief(&old, &new),
        one(
            "parameter-newly-required",
            "new required `header` parameter `Idempotency-Key`"
        )
    );
    // Header names are not case-sensitive; an optional parameter may be added.
    let old = new;
    let new = post(json!({"parameters": [q("limit", false), q("cursor", false),
        {"name": "idempotency-key", "in": "header", "required": true}]}));
    assert_eq!(brief(&old, &new), []);
}

#[test]
fn path_level_parameters_apply_and_operation_ones_override_them() {
    let old = api(
        json!({"/payments": {"parameters": [{"name": "tenant", "in": "query"}], "get": {}}}),
        json!({}),
    );
    let new = api(
        json!({"/payments": {"parameters": [{"name": "tenant", "in": "query", "required": true}],
            "get": {"parameters": [{"name": "tenant", "in": "query"}]}}}),
        json!({}),
    );
    assert_eq!(brief(&old, &new), []);
    let new = api(
        json!({"/payments": {"parameters": [{"name": "tenant", "in": "query", "required": true}], "get": {}}}),
        json!({}),
    );
    let changes = breaking_changes(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].pointer, "/paths/~1payments/parameters/0");
}

#[test]
fn a_request_body_made_required_or_added_required_is_breaking() {
    let schema = json!({"type": "object"});
    let old = post(body(false, schema.clone()));
    let new = post(body(true, schema.clone()));
    let changes = breaking_changes(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::RequestBodyNewlyRequired);
    assert_eq!(changes[0].pointer, "/paths/~1payments/post/requestBody");
    assert_eq!(changes[0].message, "the request body became required");
    assert_eq!(
        brief(&post(json!({})), &new),
        one("request-body-newly-required", "new required request body")
    );
    assert_eq!(brief(&new, &old), []);
    assert_eq!(brief(&post(json!({})), &old), []);
}

#[test]
fn a_request_field_newly_required_is_breaking_at_any_depth() {
    let schema = |required: serde_json::Value, inner: serde_json::Value| {
        json!({"type": "object", "required": required, "properties": {
            "amount": {"type": "integer"},
            "note": {"type": "string"},
            "customer": {"type": "object", "required": inner, "properties": {"id": {"type": "string"}}},
        }})
    };
    let old = post(body(true, schema(json!(["amount"]), json!([]))));
    let new = post(body(true, schema(json!(["amount", "note"]), json!([]))));
    let changes = breaking_changes(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::RequestFieldNewlyRequired);
    assert_eq!(
        changes[0].pointer,
        "/paths/~1payments/post/requestBody/content/application~1json/schema/properties/note"
    );
    assert_eq!(changes[0].message, "request field `note` became required");
    let new = post(body(true, schema(json!(["amount"]), json!(["id"]))));
    assert_eq!(
        brief(&old, &new),
        one(
            "request-field-newly-required",
            "request field `customer.id` became required"
        )
    );
    let new = post(body(true, schema(json!(["amount", "channel"]), json!([]))));
    let changes = breaking_changes(&old, &new);
    assert_eq!(changes[0].message, "new required request field `channel`");
    assert!(changes[0].pointer.ends_with("/schema/required"));
    // Made optional: not breaking.
    assert_eq!(
        brief(&old, &post(body(true, schema(json!([]), json!([]))))),
        []
    );
}

#[test]
fn a_read_only_field_required_in_a_request_is_not_asked_of_clients() {
    let schema = |required: serde_json::Value| {
        json!({"type": "object", "required": required,
            "properties": {"id": {"type": "string", "readOnly": true}}})
    };
    let old = post(body(true, schema(json!([]))));
    let new = post(body(true, schema(json!(["id"]))));
    assert_eq!(brief(&old, &new), []);
}

#[test]
fn a_removed_response_field_is_named_by_its_path() {
    let payment = |props: serde_json::Value| {
        json!({"Page": {"type": "object", "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Payment"}}}},
            "Payment": {"type": "object", "properties": props}})
    };
    let paths = json!({"/payments": {"get": ok(json!({"$ref": "#/components/schemas/Page"}))}});
    let old = api(
        paths.clone(),
        json!({"schemas": payment(json!({"id": {}, "amount": {}}))}),
    );
    let new = api(paths, json!({"schemas": payment(json!({"id": {}}))}));
    let changes = breaking_changes(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::ResponseFieldRemoved);
    assert_eq!(changes[0].operation, "GET /payments");
    assert_eq!(
        changes[0].pointer,
        "/components/schemas/Payment/properties/amount"
    );
    assert_eq!(
        changes[0].message,
        "response field `data[].amount` of `200` was removed"
    );
    // Adding a response field is not breaking.
    assert_eq!(brief(&new, &old), []);
}

#[test]
fn a_response_field_made_optional_is_breaking() {
    let schema = |required: serde_json::Value| json!({"type": "object", "required": required, "properties": {"amount": {"type": "integer"}}});
    let old = post(ok(schema(json!(["amount"]))));
    let new = post(ok(schema(json!([]))));
    assert_eq!(
        brief(&old, &new),
        one(
            "response-field-newly-optional",
            "response field `amount` of `200` became optional"
        )
    );
    assert_eq!(brief(&new, &old), []);
}

#[test]
fn a_removed_success_status_is_breaking_but_not_an_error_status() {
    let responses = |codes: &[&str]| {
        let map: serde_json::Map<String, serde_json::Value> = codes
            .iter()
            .map(|c| (c.to_string(), json!({"description": "x"})))
            .collect();
        post(json!({"responses": map}))
    };
    let old = responses(&["200", "201", "404"]);
    let changes = breaking_changes(&old, &responses(&["200"]));
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::ResponseRemoved);
    assert_eq!(changes[0].pointer, "/paths/~1payments/post/responses/201");
    assert_eq!(changes[0].message, "success response `201` was removed");
    assert_eq!(brief(&old, &responses(&["200", "201"])), []);
    // A range covers the codes it spans.
    assert_eq!(brief(&old, &responses(&["2XX", "404"])), []);
}

#[test]
fn type_changes_depend_on_the_direction() {
    let typed = |req: &str, resp: &str| {
        let mut op = body(
            true,
            json!({"type": "object", "properties": {"n": {"type": req}}}),
        );
        op["responses"] =
            ok(json!({"type": "object", "properties": {"n": {"type": resp}}}))["responses"].clone();
        post(op)
    };
    let old = typed("integer", "integer");
    assert_eq!(
        brief(&old, &typed("string", "integer")),
        one(
            "type-changed",
            "type of request field `n` changed from `integer` to `string`"
        )
    );
    assert_eq!(
        brief(&old, &typed("integer", "string")),
        one(
            "type-changed",
            "type of response field `n` of `200` changed from `integer` to `string`"
        )
    );
    // Widening a request is fine; widening a response is not.
    assert_eq!(brief(&old, &typed("number", "integer")), []);
    assert_eq!(
        brief(&old, &typed("integer", "number")),
        one(
            "type-changed",
            "type of response field `n` of `200` changed from `integer` to `number`"
        )
    );
    let old = typed("number", "number");
    assert_eq!(brief(&old, &typed("number", "integer")), []);
    assert_eq!(
        brief(&old, &typed("integer", "number")),
        one(
            "type-changed",
            "type of request field `n` changed from `number` to `integer`"
        )
    );
}

#[test]
fn nullable_and_type_lists_are_type_sets() {
    let resp = |schema: serde_json::Value| {
        post(ok(json!({"type": "object", "properties": {"n": schema}})))
    };
    let old = resp(json!({"type": ["string", "null"]}));
    assert_eq!(brief(&old, &resp(json!({"type": "string"}))), []);
    assert_eq!(
        brief(
            &resp(json!({"type": "string"})),
            &resp(json!({"type": "string", "nullable": true}))
        ),
        one(
            "type-changed",
            "type of response field `n` of `200` changed from `string` to `null|string`"
        )
    );
    let param = |t: serde_json::Value| {
        post(json!({"parameters": [{"name": "q", "in": "query", "schema": {"type": t}}]}))
    };
    assert_eq!(
        brief(&param(json!("string")), &param(json!(["string", "null"]))),
        []
    );
    assert_eq!(
        brief(&param(json!("string")), &param(json!("boolean"))),
        one(
            "type-changed",
            "type of `query` parameter `q` changed from `string` to `boolean`"
        )
    );
}

#[test]
fn an_enum_value_removed_breaks_a_request_not_a_response() {
    let with = |values: serde_json::Value| {
        let status = json!({"type": "string", "enum": values});
        let mut op = body(true, json!({"properties": {"status": status}}));
        op["parameters"] = json!([{"name": "s", "in": "query", "schema": status}]);
        op["responses"] = ok(json!({"properties": {"status": status}}))["responses"].clone();
        post(op)
    };
    let old = with(json!(["pending", "settled"]));
    assert_eq!(
        brief(&old, &with(json!(["pending"]))),
        vec![
            (
                "enum-value-removed",
                "value `settled` was removed from the enum of `query` parameter `s`".to_string()
            ),
            (
                "enum-value-removed",
                "value `settled` was removed from the enum of request field `status`".to_string()
            ),
        ]
    );
    assert_eq!(
        brief(&old, &with(json!(["pending", "settled", "failed"]))),
        []
    );
}

#[test]
fn a_removed_media_type_is_breaking() {
    let media = |types: &[&str]| {
        let content: serde_json::Map<String, serde_json::Value> =
            types.iter().map(|t| (t.to_string(), json!({}))).collect();
        post(json!({"requestBody": {"content": content},
            "responses": {"200": {"description": "ok", "content": content}}}))
    };
    let old = media(&["application/json", "application/xml"]);
    assert_eq!(
        brief(&old, &media(&["application/json"])),
        vec![
            (
                "media-type-removed",
                "request media type `application/xml` was removed".to_string()
            ),
            (
                "media-type-removed",
                "media type `application/xml` of response `200` was removed".to_string()
            ),
        ]
    );
}

#[test]
fn adding_things_and_relaxing_requirements_is_not_breaking() {
    let old = parse(V310);
    let text = V310
        .replace("required: [amount, currency]", "required: [amount]")
        .replace(
            "  /payments/{id}:\n",
            "  /refunds:\n    get:\n      responses: {}\n  /payments/{id}:\n",
        );
    let new = parse(&text);
    assert!(new.has_operation("GET /refunds"));
    // `currency` optional in the request is fine; in the `Payment`
    // response (through `allOf`) it is not.
    assert_eq!(
        brief(&old, &new),
        vec![
            (
                "response-field-newly-optional",
                "response field `data[].currency` of `200` became optional".to_string()
            ),
            (
                "response-field-newly-optional",
                "response field `currency` of `200` became optional".to_string()
            ),
            (
                "response-field-newly-optional",
                "response field `currency` of `201` became optional".to_string()
            ),
        ]
    );
}

#[test]
fn one_of_and_any_of_are_not_looked_into() {
    let old = post(ok(
        json!({"type": "object", "properties": {"card": {}, "iban": {}}}),
    ));
    let new = post(ok(json!({"type": "object", "properties": {"card": {}},
        "oneOf": [{"properties": {"iban": {}}}, {"properties": {"bic": {}}}]})));
    assert_eq!(brief(&old, &new), []);
}

#[test]
fn has_operation_ignores_parameter_names_and_method_case() {
    let d = api(
        json!({"/payments/{id}": {"get": {}}, "/payments/": {"post": {}}, "/files/{name}.{ext}": {"put": {}}}),
        json!({}),
    );
    assert!(d.has_operation("GET /payments/{id}"));
    assert!(d.has_operation("get /payments/{paymentId}"));
    assert!(d.has_operation("  Get   /payments/{} "));
    assert!(d.has_operation("POST /payments/"));
    assert!(!d.has_operation("POST /payments"));
    assert!(!d.has_operation("GET /payments"));
    assert!(!d.has_operation("DELETE /payments/{id}"));
    assert!(!d.has_operation("GET /payments/{id}/refunds"));
    assert!(!d.has_operation("GET /payments/123"));
    assert!(d.has_operation("PUT /files/{a}.{b}"));
    assert!(!d.has_operation("nonsense"));
    assert_eq!(d.written("get /payments/{x}"), Some("GET /payments/{id}"));
    assert_eq!(
        d.operations(),
        ["GET /payments/{}", "POST /payments/", "PUT /files/{}.{}"]
    );
}

#[test]
fn operation_keys_normalise_good_input_and_refuse_bad() {
    let key = |s: &str| operation_key(s);
    assert_eq!(
        key("GET /payments/{id}").as_deref(),
        Some("GET /payments/{}")
    );
    assert_eq!(
        key("delete /a/{x}/b/{y}").as_deref(),
        Some("DELETE /a/{}/b/{}")
    );
    assert_eq!(key("Patch /"), Some("PATCH /".into()));
    assert_eq!(key("trace /x/").as_deref(), Some("TRACE /x/"));
    for bad in [
        "",
        "GET",
        "/payments",
        "FETCH /payments",
        "GET payments",
        "GET /payments extra",
        "GET /payments/{id",
        "GET /payments/id}",
        "GET /payments/{{id}}",
        "GET /payments?limit=1",
        "GET /payments#x",
        "QUERY /payments",
    ] {
        assert_eq!(key(bad), None, "{bad:?}");
    }
}

#[test]
fn references_resolve_across_components() {
    let components = |status_type: &str| {
        json!({
            "parameters": {"Id": {"$ref": "#/components/parameters/IdParam"},
                "IdParam": {"name": "id", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/Id"}}},
            "requestBodies": {"Pay": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}}},
            "responses": {"Ok": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}}},
            "schemas": {"Id": {"type": "string"},
                "Payment": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"status": {"$ref": "#/components/schemas/Status"}}}]},
                "Base": {"properties": {"id": {"$ref": "#/components/schemas/Id"}}},
                "Status": {"type": status_type}},
        })
    };
    let paths = json!({"/payments": {"post": {
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "requestBody": {"$ref": "#/components/requestBodies/Pay"},
        "responses": {"200": {"$ref": "#/components/responses/Ok"}}}}});
    let old = api(paths.clone(), components("string"));
    assert_eq!(brief(&old, &old), []);
    let new = api(paths, components("integer"));
    let changes = breaking_changes(&old, &new);
    assert_eq!(
        changes
            .iter()
            .map(|c| (c.message.as_str(), c.pointer.as_str()))
            .collect::<Vec<_>>(),
        [
            (
                "type of request field `status` changed from `string` to `integer`",
                "/components/schemas/Status"
            ),
            (
                "type of response field `status` of `200` changed from `string` to `integer`",
                "/components/schemas/Status"
            ),
        ]
    );
}

#[test]
fn self_referential_schemas_terminate() {
    let node = |props: serde_json::Value| {
        json!({"schemas": {"Node": {"type": "object", "properties": props},
            "A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"},
            "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}]}}})
    };
    let paths = json!({"/nodes": {"get": ok(json!({"$ref": "#/components/schemas/Node"}))},
        "/a": {"get": ok(json!({"$ref": "#/components/schemas/A"}))},
        "/loop": {"post": body(true, json!({"$ref": "#/components/schemas/Loop"}))}});
    let next = json!({"$ref": "#/components/schemas/Node"});
    let old = api(paths.clone(), node(json!({"next": next, "value": {}})));
    let new = api(paths, node(json!({"next": next})));
    assert_eq!(brief(&old, &old), []);
    assert_eq!(
        brief(&old, &new),
        one(
            "response-field-removed",
            "response field `value` of `200` was removed"
        )
    );
}

#[test]
fn many_paths_to_one_schema_are_compared_once() {
    // 40 levels, each with two fields referring to the next: 2^40 paths.
    let mut schemas = serde_json::Map::new();
    for i in 0..40 {
        let next = json!({"$ref": format!("#/components/schemas/S{}", i + 1)});
        schemas.insert(
            format!("S{i}"),
            json!({"properties": {"a": next, "b": next}}),
        );
    }
    schemas.insert("S40".into(), json!({"properties": {"leaf": {}}}));
    let paths = json!({"/x": {"get": ok(json!({"$ref": "#/components/schemas/S0"}))}});
    let old = api(paths.clone(), json!({"schemas": schemas.clone()}));
    schemas.insert("S40".into(), json!({"properties": {}}));
    let new = api(paths, json!({"schemas": schemas}));
    let changes = breaking_changes(&old, &new);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        changes[0].pointer,
        "/components/schemas/S40/properties/leaf"
    );
}

#[test]
fn deep_or_huge_documents_are_refused() {
    let flow = format!(
        "openapi: 3.1.0\nx: {}{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    let e = error(&flow);
    assert_eq!((e.line, e.column), (2, 68));
    assert!(e.message.contains("deeper than 64"), "{e:?}");
    let mut block = String::from("openapi: 3.1.0\nx:\n");
    for i in 0..80 {
        block.push_str(&format!("{}k:\n", "  ".repeat(i + 1)));
    }
    let e = error(&block);
    assert!(
        e.message.contains("deeper than 64") || e.message.contains("recursion"),
        "{e:?}"
    );
    let json = format!(
        r#"{{"openapi": "3.1.0", "x": {}{}}}"#,
        "[".repeat(70),
        "]".repeat(70)
    );
    let e = error(&json);
    assert!(e.message.contains("deeper than 64"), "{e:?}");
    assert_eq!(e.line, 1);
    let json = format!(
        r#"{{"openapi": "3.1.0", "x": {}{}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert!(OpenApi::parse(&json, 1 << 20, 10_000).is_err());
    let e = OpenApi::parse(V310, 100, 64).err().unwrap();
    assert!(e.message.contains("over the limit of 100 bytes"), "{e:?}");
    assert!(OpenApi::parse(V310, V310.len(), 64).is_ok());
}

#[test]
fn aliases_are_refused() {
    let e = error("openapi: 3.1.0\ncomponents:\n  schemas:\n    A: &a {type: string}\n    B: *a\n");
    assert_eq!((e.line, e.column), (5, 8));
    assert!(e.message.contains("aliases"), "{e:?}");
    assert!(e.hint.is_some());
}

#[test]
fn swagger_and_other_versions_are_refused() {
    let e = error("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n");
    assert_eq!(e.message, "swagger 2.0 documents are not read");
    assert!(e.hint.as_deref().unwrap_or_default().contains("OpenAPI 3"));
    assert_eq!((e.line, e.column), (1, 1));
    let e = error("info: {}\nopenapi: 2.5.0\n");
    assert_eq!(e.message, "`openapi: 2.5.0` is not version 3");
    assert_eq!(
        (e.line, e.column, e.pointer.as_deref()),
        (2, 1, Some("/openapi"))
    );
    let e = error("openapi: 3.0\n");
    assert_eq!(e.message, "`openapi: 3.0` is not a string");
    assert!(e.hint.is_some());
    assert!(error("info: {}\n").message.contains("no `openapi` field"));
    assert_eq!(error("- 1\n- 2\n").message, "the document is not a mapping");
    assert!(error("").message.contains("no `openapi` field"));
    assert_eq!(error("42").message, "the document is not a mapping");
}

#[test]
fn syntax_errors_have_a_line_and_column() {
    let e = error("openapi: 3.1.0\npaths:\n  /a: {get: [}\n");
    assert_eq!(e.line, 3, "{e:?}");
    assert!(e.column > 0);
    assert!(e.message.starts_with("invalid YAML: "), "{e:?}");
    let e = error("{\"openapi\": \"3.1.0\",\n \"paths\": {,}}");
    assert_eq!((e.line, e.column), (2, 12), "{e:?}");
    assert!(e.message.starts_with("invalid JSON: "), "{e:?}");
    let e = error("openapi: 3.1.0\npaths: {}\npaths: {}\n");
    assert!(e.message.contains("duplicate key `paths`"), "{e:?}");
    assert_eq!(e.line, 3);
}

#[test]
fn structural_errors_point_into_the_document() {
    let e = error("openapi: 3.1.0\npaths:\n  /a:\n    get: {}\n  payments:\n    get: {}\n");
    assert_eq!(e.message, "path `payments` does not start with `/`");
    assert_eq!((e.line, e.column), (5, 3));
    assert_eq!(e.pointer.as_deref(), Some("/paths/payments"));
    let e =
        error("openapi: 3.1.0\npaths:\n  /a:\n    summary: x\n    x-owner: me\n    fetch: {}\n");
    assert_eq!(e.message, "unknown key `fetch` in path `/a`");
    assert_eq!((e.line, e.column), (6, 5));
    assert_eq!(e.pointer.as_deref(), Some("/paths/~1a/fetch"));
    assert!(e.hint.is_some());
    assert_eq!(
        error("openapi: 3.1.0\npaths: []\n").message,
        "`paths` is not a mapping"
    );
    let e = error("openapi: 3.1.0\npaths:\n  /a/{x}: {get: {}}\n  /a/{y}: {get: {}}\n");
    assert!(e.message.contains("differ only in the names"), "{e:?}");
    assert_eq!(e.line, 4);
    let e = error("openapi: 3.1.0\npaths:\n  /a:\n    get: 3\n");
    assert_eq!(e.message, "operation `GET /a` is not a mapping");
    // Integer status codes, webhooks-only documents.
    let d = parse(
        "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n",
    );
    assert!(d.has_operation("GET /a"));
    assert!(
        parse("openapi: 3.1.0\nwebhooks: {}\n")
            .operations()
            .is_empty()
    );
}

#[test]
fn references_must_be_local_and_resolve() {
    let e = error(
        "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: 'common.yaml#/Id'\n",
    );
    assert_eq!(e.message, "`$ref` `common.yaml#/Id` is not local");
    assert_eq!(
        e.pointer.as_deref(),
        Some("/paths/~1a/get/parameters/0/$ref")
    );
    assert_eq!((e.line, e.column), (6, 11));
    assert!(e.hint.is_some());
    let e = error(
        "openapi: 3.1.0\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/Missing'}\n",
    );
    assert_eq!(
        e.message,
        "`$ref` `#/components/schemas/Missing` does not resolve"
    );
    assert_eq!(e.pointer.as_deref(), Some("/components/schemas/A/$ref"));
    assert_eq!(e.line, 4);
    // Escaped pointers resolve; examples are data, not references.
    parse(
        "openapi: 3.1.0\ncomponents:\n  schemas:\n    'A B/C': {type: string}\n    D: {$ref: '#/components/schemas/A%20B~1C', example: {$ref: nowhere}}\n",
    );
}

#[test]
fn changes_are_sorted_and_unique() {
    let old = parse(V310);
    let new = api(json!({}), json!({}));
    let changes = breaking_changes(&old, &new);
    assert_eq!(
        changes
            .iter()
            .map(|c| c.operation.as_str())
            .collect::<Vec<_>>(),
        ["GET /payments", "GET /payments/{id}", "POST /payments"]
    );
    let mut sorted = changes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, changes);
    assert!(
        changes
            .iter()
            .all(|c| c.kind == ChangeKind::OperationRemoved)
    );
}

#[test]
fn ids_are_kebab_case_and_distinct() {
    let all = [
        ChangeKind::OperationRemoved,
        ChangeKind::ParameterNewlyRequired,
        ChangeKind::RequestBodyNewlyRequired,
        ChangeKind::RequestFieldNewlyRequired,
        ChangeKind::EnumValueRemoved,
        ChangeKind::MediaTypeRemoved,
        ChangeKind::ResponseRemoved,
        ChangeKind::ResponseFieldRemoved,
        ChangeKind::ResponseFieldNewlyOptional,
        ChangeKind::TypeChanged,
    ];
    let ids: BTreeSet<&str> = all.iter().map(|k| k.as_str()).collect();
    assert_eq!(ids.len(), all.len());
    assert!(
        ids.iter()
            .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    );
    assert!(ids.contains("type-changed") && ids.contains("response-field-removed"));
}

#[test]
fn a_range_narrowed_to_a_code_is_not_a_removal() {
    let status = |code: &str| post(json!({"responses": {code: {"description": "x"}}}));
    assert_eq!(brief(&status("2XX"), &status("200")), []);
    assert_eq!(
        brief(&status("2XX"), &status("404")),
        one("response-removed", "success response `2XX` was removed")
    );
}

#[test]
fn a_write_only_field_is_never_in_a_response() {
    let schema = |props: serde_json::Value| post(ok(json!({"properties": props})));
    let old = schema(json!({"password": {"type": "string", "writeOnly": true}, "id": {}}));
    assert_eq!(brief(&old, &schema(json!({"id": {}}))), []);
    assert_eq!(
        brief(
            &old,
            &schema(json!({"password": {"type": "string", "writeOnly": true}}))
        ),
        one(
            "response-field-removed",
            "response field `id` of `200` was removed"
        )
    );
}

#[test]
fn long_chains_of_all_of_and_references_do_not_exhaust_the_stack() {
    let mut schemas = serde_json::Map::new();
    for i in 0..3000 {
        let next = json!({"$ref": format!("#/components/schemas/A{}", i + 1)});
        schemas.insert(format!("A{i}"), json!({"allOf": [next]}));
        schemas.insert(
            format!("R{i}"),
            json!({"$ref": format!("#/components/schemas/R{}", i + 1)}),
        );
    }
    schemas.insert("A3000".into(), json!({"properties": {"x": {}}}));
    schemas.insert("R3000".into(), json!({"properties": {"x": {}}}));
    let paths = json!({"/a": {"get": ok(json!({"$ref": "#/components/schemas/A0"}))},
        "/r": {"get": ok(json!({"$ref": "#/components/schemas/R0"}))}});
    let old = api(paths.clone(), json!({"schemas": schemas.clone()}));
    schemas.insert("A3000".into(), json!({"properties": {}}));
    schemas.insert("R3000".into(), json!({"properties": {}}));
    let new = api(paths, json!({"schemas": schemas}));
    // Past the bounds nothing is compared (and nothing is reported).
    assert_eq!(brief(&old, &new), []);
}

#[test]
fn json_documents_are_located_too() {
    let e = error(
        "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {\n    \"/a\": {\"get\": {}},\n    \"b\": {}\n  }\n}",
    );
    assert_eq!(e.message, "path `b` does not start with `/`");
    assert_eq!((e.line, e.column), (5, 5));
}

mod no_panic {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any text parses or is refused; a fixture with one byte range cut
        /// out or replaced parses or is refused, and compares both ways.
        #[test]
        fn parsing_and_comparing_never_panic(
            text in "\\PC{0,200}",
            at in 0usize..4000,
            len in 0usize..40,
            with in "[ :{}\\[\\]$#'\"\\n-]{0,3}",
        ) {
            let _ = OpenApi::parse(&text, 1 << 16, 32);
            for fixture in [V310, V320] {
                // The fixtures are ASCII: every index is a character boundary.
                let start = at.min(fixture.len());
                let end = (start + len).min(fixture.len());
                let mutated = format!("{}{with}{}", &fixture[..start], &fixture[end..]);
                if let Ok(doc) = OpenApi::parse(&mutated, 1 << 16, 32) {
                    let other = parse(fixture);
                    let _ = breaking_changes(&doc, &other);
                    let _ = breaking_changes(&other, &doc);
                    for op in doc.operations() {
                        prop_assert!(doc.has_operation(&op));
                    }
                }
            }
        }
    }
}

/// A response schema reached through 70 distinct components
/// (`S0.next → S1 … → S69`), whose last field `leaf` the new document
/// removes: deeper than the comparison goes.
fn chain(with_leaf: bool) -> OpenApi {
    let mut components = serde_json::Map::new();
    for i in 0..70 {
        let mut props = serde_json::Map::new();
        if i < 69 {
            props.insert(
                "next".into(),
                json!({"$ref": format!("#/components/schemas/S{}", i + 1)}),
            );
        } else if with_leaf {
            props.insert("leaf".into(), json!({"type": "string"}));
        }
        components.insert(
            format!("S{i}"),
            json!({"type": "object", "properties": props}),
        );
    }
    api(
        json!({"/payments": {"get": ok(json!({"$ref": "#/components/schemas/S0"}))}}),
        json!({"schemas": components}),
    )
}

#[test]
fn a_comparison_cut_short_by_a_bound_is_reported_not_passed() {
    let changes = brief(&chain(true), &chain(false));
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].0, "comparison-incomplete");
    assert!(
        changes[0].1.contains("deeper than 64 levels"),
        "{}",
        changes[0].1
    );
    // The same depth with nothing removed is still not known to be safe.
    assert_eq!(
        brief(&chain(true), &chain(true))[0].0,
        "comparison-incomplete"
    );
}
