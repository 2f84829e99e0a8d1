//! Embeds the standard policy pack (`policies/`, without tests and test
//! data) into the library, so `Bundle::builtin()` needs no files at run time.
//!
//! Each file is embedded twice: its YAML text (the source: what the bundle
//! digest covers, and where positions are read from when one is needed)
//! and, when every document of it converts, the documents as one JSON
//! array (`null` for an empty document), which loading deserialises
//! instead of the YAML — several times faster. A file that does not
//! convert is embedded without JSON and loaded from its YAML.

use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !name.starts_with('.') && name != "testdata" {
                println!("cargo:rerun-if-changed={}", path.display());
                collect(&path, out);
            }
        } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
            && !name.ends_with(".test.yaml")
            && !name.ends_with(".test.yml")
        {
            out.push(path);
        }
    }
}

/// The documents of `text` as a JSON array, or `None` when one of them
/// is not plain JSON-shaped YAML (a non-string key, a tag, a syntax error).
fn as_json(text: &str) -> Option<String> {
    use serde::Deserialize;
    let mut docs = Vec::new();
    for de in yaml_serde::Deserializer::from_str(text) {
        docs.push(serde_json::Value::deserialize(de).ok()?);
    }
    serde_json::to_string(&docs).ok()
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let pack = manifest.join("../policies");
    println!("cargo:rerun-if-changed={}", pack.display());
    let mut files = Vec::new();
    collect(&pack, &mut files);
    files.sort();
    let mut code = String::from(
        "/// `(path, text)` of the built-in pack.\npub(crate) static FILES: &[(&str, &str)] = &[\n",
    );
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let mut parsed_all = String::from(
        "/// The documents of each file of [`FILES`] as a JSON array, where they convert.\n\
         pub(crate) static PARSED: &[Option<&str>] = &[\n",
    );
    for (i, f) in files.iter().enumerate() {
        let rel = f.strip_prefix(&pack).unwrap_or(f).display().to_string();
        let abs = f.canonicalize().unwrap_or(f.clone());
        println!("cargo:rerun-if-changed={}", abs.display());
        let json = std::fs::read_to_string(f).ok().and_then(|t| as_json(&t));
        let parsed = match json {
            Some(json) => {
                let path = out_dir.join(format!("builtin_{i}.json"));
                match std::fs::write(&path, json) {
                    Ok(()) => format!("Some(include_str!({:?}))", path.display().to_string()),
                    Err(_) => "None".to_string(),
                }
            }
            None => "None".to_string(),
        };
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
        parsed_all.push_str(&format!("    {parsed},\n"));
    }
    code.push_str("];\n");
    code.push_str(&parsed_all);
    code.push_str("];\n");
    let out = out_dir.join("builtin_pack.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
