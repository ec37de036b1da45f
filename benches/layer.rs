//! What the PKCS#11 layer costs. One run measures every operation on:
//! - the raw crates each provider is built on (RustCrypto crates; aws-lc-rs), called directly;
//! - Craton HSM through its C ABI on each provider (two copies of one cdylib built with both
//!   providers, loaded through the `cryptoki` crate, `crypto_backend` set in each one's config);
//! - SoftHSMv2 (Debian's `softhsm2`, or `$SOFTHSM2_LIB`) loaded the same way;
//! - `openssl speed`, where it has the operation;
//!
//! at 1 and 2 threads (one session per thread), then prints the table with the ratios
//! ours/raw provider and ours/SoftHSMv2, and the start-up and login latencies.
//!
//!   tools/bench.sh                  # the whole run; writes docs/benchmarks.md's measured part
//!   cargo bench --bench layer --features awslc-backend -- [--seconds S] [--objects N]
//!       [--markdown FILE] [--only OPERATION]
//!
//! Under `cargo test` (no `--bench` argument) it is a smoke run: every case for a few
//! milliseconds with 100 token objects, failing on any error and reporting nothing.

use craton_hsm_awslc::aws_lc_rs;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::object::{Attribute, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

const SO_PIN: &str = "87654321";
const USER_PIN: &str = "123456";
/// DER of the P-256 curve's OID (`CKA_EC_PARAMS`).
const P256: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// Signed with SHA256-RSA-PKCS.
const MSG: [u8; 1024] = [0x5a; 1024];
/// Signed with raw ECDSA, as a caller's SHA-256 digest.
const DIGEST: [u8; 32] = [0x3c; 32];
/// Encrypted, MACed and hashed.
const BLOCK: [u8; 4096] = [0xa5; 4096];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    RsaSign,
    RsaVerify,
    EcdsaSign,
    EcdsaVerify,
    AesGcm,
    Hmac,
    Sha256,
    Random,
    GenRsa,
    GenP256,
    GenAes,
    Find,
    CreateDestroy,
}

const OPS: [Op; 13] = [
    Op::RsaSign,
    Op::RsaVerify,
    Op::EcdsaSign,
    Op::EcdsaVerify,
    Op::AesGcm,
    Op::Hmac,
    Op::Sha256,
    Op::Random,
    Op::GenRsa,
    Op::GenP256,
    Op::GenAes,
    Op::Find,
    Op::CreateDestroy,
];

impl Op {
    fn label(self, objects: usize) -> String {
        match self {
            Op::RsaSign => "RSA-2048 sign (SHA256-RSA-PKCS, 1 KiB)".into(),
            Op::RsaVerify => "RSA-2048 verify (SHA256-RSA-PKCS, 1 KiB)".into(),
            Op::EcdsaSign => "ECDSA P-256 sign (raw, 32-byte digest)".into(),
            Op::EcdsaVerify => "ECDSA P-256 verify (raw, 32-byte digest)".into(),
            Op::AesGcm => "AES-256-GCM encrypt 4 KiB (init + encrypt)".into(),
            Op::Hmac => "HMAC-SHA256 4 KiB (init + sign)".into(),
            Op::Sha256 => "SHA-256 4 KiB".into(),
            Op::Random => "random 32 bytes".into(),
            Op::GenRsa => "generate RSA-2048 key pair".into(),
            Op::GenP256 => "generate P-256 key pair".into(),
            Op::GenAes => "generate AES-256 key".into(),
            Op::Find => format!("find 1 of {objects} token objects by label"),
            Op::CreateDestroy => "create + destroy a token object".into(),
        }
    }
}

/// Something measured: it makes, on the calling thread, a worker that runs `op` once per call
/// (`None`: it has no such operation).
type Worker<'a> = Box<dyn FnMut() + 'a>;

trait Subject: Sync {
    fn name(&self) -> String;
    fn worker(&self, op: Op) -> Option<Worker<'_>>;
}

struct Settings {
    seconds: f64,
    objects: usize,
    smoke: bool,
    markdown: Option<PathBuf>,
    /// `--only NAME`: the operations whose name (`RsaSign`, `AesGcm`, ...) contains NAME.
    only: Option<String>,
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    // cargo bench passes --bench; cargo test runs the binary without it.
    let smoke = !args.iter().any(|a| a == "--bench");
    Settings {
        seconds: value("--seconds").map_or(if smoke { 0.02 } else { 3.0 }, |s| {
            s.parse().expect("--seconds: a number")
        }),
        objects: value("--objects").map_or(if smoke { 100 } else { 10_000 }, |s| {
            s.parse().expect("--objects: a number")
        }),
        smoke,
        markdown: value("--markdown").map(PathBuf::from),
        only: value("--only"),
    }
}

