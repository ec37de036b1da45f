//! AES modes, CMAC and key wrap over the RustCrypto crates (`aes`, `cbc`, `ctr`, `ghash`,
//! `cmac`, `aes-kw`). GCM is assembled from the `ctr` and `ghash` crates as SP 800-38D
//! defines it, because `aes-gcm` fixes IV and tag sizes at compile time and cannot stream.

use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, BlockSizeUser,
    InnerIvInit, KeyInit, KeyIvInit, StreamCipher,
};
use craton_hsm_crypto::Mac;
use craton_hsm_crypto::cipher::{
    AES_BLOCK, BlockMode, Blocks, CipherCtx, CipherMode, CtrMode, Direction, Held, Keystream,
    check_gcm, check_key_wrap,
};
use craton_hsm_crypto::error::{Error, Result};
use ghash::universal_hash::UniversalHash;
use zeroize::Zeroizing;

/// Runs `$body` with `$A` bound to the AES type for a key length.
macro_rules! with_aes {
    ($key:expr, $A:ident => $body:expr) => {
        match $key.len() {
            16 => {
                type $A = aes::Aes128;
                $body
            }
            24 => {
                type $A = aes::Aes192;
                $body
            }
            32 => {
                type $A = aes::Aes256;
                $body
            }
            _ => Err(Error::KeySizeRange),
        }
    };
}

type Block = aes::Block;

fn blocks_of(data: &mut [u8]) -> impl Iterator<Item = &mut Block> {
    data.chunks_exact_mut(AES_BLOCK)
        .map(|c| <&mut Block>::try_from(c).expect("whole blocks"))
}

/// AES, as the generic code below sees it.
trait Aes:
    BlockCipherEncrypt
    + BlockCipherDecrypt
    + BlockSizeUser<BlockSize = U16>
    + KeyInit
    + Clone
    + Send
    + 'static
{
}
impl<A> Aes for A where
    A: BlockCipherEncrypt
        + BlockCipherDecrypt
        + BlockSizeUser<BlockSize = U16>
        + KeyInit
        + Clone
        + Send
        + 'static
{
}

struct EcbEnc<A>(A);
struct EcbDec<A>(A);
struct CbcEnc<A: Aes>(cbc::Encryptor<A>);
struct CbcDec<A: Aes>(cbc::Decryptor<A>);

impl<A: Aes> Blocks for EcbEnc<A> {
    fn process(&mut self, data: &mut [u8]) {
        blocks_of(data).for_each(|b| BlockCipherEncrypt::encrypt_block(&self.0, b));
    }
}
impl<A: Aes> Blocks for EcbDec<A> {
    fn process(&mut self, data: &mut [u8]) {
        blocks_of(data).for_each(|b| BlockCipherDecrypt::decrypt_block(&self.0, b));
    }
}
impl<A: Aes> Blocks for CbcEnc<A> {
    fn process(&mut self, data: &mut [u8]) {
        blocks_of(data).for_each(|b| BlockModeEncrypt::encrypt_block(&mut self.0, b));
    }
}
impl<A: Aes> Blocks for CbcDec<A> {
    fn process(&mut self, data: &mut [u8]) {
        blocks_of(data).for_each(|b| BlockModeDecrypt::decrypt_block(&mut self.0, b));
    }
}

struct Ctr<C>(C);
impl<C: StreamCipher + Send> Keystream for Ctr<C> {
    fn apply(&mut self, data: &mut [u8]) {
        self.0.apply_keystream(data);
    }
}

pub(crate) fn cipher(mode: &CipherMode, key: &[u8], dir: Direction) -> Result<Box<dyn CipherCtx>> {
    let bad = |_| Error::KeySizeRange;
    with_aes!(key, A => Ok(match (mode, dir) {
        (CipherMode::Ecb, Direction::Encrypt) => Box::new(BlockMode::new(EcbEnc(A::new_from_slice(key).map_err(bad)?), false, dir)),
        (CipherMode::Ecb, Direction::Decrypt) => Box::new(BlockMode::new(EcbDec(A::new_from_slice(key).map_err(bad)?), false, dir)),
        (CipherMode::Cbc { iv } | CipherMode::CbcPad { iv }, Direction::Encrypt) => {
            let pad = matches!(mode, CipherMode::CbcPad { .. });
            let c = cbc::Encryptor::<A>::new_from_slices(key, iv).map_err(bad)?;
            Box::new(BlockMode::new(CbcEnc(c), pad, dir))
        }
        (CipherMode::Cbc { iv } | CipherMode::CbcPad { iv }, Direction::Decrypt) => {
            let pad = matches!(mode, CipherMode::CbcPad { .. });
            let c = cbc::Decryptor::<A>::new_from_slices(key, iv).map_err(bad)?;
            Box::new(BlockMode::new(CbcDec(c), pad, dir))
        }
        (CipherMode::Ctr { block, counter_bits }, _) => {
            let c = ctr::Ctr128BE::<A>::new_from_slices(key, block).map_err(bad)?;
            Box::new(CtrMode::new(Ctr(c), block, *counter_bits)?)
        }
        (CipherMode::Gcm { iv, aad, tag_len }, _) => {
            check_gcm(iv, *tag_len)?;
            let cipher = A::new_from_slice(key).map_err(bad)?;
            Box::new(Gcm::new(cipher, iv, aad, *tag_len, dir)?)
        }
        (CipherMode::Des3Ecb | CipherMode::Des3Cbc { .. }, _) => return Err(Error::MechanismInvalid),
    }))
}

