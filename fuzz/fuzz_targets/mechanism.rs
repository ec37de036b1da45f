//! Mechanisms and their parameter structures, each with honest or absurd inner lengths, at
//! every `C_*Init` and the single-call key functions.
#![no_main]

use arbitrary::Arbitrary;
use craton_hsm_fuzz::{Harness, Len};
use cryptoki_sys::*;
use std::ffi::c_void;
use std::ptr::null_mut;

const MECHS: &[CK_MECHANISM_TYPE] = &[
    CKM_AES_ECB,
    CKM_AES_CBC,
    CKM_AES_CBC_PAD,
    CKM_AES_CTR,
    CKM_AES_GCM,
    CKM_AES_KEY_WRAP,
    CKM_AES_KEY_WRAP_KWP,
    CKM_AES_CMAC,
    CKM_RSA_PKCS,
    CKM_RSA_X_509,
    CKM_RSA_PKCS_OAEP,
    CKM_RSA_PKCS_PSS,
    CKM_SHA256_RSA_PKCS_PSS,
    CKM_SHA256_RSA_PKCS,
    CKM_ECDSA,
    CKM_ECDSA_SHA256,
    CKM_ECDH1_DERIVE,
    CKM_HKDF_DERIVE,
    CKM_SHA256_HMAC,
    CKM_SHA256,
    CKM_SHA3_256,
    CKM_EDDSA,
    CKM_ML_DSA,
    CKM_AES_KEY_GEN,
    CKM_GENERIC_SECRET_KEY_GEN,
    0x8000_1234,
];

