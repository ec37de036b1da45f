//! The module as an application sees it: the library loaded, `C_GetInterface("PKCS 11")` for
//! the standard functions and `C_GetInterface("Craton HSM")` for the vendor ones. Every
//! `unsafe` call of craton-admin is in this file; the rest works with the safe wrappers.

#![allow(unsafe_code)]

use crate::ckr::rv_name;
use cryptoki_sys::*;
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};
use zeroize::Zeroizing;

/// A failed PKCS#11 call: which function and its return value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P11Error {
    pub func: &'static str,
    pub rv: CK_RV,
}

impl std::fmt::Display for P11Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.func, rv_name(self.rv))
    }
}

pub type P11Result<T> = Result<T, P11Error>;

fn check(func: &'static str, rv: CK_RV) -> P11Result<()> {
    if rv == CKR_OK {
        Ok(())
    } else {
        Err(P11Error { func, rv })
    }
}

/// The vendor function list 1.1 (include/craton_hsm.h).
#[repr(C)]
struct VendorList {
    version: CK_VERSION,
    get_last_operation_fips_approved:
        Option<unsafe extern "C" fn(CK_SESSION_HANDLE, *mut CK_BBOOL) -> CK_RV>,
    get_module_status: Option<unsafe extern "C" fn(*mut c_void) -> CK_RV>,
    get_status_report: Option<unsafe extern "C" fn(*mut CK_UTF8CHAR, *mut CK_ULONG) -> CK_RV>,
    verify_audit_log: Option<
        unsafe extern "C" fn(
            *const CK_UTF8CHAR,
            CK_ULONG,
            *mut CK_UTF8CHAR,
            *mut CK_ULONG,
        ) -> CK_RV,
    >,
}

/// A loaded module.
pub struct Module {
    // Keeps the library mapped while the function lists are used.
    _lib: cryptoki_sys::Pkcs11,
    f: *const CK_FUNCTION_LIST,
    vendor: Option<*const VendorList>,
    pub path: PathBuf,
    initialized: bool,
}

/// Calls a function of the standard list, mapping a missing one to
/// `CKR_FUNCTION_NOT_SUPPORTED`.
macro_rules! call {
    ($m:expr, $name:ident ( $($arg:expr),* )) => {{
        // SAFETY: `f` points to the module's function list for as long as `_lib` is loaded.
        let list = unsafe { &*$m.f };
        match list.$name {
            // SAFETY: arguments follow the PKCS#11 contract of the function (checked by each
            // wrapper below).
            Some(func) => check(stringify!($name), unsafe { func($($arg),*) }),
            None => Err(P11Error { func: stringify!($name), rv: CKR_FUNCTION_NOT_SUPPORTED }),
        }
    }};
}

/// Token information, decoded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub flags: u64,
    pub initialized: bool,
    pub user_pin_initialized: bool,
    pub user_pin_locked: bool,
    pub so_pin_locked: bool,
    pub user_pin_count_low: bool,
    pub sessions: u64,
    pub max_sessions: u64,
    pub min_pin_len: u64,
    pub max_pin_len: u64,
}

/// An attribute value read back.
pub enum Attr {
    Absent,
    Sensitive,
    Bytes(Vec<u8>),
}

impl Attr {
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Attr::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn ulong(&self) -> Option<u64> {
        let b = self.bytes()?;
        let arr: [u8; std::mem::size_of::<CK_ULONG>()] = b.try_into().ok()?;
        Some(CK_ULONG::from_ne_bytes(arr) as u64)
    }

    pub fn bool(&self) -> Option<bool> {
        self.bytes().and_then(|b| b.first()).map(|&b| b != 0)
    }
}

/// One attribute to create an object with.
pub enum Val {
    Bool(bool),
    Ulong(CK_ULONG),
    Bytes(Vec<u8>),
    Secret(Zeroizing<Vec<u8>>),
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .trim_end_matches([' ', '\0'])
        .to_string()
}

impl Module {
    /// Loads the library and finds its interfaces (does not initialize it).
    pub fn load(path: &Path) -> Result<Module, String> {
        // SAFETY: loading a PKCS#11 module runs its initialisers; that is what the operator
        // asked for by naming it.
        let lib = unsafe { cryptoki_sys::Pkcs11::new(path) }
            .map_err(|e| format!("cannot load {}: {e}", path.display()))?;
        if lib.C_GetInterface.is_err() {
            return Err(format!(
                "{} has no C_GetInterface: not a PKCS#11 3.x module",
                path.display()
            ));
        }
        let mut iface: *mut CK_INTERFACE = null_mut();
        let name = b"PKCS 11\0";
        // SAFETY: valid NUL-terminated name and out-pointer.
        let rv = unsafe { lib.C_GetInterface(name.as_ptr() as *mut _, null_mut(), &mut iface, 0) };
        if rv != CKR_OK || iface.is_null() {
            return Err(format!(
                "{}: C_GetInterface(\"PKCS 11\") failed: {}",
                path.display(),
                rv_name(rv)
            ));
        }
        // SAFETY: the module returned a valid interface whose list starts with the 2.40
        // functions (every PKCS 11 list does).
        let f = unsafe { (*iface).pFunctionList } as *const CK_FUNCTION_LIST;
        let vendor = Self::vendor_list(&lib);
        Ok(Module {
            _lib: lib,
            f,
            vendor,
            path: path.to_path_buf(),
            initialized: false,
        })
    }

