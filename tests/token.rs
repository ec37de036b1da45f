//! Tokens, PINs and login, through the cryptoki crate.

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::session::{SessionState, UserType};
use cryptoki::slot::Limit;

#[test]
fn fresh_token_reports_uninitialized() {
    let env = Env::new("");
    let info = env.p11().get_token_info(env.slot()).unwrap();
    assert!(!info.token_initialized());
    assert!(!info.user_pin_initialized());
    assert!(info.login_required());
    assert!(info.rng());
    assert_eq!(info.label(), "Craton HSM");
    assert_eq!(info.serial_number().len(), 16);
}

#[test]
fn init_token_then_pin_sets_flags() {
    let env = Env::new("");
    let slot = env.init_token();
    let info = env.p11().get_token_info(slot).unwrap();
    assert!(info.token_initialized());
    assert!(info.user_pin_initialized());
    assert_eq!(info.label(), "craton-test");
    assert_eq!(info.max_pin_length(), 64);
    assert_eq!(info.min_pin_length(), 4);
}

#[test]
fn reinit_checks_the_so_pin_and_wipes_only_that_token() {
    // Two slots: one storage directory, one database per slot.
    let env = Env::new("token.slot_count = 2\n");
    let slots = env.p11().get_all_slots().unwrap();
    assert_eq!(slots.len(), 2);
    let p11 = env.p11();
    for &slot in &slots {
        p11.init_token(slot, &pin(SO_PIN), "t").unwrap();
        let s = p11.open_rw_session(slot).unwrap();
        s.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
        s.init_pin(&pin(USER_PIN)).unwrap();
        s.logout().unwrap();
        s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
        s.create_object(&[
            cryptoki::object::Attribute::Class(cryptoki::object::ObjectClass::DATA),
            cryptoki::object::Attribute::Token(true),
            cryptoki::object::Attribute::Label(b"keep".to_vec()),
        ])
        .unwrap();
        s.close().unwrap();
    }
    assert_rv!(
        p11.init_token(slots[0], &pin("wrong-so-pin"), "t"),
        RvError::PinIncorrect
    );
    // A session open on the slot blocks re-initialization.
    let s = p11.open_ro_session(slots[0]).unwrap();
    assert_rv!(
        p11.init_token(slots[0], &pin(SO_PIN), "t"),
        RvError::SessionExists
    );
    s.close().unwrap();
    p11.init_token(slots[0], &pin(SO_PIN), "fresh").unwrap();
    assert!(!p11.get_token_info(slots[0]).unwrap().user_pin_initialized());
    assert_eq!(p11.get_token_info(slots[0]).unwrap().label(), "fresh");
    // Slot 1 kept its objects.
    let s1 = p11.open_ro_session(slots[1]).unwrap();
    let found = s1
        .find_objects(&[cryptoki::object::Attribute::Label(b"keep".to_vec())])
        .unwrap();
    assert_eq!(found.len(), 1);
    let s0 = p11.open_ro_session(slots[0]).unwrap();
    assert!(s0.find_objects(&[]).unwrap().is_empty());
}

#[test]
fn pin_length_bounds() {
    let env = Env::new("");
    let slot = env.slot();
    assert_rv!(
        env.p11().init_token(slot, &pin("123"), "t"),
        RvError::PinLenRange
    );
    env.p11().init_token(slot, &pin(SO_PIN), "t").unwrap();
    let s = env.p11().open_rw_session(slot).unwrap();
    s.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
    assert_rv!(s.init_pin(&pin(&"9".repeat(65))), RvError::PinLenRange);
}

