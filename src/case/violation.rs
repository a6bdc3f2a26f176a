//! Where a problem in a JSON document is (a path of keys and indexes, shown as a JSONPath and a
//! JSON Pointer) and what it is: the [`Violation`] every check of a document reports.

use schemars::JsonSchema;
use serde::Serialize;

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// Where, as a JSONPath (`$.cpqAdmins[0]`).
    pub path: String,
    /// Where, as a JSON Pointer (`/cpqAdmins/0`).
    pub pointer: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl Violation {
    pub(crate) fn at(segments: &[Segment], message: impl Into<String>) -> Violation {
        Violation {
            path: json_path(segments),
            pointer: json_pointer(segments),
            message: message.into(),
        }
    }
}

/// A step in a path: an object key or an array index.
#[derive(Debug, Clone)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

fn json_path(segments: &[Segment]) -> String {
    let mut out = String::from("$");
    for segment in segments {
        match segment {
            Segment::Key(key)
                if !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !key.starts_with(|c: char| c.is_ascii_digit()) =>
            {
                out.push('.');
                out.push_str(key);
            }
            Segment::Key(key) => {
                out.push_str("['");
                out.push_str(&key.replace('\\', "\\\\").replace('\'', "\\'"));
                out.push_str("']");
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn json_pointer(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Key(key) => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
            Segment::Index(i) => format!("/{i}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_quote_odd_keys() {
        let segments = vec![
            Segment::Key("a b".into()),
            Segment::Index(2),
            Segment::Key("x".into()),
        ];
        assert_eq!(json_path(&segments), "$['a b'][2].x");
        assert_eq!(json_pointer(&segments), "/a b/2/x");
    }
}
