//! A zip written as it is sent: the entries' bytes are fetched one at a
//! time on a blocking thread and the archive leaves in chunks through a
//! bounded channel, so a term's 2,000 PDFs never sit in memory together.

use std::io::{self, Write};

use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::Services;

/// A download's bytes, in order, as they are made. An `Err` means the
/// download failed part-way: the connection is cut, never a short file
/// passed off as whole.
pub type ByteStream = mpsc::Receiver<Result<Vec<u8>, io::Error>>;

/// What a zip entry holds: a stored file (checked against its SHA-256
/// as it is read) or bytes made for the download.
pub enum Part {
    Stored { name: String, key: String, sha256: String, what: &'static str },
    Made { name: String, bytes: Vec<u8> },
}

/// Bytes sent on in chunks of about this size.
const CHUNK: usize = 64 * 1024;

struct ChannelWriter {
    buffer: Vec<u8>,
    sender: mpsc::Sender<Result<Vec<u8>, io::Error>>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the download was cancelled"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// A name safe in a zip on any system: letters, digits, spaces, `-`,
/// `_`, `.` and `/` (folders) kept, anything else `_`.
pub fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() || " -_./".contains(c) { c } else { '_' })
        .collect::<String>()
        .replace("..", "_")
}

/// Starts writing the zip of `parts`; its bytes arrive on the stream.
pub fn zip_stream(services: Services, parts: Vec<Part>) -> ByteStream {
    let (sender, receiver) = mpsc::channel(4);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let errors = sender.clone();
        let writer = ChannelWriter { buffer: Vec::with_capacity(CHUNK), sender };
        if let Err(e) = write_zip(&runtime, &services, writer, parts) {
            // The error may name an entry (a child's name): only its kind is logged.
            tracing::warn!(kind = ?e.kind(), "a zip download failed part-way");
            let _ = errors.blocking_send(Err(e));
        }
    });
    receiver
}

fn write_zip(
    runtime: &tokio::runtime::Handle,
    services: &Services,
    writer: ChannelWriter,
    parts: Vec<Part>,
) -> io::Result<()> {
    let mut zip = ZipWriter::new_stream(writer);
    // PDFs are compressed already; what the download makes (JSON) is not.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for part in parts {
        match part {
            Part::Stored { name, key, sha256, what } => {
                let bytes = runtime
                    .block_on(services.read_checked_file(&key, &sha256, what))
                    .map_err(|e| io::Error::other(e.to_string()))?;
                zip.start_file(
                    safe_name(&name),
                    stored.large_file(bytes.len() >= u32::MAX as usize),
                )
                .map_err(io::Error::other)?;
                zip.write_all(&bytes)?;
            }
            Part::Made { name, bytes } => {
                zip.start_file(safe_name(&name), deflated).map_err(io::Error::other)?;
                zip.write_all(&bytes)?;
            }
        }
    }
    let mut writer = zip.finish().map_err(io::Error::other)?.into_inner();
    writer.flush()
}
