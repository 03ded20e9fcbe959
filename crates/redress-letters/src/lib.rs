//! Printable letters for Redress: one document model ([`PrintableLetter`]) rendered four ways.
//!
//! - [`render_pdf`]: a tagged A4 PDF through typst used as a library, from one fixed template committed in
//!   this crate; the letter goes in as data (a virtual `/data.json`), never as typst source, and the only
//!   font is the embedded Liberation Sans (SIL OFL 1.1, `fonts/`).
//! - [`render_docx`]: a Word document built with docx-rs from the same model, for officers who finish a
//!   letter in Word.
//! - [`render_text`]: a plain-text body for email.
//! - [`render_html`]: an escaped HTML fragment for a preview, with no external resources.
//!
//! The model knows nothing about cases: [`printable`] turns the domain's letter content into it.
#![forbid(unsafe_code)]

mod docx;
mod error;
mod from_case;
mod html;
mod model;
mod pdf;
mod png;
mod text;

pub use docx::render_docx;
pub use error::RenderError;
pub use from_case::{Addressing, printable};
pub use html::render_html;
pub use model::{Block, Letterhead, PrintableLetter, Section, Signatory};
pub use pdf::render_pdf;
pub use text::render_text;
