//! What the AWS-LC provider offers, as the provider interface's tables: what its FIPS module
//! implements and aws-lc-rs exposes. Where aws-lc-rs constrains a parameter (GCM's IV and tag,
//! PSS salts, the curve an ECDSA hash goes with) the constraint is here, as data.

use crate::{ec, hash, kdf, pqc, rsa, symmetric};
use aws_lc_rs::{digest, hmac};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    CipherAlgorithm, CipherCtx, CipherKind, CipherMode, CipherRules, Curve, Des3Cipher, Digest,
    Direction, EcPrivateParts, EcPublicParts, EncKind, EncryptionScheme, Entropy, Generation,
    HashAlg, HashAlgorithm, KdfAlg, KdfAlgorithm, KeyFactory, KeyRule, Mac, MacAlg, MacAlgorithm,
    MlDsaSet, MlKemSet, Note, ParamRule, PqKeyPair, PrivateKeyMaterial, PrivateKeyOps, Provider,
    ProviderEntry, PublicKeyOps, Rng, RsaPrivateParts, RsaPublicParts, SigInput, SigKind,
    SignatureScheme, Streaming, WrapAlgorithm, WrapKind,
};
use std::num::NonZeroU32;
use std::sync::Arc;
use zeroize::Zeroizing;

/// This provider, for the module's list. It starts only when AWS-LC runs as its FIPS module
/// (which has already run its own power-on tests and integrity check at load).
pub const PROVIDER: ProviderEntry = ProviderEntry {
    name: "awslc",
    start: || {
        aws_lc_rs::try_fips_mode().map_err(|e| format!("AWS-LC is not in FIPS mode: {e}"))?;
        Ok(&AWSLC)
    },
};

