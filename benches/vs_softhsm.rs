//! Craton HSM and SoftHSMv2 side by side, both loaded through the `cryptoki` crate into this
//! one process and driven with the same calls, so the ratio is the modules' and not the
//! client's. Each module gets a throw-away token, a logged-in user session and its keys;
//! then every operation is measured on both in turn.
//!
//!   cargo bench --bench vs_softhsm                                   # RustCrypto backend
//!   cargo bench --bench vs_softhsm --no-default-features --features awslc-backend
//!
//! SoftHSMv2 comes from Debian's `softhsm2` (or `$SOFTHSM2_LIB`); without it only Craton HSM
//! is measured. `$CRATON_HSM_BENCH_LIB` overrides the Craton library path.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::object::{Attribute, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use std::hint::black_box;
use std::path::{Path, PathBuf};

const SO_PIN: &str = "87654321";
const USER_PIN: &str = "123456";
const P256: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// One module under test, ready to work.
struct Module {
    name: &'static str,
    _dir: tempfile::TempDir,
    p11: Pkcs11,
    session: Session,
    rsa: (ObjectHandle, ObjectHandle),
    ec: (ObjectHandle, ObjectHandle),
    aes: ObjectHandle,
}

fn craton_lib() -> PathBuf {
    if let Some(p) = std::env::var_os("CRATON_HSM_BENCH_LIB") {
        return p.into();
    }
    // Benches run from target/<profile>/deps, next to the cdylib cargo built for them.
    let exe = std::env::current_exe().expect("bench binary");
    exe.parent().expect("deps dir").join("libcraton_hsm.so")
}

fn softhsm_lib() -> Option<PathBuf> {
    let p = std::env::var_os("SOFTHSM2_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"));
    p.is_file().then_some(p)
}

/// Writes the module's config in `dir` and points its environment variable at it.
fn configure(name: &str, dir: &Path) {
    let store = dir.join("store");
    std::fs::create_dir_all(&store).unwrap();
    let (var, file, text) = if name == "craton" {
        (
            "CRATON_HSM_CONFIG",
            "craton_hsm.toml",
            format!("token.storage_path = {store:?}\nsecurity.pbkdf2_iterations = 1000\n"),
        )
    } else {
        (
            "SOFTHSM2_CONF",
            "softhsm2.conf",
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\n",
                store.display()
            ),
        )
    };
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    // SAFETY: set up before any measurement, on the only thread.
    unsafe { std::env::set_var(var, path) };
}

fn open(name: &'static str, lib: &Path) -> Module {
    let dir = tempfile::tempdir().unwrap();
    configure(name, dir.path());
    let p11 = Pkcs11::new(lib).unwrap_or_else(|e| panic!("load {}: {e}", lib.display()));
    p11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = p11.get_slots_with_token().unwrap()[0];
    p11.init_token(slot, &AuthPin::from(SO_PIN), "bench")
        .unwrap();
    // SoftHSM moves an initialized token to a new slot.
    let slot = p11
        .get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let s = p11.open_rw_session(slot).unwrap();
    s.login(UserType::So, Some(&AuthPin::from(SO_PIN))).unwrap();
    s.init_pin(&AuthPin::from(USER_PIN)).unwrap();
    s.logout().unwrap();
    s.login(UserType::User, Some(&AuthPin::from(USER_PIN)))
        .unwrap();
    let rsa = rsa_pair(&s);
    let ec = ec_pair(&s);
    let aes = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::ValueLen(32.into()),
                Attribute::Encrypt(true),
                Attribute::Decrypt(true),
            ],
        )
        .unwrap();
    Module {
        name,
        _dir: dir,
        p11,
        session: s,
        rsa,
        ec,
        aes,
    }
}

fn rsa_pair(s: &Session) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::RsaPkcsKeyPairGen,
        &[
            Attribute::ModulusBits(2048.into()),
            Attribute::PublicExponent(vec![1, 0, 1]),
            Attribute::Verify(true),
        ],
        &[Attribute::Sign(true)],
    )
    .unwrap()
}

fn ec_pair(s: &Session) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::EccKeyPairGen,
        &[Attribute::EcParams(P256.to_vec()), Attribute::Verify(true)],
        &[Attribute::Sign(true)],
    )
    .unwrap()
}

impl Module {
    fn label(&self, mech: &Mechanism) -> String {
        match mech {
            Mechanism::Ecdsa => self.name.to_string(),
            _ => format!("{} (ECDSA-SHA256, 1 KiB)", self.name),
        }
    }
}

