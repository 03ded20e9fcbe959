//! Documents attached to a case: which kinds are accepted, told from their bytes (the type a client
//! declares and the file's extension are not trusted), how large they may be, and how their names are made
//! safe to store and to offer back as a download.

/// The largest document accepted unless configured otherwise: 25 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;

/// The longest file name kept, in characters (the extension included).
pub const MAX_NAME_CHARS: usize = 120;

/// How many bytes from the start of a file [`sniff`] needs to see.
pub const SNIFF_BYTES: usize = 4096;

/// A kind of document the service accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentType {
    /// Its media type, as stored and served.
    pub content_type: &'static str,
    /// What people call it.
    pub label: &'static str,
    /// The file name endings it may have; the first is given to a name that has none of them.
    pub extensions: &'static [&'static str],
}

const fn kind(
    content_type: &'static str,
    label: &'static str,
    extensions: &'static [&'static str],
) -> DocumentType {
    DocumentType {
        content_type,
        label,
        extensions,
    }
}

/// PDF.
pub const PDF: DocumentType = kind("application/pdf", "PDF", &["pdf"]);
/// JPEG photo.
pub const JPEG: DocumentType = kind("image/jpeg", "JPEG image", &["jpg", "jpeg"]);
/// PNG image.
pub const PNG: DocumentType = kind("image/png", "PNG image", &["png"]);
/// GIF image.
pub const GIF: DocumentType = kind("image/gif", "GIF image", &["gif"]);
/// WebP image.
pub const WEBP: DocumentType = kind("image/webp", "WebP image", &["webp"]);
/// HEIC photo (iPhones).
pub const HEIC: DocumentType = kind("image/heic", "HEIC image", &["heic", "heif"]);
/// Word document.
pub const DOCX: DocumentType = kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word document",
    &["docx"],
);
/// Excel workbook.
pub const XLSX: DocumentType = kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel workbook",
    &["xlsx"],
);
/// OpenDocument text.
pub const ODT: DocumentType = kind(
    "application/vnd.oasis.opendocument.text",
    "OpenDocument text",
    &["odt"],
);
/// An email message, as saved by a mail program.
pub const EML: DocumentType = kind("message/rfc822", "Email", &["eml"]);
/// Plain text (UTF-8).
pub const TEXT: DocumentType = kind("text/plain", "Plain text", &["txt", "text", "log", "csv"]);

/// Every kind accepted.
pub const ALLOWED: [DocumentType; 11] =
    [PDF, JPEG, PNG, GIF, WEBP, HEIC, DOCX, XLSX, ODT, EML, TEXT];

/// The kinds accepted, for a refusal that names them.
pub fn allowed_list() -> String {
    "PDF, JPEG, PNG, GIF, WebP or HEIC images, Word (.docx), Excel (.xlsx) or OpenDocument (.odt) \
     documents, emails (.eml) or plain text"
        .to_owned()
}

/// The kind whose media type this is.
pub fn by_content_type(content_type: &str) -> Option<DocumentType> {
    ALLOWED.into_iter().find(|k| k.content_type == content_type)
}

/// The kind of document these bytes are, if it is one accepted. `head` is the start of the file (at least
/// [`SNIFF_BYTES`] when the file is that long); `zip_entries` the names of the entries of a ZIP file's
/// central directory (read only for ZIP files: Word, Excel and OpenDocument files are ZIP archives).
pub fn sniff(head: &[u8], zip_entries: &[String]) -> Option<DocumentType> {
    if head.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(JPEG);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(PNG);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(GIF);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(WEBP);
    }
    if is_heic(head) {
        return Some(HEIC);
    }
    if is_zip(head) {
        return office_document(head, zip_entries);
    }
    text_kind(head)
}

/// Whether the bytes start like a ZIP archive (whose entries the caller should then list).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}

fn is_heic(head: &[u8]) -> bool {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return false;
    }
    const BRANDS: [&[u8]; 8] = [
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
    ];
    BRANDS.contains(&&head[8..12])
}

/// Word, Excel or OpenDocument text, told from the archive's entries; any other archive (and a Word or
/// Excel file carrying macros) is not accepted.
fn office_document(head: &[u8], entries: &[String]) -> Option<DocumentType> {
    let has = |name: &str| entries.iter().any(|e| e == name);
    let macros = entries.iter().any(|e| e.ends_with("vbaProject.bin"));
    // An OpenDocument file's first entry is `mimetype`, stored uncompressed, holding its media type.
    if head.len() > 38 && &head[30..38] == b"mimetype" {
        let rest = &head[38..];
        return rest
            .starts_with(ODT.content_type.as_bytes())
            .then_some(ODT)
            .filter(|_| !rest.starts_with(b"application/vnd.oasis.opendocument.text-"));
    }
    if macros || !has("[Content_Types].xml") {
        return None;
    }
    if has("word/document.xml") {
        return Some(DOCX);
    }
    if has("xl/workbook.xml") {
        return Some(XLSX);
    }
    None
}

