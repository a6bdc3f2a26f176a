//! Saying an org's error once among doctor's step lines.

/// The org's errors as the steps quote them: each cut to [`MAX_QUOTED_ERROR`] characters and
/// quoted once; the next steps it hits point back to it (one failed read fails every step, and
/// an org's message can be kilobytes).
#[derive(Default)]
pub(super) struct Said(Vec<String>);

/// The most of an org's error one step quotes.
const MAX_QUOTED_ERROR: usize = 300;

impl Said {
    pub(super) fn once(&mut self, message: &str) -> String {
        let mut cut: String = message.chars().take(MAX_QUOTED_ERROR).collect();
        if cut.len() < message.len() {
            cut.push_str(" […]");
        }
        if self.0.contains(&cut) {
            return "the same error as an earlier step".into();
        }
        self.0.push(cut.clone());
        cut
    }
}
