//! The fuzz targets' shared harness: one initialized module per fuzzing process (a token
//! with a logged-in user and a key of each kind), reached through its own function list as
//! any application reaches it, and raw `CK_ATTRIBUTE` / `CK_MECHANISM` structures built from
//! the fuzzer's bytes. Lengths are either honest (the buffer really has them) or absurd (far
//! above every documented limit, which the module must refuse before reading): a length in
//! between that lies about its buffer is the caller breaking the C contract, not a finding.

use arbitrary::Arbitrary;
use cryptoki_sys::*;
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::OnceLock;

// Links the module and its exported C functions into the fuzzing binary.
extern crate craton_hsm;

unsafe extern "C" {
    fn C_GetFunctionList(pp: CK_FUNCTION_LIST_PTR_PTR) -> CK_RV;
}

/// The module, a user session and one key of each kind.
pub struct Harness {
    pub f: &'static CK_FUNCTION_LIST,
    pub session: CK_SESSION_HANDLE,
    pub aes: CK_OBJECT_HANDLE,
    pub kek: CK_OBJECT_HANDLE,
    pub hmac: CK_OBJECT_HANDLE,
    pub rsa: (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE),
    pub ec: (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE),
    _dir: tempfile::TempDir,
}

const PIN: &[u8] = b"fuzz-pin-1234";

fn ok(rv: CK_RV, what: &str) {
    assert_eq!(rv, CKR_OK, "{what}");
}

