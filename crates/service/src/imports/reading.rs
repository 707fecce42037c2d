//! Reading an imported CSV a chunk of rows at a time: whatever its line
//! endings, with or without a byte order mark, in UTF-8 or (as GIAS
//! publishes) Windows-1252, and never holding more than a chunk — a line
//! longer than any real row stops the read instead of filling memory.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};

use openpep_domain::ssda903::Row;

/// The longest line a file may have; real rows are a few hundred bytes.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Counts the bytes since the last line break and fails past the limit,
/// so a file with no line breaks (or a binary file) is refused early.
/// Keeps where the line breaks not yet passed are, so each row's line
/// number is exact (blank lines and quoted line breaks included).
struct LineLimit<R> {
    inner: R,
    since_newline: usize,
    offset: u64,
    /// Line ends read but not yet passed, each with the lines it ends:
    /// a `\r` ends one (old Mac files end lines so, and the csv crate
    /// splits rows there), the `\n` of a CRLF none, any other `\n` one.
    ends: VecDeque<(u64, u64)>,
    lines_passed: u64,
    last_was_cr: bool,
}

impl<R> LineLimit<R> {
    /// The line (from 1) a row starts on, given where the csv crate began
    /// reading it: that may be on the line ends before it (the LF of a
    /// CRLF, blank lines it skipped), which are passed over. Asked in order.
    fn line_at(&mut self, start: u64) -> u64 {
        let mut at = start;
        while let Some(&(offset, lines)) = self.ends.front() {
            if offset > at {
                break;
            }
            if offset == at {
                at += 1;
            }
            self.ends.pop_front();
            self.lines_passed += lines;
        }
        self.lines_passed + 1
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' || b == b'\r' {
                let lines = u64::from(b == b'\r' || !self.last_was_cr);
                self.ends.push_back((self.offset, lines));
            }
            self.last_was_cr = b == b'\r';
            self.offset += 1;
            if b == b'\n' || b == b'\r' {
                self.since_newline = 0;
            } else {
                self.since_newline += 1;
                if self.since_newline > MAX_LINE_BYTES {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
                }
            }
        }
        Ok(n)
    }
}

/// One data row: the line it starts on and its cells as text.
#[derive(Debug, Clone)]
pub struct Record {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    Empty,
    LineTooLong { line: u64 },
    Unreadable { line: u64 },
}

impl FileProblem {
    pub fn message(&self) -> String {
        match self {
            FileProblem::Empty => "The file is empty: it has no header row".into(),
            FileProblem::LineTooLong { line } => format!(
                "Line {line} is longer than {} KB: the file is not a CSV of rows",
                MAX_LINE_BYTES / 1024
            ),
            FileProblem::Unreadable { line } => {
                format!("The file could not be read as CSV from line {line}")
            }
        }
    }
}

/// A CSV being read: its header, then its rows a chunk at a time.
pub struct Sheet<R: Read> {
    reader: csv::Reader<LineLimit<R>>,
    /// The header's names as written (byte order mark and spaces removed).
    pub header: Vec<String>,
}

/// Text from a cell: UTF-8 if it is, otherwise Windows-1252 (GIAS's and
/// many council exports' encoding), whose every byte is a character.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

impl<R: Read> Sheet<R> {
    /// Opens a CSV and reads its header row.
    pub fn open(source: R) -> Result<Sheet<R>, FileProblem> {
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineLimit {
                inner: source,
                since_newline: 0,
                offset: 0,
                ends: VecDeque::new(),
                lines_passed: 0,
                last_was_cr: false,
            });
        let mut first = csv::ByteRecord::new();
        match reader.read_byte_record(&mut first) {
            Ok(true) => {}
            Ok(false) => return Err(FileProblem::Empty),
            Err(e) => return Err(problem_of(&e, 1)),
        }
        let header: Vec<String> = first
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let text = decode(cell);
                let text =
                    if i == 0 { text.trim_start_matches('\u{feff}').to_owned() } else { text };
                text.trim().to_owned()
            })
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(FileProblem::Empty);
        }
        Ok(Sheet { reader, header })
    }

    /// Up to `n` more rows (blank lines skipped); none at the end.
    pub fn next_chunk(&mut self, n: usize) -> Result<Vec<Record>, FileProblem> {
        let mut rows = Vec::with_capacity(n);
        let mut record = csv::ByteRecord::new();
        while rows.len() < n {
            let start = self.reader.position().byte();
            match self.reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    let start = record.position().map_or(start, csv::Position::byte);
                    let line = self.reader.get_mut().line_at(start);
                    rows.push(Record { line, cells: record.iter().map(decode).collect() });
                }
                Err(e) => {
                    let line = self.reader.get_mut().line_at(start);
                    return Err(problem_of(&e, line));
                }
            }
        }
        Ok(rows)
    }
}

fn problem_of(e: &csv::Error, line: u64) -> FileProblem {
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::InvalidData => {
            FileProblem::LineTooLong { line }
        }
        _ => FileProblem::Unreadable { line },
    }
}

/// Which cell of a row each column name (upper case) is read from.
#[derive(Debug, Clone, Default)]
pub struct Columns(pub HashMap<String, usize>);

