//! AES modes and CMAC over aws-lc-rs; GCM, key wrap and Triple DES over AWS-LC's C API (`ffi`). ECB and CBC
//! run through aws-lc's own modes block-run by block-run (CBC carries the last ciphertext block
//! as the next IV), CTR through its streaming key; GCM is AWS-LC's one-shot AEAD (any IV
//! length, the SP 800-38D tag lengths), so it is buffered until the final call.

use crate::ffi;
use aws_lc_rs::cipher::{
    AES_128, AES_192, AES_256, DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext,
    StreamingEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::cmac;
use craton_hsm_crypto::Mac;
use craton_hsm_crypto::cipher::{
    AES_BLOCK, BlockMode, Blocks, CipherCtx, CipherMode, CtrMode, DES3_BLOCK, Direction, Held,
    Keystream, check_gcm, check_key_wrap,
};
use craton_hsm_crypto::error::{Error, Result};
use zeroize::Zeroizing;

fn unbound(key: &[u8]) -> Result<UnboundCipherKey> {
    let alg = match key.len() {
        16 => &AES_128,
        24 => &AES_192,
        32 => &AES_256,
        _ => return Err(Error::KeySizeRange),
    };
    UnboundCipherKey::new(alg, key).map_err(|_| Error::KeySizeRange)
}

fn fail(_: aws_lc_rs::error::Unspecified) -> Error {
    Error::general("AES operation")
}

/// ECB or CBC in one direction, chaining across calls.
struct AwsBlocks {
    enc: Option<EncryptingKey>,
    dec: Option<DecryptingKey>,
    /// CBC: the IV for the next run of blocks. ECB: none.
    iv: Option<[u8; AES_BLOCK]>,
}

impl Blocks for AwsBlocks {
    fn process(&mut self, data: &mut [u8]) {
        if data.is_empty() {
            return;
        }
        let last: [u8; AES_BLOCK] = data[data.len() - AES_BLOCK..]
            .try_into()
            .expect("whole blocks");
        let dctx = || match self.iv {
            Some(iv) => DecryptionContext::Iv128(iv.into()),
            None => DecryptionContext::None,
        };
        let ectx = match self.iv {
            Some(iv) => EncryptionContext::Iv128(iv.into()),
            None => EncryptionContext::None,
        };
        // The trait cannot fail; aws-lc fails here only on programming errors (wrong lengths),
        // which the block buffering rules out.
        if let Some(k) = &self.enc {
            k.less_safe_encrypt(data, ectx)
                .expect("AES block encryption");
            if self.iv.is_some() {
                self.iv = Some(
                    data[data.len() - AES_BLOCK..]
                        .try_into()
                        .expect("whole blocks"),
                );
            }
        } else if let Some(k) = &self.dec {
            k.decrypt(data, dctx()).expect("AES block decryption");
            if self.iv.is_some() {
                self.iv = Some(last);
            }
        }
    }
}

/// Triple DES (legacy, default mode only) through AWS-LC's C API, chaining across calls.
struct Tdes(ffi::Des3);

impl Blocks for Tdes {
    fn process(&mut self, data: &mut [u8]) {
        // Whole blocks into a set-up context, in runs AWS-LC's `int` lengths hold (the
        // context chains CBC across them): it fails only on an internal error.
        for run in data.chunks_mut(1 << 20) {
            self.0.process(run).expect("Triple DES block run");
        }
    }
}

struct AwsCtr(StreamingEncryptingKey);

impl Keystream for AwsCtr {
    fn apply(&mut self, data: &mut [u8]) {
        let mut out = vec![0u8; data.len() + AES_BLOCK];
        let n = self
            .0
            .update(data, &mut out)
            .expect("AES-CTR")
            .written()
            .len();
        debug_assert_eq!(n, data.len(), "CTR is a stream: output as long as input");
        data.copy_from_slice(&out[..data.len()]);
    }
}

pub(crate) fn cipher(mode: &CipherMode, key: &[u8], dir: Direction) -> Result<Box<dyn CipherCtx>> {
    let blocks = |iv: Option<[u8; AES_BLOCK]>, cbc: bool| -> Result<AwsBlocks> {
        let (enc, dec) = match (dir, cbc) {
            (Direction::Encrypt, false) => {
                (Some(EncryptingKey::ecb(unbound(key)?).map_err(fail)?), None)
            }
            (Direction::Encrypt, true) => {
                (Some(EncryptingKey::cbc(unbound(key)?).map_err(fail)?), None)
            }
            (Direction::Decrypt, false) => {
                (None, Some(DecryptingKey::ecb(unbound(key)?).map_err(fail)?))
            }
            (Direction::Decrypt, true) => {
                (None, Some(DecryptingKey::cbc(unbound(key)?).map_err(fail)?))
            }
        };
        Ok(AwsBlocks { enc, dec, iv })
    };
    Ok(match mode {
        CipherMode::Ecb => Box::new(BlockMode::new(blocks(None, false)?, false, dir)),
        CipherMode::Cbc { iv } => Box::new(BlockMode::new(blocks(Some(*iv), true)?, false, dir)),
        CipherMode::CbcPad { iv } => Box::new(BlockMode::new(blocks(Some(*iv), true)?, true, dir)),
        CipherMode::Ctr {
            block,
            counter_bits,
        } => {
            // CTR encryption and decryption are the same keystream.
            let ks = StreamingEncryptingKey::less_safe_ctr(
                unbound(key)?,
                EncryptionContext::Iv128((*block).into()),
            )
            .map_err(fail)?;
            Box::new(CtrMode::new(AwsCtr(ks), block, *counter_bits)?)
        }
        CipherMode::Gcm { iv, aad, tag_len } => Box::new(Gcm::new(key, iv, aad, *tag_len, dir)?),
        CipherMode::Des3Ecb => Box::new(BlockMode::with_block(
            Tdes(ffi::Des3::new(key, None, dir == Direction::Encrypt)?),
            DES3_BLOCK,
            false,
            dir,
        )),
        CipherMode::Des3Cbc { iv, pad } => Box::new(BlockMode::with_block(
            Tdes(ffi::Des3::new(key, Some(iv), dir == Direction::Encrypt)?),
            DES3_BLOCK,
            *pad,
            dir,
        )),
    })
}

/// AES-GCM through AWS-LC's C API (`ffi`): any IV of 1 to 256 bytes and the SP 800-38D tag
/// lengths. One-shot underneath, so the input is held until the final call (and a decryption
/// releases nothing before its tag checks).
struct Gcm {
    key: Zeroizing<Vec<u8>>,
    iv: Vec<u8>,
    aad: Vec<u8>,
    tag_len: usize,
    dir: Direction,
    held: Held,
}

impl Gcm {
    fn new(key: &[u8], iv: &[u8], aad: &[u8], tag_len: usize, dir: Direction) -> Result<Self> {
        check_gcm(iv, tag_len)?;
        if ![16, 24, 32].contains(&key.len()) {
            return Err(Error::KeySizeRange);
        }
        Ok(Gcm {
            key: Zeroizing::new(key.to_vec()),
            iv: iv.to_vec(),
            aad: aad.to_vec(),
            tag_len,
            dir,
            held: Held::new(dir),
        })
    }

    /// The one-shot seal or open over the whole input.
    fn seal_or_open(&self, input: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        match self.dir {
            Direction::Encrypt => {
                ffi::gcm_encrypt(&self.key, &self.iv, &self.aad, input, self.tag_len)
                    .map(Zeroizing::new)
            }
            Direction::Decrypt => {
                ffi::gcm_decrypt(&self.key, &self.iv, &self.aad, input, self.tag_len)
            }
        }
    }
}

impl CipherCtx for Gcm {
    fn update_len(&self, _n: usize) -> usize {
        0
    }
    fn finish_len(&self) -> usize {
        self.single_len(0)
    }
    fn single_len(&self, n: usize) -> usize {
        match self.dir {
            Direction::Encrypt => self.held.len() + n + self.tag_len,
            Direction::Decrypt => (self.held.len() + n).saturating_sub(self.tag_len),
        }
    }
    fn update(&mut self, input: &[u8]) -> Result<Vec<u8>> {
        self.held.push(input)?;
        Ok(Vec::new())
    }
    fn finish(mut self: Box<Self>) -> Result<Zeroizing<Vec<u8>>> {
        let input = self.held.take();
        let out = self.seal_or_open(&input);
        craton_hsm_crypto::wipe(input);
        out
    }
    fn one_shot(self: Box<Self>, input: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if !self.held.is_empty() {
            return Err(Error::OperationActive);
        }
        self.seal_or_open(input)
    }
}

struct CmacCtx(cmac::Context);

impl Mac for CmacCtx {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data).expect("CMAC update");
    }
    fn finish(self: Box<Self>) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.sign().expect("CMAC").as_ref().to_vec())
    }
}