/// Keeps a result from being optimised away.
fn consume<T>(v: T) {
    std::hint::black_box(v);
}

/// Runs `op` on `threads` threads at once for `dur`; the summed rate in operations per second.
fn rate(s: &dyn Subject, op: Op, threads: usize, dur: Duration) -> Option<f64> {
    // Probed on this thread first: a subject without the operation has no figure.
    let _probe = s.worker(op)?;
    let start = Barrier::new(threads);
    let rates: Vec<f64> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                sc.spawn(|| {
                    let mut w = s.worker(op).expect("a worker on every thread");
                    w();
                    start.wait();
                    let t0 = Instant::now();
                    let mut n = 0u64;
                    while t0.elapsed() < dur {
                        w();
                        n += 1;
                    }
                    n as f64 / t0.elapsed().as_secs_f64()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread"))
            .collect()
    });
    Some(rates.iter().sum())
}

// ---------------------------------------------------------------- raw RustCrypto crates

fn sys_rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

struct RustCryptoRaw {
    rsa: rsa::PrivateKey,
    rsa_sig: Vec<u8>,
    ec: p256::ecdsa::SigningKey,
    ec_sig: p256::ecdsa::Signature,
    key: [u8; 32],
}

impl RustCryptoRaw {
    fn new() -> Self {
        use p256::ecdsa::signature::hazmat::RandomizedPrehashSigner;
        let rsa = rsa::PrivateKey::new(&mut sys_rng(), 2048).expect("RSA key");
        let ec = p256_key();
        let rsa_sig = rsa_sign(&rsa);
        let ec_sig = ec
            .sign_prehash_with_rng(&mut sys_rng(), &DIGEST)
            .expect("ECDSA");
        RustCryptoRaw {
            rsa,
            rsa_sig,
            ec,
            ec_sig,
            key: [7; 32],
        }
    }
}

fn p256_key() -> p256::ecdsa::SigningKey {
    use p256::elliptic_curve::Generate;
    p256::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng).expect("EC key")
}

fn rsa_sign(key: &rsa::PrivateKey) -> Vec<u8> {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(MSG);
    key.sign_with_rng(
        &mut sys_rng(),
        rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        &digest,
    )
    .expect("RSA sign")
}

impl Subject for RustCryptoRaw {
    fn name(&self) -> String {
        "RustCrypto crates".into()
    }

    fn worker(&self, op: Op) -> Option<Worker<'_>> {
        use aes_gcm::aead::{Aead, KeyInit};
        use hmac::Mac;
        use p256::ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
        use sha2::Digest;
        let mut iv = 0u64;
        Some(match op {
            Op::RsaSign => Box::new(move || consume(rsa_sign(&self.rsa))),
            Op::RsaVerify => Box::new(move || {
                let digest = sha2::Sha256::digest(MSG);
                let scheme = rsa::Pkcs1v15Sign::new::<sha2::Sha256>();
                self.rsa
                    .to_public_key()
                    .verify(scheme, &digest, &self.rsa_sig)
                    .expect("RSA verify")
            }),
            Op::EcdsaSign => Box::new(move || {
                let _: p256::ecdsa::Signature = self
                    .ec
                    .sign_prehash_with_rng(&mut sys_rng(), &DIGEST)
                    .expect("ECDSA");
            }),
            Op::EcdsaVerify => Box::new(move || {
                self.ec
                    .verifying_key()
                    .verify_prehash(&DIGEST, &self.ec_sig)
                    .expect("ECDSA verify")
            }),
            Op::AesGcm => Box::new(move || {
                iv += 1;
                let mut nonce = [0u8; 12];
                nonce[4..].copy_from_slice(&iv.to_be_bytes());
                let cipher = aes_gcm::Aes256Gcm::new_from_slice(&self.key).expect("AES key");
                cipher.encrypt(&nonce.into(), &BLOCK[..]).expect("AES-GCM");
            }),
            Op::Hmac => Box::new(move || {
                let mut mac =
                    <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.key).expect("key");
                mac.update(&BLOCK);
                consume(mac.finalize());
            }),
            Op::Sha256 => Box::new(|| consume(sha2::Sha256::digest(BLOCK))),
            Op::Random | Op::GenAes => Box::new(|| {
                let mut b = [0u8; 32];
                getrandom::fill(&mut b).expect("getrandom");
            }),
            Op::GenRsa => {
                Box::new(|| consume(rsa::PrivateKey::new(&mut sys_rng(), 2048).expect("RSA key")))
            }
            Op::GenP256 => Box::new(|| consume(p256_key())),
            Op::Find | Op::CreateDestroy => return None,
        })
    }
}

