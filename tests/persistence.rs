//! Persistence: keys survive a restart, several processes share one store, and a process
//! killed mid-write leaves it consistent. Helper processes are this test binary re-run in a
//! child role (see `common::child`).

mod common;

use common::*;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::{SessionState, UserType};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

/// The helper-process side of the tests below; a no-op in a normal test run.
#[test]
fn child_entry() {
    let Some(role) = child_role() else { return };
    let p11 = child_module();
    let slot = p11.get_all_slots().unwrap()[0];
    if role == "reinit" {
        // C_InitToken wants no session open in this process.
        p11.init_token(slot, &pin(SO_PIN), "reinitialized").unwrap();
        return;
    }
    let s = p11.open_rw_session(slot).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    match role.as_str() {
        "create" => {
            s.create_object(&[
                Attribute::Class(ObjectClass::DATA),
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Label(b"from-child".to_vec()),
            ])
            .unwrap();
        }
        "expect-parent-object" => {
            let found = s
                .find_objects(&[Attribute::Label(b"from-parent".to_vec())])
                .unwrap();
            assert_eq!(
                found.len(),
                1,
                "child must see the parent's committed object"
            );
        }
        "revoke-shared-key" => {
            let found = s
                .find_objects(&[Attribute::Label(b"shared-key".to_vec())])
                .unwrap();
            assert_eq!(found.len(), 1, "child must see the parent's key");
            s.update_attributes(found[0], &[Attribute::Sign(false)])
                .unwrap();
        }
        "write-forever" => {
            for i in 0u64.. {
                s.generate_key(
                    &Mechanism::AesKeyGen,
                    &[
                        Attribute::ValueLen(32.into()),
                        Attribute::Token(true),
                        Attribute::Label(format!("k{i}").into_bytes()),
                    ],
                )
                .unwrap();
                println!("written {i}");
            }
        }
        other => panic!("unknown child role {other}"),
    }
}

#[test]
fn token_keys_survive_a_restart() {
    let mut env = Env::new("");
    let s = env.user_session();
    let (public, private) = s
        .generate_key_pair(
            &Mechanism::RsaPkcsKeyPairGen,
            &[
                Attribute::ModulusBits(2048.into()),
                Attribute::Token(true),
                Attribute::Label(b"persist".to_vec()),
            ],
            &[
                Attribute::Token(true),
                Attribute::Label(b"persist".to_vec()),
                Attribute::Sign(true),
            ],
        )
        .unwrap();
    let sig = s
        .sign(&Mechanism::Sha256RsaPkcs, private, b"before")
        .unwrap();
    let _ = public;
    drop(s);
    env.reload();
    let slot = env.slot();
    let s = env.p11().open_ro_session(slot).unwrap();
    // Before login only the public key is visible.
    let found = s
        .find_objects(&[Attribute::Label(b"persist".to_vec())])
        .unwrap();
    assert_eq!(found.len(), 1);
    s.verify(&Mechanism::Sha256RsaPkcs, found[0], b"before", &sig)
        .unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    let private = s
        .find_objects(&[
            Attribute::Label(b"persist".to_vec()),
            Attribute::Class(ObjectClass::PRIVATE_KEY),
        ])
        .unwrap();
    assert_eq!(private.len(), 1);
    let again = s
        .sign(&Mechanism::Sha256RsaPkcs, private[0], b"before")
        .unwrap();
    assert_eq!(again, sig, "the same key after a restart");
}