impl Columns {
    /// The header's own names, upper-cased.
    pub fn from_header(header: &[String]) -> Columns {
        let mut map = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            map.entry(name.to_ascii_uppercase()).or_insert(i);
        }
        Columns(map)
    }

    /// A row's cells by column name.
    pub fn row<'a>(&self, record: &'a Record) -> Row<'a> {
        self.0
            .iter()
            .filter_map(|(name, &i)| record.cells.get(i).map(|v| (name.clone(), v.as_str())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_crlf_and_quoted_commas_are_read_as_meant() {
        let file = "\u{feff}CHILD,SEX\r\n\"C1, the first\",1\r\n\r\nC2,2\r\n";
        let mut sheet = Sheet::open(file.as_bytes()).unwrap();
        assert_eq!(sheet.header, ["CHILD", "SEX"]);
        let rows = sheet.next_chunk(10).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells[0], "C1, the first");
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
        assert!(sheet.next_chunk(10).unwrap().is_empty());
    }

    #[test]
    fn windows_1252_text_is_decoded() {
        assert_eq!(decode(b"St Mary\x92s"), "St Mary\u{2019}s");
        assert_eq!(decode("Zoë".as_bytes()), "Zoë");
    }

    #[test]
    fn a_file_without_line_breaks_is_refused_not_held() {
        let long = vec![b'x'; MAX_LINE_BYTES + 10];
        assert!(matches!(Sheet::open(long.as_slice()), Err(FileProblem::LineTooLong { .. })));
        assert_eq!(Sheet::open(&b""[..]).err(), Some(FileProblem::Empty));
    }

    mod fuzz {
        //! Any bytes at all, and any CSV a council's export could write.
        //! Longer runs: `PROPTEST_CASES=100000 cargo test -p openpep-service --release reading::`.
        use proptest::prelude::*;

        use super::*;

        fn read_all(bytes: &[u8]) -> Result<(Vec<String>, Vec<Record>), FileProblem> {
            let mut sheet = Sheet::open(bytes)?;
            let mut rows = Vec::new();
            loop {
                let chunk = sheet.next_chunk(3)?;
                if chunk.is_empty() {
                    return Ok((sheet.header, rows));
                }
                rows.extend(chunk);
            }
        }

        fn cell() -> impl Strategy<Value = String> {
            prop_oneof![
                "[A-Za-z0-9 /-]{0,8}",
                Just("a, b".to_owned()),
                Just("say \"hi\"".to_owned()),
                Just("two\nlines".to_owned()),
                Just("é’".to_owned()),
            ]
        }

        /// A row with no cell blank, so the reader never skips it.
        fn row(width: usize) -> impl Strategy<Value = Vec<String>> {
            proptest::collection::vec(cell(), width)
                .prop_filter("not blank", |cells| cells.iter().any(|c| !c.trim().is_empty()))
        }

        fn quoted(cell: &str) -> String {
            if cell.contains([',', '"', '\n', '\r']) || cell.trim() != cell {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.to_owned()
            }
        }

        proptest! {
            #[test]
            fn any_bytes_are_read_or_refused_without_panic(
                bytes in proptest::collection::vec(any::<u8>(), 0..2048)
            ) {
                if let Ok((_, rows)) = read_all(&bytes) {
                    let breaks = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64;
                    let mut last = 1;
                    for r in rows {
                        prop_assert!(r.line > last && r.line <= breaks + 1, "line {} after {}", r.line, last);
                        last = r.line;
                    }
                }
            }

            #[test]
            fn a_written_csv_is_read_back_exactly_with_its_line_numbers(
                (width, lines) in (1usize..5).prop_flat_map(|width| (
                    Just(width),
                    proptest::collection::vec((0usize..3, 0usize..3, row(width)), 1..20),
                )),
                bom in any::<bool>(),
            ) {
                let header: Vec<String> = (0..width).map(|i| format!("COL{i}")).collect();
                let mut file = if bom { "\u{feff}".to_owned() } else { String::new() };
                file.push_str(&header.join(","));
                let mut line = 1u64;
                let mut expected = Vec::new();
                for (ending, blanks, cells) in &lines {
                    let end = ["\n", "\r\n", "\r"][*ending];
                    file.push_str(end);
                    line += 1;
                    for _ in 0..*blanks {
                        file.push_str(end);
                        line += 1;
                    }
                    expected.push(line);
                    let text: Vec<String> = cells.iter().map(|c| quoted(c)).collect();
                    let text = text.join(",");
                    line += text.matches('\n').count() as u64;
                    file.push_str(&text);
                }
                let (read_header, read) = read_all(file.as_bytes()).map_err(|e| TestCaseError::fail(e.message()))?;
                prop_assert_eq!(read_header, header);
                prop_assert_eq!(read.iter().map(|r| r.line).collect::<Vec<_>>(), expected);
                let rows: Vec<&Vec<String>> = lines.iter().map(|(_, _, cells)| cells).collect();
                prop_assert_eq!(read.iter().map(|r| &r.cells).collect::<Vec<_>>(), rows);
            }
        }
    }
}
