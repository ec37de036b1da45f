//! The core driven directly through its service API — no C ABI, no `unsafe`: a token, a user
//! session, a generated key, a signature and a multi-part encryption, as the ABI would run them.

use craton_hsm_core::crypto::{Direction, ProviderEntry};
use craton_hsm_core::mechanism::{Mechanism, Params};
use craton_hsm_core::module;
use craton_hsm_core::object::AttrValue;
use craton_hsm_core::session::operation::{OutBuf, Output};
use cryptoki_sys::*;

const PROVIDERS: &[ProviderEntry] = &[craton_hsm_rustcrypto::PROVIDER];

fn data(o: Output) -> Vec<u8> {
    match o {
        Output::Data(d) => d.to_vec(),
        other => panic!("expected data, got {other:?}"),
    }
}

#[test]
fn a_token_session_key_and_operations_without_the_abi() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("craton_hsm.toml");
    std::fs::write(
        &config,
        format!(
            "token.storage_path = {:?}\nsecurity.pbkdf2_iterations = 1000\n",
            dir.path().join("store")
        ),
    )
    .unwrap();
    let config = craton_hsm_core::config::Config::from_file(&config).unwrap();
    module::initialize_with(Some(config), None, PROVIDERS).unwrap();
    let m = module::get().unwrap();
    assert_eq!(m.slot_list(), vec![0]);
    m.init_token(0, b"so-pin-1234", "core-test").unwrap();
    let h = m
        .open_session(0, CKF_SERIAL_SESSION | CKF_RW_SESSION)
        .unwrap();
    m.login(h, CKU_SO, b"so-pin-1234").unwrap();
    m.init_pin(h, b"user-1234").unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, b"user-1234").unwrap();

    // An HMAC key and a signature, one-shot and in parts.
    let hmac = m
        .generate_key(
            h,
            &Mechanism::new(CKM_GENERIC_SECRET_KEY_GEN),
            &vec![
                (CKA_VALUE_LEN, AttrValue::Ulong(32)),
                (CKA_SIGN, AttrValue::Bool(true)),
            ],
        )
        .unwrap();
    let mac = Mechanism::new(CKM_SHA256_HMAC);
    m.sign_init(h, &mac, hmac).unwrap();
    let whole = data(m.sign(h, Some(b"core"), OutBuf::Capacity(64)).unwrap());
    m.sign_init(h, &mac, hmac).unwrap();
    m.sign_update(h, b"co").unwrap();
    m.sign_update(h, b"re").unwrap();
    assert_eq!(data(m.sign(h, None, OutBuf::Capacity(64)).unwrap()), whole);

    // AES-CBC-PAD in parts decrypts to what went in.
    let aes = m
        .generate_key(
            h,
            &Mechanism::new(CKM_AES_KEY_GEN),
            &vec![(CKA_VALUE_LEN, AttrValue::Ulong(32))],
        )
        .unwrap();
    let cbc = Mechanism {
        mech: CKM_AES_CBC_PAD,
        params: Params::Bytes(vec![9; 16]),
    };
    let msg = b"multi-part through the service API".to_vec();
    m.crypt_init(h, &cbc, aes, Direction::Encrypt).unwrap();
    let mut ct = data(
        m.crypt_update(h, Direction::Encrypt, &msg[..5], OutBuf::Capacity(64))
            .unwrap(),
    );
    ct.extend(data(
        m.crypt_update(h, Direction::Encrypt, &msg[5..], OutBuf::Capacity(64))
            .unwrap(),
    ));
    ct.extend(data(
        m.crypt_final(h, Direction::Encrypt, OutBuf::Capacity(64))
            .unwrap(),
    ));
    m.crypt_init(h, &cbc, aes, Direction::Decrypt).unwrap();
    let pt = data(
        m.crypt(h, Direction::Decrypt, &ct, OutBuf::Capacity(ct.len()))
            .unwrap(),
    );
    assert_eq!(pt, msg);

    // The refusals a caller checks for.
    assert!(m.login(h, CKU_USER, b"user-1234").is_err());
    m.close_session(h).unwrap();
    module::finalize().unwrap();
}
