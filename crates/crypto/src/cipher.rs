//! Symmetric cipher modes as streams: what PKCS#11 multi-part encryption needs. Output is
//! produced as input arrives (whole blocks for block modes, every byte for CTR); the only
//! things held back are a partial block, the last block of a padded decryption, and — for
//! GCM decryption — the ciphertext until its tag is verified.
//!
//! Backends supply the mode primitives (their own CBC, CTR, ...); the buffering and padding
//! rules, which are the same for every backend, live here.

use crate::error::{Error, Result};
use zeroize::Zeroizing;

pub const AES_BLOCK: usize = 16;
/// Triple DES (TDEA) block size.
pub const DES3_BLOCK: usize = 8;

/// A mode and its parameters, as the PKCS#11 mechanism gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CipherMode {
    Ecb,
    Cbc {
        iv: [u8; AES_BLOCK],
    },
    /// CBC with PKCS#7 padding (`CKM_AES_CBC_PAD`).
    CbcPad {
        iv: [u8; AES_BLOCK],
    },
    /// Counter mode: the initial counter block and how many of its low bits count.
    Ctr {
        block: [u8; AES_BLOCK],
        counter_bits: u32,
    },
    /// GCM: IV (1..=256 bytes), additional data, tag length in bytes.
    Gcm {
        iv: Vec<u8>,
        aad: Vec<u8>,
        tag_len: usize,
    },
    /// Three-key Triple DES, ECB (`CKM_DES3_ECB`).
    Des3Ecb,
    /// Three-key Triple DES, CBC; `pad` is PKCS#7 padding (`CKM_DES3_CBC_PAD`).
    Des3Cbc {
        iv: [u8; DES3_BLOCK],
        pad: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Encrypt,
    Decrypt,
}

/// A running encryption or decryption.
pub trait CipherCtx: Send {
    /// Exactly how many bytes `update` with `n` more input bytes returns.
    fn update_len(&self, n: usize) -> usize;
    /// An upper bound on what `finish` returns.
    fn finish_len(&self) -> usize;
    /// An upper bound on what a single-part call over `n` bytes returns (update + finish).
    fn single_len(&self, n: usize) -> usize {
        self.update_len(n) + self.finish_len()
    }
    fn update(&mut self, input: &[u8]) -> Result<Vec<u8>>;
    fn finish(self: Box<Self>) -> Result<Zeroizing<Vec<u8>>>;
    /// A single-part call (`C_Encrypt`/`C_Decrypt`): `update` then `finish`, unless the mode
    /// can do it in one pass without holding the input.
    fn one_shot(mut self: Box<Self>, input: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(self.update(input)?);
        let tail = self.finish()?;
        // A mode that holds its input returns it all at the end: no copy.
        if out.is_empty() {
            return Ok(tail);
        }
        if tail.is_empty() {
            return Ok(out);
        }
        // Room left for the tail (GCM's update leaves room for its tag): appended in place.
        if out.capacity() - out.len() >= tail.len() {
            out.extend_from_slice(&tail);
            crate::wipe(tail);
            return Ok(out);
        }
        // Otherwise joined in a buffer of the final size, so no reallocation leaves a copy
        // unwiped.
        let mut all = Zeroizing::new(Vec::with_capacity(out.len() + tail.len()));
        all.extend_from_slice(&out);
        all.extend_from_slice(&tail);
        crate::wipe(out);
        crate::wipe(tail);
        Ok(all)
    }
}

/// A backend's block-mode primitive: transforms whole blocks in place, keeping its chaining
/// state between calls (ECB or CBC, either direction).
pub trait Blocks: Send {
    fn process(&mut self, data: &mut [u8]);
}

/// ECB, CBC and CBC-PAD over a `Blocks` primitive.
pub struct BlockMode<B: Blocks> {
    blocks: B,
    block: usize,
    buf: Zeroizing<Vec<u8>>,
    pad: bool,
    dir: Direction,
}

impl<B: Blocks> BlockMode<B> {
    /// An AES mode (16-byte blocks).
    pub fn new(blocks: B, pad: bool, dir: Direction) -> Self {
        Self::with_block(blocks, AES_BLOCK, pad, dir)
    }

    /// A mode over a cipher with `block`-byte blocks.
    pub fn with_block(blocks: B, block: usize, pad: bool, dir: Direction) -> Self {
        BlockMode {
            blocks,
            block,
            buf: Zeroizing::new(Vec::new()),
            pad,
            dir,
        }
    }

