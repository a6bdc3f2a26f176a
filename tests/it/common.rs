//! Shared test harness: run the real binary in a throwaway HOME with a clean environment, start
//! the org emulator, lay out sf's auth store from the real sf test vectors.

use logik_org_emulator::{Emulator, EmulatorOptions};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sf-cli-2.146.3");

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

/// A throwaway HOME and working directory for one test.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Drop for Sandbox {
    /// Every file the tool wrote in a test (journal, secrets index, case files) is checked for
    /// the org's tokens and for being private, as the test ends.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let mut files = Vec::new();
        for dir in [self.state(), self.work()] {
            collect_files(&dir, &mut files);
        }
        // The --trace file every command of the suite writes (see `cmd`): no token, private.
        let trace = self.trace();
        if trace.is_file() {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&trace).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "the trace is private");
            files.push(trace);
        }
        for path in files {
            let text = std::fs::read(&path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            assert_no_token(&text, &path.display().to_string());
            if path.starts_with(self.state()) {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(
                    mode & 0o077,
                    0,
                    "{} is readable by others ({mode:o})",
                    path.display()
                );
            }
        }
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    // Regular files only: a test may leave a FIFO or a link to a device, which are not read.
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_files(&path, out);
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        Sandbox { dir }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// The `--trace` file of every command run through [`Sandbox::cmd`]
    /// (`LOGIK_REFRESH_TRACE`), checked for secrets as the sandbox ends.
    pub fn trace(&self) -> PathBuf {
        self.dir.path().join("trace.jsonl")
    }

    /// The tool's state folder (the journal).
    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// The journal of the emulator's sandbox, one JSON value a line.
    pub fn journal(&self) -> Vec<Value> {
        let path = self
            .state()
            .join("journal")
            .join(format!("{}.jsonl", logik_org_emulator::SEED_ORG_ID));
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// Like [`Sandbox::sf_auth_store`], plus an encrypted refresh token, as `sf org login web`
    /// leaves it: the tool can then renew an expired access token.
    pub fn sf_auth_store_with_refresh(&self, instance_url: &str) {
        use logik_refresh::sf::crypto::{SfKey, encrypt};
        self.sf_auth_store("v1", instance_url);
        let key_json: Value = serde_json::from_str(&fixture("v1-key.json")).unwrap();
        let key = SfKey::from_hex(key_json["key"].as_str().unwrap()).unwrap();
        let path = self.home().join(".sfdx/admin@acme.com.uat.json");
        let mut auth: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        auth["refreshToken"] = Value::String(encrypt(
            logik_org_emulator::SEED_REFRESH_TOKEN,
            &key,
            "a1b2c3d4e5f6",
        ));
        auth["clientId"] = Value::String("PlatformCLI".into());
        std::fs::write(&path, serde_json::to_string_pretty(&auth).unwrap()).unwrap();
    }

    /// The tool, with HOME here, no inherited sf settings, no sf on PATH unless a test adds it,
    /// and short retry delays.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_logik-refresh"));
        cmd.args(args)
            .current_dir(self.work())
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .env("SF_USE_GENERIC_UNIX_KEYCHAIN", "true")
            .env("LOGIK_REFRESH_RETRY_BASE_MS", "10")
            .env("LOGIK_REFRESH_STATE_DIR", self.state())
            .env("LOGIK_REFRESH_SF", "/nonexistent/sf")
            .env("LOGIK_REFRESH_TRACE", self.trace());
        cmd
    }

    /// Lays out sf's generic-keychain auth store (key.json mode 600, the auth file, the alias)
    /// from the real sf vectors, pointing the org at `instance_url`.
    pub fn sf_auth_store(&self, version: &str, instance_url: &str) {
        let sfdx = self.home().join(".sfdx");
        std::fs::create_dir_all(&sfdx).unwrap();
        let key = sfdx.join("key.json");
        std::fs::write(&key, fixture(&format!("{version}-key.json"))).unwrap();
        set_mode(&key, 0o600);
        let mut auth: Value =
            serde_json::from_str(&fixture(&format!("{version}-authfile.json"))).unwrap();
        auth["instanceUrl"] = Value::String(instance_url.to_string());
        auth["loginUrl"] = Value::String(instance_url.to_string());
        std::fs::write(
            sfdx.join("admin@acme.com.uat.json"),
            serde_json::to_string_pretty(&auth).unwrap(),
        )
        .unwrap();
        std::fs::write(
            sfdx.join("alias.json"),
            r#"{"orgs":{"uat":"admin@acme.com.uat"}}"#,
        )
        .unwrap();
    }
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether this is a CI run (`CI` set, as CI services set it: `CI=true`).
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The one skip gate of the suite, for a test that cannot run here (a program missing, a
/// keystore that cannot start). Outside CI it says why on stderr and the test returns; in CI a
/// skip is a failure: scripts/test.sh installs what every test needs.
pub fn skip(reason: &str) {
    if in_ci() {
        panic!("this test cannot run here, and CI runs every test: {reason}");
    }
    eprintln!("skipped: {reason}");
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs a command with `stdin` piped in (empty string = an empty pipe).
pub fn run_with_stdin(mut cmd: Command, stdin: &str) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.as_bytes().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    checked(&cmd, out.into())
}

/// Runs a command that must end within `limit` (one that would block forever is killed, and
/// the test fails saying so).
pub fn run_within(mut cmd: Command, limit: std::time::Duration) -> Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: {:?}\nstderr: {}",
                cmd.get_args().collect::<Vec<_>>(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    checked(&cmd, out.into())
}

/// Makes a FIFO (named pipe) at `path`.
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

pub fn run(mut cmd: Command) -> Run {
    cmd.stdin(Stdio::null());
    let out = cmd.output().unwrap().into();
    checked(&cmd, out)
}

/// Secret hygiene for the whole suite: whatever a test runs, the tool never prints the org's
/// access token or refresh token (the emulator's, which every test uses), not even in part.
fn checked(cmd: &Command, run: Run) -> Run {
    if cmd
        .get_program()
        .to_string_lossy()
        .ends_with("logik-refresh")
    {
        assert_no_token(&run.stdout, "stdout");
        assert_no_token(&run.stderr, "stderr");
    }
    run
}

pub fn assert_no_token(text: &str, place: &str) {
    use logik_org_emulator::{SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN};
    for secret in [SEED_ACCESS_TOKEN, SEED_REFRESH_TOKEN] {
        let tail = &secret[secret.len() / 2..];
        assert!(!text.contains(tail), "a token leaked into {place}:\n{text}");
    }
}

/// Write requests the emulator received (composite subrequests counted by their methods).
pub fn writes(emulator: &Emulator) -> usize {
    emulator.requests().iter().filter(|r| r.write).count()
}

/// The org-default row of the CPQ Tenant setting, as the emulator holds it now.
pub fn org_default(emulator: &Emulator) -> Value {
    emulator
        .records("LGK__ConfigurationTenant__c")
        .into_iter()
        .find(|r| r["SetupOwnerId"].as_str().unwrap().starts_with("00D"))
        .expect("org default row")
}

pub fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default()).unwrap()
}

