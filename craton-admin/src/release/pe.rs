//! The Windows module must be what it claims: an x86-64 PE DLL exporting the PKCS#11 entry
//! point (a stand-in file of the right name fails here even with every checksum rewritten).

use object::LittleEndian as LE;
use object::read::pe::{ImageNtHeaders, PeFile64};

pub fn check_module_dll(bytes: &[u8]) -> Result<(), String> {
    let pe = PeFile64::parse(bytes).map_err(|e| {
        format!(
            "not a PE32+ image ({e}): a stand-in, not a Windows DLL ({} bytes)",
            bytes.len()
        )
    })?;
    let nt = pe.nt_headers();
    let fh = nt.file_header();
    if fh.machine.get(LE) != object::pe::IMAGE_FILE_MACHINE_AMD64 {
        return Err(format!("machine {:#x}, not x86-64", fh.machine.get(LE)));
    }
    if fh.characteristics.get(LE) & object::pe::IMAGE_FILE_DLL == 0 {
        return Err("a PE image that is not a DLL".into());
    }
    let exports = pe
        .export_table()
        .map_err(|e| format!("unreadable export table: {e}"))?
        .ok_or("exports nothing")?;
    let names: Vec<Vec<u8>> = exports
        .exports()
        .map_err(|e| format!("unreadable export table: {e}"))?
        .into_iter()
        .filter_map(|e| e.name.map(|n| n.to_vec()))
        .collect();
    for want in ["C_GetFunctionList", "C_GetInterface"] {
        if !names.iter().any(|n| n == want.as_bytes()) {
            return Err(format!("does not export {want}: not a PKCS#11 module"));
        }
    }
    Ok(())
}