#[test]
fn login_state_machine() {
    let env = Env::new("");
    let slot = env.init_token();
    let p11 = env.p11();
    let rw = p11.open_rw_session(slot).unwrap();
    let ro = p11.open_ro_session(slot).unwrap();
    assert_eq!(
        ro.get_session_info().unwrap().session_state(),
        SessionState::RoPublic
    );
    assert_eq!(
        rw.get_session_info().unwrap().session_state(),
        SessionState::RwPublic
    );
    // The SO cannot log in while a read-only session exists.
    assert_rv!(
        rw.login(UserType::So, Some(&pin(SO_PIN))),
        RvError::SessionReadOnlyExists
    );
    // Login is shared by all sessions of the application.
    ro.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    assert_eq!(
        rw.get_session_info().unwrap().session_state(),
        SessionState::RwUser
    );
    assert_eq!(
        ro.get_session_info().unwrap().session_state(),
        SessionState::RoUser
    );
    assert_rv!(
        rw.login(UserType::User, Some(&pin(USER_PIN))),
        RvError::UserAlreadyLoggedIn
    );
    assert_rv!(
        rw.login(UserType::So, Some(&pin(SO_PIN))),
        RvError::UserAnotherAlreadyLoggedIn
    );
    rw.logout().unwrap();
    assert_rv!(rw.logout(), RvError::UserNotLoggedIn);
    ro.close().unwrap();
    rw.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
    assert_eq!(
        rw.get_session_info().unwrap().session_state(),
        SessionState::RwSecurityOfficer
    );
    // No read-only session while the SO is logged in.
    assert_rv!(p11.open_ro_session(slot), RvError::SessionReadWriteSoExists);
    // Closing the last session logs out.
    rw.close().unwrap();
    let again = p11.open_ro_session(slot).unwrap();
    assert_eq!(
        again.get_session_info().unwrap().session_state(),
        SessionState::RoPublic
    );
}

#[test]
fn user_pin_must_exist_before_user_login() {
    let env = Env::new("");
    let slot = env.slot();
    env.p11().init_token(slot, &pin(SO_PIN), "t").unwrap();
    let s = env.p11().open_rw_session(slot).unwrap();
    assert_rv!(
        s.login(UserType::User, Some(&pin(USER_PIN))),
        RvError::UserPinNotInitialized
    );
    // C_InitPIN needs the SO.
    assert_rv!(s.init_pin(&pin(USER_PIN)), RvError::UserNotLoggedIn);
}

#[test]
fn set_pin_changes_the_logged_in_users_pin() {
    let env = Env::new("");
    let slot = env.init_token();
    let p11 = env.p11();
    let s = p11.open_rw_session(slot).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    assert_rv!(
        s.set_pin(&pin("not-the-pin"), &pin("new-pin-1")),
        RvError::PinIncorrect
    );
    s.set_pin(&pin(USER_PIN), &pin("new-pin-1")).unwrap();
    s.logout().unwrap();
    assert_rv!(
        s.login(UserType::User, Some(&pin(USER_PIN))),
        RvError::PinIncorrect
    );
    s.login(UserType::User, Some(&pin("new-pin-1"))).unwrap();
    s.logout().unwrap();
    // Not logged in: C_SetPIN changes the user PIN.
    s.set_pin(&pin("new-pin-1"), &pin("new-pin-2")).unwrap();
    s.login(UserType::User, Some(&pin("new-pin-2"))).unwrap();
    s.logout().unwrap();
    // The SO changes the SO PIN.
    s.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
    s.set_pin(&pin(SO_PIN), &pin("so-pin-2")).unwrap();
    s.logout().unwrap();
    s.login(UserType::So, Some(&pin("so-pin-2"))).unwrap();
    s.logout().unwrap();
    // A read-only session cannot change PINs.
    let ro = p11.open_ro_session(slot).unwrap();
    assert_rv!(
        ro.set_pin(&pin("new-pin-2"), &pin("new-pin-3")),
        RvError::SessionReadOnly
    );
}

