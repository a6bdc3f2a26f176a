//! Building a support case from what was given: flags over an answers file over what the org
//! tells. Every value is parsed into its exact form; every problem (invalid or missing) is
//! collected so the user hears about all of them at once.

use super::answers::CaseAnswers;
use super::payload::{
    CaseCheck, CaseOrg, DataDisposition, Generator, NewOrgId, ProvisioningUser, SCHEMA_VERSION,
    SupportCase, SupportCaseKind,
};
use super::values::{self, Parsed};
use crate::protocol::{Error, Result};
use jiff::civil::Date;
use serde_json::{Value, json};

/// A value of the case, in the vendor procedure's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    CpqUrl,
    RefreshDate,
    DataDisposition,
    NewOrgId,
    MyDomainUrl,
    CpqAdmins,
    NewHost,
    ProvisioningUsername,
    ProvisioningEmail,
    CaseNumber,
}

impl Field {
    /// The name in the payload and the answers file.
    pub fn json_name(self) -> &'static str {
        match self {
            Field::CpqUrl => "cpqUrl",
            Field::RefreshDate => "refreshDate",
            Field::DataDisposition => "dataDisposition",
            Field::NewOrgId => "newOrgId",
            Field::MyDomainUrl => "myDomainUrl",
            Field::CpqAdmins => "cpqAdmins",
            Field::NewHost => "newHost",
            Field::ProvisioningUsername => "provisioningUsername",
            Field::ProvisioningEmail => "provisioningEmail",
            Field::CaseNumber => "caseNumber",
        }
    }

    /// The flag that gives it.
    pub fn flag(self) -> &'static str {
        match self {
            Field::CpqUrl => "--cpq-url",
            Field::RefreshDate => "--refresh-date",
            Field::DataDisposition => "--retain-data or --start-from-scratch",
            Field::NewOrgId => "--new-org-id",
            Field::MyDomainUrl => "--my-domain-url",
            Field::CpqAdmins => "--cpq-admin",
            Field::NewHost => "--new-host",
            Field::ProvisioningUsername => "--provisioning-username",
            Field::ProvisioningEmail => "--provisioning-email",
            Field::CaseNumber => "--case-number",
        }
    }

    /// An example of the flag with a value, for actions.
    fn example(self) -> &'static str {
        match self {
            Field::CpqUrl => "--cpq-url https://acme.test.logik.io",
            Field::RefreshDate => "--refresh-date 2026-12-01",
            Field::DataDisposition => "--retain-data",
            Field::NewOrgId => "--new-org-id TBD",
            Field::MyDomainUrl => "--my-domain-url https://acme--uat.sandbox.my.salesforce.com",
            Field::CpqAdmins => "--cpq-admin jane@acme.com.uat",
            Field::NewHost => "--new-host acme-uat.test.logik.io",
            Field::ProvisioningUsername => "--provisioning-username provisioning@logik.io.acme.uat",
            Field::ProvisioningEmail => "--provisioning-email provisioning@logik.io",
            Field::CaseNumber => "--case-number CS0123456",
        }
    }
}

/// What was given, before parsing: flags merged over the answers file.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    pub cpq_url: Option<String>,
    pub refresh_date: Option<String>,
    pub retain_data: bool,
    pub start_from_scratch: bool,
    /// From the answers file (the flags above win).
    pub data_disposition: Option<DataDisposition>,
    pub new_org_id: Option<String>,
    pub my_domain_url: Option<String>,
    pub cpq_admins: Option<Vec<String>>,
    pub new_host: Option<String>,
    pub provisioning_username: Option<String>,
    pub provisioning_email: Option<String>,
    pub case_number: Option<String>,
    pub allow_other_host: bool,
}

impl Inputs {
    /// Fills what the flags left out from the answers file.
    pub fn with_answers(mut self, answers: CaseAnswers) -> Inputs {
        fn fill<T>(flag: &mut Option<T>, answer: Option<T>) {
            if flag.is_none() {
                *flag = answer;
            }
        }
        fill(&mut self.cpq_url, answers.cpq_url);
        fill(&mut self.refresh_date, answers.refresh_date);
        fill(&mut self.data_disposition, answers.data_disposition);
        fill(&mut self.new_org_id, answers.new_org_id);
        fill(&mut self.my_domain_url, answers.my_domain_url);
        fill(&mut self.cpq_admins, answers.cpq_admins);
        fill(&mut self.new_host, answers.new_host);
        fill(
            &mut self.provisioning_username,
            answers.provisioning_username,
        );
        fill(&mut self.provisioning_email, answers.provisioning_email);
        fill(&mut self.case_number, answers.case_number);
        self
    }
}

