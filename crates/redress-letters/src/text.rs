//! The plain-text body for email.

use std::fmt::Write;

use crate::model::{Block, Grid, PrintableLetter};

/// Renders the letter as plain text for an email body: no letterhead or address block (the email carries
/// those), but the date, reference, title, every section and the signature; tables become one line a row
/// with cells separated by " | ".
pub fn render_text(letter: &PrintableLetter) -> String {
    let mut out = String::new();
    line(&mut out, &format!("Date: {}", letter.date));
    line(&mut out, &format!("Our reference: {}", letter.reference));
    out.push('\n');
    line(&mut out, &letter.title);
    out.push('\n');
    line(&mut out, &letter.salutation);
    for section in &letter.sections {
        out.push('\n');
        if let Some(heading) = &section.heading {
            line(&mut out, heading);
            out.push('\n');
        }
        for (i, block) in section.blocks.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            block_text(&mut out, block);
        }
    }
    out.push('\n');
    line(&mut out, &letter.closing);
    if let Some(signatory) = &letter.signatory {
        out.push('\n');
        line(&mut out, &signatory.name);
        line(&mut out, &signatory.role);
    }
    signature_block(&mut out, letter);
    out
}

fn block_text(out: &mut String, block: &Block) {
    match block {
        Block::Paragraph(text) => line(out, text),
        Block::Bullets(items) => items
            .iter()
            .for_each(|item| line(out, &format!("- {item}"))),
        Block::Table { header, .. } => {
            if let Some(Grid { header, rows, .. }) = block.table_grid() {
                if !header.is_empty() {
                    line(out, &header.join(" | "));
                }
                rows.iter().for_each(|row| line(out, &row.join(" | ")));
            } else if !header.is_empty() {
                line(out, &header.join(" | "));
            }
        }
    }
}

/// The sender's details under the signature, as an email's footer would carry them.
fn signature_block(out: &mut String, letter: &PrintableLetter) {
    let head = &letter.letterhead;
    let contact = [&head.phone, &head.email, &head.website];
    if head.organisation.is_empty() && contact.iter().all(|c| c.is_none()) {
        return;
    }
    out.push('\n');
    line(out, &head.organisation);
    for value in contact.into_iter().flatten() {
        line(out, value);
    }
    for value in &letter.footer {
        line(out, value);
    }
}

fn line(out: &mut String, text: &str) {
    let _ = writeln!(out, "{text}");
}