static AWSLC: Provider = Provider {
    name: "awslc",
    fips_module: true,
    token_model: "FIPS (AWS-LC)",
    entropy: &Drbg,
    approved_drbg: true,
    hashes: &[
        &Hash(HashAlg::Sha1, &digest::SHA1_FOR_LEGACY_USE_ONLY),
        &Hash(HashAlg::Sha224, &digest::SHA224),
        &Hash(HashAlg::Sha256, &digest::SHA256),
        &Hash(HashAlg::Sha384, &digest::SHA384),
        &Hash(HashAlg::Sha512, &digest::SHA512),
        &FfiHash(HashAlg::Sha3_224),
        &Hash(HashAlg::Sha3_256, &digest::SHA3_256),
        &Hash(HashAlg::Sha3_384, &digest::SHA3_384),
        &Hash(HashAlg::Sha3_512, &digest::SHA3_512),
    ],
    macs: &[
        &Hmac(HashAlg::Sha1, hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
        &Hmac(HashAlg::Sha224, hmac::HMAC_SHA224),
        &Hmac(HashAlg::Sha256, hmac::HMAC_SHA256),
        &Hmac(HashAlg::Sha384, hmac::HMAC_SHA384),
        &Hmac(HashAlg::Sha512, hmac::HMAC_SHA512),
        &FfiHmac(HashAlg::Sha3_224),
        &FfiHmac(HashAlg::Sha3_256),
        &FfiHmac(HashAlg::Sha3_384),
        &FfiHmac(HashAlg::Sha3_512),
        &Cmac,
    ],
    ciphers: &[
        &Aes(CipherKind::Ecb),
        &Aes(CipherKind::Cbc),
        &Aes(CipherKind::CbcPad),
        &Aes(CipherKind::Ctr),
        &Aes(CipherKind::Gcm),
        &Des3Cipher {
            kind: CipherKind::Des3Ecb,
            start: symmetric::cipher,
        },
        &Des3Cipher {
            kind: CipherKind::Des3Cbc,
            start: symmetric::cipher,
        },
    ],
    wraps: &[&Kw(WrapKind::Kw), &Kw(WrapKind::Kwp)],
    kdfs: &[
        &Hkdf(HashAlg::Sha256),
        &Hkdf(HashAlg::Sha384),
        &Hkdf(HashAlg::Sha512),
        &Pbkdf2Sha256,
        &X963(HashAlg::Sha1),
        &X963(HashAlg::Sha224),
        &X963(HashAlg::Sha256),
        &X963(HashAlg::Sha384),
        &X963(HashAlg::Sha512),
        &X963(HashAlg::Sha3_224),
        &X963(HashAlg::Sha3_256),
        &X963(HashAlg::Sha3_384),
        &X963(HashAlg::Sha3_512),
        &OneStep(HashAlg::Sha1),
        &OneStep(HashAlg::Sha224),
        &OneStep(HashAlg::Sha256),
        &OneStep(HashAlg::Sha384),
        &OneStep(HashAlg::Sha512),
        &OneStep(HashAlg::Sha3_224),
        &OneStep(HashAlg::Sha3_256),
        &OneStep(HashAlg::Sha3_384),
        &OneStep(HashAlg::Sha3_512),
    ],
    signatures: &[
        // RSA through the wrapper: hashed inside the module (`EVP_DigestSign`, counted for
        // SHA-2), over a caller's DigestInfo or digest (`CKM_RSA_PKCS`, `CKM_RSA_PKCS_PSS`,
        // never counted), and raw. PSS takes any salt and MGF1 hash; the core counts only
        // salts up to the hash length with MGF1 over the message hash (FIPS 186-5 5.4).
        rsa(SigKind::RsaPkcs1, SigInput::Digest, false),
        rsa(SigKind::RsaPkcs1, SigInput::Hashed(HashAlg::Sha1), false),
        rsa(SigKind::RsaPkcs1, SigInput::Hashed(HashAlg::Sha224), true),
        rsa(SigKind::RsaPkcs1, SigInput::Hashed(HashAlg::Sha256), true),
        rsa(SigKind::RsaPkcs1, SigInput::Hashed(HashAlg::Sha384), true),
        rsa(SigKind::RsaPkcs1, SigInput::Hashed(HashAlg::Sha512), true),
        rsa(SigKind::RsaPss, SigInput::Digest, false),
        rsa(SigKind::RsaPss, SigInput::Hashed(HashAlg::Sha1), false),
        rsa(SigKind::RsaPss, SigInput::Hashed(HashAlg::Sha224), true),
        rsa(SigKind::RsaPss, SigInput::Hashed(HashAlg::Sha256), true),
        rsa(SigKind::RsaPss, SigInput::Hashed(HashAlg::Sha384), true),
        rsa(SigKind::RsaPss, SigInput::Hashed(HashAlg::Sha512), true),
        rsa(SigKind::RsaRaw, SigInput::Pure, false),
        // ECDSA through the wrapper: over a caller's digest (`CKM_ECDSA`, which AWS-LC's
        // indicator never counts), and every hash with either curve, hashed inside the module
        // (counted for SHA-2, not for SHA-1 signing).
        ecdsa(SigInput::Digest, false),
        ecdsa(SigInput::Hashed(HashAlg::Sha1), false),
        ecdsa(SigInput::Hashed(HashAlg::Sha224), true),
        ecdsa(SigInput::Hashed(HashAlg::Sha256), true),
        ecdsa(SigInput::Hashed(HashAlg::Sha384), true),
        ecdsa(SigInput::Hashed(HashAlg::Sha512), true),
        // Ed25519 over aws-lc-rs; Ed25519ctx and Ed25519ph through the wrapper.
        SignatureScheme {
            context: true,
            ..pure(SigKind::EdDsa, KeyRule::Curves(&[Curve::Ed25519]), false)
        },
        // ML-DSA, any context, through external μ;
        // hedged only (AWS-LC takes no caller rnd).
        SignatureScheme {
            context: true,
            ..pure(SigKind::MlDsa, KeyRule::MlDsa(ML_DSA), false)
        },
        hash_ml_dsa(SigInput::Digest),
        // The SHAKE pre-hashes, applied by the provider to the whole message.
        hash_ml_dsa(SigInput::Pure),
        hash_ml_dsa(SigInput::Hashed(HashAlg::Sha224)),
        hash_ml_dsa(SigInput::Hashed(HashAlg::Sha256)),
        hash_ml_dsa(SigInput::Hashed(HashAlg::Sha384)),
        hash_ml_dsa(SigInput::Hashed(HashAlg::Sha512)),
        hash_ml_dsa(SigInput::Hashed(HashAlg::Sha3_224)),
        hash_ml_dsa(SigInput::Hashed(HashAlg::Sha3_256)),
        hash_ml_dsa(SigInput::Hashed(HashAlg::Sha3_384)),
        hash_ml_dsa(SigInput::Hashed(HashAlg::Sha3_512)),
    ],
    encryptions: &[
        EncryptionScheme {
            kind: EncKind::Oaep,
            keys: RSA_KEYS,
            hashes: &[
                HashAlg::Sha1,
                HashAlg::Sha224,
                HashAlg::Sha256,
                HashAlg::Sha384,
                HashAlg::Sha512,
                HashAlg::Sha3_224,
                HashAlg::Sha3_256,
                HashAlg::Sha3_384,
                HashAlg::Sha3_512,
            ],
            mgf: ParamRule::Any,
            // AWS-LC keeps OAEP padding outside its FIPS module (rsa_extra), with no indicator
            // hook and no KTS-IFC in its ACVP tests: not an approved service of the module.
            fips: false,
        },
        // PKCS#1 v1.5 encryption (SP 800-131A disallows it) and raw RSA: not approved.
        EncryptionScheme {
            kind: EncKind::Pkcs1,
            keys: RSA_KEYS,
            hashes: &[],
            mgf: ParamRule::Any,
            fips: false,
        },
        EncryptionScheme {
            kind: EncKind::Raw,
            keys: RSA_KEYS,
            hashes: &[],
            mgf: ParamRule::Any,
            fips: false,
        },
    ],
    agreement: &[Curve::P256, Curve::P384, Curve::P521, Curve::X25519],
    kems: ML_KEM,
    generation: Generation {
        rsa_bits: (1024, 8192),
        curves: &[
            Curve::P256,
            Curve::P384,
            Curve::P521,
            Curve::Ed25519,
            Curve::X25519,
        ],
        ml_dsa: ML_DSA,
        ml_kem: ML_KEM,
    },
    keys: &Keys,
    notes: &[Note {
        what: "HKDF over SHA-1 and SHA-224",
        why: "aws-lc-rs has HKDF over SHA-256/384/512 only",
    }],
};

/// Keys under 2048 bits reach the provider only with `allow_weak_rsa` outside approved mode (the
/// core's floor); AWS-LC runs them, not counted approved.
const RSA_KEYS: KeyRule = KeyRule::Rsa {
    min_bits: 1024,
    max_bits: 8192,
};
const ML_DSA: &[MlDsaSet] = &[MlDsaSet::MlDsa44, MlDsaSet::MlDsa65, MlDsaSet::MlDsa87];
const ML_KEM: &[MlKemSet] = &[MlKemSet::MlKem512, MlKemSet::MlKem768, MlKemSet::MlKem1024];

/// RSA signatures, with any PSS parameters the key fits.
const fn rsa(kind: SigKind, input: SigInput, fips: bool) -> SignatureScheme {
    SignatureScheme {
        kind,
        input,
        keys: RSA_KEYS,
        salt: ParamRule::Any,
        mgf: ParamRule::Any,
        context: false,
        deterministic: false,
        // `EVP_DigestSign` takes the whole message.
        streaming: Streaming::Buffer,
        fips,
    }
}

const fn ecdsa(input: SigInput, fips: bool) -> SignatureScheme {
    SignatureScheme {
        kind: SigKind::Ecdsa,
        input,
        keys: KeyRule::Curves(&[Curve::P256, Curve::P384, Curve::P521]),
        salt: ParamRule::Any,
        mgf: ParamRule::Any,
        context: false,
        deterministic: false,
        // `EVP_DigestSign` takes the whole message.
        streaming: Streaming::Buffer,
        fips,
    }
}

/// Schemes over the whole message (EdDSA, ML-DSA).
const fn pure(kind: SigKind, keys: KeyRule, fips: bool) -> SignatureScheme {
    SignatureScheme {
        kind,
        input: SigInput::Pure,
        keys,
        salt: ParamRule::Any,
        mgf: ParamRule::Any,
        context: false,
        deterministic: false,
        streaming: Streaming::Buffer,
        fips,
    }
}

/// HashML-DSA through external μ: any context, hedged only; the core hashes the message with
/// AWS-LC's digests as it arrives.
const fn hash_ml_dsa(input: SigInput) -> SignatureScheme {
    SignatureScheme {
        kind: SigKind::HashMlDsa,
        input,
        context: true,
        streaming: Streaming::Prehash,
        ..pure(SigKind::HashMlDsa, KeyRule::MlDsa(ML_DSA), false)
    }
}

/// AWS-LC's approved DRBG.
struct Drbg;

impl Entropy for Drbg {
    fn fill(&self, buf: &mut [u8]) -> Result<()> {
        aws_lc_rs::rand::fill(buf).map_err(|_| Error::general("AWS-LC random generator"))
    }
}

struct Hash(HashAlg, &'static digest::Algorithm);

impl HashAlgorithm for Hash {
    fn alg(&self) -> HashAlg {
        self.0
    }
    fn fips(&self) -> bool {
        true
    }
    fn start(&self) -> Box<dyn Digest> {
        hash::digest(self.1)
    }
    // aws-lc-rs keeps its hash state opaque: nothing it saves can be restored.
}

/// A hash aws-lc-rs lacks, through AWS-LC's C API (counted approved by its indicator).
struct FfiHash(HashAlg);

impl HashAlgorithm for FfiHash {
    fn alg(&self) -> HashAlg {
        self.0
    }
    fn fips(&self) -> bool {
        true
    }
    fn start(&self) -> Box<dyn Digest> {
        hash::ffi_digest(self.0)
    }
}

/// HMAC over a hash aws-lc-rs lacks, through AWS-LC's C API (counted approved by its
/// indicator).
struct FfiHmac(HashAlg);

impl MacAlgorithm for FfiHmac {
    fn alg(&self) -> MacAlg {
        MacAlg::Hmac(self.0)
    }
    fn fips(&self) -> bool {
        true
    }
    fn start(&self, key: &[u8]) -> Result<Box<dyn Mac>> {
        hash::ffi_hmac(self.0, key)
    }
}

struct Hmac(HashAlg, hmac::Algorithm);

impl MacAlgorithm for Hmac {
    fn alg(&self) -> MacAlg {
        MacAlg::Hmac(self.0)
    }
    fn fips(&self) -> bool {
        true
    }
    fn start(&self, key: &[u8]) -> Result<Box<dyn Mac>> {
        Ok(hash::hmac(self.1, key))
    }
}

const AES_KEYS: &[usize] = &[16, 24, 32];

struct Cmac;

impl MacAlgorithm for Cmac {
    fn alg(&self) -> MacAlg {
        MacAlg::Cmac
    }
    fn fips(&self) -> bool {
        true
    }
    fn key_bytes(&self) -> Option<&'static [usize]> {
        Some(AES_KEYS)
    }
    fn start(&self, key: &[u8]) -> Result<Box<dyn Mac>> {
        symmetric::cmac(key)
    }
}

struct Aes(CipherKind);

impl CipherAlgorithm for Aes {
    fn kind(&self) -> CipherKind {
        self.0
    }
    fn rules(&self) -> CipherRules {
        CipherRules {
            key_bytes: AES_KEYS,
            // GCM through AWS-LC's C API: IVs of 1 to 256 bytes (the PKCS#11 limit) and the
            // SP 800-38D tag lengths.
            iv_bytes: (1, 256),
            tag_bytes: &[4, 8, 12, 13, 14, 15, 16],
        }
    }
    fn fips(&self) -> bool {
        true
    }
    fn start(&self, mode: &CipherMode, key: &[u8], dir: Direction) -> Result<Box<dyn CipherCtx>> {
        symmetric::cipher(mode, key, dir)
    }
}

struct Kw(WrapKind);

impl WrapAlgorithm for Kw {
    fn kind(&self) -> WrapKind {
        self.0
    }
    fn key_bytes(&self) -> &'static [usize] {
        AES_KEYS
    }
    fn fips(&self) -> bool {
        true
    }
    fn wrap(&self, key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
        symmetric::key_wrap(key, data, self.0 == WrapKind::Kwp)
    }
    fn unwrap(&self, key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        symmetric::key_unwrap(key, data, self.0 == WrapKind::Kwp)
    }
}

