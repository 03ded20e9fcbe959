//! From the domain's letter (what the case says, section by section) to the printable one: the letterhead,
//! who it is to, and each section as paragraphs.

use redress_domain::case::human_date;
use redress_domain::letters::{Letter, LetterKind};

use crate::model::{Block, Letterhead, PrintableLetter, Section, Signatory};

/// Who the letter is from and to, which the case does not hold: the landlord's letterhead, the address
/// block, the greeting, and whether the resident asked for large print.
#[derive(Debug, Clone, Default)]
pub struct Addressing {
    /// The landlord's letterhead.
    pub letterhead: Letterhead,
    /// The address block, a line each (the complainant's name first).
    pub recipient: Vec<String>,
    /// The name to greet ("Dear Ms Patel"); a plain greeting when there is none.
    pub greet: Option<String>,
    /// 18 pt throughout.
    pub large_print: bool,
}

/// The printable letter for the domain's `letter`.
pub fn printable(letter: &Letter, addressing: Addressing) -> PrintableLetter {
    let sections = letter
        .sections()
        .into_iter()
        .filter(|s| !s.lines.is_empty())
        .map(|s| Section {
            heading: (!s.heading.is_empty()).then(|| s.heading.to_owned()),
            blocks: s.lines.into_iter().map(Block::Paragraph).collect(),
        })
        .collect();
    PrintableLetter {
        letterhead: addressing.letterhead,
        recipient: addressing.recipient,
        date: human_date(letter.date),
        reference: letter.reference.clone().unwrap_or_default(),
        title: title(letter),
        salutation: match addressing.greet {
            Some(name) if !name.trim().is_empty() => format!("Dear {}", name.trim()),
            _ => "Dear resident".into(),
        },
        sections,
        closing: "Yours sincerely".into(),
        signatory: letter.signatory.as_ref().map(|s| Signatory {
            name: s.name.clone(),
            role: s.job_title.clone().unwrap_or_default(),
        }),
        footer: Vec::new(),
        large_print: addressing.large_print,
    }
}

/// The letter's heading, in the policy's name for its stage.
fn title(letter: &Letter) -> String {
    match letter.kind {
        LetterKind::StageResponse if letter.final_response => {
            format!(
                "Our final response to your complaint ({})",
                letter.stage_name
            )
        }
        LetterKind::StageResponse => {
            format!("Our response to your complaint ({})", letter.stage_name)
        }
        LetterKind::Acknowledgement => {
            format!("We have received your complaint ({})", letter.stage_name)
        }
        LetterKind::EscalationAcknowledgement => {
            format!("We have received your request for {}", letter.stage_name)
        }
        LetterKind::Extension => "We need more time to respond to your complaint".into(),
        LetterKind::NotAccepted => "We cannot accept your complaint".into(),
        LetterKind::EscalationRefused => "We cannot take your complaint further".into(),
        LetterKind::Closure => "Your complaint is closed".into(),
        LetterKind::ContactRestriction => "How we will keep in touch with you".into(),
        LetterKind::General => "Your complaint".into(),
    }
}
