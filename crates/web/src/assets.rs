//! Static assets, embedded in the binary and served under content-hashed
//! names (`app.3f9a…css`) so browsers may cache them for a year.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
#[exclude = "*.md"]
#[exclude = "*.txt"]
struct Assets;

struct Manifest {
    /// Plain name → hashed name.
    hashed: HashMap<String, String>,
    /// Hashed name → plain name.
    plain: HashMap<String, String>,
}

fn manifest() -> &'static Manifest {
    static MANIFEST: OnceLock<Manifest> = OnceLock::new();
    MANIFEST.get_or_init(|| {
        let mut hashed = HashMap::new();
        let mut plain = HashMap::new();
        for name in Assets::iter() {
            let Some(file) = Assets::get(&name) else {
                continue;
            };
            let hash: String =
                file.metadata.sha256_hash()[..6].iter().map(|b| format!("{b:02x}")).collect();
            let with_hash = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                None => format!("{name}.{hash}"),
            };
            hashed.insert(name.to_string(), with_hash.clone());
            plain.insert(with_hash, name.to_string());
        }
        Manifest { hashed, plain }
    })
}

/// The URL of an asset, with its content hash.
pub fn url(name: &str) -> String {
    match manifest().hashed.get(name) {
        Some(hashed) => format!("/assets/{hashed}"),
        None => format!("/assets/{name}"),
    }
}

pub async fn serve(Path(name): Path<String>) -> Response {
    let Some(plain) = manifest().plain.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(file) = Assets::get(plain) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = file.metadata.mimetype().to_owned();
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&mime)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        file.data.into_owned(),
    )
        .into_response()
}
