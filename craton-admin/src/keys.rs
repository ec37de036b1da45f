//! `key list|delete|import`.

use crate::fail::Failure;
use crate::keyfile::{self, Format, KeyMaterial};
use crate::p11::{Attr, Session, Val};
use crate::pin::UserPin;
use clap::{Subcommand, ValueEnum};
use cryptoki_sys::*;
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// The vendor attribute marking keys made by an approved service.
const CKA_VENDOR_FIPS_APPROVED: CK_ATTRIBUTE_TYPE = CKA_VENDOR_DEFINED | 1;

#[derive(Subcommand)]
pub enum KeyCommand {
    /// The keys on a token (private ones after login).
    List {
        #[arg(long, default_value_t = 0)]
        slot: u64,
        /// Public objects only, without a PIN.
        #[arg(long)]
        no_login: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        pin: UserPin,
    },
    /// Delete the token keys with this label or ID (both halves of a pair).
    Delete {
        #[arg(long, default_value_t = 0)]
        slot: u64,
        #[arg(long, required_unless_present = "id")]
        label: Option<String>,
        /// CKA_ID in hex.
        #[arg(long)]
        id: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        pin: UserPin,
    },
    /// Import a private key (PKCS#8, SEC1, PKCS#1; DER or PEM) or a raw AES key as token keys.
    Import {
        /// The key file.
        file: PathBuf,
        #[arg(long, default_value_t = 0)]
        slot: u64,
        #[arg(long)]
        label: String,
        /// CKA_ID in hex (default: none).
        #[arg(long)]
        id: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Auto)]
        format: Format,
        /// What the key may do (default: sign,verify for key pairs, encrypt,decrypt for AES).
        #[arg(long, value_enum, value_delimiter = ',')]
        usage: Vec<Usage>,
        /// Let the key be wrapped out of the token later (default: never).
        #[arg(long)]
        extractable: bool,
        #[command(flatten)]
        pin: UserPin,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Usage {
    Sign,
    Verify,
    Encrypt,
    Decrypt,
    Wrap,
    Unwrap,
    Derive,
}

const ALL_USAGES: [Usage; 7] = [
    Usage::Sign,
    Usage::Verify,
    Usage::Encrypt,
    Usage::Decrypt,
    Usage::Wrap,
    Usage::Unwrap,
    Usage::Derive,
];

impl Usage {
    fn attr(self) -> CK_ATTRIBUTE_TYPE {
        match self {
            Usage::Sign => CKA_SIGN,
            Usage::Verify => CKA_VERIFY,
            Usage::Encrypt => CKA_ENCRYPT,
            Usage::Decrypt => CKA_DECRYPT,
            Usage::Wrap => CKA_WRAP,
            Usage::Unwrap => CKA_UNWRAP,
            Usage::Derive => CKA_DERIVE,
        }
    }

    /// Whether the usage belongs on the private half (else the public one).
    fn private_side(self) -> bool {
        matches!(
            self,
            Usage::Sign | Usage::Decrypt | Usage::Unwrap | Usage::Derive
        )
    }
}

fn parse_id(id: &Option<String>) -> Result<Option<Vec<u8>>, Failure> {
    let Some(h) = id else { return Ok(None) };
    let h = h.trim_start_matches("0x");
    if h.is_empty() || h.len() % 2 != 0 || !h.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(Failure::msg(
            "--id: give the CKA_ID as hex digits, e.g. --id 01a2",
        ));
    }
    Ok(Some(
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0))
            .collect(),
    ))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn login(s: &Session, pin: &UserPin) -> Result<(), Failure> {
    let p = pin.source().read("user PIN", false).map_err(Failure::msg)?;
    s.login(CKU_USER, &p)?;
    Ok(())
}

const KEY_CLASSES: [CK_OBJECT_CLASS; 3] = [CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_SECRET_KEY];

