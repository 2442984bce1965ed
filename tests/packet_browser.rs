//! The packet as a person meets it: built from a store and opened from disk in real
//! headless Chromium. A small script, added to a copy of the call page, records
//! console errors, waits for the audio to load, clicks a moment and a transcript
//! line, and writes what it saw into the DOM, which `--dump-dom` hands back. Network
//! access is blocked by resolving every host to nothing, so a page that reached out
//! would log an error. Screenshots land in the target directory for a developer to
//! look at.
//!
//! Skips (loudly) only when chromium is missing and KUULAS_REQUIRE_BROWSER is unset.

mod packet_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use packet_support::*;

const PROBE: &str = r##"<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  __errors.push(String(e.message || (e.target && (e.target.src || e.target.href)) || "error"));
}, true);
var __consoleError = console.error;
console.error = function () { __errors.push(Array.prototype.join.call(arguments, " ")); __consoleError.apply(console, arguments); };
function __wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
async function __clickAndRead(el, player) {
  el.click();
  await __wait(200);
  return { target: parseFloat(el.getAttribute("data-t")), now: player.currentTime };
}
window.addEventListener("load", async function () {
  var out = {};
  var player = document.getElementById("player");
  out.hasPlayer = !!player;
  if (player) {
    for (var i = 0; i < 50 && player.readyState < 1 && !player.error; i++) await __wait(100);
    out.readyState = player.readyState;
    out.duration = player.duration;
    out.mediaError = player.error ? player.error.code : null;
    await __wait(100);
    out.initial = player.currentTime;
    var moments = document.querySelectorAll(".moment [data-t]");
    out.moments = moments.length;
    if (moments.length) out.moment = await __clickAndRead(moments[moments.length - 1], player);
    var lines = document.querySelectorAll(".line[data-t]");
    out.lines = lines.length;
    if (lines.length > 1) out.line = await __clickAndRead(lines[1], player);
  }
  var filter = document.querySelector('#filters select[data-key="behaviour"]');
  if (filter && filter.options.length > 1) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#entries tr.entry"));
    filter.value = filter.options[1].value;
    filter.dispatchEvent(new Event("change"));
    var shown = rows.filter(function (r) { return !r.hidden; });
    out.filter = { rows: rows.length, shown: shown.length,
      match: shown.every(function (r) { return r.getAttribute("data-behaviour") === filter.value; }) };
  }
  out.resources = performance.getEntriesByType("resource").map(function (e) { return e.name; });
  out.errors = __errors;
  var pre = document.createElement("pre");
  pre.id = "kuulas-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"##;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .map(|name| Command::new("which").arg(name).output())
        .filter_map(Result::ok)
        .find(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
}

fn browser(exe: &Path, profile: &Path, extra: &[String], url: &str) -> std::process::Output {
    Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--mute-audio",
            "--autoplay-policy=no-user-gesture-required",
            "--allow-file-access-from-files",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium starts")
}

/// Opens `page` with the probe added and returns what the probe saw.
fn probe(exe: &Path, page: &Path) -> serde_json::Value {
    probe_at(exe, page, "")
}

/// [`probe`] with `fragment` (e.g. `#t=9`) added to the page's address.
fn probe_at(exe: &Path, page: &Path, fragment: &str) -> serde_json::Value {
    let html = std::fs::read_to_string(page).unwrap();
    let probed = page.with_extension("probe.html");
    std::fs::write(
        &probed,
        html.replacen("<head>", &format!("<head>{PROBE}"), 1),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = browser(
        exe,
        profile.path(),
        &["--dump-dom".into(), "--virtual-time-budget=15000".into()],
        &format!("file://{}{fragment}", probed.display()),
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    std::fs::remove_file(&probed).unwrap();
    let start = dom.find("<pre id=\"kuulas-probe\">").unwrap_or_else(|| {
        panic!(
            "probe did not finish; stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let json = &dom[start + "<pre id=\"kuulas-probe\">".len()..];
    let json = &json[..json.find("</pre>").unwrap()];
    let json = json
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn screenshot(exe: &Path, page: &Path, name: &str) -> PathBuf {
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let profile = tempfile::tempdir().unwrap();
    browser(
        exe,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,1800".into(),
        ],
        &format!("file://{}", page.display()),
    );
    assert!(shot.is_file(), "no screenshot at {}", shot.display());
    shot
}

fn assert_offline_and_clean(page: &Path, seen: &serde_json::Value) {
    assert_eq!(
        seen["errors"],
        serde_json::json!([]),
        "{}: console errors",
        page.display()
    );
    for r in seen["resources"].as_array().unwrap() {
        assert!(
            r.as_str().unwrap().starts_with("file://"),
            "network request {r}"
        );
    }
}

#[test]
fn packet_pages_work_in_headless_chromium() {
    let Some(exe) = chromium() else {
        assert!(
            std::env::var_os("KUULAS_REQUIRE_BROWSER").is_none(),
            "KUULAS_REQUIRE_BROWSER is set but chromium is not installed (scripts/setup-browser.sh)"
        );
        eprintln!(
            "\n\n*** SKIPPED packet browser test: chromium not installed; run scripts/setup-browser.sh ***\n\n"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    let (code, _, stderr) = kuulas(&[
        "packet",
        "--store",
        night.store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");

    let call = page_of(&out, COLD);
    let seen = probe(&exe, &call);
    assert_offline_and_clean(&call, &seen);
    assert_eq!(seen["mediaError"], serde_json::Value::Null, "{seen}");
    assert!(
        seen["readyState"].as_u64().unwrap() >= 1,
        "audio did not load: {seen}"
    );
    assert!(
        (seen["duration"].as_f64().unwrap() - DURATION).abs() < 0.1,
        "{seen}"
    );
    for click in ["moment", "line"] {
        let target = seen[click]["target"].as_f64().unwrap();
        let now = seen[click]["now"].as_f64().unwrap();
        assert!(
            target > 0.0 && (now - target).abs() < 1.0,
            "{click} click: {seen}"
        );
    }

    let linked = probe_at(&exe, &call, "#t=9.5");
    let initial = linked["initial"].as_f64().unwrap();
    assert!(
        (initial - 9.5).abs() < 0.5,
        "#t= link did not seek: {linked}"
    );
    assert_offline_and_clean(
        &out.join("index.html"),
        &probe(&exe, &out.join("index.html")),
    );
    let catalogue = out.join("catalogue.html");
    let seen = probe(&exe, &catalogue);
    assert_offline_and_clean(&catalogue, &seen);
    let filter = &seen["filter"];
    let (rows, shown) = (
        filter["rows"].as_u64().unwrap(),
        filter["shown"].as_u64().unwrap(),
    );
    assert!(
        shown >= 1 && shown < rows && filter["match"] == true,
        "catalogue filter: {seen}"
    );

    let session = dir.path().join("session");
    let args = [
        "packet",
        "--store",
        night.store.to_str().unwrap(),
        "--session",
        "--out",
        session.to_str().unwrap(),
    ];
    assert_eq!(kuulas(&args).0, 0);
    assert_offline_and_clean(
        &session.join("index.html"),
        &probe(&exe, &session.join("index.html")),
    );
    for (page, name) in [
        (call, "packet-call.png"),
        (out.join("index.html"), "packet-overview.png"),
        (catalogue, "packet-catalogue.png"),
        (session.join("index.html"), "packet-session.png"),
    ] {
        eprintln!("screenshot: {}", screenshot(&exe, &page, name).display());
    }
}