impl Harness {
    /// The process's harness, set up on first use.
    pub fn get() -> &'static Harness {
        static H: OnceLock<Harness> = OnceLock::new();
        H.get_or_init(Harness::new)
    }

    fn new() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("craton_hsm.toml");
        std::fs::write(
            &config,
            format!(
                "token.storage_path = {:?}\nsecurity.pbkdf2_iterations = 1000\n",
                dir.path().join("store")
            ),
        )
        .expect("config");
        // SAFETY: set before the module reads it, while only this thread runs fuzz code.
        unsafe { std::env::set_var("CRATON_HSM_CONFIG", &config) };
        let mut list: CK_FUNCTION_LIST_PTR = null_mut();
        // SAFETY: a writable out-pointer; the list is static in the module.
        let f = unsafe {
            ok(C_GetFunctionList(&mut list), "C_GetFunctionList");
            &*list
        };
        let mut h: CK_SESSION_HANDLE = 0;
        let mut label = [b' '; 32];
        label[..4].copy_from_slice(b"fuzz");
        // SAFETY: every pointer is valid for the call it is passed to.
        unsafe {
            ok(f.C_Initialize.unwrap()(null_mut()), "C_Initialize");
            ok(
                f.C_InitToken.unwrap()(
                    0,
                    PIN.as_ptr() as *mut _,
                    PIN.len() as _,
                    label.as_mut_ptr(),
                ),
                "C_InitToken",
            );
            let flags = CKF_SERIAL_SESSION | CKF_RW_SESSION;
            ok(
                f.C_OpenSession.unwrap()(0, flags, null_mut(), None, &mut h),
                "C_OpenSession",
            );
            ok(
                f.C_Login.unwrap()(h, CKU_SO, PIN.as_ptr() as *mut _, PIN.len() as _),
                "SO login",
            );
            ok(
                f.C_InitPIN.unwrap()(h, PIN.as_ptr() as *mut _, PIN.len() as _),
                "C_InitPIN",
            );
            ok(f.C_Logout.unwrap()(h), "logout");
            ok(
                f.C_Login.unwrap()(h, CKU_USER, PIN.as_ptr() as *mut _, PIN.len() as _),
                "login",
            );
        }
        let mut hx = Harness {
            f,
            session: h,
            aes: 0,
            kek: 0,
            hmac: 0,
            rsa: (0, 0),
            ec: (0, 0),
            _dir: dir,
        };
        hx.aes = hx.secret(CKK_AES, &[0x11; 32], &[CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN]);
        hx.kek = hx.secret(CKK_AES, &[0x22; 32], &[CKA_WRAP, CKA_UNWRAP]);
        hx.hmac = hx.secret(CKK_GENERIC_SECRET, &[0x33; 32], &[CKA_SIGN, CKA_DERIVE]);
        hx.rsa = hx.pair(
            CKM_RSA_PKCS_KEY_PAIR_GEN,
            Raw::ulong(CKA_MODULUS_BITS, 2048),
        );
        hx.ec = hx.pair(
            CKM_EC_KEY_PAIR_GEN,
            Raw::bytes(
                CKA_EC_PARAMS,
                &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            ),
        );
        hx
    }

    fn secret(
        &self,
        kt: CK_KEY_TYPE,
        value: &[u8],
        usages: &[CK_ATTRIBUTE_TYPE],
    ) -> CK_OBJECT_HANDLE {
        let mut t = vec![
            Raw::ulong(CKA_CLASS, CKO_SECRET_KEY),
            Raw::ulong(CKA_KEY_TYPE, kt),
            Raw::bytes(CKA_VALUE, value),
        ];
        t.extend(usages.iter().map(|u| Raw::bytes(*u, &[CK_TRUE])));
        let mut attrs: Vec<CK_ATTRIBUTE> = t.iter_mut().map(Raw::attr).collect();
        let mut out = 0;
        // SAFETY: the template's buffers live in `t` for the call.
        ok(
            unsafe {
                self.f.C_CreateObject.unwrap()(
                    self.session,
                    attrs.as_mut_ptr(),
                    attrs.len() as _,
                    &mut out,
                )
            },
            "create a key",
        );
        out
    }

    fn pair(&self, mech: CK_MECHANISM_TYPE, param: Raw) -> (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE) {
        let mut public = [param];
        let mut pub_attrs: Vec<CK_ATTRIBUTE> = public.iter_mut().map(Raw::attr).collect();
        let mut private = [Raw::bytes(CKA_DERIVE, &[CK_TRUE])];
        let mut priv_attrs: Vec<CK_ATTRIBUTE> = private.iter_mut().map(Raw::attr).collect();
        let mut m = CK_MECHANISM {
            mechanism: mech,
            pParameter: null_mut(),
            ulParameterLen: 0,
        };
        let (mut pk, mut sk) = (0, 0);
        // SAFETY: the templates' buffers live for the call; the handles are writable.
        ok(
            unsafe {
                self.f.C_GenerateKeyPair.unwrap()(
                    self.session,
                    &mut m,
                    pub_attrs.as_mut_ptr(),
                    pub_attrs.len() as _,
                    priv_attrs.as_mut_ptr(),
                    priv_attrs.len() as _,
                    &mut pk,
                    &mut sk,
                )
            },
            "generate a pair",
        );
        (pk, sk)
    }
}

/// One attribute's owned value, for building templates.
pub struct Raw {
    ty: CK_ATTRIBUTE_TYPE,
    value: Vec<u8>,
}

impl Raw {
    pub fn ulong(ty: CK_ATTRIBUTE_TYPE, v: CK_ULONG) -> Raw {
        Raw {
            ty,
            value: v.to_ne_bytes().to_vec(),
        }
    }

    pub fn bytes(ty: CK_ATTRIBUTE_TYPE, v: &[u8]) -> Raw {
        Raw {
            ty,
            value: v.to_vec(),
        }
    }

    fn attr(&mut self) -> CK_ATTRIBUTE {
        CK_ATTRIBUTE {
            type_: self.ty,
            pValue: self.value.as_mut_ptr() as *mut c_void,
            ulValueLen: self.value.len() as _,
        }
    }
}

/// A length: the buffer's own, or one far above every limit.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Len {
    Honest,
    Absurd(u32),
}

impl Len {
    pub fn of(self, honest: usize) -> CK_ULONG {
        match self {
            Len::Honest => honest as CK_ULONG,
            // At least 2^36: above every limit in src/limits.rs.
            Len::Absurd(x) => ((1u64 << 36) | ((x as u64) << 20)) as CK_ULONG,
        }
    }
}

