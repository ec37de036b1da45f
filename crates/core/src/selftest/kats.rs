//! The 16 power-on known-answer tests, each against the active backend with a fixed
//! published vector (sources in `vectors.rs`). Symmetric ciphers are tested in both
//! directions; signatures either sign with a fixed key and compare (RSA PKCS#1 v1.5 is
//! deterministic) or verify a fixed signature (ECDSA, ML-DSA).

use super::vectors as v;
use crate::crypto::cipher::CipherMode;
use crate::crypto::drbg::HmacDrbg;
use crate::crypto::rng::{APT_WINDOW, EntropyHealth, OutputHealth, RCT_CUTOFF};
use crate::crypto::{
    Curve, Direction, EcPublicParts, HashAlg, Hedge, MlDsaSet, MlKemSet, Provider, RsaPrivateParts,
    SignInput, SignScheme,
};
use crate::error::{Error, Result};

/// One known-answer test.
pub struct Kat {
    pub name: &'static str,
    run: fn(&Provider) -> Result<()>,
}

impl Kat {
    pub fn run(&self, be: &Provider) -> Result<()> {
        (self.run)(be)
    }
}

/// All of them, in the order they run.
pub static KATS: [Kat; 16] = [
    Kat {
        name: "SHA-256",
        run: |be| {
            digest(
                be,
                "SHA-256",
                HashAlg::Sha256,
                v::SHA256_MSG,
                v::SHA256_DIGEST,
            )
        },
    },
    Kat {
        name: "SHA-384",
        run: |be| {
            digest(
                be,
                "SHA-384",
                HashAlg::Sha384,
                v::SHA384_MSG,
                v::SHA384_DIGEST,
            )
        },
    },
    Kat {
        name: "SHA-512",
        run: |be| {
            digest(
                be,
                "SHA-512",
                HashAlg::Sha512,
                v::SHA512_MSG,
                v::SHA512_DIGEST,
            )
        },
    },
    Kat {
        name: "SHA3-256",
        run: |be| {
            digest(
                be,
                "SHA3-256",
                HashAlg::Sha3_256,
                v::SHA3_256_MSG,
                v::SHA3_256_DIGEST,
            )
        },
    },
    Kat {
        name: "HMAC-SHA-256",
        run: |be| hmac(be, "HMAC-SHA-256", HashAlg::Sha256, v::HMAC_SHA256_MAC),
    },
    Kat {
        name: "HMAC-SHA-384",
        run: |be| hmac(be, "HMAC-SHA-384", HashAlg::Sha384, v::HMAC_SHA384_MAC),
    },
    Kat {
        name: "HMAC-SHA-512",
        run: |be| hmac(be, "HMAC-SHA-512", HashAlg::Sha512, v::HMAC_SHA512_MAC),
    },
    Kat {
        name: "AES-GCM",
        run: aes_gcm,
    },
    Kat {
        name: "AES-CBC",
        run: aes_cbc,
    },
    Kat {
        name: "AES-CTR",
        run: aes_ctr,
    },
    Kat {
        name: "RSA",
        run: rsa,
    },
    Kat {
        name: "ECDSA",
        run: ecdsa,
    },
    Kat {
        name: "ML-DSA",
        run: ml_dsa,
    },
    Kat {
        name: "ML-KEM",
        run: ml_kem,
    },
    Kat {
        name: "RNG",
        run: rng,
    },
    Kat {
        name: "DRBG",
        run: drbg,
    },
];

/// The expected value of a KAT, corrupted when a test asked for a fault in it.
fn expected(kat: &str, value: &[u8]) -> Vec<u8> {
    let mut v = value.to_vec();
    if crate::status::fault::injected(kat)
        && let Some(b) = v.last_mut()
    {
        *b ^= 1;
    }
    v
}

fn compare(kat: &str, got: &[u8], want: &[u8]) -> Result<()> {
    if got == expected(kat, want).as_slice() {
        Ok(())
    } else {
        Err(Error::general(format!(
            "{kat}: output differs from the known answer"
        )))
    }
}