// ---------------------------------------------------------------- raw aws-lc-rs

struct AwsLcRaw {
    rsa: aws_lc_rs::signature::RsaKeyPair,
    rsa_sig: Vec<u8>,
    ec: aws_lc_rs::signature::EcdsaKeyPair,
    ec_sig: Vec<u8>,
    key: [u8; 32],
}

impl AwsLcRaw {
    fn new() -> Self {
        use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, RsaKeyPair};
        let rsa = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("RSA key");
        let ec = EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING).expect("EC key");
        let rsa_sig = awslc_rsa_sign(&rsa);
        let ec_sig = ec
            .sign(&aws_lc_rs::rand::SystemRandom::new(), &DIGEST)
            .expect("ECDSA")
            .as_ref()
            .to_vec();
        AwsLcRaw {
            rsa,
            rsa_sig,
            ec,
            ec_sig,
            key: [7; 32],
        }
    }
}

fn awslc_rsa_sign(key: &aws_lc_rs::signature::RsaKeyPair) -> Vec<u8> {
    let mut sig = vec![0u8; key.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    key.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &rng,
        &MSG,
        &mut sig,
    )
    .expect("RSA sign");
    sig
}

impl Subject for AwsLcRaw {
    fn name(&self) -> String {
        "aws-lc-rs".into()
    }

    fn worker(&self, op: Op) -> Option<Worker<'_>> {
        use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
        use aws_lc_rs::signature::{self as sig, KeyPair, UnparsedPublicKey};
        use aws_lc_rs::{digest, hmac, rand};
        let mut iv = 0u64;
        Some(match op {
            Op::RsaSign => Box::new(move || consume(awslc_rsa_sign(&self.rsa))),
            Op::RsaVerify => Box::new(move || {
                UnparsedPublicKey::new(
                    &sig::RSA_PKCS1_2048_8192_SHA256,
                    self.rsa.public_key().as_ref(),
                )
                .verify(&MSG, &self.rsa_sig)
                .expect("RSA verify")
            }),
            // aws-lc-rs signs messages only: the SHA-256 of the 32-byte digest costs ~0.1 µs.
            Op::EcdsaSign => Box::new(move || {
                consume(
                    self.ec
                        .sign(&rand::SystemRandom::new(), &DIGEST)
                        .expect("ECDSA"),
                )
            }),
            Op::EcdsaVerify => Box::new(move || {
                UnparsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, self.ec.public_key().as_ref())
                    .verify(&DIGEST, &self.ec_sig)
                    .expect("ECDSA verify")
            }),
            Op::AesGcm => Box::new(move || {
                iv += 1;
                let mut nonce = [0u8; 12];
                nonce[4..].copy_from_slice(&iv.to_be_bytes());
                let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.key).expect("key"));
                let mut data = BLOCK.to_vec();
                key.seal_in_place_append_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::empty(),
                    &mut data,
                )
                .expect("AES-GCM");
            }),
            Op::Hmac => Box::new(move || {
                let key = hmac::Key::new(hmac::HMAC_SHA256, &self.key);
                consume(hmac::sign(&key, &BLOCK))
            }),
            Op::Sha256 => Box::new(|| consume(digest::digest(&digest::SHA256, &BLOCK))),
            Op::Random | Op::GenAes => Box::new(|| {
                let mut b = [0u8; 32];
                rand::fill(&mut b).expect("random");
            }),
            Op::GenRsa => Box::new(|| {
                consume(
                    sig::RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("RSA key"),
                )
            }),
            Op::GenP256 => Box::new(|| {
                consume(
                    sig::EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING)
                        .expect("EC key"),
                )
            }),
            Op::Find | Op::CreateDestroy => return None,
        })
    }
}

// ---------------------------------------------------------------- PKCS#11 modules

#[derive(Clone, Copy)]
struct Keys {
    rsa: (ObjectHandle, ObjectHandle),
    ec: (ObjectHandle, ObjectHandle),
    aes: ObjectHandle,
    hmac: ObjectHandle,
}

