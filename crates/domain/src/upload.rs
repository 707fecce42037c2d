//! What an uploaded file is, told from its first bytes and never from its
//! name: a renamed program is refused whatever it is called.

/// The largest file accepted: 20 MB.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The kinds of file a record may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Docx,
    Jpeg,
    Png,
}

impl FileType {
    /// The type stored with a file.
    pub fn from_content_type(content_type: &str) -> Option<FileType> {
        [FileType::Pdf, FileType::Docx, FileType::Jpeg, FileType::Png]
            .into_iter()
            .find(|t| t.content_type() == content_type)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Docx => "docx",
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Docx => "Word document",
            FileType::Jpeg => "JPG image",
            FileType::Png => "PNG image",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("Select a file to upload")]
    Empty,
    #[error("The selected file must be smaller than 20 MB")]
    TooLarge,
    #[error("The selected file must be a PDF, Word document (DOCX), JPG or PNG")]
    WrongType,
}

/// The file's type from its bytes, if it is one we accept.
pub fn sniff(bytes: &[u8]) -> Result<FileType, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge);
    }
    if bytes.starts_with(b"%PDF-") {
        Ok(FileType::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(FileType::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(FileType::Png)
    } else if is_docx(bytes) {
        Ok(FileType::Docx)
    } else {
        Err(UploadError::WrongType)
    }
}

/// A Word document is a zip whose parts include `word/document.xml`; the
/// zip's central directory names its parts in plain bytes. One carrying
/// macros (`vbaProject.bin`, a .docm renamed) is refused.
fn is_docx(bytes: &[u8]) -> bool {
    let names = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    bytes.starts_with(b"PK\x03\x04")
        && names(b"[Content_Types].xml")
        && names(b"word/document.xml")
        && !names(b"vbaProject.bin")
}

/// A file name safe to offer in a download: no path, no control or quote
/// characters, at most 100 characters, with the type's extension.
pub fn safe_file_name(name: &str, file_type: FileType) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let cleaned: String = stem
        .chars()
        .map(|c| if c.is_alphanumeric() || " -_()".contains(c) { c } else { '_' })
        .take(100)
        .collect();
    let cleaned = cleaned.trim();
    let stem = if cleaned.is_empty() { "document" } else { cleaned };
    format!("{stem}.{}", file_type.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes_not_the_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(FileType::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Ok(FileType::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Ok(FileType::Png));
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml....";
        assert_eq!(sniff(docx), Ok(FileType::Docx));
        // A Word document with macros, a zip that is not a Word document,
        // and a Windows program.
        let docm = b"PK\x03\x04..[Content_Types].xml..word/document.xml..word/vbaProject.bin";
        assert_eq!(sniff(docm), Err(UploadError::WrongType));
        assert_eq!(sniff(b"PK\x03\x04....[Content_Types].xml...."), Err(UploadError::WrongType));
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), Err(UploadError::WrongType));
        assert_eq!(sniff(b""), Err(UploadError::Empty));
        let big = vec![b'%'; MAX_UPLOAD_BYTES + 1];
        assert_eq!(sniff(&big), Err(UploadError::TooLarge));
    }

    #[test]
    fn download_names_are_made_safe() {
        assert_eq!(safe_file_name("C:\\Users\\x\\My plan.v2.PDF", FileType::Pdf), "My plan_v2.pdf");
        assert_eq!(safe_file_name("../../etc/passwd", FileType::Png), "passwd.png");
        assert_eq!(safe_file_name("\"evil\";\r\n.pdf", FileType::Pdf), "_evil____.pdf");
        assert_eq!(safe_file_name("", FileType::Docx), "document.docx");
    }
}
