//! The page templates (minijinja, HTML autoescaping on) and the one place that
//! renders them. The templates are compiled into the binary: a packet needs no
//! files besides the ones it writes.

use std::sync::LazyLock;

use minijinja::{AutoEscape, Environment};

const TEMPLATES: [(&str, &str); 9] = [
    ("parts.html", include_str!("templates/parts.html")),
    ("base.html", include_str!("templates/base.html")),
    ("call.html", include_str!("templates/call.html")),
    ("overview.html", include_str!("templates/overview.html")),
    ("catalogue.html", include_str!("templates/catalogue.html")),
    ("session.html", include_str!("templates/session.html")),
    ("across.html", include_str!("templates/across.html")),
    (
        "calibration.html",
        include_str!("templates/calibration.html"),
    ),
    ("style.css", include_str!("templates/style.css")),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Every template, the stylesheet included, is escaped as HTML: it is inlined
    // into <style> and holds no user text.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!("packet template {name} is broken: {e}");
        }
    }
    env
});

/// Renders `name` with `context`. The templates ship with the binary and are
/// covered by tests, so a failure is a bug: it is logged and the page says so.
pub fn render(name: &str, context: &serde_json::Value) -> String {
    ENV.get_template(name)
        .and_then(|t| t.render(context))
        .unwrap_or_else(|e| {
            tracing::error!("rendering {name} failed: {e:#}");
            format!(
                "<!doctype html><meta charset=utf-8><p>kuulas could not render this page ({}).",
                minijinja::HtmlEscape(&e.to_string())
            )
        })
}
