//! Embeds the standard policy pack (`policies/`, without tests and test
//! data) into the library, so `Bundle::builtin()` needs no files at run time.

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
    for f in &files {
        let rel = f.strip_prefix(&pack).unwrap_or(f).display().to_string();
        let abs = f.canonicalize().unwrap_or(f.clone());
        println!("cargo:rerun-if-changed={}", abs.display());
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("builtin_pack.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