/// GHASH over a stream of bytes: whole blocks as they come, the remainder zero-padded at the
/// end of each section (AAD, then ciphertext).
struct Ghash {
    h: ghash::GHash,
    partial: Vec<u8>,
}

impl Ghash {
    fn new(key: &Block) -> Self {
        Ghash {
            h: ghash::GHash::new(key),
            partial: Vec::new(),
        }
    }
    fn feed(&mut self, mut data: &[u8]) {
        if !self.partial.is_empty() {
            let take = (AES_BLOCK - self.partial.len()).min(data.len());
            self.partial.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.partial.len() == AES_BLOCK {
                self.h.update_padded(&self.partial);
                self.partial.clear();
            }
        }
        let whole = data.len() / AES_BLOCK * AES_BLOCK;
        self.h.update_padded(&data[..whole]);
        self.partial.extend_from_slice(&data[whole..]);
    }
    fn end_section(&mut self) {
        self.h.update_padded(&self.partial);
        self.partial.clear();
    }
}

/// AES-GCM (SP 800-38D): CTR with a 32-bit counter from inc32(J0), GHASH, and the tag
/// E(K, J0) ⊕ S truncated to `tag_len`.
struct Gcm<A: Aes> {
    cipher: A,
    j0: Block,
    ctr: ctr::Ctr32BE<A>,
    ghash: Ghash,
    aad_len: u64,
    ct_len: u64,
    tag_len: usize,
    dir: Direction,
    /// Decryption keeps everything until the tag is checked.
    held: Held,
}

impl<A: Aes> Gcm<A> {
    fn new(cipher: A, iv: &[u8], aad: &[u8], tag_len: usize, dir: Direction) -> Result<Self> {
        let mut h = Block::default();
        cipher.encrypt_block(&mut h);
        let j0 = if iv.len() == 12 {
            let mut j = Block::default();
            j[..12].copy_from_slice(iv);
            j[15] = 1;
            j
        } else {
            let mut g = Ghash::new(&h);
            g.feed(iv);
            g.end_section();
            let mut lens = [0u8; 16];
            lens[8..].copy_from_slice(&((iv.len() as u64) * 8).to_be_bytes());
            g.feed(&lens);
            g.h.finalize()
        };
        let mut counter = j0;
        let c = u32::from_be_bytes(counter[12..].try_into().expect("4 bytes")).wrapping_add(1);
        counter[12..].copy_from_slice(&c.to_be_bytes());
        let core =
            ctr::CtrCore::<A, ctr::flavors::Ctr32BE>::inner_iv_init(cipher.clone(), &counter);
        let ctr = ctr::Ctr32BE::<A>::from_core(core);
        let mut ghash = Ghash::new(&h);
        ghash.feed(aad);
        ghash.end_section();
        Ok(Gcm {
            cipher,
            j0,
            ctr,
            ghash,
            aad_len: aad.len() as u64,
            ct_len: 0,
            tag_len,
            dir,
            held: Held::new(dir),
        })
    }

    fn tag(mut self) -> Vec<u8> {
        self.ghash.end_section();
        let mut lens = [0u8; 16];
        lens[..8].copy_from_slice(&(self.aad_len * 8).to_be_bytes());
        lens[8..].copy_from_slice(&(self.ct_len * 8).to_be_bytes());
        self.ghash.feed(&lens);
        let s = self.ghash.h.finalize();
        let mut t = self.j0;
        self.cipher.encrypt_block(&mut t);
        t.iter()
            .zip(s.iter())
            .take(self.tag_len)
            .map(|(a, b)| a ^ b)
            .collect()
    }
}

/// Most data one GCM invocation may process (SP 800-38D: 2^39 - 256 bits).
const GCM_MAX_BYTES: u64 = (1 << 36) - 32;