fn digest(be: &Provider, kat: &str, alg: HashAlg, msg: &[u8], md: &[u8]) -> Result<()> {
    let mut d = be.digest(alg)?;
    d.update(msg);
    compare(kat, &d.finish(), md)
}

fn hmac(be: &Provider, kat: &str, alg: HashAlg, mac: &[u8]) -> Result<()> {
    let mut m = be.hmac(alg, v::HMAC_KEY)?;
    m.update(v::HMAC_MSG);
    compare(kat, &m.finish(), mac)
}

/// Encrypts and decrypts one vector with a mode.
fn cipher(
    be: &Provider,
    kat: &str,
    mode: CipherMode,
    key: &[u8],
    pt: &[u8],
    ct: &[u8],
) -> Result<()> {
    let run = |dir: Direction, input: &[u8]| -> Result<Vec<u8>> {
        let mut c = be.cipher(&mode, key, dir)?;
        let mut out = c.update(input)?;
        out.extend_from_slice(&c.finish()?);
        Ok(out)
    };
    compare(kat, &run(Direction::Encrypt, pt)?, ct)?;
    compare(kat, &run(Direction::Decrypt, ct)?, pt)
}

fn aes_gcm(be: &Provider) -> Result<()> {
    let mode = CipherMode::Gcm {
        iv: v::AES_GCM_IV.to_vec(),
        aad: v::AES_GCM_AAD.to_vec(),
        tag_len: v::AES_GCM_TAG.len(),
    };
    let sealed = [v::AES_GCM_CT, v::AES_GCM_TAG].concat();
    cipher(be, "AES-GCM", mode, v::AES_GCM_KEY, v::AES_GCM_PT, &sealed)
}

fn aes_cbc(be: &Provider) -> Result<()> {
    let iv = v::AES_CBC_IV
        .try_into()
        .map_err(|_| Error::general("AES-CBC IV length"))?;
    cipher(
        be,
        "AES-CBC",
        CipherMode::Cbc { iv },
        v::AES_CBC_KEY,
        v::AES_CBC_PT,
        v::AES_CBC_CT,
    )
}

fn aes_ctr(be: &Provider) -> Result<()> {
    let block = v::AES_CTR_INIT_COUNTER
        .try_into()
        .map_err(|_| Error::general("AES-CTR block length"))?;
    let mode = CipherMode::Ctr {
        block,
        counter_bits: 128,
    };
    cipher(
        be,
        "AES-CTR",
        mode,
        v::AES_CTR_KEY,
        v::AES_CTR_PT,
        v::AES_CTR_CT,
    )
}

fn rsa(be: &Provider) -> Result<()> {
    let parts = RsaPrivateParts {
        n: v::RSA2048_N.to_vec(),
        e: v::RSA2048_E.to_vec(),
        d: v::RSA2048_D.to_vec(),
        p: v::RSA2048_P.to_vec(),
        q: v::RSA2048_Q.to_vec(),
        dp: v::RSA2048_DP.to_vec(),
        dq: v::RSA2048_DQ.to_vec(),
        qinv: v::RSA2048_QINV.to_vec(),
    };
    let scheme = SignScheme::RsaPkcs1 {
        hash: Some(HashAlg::Sha256),
    };
    let key = be.keys.rsa_private(&parts)?;
    let sig = key.sign(
        &scheme,
        SignInput::Message(v::RSA2048_MSG),
        &BackendEntropy(be),
    )?;
    compare("RSA", &sig, v::RSA2048_SHA256_SIG)?;
    be.keys
        .rsa_public(&parts.public())?
        .verify(&scheme, SignInput::Message(v::RSA2048_MSG), &sig)
}

fn ecdsa(be: &Provider) -> Result<()> {
    let key = be.keys.ec_public(&EcPublicParts {
        curve: Curve::P256,
        point: v::ECDSA_P256_Q_UNCOMPRESSED.to_vec(),
    })?;
    let sig = expected(
        "ECDSA",
        &[v::ECDSA_P256_SHA256_R, v::ECDSA_P256_SHA256_S].concat(),
    );
    key.verify(
        &SignScheme::Ecdsa {
            hash: Some(HashAlg::Sha256),
        },
        SignInput::Message(v::ECDSA_P256_MSG),
        &sig,
    )
}

