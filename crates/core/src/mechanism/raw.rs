//! A mechanism parameter as the C ABI hands it over, before anyone interprets it: the
//! structure's bytes, plus the contents of each buffer it points to, read by a layout the
//! owning family declares. The ABI follows pointers without knowing what they mean; the family
//! parses the fields (`families`).

use crate::error::{Error, Result};
use cryptoki_sys::{CK_BBOOL, CK_ULONG};

/// Where a parameter structure's buffers are: its size, and each (pointer, length) field pair
/// by byte offset, in the order the family reads them back.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub size: usize,
    pub buffers: &'static [(usize, usize)],
    /// A NULL parameter is allowed and means "none" (pure EdDSA, ML-DSA without a context).
    pub optional: bool,
}

/// A caller's parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawParam {
    /// No parameter (NULL or zero length).
    None,
    /// Bytes of no declared structure (an IV, or a parameter the mechanism does not take).
    Bytes(Vec<u8>),
    /// A declared structure: its bytes and the buffers its layout names.
    Struct {
        bytes: Vec<u8>,
        buffers: Vec<Vec<u8>>,
    },
    /// SP 800-108 parameters, which nest arrays and templates: the ABI copies them whole.
    Kbkdf(Box<crate::mechanism::params::Kbkdf>),
}

const ULONG: usize = size_of::<CK_ULONG>();

impl RawParam {
    fn fields(&self) -> Result<(&[u8], &[Vec<u8>])> {
        match self {
            RawParam::Struct { bytes, buffers } => Ok((bytes, buffers)),
            _ => Err(Error::MechanismParamInvalid),
        }
    }

    /// A `CK_ULONG` field at `offset`.
    pub fn ulong(&self, offset: usize) -> Result<u64> {
        let (b, _) = self.fields()?;
        let raw: [u8; ULONG] = b
            .get(offset..offset + ULONG)
            .and_then(|s| s.try_into().ok())
            .ok_or(Error::MechanismParamInvalid)?;
        Ok(CK_ULONG::from_ne_bytes(raw) as u64)
    }

    /// A `CK_BBOOL` field at `offset`.
    pub fn flag(&self, offset: usize) -> Result<bool> {
        let (b, _) = self.fields()?;
        let v: CK_BBOOL = *b.get(offset).ok_or(Error::MechanismParamInvalid)?;
        Ok(v != 0)
    }

    /// A byte array field of `N` bytes at `offset`.
    pub fn array<const N: usize>(&self, offset: usize) -> Result<[u8; N]> {
        let (b, _) = self.fields()?;
        b.get(offset..offset + N)
            .and_then(|s| s.try_into().ok())
            .ok_or(Error::MechanismParamInvalid)
    }

    /// The `i`th buffer the layout names.
    pub fn buffer(&self, i: usize) -> Result<Vec<u8>> {
        let (_, bufs) = self.fields()?;
        bufs.get(i).cloned().ok_or(Error::MechanismParamInvalid)
    }
}
