//! Architecture invariants of ARCHITECTURE.md checked against the source text:
//! the library's top-level modules depend on each other without a cycle, and
//! the library does not know the command line, nor an async runtime, and reaches
//! whisper.cpp through one adapter.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's source files (the binary's `main.rs` and `cli/` are not the library).
fn library_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.retain(|f| {
        let rel = f.strip_prefix(&src).unwrap();
        !(rel.starts_with("cli") || rel == Path::new("main.rs") || rel == Path::new("lib.rs"))
    });
    files.sort();
    files
}

/// `src/rubric/scoring.rs` → `rubric`, `src/atomic.rs` → `atomic`.
fn top_level_module(file: &Path) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let first = file
        .strip_prefix(&src)
        .unwrap()
        .components()
        .next()
        .unwrap();
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// The source without comments (doc links may name any module).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules `text` names as `crate::X`, `crate::{X, Y::…}`.
fn referenced_modules(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in text.match_indices("crate::") {
        // Not `kuulas_crate::` or the like.
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let body = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(
                body.split(',')
                    .map(|p| ident(p.trim()))
                    .filter(|p| !p.is_empty()),
            );
        } else {
            found.insert(ident(rest));
        }
    }
    found.retain(|m| !m.is_empty() && m != "self");
    found
}

/// Which top-level module uses which, and through which file.
fn module_graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut graph: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for file in library_files() {
        let from = top_level_module(&file);
        let text = code(&std::fs::read_to_string(&file).unwrap());
        for to in referenced_modules(&text) {
            if to != from {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| file.clone());
            }
        }
    }
    graph
}

/// A cycle in `graph`, as the modules along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeMap<String, PathBuf>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, PathBuf>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|e| e.keys()) {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_reference_parser_sees_every_form_of_a_crate_path() {
    let text = code(
        "use crate::rubric::text;\n\
         use crate::{metrics, store::Store};\n\
         let x = crate::atomic::write(p);\n\
         // crate::verify in a comment\n\
         let y = \"a // b\"; crate::escape::escape(y);",
    );
    let found: Vec<_> = referenced_modules(&text).into_iter().collect();
    assert_eq!(found, ["atomic", "escape", "metrics", "rubric", "store"]);
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let edge = |a: &str, b: &str| {
        (
            a.to_string(),
            BTreeMap::from([(b.to_string(), PathBuf::new())]),
        )
    };
    let cyclic = BTreeMap::from([edge("metrics", "rubric"), edge("rubric", "metrics")]);
    assert!(find_cycle(&cyclic).is_some());
    let acyclic = BTreeMap::from([edge("metrics", "finnish"), edge("rubric", "metrics")]);
    assert_eq!(find_cycle(&acyclic), None);
}

#[test]
fn top_level_modules_depend_on_each_other_without_a_cycle() {
    let graph = module_graph();
    assert!(graph.contains_key("rubric"), "the graph is read: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        let steps: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("{} → {} (in {})", w[0], w[1], graph[&w[0]][&w[1]].display()))
            .collect();
        panic!(
            "the library's modules form a cycle; move what both sides need into a module of its own:\n  {}",
            steps.join("\n  ")
        );
    }
}

#[test]
fn the_library_does_not_know_the_command_line() {
    let files = files_naming("clap::");
    assert!(
        files.is_empty(),
        "clap belongs to the binary (src/cli/); take plain options in: {files:?}"
    );
}

#[test]
fn kuulas_runs_no_async_runtime() {
    let files = files_naming("tokio::");
    assert!(
        files.is_empty(),
        "threads and std channels are kuulas's one concurrency model (ARCHITECTURE.md, \
         \"Threads\"): {files:?}"
    );
}

/// The library files whose code names `needle`, relative to `src/`.
fn files_naming(needle: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    library_files()
        .into_iter()
        .filter(|f| code(&std::fs::read_to_string(f).unwrap()).contains(needle))
        .map(|f| f.strip_prefix(&src).unwrap().display().to_string())
        .collect()
}

#[test]
fn whisper_cpp_is_reached_through_one_adapter() {
    // `whisper_rs::` and `use whisper_rs::{…}`; `whisper_rs_sys` is checked below.
    let mut bindings = files_naming("whisper_rs::");
    bindings.extend(files_naming("use whisper_rs;"));
    bindings.sort();
    bindings.dedup();
    assert_eq!(
        bindings,
        ["transcribe/whisper.rs"],
        "whisper_rs outside its adapter"
    );
    assert_eq!(
        files_naming("whisper_rs_sys::"),
        ["model/quantize.rs", "transcribe/whisper.rs"],
        "only the quantizer calls ggml directly; only the adapter calls whisper.cpp"
    );
}
