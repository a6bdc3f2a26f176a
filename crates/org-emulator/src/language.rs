//! The running user's language. Salesforce returns picklist values such as
//! `SandboxProcess.Status`, standard profile names and a package's field labels in the user's
//! language when translations exist (Salesforce Help, "Translation Workbench" and "Supported
//! Languages"; sf's own open bug: a Japanese org answers `完了`, not `Completed`, to `org
//! resume sandbox`). The words below are the emulator's; what matters is that they are not
//! English, so a client that compares English words breaks here as on a real org.

use serde::{Deserialize, Serialize};

/// The running user's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    #[default]
    English,
    German,
    Japanese,
}

/// (English, German, Japanese).
const WORDS: &[(&str, &str, &str)] = &[
    ("Completed", "Abgeschlossen", "完了"),
    ("Processing", "Wird verarbeitet", "処理中"),
    ("Activating", "Wird aktiviert", "有効化中"),
    ("Pending", "Ausstehend", "保留中"),
    (
        "System Administrator",
        "Systemadministrator",
        "システム管理者",
    ),
    ("Standard User", "Standardbenutzer", "標準ユーザ"),
    (
        "Runtime Configuration URL",
        "Laufzeit-Konfigurations-URL",
        "ランタイム設定 URL",
    ),
    ("Administration URL", "Administrations-URL", "管理 URL"),
];

impl Language {
    /// `en_US`, `de`, `ja`.
    pub fn locale_key(self) -> &'static str {
        match self {
            Language::English => "en_US",
            Language::German => "de",
            Language::Japanese => "ja",
        }
    }

    /// `text`, shown in any of the languages, as this language shows it (unchanged when there
    /// is no translation): a running user whose language changes sees the same words anew.
    pub fn translate(self, text: &str) -> String {
        WORDS
            .iter()
            .find(|(en, de, ja)| [en, de, ja].contains(&&text))
            .map_or_else(|| text.to_string(), |(en, _, _)| self.word(en))
    }

    /// The word as this language shows it (unchanged when there is no translation).
    pub fn word(self, english: &str) -> String {
        WORDS
            .iter()
            .find(|(en, _, _)| *en == english)
            .map(|(en, de, ja)| match self {
                Language::English => *en,
                Language::German => *de,
                Language::Japanese => *ja,
            })
            .unwrap_or(english)
            .to_string()
    }
}
