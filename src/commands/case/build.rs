//! `case build`: the support case payload.

use super::given_org;
use crate::case::answers::{CaseAnswers, load_answers};
use crate::case::build::{
    Field, Inputs, Values, assemble, parse_inputs, problems_error, still_missing,
};
use crate::case::org::{case_org, org_is_refreshed, tenant_check};
use crate::case::payload::{DataDisposition, NewOrgId, PROVISIONING_EMAIL, now_rfc3339};
use crate::case::prompt::Prompter;
use crate::case::users::{check_users, pick_provisioning_user, provisioning_candidates};
use crate::case::validate::{PayloadKind, validate_payload};
use crate::case::values;
use crate::cli::case::CaseBuildArgs;
use crate::commands::shared::Globals;
use crate::org::facts::OrgFacts;
use crate::org::session::open_identified;
use crate::protocol::{CommandOutput, Error, Result};
use crate::salesforce::Client;
use crate::sf::connect::{OrgRequest, identify};
use crate::sf::intake::InputShape;
use jiff::civil::Date;
use serde_json::Value;

pub async fn cmd_case_build(args: CaseBuildArgs, globals: &Globals) -> Result<CommandOutput> {
    if let Some(path) = &args.output {
        crate::fsutil::output_target(path)?;
    }
    let today = jiff::ZonedDateTime::now().date();
    let answers = match &args.answers {
        Some(path) => load_answers(path)?,
        None => CaseAnswers::default(),
    };
    let request = given_org(&args.org, refuse_payload_as_org)?;
    // The project config fills what flags and answers left out: the CPQ URL, and the CPQ Admins
    // of the org's sandbox (production usernames, given the sandbox's suffix).
    let config = crate::project::load(args.config.config.as_deref())?;
    let sandbox = request
        .clone()
        .and_then(|r| identify(r).ok())
        .and_then(|identity| OrgFacts::from_identity(&identity).sandbox_name);
    let (config_cpq_url, config_admins) =
        crate::commands::sandbox::case_defaults(config.as_ref(), sandbox.as_deref());
    let mut inputs = Inputs {
        cpq_url: args.cpq_url.clone(),
        refresh_date: args.refresh_date.clone(),
        retain_data: args.retain_data,
        start_from_scratch: args.start_from_scratch,
        data_disposition: None,
        new_org_id: args.new_org_id.clone(),
        my_domain_url: args.my_domain_url.clone(),
        cpq_admins: (!args.cpq_admins.is_empty()).then(|| args.cpq_admins.clone()),
        new_host: args.new_host.clone(),
        provisioning_username: args.provisioning_username.clone(),
        provisioning_email: args.provisioning_email.clone(),
        case_number: args.case_number.clone(),
        allow_other_host: args.allow_other_host,
    }
    .with_answers(answers);
    if inputs.cpq_url.is_none() {
        inputs.cpq_url = config_cpq_url;
    }
    if inputs.cpq_admins.is_none() {
        inputs.cpq_admins = config_admins;
    }
    let (mut values, problems) = parse_inputs(&inputs, today);
    let mut warnings = problems.warnings;

    // With an org the provisioning user can be found in it; everything else must be given.
    let may_find = request.is_some() && !args.offline;
    let unfillable = |values: &Values, invalid: &[(Field, Error)]| -> Vec<Field> {
        still_missing(values, invalid)
            .into_iter()
            .filter(|f| !(may_find && *f == Field::ProvisioningUsername))
            .collect()
    };
    if !problems.invalid.is_empty() {
        let missing = unfillable(&values, &problems.invalid);
        return Err(problems_error(problems.invalid, &missing, false));
    }
    if !globals.may_prompt {
        let missing = unfillable(&values, &[]);
        if !missing.is_empty() {
            return Err(problems_error(Vec::new(), &missing, true));
        }
    }

    let org = match request {
        Some(request) => Some(load_org(request, args.offline).await?),
        None => None,
    };
    if let Some(org) = &org {
        warnings.extend(org.warnings.iter().cloned());
    }
    let client = org.as_ref().and_then(|o| o.client.as_ref());

    let mut provisioning_default = None;
    if values.provisioning_username.is_none()
        && let Some(client) = client
    {
        match provisioning_candidates(client).await {
            Ok(candidates) => match pick_provisioning_user(&candidates) {
                Some(user) => provisioning_default = Some(user.username.to_ascii_lowercase()),
                None if candidates.len() > 1 => warnings.push(format!(
                    "Several users have the email {PROVISIONING_EMAIL} ({}): name one with --provisioning-username.",
                    candidates.iter().map(|u| u.username.as_str()).collect::<Vec<_>>().join(", ")
                )),
                None => warnings.push(format!(
                    "No user in the org has the email {PROVISIONING_EMAIL}: create the provisioning user (System Administrator) and pass --provisioning-username."
                )),
            },
            Err(err) => warnings.push(format!("Could not look for the provisioning user: {}", err.message)),
        }
    }

    let facts = org.as_ref().map(|o| &o.facts);
    if globals.may_prompt {
        let context = PromptContext {
            today,
            allow_other_host: args.allow_other_host,
            facts,
            provisioning_default: provisioning_default.as_deref(),
        };
        let stdin = std::io::stdin();
        let mut prompter = Prompter::new(stdin.lock(), std::io::stderr());
        warnings.extend(prompt_missing(&mut prompter, &mut values, &context)?);
    } else if values.provisioning_username.is_none() {
        values.provisioning_username = provisioning_default;
    }

    let (refreshed, note) = match facts {
        Some(facts) => org_is_refreshed(
            facts,
            values.new_org_id.as_ref(),
            values.refresh_date,
            today,
        ),
        None => (false, None),
    };
    warnings.extend(note);
    if values.new_org_id.is_none() {
        values.new_org_id = Some(match facts.and_then(|f| f.org_id.as_deref()) {
            Some(id) if refreshed => values::parse_new_org_id(id)?,
            _ => NewOrgId::Tbd,
        });
    }
    let complete = values.complete().map_err(|missing| {
        let mut err = problems_error(Vec::new(), &missing, true);
        // What was learnt on the way (an org that could not be reached) explains the gap.
        err.warnings = std::mem::take(&mut warnings);
        err
    })?;

    let case_org = facts.map(|f| case_org(f, refreshed));
    let mut checks = Vec::new();
    if let Some(org) = &case_org
        && let Some(check) = tenant_check(org, &complete.cpq_url)
    {
        if !check.ok {
            warnings.push(format!("{}: {}.", check.name, check.detail));
        }
        checks.push(check);
    }
    if let Some(client) = client {
        let sandbox = case_org.as_ref().and_then(|o| o.sandbox_name.as_deref());
        match check_users(
            client,
            &complete.cpq_admins,
            &complete.provisioning_username,
            sandbox,
        )
        .await
        {
            Ok(found) => {
                checks.extend(found.checks);
                warnings.extend(found.warnings);
            }
            Err(err) => warnings.push(format!(
                "Could not check the users in the org: {}",
                err.message
            )),
        }
        warnings.extend(client.take_warnings());
    }

    let case = assemble(complete, case_org, checks, now_rfc3339());
    let value = serde_json::to_value(&case).expect("payloads serialize");
    let report = validate_payload(PayloadKind::SupportCase, &value);
    let controls = crate::case::controls::control_violations(&value);
    if !controls.is_empty() {
        let paths: Vec<&str> = controls.iter().map(|v| v.path.as_str()).collect();
        return Err(Error::new(
            "ControlCharactersError",
            format!(
                "Values for the payload hold control characters, which a terminal or the portal \
                 would act on: {}. Nothing was written.",
                paths.join(", ")
            ),
        )
        .with_data(serde_json::json!({ "errors": controls }))
        .with_action(
            "Check these values in the org (or the flags and answers given) and correct them.",
        ));
    }
    if !report.violations.is_empty() {
        return Err(Error::new(
            "PayloadSchemaError",
            "The payload built does not pass its own schema: this is a bug in logik-refresh.",
        )
        .with_data(serde_json::json!({ "errors": report.violations }))
        .with_action("Report it with the command line you ran (no token is involved)."));
    }
    warnings.extend(report.warnings);
    let mut pretty = serde_json::to_string_pretty(&value).expect("payloads serialize");
    pretty.push('\n');
    let text = match &args.output {
        Some(path) if crate::fsutil::write_output(path, pretty.as_bytes())? => {
            written_text(&path.display().to_string(), &case.new_org_id)
        }
        _ => pretty,
    };
    Ok(CommandOutput::new(&case, text).with_warnings(warnings))
}