/// The sf `org display --json` envelope of the emulator's org, token redacted as sf 2.146 does.
pub fn display_json(instance_url: &str) -> String {
    let mut display: Value = serde_json::from_str(&fixture("v1-display.json")).unwrap();
    display["result"]["instanceUrl"] = Value::String(format!("{instance_url}/"));
    serde_json::to_string_pretty(&display).unwrap()
}

/// Checks a JSON value against a committed schema.
pub fn assert_valid(schema_name: &str, value: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{schema_name}.schema.json"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema_name} schema violations: {errors:#?}\nin {value:#}"
    );
}

/// Where `snapshot -o uat` keeps the snapshot of org `org_id` (one file per org ID).
pub fn snapshot_path(sandbox: &Sandbox, org_id: &str) -> PathBuf {
    sandbox
        .state()
        .join("snapshots/uat")
        .join(format!("{org_id}.json"))
}

/// Writes a snapshot a test changed as `snapshot` itself would have written it, with the
/// checksum of its content: the snapshot of an org that was in that state.
pub fn write_sealed_snapshot(path: &Path, value: &Value) {
    let mut snapshot: logik_refresh::snapshot::Snapshot =
        serde_json::from_value(value.clone()).unwrap();
    snapshot.checksum = None;
    snapshot.checksum = Some(logik_refresh::snapshot::content_checksum(&snapshot));
    std::fs::write(path, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
}

/// Sandboxes `names`, each its own refreshed emulator, logged in through sf's auth store under
/// its name as the alias (`admin@acme.com.<name>`).
pub fn sandboxes(names: &[String]) -> (Vec<Emulator>, Sandbox) {
    let sandbox = Sandbox::new();
    let emulators: Vec<Emulator> = names.iter().map(|_| emulator()).collect();
    sandbox.sf_auth_store("v1", &format!("{}/", emulators[0].base_url()));
    let sfdx = sandbox.home().join(".sfdx");
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(sfdx.join("admin@acme.com.uat.json")).unwrap(),
    )
    .unwrap();
    std::fs::remove_file(sfdx.join("admin@acme.com.uat.json")).unwrap();
    let mut aliases = serde_json::Map::new();
    for (name, emulator) in names.iter().zip(&emulators) {
        let org_id = emulator.refresh(name);
        let username = format!("admin@acme.com.{name}");
        let mut auth = template.clone();
        auth["username"] = json!(username);
        auth["orgId"] = json!(org_id);
        auth["instanceUrl"] = json!(format!("{}/", emulator.base_url()));
        auth["loginUrl"] = auth["instanceUrl"].clone();
        std::fs::write(
            sfdx.join(format!("{username}.json")),
            serde_json::to_string(&auth).unwrap(),
        )
        .unwrap();
        aliases.insert(name.to_string(), json!(username));
    }
    std::fs::write(
        sfdx.join("alias.json"),
        serde_json::to_string(&json!({"orgs": aliases})).unwrap(),
    )
    .unwrap();
    (emulators, sandbox)
}