fn ml_dsa(be: &Provider) -> Result<()> {
    let pair = be
        .keys
        .ml_dsa_generate(MlDsaSet::MlDsa44, v::ML_DSA_44_KEYGEN_SEED)?;
    compare("ML-DSA", &pair.public, v::ML_DSA_44_KEYGEN_PK)?;
    debug_assert!(
        v::ML_DSA_44_CTX.is_empty(),
        "the verify KAT uses the empty context"
    );
    let sig = expected("ML-DSA", v::ML_DSA_44_SIG);
    let scheme = SignScheme::MlDsa {
        context: Vec::new(),
        hedge: Hedge::Hedged,
    };
    be.keys
        .ml_dsa_public(MlDsaSet::MlDsa44, v::ML_DSA_44_PK)?
        .verify(&scheme, SignInput::Message(v::ML_DSA_44_MSG), &sig)
}

fn ml_kem(be: &Provider) -> Result<()> {
    let ss = be
        .keys
        .ml_kem_private(MlKemSet::MlKem768, v::ML_KEM_768_DK)?
        .decapsulate(v::ML_KEM_768_CT)?;
    compare("ML-KEM", &ss, v::ML_KEM_768_SS)
}

/// The entropy health tests must trip on a stuck and on a biased source, pass on the
/// backend's real source (SP 800-90B 4.3 start-up test, 1024 samples), and the output test
/// must trip on a repeated block.
fn rng(be: &Provider) -> Result<()> {
    let fail = |what: &str| Err(Error::general(format!("RNG: health test {what}")));
    let stuck_len = if crate::status::fault::injected("RNG") {
        RCT_CUTOFF - 1
    } else {
        RCT_CUTOFF
    };
    if EntropyHealth::default()
        .check(&vec![0x5a; stuck_len])
        .is_ok()
    {
        return fail("missed a stuck source");
    }
    let biased: Vec<u8> = (0..APT_WINDOW)
        .map(|i| if i % 4 == 3 { i as u8 } else { 0x33 })
        .collect();
    if EntropyHealth::default().check(&biased).is_ok() {
        return fail("missed a biased source");
    }
    let mut out = OutputHealth::default();
    if out.check(&[7; 32]).is_err() || out.check(&[7; 32]).is_ok() {
        return fail("missed a repeated output block");
    }
    let mut samples = vec![0u8; 1024];
    be.entropy(&mut samples)?;
    EntropyHealth::default()
        .check(&samples)
        .or_else(|_| fail("failed on the entropy source at start-up"))
}

/// CAVP HMAC_DRBG (no reseed): instantiate, generate and discard, generate and compare.
fn drbg(be: &Provider) -> Result<()> {
    let mut d = HmacDrbg::instantiate(
        be,
        v::HMAC_DRBG_ENTROPY,
        v::HMAC_DRBG_NONCE,
        v::HMAC_DRBG_PERS,
    )?;
    let mut out = vec![0u8; v::HMAC_DRBG_RETURNED_BITS.len()];
    d.generate(be, &mut out, v::HMAC_DRBG_ADDITIONAL_INPUT_1, |_| Ok(()))?;
    d.generate(be, &mut out, v::HMAC_DRBG_ADDITIONAL_INPUT_2, |_| Ok(()))?;
    compare("DRBG", &out, v::HMAC_DRBG_RETURNED_BITS)
}

/// Randomness for the RSA KAT's blinding, straight from the backend's entropy source (the
/// DRBG is instantiated only after the self-tests pass).
struct BackendEntropy<'a>(&'a Provider);

impl crate::crypto::Rng for BackendEntropy<'_> {
    fn fill(&self, buf: &mut [u8]) -> Result<()> {
        self.0.entropy(buf)
    }
}
