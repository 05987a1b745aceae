//! Tidy checks of the workspace's invariants (docs/ARCHITECTURE.md), in the manner of
//! rust-analyzer's: plain reads of the source tree, no build, so a broken invariant fails
//! `cargo test` with the file and line to fix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Library and binary sources (not tests, benches or fixtures) as (path relative to the root,
/// numbered lines before the first `#[cfg(test)]`).
fn sources() -> Vec<(String, Vec<(usize, String)>)> {
    let root = root();
    let mut dirs = vec![root.join("src"), root.join("xtask/src")];
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        dirs.push(entry.path().join("src"));
    }
    let mut out = vec![];
    for dir in dirs {
        for file in rust_files(&dir) {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines = text
                .lines()
                .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
                .enumerate()
                .map(|(i, l)| (i + 1, l.to_string()))
                .collect();
            let rel = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, lines));
        }
    }
    out
}

/// Whether a line is a comment (documentation included).
fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with("//")
}

/// (workspace crates, burn) among a `Cargo.toml`'s `[dependencies]`.
fn manifest_deps(toml: &Path) -> (BTreeSet<String>, bool) {
    let text = std::fs::read_to_string(toml).unwrap();
    let mut in_deps = false;
    let (mut crates, mut burn) = (BTreeSet::new(), false);
    for line in text.lines() {
        if line.starts_with('[') {
            in_deps = line.trim() == "[dependencies]";
            continue;
        }
        let name = line.split(['.', '=', ' ']).next().unwrap_or("");
        if in_deps && name.starts_with("oms-") {
            crates.insert(name.to_string());
        }
        burn |= in_deps && name == "burn";
    }
    (crates, burn)
}

/// The crate entries of docs/ARCHITECTURE.md in order: (name, documented deps, burn).
fn documented() -> Vec<(String, BTreeSet<String>, bool)> {
    let text = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap();
    let section = text
        .split("## Crates")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let mut entries: Vec<String> = vec![];
    for line in section.lines() {
        if line.starts_with("- `oms-") {
            entries.push(line.to_string());
        } else if line.starts_with("  ")
            && let Some(e) = entries.last_mut()
        {
            e.push(' ');
            e.push_str(line.trim());
        } else if !line.starts_with("  ") {
            entries.push(String::new());
        }
    }
    entries
        .into_iter()
        .filter(|e| e.starts_with("- `oms-") && !e.starts_with("- `oms` "))
        .map(|e| {
            let name = e.split('`').nth(1).unwrap().to_string();
            let sentence = e
                .split("Depends on ")
                .nth(1)
                .unwrap_or_else(|| panic!("ARCHITECTURE.md: {name} has no 'Depends on' sentence"));
            let sentence = sentence.split(". ").next().unwrap();
            let deps = sentence
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|d| d.starts_with("oms-"))
                .map(str::to_string)
                .collect();
            let burn = sentence.contains("burn") && !sentence.contains("no burn");
            (name, deps, burn)
        })
        .collect()
}

#[test]
fn the_crate_graph_is_the_documented_one_and_layered() {
    let docs = documented();
    let mut actual = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        actual.insert(name, manifest_deps(&entry.path().join("Cargo.toml")));
    }
    let names: Vec<&String> = docs.iter().map(|d| &d.0).collect();
    assert_eq!(
        names.iter().copied().collect::<BTreeSet<_>>(),
        actual.keys().collect::<BTreeSet<_>>(),
        "docs/ARCHITECTURE.md must list every crate under crates/ once"
    );
    for (i, (name, deps, burn)) in docs.iter().enumerate() {
        let (real, real_burn) = &actual[name];
        assert_eq!(
            deps, real,
            "{name}: ARCHITECTURE.md vs crates/{name}/Cargo.toml"
        );
        assert_eq!(
            burn, real_burn,
            "{name}: burn in ARCHITECTURE.md vs Cargo.toml"
        );
        for d in deps {
            let at = names.iter().position(|n| *n == d).unwrap();
            assert!(at < i, "{name} depends on {d}, which is listed below it");
        }
    }
}

#[test]
fn crates_documented_without_burn_build_without_it() {
    let docs = documented();
    let burn: BTreeMap<&String, bool> = docs.iter().map(|(n, _, b)| (n, *b)).collect();
    for (name, _, has) in &docs {
        if *has {
            continue;
        }
        let mut stack = vec![name.clone()];
        let mut seen = BTreeSet::new();
        while let Some(c) = stack.pop() {
            if !seen.insert(c.clone()) {
                continue;
            }
            assert!(!burn[&c], "{name} reaches burn through {c}");
            let (deps, _) = manifest_deps(&root().join("crates").join(&c).join("Cargo.toml"));
            stack.extend(deps);
        }
    }
    assert!(
        !burn[&"oms-search".to_string()],
        "the search must build without burn"
    );
}

/// `(file, line)` of every source line matching `pat` outside `allowed` files, comments skipped.
fn offenders(pats: &[&str], allowed: &[&str]) -> Vec<String> {
    let mut out = vec![];
    for (file, lines) in sources() {
        if allowed.iter().any(|a| file.starts_with(a)) {
            continue;
        }
        for (n, line) in &lines {
            if !is_comment(line) && pats.iter().any(|p| line.contains(p)) {
                out.push(format!("{file}:{n}: {}", line.trim()));
            }
        }
    }
    out
}

#[test]
fn files_are_written_only_through_the_atomic_writer() {
    let writes = [
        "fs::write(",
        "File::create(",
        "OpenOptions",
        "fs::rename(",
        "fs::copy(",
    ];
    // The atomic writer itself, and the append-only label store (invariant 10).
    let allowed = [
        "crates/oms-artifacts/src/atomic.rs",
        "crates/oms-dataset/src/store.rs",
    ];
    let bad = offenders(&writes, &allowed);
    assert!(
        bad.is_empty(),
        "write through oms_artifacts::write_atomic(_with):\n{}",
        bad.join("\n")
    );
    // Burn stores that write a file (opened with `overwrite(true)`) and optimizer records do so
    // inside the atomic writer; stores serialised to bytes go through `write_atomic`.
    for (file, lines) in sources() {
        let text: String = lines
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let saves = text.contains(".overwrite(true)") || text.contains("optim.save(");
        assert!(
            !saves || text.contains("write_atomic_with") || text.contains("Content::Writer"),
            "{file} saves a burn store to a file outside the atomic writer"
        );
    }
}

#[test]
fn solver_coefficients_meet_tensors_only_in_the_samplers_combine() {
    // Outside the solver crate (plain f64), only `oms_sampler::combine` reads the terms of a
    // linear combination and applies them.
    let bad = offenders(
        &["Term::", "LinComb("],
        &["crates/oms-solver/", "crates/oms-sampler/src/combine.rs"],
    );
    assert!(
        bad.is_empty(),
        "apply StepPlans through oms_sampler::lincomb:\n{}",
        bad.join("\n")
    );
}

#[test]
fn image_sizes_are_not_hard_coded_outside_data_zoo_and_feature_networks() {
    let sizes = ["784", "28, 28", "28 * 28", "[28", "28x28"];
    let allowed = [
        "crates/oms-data/",
        "crates/oms-zoo/",
        "crates/oms-metrics/src/features/",
    ];
    let bad: Vec<String> = offenders(&sizes, &allowed)
        .into_iter()
        // Help texts and messages may name the datasets' size.
        .filter(|l| !l.contains("\"") || l.contains("vec!["))
        .collect();
    assert!(
        bad.is_empty(),
        "take the image shape from the zoo manifest:\n{}",
        bad.join("\n")
    );
}
