//! The crate's one error type.

/// Why a letter could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The letterhead's logo is not a PNG image whose size can be read.
    #[error("the letterhead logo is not a readable PNG image: {0}")]
    InvalidLogo(&'static str),
    /// typst could not lay the letter out or write the PDF (the messages are typst's).
    #[error("the PDF could not be produced: {}", .0.join("; "))]
    Pdf(Vec<String>),
    /// The Word document could not be written.
    #[error("the Word document could not be written: {0}")]
    Docx(String),
    /// The letter could not be serialised for the PDF template.
    #[error("the letter could not be passed to the PDF template: {0}")]
    Data(#[from] serde_json::Error),
}
