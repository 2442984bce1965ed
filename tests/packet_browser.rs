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
    if (moments.length) {
      // By keyboard: the first moment is a tab stop, and Enter on it seeks.
      var first = moments[0];
      first.focus();
      first.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      await __wait(200);
      out.keyboard = { tabbable: first.tabIndex >= 0 && document.activeElement === first,
        target: parseFloat(first.getAttribute("data-t")), now: player.currentTime };
    }
  }
  var seekButtons = document.querySelectorAll("button.seek[data-p]");
  out.seekButtons = seekButtons.length;
  if (seekButtons.length) {
    var button = seekButtons[seekButtons.length - 1];
    var own = document.getElementById(button.getAttribute("data-p"));
    for (var j = 0; j < 50 && own && own.readyState < 1; j++) await __wait(100);
    button.click();
    await __wait(200);
    out.seek = { target: parseFloat(button.getAttribute("data-t")), now: own ? own.currentTime : null };
  }
  out.overflow = document.documentElement.scrollWidth - window.innerWidth;
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
    probe_with(exe, page, fragment, PROBE, "1280,1800")
}

/// Opens a copy of `page` with `script` added to its head, in a window of `size`
/// (`W,H`), and returns the JSON the script left in `<pre id="kuulas-probe">`.
fn probe_with(
    exe: &Path,
    page: &Path,
    fragment: &str,
    script: &str,
    size: &str,
) -> serde_json::Value {
    let html = std::fs::read_to_string(page).unwrap();
    let probed = page.with_extension("probe.html");
    std::fs::write(
        &probed,
        html.replacen("<head>", &format!("<head>{script}"), 1),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = browser(
        exe,
        profile.path(),
        &[
            "--dump-dom".into(),
            "--virtual-time-budget=15000".into(),
            format!("--window-size={size}"),
        ],
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
    screenshot_at(exe, page, name, "1280,1800")
}

/// A screenshot of `page` in a window of `size` (`W,H`), kept in the target directory.
fn screenshot_at(exe: &Path, page: &Path, name: &str, size: &str) -> PathBuf {
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let profile = tempfile::tempdir().unwrap();
    browser(
        exe,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            format!("--window-size={size}"),
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

/// A browser test that cannot run here: fails when KUULAS_REQUIRE_BROWSER is set
/// (CI), else says loudly that `test` was skipped for want of `missing`.
fn skip(test: &str, missing: &str) {
    assert!(
        std::env::var_os("KUULAS_REQUIRE_BROWSER").is_none(),
        "KUULAS_REQUIRE_BROWSER is set but {missing} is missing (scripts/setup-browser.sh)"
    );
    eprintln!("\n\n*** SKIPPED {test}: {missing} missing; run scripts/setup-browser.sh ***\n\n");
}

#[test]
fn packet_pages_work_in_headless_chromium() {
    let Some(exe) = chromium() else {
        return skip("packet browser test", "chromium");
    };
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    let (code, _, stderr) = kuulas(&[
        "packet",
        "--audio",
        "full",
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
    for click in ["moment", "line", "keyboard"] {
        let target = seen[click]["target"].as_f64().unwrap();
        let now = seen[click]["now"].as_f64().unwrap();
        assert!(
            target > 0.0 && (now - target).abs() < 1.0,
            "{click} click: {seen}"
        );
    }

    assert_eq!(seen["keyboard"]["tabbable"], true, "{seen}");

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
    let seen = probe(&exe, &session.join("index.html"));
    assert_offline_and_clean(&session.join("index.html"), &seen);
    let (target, now) = (
        seen["seek"]["target"].as_f64().unwrap(),
        seen["seek"]["now"].as_f64().unwrap(),
    );
    assert!(
        target > 0.0 && (now - target).abs() < 1.0,
        "a session jump button seeks its own call's player: {seen}"
    );
    let across = out.join("across.html");
    assert_offline_and_clean(&across, &probe(&exe, &across));
    for (page, name) in [
        (call, "packet-call.png"),
        (out.join("index.html"), "packet-overview.png"),
        (catalogue, "packet-catalogue.png"),
        (across, "packet-across.png"),
        (session.join("index.html"), "packet-session.png"),
    ] {
        eprintln!("screenshot: {}", screenshot(&exe, &page, name).display());
    }
}

/// Measures the page at the window's width and runs axe-core's WCAG 2 A/AA rules.
const AXE_RUN: &str = r##"<script>
window.addEventListener("load", async function () {
  var out = { overflow: document.documentElement.scrollWidth - window.innerWidth };
  try {
    var result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    out.violations = result.violations.map(function (v) {
      return { id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }) };
    });
    out.passes = result.passes.length;
  } catch (e) {
    out.error = String(e);
  }
  var pre = document.createElement("pre");
  pre.id = "kuulas-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"##;

/// axe-core as `scripts/setup-browser.sh` installs it from npm (tests/axe).
fn axe_source() -> Option<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(path).ok()
}

/// Issue 19, points 6 and 9: every page kind fits a 400 px phone (nothing wider
/// than the screen), passes axe-core's WCAG 2.1 A/AA rules, and is photographed at
/// desktop and phone width for a person to look at.
#[test]
fn every_page_fits_a_phone_and_passes_axe() {
    let (Some(exe), Some(axe)) = (chromium(), axe_source()) else {
        return skip(
            "packet accessibility test",
            "chromium or axe-core (tests/axe/node_modules)",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    let session = dir.path().join("session");
    for (folder, extra) in [(&out, None), (&session, Some("--session"))] {
        let mut args = vec![
            "packet",
            "--store",
            night.store.to_str().unwrap(),
            "--out",
            folder.to_str().unwrap(),
        ];
        args.extend(extra);
        let (code, _, stderr) = kuulas(&args);
        assert_eq!(code, 0, "{stderr}");
    }
    // The across page with its lists: a second night with a broken promise and a
    // complaint not passed on, every run in the packet.
    let rich = tempfile::tempdir().unwrap();
    let rich_night = build(rich.path());
    add_promise_night(&rich_night);
    let across = rich.path().join("packet");
    let args = [
        "packet",
        "--store",
        rich_night.store.to_str().unwrap(),
        "--run",
        "all",
        "--audio",
        "none",
        "--as-of",
        "2026-11-27T12:00:00+02:00",
        "--out",
        across.to_str().unwrap(),
    ];
    let (code, _, stderr) = kuulas(&args);
    assert_eq!(code, 0, "{stderr}");
    let across_html = std::fs::read_to_string(across.join("across.html")).unwrap();
    assert!(
        across_html.contains("rikottu") && across_html.contains("Valitus"),
        "{across_html}"
    );
    // The script is inlined, as the packet's own are: a page loads nothing.
    let script = format!("<script>{axe}</script>{AXE_RUN}");
    let pages = [
        (out.join("index.html"), "overview"),
        (page_of(&out, COLD), "call"),
        (out.join("catalogue.html"), "catalogue"),
        (across.join("across.html"), "across"),
        (page_of(&across, PROMISED), "call-with-promise"),
        (session.join("index.html"), "session"),
    ];
    let mut problems = Vec::new();
    for (page, kind) in &pages {
        let seen = probe_with(&exe, page, "", &script, "400,900");
        if let Some(e) = seen.get("error") {
            panic!("axe did not run on {kind}: {e}");
        }
        assert!(seen["passes"].as_u64().unwrap() > 10, "{kind}: {seen}");
        if seen["overflow"].as_i64().unwrap() > 0 {
            problems.push(format!(
                "{kind}: {} px wider than a 400 px screen",
                seen["overflow"]
            ));
        }
        for v in seen["violations"].as_array().unwrap() {
            problems.push(format!(
                "{kind}: {} ({}) at {}",
                v["id"], v["help"], v["nodes"]
            ));
        }
        let desktop = screenshot_at(&exe, page, &format!("packet-{kind}.png"), "1280,1800");
        let phone = screenshot_at(&exe, page, &format!("packet-{kind}-phone.png"), "400,1400");
        eprintln!("screenshots: {} {}", desktop.display(), phone.display());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Issue 19, point 6: the listening session prints on A4 with one call a page, the
/// pair's heading and reason on the page of its cold call (never orphaned), and
/// the facilitator sheet on a page of its own. Needs `pdftotext` (poppler-utils).
#[test]
fn the_session_prints_on_a4_one_call_a_page() {
    let pdftotext = Command::new("pdftotext").arg("-v").output().is_ok();
    let (Some(exe), true) = (chromium(), pdftotext) else {
        return skip("packet print test", "chromium or pdftotext");
    };
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let session = dir.path().join("session");
    let args = [
        "packet",
        "--store",
        night.store.to_str().unwrap(),
        "--session",
        "--lang",
        "en",
        "--out",
        session.to_str().unwrap(),
    ];
    assert_eq!(kuulas(&args).0, 0);
    let pdf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("packet-session.pdf");
    let profile = tempfile::tempdir().unwrap();
    browser(
        &exe,
        profile.path(),
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
        &format!("file://{}", session.join("index.html").display()),
    );
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("(A4)"), "{info}");
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let page_of = |needle: &str| {
        pages
            .iter()
            .position(|p| p.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not printed: {pages:#?}"))
    };
    let cold = page_of("Cold call: C-001");
    assert_eq!(
        page_of("Pair 1: C-001 – C-002"),
        cold,
        "heading kept with its call"
    );
    assert_eq!(page_of("Why this pair"), cold);
    let warm = page_of("Warm call: C-002");
    assert_eq!(warm, cold + 1, "one call a page: {pages:#?}");
    let sheet = page_of("Facilitator sheet");
    assert!(sheet > warm, "{pages:#?}");
    assert!(
        pages[cold].contains("0:09 Bare refusal -10 p"),
        "a moment prints with its time and label: {:?}",
        pages[cold]
    );
    assert!(
        pages[sheet].trim_start().starts_with("Facilitator sheet"),
        "the sheet starts its own page: {:?}",
        pages[sheet]
    );
}