#[test]
fn lockout_persists_across_restart_and_init_pin_clears_it() {
    let mut env = Env::new(""); // max_failed_logins = 3
    let slot = env.init_token();
    {
        let s = env.p11().open_rw_session(slot).unwrap();
        assert_rv!(
            s.login(UserType::User, Some(&pin("bad-1"))),
            RvError::PinIncorrect
        );
        let info = env.p11().get_token_info(slot).unwrap();
        assert!(info.user_pin_count_low());
        assert!(!info.user_pin_final_try());
        assert_rv!(
            s.login(UserType::User, Some(&pin("bad-2"))),
            RvError::PinIncorrect
        );
        assert!(env.p11().get_token_info(slot).unwrap().user_pin_final_try());
    }
    // A restart does not reset the counter.
    env.reload();
    let slot = env.slot();
    let s = env.p11().open_rw_session(slot).unwrap();
    assert_rv!(
        s.login(UserType::User, Some(&pin("bad-3"))),
        RvError::PinIncorrect
    );
    assert!(env.p11().get_token_info(slot).unwrap().user_pin_locked());
    // Locked: even the right PIN is refused.
    assert_rv!(
        s.login(UserType::User, Some(&pin(USER_PIN))),
        RvError::PinLocked
    );
    // The SO resets the user PIN, which clears the lock.
    s.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
    s.init_pin(&pin("fresh-pin")).unwrap();
    s.logout().unwrap();
    let info = env.p11().get_token_info(slot).unwrap();
    assert!(!info.user_pin_locked() && !info.user_pin_count_low());
    s.login(UserType::User, Some(&pin("fresh-pin"))).unwrap();
}

#[test]
fn a_good_login_resets_the_failure_count() {
    let env = Env::new("");
    let slot = env.init_token();
    let s = env.p11().open_rw_session(slot).unwrap();
    assert_rv!(
        s.login(UserType::User, Some(&pin("bad"))),
        RvError::PinIncorrect
    );
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    assert!(!env.p11().get_token_info(slot).unwrap().user_pin_count_low());
}

#[test]
fn session_count_limit_and_handles() {
    let env = Env::new("token.max_sessions = 2\n");
    let slot = env.slot();
    let a = env.p11().open_ro_session(slot).unwrap();
    let _b = env.p11().open_rw_session(slot).unwrap();
    assert_rv!(env.p11().open_ro_session(slot), RvError::SessionCount);
    let info = env.p11().get_token_info(slot).unwrap();
    assert_eq!(info.session_count(), Some(2));
    assert_eq!(info.rw_session_count(), Some(1));
    assert!(matches!(info.max_session_count(), Limit::Max(2)));
    a.close().unwrap();
    assert_eq!(
        env.p11().get_token_info(slot).unwrap().session_count(),
        Some(1)
    );
}

/// Every attempt is charged before it is checked (so a full disk cannot hide a guess); many
/// threads logging in at once with the right PIN must still never lock the token
/// (max_failed_logins = 3 here, 32 threads).
#[test]
fn concurrent_right_pins_never_lock_the_token() {
    // A slow PIN derivation, so that the threads' checks overlap.
    let env = Env::with_config(|dir| {
        base_config(dir).replace("pbkdf2_iterations = 1000", "pbkdf2_iterations = 50000")
    });
    let slot = env.init_token();
    let sessions: Vec<_> = (0..32)
        .map(|_| env.p11().open_rw_session(slot).unwrap())
        .collect();
    // Each thread hands its session back, so that none closes (and logs out) early.
    let (outcomes, _sessions): (Vec<_>, Vec<_>) = std::thread::scope(|scope| {
        let handles: Vec<_> = sessions
            .into_iter()
            .map(|s| scope.spawn(move || (s.login(UserType::User, Some(&pin(USER_PIN))), s)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).unzip()
    });
    let ok = outcomes.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{outcomes:?}");
    for r in &outcomes {
        if let Err(e) = r {
            assert!(
                matches!(
                    e,
                    cryptoki::error::Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)
                ),
                "{outcomes:?}"
            );
        }
    }
    let info = env.p11().get_token_info(slot).unwrap();
    assert!(!info.user_pin_locked() && !info.user_pin_count_low());
}
