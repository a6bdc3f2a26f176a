//! The running user's language. Salesforce returns picklist values such as
//! `SandboxProcess.Status`, standard profile names and a package's field labels in the user's
//! language when translations exist (Salesforce Help, "Translation Workbench" and "Supported
//! Languages"; sf's own open bug: a Japanese org answers `完了`, not `Completed`, to `org
//! resume sandbox`). The words below are the emulator's; what matters is that they are not
//! English, so a client that compares English words breaks here as on a real org.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::state::OrgState;

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

/// Shows the seeded org in `lang`: the running user's language, profile names, the tenant
/// setting's labels, sandbox statuses.
pub fn localize(state: &mut OrgState, lang: Language) {
    state.language = lang;
    if lang == Language::English {
        return;
    }
    let user_id = state.user_id.clone();
    if let Some(t) = state.data.table_mut("User")
        && let Some(i) = t.position(&user_id)
    {
        t.records[i].insert("LanguageLocaleKey".into(), lang.locale_key().into());
    }
    for (object, field) in [("Profile", "Name")] {
        if let Some(t) = state.data.table_mut(object) {
            for r in &mut t.records {
                if let Some(name) = r.get(field).and_then(Value::as_str) {
                    let shown = lang.word(name);
                    r.insert(field.into(), shown.into());
                }
            }
        }
    }
    if let Some(t) = state.data.table_mut("LGK__ConfigurationTenant__c") {
        for f in &mut t.schema.fields {
            f.label = lang.word(&f.label);
        }
    }
    if let Some(t) = state.tooling.table_mut("SandboxProcess") {
        for r in &mut t.records {
            if let Some(status) = r.get("Status").and_then(Value::as_str) {
                let shown = lang.word(status);
                r.insert("Status".into(), shown.into());
            }
        }
    }
}