struct Module {
    name: String,
    lib: PathBuf,
    kind: Kind,
    _dir: tempfile::TempDir,
    p11: Pkcs11,
    slot: Slot,
    /// The session that made the keys (they are session objects and live as long as it).
    setup: Mutex<Session>,
    keys: Keys,
    rsa_sig: Vec<u8>,
    ec_sig: Vec<u8>,
    objects: usize,
}

/// Which module a config file is for.
#[derive(Clone, Copy)]
enum Kind {
    Craton(&'static str),
    SoftHsm,
}

/// A config for `kind` in `dir` (its store in `dir/store`): the environment variable and file.
fn write_config(kind: Kind, dir: &Path) -> (&'static str, PathBuf) {
    let store = dir.join("store");
    std::fs::create_dir_all(&store).unwrap();
    let (var, file, text) = match kind {
        Kind::Craton(backend) => (
            "CRATON_HSM_CONFIG",
            "craton_hsm.toml",
            format!(
                "[algorithms]\ncrypto_backend = {backend:?}\n[token]\nstorage_path = {store:?}\n"
            ),
        ),
        Kind::SoftHsm => (
            "SOFTHSM2_CONF",
            "softhsm2.conf",
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\n",
                store.display()
            ),
        ),
    };
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    (var, path)
}