/// A support case payload piped in where an org is expected: case build reads orgs, and a
/// payload is not rebuilt from itself.
fn refuse_payload_as_org(value: &Value) -> Result<()> {
    let payload = crate::case::validate::unwrap_payload(value.clone());
    if payload.get("kind").and_then(Value::as_str) == Some("support-case") {
        return Err(Error::input(
            "PayloadIsNotAnOrgError",
            "The JSON on stdin is a support case payload, not an org: case build reads the org from sf.",
        )
        .with_action("sf org display --json -o <alias> | logik-refresh case build ...")
        .with_action("To check a payload: logik-refresh case validate case.json"));
    }
    Ok(())
}

/// The org case build was given.
struct OrgAtHand {
    facts: OrgFacts,
    /// A working connection, when the org was reached.
    client: Option<Client>,
    warnings: Vec<String>,
}

/// Reads the org's facts: online when its token can be found, else (for a piped org) what sf
/// printed, with a warning. `-o` that cannot be reached is an error: the user asked for it.
async fn load_org(request: OrgRequest, offline: bool) -> Result<OrgAtHand> {
    let named = request.target_org.is_some();
    let identity = identify(request)?;
    let piped_warnings = identity
        .piped
        .as_ref()
        .map(|p| p.warnings_to_pass_on())
        .unwrap_or_default();
    let shape = identity.piped.as_ref().and_then(|p| p.shape);
    if offline || shape == Some(InputShape::SandboxProcess) {
        return Ok(OrgAtHand {
            facts: OrgFacts::from_identity(&identity),
            client: None,
            warnings: piped_warnings,
        });
    }
    match open_identified(identity.clone()).await {
        Ok(open) => Ok(OrgAtHand {
            facts: open.facts,
            client: Some(open.client),
            warnings: open.warnings,
        }),
        Err(err) if !named => {
            let mut warnings = piped_warnings;
            warnings.extend(err.warnings.iter().cloned());
            warnings.push(format!(
                "Could not reach the org ({}): its facts are what sf printed, and no user was checked in it. Use -o <alias> to check them, or --offline to skip the attempt.",
                err.message
            ));
            Ok(OrgAtHand {
                facts: OrgFacts::from_identity(&identity),
                client: None,
                warnings,
            })
        }
        Err(err) => Err(err),
    }
}