/// Raw ECDSA over a 32-byte value where the module has it, else ECDSA-SHA256 over 1 KiB.
fn ecdsa_input(m: &Module) -> (Mechanism<'static>, Vec<u8>) {
    let slot = m.session.get_session_info().unwrap().slot_id();
    let raw = m
        .p11
        .get_mechanism_list(slot)
        .unwrap()
        .contains(&cryptoki::mechanism::MechanismType::ECDSA);
    if raw {
        (Mechanism::Ecdsa, vec![0x3cu8; 32])
    } else {
        (Mechanism::EcdsaSha256, vec![0x5au8; 1024])
    }
}

fn modules() -> Vec<Module> {
    let mut v = vec![open("craton", &craton_lib())];
    match softhsm_lib() {
        Some(lib) => v.push(open("softhsm2", &lib)),
        None => eprintln!("SoftHSMv2 not found: measuring Craton HSM alone"),
    }
    v
}

fn bench(c: &mut Criterion) {
    let ms = modules();
    let msg = vec![0x5au8; 1024];
    let block = vec![0xa5u8; 4096];

    let mut g = c.benchmark_group("sign SHA256-RSA-PKCS 2048, 1 KiB");
    for m in &ms {
        g.bench_function(BenchmarkId::from_parameter(m.name), |b| {
            b.iter(|| {
                m.session
                    .sign(&Mechanism::Sha256RsaPkcs, m.rsa.1, black_box(&msg))
                    .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("verify SHA256-RSA-PKCS 2048, 1 KiB");
    for m in &ms {
        let sig = m
            .session
            .sign(&Mechanism::Sha256RsaPkcs, m.rsa.1, &msg)
            .unwrap();
        g.bench_function(BenchmarkId::from_parameter(m.name), |b| {
            b.iter(|| {
                m.session
                    .verify(&Mechanism::Sha256RsaPkcs, m.rsa.0, black_box(&msg), &sig)
                    .unwrap()
            })
        });
    }
    g.finish();

    // SoftHSMv2 2.6 has raw CKM_ECDSA only and AWS-LC's build has CKM_ECDSA_SHA256 only: each
    // module signs a 32-byte SHA-256 value with CKM_ECDSA where it can (hashing 1 KiB costs
    // about a microsecond, so the two forms compare).
    let mut g = c.benchmark_group("sign ECDSA P-256 (SHA-256)");
    for m in &ms {
        let (mech, input) = ecdsa_input(m);
        g.bench_function(BenchmarkId::from_parameter(m.label(&mech)), |b| {
            b.iter(|| m.session.sign(&mech, m.ec.1, black_box(&input)).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("verify ECDSA P-256 (SHA-256)");
    for m in &ms {
        let (mech, input) = ecdsa_input(m);
        let sig = m.session.sign(&mech, m.ec.1, &input).unwrap();
        g.bench_function(BenchmarkId::from_parameter(m.label(&mech)), |b| {
            b.iter(|| {
                m.session
                    .verify(&mech, m.ec.0, black_box(&input), &sig)
                    .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("encrypt AES-256-GCM, 4 KiB");
    g.throughput(Throughput::Bytes(block.len() as u64));
    for m in &ms {
        g.bench_function(BenchmarkId::from_parameter(m.name), |b| {
            let mut iv = [7u8; 12];
            b.iter(|| {
                let params = GcmParams::new(&mut iv, b"aad", 128.into()).unwrap();
                m.session
                    .encrypt(&Mechanism::AesGcm(params), m.aes, black_box(&block))
                    .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("digest SHA-256, 4 KiB");
    g.throughput(Throughput::Bytes(block.len() as u64));
    for m in &ms {
        g.bench_function(BenchmarkId::from_parameter(m.name), |b| {
            b.iter(|| {
                m.session
                    .digest(&Mechanism::Sha256, black_box(&block))
                    .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("generate random, 32 bytes");
    for m in &ms {
        g.bench_function(BenchmarkId::from_parameter(m.name), |b| {
            let mut out = [0u8; 32];
            b.iter(|| {
                m.session
                    .generate_random_slice(black_box(&mut out))
                    .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("generate key pair EC P-256 (session object)");
    g.sample_size(20);
    for m in &ms {
        g.bench_function(BenchmarkId::from_parameter(m.name), |b| {
            b.iter(|| {
                let (public, private) = ec_pair(&m.session);
                m.session.destroy_object(public).unwrap();
                m.session.destroy_object(private).unwrap();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