/// Loads `lib` with its config (set in the environment only here, on the main thread, before
/// any worker thread exists).
fn load(lib: &Path, config: &(&'static str, PathBuf)) -> Pkcs11 {
    // SAFETY: called from the main thread while no other thread runs.
    unsafe { std::env::set_var(config.0, &config.1) };
    let p11 = Pkcs11::new(lib).unwrap_or_else(|e| panic!("load {}: {e}", lib.display()));
    p11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    p11
}

impl Module {
    fn open(name: &str, lib: &Path, kind: Kind, objects: usize) -> Module {
        let dir = tempfile::tempdir().unwrap();
        let copy = copy_library(lib, kind, dir.path(), "");
        let config = write_config(kind, dir.path());
        let p11 = load(&copy, &config);
        let slot = p11.get_slots_with_token().unwrap()[0];
        p11.init_token(slot, &AuthPin::from(SO_PIN), "bench")
            .unwrap();
        // SoftHSMv2 moves an initialized token to a new slot.
        let slot = p11.get_slots_with_initialized_token().unwrap()[0];
        let s = p11.open_rw_session(slot).unwrap();
        s.login(UserType::So, Some(&AuthPin::from(SO_PIN))).unwrap();
        s.init_pin(&AuthPin::from(USER_PIN)).unwrap();
        s.logout().unwrap();
        s.login(UserType::User, Some(&AuthPin::from(USER_PIN)))
            .unwrap();
        let keys = make_keys(&s);
        let rsa_sig = s.sign(&Mechanism::Sha256RsaPkcs, keys.rsa.1, &MSG).unwrap();
        let ec_sig = s.sign(&Mechanism::Ecdsa, keys.ec.1, &DIGEST).unwrap();
        for i in 0..objects {
            s.create_object(&data_object(&format!("bench-{i}")))
                .unwrap();
        }
        Module {
            name: name.to_string(),
            lib: copy,
            kind,
            _dir: dir,
            p11,
            slot,
            setup: Mutex::new(s),
            keys,
            rsa_sig,
            ec_sig,
            objects,
        }
    }

    /// Mean `C_Initialize` time over `n` calls on another copy of the library (its own token
    /// store, so its state is not this module's), each followed by `C_Finalize`.
    fn initialize_latency(&self, n: u32) -> Duration {
        let dir = tempfile::tempdir().unwrap();
        let copy = copy_library(&self.lib, self.kind, dir.path(), "-init");
        let config = write_config(self.kind, dir.path());
        // Held so the library stays loaded between the cycles.
        let _keep = Pkcs11::new(&copy).unwrap();
        let mut total = Duration::ZERO;
        for _ in 0..n {
            // SAFETY: the main thread, while no other thread runs.
            unsafe { std::env::set_var(config.0, &config.1) };
            let p11 = Pkcs11::new(&copy).unwrap();
            let t0 = Instant::now();
            p11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
                .unwrap();
            total += t0.elapsed();
            p11.finalize().unwrap();
        }
        total / n
    }

    /// Mean time of the first `C_Login` (user) after `C_Initialize`, over `n` cycles on another
    /// copy of the library whose token was set up once: what a short-lived client pays (Craton
    /// runs PBKDF2 here, once per PIN and process).
    fn first_login_latency(&self, n: u32) -> Duration {
        let dir = tempfile::tempdir().unwrap();
        let copy = copy_library(&self.lib, self.kind, dir.path(), "-login");
        let config = write_config(self.kind, dir.path());
        let _keep = Pkcs11::new(&copy).unwrap();
        let setup = load(&copy, &config);
        let slot = setup.get_slots_with_token().unwrap()[0];
        setup
            .init_token(slot, &AuthPin::from(SO_PIN), "bench")
            .unwrap();
        let s = setup
            .open_rw_session(setup.get_slots_with_initialized_token().unwrap()[0])
            .unwrap();
        s.login(UserType::So, Some(&AuthPin::from(SO_PIN))).unwrap();
        s.init_pin(&AuthPin::from(USER_PIN)).unwrap();
        drop(s);
        setup.finalize().unwrap();
        let mut total = Duration::ZERO;
        for _ in 0..n {
            let p11 = load(&copy, &config);
            // SoftHSMv2 numbers its slots afresh at every C_Initialize.
            let slot = p11.get_slots_with_initialized_token().unwrap()[0];
            let s = p11.open_ro_session(slot).unwrap();
            let t0 = Instant::now();
            s.login(UserType::User, Some(&AuthPin::from(USER_PIN)))
                .unwrap();
            total += t0.elapsed();
            drop(s);
            p11.finalize().unwrap();
        }
        total / n
    }

    /// Mean `C_Login` time (user) over `n` logins, each followed by `C_Logout`: the PIN this
    /// process has used before. Ends the login the keys need: run last.
    fn login_latency(&self, n: u32) -> Duration {
        let s = self.setup.lock().unwrap();
        let mut total = Duration::ZERO;
        for _ in 0..n {
            s.logout().unwrap();
            let t0 = Instant::now();
            s.login(UserType::User, Some(&AuthPin::from(USER_PIN)))
                .unwrap();
            total += t0.elapsed();
        }
        total / n
    }
}

/// A copy of `lib` per module: two instances of one library must not share its global state.
/// Craton's copies stay next to the build's library (named after the provider), so a profiler
/// can still read their symbols after the run; SoftHSMv2's go to the run's directory `dir`.
fn copy_library(lib: &Path, kind: Kind, dir: &Path, suffix: &str) -> PathBuf {
    let copy = match kind {
        Kind::Craton(backend) => lib.with_file_name(format!("libcraton_hsm-{backend}{suffix}.so")),
        Kind::SoftHsm => dir.join(format!("libsofthsm2{suffix}.so")),
    };
    std::fs::copy(lib, &copy).unwrap();
    copy
}

fn data_object(label: &str) -> Vec<Attribute> {
    vec![
        Attribute::Class(ObjectClass::DATA),
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Value(vec![0x11; 32]),
    ]
}

fn make_keys(s: &Session) -> Keys {
    let rsa = s
        .generate_key_pair(
            &Mechanism::RsaPkcsKeyPairGen,
            &rsa_template(),
            &[Attribute::Sign(true)],
        )
        .unwrap();
    let ec = s
        .generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &ec_template(),
            &[Attribute::Sign(true)],
        )
        .unwrap();
    let aes = s
        .generate_key(&Mechanism::AesKeyGen, &aes_template())
        .unwrap();
    let hmac = s
        .generate_key(
            &Mechanism::GenericSecretKeyGen,
            &[
                Attribute::ValueLen(32.into()),
                Attribute::Sign(true),
                Attribute::Verify(true),
            ],
        )
        .unwrap();
    Keys { rsa, ec, aes, hmac }
}

fn rsa_template() -> Vec<Attribute> {
    vec![
        Attribute::ModulusBits(2048.into()),
        Attribute::PublicExponent(vec![1, 0, 1]),
        Attribute::Verify(true),
    ]
}

fn ec_template() -> Vec<Attribute> {
    vec![Attribute::EcParams(P256.to_vec()), Attribute::Verify(true)]
}

fn aes_template() -> Vec<Attribute> {
    vec![
        Attribute::ValueLen(32.into()),
        Attribute::Encrypt(true),
        Attribute::Decrypt(true),
    ]
}

/// GCM IVs unique across every worker of the run.
static IV: AtomicU64 = AtomicU64::new(1);

