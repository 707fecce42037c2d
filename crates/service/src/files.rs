//! Where uploaded files' bytes are kept: a folder on disk by default,
//! behind [`FileStore`] so that an S3-compatible store can take its place
//! when app nodes share no disk.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;

/// What a file store's calls return.
pub type FileFuture<'a, T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send + 'a>>;

/// Keeps files by key. Keys are made by the service (`<la>/<document>`),
/// never from what a user typed.
pub trait FileStore: Send + Sync {
    /// Stores the bytes under `key`; once it returns, they are durable.
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> FileFuture<'a, ()>;
    fn get<'a>(&'a self, key: &'a str) -> FileFuture<'a, Vec<u8>>;
    /// Removes the file, if it is there.
    fn delete<'a>(&'a self, key: &'a str) -> FileFuture<'a, ()>;
}

/// Files in a folder, one a key.
#[derive(Debug, Clone)]
pub struct DiskStore {
    root: PathBuf,
}

impl DiskStore {
    pub fn new(root: impl Into<PathBuf>) -> DiskStore {
        DiskStore { root: root.into() }
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let safe = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty()
                    && part != ".."
                    && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !safe {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a file store key"));
        }
        Ok(self.root.join(key))
    }
}

impl FileStore for DiskStore {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> FileFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(key)?;
            if let Some(folder) = path.parent() {
                tokio::fs::create_dir_all(folder).await?;
            }
            // Written aside and renamed, so a crash never leaves half a file
            // under the key.
            let partial = path.with_extension(format!("{}.partial", uuid::Uuid::now_v7()));
            let written = async {
                tokio::fs::write(&partial, bytes).await?;
                tokio::fs::File::open(&partial).await?.sync_all().await?;
                tokio::fs::rename(&partial, &path).await?;
                // The rename lasts once the folder is on disk too.
                match path.parent() {
                    Some(folder) => tokio::fs::File::open(folder).await?.sync_all().await,
                    None => Ok(()),
                }
            }
            .await;
            if written.is_err() {
                let _ = tokio::fs::remove_file(&partial).await;
            }
            written
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> FileFuture<'a, Vec<u8>> {
        Box::pin(async move { tokio::fs::read(self.path(key)?).await })
    }

    fn delete<'a>(&'a self, key: &'a str) -> FileFuture<'a, ()> {
        Box::pin(async move {
            match tokio::fs::remove_file(self.path(key)?).await {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                other => other,
            }
        })
    }
}

impl crate::Services {
    /// Puts the bytes in the file store under `key` (`what` names them in
    /// an error).
    pub(crate) async fn put_file(
        &self,
        key: &str,
        bytes: &[u8],
        what: &str,
    ) -> Result<(), crate::ServiceError> {
        self.files
            .put(key, bytes)
            .await
            .map_err(|e| crate::ServiceError::Internal(format!("storing {what}: {e}")))
    }

    /// Stores the bytes, then writes their row with `record`: a row never
    /// points at no file. If the row is not written, the file goes.
    pub(crate) async fn put_file_then_record(
        &self,
        (key, bytes, what): (&str, &[u8], &str),
        record: impl Future<Output = Result<(), openpep_store::StoreError>>,
    ) -> Result<(), crate::ServiceError> {
        self.put_file(key, bytes, what).await?;
        if let Err(e) = record.await {
            let _ = self.files.delete(key).await;
            return Err(e.into());
        }
        Ok(())
    }

    /// The bytes under `key`, refused unless they still match the SHA-256
    /// they were stored with.
    pub(crate) async fn read_checked_file(
        &self,
        key: &str,
        sha256: &str,
        what: &str,
    ) -> Result<Vec<u8>, crate::ServiceError> {
        let bytes = self
            .files
            .get(key)
            .await
            .map_err(|e| crate::ServiceError::Internal(format!("reading {what}: {e}")))?;
        if crate::sessions::sha256_hex(&bytes) != sha256 {
            return Err(crate::ServiceError::Internal(format!(
                "{what} does not match its SHA-256"
            )));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_come_back_as_stored_and_keys_stay_inside_the_folder() {
        let root = std::env::temp_dir().join(format!("openpep-files-{}", uuid::Uuid::now_v7()));
        let store = DiskStore::new(&root);
        store.put("la-1/doc-1", b"%PDF-1.7 hello").await.unwrap();
        assert_eq!(store.get("la-1/doc-1").await.unwrap(), b"%PDF-1.7 hello");
        store.delete("la-1/doc-1").await.unwrap();
        assert!(store.get("la-1/doc-1").await.is_err());
        store.delete("la-1/doc-1").await.unwrap();
        for bad in ["../x", "a/../b", "/etc/passwd", "a//b", "", "a/b.c"] {
            assert!(store.put(bad, b"x").await.is_err(), "{bad}");
        }
        std::fs::remove_dir_all(root).unwrap();
    }
}
