//! Ed25519ctx (RFC 8032 §5.1) over ed25519-dalek, which offers Ed25519 and Ed25519ph only.
//!
//! Ed25519ctx is Ed25519 with its hash H(x) = SHA-512(x) replaced by SHA-512(dom2(0, C) ‖ x),
//! dom2(0, C) = "SigEd25519 no Ed25519 collisions" ‖ 0 ‖ |C| ‖ C; key expansion is unchanged.
//! dalek's hazmat API signs and verifies with any such 512-bit hash type (`CtxDigest`), but
//! creates each hasher itself with `Default`: the context reaches it through a thread-local
//! that [`with_context`] sets for the one call on this thread and clears afterwards.

use ed25519_dalek::hazmat::{ExpandedSecretKey, raw_sign, raw_verify};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::digest::consts::U64;
use sha2::digest::{FixedOutput, HashMarker, Output, OutputSizeUser, Update};
use sha2::{Digest, Sha512};
use std::cell::RefCell;

const DOM2_PREFIX: &[u8] = b"SigEd25519 no Ed25519 collisions";

thread_local! {
    /// dom2(0, C) for the call in progress on this thread.
    static DOM2: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// SHA-512 that starts with the current call's dom2(0, C).
#[derive(Clone)]
struct Dom2Sha512(Sha512);

impl Default for Dom2Sha512 {
    fn default() -> Self {
        let mut h = Sha512::new();
        DOM2.with(|d| {
            let d = d.borrow();
            // Only `with_context` makes these hashers, always with a context set.
            let dom2 = d
                .as_deref()
                .expect("Ed25519ctx hasher outside with_context");
            Digest::update(&mut h, dom2);
        });
        Dom2Sha512(h)
    }
}

impl Update for Dom2Sha512 {
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }
}

impl OutputSizeUser for Dom2Sha512 {
    type OutputSize = U64;
}

impl FixedOutput for Dom2Sha512 {
    fn finalize_into(self, out: &mut Output<Self>) {
        FixedOutput::finalize_into(self.0, out);
    }
}

impl HashMarker for Dom2Sha512 {}

/// Clears this thread's dom2 when dropped, even if the call panics.
struct Cleared;

impl Drop for Cleared {
    fn drop(&mut self) {
        DOM2.with(|d| *d.borrow_mut() = None);
    }
}

/// Runs `f` with dom2(0, `context`) in place for the hashers it makes.
fn with_context<T>(context: &[u8], f: impl FnOnce() -> T) -> T {
    let mut dom2 = DOM2_PREFIX.to_vec();
    dom2.push(0);
    dom2.push(context.len() as u8);
    dom2.extend_from_slice(context);
    DOM2.with(|d| *d.borrow_mut() = Some(dom2));
    let _cleared = Cleared;
    f()
}

/// An Ed25519ctx signature; `context` is 1 to 255 bytes (the core checks).
pub(crate) fn sign(key: &SigningKey, context: &[u8], msg: &[u8]) -> [u8; 64] {
    let esk = ExpandedSecretKey::from(key.as_bytes());
    let vk = key.verifying_key();
    with_context(context, || raw_sign::<Dom2Sha512>(&esk, msg, &vk)).to_bytes()
}

/// Verifies an Ed25519ctx signature (non-canonical R or S refused).
pub(crate) fn verify(key: &VerifyingKey, context: &[u8], msg: &[u8], sig: &Signature) -> bool {
    with_context(context, || raw_verify::<Dom2Sha512>(key, msg, sig)).is_ok()
}
