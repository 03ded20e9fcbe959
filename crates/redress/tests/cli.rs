//! The `redress` binary as a person uses it: real process, real arguments, exit codes and output.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Output};

fn redress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(args)
        .output()
        .expect("the redress binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn add_working_days_prints_the_iso_date() {
    // Tue 23 Dec 2025 + 10 WD in England and Wales, skipping 25, 26 Dec and 1 Jan.
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "england-and-wales",
        "2025-12-23",
        "10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2026-01-09\n");
    // Scotland also skips 2 January.
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "scotland",
        "2025-12-23",
        "10",
    ]);
    assert_eq!(stdout(&o), "2026-01-12\n");
    // Northern Ireland skips St Patrick's Day.
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "northern-ireland",
        "2026-03-16",
        "1",
    ]);
    assert_eq!(stdout(&o), "2026-03-18\n");
}

#[test]
fn working_days_between_prints_a_count() {
    let o = redress(&[
        "calendar",
        "working-days-between",
        "--calendar",
        "scotland",
        "2025-12-23",
        "2026-01-09",
    ]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), "9\n");
    let o = redress(&[
        "calendar",
        "working-days-between",
        "--calendar",
        "england-and-wales",
        "2026-01-09",
        "2025-12-23",
    ]);
    assert_eq!(stdout(&o), "-10\n");
}

#[test]
fn closure_days_and_an_updated_holiday_file_are_honoured() {
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "england-and-wales",
        "--closure-day",
        "2025-12-29",
        "--closure-day",
        "2025-12-30",
        "--closure-day",
        "2025-12-31",
        "2025-12-23",
        "2",
    ]);
    assert_eq!(stdout(&o), "2026-01-02\n");
    let mut file = tempfile();
    file.1
        .write_all(br#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"Extra","date":"2031-06-06","notes":"","bunting":true}]},"scotland":{"division":"scotland","events":[]},"northern-ireland":{"division":"northern-ireland","events":[]}}"#)
        .unwrap();
    let path = file.0.to_str().unwrap().to_owned();
    // Thu 5 June 2031 + 1 WD skips the Friday holiday in the file.
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "england-and-wales",
        "--bank-holidays",
        &path,
        "2031-06-05",
        "1",
    ]);
    assert_eq!(stdout(&o), "2031-06-09\n", "{}", stderr(&o));
    let _ = std::fs::remove_file(&file.0);
}

fn tempfile() -> (std::path::PathBuf, std::fs::File) {
    let path = std::env::temp_dir().join(format!(
        "redress-cli-{}-{}.json",
        std::process::id(),
        line!()
    ));
    let f = std::fs::File::create(&path).unwrap();
    (path, f)
}

#[test]
fn bad_arguments_get_a_one_line_error_and_a_non_zero_exit() {
    for args in [
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "wales",
            "2025-12-23",
            "10",
        ],
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "scotland",
            "2025-02-30",
            "1",
        ],
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "scotland",
            "2025-02-03",
            "-1",
        ],
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "scotland",
            "2025-02-03",
            "ten",
        ],
        vec![
            "calendar",
            "add-working-days",
            "--calendar",
            "scotland",
            "1850-02-03",
            "1",
        ],
        vec![
            "calendar",
            "working-days-between",
            "--calendar",
            "scotland",
            "2025-02-03",
        ],
        vec!["calendar", "frobnicate"],
        vec!["policy", "show", "no-such-policy"],
        vec!["policy", "check", "/no/such/file.toml"],
    ] {
        let o = redress(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("redress: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let o = redress(&[
        "calendar",
        "add-working-days",
        "--calendar",
        "wales",
        "2025-12-23",
        "10",
    ]);
    assert!(stderr(&o).contains("unknown calendar 'wales'"));
}

#[test]
fn policy_list_names_every_preset() {
    let o = redress(&["policy", "list"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for id in [
        "code-2024",
        "scottish-model-chp",
        "herring-house-trust",
        "resolution-team-2022",
        "performance-improvement-2025",
        "herefordshire-council",
        "harrogate-ha",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(id)),
            "{id} missing from {out}"
        );
    }
}

#[test]
fn policy_check_exits_0_without_findings_and_1_with_them() {
    let o = redress(&["policy", "check", "code-2024"]);
    assert_eq!(o.status.code(), Some(0));
    let o = redress(&["policy", "check", "herefordshire-council"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("6.12"), "{}", stdout(&o));
    let o = redress(&[
        "policy",
        "check",
        "herefordshire-council",
        "--format",
        "json",
    ]);
    let findings: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "stages.stage2.escalation.reasons_required")
    );
}

#[test]
fn policy_show_resolves_a_file_that_extends_a_preset() {
    let path = std::env::temp_dir().join(format!("redress-policy-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "id = \"our-policy\"\nname = \"Our policy\"\nversion = \"1\"\nextends = \"code-2024\"\ncalendar = \"england-and-wales\"\n\n[stages.stage1]\nname = \"Resolution\"\nrespond = { working_days = 15, from = \"acknowledged\" }\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let o = redress(&["policy", "show", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let resolved: toml::Table = stdout(&o).parse().unwrap();
    assert_eq!(resolved["id"].as_str(), Some("our-policy"));
    assert_eq!(
        resolved["stages"]["stage1"]["name"].as_str(),
        Some("Resolution")
    );
    // Inherited from the Code.
    assert_eq!(
        resolved["stages"]["stage2"]["respond"]["working_days"].as_integer(),
        Some(20)
    );
    // The resolved output loads on its own.
    let again = std::env::temp_dir().join(format!(
        "redress-policy-resolved-{}.toml",
        std::process::id()
    ));
    std::fs::write(&again, stdout(&o)).unwrap();
    let o2 = redress(&["policy", "check", again.to_str().unwrap()]);
    assert_eq!(o2.status.code(), Some(1));
    assert!(
        stdout(&o2).contains("stages.stage1.respond"),
        "{}",
        stdout(&o2)
    );
    // A bad key is named.
    std::fs::write(&path, "id = \"x\"\nname = \"X\"\nversion = \"1\"\nextends = \"code-2024\"\ncalendar = \"england-and-wales\"\n[stages.stage1]\nrespond = { working_dayz = 15, from = \"acknowledged\" }\n").unwrap();
    let o3 = redress(&["policy", "show", p]);
    assert_eq!(o3.status.code(), Some(2));
    assert!(
        stderr(&o3).contains("stages.stage1.respond"),
        "{}",
        stderr(&o3)
    );
    assert!(stderr(&o3).contains("working_dayz"), "{}", stderr(&o3));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&again);
}

#[test]
fn a_password_in_the_database_url_is_never_printed() {
    let dir = std::env::temp_dir().join(format!("redress-cli-{}", std::process::id()));
    for args in [
        vec!["migrate", "--database-url"],
        vec!["serve", "--bind", "127.0.0.1:0", "--database-url"],
    ] {
        let url = format!(
            "sqlite://{}/x.db?synchronous=full&PassWord=s3cret",
            dir.display()
        );
        let mut args = args.clone();
        args.push(&url);
        let o = redress(&args);
        assert!(!o.status.success(), "{args:?}");
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains("s3cret"), "{args:?}: {all}");
        assert!(
            all.contains("PassWord"),
            "the option at fault is named: {all}"
        );
    }
}
