//! The function lists and interfaces: `C_GetFunctionList`, `C_GetInterfaceList`,
//! `C_GetInterface`. Offered: "PKCS 11" 3.2 (the default), 3.0 and 2.40, and the vendor
//! interface "Craton HSM" 1.1 and 1.0.

use super::digest::*;
use super::encrypt::*;
use super::general::*;
use super::kem::*;
use super::key::*;
use super::message::*;
use super::object::*;
use super::random::*;
use super::session::*;
use super::sign::*;
use super::slot::*;
use super::v32::*;
use super::vendor::{
    CRATON_FUNCTION_LIST, CRATON_FUNCTION_LIST_1_1, VENDOR_FUNCTION_LIST, VENDOR_FUNCTION_LIST_1_1,
};
use super::{guard, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;
use std::cell::UnsafeCell;

/// A function list: the 68 functions of 2.40 in the standard's order, then `$extra` (what each
/// later version appends), so the 2.40, 3.0 and 3.2 tables cannot drift apart.
macro_rules! function_list {
    ($ty:ident, $major:expr, $minor:expr; $($extra:ident),* $(,)?) => {
        $ty {
            version: CK_VERSION { major: $major, minor: $minor },
            C_Initialize: Some(C_Initialize),
            C_Finalize: Some(C_Finalize),
            C_GetInfo: Some(C_GetInfo),
            C_GetFunctionList: Some(C_GetFunctionList),
            C_GetSlotList: Some(C_GetSlotList),
            C_GetSlotInfo: Some(C_GetSlotInfo),
            C_GetTokenInfo: Some(C_GetTokenInfo),
            C_GetMechanismList: Some(C_GetMechanismList),
            C_GetMechanismInfo: Some(C_GetMechanismInfo),
            C_InitToken: Some(C_InitToken),
            C_InitPIN: Some(C_InitPIN),
            C_SetPIN: Some(C_SetPIN),
            C_OpenSession: Some(C_OpenSession),
            C_CloseSession: Some(C_CloseSession),
            C_CloseAllSessions: Some(C_CloseAllSessions),
            C_GetSessionInfo: Some(C_GetSessionInfo),
            C_GetOperationState: Some(C_GetOperationState),
            C_SetOperationState: Some(C_SetOperationState),
            C_Login: Some(C_Login),
            C_Logout: Some(C_Logout),
            C_CreateObject: Some(C_CreateObject),
            C_CopyObject: Some(C_CopyObject),
            C_DestroyObject: Some(C_DestroyObject),
            C_GetObjectSize: Some(C_GetObjectSize),
            C_GetAttributeValue: Some(C_GetAttributeValue),
            C_SetAttributeValue: Some(C_SetAttributeValue),
            C_FindObjectsInit: Some(C_FindObjectsInit),
            C_FindObjects: Some(C_FindObjects),
            C_FindObjectsFinal: Some(C_FindObjectsFinal),
            C_EncryptInit: Some(C_EncryptInit),
            C_Encrypt: Some(C_Encrypt),
            C_EncryptUpdate: Some(C_EncryptUpdate),
            C_EncryptFinal: Some(C_EncryptFinal),
            C_DecryptInit: Some(C_DecryptInit),
            C_Decrypt: Some(C_Decrypt),
            C_DecryptUpdate: Some(C_DecryptUpdate),
            C_DecryptFinal: Some(C_DecryptFinal),
            C_DigestInit: Some(C_DigestInit),
            C_Digest: Some(C_Digest),
            C_DigestUpdate: Some(C_DigestUpdate),
            C_DigestKey: Some(C_DigestKey),
            C_DigestFinal: Some(C_DigestFinal),
            C_SignInit: Some(C_SignInit),
            C_Sign: Some(C_Sign),
            C_SignUpdate: Some(C_SignUpdate),
            C_SignFinal: Some(C_SignFinal),
            C_SignRecoverInit: Some(C_SignRecoverInit),
            C_SignRecover: Some(C_SignRecover),
            C_VerifyInit: Some(C_VerifyInit),
            C_Verify: Some(C_Verify),
            C_VerifyUpdate: Some(C_VerifyUpdate),
            C_VerifyFinal: Some(C_VerifyFinal),
            C_VerifyRecoverInit: Some(C_VerifyRecoverInit),
            C_VerifyRecover: Some(C_VerifyRecover),
            C_DigestEncryptUpdate: Some(C_DigestEncryptUpdate),
            C_DecryptDigestUpdate: Some(C_DecryptDigestUpdate),
            C_SignEncryptUpdate: Some(C_SignEncryptUpdate),
            C_DecryptVerifyUpdate: Some(C_DecryptVerifyUpdate),
            C_GenerateKey: Some(C_GenerateKey),
            C_GenerateKeyPair: Some(C_GenerateKeyPair),
            C_WrapKey: Some(C_WrapKey),
            C_UnwrapKey: Some(C_UnwrapKey),
            C_DeriveKey: Some(C_DeriveKey),
            C_SeedRandom: Some(C_SeedRandom),
            C_GenerateRandom: Some(C_GenerateRandom),
            C_GetFunctionStatus: Some(C_GetFunctionStatus),
            C_CancelFunction: Some(C_CancelFunction),
            C_WaitForSlotEvent: Some(C_WaitForSlotEvent),
            $($extra: Some($extra),)*
        }
    };
}

/// What 3.0 appends to 2.40.
macro_rules! list_3_0 {
    ($ty:ident, $minor:expr; $($extra:ident),*) => {
        function_list!($ty, 3, $minor;
            C_GetInterfaceList, C_GetInterface, C_LoginUser, C_SessionCancel,
            C_MessageEncryptInit, C_EncryptMessage, C_EncryptMessageBegin,
            C_EncryptMessageNext, C_MessageEncryptFinal, C_MessageDecryptInit,
            C_DecryptMessage, C_DecryptMessageBegin, C_DecryptMessageNext,
            C_MessageDecryptFinal, C_MessageSignInit, C_SignMessage, C_SignMessageBegin,
            C_SignMessageNext, C_MessageSignFinal, C_MessageVerifyInit, C_VerifyMessage,
            C_VerifyMessageBegin, C_VerifyMessageNext, C_MessageVerifyFinal, $($extra),*)
    };
}

static FUNCTION_LIST_2_40: CK_FUNCTION_LIST = function_list!(CK_FUNCTION_LIST, 2, 40;);

static FUNCTION_LIST_3_0: CK_FUNCTION_LIST_3_0 = list_3_0!(CK_FUNCTION_LIST_3_0, 0;);

static FUNCTION_LIST_3_2: CK_FUNCTION_LIST_3_2 = list_3_0!(CK_FUNCTION_LIST_3_2, 2;
    C_EncapsulateKey, C_DecapsulateKey, C_VerifySignatureInit, C_VerifySignature,
    C_VerifySignatureUpdate, C_VerifySignatureFinal, C_GetSessionValidationFlags,
    C_AsyncComplete, C_AsyncGetID, C_AsyncJoin, C_WrapKeyAuthenticated, C_UnwrapKeyAuthenticated);

/// The interfaces, in writable memory: some callers (OpenSC's pkcs11-spy) write their own
/// function list into the `CK_INTERFACE` they receive, which the C types allow.
struct Interfaces(UnsafeCell<[CK_INTERFACE; 5]>);
// SAFETY: the module never writes these after initialisation; writes come only from callers,
// through pointers we handed out, as the C API permits.
unsafe impl Sync for Interfaces {}

const PKCS11_NAME: &[u8] = b"PKCS 11\0";
const VENDOR_NAME: &[u8] = b"Craton HSM\0";

/// What each interface is, for lookups (callers cannot change this copy).
const CATALOGUE: [(&[u8], *const std::ffi::c_void); 5] = [
    (
        PKCS11_NAME,
        &FUNCTION_LIST_3_2 as *const CK_FUNCTION_LIST_3_2 as *const std::ffi::c_void,
    ),
    (
        PKCS11_NAME,
        &FUNCTION_LIST_3_0 as *const CK_FUNCTION_LIST_3_0 as *const std::ffi::c_void,
    ),
    (
        PKCS11_NAME,
        &FUNCTION_LIST_2_40 as *const CK_FUNCTION_LIST as *const std::ffi::c_void,
    ),
    (
        VENDOR_NAME,
        &VENDOR_FUNCTION_LIST_1_1 as *const CRATON_FUNCTION_LIST_1_1 as *const std::ffi::c_void,
    ),
    (
        VENDOR_NAME,
        &VENDOR_FUNCTION_LIST as *const CRATON_FUNCTION_LIST as *const std::ffi::c_void,
    ),
];

const fn interface(i: usize) -> CK_INTERFACE {
    CK_INTERFACE {
        pInterfaceName: CATALOGUE[i].0.as_ptr() as *mut CK_UTF8CHAR,
        pFunctionList: CATALOGUE[i].1 as *mut std::ffi::c_void,
        flags: 0,
    }
}

static INTERFACES: Interfaces = Interfaces(UnsafeCell::new([
    interface(0),
    interface(1),
    interface(2),
    interface(3),
    interface(4),
]));

/// The version at the head of catalogue entry `i`'s function list.
fn version_of(i: usize) -> CK_VERSION {
    // SAFETY: every function list starts with its CK_VERSION.
    unsafe { *(CATALOGUE[i].1 as *const CK_VERSION) }
}

/// # Safety
/// `pp_function_list` must be NULL or writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetFunctionList(
    pp_function_list: CK_FUNCTION_LIST_PTR_PTR,
) -> CK_RV {
    guard("C_GetFunctionList", || {
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(pp_function_list)? };
        *out = &FUNCTION_LIST_2_40 as *const CK_FUNCTION_LIST as *mut CK_FUNCTION_LIST;
        Ok(())
    })
}

