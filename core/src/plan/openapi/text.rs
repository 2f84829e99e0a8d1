//! Reading the document text: JSON or YAML parsed within the limits, and
//! line/column positions found in the text (a repeated key, a pointer's target).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::OpenApiError;

/// Parses the text as JSON or YAML, refusing aliases, deep flow nesting
/// before parsing, and keys given twice.
pub(super) fn read(text: &str, max_depth: usize) -> Result<Json, OpenApiError> {
    #[derive(serde::Deserialize)]
    struct Root(#[serde(deserialize_with = "crate::model::unique::values")] BTreeMap<String, Json>);
    let not_mapping = |m: &str| m.starts_with("invalid type");
    let strip = |m: String| match m.find(" at line ") {
        Some(i) => m.get(..i).unwrap_or_default().to_string(),
        None => m,
    };
    let root = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Root>(text).map_err(|e| {
            let m = strip(e.to_string());
            OpenApiError::new(format!("invalid JSON: {m}")).at((e.line(), e.column()))
        })?
    } else {
        if let Some(pos) = crate::limits::yaml_alias(text) {
            return Err(OpenApiError::new("aliases (`*name`) are not allowed in an OpenAPI document")
                .at(pos)
                .hint("write the value out: an alias can multiply the size of a document past every limit"));
        }
        if let Some(pos) = crate::limits::yaml_too_deep(text, max_depth) {
            return Err(OpenApiError::new(format!(
                "the document nests deeper than {max_depth} levels"
            ))
            .at(pos));
        }
        match yaml_serde::from_str::<Root>(text) {
            Ok(root) => root,
            Err(e) if not_mapping(&e.to_string()) => {
                return Ok(Json::Null);
            }
            Err(e) => {
                let message = e.to_string();
                let pos = match message.contains("duplicate key") {
                    true => duplicate_key(text),
                    false => None,
                };
                let pos = pos.or_else(|| e.location().map(|l| (l.line(), l.column())));
                let pos = pos.unwrap_or((0, 0));
                return Err(
                    OpenApiError::new(format!("invalid YAML: {}", strip(e.to_string()))).at(pos),
                );
            }
        }
    };
    Ok(Json::Object(root.0.into_iter().collect()))
}

/// The path to the first value nested deeper than `max` mappings and
/// sequences.
pub(super) fn too_deep(value: &Json, max: usize) -> Option<Vec<String>> {
    let children: Box<dyn Iterator<Item = (String, &Json)>> = match value {
        Json::Object(m) => Box::new(m.iter().map(|(k, v)| (k.clone(), v))),
        Json::Array(l) => Box::new(l.iter().enumerate().map(|(i, v)| (i.to_string(), v))),
        _ => return None,
    };
    if max == 0 {
        return Some(Vec::new());
    }
    for (k, v) in children {
        if let Some(mut path) = too_deep(v, max - 1) {
            path.insert(0, k);
            return Some(path);
        }
    }
    None
}

/// Where a mapping first repeats a key: 1-based line and column.
fn duplicate_key(text: &str) -> Option<(usize, usize)> {
    use saphyr_parser::{Event, Parser};
    // A mapping's keys so far and whether a key comes next; None for a sequence.
    let mut stack: Vec<Option<(BTreeSet<String>, bool)>> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        let opens = match &event {
            Event::MappingStart(..) => Some(Some((BTreeSet::new(), true))),
            Event::SequenceStart(..) => Some(None),
            Event::Scalar(..) | Event::Alias(_) => None,
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                continue;
            }
            _ => continue,
        };
        if let Some(Some((keys, awaiting))) = stack.last_mut() {
            if let (true, Event::Scalar(key, ..)) = (*awaiting, &event) {
                if !keys.insert(key.to_string()) {
                    return Some((span.start.line(), span.start.col() + 1));
                }
            }
            *awaiting = !*awaiting;
        }
        stack.extend(opens);
    }
    None
}

/// Where the value (or, in a mapping, the key) at `tokens` starts in
/// `text`: 1-based line and column, read from the YAML events (JSON is
/// read the same way).
pub(super) fn locate(text: &str, tokens: &[String]) -> Option<(usize, usize)> {
    use saphyr_parser::{Event, Parser};
    /// A mapping (awaiting a key when None), a sequence (the next index),
    /// or a container inside a complex mapping key (nothing to find there).
    enum Frame {
        Map(Option<String>),
        Seq(usize),
        Key,
    }
    let path_is = |frames: &[Frame], last: Option<&str>| {
        let mut path = Vec::with_capacity(frames.len() + 1);
        for f in frames {
            match f {
                Frame::Map(Some(k)) => path.push(k.as_str().to_string()),
                Frame::Seq(i) => path.push(i.to_string()),
                _ => return false,
            }
        }
        path.extend(last.map(str::to_string));
        path == tokens
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        let pos = (span.start.line(), span.start.col() + 1);
        let (scalar, opens) = match &event {
            Event::Scalar(s, ..) => (Some(s.to_string()), None),
            Event::Alias(_) => (Some(String::new()), None),
            Event::MappingStart(..) => (None, Some(Frame::Map(None))),
            Event::SequenceStart(..) => (None, Some(Frame::Seq(0))),
            Event::MappingEnd | Event::SequenceEnd => {
                let ended = stack.pop();
                match (ended, stack.last_mut()) {
                    (_, Some(Frame::Key)) | (_, None) => {}
                    (Some(Frame::Key), Some(Frame::Map(key))) => *key = Some(String::new()),
                    (_, Some(Frame::Map(key))) => *key = None,
                    (_, Some(Frame::Seq(i))) => *i += 1,
                }
                continue;
            }
            _ => continue,
        };
        if stack.iter().any(|f| matches!(f, Frame::Key)) {
            if opens.is_some() {
                stack.push(Frame::Key);
            }
            continue;
        }
        let (parents, top) = match stack.split_last_mut() {
            Some((top, parents)) => (&*parents, Some(top)),
            None => (&[][..], None),
        };
        if let Some(Frame::Map(key @ None)) = top {
            // A mapping key: the target when it names the last token.
            match scalar {
                Some(s) if path_is(parents, Some(&s)) => return Some(pos),
                Some(s) => *key = Some(s),
                None => stack.push(Frame::Key),
            }
            continue;
        }
        if path_is(&stack, None) {
            return Some(pos);
        }
        match (opens, stack.last_mut()) {
            (Some(frame), _) => stack.push(frame),
            (None, Some(Frame::Map(key))) => *key = None,
            (None, Some(Frame::Seq(i))) => *i += 1,
            (None, _) => {}
        }
    }
    None
}
