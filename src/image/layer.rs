// STUB: replaced by the layer helper's module.
pub enum Compression { None, Gzip, Zstd }
pub fn detect_compression(_h: &[u8]) -> Compression { Compression::None }
#[derive(Default)]
pub struct UnpackOptions { pub rootless: bool }
pub struct UnpackReport { pub diff_id: String, pub size: u64 }
#[derive(Debug, thiserror::Error)]
pub enum LayerError { #[error("x")] X }
pub fn unpack(_s: impl std::io::Read, _d: &std::path::Path, _o: &UnpackOptions) -> Result<UnpackReport, LayerError> { Err(LayerError::X) }