/// # Safety
/// `p_interfaces_list` must be NULL or hold `*pul_count` entries; `pul_count` writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetInterfaceList(
    p_interfaces_list: CK_INTERFACE_PTR,
    pul_count: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_GetInterfaceList", || {
        let all = [
            interface(0),
            interface(1),
            interface(2),
            interface(3),
            interface(4),
        ];
        // SAFETY: caller's contract.
        unsafe { ptr::deliver_list(p_interfaces_list, pul_count, &all) }
    })
}

/// # Safety
/// `p_interface_name` must be NULL or a NUL-terminated string; `p_version` NULL or valid;
/// `pp_interface` writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetInterface(
    p_interface_name: CK_UTF8CHAR_PTR,
    p_version: CK_VERSION_PTR,
    pp_interface: CK_INTERFACE_PTR_PTR,
    flags: CK_FLAGS,
) -> CK_RV {
    guard("C_GetInterface", || {
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(pp_interface)? };
        let name: &[u8] = if p_interface_name.is_null() {
            b"PKCS 11"
        } else {
            // SAFETY: caller's contract: a NUL-terminated string.
            unsafe { std::ffi::CStr::from_ptr(p_interface_name as *const std::ffi::c_char) }
                .to_bytes()
        };
        // SAFETY: caller's contract.
        let version = unsafe { p_version.as_ref() }.copied();
        // Interfaces are listed newest first, so the first match is the highest version.
        let found = (0..CATALOGUE.len()).find(|&i| {
            let (n, _) = CATALOGUE[i];
            let v = version_of(i);
            // Our interfaces set no flags, so a caller asking for any flag gets none.
            n[..n.len() - 1] == *name
                && version.is_none_or(|w| w.major == v.major && w.minor == v.minor)
                && flags == 0
        });
        match found {
            Some(i) => {
                // SAFETY: `i` indexes the 5-element array, which lives for the whole process.
                *out = unsafe { (INTERFACES.0.get() as *mut CK_INTERFACE).add(i) };
                Ok(())
            }
            None => Err(Error::ArgumentsBad),
        }
    })
}