impl Subject for Module {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn worker(&self, op: Op) -> Option<Worker<'_>> {
        let s = self.p11.open_rw_session(self.slot).unwrap();
        let k = self.keys;
        let needle = format!("bench-{}", self.objects / 2);
        Some(match op {
            Op::RsaSign => Box::new(move || {
                s.sign(&Mechanism::Sha256RsaPkcs, k.rsa.1, &MSG).unwrap();
            }),
            Op::RsaVerify => Box::new(move || {
                s.verify(&Mechanism::Sha256RsaPkcs, k.rsa.0, &MSG, &self.rsa_sig)
                    .unwrap()
            }),
            Op::EcdsaSign => Box::new(move || {
                s.sign(&Mechanism::Ecdsa, k.ec.1, &DIGEST).unwrap();
            }),
            Op::EcdsaVerify => Box::new(move || {
                s.verify(&Mechanism::Ecdsa, k.ec.0, &DIGEST, &self.ec_sig)
                    .unwrap()
            }),
            Op::AesGcm => Box::new(move || {
                let mut iv = [0u8; 12];
                iv[4..].copy_from_slice(&IV.fetch_add(1, Ordering::Relaxed).to_be_bytes());
                let params = GcmParams::new(&mut iv, &[], 128.into()).unwrap();
                s.encrypt(&Mechanism::AesGcm(params), k.aes, &BLOCK)
                    .unwrap();
            }),
            Op::Hmac => Box::new(move || {
                s.sign(&Mechanism::Sha256Hmac, k.hmac, &BLOCK).unwrap();
            }),
            Op::Sha256 => Box::new(move || {
                s.digest(&Mechanism::Sha256, &BLOCK).unwrap();
            }),
            Op::Random => Box::new(move || {
                s.generate_random_vec(32).unwrap();
            }),
            Op::GenRsa => Box::new(move || {
                let (public, private) = s
                    .generate_key_pair(
                        &Mechanism::RsaPkcsKeyPairGen,
                        &rsa_template(),
                        &[Attribute::Sign(true)],
                    )
                    .unwrap();
                s.destroy_object(public).unwrap();
                s.destroy_object(private).unwrap();
            }),
            Op::GenP256 => Box::new(move || {
                let (public, private) = s
                    .generate_key_pair(
                        &Mechanism::EccKeyPairGen,
                        &ec_template(),
                        &[Attribute::Sign(true)],
                    )
                    .unwrap();
                s.destroy_object(public).unwrap();
                s.destroy_object(private).unwrap();
            }),
            Op::GenAes => Box::new(move || {
                let key = s
                    .generate_key(&Mechanism::AesKeyGen, &aes_template())
                    .unwrap();
                s.destroy_object(key).unwrap();
            }),
            Op::Find => Box::new(move || {
                let found = s
                    .find_objects(&[Attribute::Label(needle.as_bytes().to_vec())])
                    .unwrap();
                assert_eq!(found.len(), 1, "{}: {needle}", self.name);
            }),
            Op::CreateDestroy => Box::new(move || {
                let h = s.create_object(&data_object("transient")).unwrap();
                s.destroy_object(h).unwrap();
            }),
        })
    }
}

// ---------------------------------------------------------------- openssl speed

/// Reads the figure from one line of `openssl speed -mr` output.
type Pick = fn(&str) -> Option<f64>;

/// `openssl speed -mr` figures (operations per second) for the operations it has, with
/// `-multi` processes for 2 threads.
fn openssl_speed(op: Op, threads: usize, seconds: f64) -> Option<f64> {
    let (args, pick): (&[&str], Pick) = match op {
        Op::RsaSign => (&["rsa2048"], |l| field(l, "+F2:", 3)),
        Op::RsaVerify => (&["rsa2048"], |l| field(l, "+F2:", 4)),
        Op::EcdsaSign => (&["ecdsap256"], |l| field(l, "+F4:", 3)),
        Op::EcdsaVerify => (&["ecdsap256"], |l| field(l, "+F4:", 4)),
        Op::AesGcm => (&["-bytes", "4096", "-evp", "aes-256-gcm"], per_block),
        Op::Hmac => (&["-bytes", "4096", "-hmac", "sha256"], per_block),
        Op::Sha256 => (&["-bytes", "4096", "-evp", "sha256"], per_block),
        _ => return None,
    };
    let secs = format!("{}", seconds.ceil().max(1.0) as u64);
    let multi = threads.to_string();
    let mut cmd = Command::new("openssl");
    cmd.args(["speed", "-mr", "-seconds", &secs]);
    if threads > 1 {
        cmd.args(["-multi", &multi]);
    }
    let out = cmd.args(args).output().ok()?;
    String::from_utf8_lossy(&out.stdout).lines().find_map(pick)
}