#[derive(Arbitrary, Debug)]
enum Param {
    None,
    /// Raw bytes, never of a pointer-holding structure's size.
    Bytes(Vec<u8>),
    Gcm {
        iv: Vec<u8>,
        iv_len: Len,
        aad: Vec<u8>,
        aad_len: Len,
        tag_bits: u16,
    },
    Ctr {
        bits: u16,
        cb: [u8; 16],
    },
    Pss {
        hash: u8,
        mgf: u8,
        salt: u32,
    },
    Oaep {
        hash: u8,
        mgf: u8,
        source: u8,
        label: Vec<u8>,
        len: Len,
    },
    Ecdh {
        kdf: u8,
        shared: Vec<u8>,
        shared_len: Len,
        public: Vec<u8>,
        public_len: Len,
    },
    Hkdf {
        extract: bool,
        expand: bool,
        prf: u8,
        salt_type: u8,
        salt: Vec<u8>,
        salt_len: Len,
        info: Vec<u8>,
        info_len: Len,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    mech: u8,
    param: Param,
    /// `ulParameterLen` itself: honest, or absurd.
    param_len: Len,
    op: u8,
    key: u8,
}

const HASHES: &[CK_MECHANISM_TYPE] = &[
    CKM_SHA_1,
    CKM_SHA256,
    CKM_SHA384,
    CKM_SHA512,
    CKM_SHA3_256,
    0,
];
const MGFS: &[CK_RSA_PKCS_MGF_TYPE] = &[CKG_MGF1_SHA1, CKG_MGF1_SHA256, CKG_MGF1_SHA512, 0];

fn pick<T: Copy>(list: &[T], i: u8) -> T {
    list[i as usize % list.len()]
}

fn ptr(v: &mut [u8]) -> *mut u8 {
    if v.is_empty() {
        null_mut()
    } else {
        v.as_mut_ptr()
    }
}

/// The parameter block, owned with everything it points into.
struct Block {
    bytes: Vec<u8>,
    _bufs: Vec<Vec<u8>>,
}

fn as_bytes<T>(v: &T) -> Vec<u8> {
    // SAFETY: a plain-data C structure, read as bytes.
    unsafe { std::slice::from_raw_parts(v as *const T as *const u8, size_of::<T>()).to_vec() }
}

/// Sizes of the parameter structures that hold pointers: raw bytes of one of these sizes would
/// be read as wild pointers (the harness breaking the C contract), so raw parameters avoid
/// them.
fn pointer_struct_sizes() -> [usize; 6] {
    [
        size_of::<CK_GCM_PARAMS>(),
        size_of::<CK_RSA_PKCS_OAEP_PARAMS>(),
        size_of::<CK_ECDH1_DERIVE_PARAMS>(),
        size_of::<CK_HKDF_PARAMS>(),
        size_of::<CK_EDDSA_PARAMS>(),
        size_of::<CK_SIGN_ADDITIONAL_CONTEXT>(),
    ]
}

/// The mechanism a structured parameter belongs to (a structure is only ever handed to the
/// mechanisms it is declared for; `any` for the rest).
fn mechanism_for(p: &Param, any: CK_MECHANISM_TYPE, pick_of: u8) -> CK_MECHANISM_TYPE {
    match p {
        Param::Gcm { .. } => CKM_AES_GCM,
        Param::Oaep { .. } => CKM_RSA_PKCS_OAEP,
        Param::Ecdh { .. } => pick(&[CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE], pick_of),
        Param::Hkdf { .. } => CKM_HKDF_DERIVE,
        // Pointer-free, but as large as CK_EDDSA_PARAMS: never handed to EdDSA or ML-DSA.
        Param::Pss { .. } => pick(&[CKM_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS_PSS], pick_of),
        Param::Ctr { .. } => CKM_AES_CTR,
        Param::None | Param::Bytes(_) => any,
    }
}

fn block(p: Param) -> Option<Block> {
    let mut bufs: Vec<Vec<u8>> = Vec::new();
    let mut keep = |mut v: Vec<u8>, len: Len| -> (*mut u8, CK_ULONG) {
        let out = (ptr(&mut v), len.of(v.len()));
        bufs.push(v);
        out
    };
    let bytes = match p {
        Param::None => return None,
        Param::Bytes(mut b) => {
            if pointer_struct_sizes().contains(&b.len()) {
                b.push(0);
            }
            b
        }
        Param::Gcm {
            iv,
            iv_len,
            aad,
            aad_len,
            tag_bits,
        } => {
            let (pi, li) = keep(iv, iv_len);
            let (pa, la) = keep(aad, aad_len);
            as_bytes(&CK_GCM_PARAMS {
                pIv: pi,
                ulIvLen: li,
                ulIvBits: 0,
                pAAD: pa,
                ulAADLen: la,
                ulTagBits: tag_bits as _,
            })
        }
        Param::Ctr { bits, cb } => as_bytes(&CK_AES_CTR_PARAMS {
            ulCounterBits: bits as _,
            cb,
        }),
        Param::Pss { hash, mgf, salt } => as_bytes(&CK_RSA_PKCS_PSS_PARAMS {
            hashAlg: pick(HASHES, hash),
            mgf: pick(MGFS, mgf),
            sLen: salt as _,
        }),
        Param::Oaep {
            hash,
            mgf,
            source,
            label,
            len,
        } => {
            let (pl, ll) = keep(label, len);
            as_bytes(&CK_RSA_PKCS_OAEP_PARAMS {
                hashAlg: pick(HASHES, hash),
                mgf: pick(MGFS, mgf),
                source: (source % 3) as _,
                pSourceData: pl as *mut c_void,
                ulSourceDataLen: ll,
            })
        }
        Param::Ecdh {
            kdf,
            shared,
            shared_len,
            public,
            public_len,
        } => {
            let (ps, ls) = keep(shared, shared_len);
            let (pp, lp) = keep(public, public_len);
            as_bytes(&CK_ECDH1_DERIVE_PARAMS {
                kdf: (kdf % 8) as _,
                ulSharedDataLen: ls,
                pSharedData: ps,
                ulPublicDataLen: lp,
                pPublicData: pp,
            })
        }
        Param::Hkdf {
            extract,
            expand,
            prf,
            salt_type,
            salt,
            salt_len,
            info,
            info_len,
        } => {
            let (ps, ls) = keep(salt, salt_len);
            let (pi, li) = keep(info, info_len);
            as_bytes(&CK_HKDF_PARAMS {
                bExtract: extract as _,
                bExpand: expand as _,
                prfHashMechanism: pick(HASHES, prf),
                ulSaltType: (salt_type % 5) as _,
                pSalt: ps,
                ulSaltLen: ls,
                hSaltKey: 0,
                pInfo: pi,
                ulInfoLen: li,
            })
        }
    };
    Some(Block { bytes, _bufs: bufs })
}

libfuzzer_sys::fuzz_target!(|input: Input| {
    let h = Harness::get();
    let (f, s) = (h.f, h.session);
    let mech = mechanism_for(&input.param, pick(MECHS, input.mech), input.mech);
    let mut blk = block(input.param);
    let (pp, pl) = match blk.as_mut() {
        Some(b) => (
            ptr(&mut b.bytes) as *mut c_void,
            input.param_len.of(b.bytes.len()),
        ),
        None => (null_mut(), 0),
    };
    let mut m = CK_MECHANISM {
        mechanism: mech,
        pParameter: pp,
        ulParameterLen: pl,
    };
    let keys = [h.aes, h.kek, h.hmac, h.rsa.0, h.rsa.1, h.ec.0, h.ec.1];
    let key = pick(&keys, input.key);
    let mut value_len = 32u64.to_ne_bytes();
    let mut derived = [CK_ATTRIBUTE {
        type_: CKA_VALUE_LEN,
        pValue: value_len.as_mut_ptr() as *mut _,
        ulValueLen: 8,
    }];
    let mut out = 0;
    let mut len: CK_ULONG = 0;
    // SAFETY: every pointer is valid for its length, or the length is absurd (refused unread).
    unsafe {
        let rv = match input.op % 8 {
            0 => f.C_EncryptInit.unwrap()(s, &mut m, key),
            1 => f.C_DecryptInit.unwrap()(s, &mut m, key),
            2 => f.C_SignInit.unwrap()(s, &mut m, key),
            3 => f.C_VerifyInit.unwrap()(s, &mut m, key),
            4 => f.C_DigestInit.unwrap()(s, &mut m),
            5 => f.C_DeriveKey.unwrap()(s, &mut m, key, derived.as_mut_ptr(), 1, &mut out),
            6 => f.C_WrapKey.unwrap()(s, &mut m, key, h.aes, null_mut(), &mut len),
            _ => f.C_GenerateKey.unwrap()(s, &mut m, derived.as_mut_ptr(), 1, &mut out),
        };
        if rv == CKR_OK {
            // End whatever started; destroy whatever was made.
            for init in [
                f.C_EncryptInit,
                f.C_DecryptInit,
                f.C_SignInit,
                f.C_VerifyInit,
            ] {
                init.unwrap()(s, null_mut(), 0);
            }
            f.C_DigestInit.unwrap()(s, null_mut());
            if out != 0 {
                f.C_DestroyObject.unwrap()(s, out);
            }
        }
    }
});
