//! The printable document model: what a letter looks like on paper, with no knowledge of cases, policies or
//! the Code. The domain's letter content is converted into this; every renderer reads only this.

use serde::{Deserialize, Serialize};

/// One letter, ready to print: every string is shown as written (never interpreted as markup).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrintableLetter {
    /// The sender's letterhead, at the top of the first page.
    pub letterhead: Letterhead,
    /// The recipient's name and address, one line each (the address block).
    pub recipient: Vec<String>,
    /// The date of the letter, already formatted for reading (e.g. "3 December 2026").
    pub date: String,
    /// The sender's reference for the case (e.g. "CMP-2026-0042").
    pub reference: String,
    /// The letter's title, shown under the address block and stored as the document's title.
    pub title: String,
    /// The greeting line (e.g. "Dear Ms Smith,").
    pub salutation: String,
    /// The body, in order.
    pub sections: Vec<Section>,
    /// The sign-off line (e.g. "Yours sincerely,").
    pub closing: String,
    /// Who signs the letter, if anyone does by name.
    pub signatory: Option<Signatory>,
    /// Small print at the foot of every page (e.g. the landlord's registered details), one line each.
    pub footer: Vec<String>,
    /// Large print: 18 pt body text instead of 11 pt.
    pub large_print: bool,
}

/// The sender's identity as printed at the top of the letter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Letterhead {
    /// The landlord's name.
    pub organisation: String,
    /// Its postal address, one line each.
    pub address_lines: Vec<String>,
    /// A telephone number to call, if printed.
    pub phone: Option<String>,
    /// An email address to write to, if printed.
    pub email: Option<String>,
    /// A website, if printed.
    pub website: Option<String>,
    /// The logo as PNG bytes, shown beside the name; `None` prints the name alone.
    pub logo_png: Option<Vec<u8>>,
}

/// A part of the body, with an optional heading.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Section {
    /// The section's heading; `None` for a run of paragraphs without one.
    pub heading: Option<String>,
    /// The section's content, in order.
    pub blocks: Vec<Block>,
}

/// One block of body content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "content", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph of text.
    Paragraph(String),
    /// A bulleted list, one item a string.
    Bullets(Vec<String>),
    /// A table with a header row. Rows shorter than the header are padded with empty cells and longer ones
    /// are cut to it; with no header, the table is as wide as its widest row.
    Table {
        /// The column headings.
        header: Vec<String>,
        /// The body rows, one string a cell.
        rows: Vec<Vec<String>>,
    },
}

/// The person who signs the letter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Signatory {
    /// Their name.
    pub name: String,
    /// Their role (e.g. "Complaints Officer").
    pub role: String,
}

/// A table squared up for rendering: every row exactly `columns` cells wide.
pub(crate) struct Grid<'a> {
    /// How many columns the table has (at least one).
    pub(crate) columns: usize,
    /// The column headings (possibly none).
    pub(crate) header: &'a [String],
    /// The body rows, padded or cut to `columns`.
    pub(crate) rows: Vec<Vec<&'a str>>,
}

impl Block {
    /// A table's rows made as wide as its columns; `None` for other blocks and for a table with no columns.
    pub(crate) fn table_grid(&self) -> Option<Grid<'_>> {
        let Block::Table { header, rows } = self else {
            return None;
        };
        let columns = if header.is_empty() {
            rows.iter().map(Vec::len).max().unwrap_or(0)
        } else {
            header.len()
        };
        if columns == 0 {
            return None;
        }
        let rows = rows
            .iter()
            .map(|row| {
                (0..columns)
                    .map(|i| row.get(i).map_or("", String::as_str))
                    .collect()
            })
            .collect();
        Some(Grid {
            columns,
            header,
            rows,
        })
    }
}
