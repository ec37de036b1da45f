//! Raw `CK_ATTRIBUTE` templates and thin wrappers over the C entry points, for the calls and
//! attribute shapes the cryptoki crate does not express (nested templates, raw handles,
//! the 3.0 function list).

use super::RawLib;
use cryptoki::object::ObjectHandle;
use cryptoki_sys::*;
use std::ffi::c_void;
use std::ptr::null_mut;

/// One value of a raw `CK_ATTRIBUTE` template.
pub enum Val {
    Bool(bool),
    Ulong(CK_ULONG),
    Bytes(Vec<u8>),
    /// An attribute-array value (CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE).
    Nested(Vec<(CK_ATTRIBUTE_TYPE, Val)>),
}

/// A `CK_ATTRIBUTE` array together with the buffers its entries point into.
pub struct RawTemplate {
    pub attrs: Vec<CK_ATTRIBUTE>,
    _buffers: Vec<Vec<u8>>,
    _nested: Vec<RawTemplate>,
}

impl RawTemplate {
    pub fn new(items: Vec<(CK_ATTRIBUTE_TYPE, Val)>) -> RawTemplate {
        let mut t = RawTemplate {
            attrs: Vec::new(),
            _buffers: Vec::new(),
            _nested: Vec::new(),
        };
        for (ty, v) in items {
            let (p, len) = match v {
                Val::Nested(inner) => {
                    let mut n = RawTemplate::new(inner);
                    let p = n.attrs.as_mut_ptr() as *mut c_void;
                    let len = n.attrs.len() * std::mem::size_of::<CK_ATTRIBUTE>();
                    // Moving `n` leaves its heap buffer (which `p` points into) in place.
                    t._nested.push(n);
                    (p, len)
                }
                other => {
                    let mut b = match other {
                        Val::Bool(b) => vec![if b { CK_TRUE } else { CK_FALSE }],
                        Val::Ulong(u) => u.to_ne_bytes().to_vec(),
                        Val::Bytes(b) => b,
                        Val::Nested(_) => unreachable!(),
                    };
                    let p = b.as_mut_ptr() as *mut c_void;
                    let len = b.len();
                    t._buffers.push(b);
                    (p, len)
                }
            };
            t.attrs.push(CK_ATTRIBUTE {
                type_: ty,
                pValue: p,
                ulValueLen: len as CK_ULONG,
            });
        }
        t
    }

    pub fn ptr(&mut self) -> CK_ATTRIBUTE_PTR {
        self.attrs.as_mut_ptr()
    }

    pub fn count(&self) -> CK_ULONG {
        self.attrs.len() as CK_ULONG
    }
}

pub fn rv_result<T>(rv: CK_RV, v: T) -> Result<T, CK_RV> {
    if rv == CKR_OK { Ok(v) } else { Err(rv) }
}

pub fn raw_open(lib: &RawLib, slot: CK_SLOT_ID, rw: bool) -> CK_SESSION_HANDLE {
    let flags = CKF_SERIAL_SESSION | if rw { CKF_RW_SESSION } else { 0 };
    let mut h: CK_SESSION_HANDLE = 0;
    // SAFETY: `h` is writable for the duration of the call.
    let rv = unsafe { lib.0.C_OpenSession(slot, flags, null_mut(), None, &mut h) };
    assert_eq!(rv, CKR_OK, "C_OpenSession");
    h
}

pub fn raw_login(lib: &RawLib, h: CK_SESSION_HANDLE, user: CK_USER_TYPE, pin: &str) -> CK_RV {
    // SAFETY: the PIN buffer is valid for the duration of the call.
    unsafe {
        lib.0
            .C_Login(h, user, pin.as_ptr() as *mut _, pin.len() as CK_ULONG)
    }
}

pub fn raw_state(lib: &RawLib, h: CK_SESSION_HANDLE) -> Result<CK_STATE, CK_RV> {
    let mut info = CK_SESSION_INFO::default();
    // SAFETY: `info` is writable for the duration of the call.
    let rv = unsafe { lib.0.C_GetSessionInfo(h, &mut info) };
    rv_result(rv, info.state)
}