/// Plain text or an email: UTF-8 with no control characters but tabs, line and page breaks. Markup (HTML,
/// XML, SVG) is not plain text, and is refused.
fn text_kind(head: &[u8]) -> Option<DocumentType> {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // The head may end in the middle of a character.
        Err(e) if e.error_len().is_none() && head.len() >= SNIFF_BYTES => {
            std::str::from_utf8(&head[..e.valid_up_to()]).ok()?
        }
        Err(_) => return None,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.is_empty()
        || text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
    {
        return None;
    }
    if text.trim_start().starts_with('<') {
        return None;
    }
    Some(if looks_like_email(text) { EML } else { TEXT })
}

/// An email begins with header fields (`Name: value`) and has at least a `From` and one of `Date`,
/// `Subject`, `To` or `Message-ID` among them.
fn looks_like_email(text: &str) -> bool {
    let mut names = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        let is_field_name =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        if !is_field_name {
            return false;
        }
        names.push(name.to_ascii_lowercase());
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    has("from")
        && ["date", "subject", "to", "message-id"]
            .iter()
            .any(|n| has(n))
}

/// The names of the entries in a ZIP archive's central directory. `tail` is the end of the file (at
/// least its last 22 bytes, and up to 64 KiB more for the archive comment); `read` reads `len` bytes from
/// `offset` of the whole file (of `file_len` bytes). Unreadable archives have no entries.
pub fn zip_entry_names(
    tail: &[u8],
    file_len: u64,
    read: impl FnOnce(u64, usize) -> Option<Vec<u8>>,
) -> Vec<String> {
    const END: &[u8] = b"PK\x05\x06";
    const MAX_DIRECTORY: u64 = 8 * 1024 * 1024;
    let Some(at) = tail.windows(4).rposition(|w| w == END) else {
        return Vec::new();
    };
    let end = &tail[at..];
    if end.len() < 22 {
        return Vec::new();
    }
    let size = u64::from(u32::from_le_bytes([end[12], end[13], end[14], end[15]]));
    let offset = u64::from(u32::from_le_bytes([end[16], end[17], end[18], end[19]]));
    if size > MAX_DIRECTORY || offset.saturating_add(size) > file_len {
        return Vec::new();
    }
    let Ok(len) = usize::try_from(size) else {
        return Vec::new();
    };
    read(offset, len)
        .map(|directory| central_directory_names(&directory))
        .unwrap_or_default()
}

