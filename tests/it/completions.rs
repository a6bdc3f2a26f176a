//! `completions SHELL` and `man`: produced from the command tree, for every shell and every
//! command, in a form the shell (bash) and the man tools (groff) accept.

use crate::common::*;
use crate::help::command_paths;
use std::process::Command;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

#[test]
fn every_shell_gets_a_script_that_knows_the_commands_and_flags() {
    let sandbox = Sandbox::new();
    for shell in SHELLS {
        let out = run(sandbox.cmd(&["completions", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for word in [
            "inspect",
            "tenant-urls",
            "configurator-url",
            "runtime-clients",
            "target-org",
            "runtime-url",
            "flags-dir",
            "completions",
        ] {
            assert!(out.stdout.contains(word), "{shell} script lacks {word}");
        }
        let json = run(sandbox.cmd(&["completions", shell, "--json"]));
        assert_eq!(json.code, 0);
        let value = json.json();
        assert_eq!(value["result"]["shell"], shell);
        assert_eq!(value["result"]["script"].as_str().unwrap(), out.stdout);
    }
    let bad = run(sandbox.cmd(&["completions", "tcsh", "--json"]));
    assert_eq!(bad.code, 2);
    assert_eq!(bad.json()["name"], "UsageError");
}

/// What a bash user gets on Tab: the script is sourced, then asked to complete a command line.
fn bash_complete(script: &std::path::Path, line: &[&str]) -> Vec<String> {
    let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{}'
fn=$(complete -p logik-refresh | sed -E 's/.*-F ([^ ]+).*/\1/')
COMP_WORDS=({})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
"$fn" logik-refresh "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script.display(),
        words.join(" ")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&program)
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{program}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_and_flags() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.cmd(&["completions", "bash"]));
    let script = sandbox.work().join("logik-refresh.bash");
    std::fs::write(&script, &out.stdout).unwrap();

    let topics = bash_complete(&script, &["logik-refresh", ""]);
    for topic in ["org", "case", "step", "run", "completions", "man"] {
        assert!(topics.iter().any(|w| w == topic), "{topic} in {topics:?}");
    }
    let steps = bash_complete(&script, &["logik-refresh", "step", "t"]);
    assert!(steps.iter().any(|w| w == "tenant-urls"), "{steps:?}");
    assert!(steps.iter().any(|w| w == "trusted-urls"), "{steps:?}");
    assert!(!steps.iter().any(|w| w == "org-id"), "{steps:?}");
    let flags = bash_complete(&script, &["logik-refresh", "org", "inspect", "--"]);
    for flag in ["--target-org", "--json", "--flags-dir", "--offline"] {
        assert!(flags.iter().any(|w| w == flag), "{flag} in {flags:?}");
    }
}

/// One page per command a user can call: the command as typed and its page's file name.
fn expected_pages() -> Vec<(String, String)> {
    command_paths()
        .into_iter()
        .map(|path| {
            let mut typed = vec!["logik-refresh".to_string()];
            typed.extend(path);
            (typed.join(" "), format!("{}.1", typed.join("-")))
        })
        .collect()
}

/// groff's warnings about a page (none for valid roff), where groff is installed.
fn groff_warnings(roff: &str) -> Option<String> {
    use std::io::Write;
    let mut child = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(roff.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some(String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn man_prints_every_page_as_valid_roff() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.cmd(&["man"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let pages = expected_pages();
    assert_eq!(out.stdout.matches("\n.TH ").count(), pages.len());
    assert_eq!(out.stdout.matches("\n.SH NAME\n").count(), pages.len());
    for (typed, _) in &pages {
        assert!(
            out.stdout
                .contains(&format!(".TH {} 1", typed.replace(' ', "-"))),
            "no page for {typed}"
        );
    }
    // The examples stay line by line, ready to copy.
    assert_eq!(
        out.stdout.matches("\n.SH EXAMPLES\n.nf\n").count(),
        pages.len(),
        "every page has its examples"
    );
    assert!(out.stdout.contains(
        "    logik\\-refresh org inspect \\-o uat \\-\\-json | jq .result.tenantSetting.rows\n"
    ));
    match groff_warnings(&out.stdout) {
        Some(warnings) => assert!(warnings.is_empty(), "groff: {warnings}"),
        None => skip(
            "groff is not installed, so the roff was not rendered (apt-get install groff-base; scripts/test.sh does)",
        ),
    }

    let json = run(sandbox.cmd(&["man", "--json"]));
    let value = json.json();
    let listed: Vec<&str> = value["result"]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["command"].as_str().unwrap())
        .collect();
    let typed: Vec<&str> = pages.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(listed, typed);
}

#[test]
fn man_out_dir_writes_one_page_per_command() {
    let sandbox = Sandbox::new();
    let dir = sandbox.work().join("man1");
    let out = run(sandbox.cmd(&["man", "--out-dir", dir.to_str().unwrap(), "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    let mut expected: Vec<String> = expected_pages().into_iter().map(|(_, f)| f).collect();
    expected.sort();
    assert_eq!(written, expected);
    assert_eq!(
        out.json()["result"]["pages"].as_array().unwrap().len(),
        expected.len()
    );
    let run_page = std::fs::read_to_string(dir.join("logik-refresh-run.1")).unwrap();
    assert!(run_page.starts_with(".ie") || run_page.starts_with(".TH"));
    assert!(run_page.contains("\n.SH NAME\nlogik\\-refresh\\-run \\- "));
    assert!(run_page.contains("\\-\\-runtime\\-url"));
    assert!(run_page.contains(".SH EXAMPLES\n"));
    if let Some(warnings) = groff_warnings(&run_page) {
        assert!(warnings.is_empty(), "groff: {warnings}");
    }
}
