//! One module per subcommand. Each takes its parsed arguments and returns a
//! [`CommandOutput`](crate::protocol::CommandOutput); printing happens in one place.

pub mod case;
pub mod completions;
pub mod doctor;
pub mod man;
pub mod org;
pub mod rollback;
pub mod run;
pub mod schema;
pub mod secret;
pub mod step;

use crate::cli::{Cli, Command, OrgCommand, OrgFlags};
use crate::org::OrgFacts;
use crate::protocol::{CommandOutput, Error, ExitStatus, Format, Result};
use crate::salesforce::Client;
use crate::sf::connect::{OrgIdentity, OrgRequest, connect, identify};
use crate::sf::intake::{PipedOrg, parse_org_json, read_bounded, read_stdin_bounded};
use crate::steps::users::{UserCache, user_reads, users_from_answers};
use std::io::IsTerminal;

/// The command's name as the error envelope's `context` shows it.
pub fn context(cli: &Cli) -> &'static str {
    match &cli.command {
        Command::Org(OrgCommand::Inspect(_)) => "org inspect",
        Command::Org(OrgCommand::Wait(_)) => "org wait",
        Command::Case(command) => case::context(command),
        Command::Step(command) => step::context(command),
        Command::Run(_) => "run",
        Command::Rollback(_) => "rollback",
        Command::Schema(_) => "schema",
        Command::Secret(command) => secret::context(command),
        Command::Doctor(_) => "doctor",
        Command::Completions(_) => "completions",
        Command::Man(_) => "man",
    }
}

/// What every command may need to know about how it was called.
#[derive(Debug, Clone, Copy)]
pub struct Globals {
    pub format: Format,
    /// True when the command may ask the user for missing values: a terminal on stdin and
    /// stderr, no `--json`, no `--no-prompt`.
    pub may_prompt: bool,
}

impl Globals {
    pub fn from_cli(cli: &Cli) -> Globals {
        let format = Format::detect(cli.json);
        let may_prompt = format == Format::Text
            && !cli.no_prompt
            && std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal();
        Globals { format, may_prompt }
    }
}

/// Runs the parsed command to completion (Ctrl-C ends it with exit 130).
pub fn dispatch(cli: Cli) -> Result<CommandOutput> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new("RuntimeError", format!("Could not start: {e}")))?;
    runtime.block_on(async move {
        tokio::select! {
            result = run(cli) => result,
            _ = tokio::signal::ctrl_c() => Err(Error::new("InterruptedError", "Interrupted.").with_exit(ExitStatus::Interrupted)),
        }
    })
}

async fn run(cli: Cli) -> Result<CommandOutput> {
    let globals = Globals::from_cli(&cli);
    match cli.command {
        Command::Org(OrgCommand::Inspect(args)) => org::inspect::run(args).await,
        Command::Org(OrgCommand::Wait(args)) => org::wait::run(args).await,
        Command::Case(command) => case::run(command, &globals).await,
        Command::Step(command) => step::run(command, &globals).await,
        Command::Run(args) => run::run(args, &globals).await,
        Command::Rollback(args) => rollback::run(args).await,
        Command::Schema(args) => schema::run(args),
        Command::Secret(command) => secret::run(command, &globals).await,
        Command::Doctor(args) => doctor::run(args).await,
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// Builds the org request from the flags and, when no org is named, from sf JSON on stdin.
/// stdin is read only when it is not a terminal, so nothing ever waits for typing.
pub fn org_request(flags: &OrgFlags) -> Result<OrgRequest> {
    let mut request = OrgRequest {
        target_org: flags.target_org.clone(),
        api_version: flags.api_version.clone(),
        piped: None,
    };
    let text = match &flags.org_json {
        Some(path) if path.as_os_str() == "-" => Some(read_stdin_bounded()?),
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|e| {
                Error::input(
                    "OrgJsonFileError",
                    format!("Could not read {}: {e}", path.display()),
                )
                .with_action("Save it with: sf org display --json -o <alias> > org.json")
            })?;
            Some(read_bounded(file, &path.display().to_string())?)
        }
        None if flags.target_org.is_none() && !std::io::stdin().is_terminal() => {
            let text = read_stdin_bounded()?;
            // An empty pipe with a default org configured (a CI job with no stdin) means
            // "use the default org"; with none configured it is an error, said below.
            if text.trim().is_empty() && crate::sf::connect::has_default_org() {
                None
            } else {
                Some(text)
            }
        }
        None => None,
    };
    if let Some(text) = text {
        request.piped = Some(parse_org_json(&text)?);
    }
    Ok(request)
}

/// An org that is open for work: who it is, its facts as the org reports them, and the client.
pub struct OpenOrg {
    pub identity: OrgIdentity,
    pub facts: OrgFacts,
    pub client: Client,
    /// sf's warnings from the piped JSON and the client's (API usage), to pass on.
    pub warnings: Vec<String>,
    /// Users read so far, shared by the steps of one run.
    pub users: crate::steps::users::UserCache,
}

/// Finds the org from the flags (or stdin), connects, and gathers its facts.
pub async fn open_org(flags: &OrgFlags) -> Result<OpenOrg> {
    let identity = identify(org_request(flags)?)?;
    open_identified(identity).await
}

/// Like [`open_org`], for commands that will look at the user they run as (guided steps, run):
/// that user and its login record are read in the same round trip as the org's facts.
pub async fn open_org_with_users(flags: &OrgFlags) -> Result<OpenOrg> {
    let identity = identify(org_request(flags)?)?;
    open_with(identity, true).await
}

/// Connects to an org already identified and gathers its facts.
pub async fn open_identified(identity: OrgIdentity) -> Result<OpenOrg> {
    open_with(identity, false).await
}

async fn open_with(identity: OrgIdentity, with_user: bool) -> Result<OpenOrg> {
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
    let extra = if running_user.is_empty() {
        Vec::new()
    } else {
        user_reads(&running_user).to_vec()
    };
    let answers = match facts.gather_online(&client, token_source, &extra).await {
        Ok(answers) => answers,
        Err(mut err) => {
            err.warnings.extend(warnings);
            err.warnings.extend(client.take_warnings());
            return Err(err);
        }
    };
    let users = UserCache::default();
    if !running_user.is_empty() {
        // A failed ride-along read is no failure here: the step reads the user again.
        if let Ok(found) = users_from_answers(answers) {
            users.remember(&running_user, &found);
        }
    }
    Ok(OpenOrg {
        identity,
        facts,
        client,
        warnings,
        users,
    })
}
