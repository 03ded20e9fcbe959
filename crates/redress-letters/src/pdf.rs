//! The PDF renderer: typst as a library, one fixed template, the letter passed as JSON data.
//!
//! Two traps shape this module. Data is never spliced into typst source (`#` would run code): the template
//! reads `/data.json` with `json(...)` and shows strings as text. And typst's `FileId` interner is global,
//! capped at 65 536 and never freed, so the only paths ever interned are the three fixed ones below.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use crate::model::{Block, Grid, PrintableLetter, Section, Signatory};
use crate::{RenderError, png};

const TEMPLATE: &str = include_str!("../templates/letter.typ");
const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/LiberationSans-Italic.ttf"),
    include_bytes!("../fonts/LiberationSans-BoldItalic.ttf"),
];
/// How many of typst's cache generations an entry survives unused (see [`typst::comemo::evict`]): enough to
/// keep the template, fonts and library warm between letters, while a server's memory stays bounded.
const CACHE_GENERATIONS: usize = 20;

/// What every render shares: the standard library, the fonts, the parsed template and the fixed file ids.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    data: FileId,
    logo: FileId,
    template: Source,
}

static SHARED: LazyLock<Option<Shared>> = LazyLock::new(Shared::load);

impl Shared {
    fn load() -> Option<Shared> {
        let fonts: Vec<Font> = FONTS
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        let id = |path: &str| {
            VirtualPath::new(path)
                .ok()
                .map(|path| RootedPath::new(VirtualRoot::Project, path).intern())
        };
        let main = id("/letter.typ")?;
        Some(Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main,
            data: id("/data.json")?,
            logo: id("/logo.png")?,
            template: Source::new(main, TEMPLATE.to_owned()),
        })
    }
}

/// One letter's world: the shared parts plus this letter's data and logo.
struct LetterWorld<'a> {
    shared: &'a Shared,
    data: Bytes,
    logo: Option<Bytes>,
}

impl World for LetterWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.shared.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.main {
            Ok(self.shared.template.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.main {
            Ok(Bytes::from_string(self.shared.template.clone()))
        } else if id == self.shared.data {
            Ok(self.data.clone())
        } else if id == self.shared.logo {
            self.logo.clone().ok_or(FileError::AccessDenied)
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// What the template reads from `/data.json`: the letter less its logo bytes, with tables squared up.
#[derive(Serialize)]
struct TemplateData<'a> {
    organisation: &'a str,
    address_lines: &'a [String],
    contact: Vec<&'a str>,
    has_logo: bool,
    logo_aspect: f64,
    recipient: &'a [String],
    date: &'a str,
    reference: &'a str,
    title: &'a str,
    salutation: &'a str,
    sections: Vec<TemplateSection<'a>>,
    closing: &'a str,
    signatory: Option<&'a Signatory>,
    footer: &'a [String],
    large_print: bool,
}

#[derive(Serialize)]
struct TemplateSection<'a> {
    heading: Option<&'a str>,
    blocks: Vec<TemplateBlock<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum TemplateBlock<'a> {
    Paragraph {
        text: &'a str,
    },
    Bullets {
        items: &'a [String],
    },
    Table {
        columns: usize,
        header: &'a [String],
        rows: Vec<Vec<&'a str>>,
    },
}

impl<'a> TemplateData<'a> {
    fn new(letter: &'a PrintableLetter, logo: Option<(u32, u32)>) -> Self {
        let head = &letter.letterhead;
        let contact = [&head.phone, &head.email, &head.website]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        TemplateData {
            organisation: &head.organisation,
            address_lines: &head.address_lines,
            contact,
            has_logo: logo.is_some(),
            logo_aspect: logo.map_or(1.0, |(w, h)| f64::from(w) / f64::from(h)),
            recipient: &letter.recipient,
            date: &letter.date,
            reference: &letter.reference,
            title: &letter.title,
            salutation: &letter.salutation,
            sections: letter.sections.iter().map(TemplateSection::new).collect(),
            closing: &letter.closing,
            signatory: letter.signatory.as_ref(),
            footer: &letter.footer,
            large_print: letter.large_print,
        }
    }
}

impl<'a> TemplateSection<'a> {
    fn new(section: &'a Section) -> Self {
        let blocks = section.blocks.iter().filter_map(|block| match block {
            Block::Paragraph(text) => Some(TemplateBlock::Paragraph { text }),
            Block::Bullets(items) => Some(TemplateBlock::Bullets { items }),
            Block::Table { .. } => block.table_grid().map(
                |Grid {
                     columns,
                     header,
                     rows,
                 }| TemplateBlock::Table {
                    columns,
                    header,
                    rows,
                },
            ),
        });
        TemplateSection {
            heading: section.heading.as_deref(),
            blocks: blocks.collect(),
        }
    }
}

/// Renders the letter as a tagged A4 PDF (document title and language in its metadata; embedded Liberation
/// Sans only). Fails only on a logo that is not a readable PNG or on an error reported by typst.
///
/// Tagged, but not PDF/UA-1: typst's UA-1 check refuses any character the font lacks (tried: an emoji in a
/// resident's words fails the whole letter), and a letter must never fail on what a resident wrote.
pub fn render_pdf(letter: &PrintableLetter) -> Result<Vec<u8>, RenderError> {
    let shared = SHARED.as_ref().ok_or_else(|| {
        RenderError::Pdf(vec!["the template's file ids could not be made".into()])
    })?;
    let logo = match &letter.letterhead.logo_png {
        Some(bytes) => Some((png::dimensions(bytes)?, Bytes::new(bytes.clone()))),
        None => None,
    };
    let data = serde_json::to_vec(&TemplateData::new(letter, logo.as_ref().map(|l| l.0)))?;
    let world = LetterWorld {
        shared,
        data: Bytes::new(data),
        logo: logo.map(|l| l.1),
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    let pdf = compiled.and_then(|document| typst_pdf::pdf(&document, &PdfOptions::default()));
    typst::comemo::evict(CACHE_GENERATIONS);
    pdf.map_err(|errors| RenderError::Pdf(errors.iter().map(message).collect()))
}

fn message(diagnostic: &SourceDiagnostic) -> String {
    diagnostic.message.to_string()
}
