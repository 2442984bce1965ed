//! The labels CSV of `kuulas calibrate`: one row per call, behaviour and
//! reviewer, with a header naming the columns `call_id`, `behaviour`, `present`
//! and optionally `reviewer` and `note` (any order, other columns ignored).
//! `present` is `1`/`0`, `true`/`false`, `yes`/`no` or `kyllä`/`ei`.
//!
//! Reading never stops at a bad row: each one becomes a [`Problem`] with its
//! file and line, and the other rows are still evaluated.

use serde::Serialize;

/// One label a reviewer gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The line of the CSV file (1-based, the header is line 1).
    pub line: usize,
    pub call_id: String,
    pub behaviour: String,
    pub present: bool,
    /// Empty when the file has no reviewer column or the cell is empty.
    pub reviewer: String,
    pub note: String,
}

/// A row (or the whole file) that could not be used, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    /// 0 when the problem is the whole file.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// The rows of a labels CSV that parsed, and a problem for each that did not.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    pub file: String,
    pub rows: Vec<Label>,
    pub problems: Vec<Problem>,
}

struct Columns {
    call_id: usize,
    behaviour: usize,
    present: usize,
    reviewer: Option<usize>,
    note: Option<usize>,
}

/// Parses the CSV `text`; `file` names it in problems.
pub fn parse(file: &str, text: &str) -> Labels {
    let mut labels = Labels {
        file: file.to_string(),
        ..Labels::default()
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns = match reader.headers() {
        Ok(header) => columns(header),
        Err(e) => Err(format!("cannot read the header: {e}")),
    };
    let columns = match columns {
        Ok(c) => c,
        Err(message) => {
            labels.problem(1, message);
            return labels;
        }
    };
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = line_at(text, record.position());
                if record.iter().all(str::is_empty) {
                    continue;
                }
                match row(&columns, &record, line) {
                    Ok(label) => labels.rows.push(label),
                    Err(message) => labels.problem(line, message),
                }
            }
            Err(e) => {
                let line = line_at(text, e.position());
                labels.problem(line, format!("not a CSV row: {e}"));
            }
        }
    }
    labels
}

impl Labels {
    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(Problem {
            file: self.file.clone(),
            line,
            message,
        });
    }
}

/// The line a record starts on. The reader places a record right after the
/// previous one's end, before the empty lines it skips; those are stepped over.
fn line_at(text: &str, position: Option<&csv::Position>) -> usize {
    let Some(p) = position else { return 0 };
    let bytes = text.as_bytes();
    let mut start = (p.byte() as usize).min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
        start += 1;
    }
    bytes[..start].iter().filter(|&&b| b == b'\n').count() + 1
}

fn columns(header: &csv::StringRecord) -> Result<Columns, String> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let required = |name: &str| {
        find(name).ok_or_else(|| {
            format!(
                "the header has no `{name}` column; the first line must name the columns \
                 call_id, behaviour, present (and optionally reviewer, note)"
            )
        })
    };
    Ok(Columns {
        call_id: required("call_id")?,
        behaviour: required("behaviour")?,
        present: required("present")?,
        reviewer: find("reviewer"),
        note: find("note"),
    })
}

fn row(columns: &Columns, record: &csv::StringRecord, line: usize) -> Result<Label, String> {
    let cell = |i: usize| record.get(i).unwrap_or("");
    let optional = |i: Option<usize>| i.map_or("", cell).to_string();
    let call_id = cell(columns.call_id);
    let behaviour = cell(columns.behaviour);
    if call_id.is_empty() || behaviour.is_empty() {
        return Err("the row has no call_id or no behaviour".to_string());
    }
    let value = cell(columns.present);
    let present = parse_present(value).ok_or_else(|| {
        format!("present is `{value}`; write 1 or 0 (true/false, yes/no, kyllä/ei)")
    })?;
    Ok(Label {
        line,
        call_id: call_id.to_string(),
        behaviour: behaviour.to_string(),
        present,
        reviewer: optional(columns.reviewer),
        note: optional(columns.note),
    })
}

fn parse_present(value: &str) -> Option<bool> {
    match value.to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "kyllä" | "k" => Some(true),
        "0" | "false" | "no" | "n" | "ei" | "e" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_in_any_column_order_with_their_lines() {
        let labels = parse(
            "l.csv",
            "reviewer,present,behaviour,call_id,note\n\
             anna,1,greeting,c1,\"tervehti, selvästi\"\n\
             \n\
             ,no,closing,c2,\n",
        );
        assert!(labels.problems.is_empty(), "{:?}", labels.problems);
        assert_eq!(labels.rows.len(), 2);
        let first = &labels.rows[0];
        assert_eq!(
            (first.line, first.call_id.as_str(), first.present),
            (2, "c1", true)
        );
        assert_eq!(first.note, "tervehti, selvästi");
        assert_eq!(labels.rows[1].line, 4);
        assert!(!labels.rows[1].present && labels.rows[1].reviewer.is_empty());
    }

    #[test]
    fn a_bad_row_is_reported_with_file_and_line_and_the_rest_is_kept() {
        let labels = parse(
            "labels.csv",
            "call_id,behaviour,present\nc1,greeting,maybe\nc1,closing,1\n,closing,0\n",
        );
        assert_eq!(labels.rows.len(), 1);
        let shown: Vec<String> = labels.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown.len(), 2);
        assert!(
            shown[0].starts_with("labels.csv:2: present is `maybe`"),
            "{shown:?}"
        );
        assert!(shown[1].starts_with("labels.csv:4: "), "{shown:?}");
    }

    #[test]
    fn a_header_without_a_required_column_is_one_problem_on_line_1() {
        let labels = parse("x.csv", "call,behaviour,present\nc1,greeting,1\n");
        assert!(labels.rows.is_empty());
        assert_eq!(labels.problems.len(), 1);
        assert!(
            labels.problems[0]
                .to_string()
                .starts_with("x.csv:1: the header has no `call_id` column")
        );
    }
}