/// Field `i` (0-based, `:`-separated) of a line starting with `tag`.
fn field(line: &str, tag: &str, i: usize) -> Option<f64> {
    line.starts_with(tag)
        .then(|| line.split(':').nth(i)?.parse().ok())?
}

/// `+F:n:name:bytes-per-second` for 4 KiB blocks, as blocks per second.
fn per_block(line: &str) -> Option<f64> {
    field(line, "+F:", 3).map(|bytes| bytes / 4096.0)
}

// ---------------------------------------------------------------- the run

/// One row: the figures for each subject at 1 and 2 threads.
struct Row {
    op: Op,
    /// [RustCrypto raw, aws-lc-rs raw, Craton/RustCrypto, Craton/AWS-LC, SoftHSMv2, openssl]
    cells: Vec<[Option<f64>; 2]>,
}

fn main() {
    let cfg = settings();
    let dur = Duration::from_secs_f64(cfg.seconds);
    let craton = craton_lib();
    eprintln!(
        "layer bench: {} s per case, {} token objects, library {}",
        cfg.seconds,
        cfg.objects,
        craton.display()
    );
    let rc = RustCryptoRaw::new();
    let al = AwsLcRaw::new();
    let ours_rc = Module::open(
        "Craton (RustCrypto)",
        &craton,
        Kind::Craton("rustcrypto"),
        cfg.objects,
    );
    let ours_al = Module::open(
        "Craton (AWS-LC)",
        &craton,
        Kind::Craton("awslc"),
        cfg.objects,
    );
    let softhsm =
        softhsm_lib().map(|lib| Module::open("SoftHSMv2", &lib, Kind::SoftHsm, cfg.objects));
    if softhsm.is_none() {
        eprintln!("SoftHSMv2 not found (apt-get install softhsm2): its column stays empty");
    }
    let subjects: Vec<Option<&dyn Subject>> = vec![
        Some(&rc),
        Some(&al),
        Some(&ours_rc),
        Some(&ours_al),
        softhsm.as_ref().map(|m| m as &dyn Subject),
    ];
    let mut rows = Vec::new();
    let wanted = |op: &Op| {
        cfg.only
            .as_ref()
            .is_none_or(|o| format!("{op:?}").contains(o.as_str()))
    };
    for op in OPS.into_iter().filter(wanted) {
        let mut cells = Vec::new();
        for s in &subjects {
            let mut c = [None; 2];
            if let Some(s) = s {
                for (i, threads) in [1, 2].into_iter().enumerate() {
                    c[i] = rate(*s, op, threads, dur);
                }
            }
            cells.push(c);
        }
        // openssl speed is a reference figure, skipped in the smoke run.
        cells.push(if cfg.smoke {
            [None; 2]
        } else {
            [1, 2].map(|t| openssl_speed(op, t, cfg.seconds))
        });
        let row = Row { op, cells };
        eprintln!("{}", text_row(&row, &subjects, cfg.objects));
        rows.push(row);
    }
    let n = if cfg.smoke { 2 } else { 10 };
    let mut latency = Vec::new();
    for m in [Some(&ours_rc), Some(&ours_al), softhsm.as_ref()]
        .into_iter()
        .flatten()
    {
        let init = m.initialize_latency(n);
        let first = m.first_login_latency(n);
        let again = m.login_latency(n);
        latency.push((m.name.clone(), init, first, again));
    }
    let table = markdown(&rows, &latency, &cfg);
    println!("{table}");
    if let Some(path) = &cfg.markdown {
        std::fs::write(path, &table).unwrap();
    }
    if cfg.smoke {
        check_smoke(&rows);
    }
}

/// The smoke run fails when a subject that should have an operation measured nothing.
fn check_smoke(rows: &[Row]) {
    for row in rows {
        for (i, c) in row.cells.iter().enumerate().take(4) {
            let expected = i >= 2 || !matches!(row.op, Op::Find | Op::CreateDestroy);
            assert_eq!(
                c.iter().all(|r| r.is_some_and(|r| r > 0.0)),
                expected,
                "{:?} column {i}",
                row.op
            );
        }
    }
}