    /// Bytes ready for output when `total` bytes are buffered.
    fn ready(&self, total: usize) -> usize {
        let b = self.block;
        if self.pad && self.dir == Direction::Decrypt {
            // The last block may carry padding: keep it for finish.
            total.saturating_sub(1) / b * b
        } else {
            total / b * b
        }
    }

    fn len_error(&self) -> Error {
        match self.dir {
            Direction::Encrypt => Error::DataLenRange,
            Direction::Decrypt => Error::EncryptedDataLenRange,
        }
    }
}

impl<B: Blocks> CipherCtx for BlockMode<B> {
    fn update_len(&self, n: usize) -> usize {
        self.ready(self.buf.len() + n)
    }

    fn finish_len(&self) -> usize {
        if self.pad { self.block } else { 0 }
    }

    fn update(&mut self, input: &[u8]) -> Result<Vec<u8>> {
        self.buf.extend_from_slice(input);
        let n = self.ready(self.buf.len());
        let mut out: Vec<u8> = self.buf.drain(..n).collect();
        self.blocks.process(&mut out);
        Ok(out)
    }

    fn finish(mut self: Box<Self>) -> Result<Zeroizing<Vec<u8>>> {
        let mut last = Zeroizing::new(std::mem::take(&mut *self.buf));
        match (self.pad, self.dir) {
            (false, _) if last.is_empty() => Ok(last),
            (false, _) => Err(self.len_error()),
            (true, Direction::Encrypt) => {
                let p = self.block - last.len();
                last.resize(self.block, p as u8);
                self.blocks.process(&mut last);
                Ok(last)
            }
            (true, Direction::Decrypt) => {
                if last.len() != self.block {
                    return Err(self.len_error());
                }
                self.blocks.process(&mut last);
                let n = pkcs7_unpadded_len(&last)?;
                last.truncate(n);
                Ok(last)
            }
        }
    }
}

/// Length of a PKCS#7-padded block without its padding, checked without data-dependent
/// branches over the padding bytes.
fn pkcs7_unpadded_len(block: &[u8]) -> Result<usize> {
    use subtle::{ConstantTimeEq, ConstantTimeGreater, ConstantTimeLess};
    let n = block.len();
    let p = block[n - 1];
    let mut ok = p.ct_gt(&0) & p.ct_lt(&(n as u8 + 1));
    for (i, &b) in block.iter().enumerate() {
        let in_pad = ((n - i) as u8).ct_lt(&p.wrapping_add(1));
        ok &= !in_pad | b.ct_eq(&p);
    }
    if bool::from(ok) {
        Ok(n - p as usize)
    } else {
        Err(Error::EncryptedDataInvalid)
    }
}

/// A backend's keystream primitive for CTR.
pub trait Keystream: Send {
    fn apply(&mut self, data: &mut [u8]);
}

/// CTR over a keystream primitive, refusing to run the counter past its `counter_bits` (the
/// spec leaves wrapping into the nonce undefined; we make it an error).
pub struct CtrMode<K: Keystream> {
    ks: K,
    /// Bytes that may still be processed before the counter would wrap.
    remaining: u128,
}

impl<K: Keystream> CtrMode<K> {
    pub fn new(ks: K, block: &[u8; AES_BLOCK], counter_bits: u32) -> Result<Self> {
        if counter_bits == 0 || counter_bits > 128 {
            return Err(Error::MechanismParamInvalid);
        }
        let value = u128::from_be_bytes(*block);
        // Blocks from this counter value to the last one before wrapping, in bytes.
        let blocks_left = if counter_bits == 128 {
            (u128::MAX - value).saturating_add(1)
        } else {
            let mask = (1u128 << counter_bits) - 1;
            mask - (value & mask) + 1
        };
        let remaining = blocks_left.saturating_mul(AES_BLOCK as u128);
        Ok(CtrMode { ks, remaining })
    }
}

impl<K: Keystream> CipherCtx for CtrMode<K> {
    fn update_len(&self, n: usize) -> usize {
        n
    }
    fn finish_len(&self) -> usize {
        0
    }
    fn update(&mut self, input: &[u8]) -> Result<Vec<u8>> {
        let n = input.len() as u128;
        if n > self.remaining {
            return Err(Error::DataLenRange);
        }
        self.remaining -= n;
        let mut out = input.to_vec();
        self.ks.apply(&mut out);
        Ok(out)
    }
    fn finish(self: Box<Self>) -> Result<Zeroizing<Vec<u8>>> {
        Ok(Zeroizing::new(Vec::new()))
    }
}