#[test]
fn two_processes_see_each_others_commits() {
    let env = Env::new("");
    let s = env.user_session();
    // The parent keeps its session open while a child writes.
    let status = child("child_entry", "create", &env.config)
        .status()
        .unwrap();
    assert!(status.success());
    let found = s
        .find_objects(&[Attribute::Label(b"from-child".to_vec())])
        .unwrap();
    assert_eq!(
        found.len(),
        1,
        "the parent sees the child's object without restarting"
    );
    s.create_object(&[
        Attribute::Class(ObjectClass::DATA),
        Attribute::Token(true),
        Attribute::Label(b"from-parent".to_vec()),
    ])
    .unwrap();
    let status = child("child_entry", "expect-parent-object", &env.config)
        .status()
        .unwrap();
    assert!(status.success());
    // A destroy in one process is seen by the other.
    s.destroy_object(found[0]).unwrap();
    assert!(
        s.find_objects(&[Attribute::Label(b"from-child".to_vec())])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_writer_killed_mid_write_leaves_the_store_consistent() {
    let mut env = Env::new("");
    drop(env.user_session());
    env.unload();
    for round in 0..3 {
        let mut proc = child("child_entry", "write-forever", &env.config)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(proc.stdout.take().unwrap()).lines();
        // Let it commit a few keys, then kill it at an arbitrary point.
        let wanted = 5 + round * 7;
        let mut written = 0;
        while written < wanted {
            match lines.next() {
                Some(Ok(l)) if l.starts_with("written") => written += 1,
                Some(_) => {}
                None => panic!("writer exited early"),
            }
        }
        std::thread::sleep(Duration::from_millis(3 * round as u64));
        proc.kill().unwrap();
        proc.wait().unwrap();
    }
    // SQLite's own check, then every key readable and usable through the module.
    let db = env.store_dir().join("token-0.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    env.load();
    let s = env.p11().open_ro_session(env.slot()).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    let keys = s
        .find_objects(&[Attribute::Class(ObjectClass::SECRET_KEY)])
        .unwrap();
    assert!(
        keys.len() >= 5 + 12 + 19,
        "every committed key is there ({})",
        keys.len()
    );
    for k in keys {
        let attrs = s
            .get_attributes(k, &[cryptoki::object::AttributeType::ValueLen])
            .unwrap();
        assert_eq!(attrs[0], Attribute::ValueLen(32.into()));
    }
}

/// Another process's C_InitToken replaces the token under this one: this process's login,
/// token key and objects go with the old token, so nothing is sealed under the old key.
#[test]
fn reinit_by_another_process_ends_this_login() {
    let env = Env::new("");
    let s = env.user_session();
    let before = [
        Attribute::ValueLen(32.into()),
        Attribute::Token(true),
        Attribute::Label(b"before".to_vec()),
    ];
    s.generate_key(&Mechanism::AesKeyGen, &before).unwrap();

    let status = child("child_entry", "reinit", &env.config)
        .status()
        .expect("run child");
    assert!(status.success(), "child failed: {status}");

    assert_eq!(
        s.get_session_info().unwrap().session_state(),
        SessionState::RwPublic
    );
    assert!(
        s.find_objects(&[Attribute::Label(b"before".to_vec())])
            .unwrap()
            .is_empty()
    );
    assert_rv!(
        s.generate_key(&Mechanism::AesKeyGen, &before),
        cryptoki::error::RvError::UserNotLoggedIn
    );
    let info = env.p11().get_token_info(env.slot()).unwrap();
    assert_eq!(info.label(), "reinitialized");
    assert!(!info.user_pin_initialized());
}

/// A key another process changes is used under its new attributes once `KEY_USE_FRESHNESS`
/// (20 ms) has passed, even by a caller that only signs (no object-management call between).
#[test]
fn another_process_revoking_a_key_takes_effect_for_signing() {
    let env = Env::new("");
    let s = env.user_session();
    let key = s
        .generate_key(
            &Mechanism::GenericSecretKeyGen,
            &[
                Attribute::ValueLen(32.into()),
                Attribute::Token(true),
                Attribute::Sign(true),
                Attribute::Label(b"shared-key".to_vec()),
            ],
        )
        .unwrap();
    s.sign(&Mechanism::Sha256Hmac, key, b"before").unwrap();
    let status = child("child_entry", "revoke-shared-key", &env.config)
        .status()
        .expect("run child");
    assert!(status.success(), "child failed: {status}");
    std::thread::sleep(Duration::from_millis(50));
    assert_rv!(
        s.sign(&Mechanism::Sha256Hmac, key, b"after"),
        cryptoki::error::RvError::KeyFunctionNotPermitted
    );
}

/// The token database and its WAL files are readable by their owner only.
#[cfg(unix)]
#[test]
fn the_store_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new("");
    let s = env.user_session();
    s.generate_key(
        &Mechanism::AesKeyGen,
        &[Attribute::ValueLen(32.into()), Attribute::Token(true)],
    )
    .unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(env.store_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains(".sqlite") {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 2, "the database and its WAL");
}

/// A damaged object row (here: one flipped byte of its sealed blob) costs that object only:
/// the login works, the other objects are there, and the row stays in the store untouched.
#[test]
fn a_damaged_row_does_not_break_login() {
    let mut env = Env::new("");
    let s = env.user_session();
    for label in ["damaged", "intact"] {
        s.create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .unwrap();
    }
    drop(s);
    env.unload();

    let db = rusqlite::Connection::open(env.store_dir().join("token-0.sqlite")).unwrap();
    let (rowid, mut sealed): (i64, Vec<u8>) = db
        .query_row(
            "SELECT rowid, sealed FROM objects ORDER BY rowid LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    db.execute(
        "UPDATE objects SET sealed = ?1 WHERE rowid = ?2",
        rusqlite::params![sealed, rowid],
    )
    .unwrap();
    drop(db);

    env.load();
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    let labels: Vec<_> = s
        .find_objects(&[Attribute::Class(ObjectClass::DATA)])
        .unwrap()
        .into_iter()
        .map(|o| {
            s.get_attributes(o, &[cryptoki::object::AttributeType::Label])
                .unwrap()
        })
        .collect();
    assert_eq!(labels, vec![vec![Attribute::Label(b"intact".to_vec())]]);
    drop(s);
    env.unload();
    let db = rusqlite::Connection::open(env.store_dir().join("token-0.sqlite")).unwrap();
    let rows: i64 = db
        .query_row("SELECT count(*) FROM objects", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2, "the damaged row is kept");
}
