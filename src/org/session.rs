//! An org open for work: identified from sf's auth, connected, its facts gathered, and the
//! users read so far (shared by the steps of one run).

use crate::org::facts::OrgFacts;
use crate::org::users::{UserCache, user_reads, users_from_answers};
use crate::protocol::Result;
use crate::salesforce::Client;
use crate::salesforce::client::BatchRead;
use crate::sf::connect::{OrgIdentity, connect};
use crate::sf::intake::PipedOrg;
use serde_json::Value;

/// An org that is open for work: who it is, its facts as the org reports them, and the client.
pub struct OpenOrg {
    pub identity: OrgIdentity,
    pub facts: OrgFacts,
    pub client: Client,
    /// sf's warnings from the piped JSON and the client's (API usage), to pass on.
    pub warnings: Vec<String>,
    /// Users read so far, shared by the steps of one run.
    pub users: UserCache,
    /// Queries answered ahead, with the org's facts.
    pub ahead: ReadAhead,
}

/// Queries sent ahead with the org's facts, because a step will ask them: each answer is used
/// once, by the first to ask; asked again (a re-read after a write), the query goes to the org.
#[derive(Debug, Default)]
pub struct ReadAhead(std::sync::Mutex<Vec<(String, Value)>>);

impl OpenOrg {
    /// The records of a query: the answer read ahead when there is one, else from the org.
    pub async fn query(&self, soql: &str) -> Result<Vec<Value>> {
        let ahead = {
            let mut answers = self.ahead.0.lock().unwrap();
            let found = answers.iter().position(|(query, _)| query == soql);
            found.map(|i| answers.remove(i).1)
        };
        match ahead {
            Some(Value::Array(records)) => Ok(records),
            _ => self.client.query(soql).await,
        }
    }
}

/// Connects to an org already identified and gathers its facts.
pub async fn open_identified(identity: OrgIdentity) -> Result<OpenOrg> {
    open_with(identity, false, Vec::new()).await
}

/// Like [`open_identified`], also reading the user the org is opened as (guided steps, run):
/// that user and its login record are read in the same round trip as the org's facts.
pub async fn open_identified_with_users(identity: OrgIdentity) -> Result<OpenOrg> {
    open_with(identity, true, Vec::new()).await
}

/// Like [`open_identified_with_users`], also asking `ahead` (queries the steps will send) in
/// the same round trip: see [`OpenOrg::query`].
pub async fn open_identified_reading(identity: OrgIdentity, ahead: Vec<String>) -> Result<OpenOrg> {
    open_with(identity, true, ahead).await
}

async fn open_with(identity: OrgIdentity, with_user: bool, ahead: Vec<String>) -> Result<OpenOrg> {
    let mut facts = OrgFacts::from_identity(&identity);
    let warnings = identity
        .piped
        .as_ref()
        .map(PipedOrg::warnings_to_pass_on)
        .unwrap_or_default();
    let (connection, token_source) = connect(&identity)?;
    let client = Client::new(connection)?;
    client.settle_api_version().await?;
    facts.api_version = Some(client.api_version().to_string());
    if facts.instance_url.is_none() {
        facts.instance_url = Some(client.instance_url().to_string());
    }
    let running_user: Vec<String> = identity
        .username
        .iter()
        .filter(|_| with_user)
        .cloned()
        .collect();
    let mut extra = if running_user.is_empty() {
        Vec::new()
    } else {
        user_reads(&running_user).to_vec()
    };
    let users_read = extra.len();
    extra.extend(ahead.iter().cloned().map(BatchRead::Query));
    let answers = match facts.gather_online(&client, token_source, &extra).await {
        Ok(answers) => answers,
        Err(mut err) => {
            err.warnings.extend(warnings);
            err.warnings.extend(client.take_warnings());
            return Err(err);
        }
    };
    let mut answers = answers.into_iter();
    let user_answers: Vec<Result<Value>> = answers.by_ref().take(users_read).collect();
    let users = UserCache::default();
    if !running_user.is_empty() {
        // A failed ride-along read is no failure here: the step reads the user again.
        if let Ok(found) = users_from_answers(user_answers) {
            users.remember(&running_user, &found);
        }
    }
    // Likewise: a query that failed ahead is sent again when a step asks it.
    let read_ahead = ahead
        .into_iter()
        .zip(answers)
        .filter_map(|(query, answer)| Some((query, answer.ok()?)))
        .collect();
    Ok(OpenOrg {
        identity,
        facts,
        client,
        warnings,
        users,
        ahead: ReadAhead(std::sync::Mutex::new(read_ahead)),
    })
}
