//! The module's one random generator. On a provider whose entropy source is its own approved
//! DRBG (AWS-LC), every byte comes straight from that DRBG; otherwise from the module's
//! HMAC_DRBG seeded from the provider's entropy source, with SP 800-90B continuous health tests
//! on the entropy input. Either way a stuck-output test runs on every 32-byte output block. A
//! failed health test is fatal: the caller puts the module in its error state.

use super::drbg::HmacDrbg;
use super::{Provider, Rng};
use crate::error::{Error, Result};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use zeroize::Zeroizing;

/// Entropy assumed per input byte. Deliberately low (1 bit) so a seed carries far more raw
/// input than the 256 bits the DRBG needs, and the health-test cutoffs stay tight.
const ASSESSED_BITS_PER_BYTE: usize = 1;
/// Raw bytes drawn for a seed: 256 bits of assessed entropy.
const SEED_BYTES: usize = 256 / ASSESSED_BITS_PER_BYTE;
/// Nonce: half the security strength, same assessment.
const NONCE_BYTES: usize = 128 / ASSESSED_BITS_PER_BYTE;
/// SP 800-90B 4.4.1 repetition count cutoff, C = 1 + ceil(20 / H) for alpha = 2^-20.
pub const RCT_CUTOFF: usize = 1 + 20 / ASSESSED_BITS_PER_BYTE;
/// SP 800-90B 4.4.2 adaptive proportion test: window and cutoff for H = 1, alpha = 2^-20.
pub const APT_WINDOW: usize = 512;
pub const APT_CUTOFF: usize = 311;

const PERSONALIZATION: &[u8] = b"craton-hsm rng v1";

/// Continuous tests on raw entropy samples (bytes). State carries across draws.
#[derive(Default)]
pub struct EntropyHealth {
    last: Option<u8>,
    run: usize,
    apt_first: u8,
    apt_count: usize,
    apt_seen: usize,
}

impl EntropyHealth {
    /// Feeds samples; an error means the source is stuck or badly biased.
    pub fn check(&mut self, samples: &[u8]) -> Result<()> {
        for &s in samples {
            self.repetition_count(s)?;
            self.adaptive_proportion(s)?;
        }
        Ok(())
    }

    fn repetition_count(&mut self, s: u8) -> Result<()> {
        if self.last == Some(s) {
            self.run += 1;
            if self.run >= RCT_CUTOFF {
                return Err(Error::general(
                    "entropy health test failed: repetition count",
                ));
            }
        } else {
            self.last = Some(s);
            self.run = 1;
        }
        Ok(())
    }

    fn adaptive_proportion(&mut self, s: u8) -> Result<()> {
        if self.apt_seen == 0 {
            self.apt_first = s;
            self.apt_count = 1;
        } else if s == self.apt_first {
            self.apt_count += 1;
            if self.apt_count >= APT_CUTOFF {
                return Err(Error::general(
                    "entropy health test failed: adaptive proportion",
                ));
            }
        }
        self.apt_seen = (self.apt_seen + 1) % APT_WINDOW;
        Ok(())
    }
}

/// The stuck-output test on DRBG blocks: no block may equal the one before it.
#[derive(Default)]
pub struct OutputHealth {
    last: Option<Zeroizing<[u8; 32]>>,
}

impl OutputHealth {
    pub fn check(&mut self, block: &[u8; 32]) -> Result<()> {
        if self.last.as_deref() == Some(block) {
            return Err(Error::general(
                "DRBG continuous test failed: repeated output block",
            ));
        }
        self.last = Some(Zeroizing::new(*block));
        Ok(())
    }
}

struct State {
    drbg: HmacDrbg,
    entropy_health: EntropyHealth,
    output_health: OutputHealth,
}

/// How the generator makes its bytes. Each has one instance per shard, so threads drawing at
/// once do not queue behind one lock (SP 800-90A allows any number of instantiations; each
/// shard's continuous tests see its own output and entropy).
enum Engine {
    /// The module's HMAC_DRBG instances over the provider's entropy source.
    Module(Vec<Mutex<State>>),
    /// The provider's approved DRBG; only the output test's last block is per-shard state.
    Provider(Vec<Mutex<OutputHealth>>),
}

