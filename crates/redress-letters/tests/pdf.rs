//! The PDF, checked by its text (pdftotext) and its metadata (pdfinfo): these need poppler-utils installed.
#![allow(clippy::unwrap_used)]

mod common;

use common::{HOSTILE, LOGO, pdf_text, poppler, sample};
use redress_letters::{Block, RenderError, Section, render_pdf};

#[test]
fn the_text_of_the_letter_is_in_the_pdf() {
    let text = pdf_text(&render_pdf(&sample()).unwrap());
    for expected in [
        "Northfield Homes",
        "CMP-2026-0042",
        "3 December 2026",
        "Stage 1 response to your complaint",
        "Your complaint",
        "Our decision",
        "Not upheld",
        "Nobody came for 3 weeks.",
        "Pat Officer",
        "Complaints Officer",
        "registered provider, number 4242",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is missing from {text:?}"
        );
    }
}

#[test]
fn markup_in_the_data_is_printed_literally() {
    let text = pdf_text(&render_pdf(&sample()).unwrap());
    assert!(text.contains(r#"#panic("x") [evil]"#), "{text}");
    assert!(text.contains(r"\ $x$ *bold* _em_ <b>&amp;</b>"), "{text}");
}

#[test]
fn the_pdf_is_tagged_a4_with_its_title() {
    let info = poppler("pdfinfo", &["-"], &render_pdf(&sample()).unwrap());
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Title:           Stage 1 response to your complaint"),
        "{info}"
    );
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
}

#[test]
fn only_the_embedded_font_is_used() {
    let fonts = poppler("pdffonts", &["-"], &render_pdf(&sample()).unwrap());
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        assert!(row.contains("LiberationSans"), "{fonts}");
        assert!(
            row.split_whitespace().rev().nth(4) == Some("yes"),
            "not embedded: {fonts}"
        );
    }
}

/// The height of the first word box pdftotext finds for `word`, in points.
fn word_height(pdf: &[u8], word: &str) -> f64 {
    let html = poppler("pdftotext", &["-bbox", "-", "-"], pdf);
    let line = html
        .lines()
        .find(|l| l.ends_with(&format!(">{word}</word>")))
        .unwrap();
    let attr = |name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    attr("yMax") - attr("yMin")
}

#[test]
fn large_print_is_visibly_bigger() {
    let mut letter = sample();
    let normal = render_pdf(&letter).unwrap();
    letter.large_print = true;
    let large = render_pdf(&letter).unwrap();
    let (small, big) = (
        word_height(&normal, "boiler"),
        word_height(&large, "boiler"),
    );
    assert!(big / small > 1.5, "11 pt is {small} high and 18 pt {big}");
    let pages = |pdf: &[u8]| {
        poppler("pdfinfo", &["-"], pdf)
            .lines()
            .find(|l| l.starts_with("Pages:"))
            .unwrap()
            .to_owned()
    };
    assert!(pages(&large) >= pages(&normal));
}

#[test]
fn a_logo_is_drawn_and_a_broken_one_refused() {
    let mut letter = sample();
    letter.letterhead.logo_png = Some(LOGO.to_vec());
    let pdf = render_pdf(&letter).unwrap();
    let images = poppler("pdfimages", &["-list", "-"], &pdf);
    assert_eq!(images.lines().count(), 3, "one image expected: {images}");
    assert!(pdf_text(&pdf).contains("CMP-2026-0042"));

    letter.letterhead.logo_png = Some(b"not a png".to_vec());
    assert!(matches!(
        render_pdf(&letter),
        Err(RenderError::InvalidLogo(_))
    ));
    let mut truncated = LOGO[..40].to_vec();
    truncated.extend_from_slice(&[0; 8]);
    letter.letterhead.logo_png = Some(truncated);
    assert!(
        render_pdf(&letter).is_err(),
        "a PNG cut short is an error, not a panic"
    );
}

#[test]
fn hostile_and_odd_input_never_panics() {
    let long_word = "x".repeat(5000);
    let odd = [
        HOSTILE.to_owned(),
        "emoji 🏠🔧 and ünïcödé".into(),
        long_word.clone(),
        String::new(),
        "\u{0}\u{7}control\u{1b}[31m".into(),
        "line one\nline two\r\n\tthree".into(),
        "]".repeat(300),
        "\\".into(),
    ];
    for value in &odd {
        let mut letter = sample();
        letter.title = value.clone();
        letter.reference = value.clone();
        letter.recipient = vec![value.clone()];
        letter.letterhead.organisation = value.clone();
        letter.footer = vec![value.clone()];
        letter.sections = vec![
            Section {
                heading: Some(value.clone()),
                blocks: vec![],
            },
            Section {
                heading: None,
                blocks: vec![
                    Block::Paragraph(value.clone()),
                    Block::Bullets(vec![]),
                    Block::Bullets(vec![value.clone()]),
                    Block::Table {
                        header: vec![],
                        rows: vec![],
                    },
                    Block::Table {
                        header: vec![],
                        rows: vec![vec![value.clone()], vec![]],
                    },
                    Block::Table {
                        header: vec![value.clone()],
                        rows: vec![vec![], vec!["a".into(), "b".into()]],
                    },
                ],
            },
        ];
        let pdf = render_pdf(&letter).unwrap_or_else(|e| panic!("{value:?}: {e}"));
        assert!(pdf.starts_with(b"%PDF"));
    }
    let empty = redress_letters::PrintableLetter {
        large_print: true,
        ..Default::default()
    };
    assert!(render_pdf(&empty).unwrap().starts_with(b"%PDF"));
    let mut letter = sample();
    letter.sections[0]
        .blocks
        .push(Block::Paragraph(format!("start {long_word} end")));
    assert!(pdf_text(&render_pdf(&letter).unwrap()).contains("start"));
}

#[test]
fn renders_from_many_threads_at_once() {
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let mut letter = sample();
                letter.reference = format!("REF-{i}");
                pdf_text(&render_pdf(&letter).unwrap()).contains(&format!("REF-{i}"))
            })
        })
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap()));
}

#[test]
fn a_newline_in_a_paragraph_breaks_the_line() {
    let mut letter = sample();
    letter.sections[0].blocks = vec![Block::Paragraph(
        "first line of two\nsecond line of two".into(),
    )];
    let raw = poppler(
        "pdftotext",
        &["-layout", "-", "-"],
        &render_pdf(&letter).unwrap(),
    );
    assert!(
        raw.lines().any(|l| l.trim() == "first line of two"),
        "{raw}"
    );
}
