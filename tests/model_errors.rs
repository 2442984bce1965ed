//! `kuulas model import` and `model info` on synthetic models: a non-base model
//! imports with its own dimensions (checked against the reference converter where
//! numpy is installed), and every kind of bad input gives one clear line naming the
//! file and the cause, exit code 2 (1 for `info`), and leaves no output behind.

mod model_ct2_fixture;

use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use model_ct2_fixture::{Dims, Var, model_bin, vocabulary, whisper_vars, write_model_dir};

fn kuulas() -> Command {
    Command::cargo_bin("kuulas").unwrap()
}

/// Runs an import that must fail; returns its error line. Checks nothing was written
/// and that a file already at the output path survives untouched.
fn failed_import(ct2: &Path, scratch: &Path) -> String {
    let out = scratch.join("out.bin");
    std::fs::write(&out, b"previous model").unwrap();
    let assert = kuulas()
        .args(["model", "import", "--ct2"])
        .arg(ct2)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(std::fs::read(&out).unwrap(), b"previous model");
    let leftovers: Vec<_> = std::fs::read_dir(scratch)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "expected one error line, got: {stderr}");
    errors[0].to_string()
}

#[test]
fn a_custom_model_imports_with_its_own_dimensions() {
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    let out = scratch.path().join("tiny.bin");
    kuulas()
        .args(["model", "import", "--ct2"])
        .arg(&ct2)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let info = kuulas::model::inspect(&out).unwrap();
    let h = info.hparams;
    assert_eq!(
        (h.n_mels, h.n_audio_state, h.n_audio_layer, h.n_text_layer),
        (128, 64, 2, 2)
    );
    assert_eq!(
        (h.n_vocab, h.n_audio_ctx, h.n_text_ctx, h.n_audio_head),
        (300, 30, 16, 1)
    );
    assert_eq!(info.kind, "unknown custom");
    assert!(!info.multilingual());
    // 245 tensors for base's 6+6 layers; 15 per encoder block, 24 per decoder block.
    assert_eq!(info.tensors, 5 + 2 * 15 + 2 + 2 + 2 * 24 + 2);
    let dir_info = kuulas::model::inspect(&ct2).unwrap();
    assert_eq!(dir_info.hparams.n_mels, 128);
}

/// Reference converter as an oracle for f32 input, 128 mels and odd sizes.
#[test]
fn a_custom_model_matches_the_reference_converter() {
    let Some((python, reference)) = model_ct2_fixture::reference_converter() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    let (ours, theirs) = (
        scratch.path().join("ours.bin"),
        scratch.path().join("theirs.bin"),
    );
    let status = StdCommand::new(python)
        .arg(reference)
        .arg(ct2.join("model.bin"))
        .arg(ct2.join("vocabulary.txt"))
        .arg(&theirs)
        .status()
        .unwrap();
    assert!(status.success());
    kuulas()
        .args(["model", "import", "--ct2"])
        .arg(&ct2)
        .arg("--out")
        .arg(&ours)
        .assert()
        .success();
    assert!(
        std::fs::read(&ours).unwrap() == std::fs::read(&theirs).unwrap(),
        "outputs differ"
    );
}

