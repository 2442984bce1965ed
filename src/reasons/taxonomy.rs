//! Raw taxonomy file → trusted [`Taxonomy`], reporting every problem with its line.

use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::finnish::matcher::PatternSet;
use crate::reasons::error::{Problem, ProblemKind, TaxonomyError};
use crate::reasons::schema::{ReasonDef, TaxonomyFile};
use crate::rubric::error::line_of;

pub const TAXONOMY_SCHEMA_VERSION: u32 = 1;

/// One reason customers call.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// Stable id, stored with every tagged call.
    pub id: String,
    /// Finnish label for reports.
    pub label: String,
    pub description: String,
    /// Line of the `[[reason]]` table in the file.
    pub line: usize,
    pub examples: Vec<String>,
    pub counter_examples: Vec<String>,
}

/// A resolved taxonomy: every pattern compiled into one set, each pattern
/// owned by one reason.
#[derive(Debug)]
pub struct Taxonomy {
    pub id: String,
    pub version: String,
    pub title: String,
    /// SHA-256 of the file's text, to tell which taxonomy tagged a call.
    pub sha256: String,
    pub reasons: Vec<Reason>,
    pub(crate) patterns: PatternSet,
    /// Index into `reasons` of each pattern in `patterns`.
    pub(crate) pattern_owner: Vec<usize>,
}

impl Taxonomy {
    pub fn reason(&self, id: &str) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.id == id)
    }

    pub fn pattern_count(&self) -> usize {
        self.pattern_owner.len()
    }
}

/// Parses and validates taxonomy TOML; `file` names it in error messages.
pub fn resolve(file: &str, text: &str) -> Result<Taxonomy, TaxonomyError> {
    let invalid = |problems| TaxonomyError::Invalid {
        file: file.to_string(),
        problems,
    };
    let raw: TaxonomyFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        invalid(vec![Problem {
            line,
            kind: ProblemKind::Toml(e.message().to_string()),
        }])
    })?;
    let mut problems = Vec::new();
    let mut report = |at_start: usize, kind| {
        problems.push(Problem {
            line: line_of(text, at_start),
            kind,
        })
    };
    let version = *raw.schema_version.get_ref();
    if version != TAXONOMY_SCHEMA_VERSION {
        report(
            raw.schema_version.span().start,
            ProblemKind::UnsupportedVersion { found: version },
        );
    }
    let mut taxonomy = Taxonomy {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        sha256: hex::encode(Sha256::digest(text.as_bytes())),
        reasons: Vec::new(),
        patterns: PatternSet::default(),
        pattern_owner: Vec::new(),
    };
    for spanned in &raw.reasons {
        let def = spanned.get_ref();
        let id = def.id.get_ref().clone();
        let id_at = def.id.span().start;
        if taxonomy.reason(&id).is_some() {
            report(id_at, ProblemKind::DuplicateId { id: id.clone() });
        }
        let well_formed = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            report(id_at, ProblemKind::BadId { id: id.clone() });
        }
        if def.patterns.is_empty() {
            report(id_at, ProblemKind::NoPatterns { id: id.clone() });
        }
        let index = taxonomy.reasons.len();
        for p in &def.patterns {
            compile(p, index, &mut taxonomy, &mut report);
        }
        taxonomy
            .reasons
            .push(reason(def, line_of(text, spanned.span().start)));
    }
    if problems.is_empty() {
        Ok(taxonomy)
    } else {
        Err(invalid(problems))
    }
}

fn compile(
    pattern: &Spanned<String>,
    owner: usize,
    taxonomy: &mut Taxonomy,
    report: &mut impl FnMut(usize, ProblemKind),
) {
    let source = pattern.get_ref();
    if source.trim().is_empty() {
        report(pattern.span().start, ProblemKind::EmptyPattern);
        return;
    }
    match taxonomy.patterns.add(source) {
        Ok(_) => taxonomy.pattern_owner.push(owner),
        Err(e) => report(
            pattern.span().start,
            ProblemKind::BadPattern {
                pattern: source.clone(),
                reason: e.to_string(),
            },
        ),
    }
}

fn reason(def: &ReasonDef, line: usize) -> Reason {
    Reason {
        id: def.id.get_ref().clone(),
        label: def.label.clone(),
        description: def.description.clone(),
        line,
        examples: def.examples.clone(),
        counter_examples: def.counter_examples.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(usize, String)> {
        match resolve("t.toml", text) {
            Ok(_) => Vec::new(),
            Err(TaxonomyError::Invalid { problems, .. }) => problems
                .into_iter()
                .map(|p| (p.line, p.kind.to_string()))
                .collect(),
            Err(e) => panic!("{e}"),
        }
    }

    const HEAD: &str = "schema_version = 1\nid = \"t\"\nversion = \"1\"\n";

    #[test]
    fn a_sound_taxonomy_resolves() {
        let text = format!(
            "{HEAD}\n[[reason]]\nid = \"invoice\"\nlabel = \"Lasku\"\npatterns = [\"lasku\", \"(maksu|eräpäivä)\"]\n"
        );
        let t = resolve("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.reasons[0].line, 5);
        assert_eq!(t.pattern_count(), 2);
    }

    #[test]
    fn each_problem_is_reported_at_its_line() {
        let text = format!(
            "{HEAD}
[[reason]]
id = \"invoice\"
label = \"Lasku\"
patterns = [\"lasku\"]

[[reason]]
id = \"invoice\"
label = \"Taas lasku\"
patterns = [
  \"maksu\",
  \"(eräpäivä|\",
  \"  \",
]

[[reason]]
id = \"Bad-Id\"
label = \"Huono\"
patterns = []
"
        );
        let found = problems(&text);
        assert_eq!(
            found.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            [11, 15, 16, 20, 20],
            "{found:#?}"
        );
        assert!(found[0].1.contains("duplicate reason id `invoice`"));
        assert!(found[1].1.contains("bad pattern `(eräpäivä|`"));
        assert!(found[2].1.contains("empty pattern"));
        assert!(found[3].1.contains("`Bad-Id`"));
        assert!(found[4].1.contains("no patterns"));
    }

    #[test]
    fn toml_errors_and_unknown_fields_name_their_line() {
        let text = format!("{HEAD}\n[[reason]]\nid = \"x\"\nlabel = \"X\"\npattern = [\"a\"]\n");
        let found = problems(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 8);
        assert!(found[0].1.contains("unknown field `pattern`"), "{found:?}");

        let found = problems("schema_version = 2\nid = \"t\"\nversion = \"1\"\n");
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.contains("schema_version 2"));

        let found = problems(&format!("{HEAD}\n[[reason]\nid = \"x\"\n"));
        assert_eq!(found[0].0, 5, "{found:?}");
    }
}
