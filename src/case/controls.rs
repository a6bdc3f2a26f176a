//! Control characters in a payload: a value that carries ESC, CR, BEL or a bidirectional
//! override would act on the terminal (or the portal form) of whoever reads the case, so
//! `case validate` refuses it, naming the value's path.

use super::violation::{Segment, Violation};
use crate::protocol::output::{escape_controls, is_hidden_control};
use serde_json::Value;

/// One violation per string (or object key) holding a control character, anywhere in `value`.
pub fn control_violations(value: &Value) -> Vec<Violation> {
    let mut found = Vec::new();
    walk(value, &mut Vec::new(), &mut found);
    found
}

fn walk(value: &Value, path: &mut Vec<Segment>, found: &mut Vec<Violation>) {
    match value {
        Value::String(text) => check(text, path, found),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Segment::Index(index));
                walk(item, path, found);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                path.push(Segment::Key(key.clone()));
                check(key, path, found);
                walk(item, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

fn check(text: &str, path: &[Segment], found: &mut Vec<Violation>) {
    if text.chars().any(is_hidden_control) {
        found.push(Violation::at(
            path,
            format!(
                "\"{}\" holds control characters (shown escaped), which a terminal or form would act on; type the value again",
                escape_controls(text)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_found_with_their_paths() {
        let value = serde_json::json!({
            "cpqUrl": "https://acme.test.logik.io",
            "cpqAdmins": ["jane@acme.com", "x\u{1b}[2Jy"],
            "notes": "two\nlines\tand a tab"
        });
        let found = control_violations(&value);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, "$.cpqAdmins[1]");
        assert!(
            found[0].message.contains("x\\x1b[2Jy"),
            "{}",
            found[0].message
        );
    }
}