/// SP 800-38F size rules for AES key wrap: KW takes at least two 64-bit semiblocks, in
/// whole semiblocks; KWP takes at least one byte. `wrap` says which direction `data` is for.
pub fn check_key_wrap(data: &[u8], pad: bool, wrap: bool) -> Result<()> {
    let ok = match (pad, wrap) {
        (false, true) => data.len() >= 16 && data.len().is_multiple_of(8),
        (false, false) => data.len() >= 24 && data.len().is_multiple_of(8),
        (true, true) => !data.is_empty(),
        (true, false) => data.len() >= 16 && data.len().is_multiple_of(8),
    };
    if ok {
        Ok(())
    } else if wrap {
        Err(Error::DataLenRange)
    } else {
        Err(Error::EncryptedDataLenRange)
    }
}

/// The most a cipher holds back until `finish` — GCM decryption keeps its ciphertext until
/// the tag is checked, a one-shot AEAD keeps everything: the same bound for every provider
/// (as much as one call may hand over, `limits::MAX_BUFFER_LEN` in the core).
pub const MAX_HELD: usize = 1 << 30;

/// Input held back until `finish`, within `MAX_HELD`.
pub struct Held {
    buf: Zeroizing<Vec<u8>>,
    dir: Direction,
}

impl Held {
    pub fn new(dir: Direction) -> Held {
        Held {
            buf: Zeroizing::new(Vec::new()),
            dir,
        }
    }

    pub fn push(&mut self, input: &[u8]) -> Result<()> {
        if self.buf.len().saturating_add(input.len()) > MAX_HELD {
            return Err(match self.dir {
                Direction::Encrypt => Error::DataLenRange,
                Direction::Decrypt => Error::EncryptedDataLenRange,
            });
        }
        self.buf.extend_from_slice(input);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Everything held, leaving nothing.
    pub fn take(&mut self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(std::mem::take(&mut *self.buf))
    }
}

/// Checks GCM parameters against SP 800-38D and the PKCS#11 limits: IV of 1 to 256 bytes,
/// tag of 4, 8 or 12 to 16 bytes.
pub fn check_gcm(iv: &[u8], tag_len: usize) -> Result<()> {
    let tag_ok = matches!(tag_len, 4 | 8 | 12..=16);
    if iv.is_empty() || iv.len() > 256 || !tag_ok {
        return Err(Error::MechanismParamInvalid);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs7() {
        let mut b = [0u8; 16];
        b[15] = 1;
        assert_eq!(pkcs7_unpadded_len(&b).unwrap(), 15);
        let b = [16u8; 16];
        assert_eq!(pkcs7_unpadded_len(&b).unwrap(), 0);
        let mut b = [3u8; 16];
        b[13] = 2;
        assert!(pkcs7_unpadded_len(&b).is_err());
        let b = [0u8; 16];
        assert!(pkcs7_unpadded_len(&b).is_err());
        let b = [17u8; 16];
        assert!(pkcs7_unpadded_len(&b).is_err());
    }

    struct Xor;
    impl Keystream for Xor {
        fn apply(&mut self, d: &mut [u8]) {
            d.iter_mut().for_each(|b| *b ^= 0xff);
        }
    }

    #[test]
    fn ctr_counter_limit() {
        let mut block = [0u8; 16];
        block[15] = 0xfe;
        // 8 counter bits at 0xfe: two blocks left.
        let mut c = CtrMode::new(Xor, &block, 8).unwrap();
        assert!(c.update(&[0u8; 20]).is_ok());
        assert!(c.update(&[0u8; 12]).is_ok());
        assert_eq!(c.update(&[0u8; 1]).unwrap_err(), Error::DataLenRange);
        assert!(CtrMode::new(Xor, &block, 0).is_err());
        assert!(CtrMode::new(Xor, &block, 129).is_err());
        // A full 128-bit counter two blocks before the end: exactly 32 bytes.
        let last_but_one = (u128::MAX - 1).to_be_bytes();
        let mut c = CtrMode::new(Xor, &last_but_one, 128).unwrap();
        assert!(c.update(&[0u8; 32]).is_ok());
        assert_eq!(c.update(&[0u8; 1]).unwrap_err(), Error::DataLenRange);
    }

    struct Id;
    impl Blocks for Id {
        fn process(&mut self, _: &mut [u8]) {}
    }

    #[test]
    fn padded_decrypt_holds_back_the_last_block() {
        let m = BlockMode::new(Id, true, Direction::Decrypt);
        assert_eq!(m.update_len(16), 0);
        assert_eq!(m.update_len(17), 16);
        assert_eq!(m.update_len(32), 16);
        let e = BlockMode::new(Id, true, Direction::Encrypt);
        assert_eq!(e.update_len(16), 16);
        assert_eq!(e.update_len(15), 0);
    }
}
