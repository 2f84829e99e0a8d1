//! JSON pointers and local `$ref`s: escaping and building pointers,
//! following references, and refusing those that are not local or do not resolve.

use serde_json::Value as Json;

use super::{MAX_REF_HOPS, OpenApiError};

/// Follows `$ref`s from `value` (at `ptr`) to a value that is not one.
/// None for a chain of references that comes back on itself.
pub(super) fn deref<'a>(
    root: &'a Json,
    mut value: &'a Json,
    mut ptr: String,
) -> Option<(&'a Json, String)> {
    for _ in 0..MAX_REF_HOPS {
        let Some(Json::String(r)) = value.get("$ref") else {
            return Some((value, ptr));
        };
        ptr = ref_pointer(r)?;
        value = root.pointer(&ptr)?;
    }
    None
}

/// The JSON pointer of a local `$ref` (`#/components/schemas/A%20B`).
fn ref_pointer(r: &str) -> Option<String> {
    let fragment = r.strip_prefix('#')?;
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .ok()
        .filter(|p| p.is_empty() || p.starts_with('/'))
}

/// Refuses a `$ref` that is not local or does not resolve. Values that are
/// data, not schema (`example`, `examples`, `default`, `enum`, `const`,
/// `x-*`), are not looked into.
pub(super) fn check_refs(
    value: &Json,
    path: &mut Vec<String>,
    text: &str,
) -> Result<(), OpenApiError> {
    let root_ok = |r: &str, root: &Json| ref_pointer(r).and_then(|p| root.pointer(&p).map(|_| ()));
    fn walk(
        value: &Json,
        root: &Json,
        path: &mut Vec<String>,
        check: &dyn Fn(&str, &Json) -> Option<()>,
    ) -> Result<(), (Vec<String>, String, bool)> {
        match value {
            Json::Object(map) => {
                for (k, v) in map {
                    path.push(k.clone());
                    if let (true, Json::String(r)) = (k == "$ref", v) {
                        if check(r, root).is_none() {
                            return Err((path.clone(), r.clone(), r.starts_with('#')));
                        }
                    } else if !matches!(
                        k.as_str(),
                        "example" | "examples" | "default" | "enum" | "const"
                    ) && !k.starts_with("x-")
                    {
                        walk(v, root, path, check)?;
                    }
                    path.pop();
                }
            }
            Json::Array(list) => {
                for (i, v) in list.iter().enumerate() {
                    path.push(i.to_string());
                    walk(v, root, path, check)?;
                    path.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(value, value, path, &root_ok).map_err(|(at, r, local)| {
        let e = if local {
            OpenApiError::new(format!("`$ref` `{r}` does not resolve"))
        } else {
            OpenApiError::new(format!("`$ref` `{r}` is not local")).hint(
                "only references inside the document (`#/...`) are followed: bundle the document first",
            )
        };
        e.located(text, &at)
    })
}

/// Escapes one JSON pointer token.
pub(super) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer of unescaped tokens.
pub(super) fn pointer(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("/{}", escape(t))).collect()
}
