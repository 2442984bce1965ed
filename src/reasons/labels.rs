//! The names people read for a taxonomy's reason ids: reports and packets show
//! a reason's Finnish label, files and JSON keep the id as the key. An id the
//! taxonomy does not know (a call tagged with another taxonomy) is shown as is.

use std::collections::BTreeMap;

use crate::reasons::Taxonomy;

/// Reason id → label, from one taxonomy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels(BTreeMap<String, String>);

impl Labels {
    /// The labels of `taxonomy`'s reasons.
    pub fn of(taxonomy: &Taxonomy) -> Labels {
        Labels(
            taxonomy
                .reasons
                .iter()
                .map(|r| (r.id.clone(), r.label.clone()))
                .collect(),
        )
    }

    /// The label of reason `id`, or `id` itself when the taxonomy has no such reason.
    pub fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.0.get(id).map_or(id, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reasons::default_taxonomy;

    #[test]
    fn a_known_id_reads_as_its_label_an_unknown_one_as_itself() {
        let labels = Labels::of(&default_taxonomy());
        assert_eq!(labels.label("fault_outage"), "Vika tai katko");
        assert_eq!(labels.label("moving"), "moving");
    }
}
