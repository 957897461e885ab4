//! A connected app in orgsim that trusts one test key for JWT bearer logins: how the engine
//! and CLI tests connect orgs without a browser.

use std::path::Path;
use std::sync::OnceLock;

use orgsim::config::{AppSpec, register_app};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

/// RSA keygen is slow in debug builds: one key per test process.
fn key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap())
}

/// Registers connected app `client_id` in `sim`, trusting the test key for JWT bearer
/// logins and allowing any localhost callback; writes the key (PKCS#8 PEM) to
/// `dir/server.key` and returns that path.
pub fn register_jwt_app(sim: &orgsim::Sim, client_id: &str, dir: &Path) -> String {
    let key = key();
    let key_path = dir.join("server.key");
    std::fs::write(
        &key_path,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    register_app(
        sim,
        &AppSpec {
            client_id: client_id.into(),
            client_secret: None,
            public_key_pem: Some(
                key.to_public_key()
                    .to_public_key_pem(LineEnding::LF)
                    .unwrap(),
            ),
            public_key_pem_file: None,
            callback_urls: vec!["http://localhost:*".into()],
            run_as_username: None,
        },
    )
    .unwrap();
    key_path.display().to_string()
}
