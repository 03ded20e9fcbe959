//! The Word document, built element by element from the model (never by substituting into a template: Word
//! splits placeholders across runs).

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, Footer, IndentLevel, Level, LevelJc,
    LevelText, NumberFormat, Numbering, NumberingId, Paragraph, Pic, Run, RunFonts,
    SpecialIndentType, Start, Style, StyleType, Table, TableCell, TableRow,
};

use crate::model::{Block, Grid, PrintableLetter};
use crate::{RenderError, png};

/// A4 in twentieths of a point.
const A4: (u32, u32) = (11_906, 16_838);
const BULLETS: usize = 1;
/// EMUs per centimetre, for the logo's height.
const EMU_PER_CM: f64 = 360_000.0;

/// Renders the letter as a Word document: A4, in Arial (which Word has, and which LibreOffice replaces with
/// the metrically identical Liberation Sans the PDF uses), 11 pt or 18 pt for large print, headings as
/// Word's heading styles, bullets as a real list and tables as real tables. Fails only on a logo that is
/// not a readable PNG or if the archive cannot be written.
pub fn render_docx(letter: &PrintableLetter) -> Result<Vec<u8>, RenderError> {
    let half_points = if letter.large_print { 36 } else { 22 };
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial"))
        .default_size(half_points)
        .add_style(heading_style(
            "Heading1",
            "heading 1",
            0,
            half_points * 3 / 2,
        ))
        .add_style(heading_style(
            "Heading2",
            "heading 2",
            1,
            half_points * 5 / 4,
        ))
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS).add_level(
                Level::new(
                    0,
                    Start::new(1),
                    NumberFormat::new("bullet"),
                    LevelText::new("•"),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(720),
                    Some(SpecialIndentType::Hanging(360)),
                    None,
                    None,
                ),
            ),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS));
    doc = letterhead(doc, letter, half_points)?;
    doc = doc.add_paragraph(lines(letter.recipient.iter().map(String::as_str)));
    doc = doc.add_paragraph(
        lines(
            [
                format!("Date: {}", letter.date),
                format!("Our reference: {}", letter.reference),
            ]
            .iter()
            .map(String::as_str),
        )
        .align(AlignmentType::Right),
    );
    doc = doc.add_paragraph(text(&letter.title).style("Heading1"));
    doc = doc.add_paragraph(text(&letter.salutation));
    for section in &letter.sections {
        if let Some(heading) = &section.heading {
            doc = doc.add_paragraph(text(heading).style("Heading2"));
        }
        for block in &section.blocks {
            doc = add_block(doc, block);
        }
    }
    doc = doc.add_paragraph(text(&letter.closing));
    if let Some(signatory) = &letter.signatory {
        doc = doc.add_paragraph(Paragraph::new());
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(clean(&signatory.name)).bold())
                .add_run(
                    Run::new()
                        .add_break(BreakType::TextWrapping)
                        .add_text(clean(&signatory.role)),
                ),
        );
    }
    if !letter.footer.is_empty() {
        let small = runs(letter.footer.iter().map(String::as_str))
            .map(|run| run.size(half_points * 3 / 4))
            .fold(Paragraph::new(), Paragraph::add_run);
        doc = doc.footer(Footer::new().add_paragraph(small));
    }
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

fn heading_style(id: &str, name: &str, level: usize, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .outline_lvl(level)
        .bold()
        .size(size)
}

/// The logo (if any) and the organisation's name, address and contact details, right-aligned.
fn letterhead(
    mut doc: Docx,
    letter: &PrintableLetter,
    half_points: usize,
) -> Result<Docx, RenderError> {
    let head = &letter.letterhead;
    if let Some(bytes) = &head.logo_png {
        let (width, height) = png::dimensions(bytes)?;
        let emu_height = (1.8 * EMU_PER_CM) as u32;
        let emu_width = (f64::from(emu_height) * f64::from(width) / f64::from(height))
            .min(7.0 * EMU_PER_CM) as u32;
        let pic =
            Pic::new_with_dimensions(bytes.clone(), width, height).size(emu_width, emu_height);
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic)));
    }
    let name = Run::new()
        .add_text(clean(&head.organisation))
        .bold()
        .size(half_points * 5 / 4);
    let mut details = Paragraph::new().add_run(name).align(AlignmentType::Right);
    let contact = [&head.phone, &head.email, &head.website];
    for line in head
        .address_lines
        .iter()
        .chain(contact.into_iter().flatten())
    {
        details = details.add_run(
            Run::new()
                .add_break(BreakType::TextWrapping)
                .add_text(clean(line)),
        );
    }
    Ok(doc.add_paragraph(details))
}

fn add_block(doc: Docx, block: &Block) -> Docx {
    match block {
        Block::Paragraph(body) => doc.add_paragraph(text(body)),
        Block::Bullets(items) => items.iter().fold(doc, |doc, item| {
            doc.add_paragraph(text(item).numbering(NumberingId::new(BULLETS), IndentLevel::new(0)))
        }),
        Block::Table { .. } => {
            let Some(Grid { header, rows, .. }) = block.table_grid() else {
                return doc;
            };
            let cell = |s: &str, bold: bool| {
                let run = Run::new().add_text(clean(s));
                TableCell::new().add_paragraph(Paragraph::new().add_run(if bold {
                    run.bold()
                } else {
                    run
                }))
            };
            let mut table_rows = Vec::with_capacity(rows.len() + 1);
            if !header.is_empty() {
                table_rows.push(TableRow::new(
                    header.iter().map(|h| cell(h, true)).collect(),
                ));
            }
            table_rows.extend(
                rows.iter()
                    .map(|row| TableRow::new(row.iter().map(|c| cell(c, false)).collect())),
            );
            doc.add_table(Table::new(table_rows))
                .add_paragraph(Paragraph::new())
        }
    }
}

fn text(body: &str) -> Paragraph {
    lines(std::iter::once(body))
}

/// One paragraph whose lines (including any newlines inside a string) are separated by line breaks.
fn lines<'a>(lines: impl Iterator<Item = &'a str>) -> Paragraph {
    runs(lines).fold(Paragraph::new(), Paragraph::add_run)
}

/// A run a line, each after the first starting with a line break.
fn runs<'a>(lines: impl Iterator<Item = &'a str>) -> impl Iterator<Item = Run> {
    lines.flat_map(str::lines).enumerate().map(|(i, line)| {
        let run = if i == 0 {
            Run::new()
        } else {
            Run::new().add_break(BreakType::TextWrapping)
        };
        run.add_text(clean(line))
    })
}

/// The text without the characters XML 1.0 cannot carry (control characters other than tab).
fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            c == '\t' || !(c.is_control() && c < ' ') && c != '\u{FFFE}' && c != '\u{FFFF}'
        })
        .collect()
}