/// One key's description, without any secret.
fn describe(s: &Session, h: CK_OBJECT_HANDLE) -> Value {
    let types = [
        CKA_CLASS,
        CKA_KEY_TYPE,
        CKA_LABEL,
        CKA_ID,
        CKA_TOKEN,
        CKA_PRIVATE,
        CKA_SENSITIVE,
        CKA_EXTRACTABLE,
        CKA_LOCAL,
        CKA_MODULUS,
        CKA_EC_PARAMS,
        CKA_VALUE_LEN,
        CKA_VENDOR_FIPS_APPROVED,
    ];
    let a = s.attrs(h, &types);
    let class = match a[0].ulong().map(|c| c as CK_OBJECT_CLASS) {
        Some(CKO_PRIVATE_KEY) => "private",
        Some(CKO_PUBLIC_KEY) => "public",
        Some(CKO_SECRET_KEY) => "secret",
        _ => "other",
    };
    let kt = a[1].ulong().map(|k| k as CK_KEY_TYPE);
    let (kind, size) = match kt {
        Some(CKK_RSA) => (
            "RSA",
            a[9].bytes().map(|m| {
                let lead = m.iter().position(|&b| b != 0).unwrap_or(m.len());
                let m = &m[lead..];
                format!(
                    "{}",
                    m.len() * 8 - m.first().map_or(8, |b| b.leading_zeros() as usize)
                )
            }),
        ),
        Some(CKK_EC) => ("EC", a[10].bytes().map(curve_name)),
        Some(CKK_EC_EDWARDS) => ("EdDSA", a[10].bytes().map(curve_name)),
        Some(CKK_EC_MONTGOMERY) => ("Montgomery", a[10].bytes().map(curve_name)),
        Some(CKK_AES) => ("AES", a[11].ulong().map(|l| format!("{}", l * 8))),
        Some(CKK_GENERIC_SECRET) => ("generic", a[11].ulong().map(|l| format!("{}", l * 8))),
        Some(CKK_ML_DSA) => ("ML-DSA", None),
        Some(CKK_ML_KEM) => ("ML-KEM", None),
        _ => ("other", None),
    };
    let usage: Vec<&str> = [
        (CKA_SIGN, "sign"),
        (CKA_VERIFY, "verify"),
        (CKA_ENCRYPT, "encrypt"),
        (CKA_DECRYPT, "decrypt"),
        (CKA_WRAP, "wrap"),
        (CKA_UNWRAP, "unwrap"),
        (CKA_DERIVE, "derive"),
    ]
    .iter()
    .filter(|(t, _)| s.attrs(h, &[*t])[0].bool() == Some(true))
    .map(|(_, n)| *n)
    .collect();
    let b = |x: &Attr| x.bool();
    json!({
        "class": class,
        "type": kind,
        "size": size,
        "label": a[2].bytes().map(|l| String::from_utf8_lossy(l).into_owned()),
        "id": a[3].bytes().map(hex),
        "token": b(&a[4]),
        "private": b(&a[5]),
        "sensitive": b(&a[6]),
        "extractable": b(&a[7]),
        "local": b(&a[8]),
        "fips_approved": b(&a[12]),
        "usage": usage,
    })
}

fn curve_name(params: &[u8]) -> String {
    match params {
        [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] => "P-256".into(),
        [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22] => "P-384".into(),
        [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23] => "P-521".into(),
        [0x06, 0x03, 0x2b, 0x65, 0x70] => "Ed25519".into(),
        [0x06, 0x03, 0x2b, 0x65, 0x6e] => "X25519".into(),
        other => format!("curve {}", hex(other)),
    }
}

fn keys_matching(
    s: &Session,
    extra: &[(CK_ATTRIBUTE_TYPE, Val)],
) -> Result<Vec<CK_OBJECT_HANDLE>, Failure> {
    let mut all = Vec::new();
    for class in KEY_CLASSES {
        let mut t = vec![(CKA_CLASS, Val::Ulong(class))];
        for (ty, v) in extra {
            t.push((
                *ty,
                match v {
                    Val::Bool(b) => Val::Bool(*b),
                    Val::Ulong(u) => Val::Ulong(*u),
                    Val::Bytes(b) => Val::Bytes(b.clone()),
                    Val::Secret(_) => continue,
                },
            ));
        }
        all.extend(s.find(&t)?);
    }
    Ok(all)
}

