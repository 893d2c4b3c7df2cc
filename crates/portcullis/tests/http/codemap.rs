//! ARCHITECTURE.md is a true codemap (issue 14): every source module of every
//! crate is named in it, by its path (`http/oauth/code`), its crate-relative
//! name in prose, a glob (`http/management/*`) or a group
//! (`http/oauth/{authorize,userinfo}`).

use std::path::Path;

fn modules(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            modules(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let rel = rel.to_string_lossy().replace('\\', "/");
            let name = match rel.strip_suffix("/mod") {
                Some(dir) => dir.to_string(),
                None => rel,
            };
            // Unit-test files beside their module are the module's.
            if !matches!(name.as_str(), "lib" | "main" | "tests") && !name.ends_with("/tests") {
                out.push(name);
            }
        }
    }
}

fn named(map: &str, module: &str) -> bool {
    // A module, or a folder whose modules are named (`http/oauth/token`).
    if map.contains(&format!("`{module}`")) || map.contains(&format!("`{module}/")) {
        return true;
    }
    // A glob or a group over the module's folder.
    let mut prefix = String::new();
    for part in module.split('/') {
        let glob = format!("`{prefix}*`");
        if !prefix.is_empty() && map.contains(&glob) {
            return true;
        }
        prefix.push_str(part);
        prefix.push('/');
    }
    if let Some((dir, leaf)) = module.rsplit_once('/') {
        for group in map.split(&format!("`{dir}/{{")).skip(1) {
            let names = group.split('}').next().unwrap_or_default();
            if names.split(',').any(|n| n.trim() == leaf) {
                return true;
            }
        }
    }
    false
}

#[test]
fn every_source_module_is_in_the_codemap() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    for krate in [
        "portcullis",
        "portcullis-core",
        "portcullis-store",
        "portcullis-sandbox",
        "portcullis-bench",
    ] {
        let src = root.join("crates").join(krate).join("src");
        let mut found = Vec::new();
        modules(&src, &src, &mut found);
        for m in found {
            if !named(&map, &m) {
                missing.push(format!("{krate}: {m}"));
            }
        }
    }
    assert!(missing.is_empty(), "not in ARCHITECTURE.md: {missing:#?}");
}