pub fn raw_create(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    items: Vec<(CK_ATTRIBUTE_TYPE, Val)>,
) -> Result<CK_OBJECT_HANDLE, CK_RV> {
    let mut t = RawTemplate::new(items);
    let mut out: CK_OBJECT_HANDLE = 0;
    // SAFETY: the template and its buffers outlive the call; `out` is writable.
    let rv = unsafe { lib.0.C_CreateObject(h, t.ptr(), t.count(), &mut out) };
    rv_result(rv, out)
}

/// The "PKCS 11" 3.0 function list, found through C_GetInterface.
pub fn function_list_3_0(lib: &RawLib) -> &CK_FUNCTION_LIST_3_0 {
    let name = b"PKCS 11\0";
    let mut version = CK_VERSION { major: 3, minor: 0 };
    let mut iface: *mut CK_INTERFACE = null_mut();
    // SAFETY: a NUL-terminated name and writable out-pointers.
    let rv = unsafe {
        lib.0
            .C_GetInterface(name.as_ptr() as *mut _, &mut version, &mut iface, 0)
    };
    assert_eq!(rv, CKR_OK, "C_GetInterface(\"PKCS 11\", 3.0)");
    assert!(!iface.is_null());
    // SAFETY: the module returned a pointer to its static 3.0 interface, whose function list
    // lives as long as the library stays loaded (`lib` keeps it loaded).
    let list = unsafe { &*((*iface).pFunctionList as *const CK_FUNCTION_LIST_3_0) };
    assert_eq!((list.version.major, list.version.minor), (3, 0));
    list
}

/// Wraps a raw handle the module returned.
pub fn oh(h: CK_OBJECT_HANDLE) -> ObjectHandle {
    // SAFETY: only used for handles the module just returned.
    unsafe { ObjectHandle::new_from_raw(h) }
}

pub fn object_size(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    o: CK_OBJECT_HANDLE,
) -> Result<CK_ULONG, CK_RV> {
    let mut size: CK_ULONG = 0;
    // SAFETY: `size` is writable for the duration of the call.
    let rv = unsafe { lib.0.C_GetObjectSize(h, o, &mut size) };
    rv_result(rv, size)
}

pub fn raw_unwrap(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    mech: CK_MECHANISM_TYPE,
    kek: CK_OBJECT_HANDLE,
    wrapped: &[u8],
    items: Vec<(CK_ATTRIBUTE_TYPE, Val)>,
) -> Result<CK_OBJECT_HANDLE, CK_RV> {
    let mut m = CK_MECHANISM {
        mechanism: mech,
        pParameter: null_mut(),
        ulParameterLen: 0,
    };
    let mut t = RawTemplate::new(items);
    let mut out: CK_OBJECT_HANDLE = 0;
    // SAFETY: every buffer outlives the call; `out` is writable.
    let rv = unsafe {
        lib.0.C_UnwrapKey(
            h,
            &mut m,
            kek,
            wrapped.as_ptr() as *mut _,
            wrapped.len() as CK_ULONG,
            t.ptr(),
            t.count(),
            &mut out,
        )
    };
    rv_result(rv, out)
}

/// `C_FindObjectsInit` / `C_FindObjects` / `C_FindObjectsFinal`: every match.
pub fn raw_find(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    items: Vec<(CK_ATTRIBUTE_TYPE, Val)>,
) -> Result<Vec<CK_OBJECT_HANDLE>, CK_RV> {
    let mut t = RawTemplate::new(items);
    let mut found = vec![0 as CK_OBJECT_HANDLE; 64];
    let mut n: CK_ULONG = 0;
    // SAFETY: the template and the output array outlive the calls; `n` is writable.
    unsafe {
        let rv = lib.0.C_FindObjectsInit(h, t.ptr(), t.count());
        if rv != CKR_OK {
            return Err(rv);
        }
        let rv = lib
            .0
            .C_FindObjects(h, found.as_mut_ptr(), found.len() as CK_ULONG, &mut n);
        let end = lib.0.C_FindObjectsFinal(h);
        rv_result(rv, ())?;
        rv_result(end, ())?;
    }
    found.truncate(n as usize);
    Ok(found)
}