struct Hkdf(HashAlg);

impl KdfAlgorithm for Hkdf {
    fn alg(&self) -> KdfAlg {
        KdfAlg::Hkdf(self.0)
    }
    fn fips(&self) -> bool {
        true
    }
    fn extract(&self, salt: &[u8], ikm: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        kdf::hkdf_extract(self.0, salt, ikm)
    }
    fn derive(&self, prk: &[u8], info: &[u8], _: u32, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        kdf::hkdf_expand(self.0, prk, info, len)
    }
}

/// The ANSI X9.63 KDF of ECDH (`CKD_SHA*_KDF`) over AWS-LC's digests; outside the approved set,
/// as on the other provider.
struct X963(HashAlg);

impl KdfAlgorithm for X963 {
    fn alg(&self) -> KdfAlg {
        KdfAlg::X963(self.0)
    }
    fn fips(&self) -> bool {
        false
    }
    fn derive(&self, z: &[u8], info: &[u8], _: u32, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        kdf::x963_kdf(self.0, z, info, len)
    }
}

/// SP 800-56C's one-step KDF (`CKD_SHA*_KDF_SP800`): AWS-LC's `SSKDF_digest`, inside its
/// validated boundary.
struct OneStep(HashAlg);

impl KdfAlgorithm for OneStep {
    fn alg(&self) -> KdfAlg {
        KdfAlg::OneStep(self.0)
    }
    fn fips(&self) -> bool {
        true
    }
    fn derive(&self, z: &[u8], info: &[u8], _: u32, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        crate::ffi::sskdf_digest(self.0, z, info, len)
    }
}