    fn vendor_list(lib: &cryptoki_sys::Pkcs11) -> Option<*const VendorList> {
        let name = b"Craton HSM\0";
        let mut iface: *mut CK_INTERFACE = null_mut();
        let mut want = CK_VERSION { major: 1, minor: 1 };
        // SAFETY: valid name, version and out-pointer.
        let rv = unsafe { lib.C_GetInterface(name.as_ptr() as *mut _, &mut want, &mut iface, 0) };
        if rv != CKR_OK || iface.is_null() {
            return None;
        }
        // SAFETY: the module returned its 1.1 vendor interface.
        Some(unsafe { (*iface).pFunctionList } as *const VendorList)
    }

    fn vendor(&self) -> Option<&VendorList> {
        // SAFETY: the list lives as long as the library.
        self.vendor.map(|v| unsafe { &*v })
    }

    pub fn initialize(&mut self) -> P11Result<()> {
        let mut args = CK_C_INITIALIZE_ARGS {
            flags: CKF_OS_LOCKING_OK,
            ..Default::default()
        };
        call!(self, C_Initialize(&mut args as *mut _ as *mut c_void))?;
        self.initialized = true;
        Ok(())
    }

    pub fn library_version(&self) -> P11Result<(String, String)> {
        let mut info = CK_INFO::default();
        call!(self, C_GetInfo(&mut info))?;
        Ok((
            format!(
                "{}.{}",
                info.libraryVersion.major, info.libraryVersion.minor
            ),
            text(&info.libraryDescription),
        ))
    }

    pub fn slots(&self) -> P11Result<Vec<CK_SLOT_ID>> {
        let mut n: CK_ULONG = 0;
        call!(self, C_GetSlotList(CK_FALSE, null_mut(), &mut n))?;
        let mut v = vec![0 as CK_SLOT_ID; n as usize];
        call!(self, C_GetSlotList(CK_FALSE, v.as_mut_ptr(), &mut n))?;
        v.truncate(n as usize);
        Ok(v)
    }

    pub fn slot_description(&self, slot: CK_SLOT_ID) -> P11Result<String> {
        let mut info = CK_SLOT_INFO::default();
        call!(self, C_GetSlotInfo(slot, &mut info))?;
        Ok(text(&info.slotDescription))
    }

    pub fn token_info(&self, slot: CK_SLOT_ID) -> P11Result<TokenInfo> {
        let mut i = CK_TOKEN_INFO::default();
        call!(self, C_GetTokenInfo(slot, &mut i))?;
        let flags = i.flags;
        Ok(TokenInfo {
            label: text(&i.label),
            manufacturer: text(&i.manufacturerID),
            model: text(&i.model),
            serial: text(&i.serialNumber),
            flags: flags as u64,
            initialized: flags & CKF_TOKEN_INITIALIZED != 0,
            user_pin_initialized: flags & CKF_USER_PIN_INITIALIZED != 0,
            user_pin_locked: flags & CKF_USER_PIN_LOCKED != 0,
            so_pin_locked: flags & CKF_SO_PIN_LOCKED != 0,
            user_pin_count_low: flags & CKF_USER_PIN_COUNT_LOW != 0,
            sessions: i.ulSessionCount as u64,
            max_sessions: i.ulMaxSessionCount as u64,
            min_pin_len: i.ulMinPinLen as u64,
            max_pin_len: i.ulMaxPinLen as u64,
        })
    }

    pub fn mechanisms(&self, slot: CK_SLOT_ID) -> P11Result<Vec<CK_MECHANISM_TYPE>> {
        let mut n: CK_ULONG = 0;
        call!(self, C_GetMechanismList(slot, null_mut(), &mut n))?;
        let mut v = vec![0 as CK_MECHANISM_TYPE; n as usize];
        call!(self, C_GetMechanismList(slot, v.as_mut_ptr(), &mut n))?;
        v.truncate(n as usize);
        Ok(v)
    }