fn craton_lib() -> PathBuf {
    if let Some(p) = std::env::var_os("CRATON_HSM_BENCH_LIB") {
        return p.into();
    }
    // Benches and tests run from target/<profile>/deps, next to the cdylib cargo built.
    let exe = std::env::current_exe().expect("bench binary");
    let lib = exe.parent().expect("deps dir").join("libcraton_hsm.so");
    assert!(
        lib.is_file(),
        "{} missing: build with --features awslc-backend",
        lib.display()
    );
    lib
}

fn softhsm_lib() -> Option<PathBuf> {
    let p = std::env::var_os("SOFTHSM2_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"));
    p.is_file().then_some(p)
}

// ---------------------------------------------------------------- output

const COLUMNS: [&str; 6] = [
    "RustCrypto crates",
    "aws-lc-rs",
    "Craton, RustCrypto",
    "Craton, AWS-LC",
    "SoftHSMv2",
    "openssl speed",
];

fn fmt_rate(r: Option<f64>) -> String {
    match r {
        None => "—".into(),
        Some(r) if r >= 100_000.0 => format!("{:.0}k", r / 1000.0),
        Some(r) if r >= 10_000.0 => format!("{:.1}k", r / 1000.0),
        Some(r) if r >= 100.0 => format!("{r:.0}"),
        Some(r) => format!("{r:.1}"),
    }
}

fn fmt_ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "—".into(),
    }
}

/// A progress line: each subject's figures as they are measured.
fn text_row(row: &Row, subjects: &[Option<&dyn Subject>], objects: usize) -> String {
    let cells: Vec<String> = row
        .cells
        .iter()
        .zip(
            subjects
                .iter()
                .map(|s| s.map(|s| s.name()))
                .chain([Some("openssl".into())]),
        )
        .map(|(c, name)| {
            let name = name.unwrap_or_default();
            format!("{name} {} / {}", fmt_rate(c[0]), fmt_rate(c[1]))
        })
        .collect();
    format!("{}: {}", row.op.label(objects), cells.join(" | "))
}

/// A module's latencies: `C_Initialize`, the first `C_Login` after it, and a later one.
type Latency = (String, Duration, Duration, Duration);

fn markdown(rows: &[Row], latency: &[Latency], cfg: &Settings) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Operations per second, 1 thread / 2 threads (one session per thread), {} s per case.\n",
        cfg.seconds
    );
    let _ = writeln!(t, "| Operation | {} |", COLUMNS.join(" | "));
    let _ = writeln!(t, "|---|{}", "---|".repeat(COLUMNS.len()));
    for row in rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| format!("{} / {}", fmt_rate(c[0]), fmt_rate(c[1])))
            .collect();
        let _ = writeln!(
            t,
            "| {} | {} |",
            row.op.label(cfg.objects),
            cells.join(" | ")
        );
    }
    let _ = writeln!(
        t,
        "\nRatios at 1 thread (above 1: Craton is faster), and Craton's scaling from 1 to 2 threads.\n"
    );
    let _ = writeln!(
        t,
        "| Operation | RustCrypto: Craton / crates | AWS-LC: Craton / aws-lc-rs | Craton (RustCrypto) / SoftHSMv2 | Craton (AWS-LC) / SoftHSMv2 | scaling, RustCrypto | scaling, AWS-LC |"
    );
    let _ = writeln!(t, "|---|---|---|---|---|---|---|");
    for row in rows {
        let c = &row.cells;
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.op.label(cfg.objects),
            fmt_ratio(c[2][0], c[0][0]),
            fmt_ratio(c[3][0], c[1][0]),
            fmt_ratio(c[2][0], c[4][0]),
            fmt_ratio(c[3][0], c[4][0]),
            fmt_ratio(c[2][1], c[2][0]),
            fmt_ratio(c[3][1], c[3][0]),
        );
    }
    let _ = writeln!(
        t,
        "\nLatency, mean of {} calls: `C_Initialize` (a fresh store; Craton runs its power-on self-tests), the first user `C_Login` after a `C_Initialize`, and a `C_Login` again after `C_Logout` in the same process.\n",
        if cfg.smoke { 2 } else { 10 }
    );
    let _ = writeln!(
        t,
        "| Module | C_Initialize | first C_Login | C_Login again |"
    );
    let _ = writeln!(t, "|---|---|---|---|");
    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    for (name, init, first, again) in latency {
        let _ = writeln!(
            t,
            "| {name} | {:.2} ms | {:.2} ms | {:.2} ms |",
            ms(init),
            ms(first),
            ms(again)
        );
    }
    t
}