/// Shards: one per core, at most this many.
const MAX_SHARDS: usize = 8;

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The shard this thread draws from, handed out round-robin on first use.
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed);
}

fn shard<T>(shards: &[T]) -> &T {
    &shards[SHARD.with(|s| *s) % shards.len()]
}

/// The shared generator behind `C_GenerateRandom`, key generation and every module secret.
pub struct SharedRng {
    backend: &'static Provider,
    engine: Engine,
}

impl SharedRng {
    /// Draws and health-tests a seed per shard, then instantiates its DRBG; or, on a
    /// provider's approved DRBG, runs each shard's output test once on its first blocks.
    pub fn new(backend: &'static Provider) -> Result<Self> {
        let shards = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_SHARDS));
        if backend.approved_drbg {
            let health: Vec<Mutex<OutputHealth>> = (0..shards).map(|_| Mutex::default()).collect();
            for h in &health {
                provider_drbg(backend, h, &mut Zeroizing::new([0u8; 64])[..], false)?;
            }
            return Ok(SharedRng {
                backend,
                engine: Engine::Provider(health),
            });
        }
        let states = (0..shards)
            .map(|_| instantiate(backend).map(Mutex::new))
            .collect::<Result<_>>()?;
        Ok(SharedRng {
            backend,
            engine: Engine::Module(states),
        })
    }

    /// Whether `C_SeedRandom` has a DRBG to mix into (the module's own, not a provider's).
    pub fn accepts_seed(&self) -> bool {
        matches!(self.engine, Engine::Module(_))
    }

    /// Fills `out`, reseeding from fresh entropy when the interval is reached.
    pub fn generate(&self, out: &mut [u8], additional: &[u8]) -> Result<()> {
        self.generate_inner(out, additional, false)
    }

    /// `C_GenerateRandom` and generated IVs: as `generate`, and the calls the test-only fault
    /// switches of the continuous tests act on.
    pub fn generate_for_caller(&self, out: &mut [u8]) -> Result<()> {
        self.generate_inner(out, &[], true)
    }

    /// A failure here (a health test, the DRBG) is fatal for the module, whoever asked.
    fn generate_inner(&self, out: &mut [u8], additional: &[u8], caller: bool) -> Result<()> {
        self.try_generate(out, additional, caller).inspect_err(|e| {
            crate::status::enter_error_state(&format!("random generator: {e}"));
        })
    }

    fn try_generate(&self, out: &mut [u8], additional: &[u8], caller: bool) -> Result<()> {
        // The fault switch that makes the output look stuck (C_GenerateRandom's calls only).
        let stuck = caller && crate::status::fault::injected("drbg-output");
        match &self.engine {
            Engine::Module(states) => {
                self.module_drbg(shard(states), out, additional, caller, stuck)
            }
            Engine::Provider(health) => provider_drbg(self.backend, shard(health), out, stuck),
        }
    }

    /// Reseeds on the SP 800-90A schedule (`drbg::RESEED_INTERVAL` requests), not per call:
    /// prediction resistance is not claimed, and a forked child gets a new generator with its
    /// next `C_Initialize` (the module refuses the parent's state).
    fn module_drbg(
        &self,
        state: &Mutex<State>,
        out: &mut [u8],
        additional: &[u8],
        caller: bool,
        stuck: bool,
    ) -> Result<()> {
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        let State {
            drbg,
            entropy_health,
            output_health,
        } = &mut *st;
        // Test-only: the stuck-entropy switch reseeds at once, so a test sees the entropy
        // tests fail on a reseed without first making RESEED_INTERVAL requests.
        if caller && crate::status::fault::injected("entropy") {
            let seed = draw(self.backend, entropy_health, SEED_BYTES, "entropy")?;
            drbg.reseed(self.backend, &seed, &[])?;
        }
        for chunk in out.chunks_mut(super::drbg::MAX_REQUEST_BYTES) {
            if drbg.needs_reseed() {
                let seed = draw(self.backend, entropy_health, SEED_BYTES, "")?;
                drbg.reseed(self.backend, &seed, &[])?;
            }
            drbg.generate(self.backend, chunk, additional, |b| {
                if stuck {
                    output_health.check(b)?;
                }
                output_health.check(b)
            })?;
        }
        Ok(())
    }

    /// `C_SeedRandom`: the caller's seed is mixed into every shard as additional input to a
    /// fresh reseed; it never replaces the entropy source.
    pub fn mix_in(&self, seed: &[u8]) -> Result<()> {
        let Engine::Module(states) = &self.engine else {
            return Err(Error::RandomSeedNotSupported);
        };
        for state in states {
            let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
            let State {
                drbg,
                entropy_health,
                ..
            } = &mut *st;
            let entropy = draw(self.backend, entropy_health, SEED_BYTES, "")?;
            drbg.reseed(self.backend, &entropy, seed)?;
        }
        Ok(())
    }
}

