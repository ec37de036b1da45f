//! General-purpose functions: `C_Initialize`, `C_Finalize`, `C_GetInfo`.

use super::{guard, ptr};
use craton_hsm_core::error::Error;
use craton_hsm_core::module;
use craton_hsm_core::service::{LIBRARY_VERSION, MANUFACTURER};
use cryptoki_sys::*;

/// # Safety
/// `p_init_args` must be NULL or point to a valid `CK_C_INITIALIZE_ARGS`.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Initialize(p_init_args: CK_VOID_PTR) -> CK_RV {
    guard("C_Initialize", || {
        // SAFETY: caller's contract.
        if let Some(args) = unsafe { (p_init_args as *const CK_C_INITIALIZE_ARGS).as_ref() } {
            if !{ args.pReserved }.is_null() {
                return Err(Error::ArgumentsBad);
            }
            // Copies, not references: the struct is packed on Windows.
            let given = [
                { args.CreateMutex }.is_some(),
                { args.DestroyMutex }.is_some(),
                { args.LockMutex }.is_some(),
                { args.UnlockMutex }.is_some(),
            ];
            let all = given.iter().all(|g| *g);
            if !all && given.iter().any(|g| *g) {
                return Err(Error::ArgumentsBad);
            }
            // The module locks with the OS's primitives; it can honour application-supplied
            // mutexes only when the application also allows OS locking.
            if all && args.flags & CKF_OS_LOCKING_OK == 0 {
                return Err(Error::CantLock);
            }
        }
        super::platform::watch_forks();
        module::initialize(super::platform::library_path(), super::PROVIDERS)
    })
}

/// # Safety
/// `p_reserved` must be NULL.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Finalize(p_reserved: CK_VOID_PTR) -> CK_RV {
    guard("C_Finalize", || {
        if !p_reserved.is_null() {
            return Err(Error::ArgumentsBad);
        }
        module::finalize()
    })
}

/// # Safety
/// `p_info` must be NULL or point to a writable `CK_INFO`.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetInfo(p_info: CK_INFO_PTR) -> CK_RV {
    guard("C_GetInfo", || {
        super::m()?;
        // SAFETY: caller's contract.
        let info = unsafe { ptr::out(p_info)? };
        *info = CK_INFO::default();
        info.cryptokiVersion = CK_VERSION { major: 3, minor: 2 };
        ptr::pad(&mut info.manufacturerID, MANUFACTURER);
        ptr::pad(&mut info.libraryDescription, "Craton HSM PKCS#11 module");
        info.libraryVersion = CK_VERSION {
            major: LIBRARY_VERSION.0,
            minor: LIBRARY_VERSION.1,
        };
        Ok(())
    })
}