/// The case's values as far as they are known, each in its exact form.
#[derive(Debug, Default, Clone)]
pub struct Values {
    pub cpq_url: Option<String>,
    pub refresh_date: Option<Date>,
    pub data_disposition: Option<DataDisposition>,
    pub new_org_id: Option<NewOrgId>,
    /// `Some(None)`: answered "unchanged".
    pub my_domain_url: Option<Option<String>>,
    pub cpq_admins: Option<Vec<String>>,
    /// `Some(None)`: answered "no change".
    pub new_host: Option<Option<String>>,
    pub provisioning_username: Option<String>,
    pub case_number: Option<String>,
}

/// Problems found so far.
#[derive(Debug, Default)]
pub struct Problems {
    pub invalid: Vec<(Field, Error)>,
    pub warnings: Vec<String>,
}

impl Problems {
    fn take<T>(&mut self, field: Field, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.invalid.push((field, err));
                None
            }
        }
    }

    fn take_parsed<T>(&mut self, field: Field, result: Result<Parsed<T>>) -> Option<T> {
        let parsed = self.take(field, result)?;
        self.warnings.extend(parsed.warning);
        Some(parsed.value)
    }
}

/// Parses everything given; what does not parse is a problem, what was not given stays `None`.
pub fn parse_inputs(inputs: &Inputs, today: Date) -> (Values, Problems) {
    let mut p = Problems::default();
    let allow = inputs.allow_other_host;
    let data_disposition = match (inputs.retain_data, inputs.start_from_scratch) {
        (true, true) => {
            p.invalid.push((
                Field::DataDisposition,
                Error::input(
                    "DataDispositionConflictError",
                    "--retain-data and --start-from-scratch exclude each other: the CPQ environment's data is either kept (a repoint) or dropped (a new environment).",
                )
                .with_action("Keep one: --retain-data to repoint the existing environment, --start-from-scratch to decommission it and create a new one."),
            ));
            None
        }
        (true, false) => Some(DataDisposition::Repoint),
        (false, true) => Some(DataDisposition::DecommissionAndRecreate),
        (false, false) => inputs.data_disposition,
    };
    let values = Values {
        cpq_url: inputs
            .cpq_url
            .as_deref()
            .and_then(|s| p.take_parsed(Field::CpqUrl, values::parse_cpq_url(s, allow))),
        refresh_date: inputs
            .refresh_date
            .as_deref()
            .and_then(|s| p.take(Field::RefreshDate, values::parse_refresh_date(s, today))),
        data_disposition,
        new_org_id: inputs
            .new_org_id
            .as_deref()
            .and_then(|s| p.take(Field::NewOrgId, values::parse_new_org_id(s))),
        my_domain_url: inputs
            .my_domain_url
            .as_deref()
            .and_then(|s| p.take(Field::MyDomainUrl, values::parse_my_domain_url(s))),
        cpq_admins: inputs
            .cpq_admins
            .as_deref()
            .and_then(|list| p.take(Field::CpqAdmins, values::parse_cpq_admins(list))),
        new_host: inputs
            .new_host
            .as_deref()
            .and_then(|s| p.take_parsed(Field::NewHost, values::parse_new_host(s, allow))),
        provisioning_username: inputs.provisioning_username.as_deref().and_then(|s| {
            p.take(
                Field::ProvisioningUsername,
                values::parse_username(
                    s,
                    "provisioning username",
                    "InvalidProvisioningUsernameError",
                ),
            )
        }),
        case_number: inputs
            .case_number
            .as_deref()
            .and_then(|s| p.take(Field::CaseNumber, values::parse_case_number(s))),
    };
    if let Some(email) = &inputs.provisioning_email {
        p.take(
            Field::ProvisioningEmail,
            values::check_provisioning_email(email),
        );
    }
    (values, p)
}

