//! Three-key Triple DES (TDEA, SP 800-67) in ECB and CBC over the `des` and `cbc` crates: a
//! legacy cipher offered for existing keys and scripts, never approved.

use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit,
};
use craton_hsm_crypto::cipher::{BlockMode, Blocks, CipherCtx, CipherMode, DES3_BLOCK, Direction};
use craton_hsm_crypto::error::{Error, Result};
use des::TdesEde3;

type Block = des::cipher::Block<TdesEde3>;

fn blocks_of(data: &mut [u8]) -> impl Iterator<Item = &mut Block> {
    data.chunks_exact_mut(DES3_BLOCK)
        .map(|c| <&mut Block>::try_from(c).expect("whole blocks"))
}

struct EcbEnc(TdesEde3);
struct EcbDec(TdesEde3);
struct CbcEnc(cbc::Encryptor<TdesEde3>);
struct CbcDec(cbc::Decryptor<TdesEde3>);

impl Blocks for EcbEnc {
    fn process(&mut self, data: &mut [u8]) {
        blocks_of(data).for_each(|b| self.0.encrypt_block(b));
    }
}
impl Blocks for EcbDec {
    fn process(&mut self, data: &mut [u8]) {
        blocks_of(data).for_each(|b| self.0.decrypt_block(b));
    }
}
impl Blocks for CbcEnc {
    fn process(&mut self, data: &mut [u8]) {
        blocks_of(data).for_each(|b| BlockModeEncrypt::encrypt_block(&mut self.0, b));
    }
}
impl Blocks for CbcDec {
    fn process(&mut self, data: &mut [u8]) {
        blocks_of(data).for_each(|b| BlockModeDecrypt::decrypt_block(&mut self.0, b));
    }
}

/// A Triple DES mode under a 24-byte key.
pub(crate) fn cipher(mode: &CipherMode, key: &[u8], dir: Direction) -> Result<Box<dyn CipherCtx>> {
    let bad = |_| Error::KeySizeRange;
    Ok(match (mode, dir) {
        (CipherMode::Des3Ecb, Direction::Encrypt) => boxed(
            EcbEnc(TdesEde3::new_from_slice(key).map_err(bad)?),
            false,
            dir,
        ),
        (CipherMode::Des3Ecb, Direction::Decrypt) => boxed(
            EcbDec(TdesEde3::new_from_slice(key).map_err(bad)?),
            false,
            dir,
        ),
        (CipherMode::Des3Cbc { iv, pad }, Direction::Encrypt) => {
            let c = cbc::Encryptor::<TdesEde3>::new_from_slices(key, iv).map_err(bad)?;
            boxed(CbcEnc(c), *pad, dir)
        }
        (CipherMode::Des3Cbc { iv, pad }, Direction::Decrypt) => {
            let c = cbc::Decryptor::<TdesEde3>::new_from_slices(key, iv).map_err(bad)?;
            boxed(CbcDec(c), *pad, dir)
        }
        _ => return Err(Error::MechanismInvalid),
    })
}

fn boxed<B: Blocks + 'static>(b: B, pad: bool, dir: Direction) -> Box<dyn CipherCtx> {
    Box::new(BlockMode::with_block(b, DES3_BLOCK, pad, dir))
}