impl<A: Aes> CipherCtx for Gcm<A> {
    fn update_len(&self, n: usize) -> usize {
        match self.dir {
            Direction::Encrypt => n,
            Direction::Decrypt => 0,
        }
    }

    fn finish_len(&self) -> usize {
        match self.dir {
            Direction::Encrypt => self.tag_len,
            Direction::Decrypt => self.held.len().saturating_sub(self.tag_len),
        }
    }

    fn single_len(&self, n: usize) -> usize {
        match self.dir {
            Direction::Encrypt => n + self.tag_len,
            Direction::Decrypt => (self.held.len() + n).saturating_sub(self.tag_len),
        }
    }

    fn update(&mut self, input: &[u8]) -> Result<Vec<u8>> {
        match self.dir {
            Direction::Encrypt => {
                self.ct_len += input.len() as u64;
                if self.ct_len > GCM_MAX_BYTES {
                    return Err(Error::DataLenRange);
                }
                // Room for the tag, so a single-part C_Encrypt appends it without a copy.
                let mut out = Vec::with_capacity(input.len() + self.tag_len);
                out.extend_from_slice(input);
                self.ctr.apply_keystream(&mut out);
                self.ghash.feed(&out);
                Ok(out)
            }
            Direction::Decrypt => {
                self.held.push(input)?;
                Ok(Vec::new())
            }
        }
    }

    fn finish(mut self: Box<Self>) -> Result<Zeroizing<Vec<u8>>> {
        match self.dir {
            Direction::Encrypt => Ok(Zeroizing::new(self.tag())),
            Direction::Decrypt => {
                if self.held.len() < self.tag_len {
                    return Err(Error::EncryptedDataLenRange);
                }
                let mut pt = self.held.take();
                let ct_len = pt.len() - self.tag_len;
                let expected = pt.split_off(ct_len);
                self.ghash.feed(&pt);
                self.ct_len = pt.len() as u64;
                self.ctr.apply_keystream(&mut pt);
                let computed = (*self).tag();
                if bool::from(subtle::ConstantTimeEq::ct_eq(&computed[..], &expected[..])) {
                    Ok(pt)
                } else {
                    craton_hsm_crypto::wipe(pt);
                    Err(Error::EncryptedDataInvalid)
                }
            }
        }
    }
}

struct CmacCtx<A: Aes>(cmac::Cmac<A>);

impl<A: Aes> Mac for CmacCtx<A> {
    fn update(&mut self, data: &[u8]) {
        cmac::Mac::update(&mut self.0, data);
    }
    fn finish(self: Box<Self>) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(cmac::Mac::finalize(self.0).into_bytes().to_vec())
    }
}

pub(crate) fn cmac(key: &[u8]) -> Result<Box<dyn Mac>> {
    with_aes!(key, A => {
        let m = <cmac::Cmac<A> as KeyInit>::new_from_slice(key).map_err(|_| Error::KeySizeRange)?;
        Ok(Box::new(CmacCtx(m)) as Box<dyn Mac>)
    })
}

pub(crate) fn key_wrap(key: &[u8], data: &[u8], pad: bool) -> Result<Vec<u8>> {
    check_key_wrap(data, pad, true)?;
    let mut out = vec![0u8; data.len() + 16];
    let bad = |_| Error::DataLenRange;
    let n = with_aes!(key, A => {
        if pad {
            let kw = aes_kw::AesKwp::<A>::new_from_slice(key).map_err(|_| Error::KeySizeRange)?;
            kw.wrap_key(data, &mut out).map(<[u8]>::len).map_err(bad)
        } else {
            let kw = aes_kw::AesKw::<A>::new_from_slice(key).map_err(|_| Error::KeySizeRange)?;
            kw.wrap_key(data, &mut out).map(<[u8]>::len).map_err(bad)
        }
    })?;
    out.truncate(n);
    Ok(out)
}

pub(crate) fn key_unwrap(key: &[u8], data: &[u8], pad: bool) -> Result<Zeroizing<Vec<u8>>> {
    check_key_wrap(data, pad, false)?;
    let mut out = Zeroizing::new(vec![0u8; data.len()]);
    let bad = |_| Error::EncryptedDataInvalid;
    let n = with_aes!(key, A => {
        if pad {
            let kw = aes_kw::AesKwp::<A>::new_from_slice(key).map_err(|_| Error::KeySizeRange)?;
            kw.unwrap_key(data, &mut out).map(<[u8]>::len).map_err(bad)
        } else {
            let kw = aes_kw::AesKw::<A>::new_from_slice(key).map_err(|_| Error::KeySizeRange)?;
            kw.unwrap_key(data, &mut out).map(<[u8]>::len).map_err(bad)
        }
    })?;
    out.truncate(n);
    Ok(out)
}