/// What the prompts can offer as defaults.
struct PromptContext<'a> {
    today: Date,
    allow_other_host: bool,
    facts: Option<&'a OrgFacts>,
    provisioning_default: Option<&'a str>,
}

/// Asks, in the procedure's order, for every value not given. Returns warnings the answers
/// deserve.
fn prompt_missing<R: std::io::BufRead, W: std::io::Write>(
    p: &mut Prompter<R, W>,
    values: &mut Values,
    ctx: &PromptContext,
) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    let allow = ctx.allow_other_host;
    let needed = values.cpq_url.is_none()
        || values.refresh_date.is_none()
        || values.data_disposition.is_none()
        || values.new_org_id.is_none()
        || values.my_domain_url.is_none()
        || values.cpq_admins.is_none()
        || values.new_host.is_none()
        || values.provisioning_username.is_none();
    if !needed {
        return Ok(warnings);
    }
    p.note("The support case needs a few more values (Enter takes the [default]; --help lists the flags).");
    if values.cpq_url.is_none() {
        // The sandbox's tenant setting names the environment it is connected to.
        let tenant = ctx
            .facts
            .and_then(|f| f.tenant_setting.as_ref())
            .and_then(|s| s.rows.iter().find(|r| r.level == "org"))
            .and_then(|r| r.runtime_url.as_deref())
            .and_then(|url| values::parse_cpq_url(url, false).ok())
            .map(|parsed| parsed.value);
        let parsed = p.ask(
            "1. Current CPQ environment URL (https://<tenant>.<sector>.logik.io)",
            tenant.as_deref(),
            |s| values::parse_cpq_url(s, allow),
        )?;
        warnings.extend(parsed.warning);
        values.cpq_url = Some(parsed.value);
    }
    if values.refresh_date.is_none() {
        values.refresh_date = Some(p.ask(
            "2. Date of the refresh (YYYY-MM-DD, today or tomorrow)",
            None,
            |s| values::parse_refresh_date(s, ctx.today),
        )?);
    }
    if values.data_disposition.is_none() {
        values.data_disposition = Some(p.ask(
            "3. The CPQ environment's data: retain it (a repoint) or start from scratch? [retain/scratch]",
            None,
            parse_disposition_answer,
        )?);
    }
    if values.new_org_id.is_none() {
        let default = match ctx.facts {
            Some(facts) => match org_is_refreshed(facts, None, values.refresh_date, ctx.today) {
                (true, _) => facts.org_id.clone().unwrap_or_else(|| "TBD".into()),
                (false, _) => "TBD".into(),
            },
            None => "TBD".into(),
        };
        values.new_org_id = Some(p.ask(
            "4. New org ID (15 or 18 characters), or TBD before the refresh",
            Some(&default),
            values::parse_new_org_id,
        )?);
    }
    if values.my_domain_url.is_none() {
        values.my_domain_url = Some(p.ask(
            "5. New My Domain URL, if it changed",
            Some("unchanged"),
            values::parse_my_domain_url,
        )?);
    }
    if values.cpq_admins.is_none() {
        values.cpq_admins = Some(p.ask(
            "6. Usernames that need CPQ Admin access (separate with commas)",
            None,
            |s| values::parse_cpq_admins(&s.split(',').map(str::to_string).collect::<Vec<_>>()),
        )?);
    }
    if values.new_host.is_none() {
        let parsed = p.ask(
            "7. New CPQ environment host name, to change it",
            Some("none"),
            |s| values::parse_new_host(s, allow),
        )?;
        warnings.extend(parsed.warning);
        values.new_host = Some(parsed.value);
    }
    if values.provisioning_username.is_none() {
        values.provisioning_username = Some(p.ask(
            &format!(
                "8. Provisioning user's username (email {PROVISIONING_EMAIL}, System Administrator)"
            ),
            ctx.provisioning_default,
            |s| {
                values::parse_username(
                    s,
                    "provisioning username",
                    "InvalidProvisioningUsernameError",
                )
            },
        )?);
    }
    Ok(warnings)
}