struct Pbkdf2Sha256;

impl KdfAlgorithm for Pbkdf2Sha256 {
    fn alg(&self) -> KdfAlg {
        KdfAlg::Pbkdf2(HashAlg::Sha256)
    }
    fn fips(&self) -> bool {
        true
    }
    fn derive(
        &self,
        secret: &[u8],
        salt: &[u8],
        iterations: u32,
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let n = NonZeroU32::new(iterations)
            .ok_or_else(|| Error::general("PBKDF2 with zero iterations"))?;
        let mut out = Zeroizing::new(vec![0u8; len]);
        aws_lc_rs::pbkdf2::derive(
            aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
            n,
            salt,
            secret,
            &mut out,
        );
        Ok(out)
    }
}

/// Key generation draws on AWS-LC's own approved DRBG, not the `rng` handed in.
struct Keys;

impl KeyFactory for Keys {
    fn rsa_private(&self, parts: &RsaPrivateParts) -> Result<Arc<dyn PrivateKeyOps>> {
        Ok(Arc::new(rsa::load_private(parts)?))
    }
    fn rsa_public(&self, parts: &RsaPublicParts) -> Result<Arc<dyn PublicKeyOps>> {
        Ok(Arc::new(rsa::load_public(parts)?))
    }
    fn ec_private(&self, parts: &EcPrivateParts) -> Result<Arc<dyn PrivateKeyOps>> {
        Ok(Arc::new(ec::load_private(parts)?))
    }
    fn ec_public(&self, parts: &EcPublicParts) -> Result<Arc<dyn PublicKeyOps>> {
        Ok(Arc::new(ec::load_public(parts)?))
    }
    fn ec_public_point(&self, curve: Curve, scalar: &[u8]) -> Result<Vec<u8>> {
        ec::public_point(curve, scalar)
    }
    fn generate_rsa(&self, bits: usize, e: &[u8], _rng: &dyn Rng) -> Result<RsaPrivateParts> {
        rsa::generate(bits, e)
    }
    fn generate_ec(&self, curve: Curve, _rng: &dyn Rng) -> Result<EcPrivateParts> {
        ec::generate(curve)
    }
    fn to_pkcs8(&self, key: &PrivateKeyMaterial) -> Result<Zeroizing<Vec<u8>>> {
        kdf::to_pkcs8(key)
    }
    fn parse_pkcs8(&self, der: &[u8]) -> Result<PrivateKeyMaterial> {
        kdf::from_pkcs8(der)
    }
    fn ml_dsa_generate(&self, set: MlDsaSet, seed: &[u8]) -> Result<PqKeyPair> {
        pqc::ml_dsa_generate(set, seed)
    }
    fn ml_dsa_private(
        &self,
        set: MlDsaSet,
        expanded: Option<&[u8]>,
        seed: Option<&[u8]>,
    ) -> Result<Arc<dyn PrivateKeyOps>> {
        pqc::ml_dsa_private(set, expanded, seed)
    }
    fn ml_dsa_public(&self, set: MlDsaSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
        pqc::ml_dsa_public(set, public)
    }
    fn ml_kem_generate(&self, set: MlKemSet, _rng: &dyn Rng) -> Result<PqKeyPair> {
        pqc::ml_kem_generate(set)
    }
    fn ml_kem_private(&self, set: MlKemSet, expanded: &[u8]) -> Result<Arc<dyn PrivateKeyOps>> {
        pqc::ml_kem_private(set, expanded)
    }
    fn ml_kem_public(&self, set: MlKemSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
        pqc::ml_kem_public(set, public)
    }
}
