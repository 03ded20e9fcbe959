//! A sample letter and the poppler-utils helpers the tests share.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use redress_letters::{Block, Letterhead, PrintableLetter, Section, Signatory};

pub const HOSTILE: &str = r#"#panic("x") [evil] \ $x$ *bold* _em_ <b>&amp;</b> 'single' "double" `raw` @label // not a comment"#;
pub const LOGO: &[u8] = include_bytes!("../fixtures/logo.png");

pub fn sample() -> PrintableLetter {
    PrintableLetter {
        letterhead: Letterhead {
            organisation: "Northfield Homes".into(),
            address_lines: vec!["1 High Street".into(), "Leeds".into(), "LS1 1AA".into()],
            phone: Some("0113 496 0000".into()),
            email: Some("complaints@northfield.example".into()),
            website: Some("northfield.example".into()),
            logo_png: None,
        },
        recipient: vec![
            HOSTILE.into(),
            "2 Low Road".into(),
            "Leeds".into(),
            "LS2 2BB".into(),
        ],
        date: "3 December 2026".into(),
        reference: "CMP-2026-0042".into(),
        title: "Stage 1 response to your complaint".into(),
        salutation: "Dear Ms Example,".into(),
        sections: vec![
            Section {
                heading: Some("Your complaint".into()),
                blocks: vec![
                    Block::Paragraph("You told us the repair to your boiler was late.".into()),
                    Block::Bullets(vec![
                        "The boiler failed on 1 November.".into(),
                        "Nobody came for 3 weeks.".into(),
                    ]),
                ],
            },
            Section {
                heading: Some("Our decision".into()),
                blocks: vec![Block::Table {
                    header: vec!["Element".into(), "Decision".into()],
                    rows: vec![
                        vec!["Repair delay".into(), "Upheld".into()],
                        vec!["Staff attitude".into(), "Not upheld".into()],
                    ],
                }],
            },
            Section {
                heading: None,
                blocks: vec![],
            },
        ],
        closing: "Yours sincerely,".into(),
        signatory: Some(Signatory {
            name: "Pat Officer".into(),
            role: "Complaints Officer".into(),
        }),
        footer: vec!["Northfield Homes is a registered provider, number 4242.".into()],
        large_print: false,
    }
}

/// Runs a poppler-utils tool on the PDF given on standard input; fails with a clear message if it is missing.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("`{tool}` could not be run ({e}): these tests need poppler-utils (apt-get install poppler-utils)")
        });
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The PDF's text as pdftotext reads it, with runs of whitespace made single spaces.
pub fn pdf_text(pdf: &[u8]) -> String {
    let text = poppler("pdftotext", &["-enc", "UTF-8", "-", "-"], pdf);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