#[test]
fn parts_in_the_wrong_order_are_detected() {
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    let whole = std::fs::read(ct2.join("model.bin")).unwrap();
    std::fs::remove_file(ct2.join("model.bin")).unwrap();
    let (head, tail) = whole.split_at(whole.len() / 2);
    std::fs::write(ct2.join("model.bin.part1"), tail).unwrap();
    std::fs::write(ct2.join("model.bin.part2"), head).unwrap();
    let line = failed_import(&ct2, scratch.path());
    assert!(
        line.contains("model.bin.part1") && line.contains("wrong order"),
        "{line}"
    );

    // In the right order the same parts import.
    std::fs::write(ct2.join("model.bin.part1"), head).unwrap();
    std::fs::write(ct2.join("model.bin.part2"), tail).unwrap();
    let out = scratch.path().join("ok.bin");
    kuulas()
        .args(["model", "import", "--ct2"])
        .arg(&ct2)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn a_truncated_model_is_reported_with_its_file() {
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    let whole = std::fs::read(ct2.join("model.bin")).unwrap();
    std::fs::write(ct2.join("model.bin"), &whole[..whole.len() * 2 / 3]).unwrap();
    let line = failed_import(&ct2, scratch.path());
    assert!(
        line.contains("model.bin") && line.contains("ends early"),
        "{line}"
    );
}

#[test]
fn a_missing_second_part_is_reported() {
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    std::fs::rename(ct2.join("model.bin"), ct2.join("model.bin.part1")).unwrap();
    let line = failed_import(&ct2, scratch.path());
    assert!(line.contains("model.bin.part2 is missing"), "{line}");
}

#[test]
fn a_non_model_file_is_reported() {
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    std::fs::create_dir_all(&ct2).unwrap();
    std::fs::write(ct2.join("model.bin"), "<html>404 Not Found</html>\n").unwrap();
    std::fs::write(ct2.join("vocabulary.txt"), vocabulary(10)).unwrap();
    let line = failed_import(&ct2, scratch.path());
    assert!(
        line.contains("model.bin") && line.contains("not a CTranslate2 model file"),
        "{line}"
    );
}

#[test]
fn another_spec_is_refused_by_name() {
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    let vars = whisper_vars(&Dims::tiny());
    std::fs::write(ct2.join("model.bin"), model_bin("TransformerSpec", &vars)).unwrap();
    let line = failed_import(&ct2, scratch.path());
    assert!(
        line.contains("TransformerSpec") && line.contains("not WhisperSpec"),
        "{line}"
    );
}

#[test]
fn a_missing_directory_or_tensor_is_reported() {
    let scratch = tempfile::tempdir().unwrap();
    let line = failed_import(&scratch.path().join("nowhere"), scratch.path());
    assert!(
        line.contains("nowhere") && line.contains("does not exist"),
        "{line}"
    );

    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    let vars: Vec<Var> = whisper_vars(&Dims::tiny())
        .into_iter()
        .filter(|v| v.name != "decoder/layer_1/ffn/layer_norm/gamma")
        .collect();
    std::fs::write(ct2.join("model.bin"), model_bin("WhisperSpec", &vars)).unwrap();
    let line = failed_import(&ct2, scratch.path());
    assert!(
        line.contains("decoder/layer_1/ffn/layer_norm/gamma is missing"),
        "{line}"
    );
}

#[test]
fn an_int8_model_is_refused_with_the_fix() {
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    let mut vars = whisper_vars(&Dims::tiny());
    for v in vars
        .iter_mut()
        .filter(|v| v.name.ends_with("ffn/linear_0/weight"))
    {
        v.dtype = 1;
        v.data.truncate(v.data.len() / 4);
    }
    std::fs::write(ct2.join("model.bin"), model_bin("WhisperSpec", &vars)).unwrap();
    let line = failed_import(&ct2, scratch.path());
    assert!(
        line.contains("int8") && line.contains("--quantization float16"),
        "{line}"
    );
}

#[test]
fn info_names_the_file_and_why_it_is_not_a_model() {
    let scratch = tempfile::tempdir().unwrap();
    let ct2 = scratch.path().join("ct2");
    write_model_dir(&ct2, &Dims::tiny());
    let good = scratch.path().join("good.bin");
    kuulas()
        .args(["model", "import", "--ct2"])
        .arg(&ct2)
        .arg("--out")
        .arg(&good)
        .assert()
        .success();
    kuulas()
        .args(["model", "info"])
        .arg(&good)
        .assert()
        .success()
        .stdout(predicates::str::contains("unknown custom"))
        .stdout(predicates::str::contains("n_mels:     128"));

    let bytes = std::fs::read(&good).unwrap();
    let cut = scratch.path().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    let text = scratch.path().join("notes.txt");
    std::fs::write(&text, "just some notes\n").unwrap();
    for (path, cause) in [(&cut, "ends early"), (&text, "no ggml magic")] {
        let assert = kuulas().args(["model", "info"]).arg(path).assert().code(1);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&*path.to_string_lossy()) && stderr.contains(cause),
            "{stderr}"
        );
    }
}