/// The required values still unknown, in the procedure's order.
pub fn missing(values: &Values) -> Vec<Field> {
    let mut out = Vec::new();
    if values.cpq_url.is_none() {
        out.push(Field::CpqUrl);
    }
    if values.refresh_date.is_none() {
        out.push(Field::RefreshDate);
    }
    if values.data_disposition.is_none() {
        out.push(Field::DataDisposition);
    }
    if values.cpq_admins.is_none() {
        out.push(Field::CpqAdmins);
    }
    if values.provisioning_username.is_none() {
        out.push(Field::ProvisioningUsername);
    }
    out
}

/// The required values still unknown, leaving out those already reported as invalid.
pub fn still_missing(values: &Values, invalid: &[(Field, Error)]) -> Vec<Field> {
    missing(values)
        .into_iter()
        .filter(|f| !invalid.iter().any(|(g, _)| g == f))
        .collect()
}

/// One error for every problem: the problem itself when there is only one invalid value,
/// else a list (`data.errors`, `data.missing`) with every action.
pub fn problems_error(
    invalid: Vec<(Field, Error)>,
    missing: &[Field],
    can_prompt_hint: bool,
) -> Error {
    let missing_data: Vec<Value> = missing
        .iter()
        .map(|f| json!({"field": f.json_name(), "flag": f.flag()}))
        .collect();
    if invalid.len() == 1 && missing.is_empty() {
        let (field, mut err) = invalid.into_iter().next().expect("one");
        let mut data = match err.data.take() {
            Some(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        data.insert("field".into(), json!(field.json_name()));
        data.insert("flag".into(), json!(field.flag()));
        return err.with_data(Value::Object(data));
    }
    let mut actions: Vec<String> = Vec::new();
    let mut push = |a: String| {
        if !actions.contains(&a) {
            actions.push(a);
        }
    };
    if invalid.is_empty() {
        let list = missing
            .iter()
            .map(|f| format!("{} ({})", f.json_name(), f.flag()))
            .collect::<Vec<_>>()
            .join(", ");
        let example = missing
            .iter()
            .map(|f| f.example())
            .collect::<Vec<_>>()
            .join(" ");
        push(format!("Add: {example}"));
        push("Or give them in an answers file: --answers answers.json (keys as in the payload; schema: logik-refresh schema case-answers).".into());
        if can_prompt_hint {
            push("Or run the command in a terminal without --json and --no-prompt to be asked for them.".into());
        }
        return Error::input(
            "MissingCaseValuesError",
            format!(
                "The support case needs {} value{} it was not given: {list}.",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            ),
        )
        .with_actions(actions)
        .with_data(json!({"missing": missing_data, "errors": []}));
    }
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (field, err) in &invalid {
        lines.push(format!(
            "{} ({}): {}",
            field.json_name(),
            field.flag(),
            err.message
        ));
        errors.push(json!({
            "field": field.json_name(),
            "flag": field.flag(),
            "name": err.name,
            "message": err.message,
        }));
        for action in &err.actions {
            push(action.clone());
        }
    }
    for field in missing {
        lines.push(format!("{} ({}): missing", field.json_name(), field.flag()));
        push(format!("Add: {}", field.example()));
    }
    Error::input(
        "InvalidCaseValuesError",
        format!(
            "The support case has {} problem{}:\n  {}",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" },
            lines.join("\n  ")
        ),
    )
    .with_actions(actions)
    .with_data(json!({"errors": errors, "missing": missing_data}))
}

/// Everything a case needs, all known.
pub struct Complete {
    pub cpq_url: String,
    pub refresh_date: Date,
    pub data_disposition: DataDisposition,
    pub new_org_id: NewOrgId,
    pub my_domain_url: Option<String>,
    pub cpq_admins: Vec<String>,
    pub new_host: Option<String>,
    pub provisioning_username: String,
    pub case_number: Option<String>,
}

impl Values {
    /// The complete set, or the fields still missing.
    pub fn complete(self) -> std::result::Result<Complete, Vec<Field>> {
        let missing = missing(&self);
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(Complete {
            cpq_url: self.cpq_url.expect("checked"),
            refresh_date: self.refresh_date.expect("checked"),
            data_disposition: self.data_disposition.expect("checked"),
            new_org_id: self.new_org_id.unwrap_or(NewOrgId::Tbd),
            my_domain_url: self.my_domain_url.flatten(),
            cpq_admins: self.cpq_admins.expect("checked"),
            new_host: self.new_host.flatten(),
            provisioning_username: self.provisioning_username.expect("checked"),
            case_number: self.case_number,
        })
    }
}

/// The payload.
pub fn assemble(
    values: Complete,
    org: Option<CaseOrg>,
    checks: Vec<CaseCheck>,
    generated_at: String,
) -> SupportCase {
    SupportCase {
        kind: SupportCaseKind::SupportCase,
        schema_version: SCHEMA_VERSION,
        generator: Generator::this(),
        generated_at,
        case_number: values.case_number,
        cpq_url: values.cpq_url,
        refresh_date: values.refresh_date.to_string(),
        data_disposition: values.data_disposition,
        new_org_id: values.new_org_id,
        my_domain_url: values.my_domain_url,
        cpq_admins: values.cpq_admins,
        new_host: values.new_host,
        provisioning_user: ProvisioningUser::new(values.provisioning_username),
        org,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        "2026-11-30".parse().unwrap()
    }

    fn full() -> Inputs {
        Inputs {
            cpq_url: Some("https://acme.test.logik.io".into()),
            refresh_date: Some("2026-12-01".into()),
            retain_data: true,
            cpq_admins: Some(vec!["jane@acme.com.uat".into()]),
            provisioning_username: Some("provisioning@logik.io.acme.uat".into()),
            ..Inputs::default()
        }
    }

    #[test]
    fn everything_given_is_complete() {
        let (values, problems) = parse_inputs(&full(), today());
        assert!(problems.invalid.is_empty());
        let complete = values.complete().ok().unwrap();
        assert_eq!(complete.new_org_id, NewOrgId::Tbd);
        assert_eq!(complete.refresh_date.to_string(), "2026-12-01");
    }

    #[test]
    fn flags_win_over_answers() {
        let answers = CaseAnswers {
            cpq_url: Some("https://other.test.logik.io".into()),
            data_disposition: Some(DataDisposition::DecommissionAndRecreate),
            new_host: Some(String::new()),
            ..CaseAnswers::default()
        };
        let inputs = full().with_answers(answers);
        assert_eq!(
            inputs.cpq_url.as_deref(),
            Some("https://acme.test.logik.io")
        );
        let (values, _) = parse_inputs(&inputs, today());
        assert_eq!(
            values.data_disposition,
            Some(DataDisposition::Repoint),
            "--retain-data wins"
        );
        assert_eq!(values.new_host, Some(None), "an explicit null is an answer");
    }

    #[test]
    fn all_problems_together() {
        let inputs = Inputs {
            cpq_url: Some("http://acme.test.logik.io".into()),
            retain_data: true,
            start_from_scratch: true,
            new_org_id: Some("00D5e000000AbC".into()),
            ..Inputs::default()
        };
        let (values, problems) = parse_inputs(&inputs, today());
        let missing = still_missing(&values, &problems.invalid);
        assert_eq!(
            missing,
            [
                Field::RefreshDate,
                Field::CpqAdmins,
                Field::ProvisioningUsername
            ]
        );
        let err = problems_error(problems.invalid, &missing, false);
        assert_eq!(err.name, "InvalidCaseValuesError");
        let data = err.data.unwrap();
        let fields: Vec<&str> = data["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["dataDisposition", "cpqUrl", "newOrgId"]);
        assert_eq!(data["missing"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn one_problem_keeps_its_own_error() {
        let inputs = Inputs {
            new_org_id: Some("00D5e000000AbCdEAA".into()),
            ..full()
        };
        let (_, problems) = parse_inputs(&inputs, today());
        let err = problems_error(problems.invalid, &[], false);
        assert_eq!(err.name, "InvalidOrgIdError");
        let data = err.data.unwrap();
        assert_eq!(data["field"], "newOrgId");
        assert_eq!(data["reason"], "checksum");
    }

    #[test]
    fn only_missing() {
        let err = problems_error(vec![], &[Field::CpqUrl, Field::CpqAdmins], true);
        assert_eq!(err.name, "MissingCaseValuesError");
        assert!(
            err.message
                .contains("cpqUrl (--cpq-url), cpqAdmins (--cpq-admin)"),
            "{}",
            err.message
        );
        assert!(
            err.actions[0].contains("--cpq-url https://acme.test.logik.io --cpq-admin"),
            "{:?}",
            err.actions
        );
        assert_eq!(err.actions.len(), 3);
    }
}
