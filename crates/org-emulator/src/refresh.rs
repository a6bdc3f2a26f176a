//! A sandbox refresh: production's copy laid over the sandbox. What Salesforce documents
//! ("Users and Contacts", Salesforce Help, platform.data_sandbox_users_and_contacts): the
//! sandbox name is appended to every username (`user@acme.com` becomes `user@acme.com.uat`), and
//! `.invalid` to every user's email, except the user who started the refresh (Knowledge
//! article 000386507: that user keeps production's email). The org gets a new org ID, and here
//! every record a new ID too, so that nothing can be found again by a stale ID: whatever the
//! sandbox had that production lacks (its own profile and user rows of hierarchy custom
//! settings, its Trusted URLs) is gone.

use std::collections::HashMap;

use serde_json::Value;

use super::Seed;
use super::seed;
use super::state::{OrgState, Record};
use super::util::{is_valid_id18, make_id};

impl OrgState {
    /// Refreshes this sandbox, named `sandbox`, from the production seed. The instance URL and
    /// the tokens stay, so a client logged in before can log in again.
    pub fn refresh_from_production(&mut self, sandbox: &str) {
        let sandbox = sandbox.to_ascii_lowercase();
        let mut fresh = seed::build(Seed::Production);
        // The profiles' permission sets and their assignments are made again below (by
        // `localize`) for the new profile and user IDs, with new IDs of their own; production's
        // seed has no others.
        for object in ["PermissionSet", "PermissionSetAssignment"] {
            if let Some(t) = fresh.data.table_mut(object) {
                t.records.clear();
            }
        }
        // Another two characters after each key prefix than before, and per sandbox name, so
        // that every ID is new and two refreshed sandboxes never share an org ID.
        let generation = self
            .id_pod
            .chars()
            .next()
            .and_then(|c| c.to_digit(10))
            .map_or(1, |n| n % 9 + 1);
        let alphabet = b"abcdefghijklmnopqrstuvwxyz";
        let hash = sandbox
            .bytes()
            .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
        let pod = format!("{generation}{}", alphabet[hash % alphabet.len()] as char);
        let mut next = 1u64;
        let mut ids: HashMap<String, String> = HashMap::new();
        let old_org = fresh.org_id.clone();
        // The org ID's number from the name too, so sandboxes refreshed apart never share it.
        let new_org = make_id("00D", &pod, 1_000 + (hash % 1_000_000) as u64);
        ids.insert(old_org, new_org.clone());
        for store in [&fresh.data, &fresh.tooling] {
            for table in &store.tables {
                for record in &table.records {
                    if let Some(id) = record.get("Id").and_then(Value::as_str)
                        && !ids.contains_key(id)
                    {
                        let prefix = &id[..3];
                        ids.insert(id.to_string(), make_id(prefix, &pod, next));
                        next += 1;
                    }
                }
            }
        }
        let initiator = fresh.user_id.clone();
        for store in [&mut fresh.data, &mut fresh.tooling] {
            for table in &mut store.tables {
                for record in &mut table.records {
                    remap(record, &ids);
                }
            }
        }
        for object in ["SandboxProcess", "SandboxInfo"] {
            if let Some(t) = fresh.tooling.table_mut(object) {
                t.records.clear();
            }
        }
        let initiator = ids.get(&initiator).cloned().unwrap_or_default();
        if let Some(t) = fresh.data.table_mut("User") {
            for user in &mut t.records {
                let username = user
                    .get("Username")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                user.insert("Username".into(), format!("{username}.{sandbox}").into());
                let is_initiator = user.get("Id").and_then(Value::as_str) == Some(&initiator);
                if let Some(email) = user
                    .get("Email")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    && !is_initiator
                    && !email.ends_with(".invalid")
                {
                    user.insert("Email".into(), format!("{email}.invalid").into());
                }
            }
        }
        if let Some(t) = fresh.data.table_mut("Organization") {
            for org in &mut t.records {
                org.insert("IsSandbox".into(), true.into());
                org.insert("InstanceName".into(), "CS42".into());
            }
        }
        fresh.org_id = new_org;
        fresh.id_pod = pod;
        fresh.next_id = next;
        fresh.user_id = initiator;
        fresh.username = format!("{}.{sandbox}", fresh.username);
        fresh.advance_sandbox_on_query = false;
        fresh.seed = self.seed;
        fresh.instance_url = self.instance_url.clone();
        fresh.access_token = self.access_token.clone();
        fresh.refresh_token = self.refresh_token.clone();
        fresh.rotate_refresh_tokens = self.rotate_refresh_tokens;
        fresh.rotated_refresh_tokens = self.rotated_refresh_tokens.clone();
        fresh.api_usage_start = self.api_usage_start;
        fresh.api_calls = self.api_calls;
        fresh.api_limit = self.api_limit;
        let language = self.language;
        *self = fresh;
        // The running user reads the same language as before (`Emulator::set_language` changes
        // it); the Data and Tooling API's profiles keep the same new IDs.
        seed::localize(self, language);
    }
}

fn remap(record: &mut Record, ids: &HashMap<String, String>) {
    for value in record.values_mut() {
        if let Value::String(text) = value
            && is_valid_id18(text)
            && let Some(new) = ids.get(text.as_str())
        {
            *text = new.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{OrgState, PRODUCTION_TENANT_URL, SEED_ORG_ID, Seed};
    use serde_json::Value;

    #[test]
    fn a_refresh_lays_production_over_the_sandbox_with_new_ids() {
        let mut state = OrgState::new(Seed::RefreshedSandbox);
        let old_profiles: Vec<Value> = state.records("Profile");
        state.refresh_from_production("uat");
        assert_ne!(state.org_id, SEED_ORG_ID);
        let org = &state.records("Organization")[0];
        assert_eq!(org["Id"], state.org_id.as_str());
        assert_eq!(org["IsSandbox"], true);
        let rows = state.records("LGK__ConfigurationTenant__c");
        assert_eq!(rows.len(), 1, "the sandbox's own override rows are gone");
        assert_eq!(rows[0]["SetupOwnerId"], state.org_id.as_str());
        assert_eq!(rows[0]["LGK__RuntimeUrl__c"], PRODUCTION_TENANT_URL);
        for profile in state.records("Profile") {
            assert!(old_profiles.iter().all(|p| p["Id"] != profile["Id"]));
        }
        let users = state.records("User");
        let jane = users
            .iter()
            .find(|u| u["Username"] == "jane@acme.com.uat")
            .unwrap();
        assert_eq!(jane["Email"], "jane@acme.com.invalid");
        let admin = users
            .iter()
            .find(|u| u["Id"] == state.user_id.as_str())
            .unwrap();
        assert_eq!(admin["Username"], "admin@acme.com.uat");
        assert_eq!(
            admin["Email"], "admin@acme.com",
            "the user who refreshed keeps the email"
        );
        assert!(state.records("SandboxProcess").is_empty());
        let again = state.org_id.clone();
        state.refresh_from_production("uat");
        assert_ne!(state.org_id, again);
    }
}
