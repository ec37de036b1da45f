//! C_GetOperationState / C_SetOperationState: digests and multi-part sign/verify move between
//! sessions; keys, tampering and unsaveable operations give the spec's codes.

mod common;

use common::*;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectHandle};
use cryptoki::session::Session;
use cryptoki_sys::*;

const PART1: &[u8] = b"the first half of a message, ";
const PART2: &[u8] = b"and the second half";

fn whole() -> Vec<u8> {
    [PART1, PART2].concat()
}

fn rsa_pair(s: &Session) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::RsaPkcsKeyPairGen,
        &[Attribute::ModulusBits(2048.into()), Attribute::Verify(true)],
        &[Attribute::Sign(true)],
    )
    .unwrap()
}

fn session() -> (Env, Session) {
    let env = Env::new("");
    let s = env.user_session();
    (env, s)
}

fn second_session(env: &Env) -> Session {
    env.p11().open_rw_session(env.slot()).unwrap()
}

#[test]
fn digest_state_moves_to_another_session() {
    let (env, s) = session();
    let lib = raw_lib();
    s.digest_init(&Mechanism::Sha256).unwrap();
    s.digest_update(PART1).unwrap();
    let state = lib.get_state(s.handle());
    if awslc() {
        // aws-lc-rs keeps its hash state opaque.
        assert_eq!(state, Err(CKR_STATE_UNSAVEABLE));
        return;
    }
    let state = state.unwrap();
    s.digest_update(PART2).unwrap();
    let original = s.digest_final().unwrap();
    assert_eq!(original, s.digest(&Mechanism::Sha256, &whole()).unwrap());

    let other = second_session(&env);
    assert_eq!(lib.set_state(other.handle(), &state, 0, 0), CKR_OK);
    other.digest_update(PART2).unwrap();
    assert_eq!(other.digest_final().unwrap(), original);

    // The same blob can be restored again, and into the session that made it.
    assert_eq!(lib.set_state(s.handle(), &state, 0, 0), CKR_OK);
    s.digest_update(PART2).unwrap();
    assert_eq!(s.digest_final().unwrap(), original);
}

#[test]
fn sha3_digest_state() {
    let (env, s) = session();
    let lib = raw_lib();
    if awslc() {
        return;
    }
    let mut m = CK_MECHANISM {
        mechanism: CKM_SHA3_384,
        pParameter: std::ptr::null_mut(),
        ulParameterLen: 0,
    };
    // SAFETY: a valid mechanism for the duration of the call.
    assert_eq!(unsafe { lib.0.C_DigestInit(s.handle(), &mut m) }, CKR_OK);
    s.digest_update(PART1).unwrap();
    let state = lib.get_state(s.handle()).unwrap();
    let other = second_session(&env);
    assert_eq!(lib.set_state(other.handle(), &state, 0, 0), CKR_OK);
    other.digest_update(PART2).unwrap();
    let third = second_session(&env);
    let want = lib.digest(third.handle(), CKM_SHA3_384, &whole()).unwrap();
    assert_eq!(other.digest_final().unwrap(), want);
}

#[test]
fn multipart_sign_and_verify_resume_elsewhere() {
    let (env, s) = session();
    let lib = raw_lib();
    let (public, private) = rsa_pair(&s);
    let m = Mechanism::Sha256RsaPkcs;
    // PKCS#1 v1.5 is deterministic: the resumed signature must equal the one-shot one.
    let want = s.sign(&m, private, &whole()).unwrap();

    s.sign_init(&m, private).unwrap();
    s.sign_update(PART1).unwrap();
    let state = lib.get_state(s.handle()).unwrap();
    let other = second_session(&env);
    assert_eq!(
        lib.set_state(other.handle(), &state, 0, private.handle()),
        CKR_OK
    );
    other.sign_update(PART2).unwrap();
    assert_eq!(other.sign_final().unwrap(), want);
    // The original operation is untouched by the save.
    s.sign_update(PART2).unwrap();
    assert_eq!(s.sign_final().unwrap(), want);

    s.verify_init(&m, public).unwrap();
    s.verify_update(PART1).unwrap();
    let state = lib.get_state(s.handle()).unwrap();
    assert_eq!(
        lib.set_state(other.handle(), &state, 0, public.handle()),
        CKR_OK
    );
    other.verify_update(PART2).unwrap();
    other.verify_final(&want).unwrap();
    // A restored verify still rejects a wrong signature.
    assert_eq!(
        lib.set_state(other.handle(), &state, 0, public.handle()),
        CKR_OK
    );
    other.verify_update(b"something else").unwrap();
    assert_rv!(
        other.verify_final(&want),
        cryptoki::error::RvError::SignatureInvalid
    );
}

#[test]
fn ecdsa_state_resumes() {
    let (env, s) = session();
    let lib = raw_lib();
    let (public, private) = s
        .generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[Attribute::EcParams(vec![
                0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
            ])],
            &[Attribute::Sign(true)],
        )
        .unwrap();
    let m = Mechanism::EcdsaSha256;
    s.sign_init(&m, private).unwrap();
    s.sign_update(PART1).unwrap();
    let state = lib.get_state(s.handle()).unwrap();
    let other = second_session(&env);
    assert_eq!(
        lib.set_state(other.handle(), &state, 0, private.handle()),
        CKR_OK
    );
    other.sign_update(PART2).unwrap();
    let sig = other.sign_final().unwrap();
    s.verify(&m, public, &whole(), &sig).unwrap();
}