fn central_directory_names(directory: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 0usize;
    while let Some(entry) = directory.get(at..at + 46) {
        if &entry[..4] != b"PK\x01\x02" {
            break;
        }
        let field = |i: usize| usize::from(u16::from_le_bytes([entry[i], entry[i + 1]]));
        let (name_len, extra_len, comment_len) = (field(28), field(30), field(32));
        let Some(name) = directory.get(at + 46..at + 46 + name_len) else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    names
}

/// A file name made safe to keep and to offer back: only its last path component, no control
/// characters nor characters file systems refuse (`/ \ : * ? " < > |`), no leading dots or spaces, at most
/// [`MAX_NAME_CHARS`] characters, and an extension that matches what the bytes are (added when missing or
/// wrong: `photo.exe` that is a PNG becomes `photo.exe.png`). An empty name becomes `document`.
pub fn sanitise_name(given: &str, kind: DocumentType) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or(given);
    let cleaned: String = last
        .chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = collapsed.trim_matches(|c: char| c == '.' || c == ' ');
    let stem_and_ext = if trimmed.is_empty() {
        "document"
    } else {
        trimmed
    };
    let fits = stem_and_ext
        .rsplit_once('.')
        .is_some_and(|(_, ext)| kind.extensions.contains(&ext.to_ascii_lowercase().as_str()));
    let (stem, ext) = if fits {
        let (s, e) = stem_and_ext.rsplit_once('.').unwrap_or((stem_and_ext, ""));
        (s.to_owned(), e.to_owned())
    } else {
        (stem_and_ext.to_owned(), kind.extensions[0].to_owned())
    };
    let room = MAX_NAME_CHARS.saturating_sub(ext.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{ext}", stem.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(bytes: &[u8]) -> Option<&'static str> {
        sniff(bytes, &[]).map(|k| k.content_type)
    }

    #[test]
    fn kinds_are_told_from_their_bytes() {
        assert_eq!(sniffed(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(
            sniffed(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some("image/jpeg")
        );
        assert_eq!(sniffed(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniffed(b"GIF89a\x01\0"), Some("image/gif"));
        assert_eq!(sniffed(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniffed(b"\0\0\0\x18ftypheic\0\0\0\0"), Some("image/heic"));
        assert_eq!(
            sniffed(b"The boiler broke on Monday.\n"),
            Some("text/plain")
        );
        let email = b"Return-Path: <a@example.org>\r\nFrom: Ann <a@example.org>\r\nTo: b@example.org\r\nSubject: Boiler\r\n\r\nHello";
        assert_eq!(sniffed(email), Some("message/rfc822"));
    }

    #[test]
    fn programs_markup_and_binary_are_refused() {
        assert_eq!(
            sniffed(b"MZ\x90\0\x03\0\0\0\x04\0"),
            None,
            "a Windows program"
        );
        assert_eq!(sniffed(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(sniffed(b"<!DOCTYPE html><script>alert(1)</script>"), None);
        assert_eq!(sniffed(b"  <html><body>"), None);
        assert_eq!(sniffed(b"<?xml version=\"1.0\"?><svg/>"), None);
        assert_eq!(sniffed(b"text with a \0 byte"), None);
        assert_eq!(sniffed(b""), None);
        assert_eq!(sniffed(b"PK\x03\x04 an archive of something else"), None);
    }

    #[test]
    fn office_documents_are_told_from_their_entries() {
        let entries = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let zip = b"PK\x03\x04\x14\0\0\0\x08\0";
        let docx = entries(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        assert_eq!(sniff(zip, &docx), Some(DOCX));
        let xlsx = entries(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(sniff(zip, &xlsx), Some(XLSX));
        let docm = entries(&[
            "[Content_Types].xml",
            "word/document.xml",
            "word/vbaProject.bin",
        ]);
        assert_eq!(sniff(zip, &docm), None, "macros are refused");
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt, &[]), Some(ODT));
    }

    #[test]
    fn zip_directories_are_read_from_the_end() {
        // One entry named "word/document.xml" in a central directory at offset 0.
        let name = b"word/document.xml";
        let mut directory = b"PK\x01\x02".to_vec();
        directory.resize(46, 0);
        directory[28] = u8::try_from(name.len()).unwrap_or(0);
        directory.extend_from_slice(name);
        let mut end = b"PK\x05\x06".to_vec();
        end.resize(22, 0);
        end[12..16].copy_from_slice(&u32::try_from(directory.len()).unwrap_or(0).to_le_bytes());
        let mut file = directory.clone();
        file.extend_from_slice(&end);
        let len = u64::try_from(file.len()).unwrap_or(0);
        let names = zip_entry_names(&end, len, |offset, n| {
            let at = usize::try_from(offset).ok()?;
            file.get(at..at + n).map(<[u8]>::to_vec)
        });
        assert_eq!(names, vec!["word/document.xml".to_owned()]);
        assert!(zip_entry_names(b"not a zip", 9, |_, _| None).is_empty());
    }

    #[test]
    fn names_are_made_safe_and_match_their_kind() {
        assert_eq!(sanitise_name("Repair report.pdf", PDF), "Repair report.pdf");
        assert_eq!(sanitise_name("C:\\Users\\ann\\damp.JPG", JPEG), "damp.JPG");
        assert_eq!(sanitise_name("../../etc/passwd", TEXT), "passwd.txt");
        assert_eq!(sanitise_name("photo.exe", PNG), "photo.exe.png");
        assert_eq!(sanitise_name("a\"b<c>\r\nd.pdf", PDF), "a_b_c_ d.pdf");
        assert_eq!(sanitise_name("...", PDF), "document.pdf");
        assert_eq!(sanitise_name("", EML), "document.eml");
        assert_eq!(sanitise_name(".htaccess", TEXT), "htaccess.txt");
        let long = format!("{}.pdf", "x".repeat(500));
        let safe = sanitise_name(&long, PDF);
        assert_eq!(safe.chars().count(), MAX_NAME_CHARS);
        assert!(safe.ends_with(".pdf"));
        assert_eq!(sanitise_name("Zoë’s letter.pdf", PDF), "Zoë’s letter.pdf");
    }
}