    /// Key-size range and `CKF_*` flags.
    pub fn mechanism_info(
        &self,
        slot: CK_SLOT_ID,
        mech: CK_MECHANISM_TYPE,
    ) -> P11Result<(u64, u64, u64)> {
        let mut i = CK_MECHANISM_INFO::default();
        call!(self, C_GetMechanismInfo(slot, mech, &mut i))?;
        Ok((i.ulMinKeySize as u64, i.ulMaxKeySize as u64, i.flags as u64))
    }

    pub fn init_token(&self, slot: CK_SLOT_ID, so_pin: &[u8], label: &str) -> P11Result<()> {
        let mut l = [b' '; 32];
        let n = label.len().min(32);
        l[..n].copy_from_slice(&label.as_bytes()[..n]);
        call!(
            self,
            C_InitToken(
                slot,
                so_pin.as_ptr() as *mut _,
                so_pin.len() as CK_ULONG,
                l.as_mut_ptr()
            )
        )
    }

    pub fn open_session(&self, slot: CK_SLOT_ID, rw: bool) -> P11Result<Session<'_>> {
        let flags = CKF_SERIAL_SESSION | if rw { CKF_RW_SESSION } else { 0 };
        let mut h: CK_SESSION_HANDLE = 0;
        call!(self, C_OpenSession(slot, flags, null_mut(), None, &mut h))?;
        Ok(Session { m: self, h })
    }

    /// Calls a vendor function that returns JSON under the output-buffer convention.
    fn vendor_json(
        &self,
        func: &'static str,
        mut f: impl FnMut(*mut CK_UTF8CHAR, *mut CK_ULONG) -> CK_RV,
    ) -> P11Result<serde_json::Value> {
        let mut len: CK_ULONG = 64 * 1024;
        for _ in 0..4 {
            let mut buf = vec![0u8; len as usize];
            let rv = f(buf.as_mut_ptr(), &mut len);
            if rv == CKR_BUFFER_TOO_SMALL {
                continue;
            }
            check(func, rv)?;
            buf.truncate(len as usize);
            return serde_json::from_slice(&buf).map_err(|_| P11Error {
                func,
                rv: CKR_GENERAL_ERROR,
            });
        }
        Err(P11Error {
            func,
            rv: CKR_BUFFER_TOO_SMALL,
        })
    }

    /// `C_CratonGetStatusReport` (vendor 1.1).
    pub fn status_report(&self) -> P11Result<serde_json::Value> {
        let func = "C_CratonGetStatusReport";
        let f = self
            .vendor()
            .and_then(|v| v.get_status_report)
            .ok_or(P11Error {
                func,
                rv: CKR_FUNCTION_NOT_SUPPORTED,
            })?;
        // SAFETY: `buf`/`len` describe a writable buffer (see vendor_json).
        self.vendor_json(func, |buf, len| unsafe { f(buf, len) })
    }

    /// `C_CratonVerifyAuditLog` (vendor 1.1).
    pub fn verify_audit_log(&self, files: &[PathBuf]) -> P11Result<serde_json::Value> {
        let func = "C_CratonVerifyAuditLog";
        let f = self
            .vendor()
            .and_then(|v| v.verify_audit_log)
            .ok_or(P11Error {
                func,
                rv: CKR_FUNCTION_NOT_SUPPORTED,
            })?;
        let mut list = Vec::new();
        for p in files {
            let s = p.to_str().ok_or(P11Error {
                func,
                rv: CKR_ARGUMENTS_BAD,
            })?;
            list.extend_from_slice(s.as_bytes());
            list.push(0);
        }
        let files_ptr = if list.is_empty() {
            null()
        } else {
            list.as_ptr()
        };
        // SAFETY: `list` holds `list.len()` bytes; `buf`/`len` as in vendor_json.
        self.vendor_json(func, |buf, len| unsafe {
            f(files_ptr, list.len() as CK_ULONG, buf, len)
        })
    }
}

impl Drop for Module {
    fn drop(&mut self) {
        if self.initialized {
            let _ = call!(self, C_Finalize(null_mut()));
        }
    }
}

/// An open session (closed on drop).
pub struct Session<'a> {
    m: &'a Module,
    h: CK_SESSION_HANDLE,
}

