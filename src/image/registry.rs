// STUB: replaced by the registry helper's module.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("x")]
    X,
}
impl RegistryError {
    pub fn is_not_found(&self) -> bool {
        false
    }
    pub fn is_digest_mismatch(&self) -> bool {
        false
    }
}
pub struct ClientOptions {
    pub tls_verify: Option<bool>,
    pub creds: Option<(String, String)>,
    pub user_agent: String,
    pub cert_dir: Option<std::path::PathBuf>,
}
pub struct Manifest {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: String,
}
pub struct Client;
impl Client {
    pub fn new(_h: &str, _o: ClientOptions) -> Result<Client, RegistryError> {
        Ok(Client)
    }
    pub fn get_manifest(&self, _r: &str, _x: &str) -> Result<Manifest, RegistryError> {
        Err(RegistryError::X)
    }
    #[allow(clippy::too_many_arguments)]
    pub fn get_blob(
        &self,
        _r: &str,
        _d: &str,
        _s: Option<u64>,
        _o: &mut dyn std::io::Write,
        _off: u64,
        _h: sha2::Sha256,
        _p: &mut dyn FnMut(u64),
    ) -> Result<u64, RegistryError> {
        Err(RegistryError::X)
    }
}
