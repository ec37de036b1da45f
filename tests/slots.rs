//! Slot events and slot information: C_WaitForSlotEvent and C_GetSlotInfo.

mod common;

use common::raw::*;
use common::*;
use cryptoki_sys::*;
use std::ptr::null_mut;

#[test]
fn wait_for_slot_event() {
    let mut env = Env::new("");
    let lib = raw_lib();
    let wait = function_list_3_0(&lib).C_WaitForSlotEvent.unwrap();
    let mut slot: CK_SLOT_ID = 0xabcd;
    // SAFETY: `slot` is writable.
    assert_eq!(
        // SAFETY: valid pointers for the call, or NULL where the test means it.
        unsafe { wait(CKF_DONT_BLOCK, &mut slot, null_mut()) },
        CKR_NO_EVENT
    );
    // The blocking form is not supported: it must return at once rather than never. Run it
    // on a thread so that a hang fails the test instead of stalling it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut slot: CK_SLOT_ID = 0xabcd;
        // SAFETY: `slot` is writable.
        let rv = unsafe { wait(0, &mut slot, null_mut()) };
        let _ = tx.send(rv);
    });
    let rv = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("blocking C_WaitForSlotEvent did not return");
    assert_eq!(rv, CKR_FUNCTION_NOT_SUPPORTED);

    env.unload();
    // SAFETY: `slot` is writable.
    unsafe {
        assert_eq!(
            wait(CKF_DONT_BLOCK, &mut slot, null_mut()),
            CKR_CRYPTOKI_NOT_INITIALIZED
        );
        assert_eq!(wait(0, &mut slot, null_mut()), CKR_CRYPTOKI_NOT_INITIALIZED);
    }
}

#[test]
fn slot_info_describes_a_present_software_token() {
    let env = Env::new("token.slot_count = 2\n");
    let slots = env.p11().get_all_slots().unwrap();
    assert_eq!(slots.len(), 2);
    let lib = raw_lib();
    let mut descriptions = Vec::new();
    for slot in &slots {
        let info = env.p11().get_slot_info(*slot).unwrap();
        assert!(
            info.slot_description().starts_with("Craton HSM"),
            "{:?}",
            info.slot_description()
        );
        assert_eq!(info.manufacturer_id(), "Craton HSM");
        assert!(info.token_present());
        assert!(!info.removable_device());
        assert!(!info.hardware_slot());
        descriptions.push(info.slot_description().to_string());

        // The raw structure: blank-padded fixed fields, exactly CKF_TOKEN_PRESENT.
        let mut raw = CK_SLOT_INFO::default();
        // SAFETY: `raw` is writable.
        assert_eq!(unsafe { lib.0.C_GetSlotInfo(slot.id(), &mut raw) }, CKR_OK);
        assert_eq!(raw.flags, CKF_TOKEN_PRESENT);
        let mut manufacturer = [b' '; 32];
        manufacturer[..10].copy_from_slice(b"Craton HSM");
        assert_eq!(raw.manufacturerID, manufacturer);
        let d = descriptions.last().unwrap().as_bytes();
        assert_eq!(&raw.slotDescription[..d.len()], d);
        assert!(raw.slotDescription[d.len()..].iter().all(|&b| b == b' '));
        // SAFETY: a NULL info pointer is the point of this call.
        assert_eq!(
            // SAFETY: valid pointers for the call, or NULL where the test means it.
            unsafe { lib.0.C_GetSlotInfo(slot.id(), null_mut()) },
            CKR_ARGUMENTS_BAD
        );
    }
    // Each slot has its own description.
    assert_ne!(descriptions[0], descriptions[1]);
    // Present even before the token is initialized, and still after.
    env.init_token();
    assert!(env.p11().get_slot_info(slots[0]).unwrap().token_present());
}