impl Session<'_> {
    pub fn login(&self, user: CK_USER_TYPE, pin: &[u8]) -> P11Result<()> {
        call!(
            self.m,
            C_Login(self.h, user, pin.as_ptr() as *mut _, pin.len() as CK_ULONG)
        )
    }

    pub fn logout(&self) -> P11Result<()> {
        call!(self.m, C_Logout(self.h))
    }

    pub fn init_pin(&self, pin: &[u8]) -> P11Result<()> {
        call!(
            self.m,
            C_InitPIN(self.h, pin.as_ptr() as *mut _, pin.len() as CK_ULONG)
        )
    }

    pub fn set_pin(&self, old: &[u8], new: &[u8]) -> P11Result<()> {
        call!(
            self.m,
            C_SetPIN(
                self.h,
                old.as_ptr() as *mut _,
                old.len() as CK_ULONG,
                new.as_ptr() as *mut _,
                new.len() as CK_ULONG
            )
        )
    }

    /// Every object matching the template (booleans and ulongs only, as searches need).
    pub fn find(&self, template: &[(CK_ATTRIBUTE_TYPE, Val)]) -> P11Result<Vec<CK_OBJECT_HANDLE>> {
        let (mut attrs, _keep) = raw_template(template);
        call!(
            self.m,
            C_FindObjectsInit(self.h, attrs.as_mut_ptr(), attrs.len() as CK_ULONG)
        )?;
        let mut out = Vec::new();
        let r = loop {
            let mut batch = [0 as CK_OBJECT_HANDLE; 64];
            let mut n: CK_ULONG = 0;
            if let Err(e) = call!(
                self.m,
                C_FindObjects(self.h, batch.as_mut_ptr(), batch.len() as CK_ULONG, &mut n)
            ) {
                break Err(e);
            }
            if n == 0 {
                break Ok(());
            }
            out.extend_from_slice(&batch[..n as usize]);
        };
        let fin = call!(self.m, C_FindObjectsFinal(self.h));
        r.and(fin).map(|_| out)
    }

    /// Reads attributes one by one (so one sensitive or absent attribute does not hide the
    /// others).
    pub fn attrs(&self, obj: CK_OBJECT_HANDLE, types: &[CK_ATTRIBUTE_TYPE]) -> Vec<Attr> {
        types.iter().map(|&t| self.attr(obj, t)).collect()
    }

    fn attr(&self, obj: CK_OBJECT_HANDLE, ty: CK_ATTRIBUTE_TYPE) -> Attr {
        let mut a = CK_ATTRIBUTE {
            type_: ty,
            pValue: null_mut(),
            ulValueLen: 0,
        };
        match call!(self.m, C_GetAttributeValue(self.h, obj, &mut a, 1)) {
            Ok(()) => {}
            Err(e) if e.rv == CKR_ATTRIBUTE_SENSITIVE => return Attr::Sensitive,
            Err(_) => return Attr::Absent,
        }
        if a.ulValueLen == CK_UNAVAILABLE_INFORMATION {
            return Attr::Absent;
        }
        let mut buf = vec![0u8; a.ulValueLen as usize];
        a.pValue = buf.as_mut_ptr() as *mut c_void;
        match call!(self.m, C_GetAttributeValue(self.h, obj, &mut a, 1)) {
            Ok(()) => {
                buf.truncate(a.ulValueLen as usize);
                Attr::Bytes(buf)
            }
            Err(_) => Attr::Absent,
        }
    }

    pub fn destroy(&self, obj: CK_OBJECT_HANDLE) -> P11Result<()> {
        call!(self.m, C_DestroyObject(self.h, obj))
    }

    pub fn create(&self, template: &[(CK_ATTRIBUTE_TYPE, Val)]) -> P11Result<CK_OBJECT_HANDLE> {
        let (mut attrs, _keep) = raw_template(template);
        let mut h: CK_OBJECT_HANDLE = 0;
        call!(
            self.m,
            C_CreateObject(self.h, attrs.as_mut_ptr(), attrs.len() as CK_ULONG, &mut h)
        )?;
        Ok(h)
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = call!(self.m, C_CloseSession(self.h));
    }
}

/// A `CK_ATTRIBUTE` array and the buffers it points into (secrets zeroized on drop).
fn raw_template(
    template: &[(CK_ATTRIBUTE_TYPE, Val)],
) -> (Vec<CK_ATTRIBUTE>, Vec<Zeroizing<Vec<u8>>>) {
    let mut bufs: Vec<Zeroizing<Vec<u8>>> = template
        .iter()
        .map(|(_, v)| {
            Zeroizing::new(match v {
                Val::Bool(b) => vec![if *b { CK_TRUE } else { CK_FALSE }],
                Val::Ulong(u) => u.to_ne_bytes().to_vec(),
                Val::Bytes(b) => b.clone(),
                Val::Secret(s) => s.to_vec(),
            })
        })
        .collect();
    let attrs = template
        .iter()
        .zip(bufs.iter_mut())
        .map(|((ty, _), b)| CK_ATTRIBUTE {
            type_: *ty,
            pValue: b.as_mut_ptr() as *mut c_void,
            ulValueLen: b.len() as CK_ULONG,
        })
        .collect();
    (attrs, bufs)
}
