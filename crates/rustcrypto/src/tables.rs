//! What the RustCrypto provider offers, as the provider interface's tables. Every `fips` flag
//! is false: these crates are not a validated module.

use crate::{des3, ec, hash, kdf, pqc, rsa, symmetric};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    CipherAlgorithm, CipherCtx, CipherKind, CipherMode, CipherRules, Curve, Des3Cipher, Digest,
    Direction, EcPrivateParts, EcPublicParts, EncKind, EncryptionScheme, Entropy, Generation,
    HashAlg, HashAlgorithm, KdfAlg, KdfAlgorithm, KeyFactory, KeyRule, Mac, MacAlg, MacAlgorithm,
    MlDsaSet, MlKemSet, ParamRule, PqKeyPair, PrivateKeyMaterial, PrivateKeyOps, Provider,
    ProviderEntry, PublicKeyOps, Rng, RsaPrivateParts, RsaPublicParts, SigInput, SigKind,
    SignatureScheme, Streaming, WrapAlgorithm, WrapKind,
};
use std::sync::Arc;
use zeroize::Zeroizing;

/// This provider, for the module's list.
pub const PROVIDER: ProviderEntry = ProviderEntry {
    name: "rustcrypto",
    start: || Ok(&RUSTCRYPTO),
};

static RUSTCRYPTO: Provider = Provider {
    name: "rustcrypto",
    fips_module: false,
    token_model: "Software",
    entropy: &OsEntropy,
    approved_drbg: false,
    hashes: &[
        &Hash(HashAlg::Sha1),
        &Hash(HashAlg::Sha224),
        &Hash(HashAlg::Sha256),
        &Hash(HashAlg::Sha384),
        &Hash(HashAlg::Sha512),
        &Hash(HashAlg::Sha3_224),
        &Hash(HashAlg::Sha3_256),
        &Hash(HashAlg::Sha3_384),
        &Hash(HashAlg::Sha3_512),
    ],
    macs: &[
        &Hmac(HashAlg::Sha1),
        &Hmac(HashAlg::Sha224),
        &Hmac(HashAlg::Sha256),
        &Hmac(HashAlg::Sha384),
        &Hmac(HashAlg::Sha512),
        &Hmac(HashAlg::Sha3_224),
        &Hmac(HashAlg::Sha3_256),
        &Hmac(HashAlg::Sha3_384),
        &Hmac(HashAlg::Sha3_512),
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
            start: des3::cipher,
        },
        &Des3Cipher {
            kind: CipherKind::Des3Cbc,
            start: des3::cipher,
        },
    ],
    wraps: &[&Kw(WrapKind::Kw), &Kw(WrapKind::Kwp)],
    kdfs: &[
        &Hkdf(HashAlg::Sha1),
        &Hkdf(HashAlg::Sha224),
        &Hkdf(HashAlg::Sha256),
        &Hkdf(HashAlg::Sha384),
        &Hkdf(HashAlg::Sha512),
        &Hkdf(HashAlg::Sha3_224),
        &Hkdf(HashAlg::Sha3_256),
        &Hkdf(HashAlg::Sha3_384),
        &Hkdf(HashAlg::Sha3_512),
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
        &Pbkdf2Sha256,
    ],
    signatures: SIGNATURES,
    encryptions: &[
        enc(EncKind::Pkcs1),
        enc(EncKind::Raw),
        EncryptionScheme {
            kind: EncKind::Oaep,
            keys: RSA_KEYS,
            hashes: ALL_HASHES,
            mgf: ParamRule::Any,
            fips: false,
        },
    ],
    agreement: &[Curve::P256, Curve::P384, Curve::P521, Curve::X25519],
    kems: &[MlKemSet::MlKem512, MlKemSet::MlKem768, MlKemSet::MlKem1024],
    generation: Generation {
        rsa_bits: (1024, 4096),
        curves: &[
            Curve::P256,
            Curve::P384,
            Curve::P521,
            Curve::Ed25519,
            Curve::X25519,
        ],
        ml_dsa: ML_DSA,
        ml_kem: &[MlKemSet::MlKem512, MlKemSet::MlKem768, MlKemSet::MlKem1024],
    },
    keys: &Keys,
    notes: &[],
};