pub(crate) fn cmac(key: &[u8]) -> Result<Box<dyn Mac>> {
    let alg = match key.len() {
        16 => cmac::AES_128,
        24 => cmac::AES_192,
        32 => cmac::AES_256,
        _ => return Err(Error::KeySizeRange),
    };
    let key = cmac::Key::new(alg, key).map_err(|_| Error::KeySizeRange)?;
    Ok(Box::new(CmacCtx(cmac::Context::with_key(&key))))
}

/// AES-KW/KWP (SP 800-38F) with 128-, 192- or 256-bit KEKs, through AWS-LC's C API (aws-lc-rs
/// wraps with 128- and 256-bit KEKs only).
pub(crate) fn key_wrap(key: &[u8], data: &[u8], pad: bool) -> Result<Vec<u8>> {
    check_key_wrap(data, pad, true)?;
    if pad {
        ffi::kwp_wrap(key, data)
    } else {
        ffi::kw_wrap(key, data)
    }
}

pub(crate) fn key_unwrap(key: &[u8], data: &[u8], pad: bool) -> Result<Zeroizing<Vec<u8>>> {
    check_key_wrap(data, pad, false)?;
    if pad {
        ffi::kwp_unwrap(key, data)
    } else {
        ffi::kw_unwrap(key, data)
    }
}
