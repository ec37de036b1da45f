//! AES modes, CMAC and key wrap over aws-lc-rs. ECB and CBC run through aws-lc's own modes
//! block-run by block-run (CBC carries the last ciphertext block as the next IV), CTR through
//! its streaming key; GCM is aws-lc's one-shot AEAD (96-bit IV, 128-bit tag), so it is
//! buffered until the final call.

use aws_lc_rs::cipher::{
    AES_128, AES_192, AES_256, DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext,
    StreamingEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::{aead, cmac, key_wrap};
use craton_hsm_crypto::Mac;
use craton_hsm_crypto::cipher::{
    AES_BLOCK, BlockMode, Blocks, CipherCtx, CipherMode, CtrMode, Direction, Held, Keystream,
    check_key_wrap,
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
    })
}

/// AES-GCM through aws-lc's AEAD: 96-bit IVs and full 128-bit tags only.
struct Gcm {
    key: aead::LessSafeKey,
    nonce: [u8; aead::NONCE_LEN],
    aad: Vec<u8>,
    dir: Direction,
    held: Held,
}

impl Gcm {
    fn new(key: &[u8], iv: &[u8], aad: &[u8], tag_len: usize, dir: Direction) -> Result<Self> {
        if tag_len != aead::MAX_TAG_LEN {
            return Err(Error::MechanismParamInvalid);
        }
        let nonce: [u8; aead::NONCE_LEN] =
            iv.try_into().map_err(|_| Error::MechanismParamInvalid)?;
        let alg = match key.len() {
            16 => &aead::AES_128_GCM,
            24 => &aead::AES_192_GCM,
            32 => &aead::AES_256_GCM,
            _ => return Err(Error::KeySizeRange),
        };
        let key = aead::UnboundKey::new(alg, key).map_err(|_| Error::KeySizeRange)?;
        Ok(Gcm {
            key: aead::LessSafeKey::new(key),
            nonce,
            aad: aad.to_vec(),
            dir,
            held: Held::new(dir),
        })
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
            Direction::Encrypt => self.held.len() + n + aead::MAX_TAG_LEN,
            Direction::Decrypt => (self.held.len() + n).saturating_sub(aead::MAX_TAG_LEN),
        }
    }
    fn update(&mut self, input: &[u8]) -> Result<Vec<u8>> {
        self.held.push(input)?;
        Ok(Vec::new())
    }
    fn finish(mut self: Box<Self>) -> Result<Zeroizing<Vec<u8>>> {
        let nonce = aead::Nonce::assume_unique_for_key(self.nonce);
        let aad = aead::Aad::from(self.aad.as_slice());
        let mut buf = self.held.take();
        match self.dir {
            Direction::Encrypt => {
                self.key
                    .seal_in_place_append_tag(nonce, aad, &mut *buf)
                    .map_err(fail)?;
                Ok(buf)
            }
            Direction::Decrypt => {
                if buf.len() < aead::MAX_TAG_LEN {
                    return Err(Error::EncryptedDataLenRange);
                }
                let n = self
                    .key
                    .open_in_place(nonce, aad, &mut buf[..])
                    .map_err(|_| Error::EncryptedDataInvalid)?
                    .len();
                buf.truncate(n);
                Ok(buf)
            }
        }
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

fn kek(key: &[u8]) -> Result<key_wrap::AesKek> {
    let cipher = match key.len() {
        16 => &key_wrap::AES_128,
        32 => &key_wrap::AES_256,
        // aws-lc-rs wraps with AES-128 and AES-256 keys only.
        _ => return Err(Error::KeySizeRange),
    };
    key_wrap::AesKek::new(cipher, key).map_err(|_| Error::KeySizeRange)
}

pub(crate) fn key_wrap(key: &[u8], data: &[u8], pad: bool) -> Result<Vec<u8>> {
    use key_wrap::{KeyWrap, KeyWrapPadded};
    check_key_wrap(data, pad, true)?;
    let mut out = vec![0u8; data.len() + 16];
    let n = if pad {
        kek(key)?.wrap_with_padding(data, &mut out)
    } else {
        kek(key)?.wrap(data, &mut out)
    }
    .map_err(|_| Error::DataLenRange)?
    .len();
    out.truncate(n);
    Ok(out)
}

pub(crate) fn key_unwrap(key: &[u8], data: &[u8], pad: bool) -> Result<Zeroizing<Vec<u8>>> {
    use key_wrap::{KeyWrap, KeyWrapPadded};
    check_key_wrap(data, pad, false)?;
    let mut out = Zeroizing::new(vec![0u8; data.len()]);
    let n = if pad {
        kek(key)?.unwrap_with_padding(data, &mut out)
    } else {
        kek(key)?.unwrap(data, &mut out)
    }
    .map_err(|_| Error::EncryptedDataInvalid)?
    .len();
    out.truncate(n);
    Ok(out)
}