const RSA_KEYS: KeyRule = KeyRule::Rsa {
    min_bits: 1024,
    max_bits: 4096,
};
const EC_KEYS: KeyRule = KeyRule::Curves(&[Curve::P256, Curve::P384, Curve::P521]);
const ML_DSA: &[MlDsaSet] = &[MlDsaSet::MlDsa44, MlDsaSet::MlDsa65, MlDsaSet::MlDsa87];
const ALL_HASHES: &[HashAlg] = &[
    HashAlg::Sha1,
    HashAlg::Sha224,
    HashAlg::Sha256,
    HashAlg::Sha384,
    HashAlg::Sha512,
    HashAlg::Sha3_224,
    HashAlg::Sha3_256,
    HashAlg::Sha3_384,
    HashAlg::Sha3_512,
];

const fn enc(kind: EncKind) -> EncryptionScheme {
    EncryptionScheme {
        kind,
        keys: RSA_KEYS,
        hashes: &[],
        mgf: ParamRule::Any,
        fips: false,
    }
}

const fn sig(kind: SigKind, input: SigInput, keys: KeyRule) -> SignatureScheme {
    SignatureScheme {
        kind,
        input,
        keys,
        salt: ParamRule::Any,
        // The rsa crate's PSS uses the message hash for MGF1 too.
        mgf: ParamRule::SameAsHash,
        context: true,
        deterministic: true,
        streaming: Streaming::Prehash,
        fips: false,
    }
}

/// HashML-DSA over `input`: a caller's digest, the message (SHAKE), or a hash of it.
const fn hash_ml_dsa(input: SigInput) -> SignatureScheme {
    sig(SigKind::HashMlDsa, input, KeyRule::MlDsa(ML_DSA))
}

/// Each RSA and ECDSA scheme with every SHA-1/SHA-2 hash, and over a caller's digest.
macro_rules! hashed {
    ($kind:expr, $keys:expr) => {
        [
            sig($kind, SigInput::Digest, $keys),
            sig($kind, SigInput::Hashed(HashAlg::Sha1), $keys),
            sig($kind, SigInput::Hashed(HashAlg::Sha224), $keys),
            sig($kind, SigInput::Hashed(HashAlg::Sha256), $keys),
            sig($kind, SigInput::Hashed(HashAlg::Sha384), $keys),
            sig($kind, SigInput::Hashed(HashAlg::Sha512), $keys),
        ]
    };
}

const RSA_PKCS1: [SignatureScheme; 6] = hashed!(SigKind::RsaPkcs1, RSA_KEYS);
const RSA_PSS: [SignatureScheme; 6] = hashed!(SigKind::RsaPss, RSA_KEYS);
const ECDSA: [SignatureScheme; 6] = hashed!(SigKind::Ecdsa, EC_KEYS);

static SIGNATURES: &[SignatureScheme] = &[
    RSA_PKCS1[0],
    RSA_PKCS1[1],
    RSA_PKCS1[2],
    RSA_PKCS1[3],
    RSA_PKCS1[4],
    RSA_PKCS1[5],
    RSA_PSS[0],
    RSA_PSS[1],
    RSA_PSS[2],
    RSA_PSS[3],
    RSA_PSS[4],
    RSA_PSS[5],
    sig(SigKind::RsaRaw, SigInput::Pure, RSA_KEYS),
    ECDSA[0],
    ECDSA[1],
    ECDSA[2],
    ECDSA[3],
    ECDSA[4],
    ECDSA[5],
    // Ed25519, Ed25519ctx and Ed25519ph.
    sig(
        SigKind::EdDsa,
        SigInput::Pure,
        KeyRule::Curves(&[Curve::Ed25519]),
    ),
    sig(SigKind::MlDsa, SigInput::Pure, KeyRule::MlDsa(ML_DSA)),
    hash_ml_dsa(SigInput::Digest),
    // The SHAKE pre-hashes, which the provider applies to the whole message.
    hash_ml_dsa(SigInput::Pure),
    hash_ml_dsa(SigInput::Hashed(HashAlg::Sha224)),
    hash_ml_dsa(SigInput::Hashed(HashAlg::Sha256)),
    hash_ml_dsa(SigInput::Hashed(HashAlg::Sha384)),
    hash_ml_dsa(SigInput::Hashed(HashAlg::Sha512)),
    hash_ml_dsa(SigInput::Hashed(HashAlg::Sha3_224)),
    hash_ml_dsa(SigInput::Hashed(HashAlg::Sha3_256)),
    hash_ml_dsa(SigInput::Hashed(HashAlg::Sha3_384)),
    hash_ml_dsa(SigInput::Hashed(HashAlg::Sha3_512)),
];

struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&self, buf: &mut [u8]) -> Result<()> {
        getrandom::fill(buf).map_err(|e| Error::general(format!("entropy source: {e}")))
    }
}

struct Hash(HashAlg);

impl HashAlgorithm for Hash {
    fn alg(&self) -> HashAlg {
        self.0
    }
    fn fips(&self) -> bool {
        false
    }
    fn start(&self) -> Box<dyn Digest> {
        hash::digest(self.0)
    }
    fn resume(&self, saved: &[u8]) -> Result<Box<dyn Digest>> {
        hash::digest_restore(self.0, saved)
    }
}

struct Hmac(HashAlg);

impl MacAlgorithm for Hmac {
    fn alg(&self) -> MacAlg {
        MacAlg::Hmac(self.0)
    }
    fn fips(&self) -> bool {
        false
    }
    fn start(&self, key: &[u8]) -> Result<Box<dyn Mac>> {
        hash::hmac(self.0, key)
    }
}

struct Cmac;

impl MacAlgorithm for Cmac {
    fn alg(&self) -> MacAlg {
        MacAlg::Cmac
    }
    fn fips(&self) -> bool {
        false
    }
    fn key_bytes(&self) -> Option<&'static [usize]> {
        Some(AES_KEYS)
    }
    fn start(&self, key: &[u8]) -> Result<Box<dyn Mac>> {
        symmetric::cmac(key)
    }
}

const AES_KEYS: &[usize] = &[16, 24, 32];

struct Aes(CipherKind);

impl CipherAlgorithm for Aes {
    fn kind(&self) -> CipherKind {
        self.0
    }
    fn rules(&self) -> CipherRules {
        CipherRules {
            key_bytes: AES_KEYS,
            iv_bytes: (1, 256),
            tag_bytes: &[4, 8, 12, 13, 14, 15, 16],
        }
    }
    fn fips(&self) -> bool {
        false
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
        false
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
        false
    }
    fn extract(&self, salt: &[u8], ikm: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        kdf::hkdf_extract(self.0, salt, ikm)
    }
    fn derive(&self, prk: &[u8], info: &[u8], _: u32, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        kdf::hkdf_expand(self.0, prk, info, len)
    }
}

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

/// SP 800-56C's one-step KDF (`CKD_SHA*_KDF_SP800`) over the hash crates.
struct OneStep(HashAlg);

impl KdfAlgorithm for OneStep {
    fn alg(&self) -> KdfAlg {
        KdfAlg::OneStep(self.0)
    }
    fn fips(&self) -> bool {
        false
    }
    fn derive(&self, z: &[u8], info: &[u8], _: u32, len: usize) -> Result<Zeroizing<Vec<u8>>> {
        kdf::one_step_kdf(self.0, z, info, len)
    }
}

struct Pbkdf2Sha256;

impl KdfAlgorithm for Pbkdf2Sha256 {
    fn alg(&self) -> KdfAlg {
        KdfAlg::Pbkdf2(HashAlg::Sha256)
    }
    fn fips(&self) -> bool {
        false
    }
    fn derive(
        &self,
        secret: &[u8],
        salt: &[u8],
        iterations: u32,
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(vec![0u8; len]);
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, salt, iterations, &mut out);
        Ok(out)
    }
}

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
    fn generate_rsa(
        &self,
        bits: usize,
        public_exponent: &[u8],
        rng: &dyn Rng,
    ) -> Result<RsaPrivateParts> {
        rsa::generate(bits, public_exponent, rng)
    }
    fn generate_ec(&self, curve: Curve, rng: &dyn Rng) -> Result<EcPrivateParts> {
        ec::generate(curve, rng)
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
    fn ml_kem_generate(&self, set: MlKemSet, rng: &dyn Rng) -> Result<PqKeyPair> {
        pqc::ml_kem_generate(set, rng)
    }
    fn ml_kem_private(&self, set: MlKemSet, expanded: &[u8]) -> Result<Arc<dyn PrivateKeyOps>> {
        pqc::ml_kem_private(set, expanded)
    }
    fn ml_kem_public(&self, set: MlKemSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
        pqc::ml_kem_public(set, public)
    }
}