pub fn key(module: Option<PathBuf>, cmd: KeyCommand) -> Result<ExitCode, Failure> {
    match cmd {
        KeyCommand::List {
            slot,
            no_login,
            json,
            pin,
        } => {
            let m = crate::open(module)?;
            let s = m.open_session(slot as CK_SLOT_ID, false)?;
            if !no_login {
                login(&s, &pin)?;
            }
            let keys: Vec<Value> = keys_matching(&s, &[])?
                .into_iter()
                .map(|h| describe(&s, h))
                .collect();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&keys).unwrap_or_default()
                );
            } else {
                print_keys(&keys);
            }
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Delete {
            slot,
            label,
            id,
            yes,
            pin,
        } => {
            let id = parse_id(&id)?;
            let m = crate::open(module)?;
            let s = m.open_session(slot as CK_SLOT_ID, true)?;
            login(&s, &pin)?;
            let mut filter = vec![(CKA_TOKEN, Val::Bool(true))];
            if let Some(l) = &label {
                filter.push((CKA_LABEL, Val::Bytes(l.as_bytes().to_vec())));
            }
            if let Some(i) = &id {
                filter.push((CKA_ID, Val::Bytes(i.clone())));
            }
            let found = keys_matching(&s, &filter)?;
            if found.is_empty() {
                return Err(Failure::msg(
                    "no token key matches --label/--id; `craton-admin key list` shows the keys",
                ));
            }
            let described: Vec<Value> = found.iter().map(|&h| describe(&s, h)).collect();
            print_keys(&described);
            if !yes && !confirm(found.len())? {
                return Err(Failure::msg("nothing deleted"));
            }
            for h in found {
                s.destroy(h)?;
            }
            println!("{} key object(s) deleted", described.len());
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Import {
            file,
            slot,
            label,
            id,
            format,
            usage,
            extractable,
            pin,
        } => {
            let id = parse_id(&id)?;
            let data = zeroize::Zeroizing::new(
                std::fs::read(&file)
                    .map_err(|e| Failure::msg(format!("cannot read {}: {e}", file.display())))?,
            );
            let material = keyfile::parse(&data, format)
                .map_err(|e| Failure::msg(format!("{}: {e}", file.display())))?;
            let m = crate::open(module)?;
            let s = m.open_session(slot as CK_SLOT_ID, true)?;
            login(&s, &pin)?;
            let what = material.describe();
            let n = import(&s, material, &label, id, &usage, extractable)?;
            println!("imported {what} as {n} token object(s), label {label:?}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn confirm(n: usize) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::msg(
            "not deleting without confirmation: add --yes (stdin is not a terminal)",
        ));
    }
    eprint!("delete these {n} object(s)? [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure::msg(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn print_keys(keys: &[Value]) {
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        o => o.to_string(),
    };
    println!(
        "{:<8} {:<7} {:<8} {:<24} {:<10} {:<6} usage",
        "class", "type", "size", "label", "id", "fips"
    );
    for k in keys {
        let fips = match k["fips_approved"].as_bool() {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        let usage = k["usage"]
            .as_array()
            .map(|u| {
                u.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        println!(
            "{:<8} {:<7} {:<8} {:<24} {:<10} {:<6} {}",
            s(&k["class"]),
            s(&k["type"]),
            s(&k["size"]),
            s(&k["label"]),
            s(&k["id"]),
            fips,
            usage
        );
    }
    println!("{} key object(s)", keys.len());
}

/// Creates the key's objects; returns how many.
fn import(
    s: &Session,
    material: KeyMaterial,
    label: &str,
    id: Option<Vec<u8>>,
    usage: &[Usage],
    extractable: bool,
) -> Result<usize, Failure> {
    let common = |class: CK_OBJECT_CLASS, kt: CK_KEY_TYPE| {
        let mut t = vec![
            (CKA_CLASS, Val::Ulong(class)),
            (CKA_KEY_TYPE, Val::Ulong(kt)),
            (CKA_TOKEN, Val::Bool(true)),
            (CKA_LABEL, Val::Bytes(label.as_bytes().to_vec())),
        ];
        if let Some(i) = &id {
            t.push((CKA_ID, Val::Bytes(i.clone())));
        }
        if class != CKO_PUBLIC_KEY {
            t.push((CKA_PRIVATE, Val::Bool(true)));
            t.push((CKA_SENSITIVE, Val::Bool(true)));
            t.push((CKA_EXTRACTABLE, Val::Bool(extractable)));
        }
        t
    };
    // Every usage attribute is given, true or false, so no module default decides.
    let usage_attrs = |chosen: &[Usage], side: Option<bool>| -> Vec<(CK_ATTRIBUTE_TYPE, Val)> {
        ALL_USAGES
            .iter()
            .filter(|u| side.is_none_or(|private| u.private_side() == private))
            .map(|u| (u.attr(), Val::Bool(chosen.contains(u))))
            .collect()
    };
    let pair_default = [Usage::Sign, Usage::Verify];
    let pair_usage = |private: bool| {
        let chosen = if usage.is_empty() {
            &pair_default[..]
        } else {
            usage
        };
        usage_attrs(chosen, Some(private))
    };
    match material {
        KeyMaterial::Rsa {
            modulus,
            public_exponent,
            private_exponent,
            prime1,
            prime2,
            exponent1,
            exponent2,
            coefficient,
        } => {
            let mut private = common(CKO_PRIVATE_KEY, CKK_RSA);
            private.extend([
                (CKA_MODULUS, Val::Bytes(modulus.clone())),
                (CKA_PUBLIC_EXPONENT, Val::Bytes(public_exponent.clone())),
                (CKA_PRIVATE_EXPONENT, Val::Secret(private_exponent)),
                (CKA_PRIME_1, Val::Secret(prime1)),
                (CKA_PRIME_2, Val::Secret(prime2)),
                (CKA_EXPONENT_1, Val::Secret(exponent1)),
                (CKA_EXPONENT_2, Val::Secret(exponent2)),
                (CKA_COEFFICIENT, Val::Secret(coefficient)),
            ]);
            private.extend(pair_usage(true));
            let mut public = common(CKO_PUBLIC_KEY, CKK_RSA);
            public.extend([
                (CKA_MODULUS, Val::Bytes(modulus)),
                (CKA_PUBLIC_EXPONENT, Val::Bytes(public_exponent)),
            ]);
            public.extend(pair_usage(false));
            s.create(&private)?;
            s.create(&public)?;
            Ok(2)
        }
        KeyMaterial::Ec {
            params,
            value,
            point,
            ..
        } => {
            let mut private = common(CKO_PRIVATE_KEY, CKK_EC);
            private.push((CKA_EC_PARAMS, Val::Bytes(params.clone())));
            private.push((CKA_VALUE, Val::Secret(value)));
            private.extend(pair_usage(true));
            s.create(&private)?;
            let Some(point) = point else { return Ok(1) };
            let mut public = common(CKO_PUBLIC_KEY, CKK_EC);
            public.push((CKA_EC_PARAMS, Val::Bytes(params)));
            public.push((CKA_EC_POINT, Val::Bytes(point)));
            public.extend(pair_usage(false));
            s.create(&public)?;
            Ok(2)
        }
        KeyMaterial::Ed25519 { params, value } => {
            let mut private = common(CKO_PRIVATE_KEY, CKK_EC_EDWARDS);
            private.push((CKA_EC_PARAMS, Val::Bytes(params)));
            private.push((CKA_VALUE, Val::Secret(value)));
            private.extend(pair_usage(true));
            s.create(&private)?;
            Ok(1)
        }
        KeyMaterial::Aes { value } => {
            let mut secret = common(CKO_SECRET_KEY, CKK_AES);
            secret.push((CKA_VALUE, Val::Secret(value)));
            let aes_default = [Usage::Encrypt, Usage::Decrypt];
            let chosen = if usage.is_empty() {
                &aes_default[..]
            } else {
                usage
            };
            secret.extend(usage_attrs(chosen, None));
            s.create(&secret)?;
            Ok(1)
        }
    }
}