fn parse_disposition_answer(s: &str) -> Result<DataDisposition> {
    match s.trim().to_ascii_lowercase().as_str() {
        "retain" | "r" | "repoint" | "retain-data" | "keep" => Ok(DataDisposition::Repoint),
        "scratch" | "s" | "start-from-scratch" | "decommission-and-recreate" | "new" => {
            Ok(DataDisposition::DecommissionAndRecreate)
        }
        _ => Err(Error::input(
            "InvalidDataDispositionError",
            format!("\"{s}\" is neither retain nor scratch."),
        )
        .with_action("Answer retain (keep the data, a repoint) or scratch (a new environment).")),
    }
}

/// What a person reads after `--output`.
fn written_text(path: &str, new_org_id: &NewOrgId) -> String {
    let mut text = format!(
        "Wrote {path}: the support case payload, to attach to the case on Now Support.\n\
         Next: logik-refresh case render {path}   (the subject and text for the portal form)\n"
    );
    if *new_org_id == NewOrgId::Tbd {
        text.push_str(
            "After the refresh: sf org display --json -o <alias> | logik-refresh case org-id --case-number <number>\n",
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_follow_the_procedure_and_take_defaults() {
        let answers = "acme.test.logik.io\n2026-12-01\nretain\n\n\njane@acme.com.uat, bob@acme.com.uat\n\nprovisioning@logik.io.acme.uat\n";
        let mut output = Vec::new();
        let mut p = Prompter::new(answers.as_bytes(), &mut output);
        let mut values = Values::default();
        let ctx = PromptContext {
            today: "2026-11-30".parse().unwrap(),
            allow_other_host: false,
            facts: None,
            provisioning_default: None,
        };
        let warnings = prompt_missing(&mut p, &mut values, &ctx).unwrap();
        assert!(warnings.is_empty());
        let complete = values.complete().ok().unwrap();
        assert_eq!(complete.cpq_url, "https://acme.test.logik.io");
        assert_eq!(complete.data_disposition, DataDisposition::Repoint);
        assert_eq!(complete.new_org_id, NewOrgId::Tbd);
        assert_eq!(complete.my_domain_url, None);
        assert_eq!(
            complete.cpq_admins,
            ["jane@acme.com.uat", "bob@acme.com.uat"]
        );
        assert_eq!(complete.new_host, None);
        let shown = String::from_utf8(output).unwrap();
        let first = shown.find("1. Current CPQ").unwrap();
        let eighth = shown.find("8. Provisioning").unwrap();
        assert!(first < eighth, "{shown}");
        assert!(shown.contains("[TBD]"), "{shown}");
    }

    #[test]
    fn given_values_are_not_asked_again() {
        let mut output = Vec::new();
        let mut p = Prompter::new(&b""[..], &mut output);
        let mut values = Values {
            cpq_url: Some("https://acme.test.logik.io".into()),
            refresh_date: Some("2026-12-01".parse().unwrap()),
            data_disposition: Some(DataDisposition::Repoint),
            new_org_id: Some(NewOrgId::Tbd),
            my_domain_url: Some(None),
            cpq_admins: Some(vec!["jane@acme.com.uat".into()]),
            new_host: Some(None),
            provisioning_username: Some("provisioning@logik.io.acme.uat".into()),
            case_number: None,
        };
        let ctx = PromptContext {
            today: "2026-11-30".parse().unwrap(),
            allow_other_host: false,
            facts: None,
            provisioning_default: None,
        };
        prompt_missing(&mut p, &mut values, &ctx).unwrap();
        assert!(output.is_empty());
    }

    #[test]
    fn disposition_answers() {
        assert_eq!(
            parse_disposition_answer("Retain").unwrap(),
            DataDisposition::Repoint
        );
        assert_eq!(
            parse_disposition_answer("scratch").unwrap(),
            DataDisposition::DecommissionAndRecreate
        );
        assert!(parse_disposition_answer("maybe").is_err());
    }
}
