//! Finding cases: what a search box's text means, and what of a case is indexed, both backends alike.
//!
//! Both the documents indexed and the queries are made here, in Rust, so that the two backends' full-text
//! engines (SQLite FTS5, PostgreSQL `tsvector`) are given the same tokens: lower-case letters and digits,
//! diacritics removed, everything else a separator. A document has two parts:
//!
//! - **words**: the complainant's and representative's names, email address, telephone and postal address,
//!   and the complaint's summary, as words (each backend stems them: FTS5 `porter`, PostgreSQL `english`);
//! - **keys**: exact identifiers as single tokens: the postcode found in the address, without its space
//!   (`pcls62ab`), and the telephone number's digits in national form, reversed (`pr` + digits), so that a
//!   number, or its last six or more digits, is a prefix of it.
//!
//! A query is read as, in order: a case reference (`CMP-2026-000042`, any case, zero padding optional),
//! matched exactly; an email address, matched exactly (case-insensitive); a postcode, with or without its
//! space; a telephone number or its end (six or more digits; spaces, dashes, brackets and `+44` allowed);
//! otherwise words, every one of which must be found, the words of three or more characters also as the
//! start of a longer word (`acac` finds Acacia Road). Nothing a user types is passed to a query language
//! as syntax: tokens are letters and digits only, quoted by the backend.
//!
//! Whoever may not see personal data (the `viewer` role) searches by reference only:
//! [`SearchQuery::parse`] with `personal = false` makes anything else match nothing, so that nobody can
//! learn through a search that a named person complained.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::Complainant;

/// The longest search text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words of a query used; later ones are ignored.
pub const MAX_QUERY_WORDS: usize = 12;
/// Words at least this long also match as the start of a longer word.
pub const PREFIX_FROM: usize = 3;
/// The fewest digits a telephone query needs (fewer are read as words).
pub const PHONE_DIGITS_FROM: usize = 6;

/// What a search matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    /// The case with this reference (normalised: `CMP-2026-000042`).
    Reference(String),
    /// Cases whose complainant has this email address (lower-cased).
    Email(String),
    /// Cases indexed with this key token exactly (a postcode's `pc…`).
    Key(String),
    /// Cases indexed with a key token starting with this (a telephone number's reversed digits, `pr…`).
    KeyPrefix(String),
    /// Cases whose words contain every one of these tokens (the long ones also as a prefix).
    Words(Vec<String>),
    /// Nothing: the text has no letters or digits, or the searcher may search by reference only.
    Nothing,
}

/// Why a search text is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryProblem {
    /// Longer than [`MAX_QUERY_CHARS`].
    TooLong,
    /// Contains control characters (other than tabs and line ends).
    ControlCharacters,
}

impl QueryProblem {
    /// In words, for an error naming the field.
    pub fn message(&self) -> String {
        match self {
            QueryProblem::TooLong => format!("must be at most {MAX_QUERY_CHARS} characters"),
            QueryProblem::ControlCharacters => "must not contain control characters".into(),
        }
    }
}

impl SearchQuery {
    /// Reads a search box's text. `personal`: whether the searcher may see personal data; without it only
    /// a reference matches. Blank text is `None` (no search).
    pub fn parse(text: &str, personal: bool) -> Result<Option<SearchQuery>, QueryProblem> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryProblem::TooLong);
        }
        // Tabs and line ends are white space here, as in every free-text field of the domain.
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(QueryProblem::ControlCharacters);
        }
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if let Some(reference) = reference(text) {
            return Ok(Some(SearchQuery::Reference(reference)));
        }
        if !personal {
            return Ok(Some(SearchQuery::Nothing));
        }
        Ok(Some(if is_email(text) {
            SearchQuery::Email(text.to_lowercase())
        } else if let Some(postcode) = postcode_of_query(text) {
            SearchQuery::Key(format!("pc{postcode}"))
        } else if let Some(digits) = phone_query(text) {
            SearchQuery::KeyPrefix(format!("pr{}", reversed(&digits)))
        } else {
            let words: Vec<String> = tokens(text).into_iter().take(MAX_QUERY_WORDS).collect();
            if words.is_empty() {
                SearchQuery::Nothing
            } else {
                SearchQuery::Words(words)
            }
        }))
    }
}