impl Rng for SharedRng {
    fn fill(&self, buf: &mut [u8]) -> Result<()> {
        self.generate(buf, &[])
    }
}

/// Whole 32-byte blocks straight into `out`, a short tail from one more block; each block
/// is tested against the one before it. The lock covers only the comparison, so callers
/// on several threads draw from the provider in parallel.
fn provider_drbg(
    backend: &Provider,
    health: &Mutex<OutputHealth>,
    out: &mut [u8],
    stuck: bool,
) -> Result<()> {
    const BLOCK: usize = 32;
    let (head, tail) = out.split_at_mut(out.len() / BLOCK * BLOCK);
    backend.entropy(head)?;
    let mut last = Zeroizing::new([0u8; BLOCK]);
    if !tail.is_empty() {
        backend.entropy(&mut last[..])?;
    }
    let mut health = health.lock().unwrap_or_else(|p| p.into_inner());
    let tail_block = (!tail.is_empty()).then_some(&*last);
    for block in head
        .chunks_exact(BLOCK)
        .map(|b| b.try_into().expect("whole blocks"))
        .chain(tail_block)
    {
        if stuck {
            health.check(block)?;
        }
        health.check(block)?;
    }
    tail.copy_from_slice(&last[..tail.len()]);
    Ok(())
}

/// One shard's DRBG, seeded from health-tested entropy.
fn instantiate(backend: &Provider) -> Result<State> {
    let mut entropy_health = EntropyHealth::default();
    let seed = draw(backend, &mut entropy_health, SEED_BYTES, "")?;
    let nonce = draw(backend, &mut entropy_health, NONCE_BYTES, "")?;
    Ok(State {
        drbg: HmacDrbg::instantiate(backend, &seed, &nonce, PERSONALIZATION)?,
        entropy_health,
        output_health: OutputHealth::default(),
    })
}

/// Draws `n` health-tested entropy bytes. `fault` names the fault-injection switch that makes
/// this draw look stuck (empty: none).
fn draw(
    be: &Provider,
    health: &mut EntropyHealth,
    n: usize,
    fault: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(vec![0u8; n]);
    be.entropy(&mut buf)?;
    if !fault.is_empty() && crate::status::fault::injected(fault) {
        buf.fill(0x5a);
    }
    health.check(&buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuck_source_trips_repetition_count() {
        let mut h = EntropyHealth::default();
        assert!(h.check(&[7u8; RCT_CUTOFF - 1]).is_ok());
        assert!(h.check(&[7u8]).is_err());
    }

    #[test]
    fn biased_source_trips_adaptive_proportion() {
        let mut h = EntropyHealth::default();
        // Alternate so the repetition test never fires, but one value dominates the window.
        let biased: Vec<u8> = (0..APT_WINDOW)
            .map(|i| if i % 5 == 4 { i as u8 } else { 0 })
            .collect();
        assert!(h.check(&biased).is_err());
    }

    #[test]
    fn varied_source_passes() {
        let mut h = EntropyHealth::default();
        let ok: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert!(h.check(&ok).is_ok());
    }

    #[test]
    fn repeated_output_block_trips() {
        let mut h = OutputHealth::default();
        assert!(h.check(&[1u8; 32]).is_ok());
        assert!(h.check(&[2u8; 32]).is_ok());
        assert!(h.check(&[2u8; 32]).is_err());
    }
}