/// Attribute types worth trying (known ones of every kind, and an unknown one).
const TYPES: &[CK_ATTRIBUTE_TYPE] = &[
    CKA_CLASS,
    CKA_TOKEN,
    CKA_PRIVATE,
    CKA_LABEL,
    CKA_VALUE,
    CKA_KEY_TYPE,
    CKA_VALUE_LEN,
    CKA_ENCRYPT,
    CKA_DECRYPT,
    CKA_WRAP,
    CKA_UNWRAP,
    CKA_SIGN,
    CKA_SENSITIVE,
    CKA_EXTRACTABLE,
    CKA_EC_PARAMS,
    CKA_EC_POINT,
    CKA_MODULUS,
    CKA_PUBLIC_EXPONENT,
    CKA_START_DATE,
    CKA_WRAP_TEMPLATE,
    CKA_UNWRAP_TEMPLATE,
    CKA_DERIVE_TEMPLATE,
    CKA_ALLOWED_MECHANISMS,
    CKA_CERTIFICATE_TYPE,
    CKA_TRUSTED,
    CKA_UNIQUE_ID,
    0x8000_7777,
];

/// An attribute as the fuzzer describes it.
#[derive(Arbitrary, Debug)]
pub struct FuzzAttr {
    ty: u8,
    value: Vec<u8>,
    len: Len,
    /// Present: the value is an array of these attributes (nested once more at most).
    nested: Option<Vec<FuzzLeaf>>,
}

#[derive(Arbitrary, Debug)]
pub struct FuzzLeaf {
    ty: u8,
    value: Vec<u8>,
    len: Len,
    /// A template inside a template: must be refused.
    nested_again: Option<Vec<(u8, Vec<u8>)>>,
}

/// A `CK_ATTRIBUTE` array and everything it points into.
pub struct Template {
    pub attrs: Vec<CK_ATTRIBUTE>,
    _bufs: Vec<Vec<u8>>,
    _inner: Vec<Vec<CK_ATTRIBUTE>>,
}

fn ty(i: u8) -> CK_ATTRIBUTE_TYPE {
    TYPES[i as usize % TYPES.len()]
}

impl Template {
    pub fn build(items: &[FuzzAttr]) -> Template {
        let mut t = Template {
            attrs: Vec::new(),
            _bufs: Vec::new(),
            _inner: Vec::new(),
        };
        for a in items {
            let attr = match &a.nested {
                None => t.plain(ty(a.ty), &a.value, a.len),
                Some(leaves) => {
                    let mut inner = Vec::new();
                    for l in leaves {
                        let attr = match &l.nested_again {
                            None => t.plain(ty(l.ty), &l.value, l.len),
                            Some(deeper) => {
                                let mut d: Vec<CK_ATTRIBUTE> = deeper
                                    .iter()
                                    .map(|(k, v)| t.plain(ty(*k), v, Len::Honest))
                                    .collect();
                                let n = d.len() * size_of::<CK_ATTRIBUTE>();
                                let p = d.as_mut_ptr() as *mut c_void;
                                t._inner.push(d);
                                CK_ATTRIBUTE {
                                    type_: ty(l.ty),
                                    pValue: p,
                                    ulValueLen: n as _,
                                }
                            }
                        };
                        inner.push(attr);
                    }
                    let n = inner.len() * size_of::<CK_ATTRIBUTE>();
                    let p = inner.as_mut_ptr() as *mut c_void;
                    t._inner.push(inner);
                    CK_ATTRIBUTE {
                        type_: ty(a.ty),
                        pValue: p,
                        ulValueLen: a.len.of(n),
                    }
                }
            };
            t.attrs.push(attr);
        }
        t
    }

    fn plain(&mut self, ty: CK_ATTRIBUTE_TYPE, value: &[u8], len: Len) -> CK_ATTRIBUTE {
        let mut b = value.to_vec();
        let p = if b.is_empty() {
            null_mut()
        } else {
            b.as_mut_ptr() as *mut c_void
        };
        let attr = CK_ATTRIBUTE {
            type_: ty,
            pValue: p,
            ulValueLen: len.of(b.len()),
        };
        self._bufs.push(b);
        attr
    }
}
