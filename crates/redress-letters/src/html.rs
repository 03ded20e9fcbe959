//! The HTML preview: a fragment to place inside a page, every string escaped, nothing loaded from outside.

use crate::model::{Block, Grid, PrintableLetter};

/// Renders the letter as an HTML fragment (`<article class="letter">…</article>`) for a preview. Every string
/// from the letter is escaped; the logo, if any, is not shown (the fragment loads no resources).
pub fn render_html(letter: &PrintableLetter) -> String {
    let mut out = String::from("<article class=\"letter\">\n<header class=\"letter-head\">\n");
    let head = &letter.letterhead;
    tag(&mut out, "p", "letter-organisation", &head.organisation);
    let contact: Vec<&String> = [&head.phone, &head.email, &head.website]
        .into_iter()
        .flatten()
        .collect();
    lines(
        &mut out,
        "letter-sender",
        head.address_lines.iter().chain(contact),
    );
    out.push_str("</header>\n");
    lines(&mut out, "letter-recipient", letter.recipient.iter());
    out.push_str("<dl class=\"letter-meta\">\n<dt>Date</dt><dd>");
    out.push_str(&escape(&letter.date));
    out.push_str("</dd>\n<dt>Our reference</dt><dd>");
    out.push_str(&escape(&letter.reference));
    out.push_str("</dd>\n</dl>\n");
    tag(&mut out, "h2", "letter-title", &letter.title);
    tag(&mut out, "p", "letter-salutation", &letter.salutation);
    for section in &letter.sections {
        out.push_str("<section>\n");
        if let Some(heading) = &section.heading {
            tag(&mut out, "h3", "letter-heading", heading);
        }
        section
            .blocks
            .iter()
            .for_each(|block| block_html(&mut out, block));
        out.push_str("</section>\n");
    }
    tag(&mut out, "p", "letter-closing", &letter.closing);
    if let Some(signatory) = &letter.signatory {
        lines(
            &mut out,
            "letter-signatory",
            [&signatory.name, &signatory.role].into_iter(),
        );
    }
    if !letter.footer.is_empty() {
        out.push_str("<footer>\n");
        lines(&mut out, "letter-footer", letter.footer.iter());
        out.push_str("</footer>\n");
    }
    out.push_str("</article>\n");
    out
}

fn block_html(out: &mut String, block: &Block) {
    match block {
        Block::Paragraph(text) => tag(out, "p", "letter-paragraph", text),
        Block::Bullets(items) => {
            out.push_str("<ul>\n");
            items
                .iter()
                .for_each(|item| tag(out, "li", "letter-item", item));
            out.push_str("</ul>\n");
        }
        Block::Table { .. } => {
            let Some(Grid { header, rows, .. }) = block.table_grid() else {
                return;
            };
            out.push_str("<table class=\"letter-table\">\n");
            if !header.is_empty() {
                out.push_str("<thead><tr>");
                header.iter().for_each(|cell| cell_html(out, "th", cell));
                out.push_str("</tr></thead>\n");
            }
            out.push_str("<tbody>\n");
            for row in rows {
                out.push_str("<tr>");
                row.iter().for_each(|cell| cell_html(out, "td", cell));
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
    }
}

fn cell_html(out: &mut String, name: &str, text: &str) {
    out.push_str(&format!("<{name}>{}</{name}>", escape_lines(text)));
}

fn tag(out: &mut String, name: &str, class: &str, text: &str) {
    out.push_str(&format!(
        "<{name} class=\"{class}\">{}</{name}>\n",
        escape_lines(text)
    ));
}

/// Lines of one block, joined by `<br>`; nothing at all when there are none.
fn lines<'a>(out: &mut String, class: &str, lines: impl Iterator<Item = &'a String>) {
    let escaped: Vec<String> = lines.map(|line| escape(line)).collect();
    if !escaped.is_empty() {
        out.push_str(&format!(
            "<p class=\"{class}\">{}</p>\n",
            escaped.join("<br>\n")
        ));
    }
}

/// Escapes text for HTML content, its newlines shown as line breaks.
fn escape_lines(text: &str) -> String {
    escape(text).replace("\r\n", "\n").replace('\n', "<br>\n")
}

/// Escapes text for HTML content and attribute values alike.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
