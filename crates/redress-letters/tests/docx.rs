//! The Word document, opened as the zip archive it is.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Cursor, Read};

use common::{HOSTILE, LOGO, sample};
use redress_letters::{Block, RenderError, Section, render_docx};

fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// XML text back to the characters it stands for (the five entities docx-rs writes).
fn unescaped(xml: &str) -> String {
    xml.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn the_document_holds_the_letter() {
    let docx = render_docx(&sample()).unwrap();
    let xml = part(&docx, "word/document.xml");
    for expected in [
        "Northfield Homes",
        "Date: 3 December 2026",
        "Our reference: CMP-2026-0042",
        "Stage 1 response to your complaint",
        "Our decision",
        "Not upheld",
        "Nobody came for 3 weeks.",
        "Pat Officer",
    ] {
        assert!(xml.contains(expected), "{expected:?} is missing");
    }
    assert!(
        xml.contains("<w:tbl>"),
        "the decision table is a real table"
    );
    assert!(xml.contains("w:numId"), "bullets are a real list");
    assert!(
        unescaped(&xml).contains(HOSTILE),
        "the hostile name is kept as text"
    );
    assert!(!xml.contains("<b>"), "markup in the data stays text");
    assert!(part(&docx, "word/footer1.xml").contains("registered provider"));
}

#[test]
fn large_print_is_18_pt() {
    let mut letter = sample();
    letter.large_print = true;
    let styles = part(&render_docx(&letter).unwrap(), "word/styles.xml");
    assert!(
        styles.contains(r#"<w:sz w:val="36" />"#) || styles.contains(r#"<w:sz w:val="36"/>"#),
        "{styles}"
    );
}

#[test]
fn a_logo_is_embedded_and_a_broken_one_refused() {
    let mut letter = sample();
    letter.letterhead.logo_png = Some(LOGO.to_vec());
    let docx = render_docx(&letter).unwrap();
    let archive = zip::ZipArchive::new(Cursor::new(&docx)).unwrap();
    assert!(
        archive.file_names().any(|n| n.starts_with("word/media/")),
        "{:?}",
        archive.file_names().collect::<Vec<_>>()
    );
    letter.letterhead.logo_png = Some(vec![1, 2, 3]);
    assert!(matches!(
        render_docx(&letter),
        Err(RenderError::InvalidLogo(_))
    ));
}

#[test]
fn odd_input_makes_a_well_formed_document() {
    let mut letter = sample();
    let odd = "\u{0}\u{7}bell \u{1b}[31m 🏠 ]]> <![CDATA[";
    letter.title = odd.into();
    letter.sections.push(Section {
        heading: Some(String::new()),
        blocks: vec![
            Block::Table {
                header: vec![],
                rows: vec![],
            },
            Block::Table {
                header: vec!["only".into()],
                rows: vec![vec![], vec!["a".into(), "cut".into()]],
            },
            Block::Bullets(vec![]),
            Block::Paragraph("x".repeat(10_000)),
        ],
    });
    let xml = part(&render_docx(&letter).unwrap(), "word/document.xml");
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{7}'));
    assert!(xml.contains("bell"));
    assert!(
        !xml.contains(">cut<"),
        "a row longer than the header is cut to it"
    );
    assert!(render_docx(&redress_letters::PrintableLetter::default()).is_ok());
}
