//! Where the loaded module lives on disk (for the integrity self-test): `dladdr` on Unix,
//! `GetModuleHandleExW` + `GetModuleFileNameW` on Windows; and telling the core about `fork`.

use std::path::PathBuf;

/// Has the core told, in every child this process forks from now on, that it is a child
/// (`pthread_atfork`), so a module inherited from the parent is not used. Once per process.
#[cfg(unix)]
pub(crate) fn watch_forks() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    extern "C" fn child() {
        craton_hsm_core::module::forked();
    }
    ONCE.call_once(|| {
        // SAFETY: registers a handler with no parent-side parts; `child` only bumps an atomic
        // counter, which is async-signal-safe as a fork child handler must be.
        let rc = unsafe { libc::pthread_atfork(None, None, Some(child)) };
        if rc != 0 {
            tracing::error!(
                "pthread_atfork failed ({rc}): a forked child could use the parent's module"
            );
        }
    });
}

/// Windows has no `fork`.
#[cfg(windows)]
pub(crate) fn watch_forks() {}

/// The path of the library file this code was loaded from.
#[cfg(unix)]
pub(crate) fn library_path() -> Option<PathBuf> {
    use std::ffi::{CStr, OsStr};
    use std::os::unix::ffi::OsStrExt;
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    let addr = library_path as *const () as *const libc::c_void;
    // SAFETY: `addr` is an address inside this library; dladdr fills `info` on success.
    if unsafe { libc::dladdr(addr, info.as_mut_ptr()) } == 0 {
        return None;
    }
    // SAFETY: dladdr succeeded, so `info` is initialized.
    let info = unsafe { info.assume_init() };
    if info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dli_fname is a NUL-terminated string owned by the loader.
    let name = unsafe { CStr::from_ptr(info.dli_fname) };
    let path = PathBuf::from(OsStr::from_bytes(name.to_bytes()));
    Some(std::fs::canonicalize(&path).unwrap_or(path))
}

/// The path of the library file this code was loaded from.
#[cfg(windows)]
pub fn library_path() -> Option<PathBuf> {
    use std::os::windows::ffi::OsStringExt;
    use windows_sys::Win32::Foundation::HMODULE;
    use windows_sys::Win32::System::LibraryLoader::{
        GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
        GetModuleFileNameW, GetModuleHandleExW,
    };
    let mut module: HMODULE = std::ptr::null_mut();
    let flags =
        GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT;
    // SAFETY: the address is inside this DLL; the call writes the module handle.
    if unsafe { GetModuleHandleExW(flags, library_path as *const () as *const u16, &mut module) }
        == 0
    {
        return None;
    }
    let mut buf = vec![0u16; 32_768];
    // SAFETY: `buf` has room for `buf.len()` UTF-16 units.
    let n = unsafe { GetModuleFileNameW(module, buf.as_mut_ptr(), buf.len() as u32) } as usize;
    if n == 0 || n >= buf.len() {
        return None;
    }
    Some(PathBuf::from(std::ffi::OsString::from_wide(&buf[..n])))
}
