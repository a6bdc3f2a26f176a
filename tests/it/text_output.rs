//! What people read, snapshotted whole: stdout, stderr and the exit status of the text outputs
//! (`run`'s checklist, each step's report, `doctor`, `org wait`'s lines), inline as jj's tests
//! do, so that a change of wording or layout is seen in review. What differs from one run to the
//! next (the emulator's port, temp paths, times) is replaced by a placeholder first.

use crate::common::*;
use logik_org_emulator::{Emulator, EmulatorOptions, Seed};

const TENANT: &str = "https://acme-uat.test.logik.io";

fn setup() -> (Emulator, Sandbox) {
    let emulator = Emulator::start(EmulatorOptions {
        seed: Seed::RefreshedSandbox,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

/// The run as a reader sees it: stdout, then stderr, then how it ended, with the emulator's
/// address and the test's temp folder named rather than spelled out.
fn transcript(sandbox: &Sandbox, emulator_url: &str, out: &Run) -> String {
    format!(
        "{}[stderr]\n{}[exit status: {}]",
        out.stdout, out.stderr, out.code
    )
    .replace(emulator_url.trim_end_matches('/'), "[emulator]")
    .replace(&sandbox.dir.path().display().to_string(), "[tmp]")
}

/// Asserts a transcript against an inline snapshot, with times masked (they change each run).
macro_rules! assert_transcript {
    ($text:expr, @$snapshot:literal) => {
        insta::with_settings!({filters => vec![
            (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?", "[time]"),
            (r"(elapsed|waited) \d+s", "$1 [n]s"),
        ]}, {
            insta::assert_snapshot!($text, @$snapshot);
        })
    };
}

#[test]
fn run_prints_each_step_then_what_is_left() {
    let (emulator, sandbox) = setup();
    let out = run(sandbox.cmd(&["run", "-o", "uat", "--runtime-url", TENANT]));
    assert_transcript!(transcript(&sandbox, &emulator.base_url(), &out), @r#"
        [skip] org-id: skipped
            No --case-number: if the support case gave the new org ID as TBD, run again with --case-number to get the follow-up.
            ok   org ID: 00D5e000000AbCdEAK (15 characters: 00D5e000000AbCd)
        [done] tenant-urls: changed
            changed LGK__ConfigurationTenant__c a0C5e000000000DEAQ (org default).LGK__RuntimeUrl__c
              from https://acme.test.logik.io
              to   https://acme-uat.test.logik.io
            changed LGK__ConfigurationTenant__c a0C5e000000000DEAQ (org default).LGK__TenantAdminEndpoint__c
              from https://acme.test.logik.io
              to   https://acme-uat.test.logik.io
            FAIL overrides: profile row 00e5e0000000003AAA shadows the org default with https://acme-old.test.logik.io; its users still see that tenant (add --include-overrides to update it)
            ok   org default row: re-read: points at https://acme-uat.test.logik.io
        [to do] configurator-url: manual
            Go to: Setup > Installed Packages > Salesforce CPQ > Configure > Additional Settings
            Link:  [emulator]/lightning/setup/ImportedPackage/home
            1. Open Installed Packages and click Configure next to Salesforce CPQ.
            2. Open the Additional Settings tab.
            3. Check "Third Party Configurator" if it is not checked.
            4. Set External Configurator URL to https://acme-uat.test.logik.io/ui/configure and save.
            5. Check: open a quote, click Add Products on a configurable product: the configurator loads from acme-uat.test.logik.io.
               External Configurator URL: https://acme-uat.test.logik.io/ui/configure
               Third Party Configurator: checked
            When done: logik-refresh step configurator-url -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   Salesforce CPQ: SBQQ 252.3.0
            warning: This org has the Visualforce page LGK__CpqConfiguration. If Salesforce CPQ is used through a partner community, its External Configurator URL must stay /apex/LGK__CpqConfiguration: change it only if it now points at a logik.io site.
        [to do] refresh-token-user: manual
            Go to: CPQ Admin > Settings
            Link:  https://acme-uat.test.logik.io
            1. Sign in to CPQ Admin at https://acme-uat.test.logik.io and open Settings.
            2. Clear Refresh Token Username and save (this drops the token of the old org's user).
            3. Set Refresh Token Username to admin@acme.com.uat and save.
            4. Open https://acme-uat.test.logik.io/refreshToken and sign in to Salesforce as admin@acme.com.uat to issue a new refresh token.
            5. Check: within 30 minutes (15 in production) the product sync runs again; CPQ Admin shows the last sync time.
               Refresh Token Username: admin@acme.com.uat
            When done: logik-refresh step refresh-token-user -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   user exists: admin@acme.com.uat (0055e0000000001AAA)
            ok   active: IsActive = true
            ok   not frozen: UserLogin.IsFrozen = false
            ok   permissions: profile System Administrator: Modify All Data, Customize Application and API Enabled
        [to do] runtime-clients: manual
            Go to: CPQ Admin > Utilities > Runtime Clients
            Link:  https://acme-uat.test.logik.io
            1. Sign in to CPQ Admin at https://acme-uat.test.logik.io and open Utilities > Runtime Clients.
            2. Delete the clients of the old org's users (their user IDs no longer exist).
            3. Create one client for each name below, with its User ID, Permissions and Origins (no expiry unless your policy wants one).
            4. The token is shown once: keep it in the OS keyring, e.g. `pbpaste | logik-refresh secret set runtime-client/salesforce-uat`.
            5. Update whatever in Salesforce calls the Runtime API (Named Credential, custom setting) to use the new token.
               salesforce-uat: Name: salesforce-uat
               salesforce-uat: User ID: 0055e0000000001AAA
               salesforce-uat: Permissions: Config
               salesforce-uat: Origins: [emulator], [emulator]/
            When done: logik-refresh step runtime-clients -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   client salesforce-uat: admin@acme.com.uat is active, ID 0055e0000000001AAA
        [done] provisioning-user: changed
            changed User provisioning@logik.io.acme.uat (0055e0000000006AAA).Email
              from provisioning@logik.io.invalid
              to   provisioning@logik.io
            ok   found: provisioning@logik.io.acme.uat (0055e0000000006AAA)
            ok   email: provisioning@logik.io
            ok   active: active
            ok   profile: System Administrator

        3 guided step(s) left. When each is done, record it:
          logik-refresh step configurator-url -o uat --runtime-url https://acme-uat.test.logik.io --confirm
          logik-refresh step refresh-token-user -o uat --runtime-url https://acme-uat.test.logik.io --confirm
          logik-refresh step runtime-clients -o uat --runtime-url https://acme-uat.test.logik.io --confirm
        [stderr]
        [exit status: 68]
        "#);
}

#[test]
fn run_dry_run_says_what_it_would_change() {
    let (emulator, sandbox) = setup();
    let out = run(sandbox.cmd(&["run", "-o", "uat", "--runtime-url", TENANT, "--dry-run"]));
    assert_transcript!(transcript(&sandbox, &emulator.base_url(), &out), @r#"
        [skip] org-id: skipped
            No --case-number: if the support case gave the new org ID as TBD, run again with --case-number to get the follow-up.
            ok   org ID: 00D5e000000AbCdEAK (15 characters: 00D5e000000AbCd)
        [plan] tenant-urls: planned
            would change LGK__ConfigurationTenant__c a0C5e000000000DEAQ (org default).LGK__RuntimeUrl__c
              from https://acme.test.logik.io
              to   https://acme-uat.test.logik.io
            would change LGK__ConfigurationTenant__c a0C5e000000000DEAQ (org default).LGK__TenantAdminEndpoint__c
              from https://acme.test.logik.io
              to   https://acme-uat.test.logik.io
            FAIL overrides: profile row 00e5e0000000003AAA shadows the org default with https://acme-old.test.logik.io; its users still see that tenant (add --include-overrides to update it)
        [to do] configurator-url: manual
            Go to: Setup > Installed Packages > Salesforce CPQ > Configure > Additional Settings
            Link:  [emulator]/lightning/setup/ImportedPackage/home
            1. Open Installed Packages and click Configure next to Salesforce CPQ.
            2. Open the Additional Settings tab.
            3. Check "Third Party Configurator" if it is not checked.
            4. Set External Configurator URL to https://acme-uat.test.logik.io/ui/configure and save.
            5. Check: open a quote, click Add Products on a configurable product: the configurator loads from acme-uat.test.logik.io.
               External Configurator URL: https://acme-uat.test.logik.io/ui/configure
               Third Party Configurator: checked
            When done: logik-refresh step configurator-url -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   Salesforce CPQ: SBQQ 252.3.0
            warning: This org has the Visualforce page LGK__CpqConfiguration. If Salesforce CPQ is used through a partner community, its External Configurator URL must stay /apex/LGK__CpqConfiguration: change it only if it now points at a logik.io site.
        [to do] refresh-token-user: manual
            Go to: CPQ Admin > Settings
            Link:  https://acme-uat.test.logik.io
            1. Sign in to CPQ Admin at https://acme-uat.test.logik.io and open Settings.
            2. Clear Refresh Token Username and save (this drops the token of the old org's user).
            3. Set Refresh Token Username to admin@acme.com.uat and save.
            4. Open https://acme-uat.test.logik.io/refreshToken and sign in to Salesforce as admin@acme.com.uat to issue a new refresh token.
            5. Check: within 30 minutes (15 in production) the product sync runs again; CPQ Admin shows the last sync time.
               Refresh Token Username: admin@acme.com.uat
            When done: logik-refresh step refresh-token-user -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   user exists: admin@acme.com.uat (0055e0000000001AAA)
            ok   active: IsActive = true
            ok   not frozen: UserLogin.IsFrozen = false
            ok   permissions: profile System Administrator: Modify All Data, Customize Application and API Enabled
        [to do] runtime-clients: manual
            Go to: CPQ Admin > Utilities > Runtime Clients
            Link:  https://acme-uat.test.logik.io
            1. Sign in to CPQ Admin at https://acme-uat.test.logik.io and open Utilities > Runtime Clients.
            2. Delete the clients of the old org's users (their user IDs no longer exist).
            3. Create one client for each name below, with its User ID, Permissions and Origins (no expiry unless your policy wants one).
            4. The token is shown once: keep it in the OS keyring, e.g. `pbpaste | logik-refresh secret set runtime-client/salesforce-uat`.
            5. Update whatever in Salesforce calls the Runtime API (Named Credential, custom setting) to use the new token.
               salesforce-uat: Name: salesforce-uat
               salesforce-uat: User ID: 0055e0000000001AAA
               salesforce-uat: Permissions: Config
               salesforce-uat: Origins: [emulator], [emulator]/
            When done: logik-refresh step runtime-clients -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   client salesforce-uat: admin@acme.com.uat is active, ID 0055e0000000001AAA
        [plan] provisioning-user: planned
            would change User provisioning@logik.io.acme.uat (0055e0000000006AAA).Email
              from provisioning@logik.io.invalid
              to   provisioning@logik.io
            ok   found: provisioning@logik.io.acme.uat (0055e0000000006AAA)
            FAIL email: provisioning@logik.io.invalid: the refresh appended .invalid (--fix restores provisioning@logik.io)
            ok   active: active
            ok   profile: System Administrator

        Dry run: nothing was changed.
        [stderr]
        [exit status: 0]
        "#);
}

#[test]
fn each_step_reports_its_checks() {
    let (emulator, sandbox) = setup();
    let url = emulator.base_url();
    let step = |args: &[&str]| {
        let mut all = vec!["step"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-o", "uat"]);
        transcript(&sandbox, &url, &run(sandbox.cmd(&all)))
    };
    assert_transcript!(step(&["org-id"]), @r#"
        [skip] org-id: skipped
            No --case-number: if the support case gave the new org ID as TBD, run again with --case-number to get the follow-up.
            ok   org ID: 00D5e000000AbCdEAK (15 characters: 00D5e000000AbCd)
        [stderr]
        [exit status: 0]
        "#);
    assert_transcript!(step(&["tenant-urls", "--runtime-url", TENANT]), @r#"
        [done] tenant-urls: changed
            changed LGK__ConfigurationTenant__c a0C5e000000000DEAQ (org default).LGK__RuntimeUrl__c
              from https://acme.test.logik.io
              to   https://acme-uat.test.logik.io
            changed LGK__ConfigurationTenant__c a0C5e000000000DEAQ (org default).LGK__TenantAdminEndpoint__c
              from https://acme.test.logik.io
              to   https://acme-uat.test.logik.io
            FAIL overrides: profile row 00e5e0000000003AAA shadows the org default with https://acme-old.test.logik.io; its users still see that tenant (add --include-overrides to update it)
            ok   org default row: re-read: points at https://acme-uat.test.logik.io
        [stderr]
        [exit status: 0]
        "#);
    assert_transcript!(step(&["configurator-url", "--runtime-url", TENANT]), @r#"
        [to do] configurator-url: manual
            Go to: Setup > Installed Packages > Salesforce CPQ > Configure > Additional Settings
            Link:  [emulator]/lightning/setup/ImportedPackage/home
            1. Open Installed Packages and click Configure next to Salesforce CPQ.
            2. Open the Additional Settings tab.
            3. Check "Third Party Configurator" if it is not checked.
            4. Set External Configurator URL to https://acme-uat.test.logik.io/ui/configure and save.
            5. Check: open a quote, click Add Products on a configurable product: the configurator loads from acme-uat.test.logik.io.
               External Configurator URL: https://acme-uat.test.logik.io/ui/configure
               Third Party Configurator: checked
            When done: logik-refresh step configurator-url -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   Salesforce CPQ: SBQQ 252.3.0
            warning: This org has the Visualforce page LGK__CpqConfiguration. If Salesforce CPQ is used through a partner community, its External Configurator URL must stay /apex/LGK__CpqConfiguration: change it only if it now points at a logik.io site.
        [stderr]
        [exit status: 68]
        "#);
    assert_transcript!(step(&["refresh-token-user", "--runtime-url", TENANT]), @r#"
        [to do] refresh-token-user: manual
            Go to: CPQ Admin > Settings
            Link:  https://acme-uat.test.logik.io
            1. Sign in to CPQ Admin at https://acme-uat.test.logik.io and open Settings.
            2. Clear Refresh Token Username and save (this drops the token of the old org's user).
            3. Set Refresh Token Username to admin@acme.com.uat and save.
            4. Open https://acme-uat.test.logik.io/refreshToken and sign in to Salesforce as admin@acme.com.uat to issue a new refresh token.
            5. Check: within 30 minutes (15 in production) the product sync runs again; CPQ Admin shows the last sync time.
               Refresh Token Username: admin@acme.com.uat
            When done: logik-refresh step refresh-token-user -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   user exists: admin@acme.com.uat (0055e0000000001AAA)
            ok   active: IsActive = true
            ok   not frozen: UserLogin.IsFrozen = false
            ok   permissions: profile System Administrator: Modify All Data, Customize Application and API Enabled
        [stderr]
        [exit status: 68]
        "#);
    assert_transcript!(step(&["runtime-clients", "--runtime-url", TENANT]), @r#"
        [to do] runtime-clients: manual
            Go to: CPQ Admin > Utilities > Runtime Clients
            Link:  https://acme-uat.test.logik.io
            1. Sign in to CPQ Admin at https://acme-uat.test.logik.io and open Utilities > Runtime Clients.
            2. Delete the clients of the old org's users (their user IDs no longer exist).
            3. Create one client for each name below, with its User ID, Permissions and Origins (no expiry unless your policy wants one).
            4. The token is shown once: keep it in the OS keyring, e.g. `pbpaste | logik-refresh secret set runtime-client/salesforce-uat`.
            5. Update whatever in Salesforce calls the Runtime API (Named Credential, custom setting) to use the new token.
               salesforce-uat: Name: salesforce-uat
               salesforce-uat: User ID: 0055e0000000001AAA
               salesforce-uat: Permissions: Config
               salesforce-uat: Origins: [emulator], [emulator]/
            When done: logik-refresh step runtime-clients -o uat --runtime-url https://acme-uat.test.logik.io --confirm
            ok   client salesforce-uat: admin@acme.com.uat is active, ID 0055e0000000001AAA
        [stderr]
        [exit status: 68]
        "#);
    assert_transcript!(step(&["provisioning-user"]), @r#"
        [FAILED] provisioning-user: failed
            The provisioning user provisioning@logik.io.acme.uat needs its email restored to provisioning@logik.io. Run the step again with --fix.
            ok   found: provisioning@logik.io.acme.uat (0055e0000000006AAA)
            FAIL email: provisioning@logik.io.invalid: the refresh appended .invalid (--fix restores provisioning@logik.io)
            ok   active: active
            ok   profile: System Administrator
        [stderr]
        [exit status: 1]
        "#);
    assert_transcript!(step(&["provisioning-user", "--fix"]), @r#"
        [done] provisioning-user: changed
            changed User provisioning@logik.io.acme.uat (0055e0000000006AAA).Email
              from provisioning@logik.io.invalid
              to   provisioning@logik.io
            ok   found: provisioning@logik.io.acme.uat (0055e0000000006AAA)
            ok   email: provisioning@logik.io
            ok   active: active
            ok   profile: System Administrator
        [stderr]
        [exit status: 0]
        "#);
    assert_transcript!(step(&["trusted-urls", "--runtime-url", TENANT]), @r#"
        [FAILED] trusted-urls: failed
            The org does not let the tenant in: trusted url https://acme-uat.test.logik.io, remote site https://acme-uat.test.logik.io. Run the step again with --fix (see what it would do with --dry-run).
            FAIL trusted url https://acme-uat.test.logik.io: no trusted url allows https://acme-uat.test.logik.io (--fix adds it)
            FAIL remote site https://acme-uat.test.logik.io: no remote site allows https://acme-uat.test.logik.io (--fix adds it)
        [stderr]
        [exit status: 1]
        "#);
    assert_transcript!(step(&["trusted-urls", "--runtime-url", TENANT, "--fix"]), @r#"
        [done] trusted-urls: changed
            changed CspTrustedSite Logik_Tenant (08y5e000000000WAAQ).EndpointUrl
              from https://acme.test.logik.io
              to   https://acme-uat.test.logik.io
            changed RemoteProxy Logik_Tenant (0rp5e000000000XAAQ).EndpointUrl
              from https://acme.test.logik.io
              to   https://acme-uat.test.logik.io
            ok   trusted url https://acme-uat.test.logik.io: Logik_Tenant allows https://acme-uat.test.logik.io
            ok   remote site https://acme-uat.test.logik.io: Logik_Tenant allows https://acme-uat.test.logik.io
        [stderr]
        [exit status: 0]
        "#);
    assert_transcript!(step(&["touch-products"]), @r#"
        [done] touch-products: changed
            changed Product2 batch 1 of 1 (3 configurable products).LastModifiedDate
              from {"records":3,"lastModifiedDate":{"from":"[time]","to":"[time]"}}
              to   {"records":3,"lastModifiedDate":{"from":"[time]","to":"[time]"}}
            ok   touched: 3 of 3 configurable products (re-read: LastModifiedDate moved on)
        [stderr]
        [exit status: 0]
        "#);
    assert_transcript!(step(&["configurator-url", "--runtime-url", TENANT, "--confirm"]), @r#"
        [done] configurator-url: confirmed
            External Configurator URL: https://acme-uat.test.logik.io/ui/configure
            Third Party Configurator: checked
            ok   Salesforce CPQ: SBQQ 252.3.0
            ok   confirmation: recorded in the journal
            warning: This org has the Visualforce page LGK__CpqConfiguration. If Salesforce CPQ is used through a partner community, its External Configurator URL must stay /apex/LGK__CpqConfiguration: change it only if it now points at a logik.io site.
        [stderr]
        [exit status: 0]
        "#);
}

#[test]
fn doctor_reports_a_line_a_check() {
    let (emulator, sandbox) = setup();
    let mut cmd = sandbox.cmd(&["doctor", "-o", "uat"]);
    // The keystore found depends on the machine; with none chosen the line is the same on all.
    cmd.env("LOGIK_REFRESH_KEYSTORE", "none");
    let out = run(cmd);
    assert_transcript!(transcript(&sandbox, &emulator.base_url(), &out), @r#"
        warning  sf CLI          not found (/nonexistent/sf: No such file or directory (os error 2)); the tool reads sf's files without it, but cannot fall back to `sf org auth show-access-token`
                                 -> Install it: npm install --global @salesforce/cli
                                 -> Or point LOGIK_REFRESH_SF at it.
        ok       sf key          key file [tmp]/home/.sfdx/key.json (mode 600)
        ok       network         trust: the system's CAs; 127.0.0.1: direct (no proxy)
        ok       target org      admin@acme.com.uat (alias uat), from -o
        ok       auth file       [tmp]/home/.sfdx/admin@acme.com.uat.json: tokens decrypted with the key from the key file [tmp]/home/.sfdx/key.json; a refresh token renews an expired access token
        ok       org reachable   [emulator]/ answered (API 62.0, 2 requests); token from sf's auth file [tmp]/home/.sfdx/admin@acme.com.uat.json
        ok       Logik package   installed, 1.84.0
        ok       Salesforce CPQ  installed, 252.3.0
        ok       step            org-id: ready (Organization; API Enabled; API 62.0)
        ok       step            tenant-urls: ready (LGK__ConfigurationTenant__c; API Enabled, Customize Application; API 62.0)
        ok       step            configurator-url: ready (nothing to write in the org; API Enabled; API 62.0)
        ok       step            refresh-token-user: ready (User; API Enabled, Manage Users for whether the user is frozen (UserLogin); API 62.0)
        ok       step            runtime-clients: ready (User; API Enabled, Manage Users for whether the user is frozen (UserLogin); API 62.0)
        ok       step            provisioning-user: ready (User; API Enabled, Manage Users; API 62.0)
        ok       step            trusted-urls: ready (CspTrustedSite, RemoteProxy; API Enabled, Customize Application, Modify All Data; API 62.0)
        ok       step            touch-products: ready (Product2; API Enabled; API 62.0)
        warning  keystore        none, as chosen (--keystore none or LOGIK_REFRESH_KEYSTORE=none): secrets come only from LOGIK_REFRESH_SECRET_<NAME> variables; secret set cannot store anything here
                                 -> Give each secret in its variable instead, e.g. LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE for runtime-client/web-store.
                                 -> On Linux, run inside `keyctl session` (kernel keyring) or `dbus-run-session` with gnome-keyring (Secret Service).
        ok       state           [tmp]/state (created on first use); no journal for this org yet

        18 checks: 16 ok, 2 warning.
        [stderr]
        [exit status: 0]
        "#);
}

#[test]
fn org_wait_prints_a_quiet_line_a_change_then_the_new_org() {
    let (production, sandbox) = crate::org_wait::setup();
    let url = format!("{}/", production.base_url());
    let out = crate::org_wait::wait(&sandbox, &[]);
    assert_transcript!(transcript(&sandbox, &url, &out), @r#"
        Sandbox uat is ready: the refresh completed at [time] (waited [n]s).
          Org ID:   00D5e000000AbCdEAK (15 characters: 00D5e000000AbCd)
          Username: admin@acme.com.uat
        Next, log in to it: sf org login web --instance-url https://test.salesforce.com --alias uat
        [stderr]
        Sandbox uat: Processing 0% (elapsed [n]s)
        Sandbox uat: Processing 40% (elapsed [n]s)
        Sandbox uat: Activating 80% (elapsed [n]s)
        Sandbox uat: Completed 100% (elapsed [n]s)
        [exit status: 0]
        "#);
}

#[test]
fn an_error_says_what_to_do_next() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.cmd(&["run", "--runtime-url", TENANT]));
    assert_transcript!(transcript(&sandbox, "http://unused", &out), @r#"
        [stderr]
        Error (EmptyInputError): Nothing was piped in: expected the JSON of an sf org command.

        Try this:
          sf org display --json -o <alias> | logik-refresh run
          Or name the org instead: logik-refresh run -o <alias>
        [exit status: 2]
        "#);
}

/// `snapshot list` before and after a snapshot, and a snapshot changed since it was taken,
/// refused with what to do next.
#[test]
fn snapshot_list_and_an_edited_snapshot_read_plainly() {
    let (emulator, sandbox) = setup();
    let none = run(sandbox.cmd(&["snapshot", "list"]));
    let taken = run(sandbox.cmd(&["snapshot", "-o", "uat", "--json"]));
    assert_eq!(taken.code, 0, "{}", taken.stderr);
    let listed = run(sandbox.cmd(&["snapshot", "list"]));
    let file = snapshot_path(&sandbox, logik_org_emulator::SEED_ORG_ID);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("acme.test.logik.io", "evil.test.logik.io"),
    )
    .unwrap();
    let edited = run(sandbox.cmd(&[
        "snapshot",
        "diff",
        "-o",
        "uat",
        "--snapshot",
        file.to_str().unwrap(),
    ]));
    let relisted = run(sandbox.cmd(&["snapshot", "list"]));
    let url = emulator.base_url();
    assert_transcript!(
        [&none, &listed, &edited, &relisted]
            .map(|out| transcript(&sandbox, &url, out))
            .join("\n"),
        @r#"
        No snapshot is kept. Take one before a refresh: logik-refresh snapshot -o <alias>
        [stderr]
        [exit status: 0]
        1 snapshot(s):
          uat  org 00D5e000000AbCdEAK  taken [time]  ok  [tmp]/state/snapshots/uat/00D5e000000AbCdEAK.json
        [stderr]
        [exit status: 0]
        [stderr]
        Error (EditedSnapshotError): [tmp]/state/snapshots/uat/00D5e000000AbCdEAK.json was changed since it was taken (its checksum does not match its content): its values were not used, and nothing was changed.

        Try this:
          Take a new snapshot of the sandbox before its next refresh: logik-refresh snapshot -o <alias>
          If you changed it on purpose and checked every value, add --accept-edited-snapshot.
        [exit status: 2]
        1 snapshot(s):
          uat  org 00D5e000000AbCdEAK  taken [time]  changed since taken (refused unless --accept-edited-snapshot)  [tmp]/state/snapshots/uat/00D5e000000AbCdEAK.json
        [stderr]
        [exit status: 0]
        "#
    );
}