/// What of a case is indexed for search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDocument {
    /// The case's id.
    pub case_id: String,
    /// Its words, as tokens separated by spaces.
    pub words: String,
    /// Its keys, as tokens separated by spaces.
    pub keys: String,
}

impl SearchDocument {
    /// The document of a case with this summary and complainant.
    pub fn of(case_id: &str, summary: &str, person: Option<&Complainant>) -> SearchDocument {
        let mut text = String::new();
        let mut keys = Vec::new();
        if let Some(p) = person {
            for field in [
                &p.name,
                &p.representative_name,
                &p.email,
                &p.address,
                &p.phone,
            ]
            .into_iter()
            .flatten()
            {
                text.push_str(field);
                text.push(' ');
            }
            if let Some(postcode) = p.address.as_deref().and_then(postcode_in) {
                keys.push(format!("pc{postcode}"));
            }
            if let Some(digits) = p.phone.as_deref().map(national_digits)
                && !digits.is_empty()
            {
                keys.push(format!("pr{}", reversed(&digits)));
            }
        }
        text.push_str(summary);
        SearchDocument {
            case_id: case_id.to_owned(),
            words: tokens(&text).join(" "),
            keys: keys.join(" "),
        }
    }
}

/// Lower-case letters-and-digits tokens of a text, diacritics removed; everything else separates them.
pub fn tokens(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A case reference in any case, its number zero-padded: `cmp-2026-42` is `CMP-2026-000042`.
fn reference(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let rest = upper.strip_prefix("CMP-")?;
    let (year, number) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if year.len() != 4 || !digits(year) || !digits(number) || number.len() > 9 {
        return None;
    }
    let n: u64 = number.parse().ok()?;
    Some(format!("CMP-{year}-{n:06}"))
}

/// Whether the text is one whole email address (not a part of one, which is searched as words).
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}

/// Whether `s` (upper case) is a postcode's outward code: `A9`, `A99`, `AA9`, `AA99`, `A9A`, `AA9A`.
fn is_outward(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) || b.len() <= letters {
        return false;
    }
    let rest = &b[letters..];
    rest[0].is_ascii_digit()
        && rest.len() <= 2
        && rest[1..].iter().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `s` (upper case) is a postcode's inward code: `9AA`.
fn is_inward(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 3 && b[0].is_ascii_digit() && b[1..].iter().all(u8::is_ascii_uppercase)
}

/// A whole postcode without its space, lower case, if `compact` (upper case) is one.
fn compact_postcode(compact: &str) -> Option<String> {
    let split = compact.len().checked_sub(3)?;
    (compact.is_ascii() && is_outward(&compact[..split]) && is_inward(&compact[split..]))
        .then(|| compact.to_ascii_lowercase())
}

/// The postcode a search text is, if it is one (with or without its space).
fn postcode_of_query(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    if parts.len() > 2 {
        return None;
    }
    compact_postcode(&parts.concat().to_ascii_uppercase())
}

/// The last postcode in an address (`Flat 2, 12 Acacia Road, Leeds LS6 2AB`), without its space.
pub fn postcode_in(address: &str) -> Option<String> {
    let words: Vec<String> = address
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    let mut found = None;
    for (i, word) in words.iter().enumerate() {
        if let Some(next) = words.get(i + 1)
            && is_outward(word)
            && is_inward(next)
        {
            found = compact_postcode(&format!("{word}{next}"));
        } else if let Some(postcode) = compact_postcode(word) {
            found = Some(postcode);
        }
    }
    found
}

/// A telephone number's digits in national form: `+44 7700 900123`, `0044 7700 900123` and
/// `+44 (0)7700 900123` are all `07700900123`.
pub fn national_digits(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let international = phone.trim_start().starts_with('+') || digits.starts_with("00");
    let digits = digits.strip_prefix("00").unwrap_or(&digits).to_owned();
    match digits.strip_prefix("44") {
        Some(rest) if international => {
            if rest.starts_with('0') {
                rest.to_owned()
            } else {
                format!("0{rest}")
            }
        }
        _ => digits,
    }
}

/// The digits of a telephone query, if the text is one: digits with spaces, dashes, dots, brackets and a
/// leading `+`, at least [`PHONE_DIGITS_FROM`] digits.
fn phone_query(text: &str) -> Option<String> {
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || " -.()+".contains(c));
    let digits = national_digits(text);
    (phone_like && digits.len() >= PHONE_DIGITS_FROM).then_some(digits)
}

fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<SearchQuery> {
        SearchQuery::parse(text, true).expect("accepted")
    }

    #[test]
    fn references_match_exactly_in_any_case_and_padding() {
        assert_eq!(
            parse(" cmp-2026-000042 "),
            Some(SearchQuery::Reference("CMP-2026-000042".into()))
        );
        assert_eq!(
            parse("CMP-2026-42"),
            Some(SearchQuery::Reference("CMP-2026-000042".into()))
        );
        assert_eq!(
            SearchQuery::parse("CMP-2026-000042", false),
            Ok(Some(SearchQuery::Reference("CMP-2026-000042".into())))
        );
    }

    #[test]
    fn without_personal_data_only_references_match() {
        for text in ["Smith", "jo@example.org", "LS6 2AB", "07700 900123"] {
            assert_eq!(
                SearchQuery::parse(text, false),
                Ok(Some(SearchQuery::Nothing)),
                "{text}"
            );
        }
    }

    #[test]
    fn identifiers_are_normalised() {
        assert_eq!(
            parse("Jo.Bloggs@Example.org"),
            Some(SearchQuery::Email("jo.bloggs@example.org".into()))
        );
        for text in ["LS6 2AB", "ls62ab", "LS6  2AB"] {
            assert_eq!(
                parse(text),
                Some(SearchQuery::Key("pcls62ab".into())),
                "{text}"
            );
        }
        assert_eq!(
            parse("SW1A 1AA"),
            Some(SearchQuery::Key("pcsw1a1aa".into()))
        );
        for text in [
            "+44 7700 900123",
            "07700-900123",
            "+44 (0)7700 900123",
            "0044 7700 900123",
        ] {
            assert_eq!(
                parse(text),
                Some(SearchQuery::KeyPrefix("pr32100900770".into())),
                "{text}"
            );
        }
        assert_eq!(
            parse("900123"),
            Some(SearchQuery::KeyPrefix("pr321009".into()))
        );
    }

    #[test]
    fn everything_else_is_words_and_hostile_text_is_only_words() {
        assert_eq!(
            parse("Acacia Road"),
            Some(SearchQuery::Words(vec!["acacia".into(), "road".into()]))
        );
        assert_eq!(parse("Zoë"), Some(SearchQuery::Words(vec!["zoe".into()])));
        assert_eq!(
            parse("'; DROP TABLE cases; --"),
            Some(SearchQuery::Words(vec![
                "drop".into(),
                "table".into(),
                "cases".into()
            ]))
        );
        assert_eq!(
            parse("NEAR(a b)"),
            Some(SearchQuery::Words(vec![
                "near".into(),
                "a".into(),
                "b".into()
            ]))
        );
        assert_eq!(parse("\"*"), Some(SearchQuery::Nothing));
        assert_eq!(parse("12"), Some(SearchQuery::Words(vec!["12".into()])));
        assert_eq!(parse("   "), None);
    }

    #[test]
    fn long_or_control_text_is_refused() {
        assert_eq!(
            SearchQuery::parse(&"a".repeat(201), true),
            Err(QueryProblem::TooLong)
        );
        assert!(SearchQuery::parse(&"a".repeat(200), true).is_ok());
        assert_eq!(
            SearchQuery::parse("a\u{0}b", true),
            Err(QueryProblem::ControlCharacters)
        );
    }

    #[test]
    fn documents_carry_words_postcode_and_reversed_phone() {
        let person = Complainant {
            name: Some("Zoë Smith-Jones".into()),
            email: Some("zoe.smith@example.org".into()),
            phone: Some("+44 7700 900123".into()),
            address: Some("Flat 2, 12 Acacia Road, Leeds LS6 2AB".into()),
            ..Complainant::default()
        };
        let doc = SearchDocument::of("id", "Damp in the bedroom.", Some(&person));
        assert_eq!(
            doc.words,
            "zoe smith jones zoe smith example org flat 2 12 acacia road leeds ls6 2ab \
             44 7700 900123 damp in the bedroom"
        );
        assert_eq!(doc.keys, "pcls62ab pr32100900770");
        assert_eq!(
            postcode_in("1 High St, London SW1A1AA"),
            Some("sw1a1aa".into())
        );
        assert_eq!(postcode_in("Flat 3, 4 Road, Town"), None);
    }
}
