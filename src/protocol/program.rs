//! The program a person types to run this tool: `logik-refresh`, or `sf logik` when the sf
//! plugin started it (the plugin's launcher sets [`SF_PLUGIN_ENV`]). Hints everywhere in the
//! code name commands as `logik-refresh <command>`; the printer passes every text it writes
//! through [`name_commands`], so under sf each hint, usage line and `confirmCommand` reads
//! `sf logik <command>` instead, and this is the one place that decides.

use std::borrow::Cow;
use std::sync::OnceLock;

/// The name the code writes hints with.
pub const NAME: &str = "logik-refresh";

/// Set (to `1`) by the sf plugin's launcher for `sf logik ...`; not by the npm `bin` wrapper,
/// which puts `logik-refresh` itself on PATH.
pub const SF_PLUGIN_ENV: &str = "LOGIK_REFRESH_SF_PLUGIN";

/// What a person types: `sf logik` under the sf plugin, else `logik-refresh`.
pub fn invoked_as() -> &'static str {
    static UNDER_SF: OnceLock<bool> = OnceLock::new();
    if *UNDER_SF.get_or_init(|| std::env::var_os(SF_PLUGIN_ENV).is_some_and(|v| v == "1")) {
        "sf logik"
    } else {
        NAME
    }
}

/// `text` with each command line's `logik-refresh` shown as [`invoked_as`]. A command is the
/// name standing as a word (after the start, a space, a quote, a backtick, a parenthesis or a
/// pipe) and followed by a space and a command word, flag or placeholder; `logik-refresh 0.1.0`,
/// `plugins.logik-refresh`, `logik-refresh-run.1` and `bin/logik-refresh` stay as they are.
pub fn name_commands(text: &str) -> Cow<'_, str> {
    rename(text, invoked_as())
}

fn rename<'a>(text: &'a str, program: &str) -> Cow<'a, str> {
    if program == NAME || !text.contains(NAME) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(at) = rest.find(NAME) {
        let (before, after) = (&rest[..at], &rest[at + NAME.len()..]);
        let starts_word = before
            .chars()
            .next_back()
            .or_else(|| out.chars().next_back())
            .is_none_or(|c| c.is_whitespace() || "`'\"(|".contains(c));
        let mut next = after.chars();
        let is_command = next.next() == Some(' ')
            && next
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || "-<[".contains(c));
        out.push_str(before);
        out.push_str(if starts_word && is_command {
            program
        } else {
            NAME
        });
        rest = after;
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::rename;

    #[test]
    fn commands_in_hints_name_sf_logik_and_other_mentions_stay() {
        let sf = |t: &str| rename(t, "sf logik").into_owned();
        assert_eq!(
            sf("When done: logik-refresh step org-id -o uat --confirm"),
            "When done: sf logik step org-id -o uat --confirm"
        );
        assert_eq!(
            sf("Run `logik-refresh step x` again; sf org display --json | logik-refresh doctor"),
            "Run `sf logik step x` again; sf org display --json | sf logik doctor"
        );
        assert_eq!(sf("logik-refresh --help"), "sf logik --help");
        assert_eq!(
            sf("Usage: logik-refresh <COMMAND>"),
            "Usage: sf logik <COMMAND>"
        );
        assert_eq!(
            sf("\"confirmCommand\": \"logik-refresh step a --confirm\""),
            "\"confirmCommand\": \"sf logik step a --confirm\""
        );
        for kept in [
            "logik-refresh 0.1.0",
            "plugins.logik-refresh in sfdx-project.json",
            "man logik-refresh-run",
            "/usr/bin/logik-refresh run",
            "logik-refresh's project config",
            "install logik-refresh.",
        ] {
            assert_eq!(sf(kept), kept);
        }
        assert_eq!(
            rename("logik-refresh run", "logik-refresh"),
            "logik-refresh run"
        );
    }
}