#[test]
fn keys_must_be_the_ones_saved() {
    let (env, s) = session();
    let lib = raw_lib();
    let (_, private) = rsa_pair(&s);
    let (_, other_private) = rsa_pair(&s);
    s.sign_init(&Mechanism::Sha256RsaPkcs, private).unwrap();
    s.sign_update(PART1).unwrap();
    let state = lib.get_state(s.handle()).unwrap();
    let other = second_session(&env);
    let h = other.handle();
    assert_eq!(lib.set_state(h, &state, 0, 0), CKR_KEY_NEEDED);
    assert_eq!(
        lib.set_state(h, &state, 0, other_private.handle()),
        CKR_KEY_CHANGED
    );
    assert_eq!(
        lib.set_state(h, &state, private.handle(), private.handle()),
        CKR_KEY_NOT_NEEDED
    );
    assert_eq!(lib.set_state(h, &state, 0, private.handle()), CKR_OK);
    // A failed restore left nothing behind, a good one replaced what was there.
    assert_eq!(lib.set_state(h, &state, 0, private.handle()), CKR_OK);

    if !awslc() {
        s.sign_final().unwrap();
        s.digest_init(&Mechanism::Sha256).unwrap();
        s.digest_update(PART1).unwrap();
        let digest_state = lib.get_state(s.handle()).unwrap();
        assert_eq!(
            lib.set_state(h, &digest_state, 0, private.handle()),
            CKR_KEY_NOT_NEEDED
        );
    }
}

#[test]
fn tampered_foreign_and_truncated_states_are_invalid() {
    let (mut env, s) = session();
    let lib = raw_lib();
    let (_, private) = rsa_pair(&s);
    s.sign_init(&Mechanism::Sha256RsaPkcs, private).unwrap();
    s.sign_update(PART1).unwrap();
    let state = lib.get_state(s.handle()).unwrap();
    let other = second_session(&env);
    let h = other.handle();
    for i in [0, 12, state.len() / 2, state.len() - 1] {
        let mut bad = state.clone();
        bad[i] ^= 0x01;
        assert_eq!(
            lib.set_state(h, &bad, 0, private.handle()),
            CKR_SAVED_STATE_INVALID,
            "byte {i} flipped"
        );
    }
    assert_eq!(
        lib.set_state(h, &state[..state.len() - 1], 0, private.handle()),
        CKR_SAVED_STATE_INVALID
    );
    assert_eq!(
        lib.set_state(h, &[], 0, private.handle()),
        CKR_SAVED_STATE_INVALID
    );

    // A state made before C_Finalize is no good after the next C_Initialize.
    drop(s);
    env.reload();
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    s.login(cryptoki::session::UserType::User, Some(&pin(USER_PIN)))
        .unwrap();
    let lib = raw_lib();
    assert_eq!(
        lib.set_state(s.handle(), &state, 0, private.handle()),
        CKR_SAVED_STATE_INVALID
    );
}

#[test]
fn output_buffer_convention() {
    let (_env, s) = session();
    let lib = raw_lib();
    let (_, private) = rsa_pair(&s);
    s.sign_init(&Mechanism::Sha256RsaPkcs, private).unwrap();
    s.sign_update(PART1).unwrap();
    let mut len: CK_ULONG = 0;
    // SAFETY: valid pointers for the duration of each call.
    unsafe {
        assert_eq!(
            lib.0
                .C_GetOperationState(s.handle(), std::ptr::null_mut(), &mut len),
            CKR_OK
        );
        assert!(len > 0);
        let mut small = vec![0u8; len as usize - 1];
        let mut small_len = small.len() as CK_ULONG;
        assert_eq!(
            lib.0
                .C_GetOperationState(s.handle(), small.as_mut_ptr(), &mut small_len),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(small_len, len);
        assert_eq!(
            lib.0
                .C_GetOperationState(s.handle(), std::ptr::null_mut(), std::ptr::null_mut()),
            CKR_ARGUMENTS_BAD
        );
    }
    // The operation survived all of that.
    s.sign_update(PART2).unwrap();
    s.sign_final().unwrap();
}

#[test]
fn unsaveable_and_missing_operations() {
    let (_env, s) = session();
    let lib = raw_lib();
    assert_eq!(
        lib.get_state(s.handle()),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    // MAC state is derived from the key: never exported.
    let mac_key = s
        .generate_key(
            &Mechanism::GenericSecretKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Sign(true)],
        )
        .unwrap();
    s.sign_init(&Mechanism::Sha256Hmac, mac_key).unwrap();
    s.sign_update(PART1).unwrap();
    assert_eq!(lib.get_state(s.handle()), Err(CKR_STATE_UNSAVEABLE));
    s.sign_final().unwrap();
    // Nor is cipher state.
    let aes = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Encrypt(true)],
        )
        .unwrap();
    s.encrypt_init(&Mechanism::AesCbc([7u8; 16]), aes).unwrap();
    assert_eq!(lib.get_state(s.handle()), Err(CKR_STATE_UNSAVEABLE));
    assert_eq!(lib.get_state(0x7fff_ffff), Err(CKR_SESSION_HANDLE_INVALID));
}
