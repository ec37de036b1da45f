//! `token`, `pin` and `key` commands against the built module.

mod common;

use common::*;

#[test]
fn token_init_and_info() {
    let a = Admin::new("");
    a.init_token();
    let info = a.json(&["token", "info", "--json"]);
    assert_eq!(info["label"], "admin-test");
    assert_eq!(info["initialized"], true);
    assert_eq!(info["user_pin_initialized"], true);
    let text = a.ok(&["token", "info"]);
    assert!(text.contains("label:             admin-test"), "{text}");

    // PINs from environment variables work the same; a missing one is an error, no prompt.
    let out = a
        .cmd(&[
            "token",
            "init",
            "--label",
            "again",
            "--so-pin-env",
            "SO",
            "--pin-env",
            "UP",
        ])
        .env("SO", SO_PIN)
        .env("UP", USER_PIN)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = a.fails(&[
        "token",
        "init",
        "--label",
        "x",
        "--so-pin-env",
        "NOPE_UNSET",
    ]);
    assert!(err.contains("NOPE_UNSET is not set"), "{err}");
    // Without a terminal there is no prompt: the error says how to give the PIN.
    let out = a
        .cmd(&["key", "list"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--*-pin-file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn pin_change_lockout_and_unlock() {
    let a = Admin::new("");
    a.init_token();
    // Wrong PIN: one line with the code and what to do, non-zero exit.
    let err = a.fails(&["key", "list", "--pin-file", "wrong.pin"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("craton-admin: C_Login: CKR_PIN_INCORRECT: the PIN is wrong"),
        "{err}"
    );
    // max_failed_logins = 3: two more wrong PINs lock it, then even the right one is refused.
    a.fails(&["key", "list", "--pin-file", "wrong.pin"]);
    a.fails(&["key", "list", "--pin-file", "wrong.pin"]);
    let err = a.fails(&["key", "list", "--pin-file", "user.pin"]);
    assert!(err.contains("CKR_PIN_LOCKED"), "{err}");
    assert!(err.contains("craton-admin pin unlock"), "{err}");
    assert_eq!(
        a.json(&["token", "info", "--json"])["user_pin_locked"],
        true
    );

    // The SO unlocks it by setting a new user PIN.
    let out = a.ok(&[
        "pin",
        "unlock",
        "--so-pin-file",
        "so.pin",
        "--new-pin-file",
        "new.pin",
    ]);
    assert!(out.contains("unlocked"), "{out}");
    a.ok(&["key", "list", "--pin-file", "new.pin"]);

    // The user changes it back.
    a.ok(&[
        "pin",
        "change",
        "--pin-file",
        "new.pin",
        "--new-pin-file",
        "user.pin",
    ]);
    a.ok(&["key", "list", "--pin-file", "user.pin"]);
    a.fails(&["key", "list", "--pin-file", "new.pin"]);
    // The SO PIN too.
    std::fs::write(a.path("so2.pin"), "so-secret-5678\n").unwrap();
    a.ok(&[
        "pin",
        "change",
        "--so",
        "--pin-file",
        "so.pin",
        "--new-pin-file",
        "so2.pin",
    ]);
    a.ok(&[
        "pin",
        "unlock",
        "--so-pin-file",
        "so2.pin",
        "--new-pin-file",
        "user.pin",
    ]);
}

#[test]
fn key_import_list_delete() {
    let a = Admin::new("");
    a.init_token();
    let d = a.dir.path();
    let rsa = openssl_key(
        d,
        "rsa.pem",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    );
    let ec = openssl_key(
        d,
        "ec.pem",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    );
    // SEC1 ("EC PRIVATE KEY") and DER forms.
    let st = std::process::Command::new("openssl")
        .args(["ec", "-in"])
        .arg(&ec)
        .args(["-outform", "DER", "-out"])
        .arg(d.join("ec-sec1.der"))
        .output()
        .unwrap();
    assert!(st.status.success());
    std::fs::write(d.join("aes.bin"), [7u8; 32]).unwrap();

    let imp = |file: &str, label: &str, id: &str, extra: &[&str]| {
        let mut args = vec![
            "key",
            "import",
            file,
            "--label",
            label,
            "--id",
            id,
            "--pin-file",
            "user.pin",
        ];
        args.extend_from_slice(extra);
        a.ok(&args)
    };
    let out = imp(rsa.to_str().unwrap(), "rsa-key", "01", &[]);
    assert!(
        out.contains("imported RSA-2048 key pair as 2 token object(s)"),
        "{out}"
    );
    let out = imp("ec-sec1.der", "ec-key", "02", &["--format", "sec1"]);
    assert!(out.contains("EC P-384 key pair"), "{out}");
    let out = imp(
        "aes.bin",
        "aes-key",
        "03",
        &["--format", "raw-aes", "--usage", "encrypt,decrypt"],
    );
    assert!(out.contains("AES-256 key"), "{out}");
    // Not a key: a clear error, nothing imported.
    std::fs::write(d.join("junk.bin"), b"not a key at all").unwrap();
    let err = a.fails(&[
        "key",
        "import",
        "junk.bin",
        "--label",
        "j",
        "--pin-file",
        "user.pin",
    ]);
    assert!(err.contains("not a PKCS#8, SEC1 or PKCS#1 key"), "{err}");

    let keys = a.json(&["key", "list", "--json", "--pin-file", "user.pin"]);
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 5, "{keys:?}");
    let find = |class: &str, label: &str| {
        keys.iter()
            .find(|k| k["class"] == class && k["label"] == label)
            .cloned()
            .unwrap_or_else(|| panic!("{class} {label} in {keys:?}"))
    };
    let rsa_priv = find("private", "rsa-key");
    assert_eq!(rsa_priv["size"], "2048");
    assert_eq!(rsa_priv["id"], "01");
    assert_eq!(rsa_priv["sensitive"], true);
    assert_eq!(rsa_priv["extractable"], false);
    assert_eq!(rsa_priv["usage"], serde_json::json!(["sign"]));
    assert_eq!(
        find("public", "rsa-key")["usage"],
        serde_json::json!(["verify"])
    );
    assert_eq!(find("private", "ec-key")["size"], "P-384");
    assert_eq!(
        find("secret", "aes-key")["usage"],
        serde_json::json!(["encrypt", "decrypt"])
    );
    // Without a login only public objects show.
    let public = a.json(&["key", "list", "--json", "--no-login"]);
    assert!(
        public
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["class"] == "public")
    );

    // Delete by label: both halves; without --yes and no terminal, nothing happens.
    let err = a.fails(&[
        "key",
        "delete",
        "--label",
        "rsa-key",
        "--pin-file",
        "user.pin",
    ]);
    assert!(err.contains("--yes"), "{err}");
    let out = a.ok(&[
        "key",
        "delete",
        "--label",
        "rsa-key",
        "--yes",
        "--pin-file",
        "user.pin",
    ]);
    assert!(out.contains("2 key object(s) deleted"), "{out}");
    let out = a.ok(&[
        "key",
        "delete",
        "--id",
        "03",
        "--yes",
        "--pin-file",
        "user.pin",
    ]);
    assert!(out.contains("1 key object(s) deleted"), "{out}");
    let keys = a.json(&["key", "list", "--json", "--pin-file", "user.pin"]);
    assert_eq!(keys.as_array().unwrap().len(), 2);
    let err = a.fails(&[
        "key",
        "delete",
        "--label",
        "rsa-key",
        "--yes",
        "--pin-file",
        "user.pin",
    ]);
    assert!(err.contains("no token key matches"), "{err}");

    // Each of these left an audit record naming the key, and never its material or a PIN.
    let records = Admin::records(&a.log());
    let destroyed: Vec<_> = records
        .iter()
        .filter(|r| r["operation"] == "DestroyObject")
        .collect();
    assert_eq!(destroyed.len(), 3);
    assert_eq!(destroyed[0]["object"]["label"], "rsa-key");
    assert_eq!(destroyed[2]["object"]["id"], "03");
    let log = std::fs::read_to_string(a.log()).unwrap();
    assert!(
        !log.contains(&"07".repeat(32)),
        "AES key material in the log"
    );
    assert!(
        !log.contains(USER_PIN) && !log.contains(SO_PIN),
        "a PIN in the log"
    );
}
