//! Test-only fault injection: with the `fault-injection` feature, `CRATON_HSM_FAULT_INJECT`
//! names one self-test whose input or known answer is corrupted, so tests can prove each
//! self-test can fail: a KAT name or `integrity` (power-on), `pairwise` (key-pair generation),
//! `entropy` or `drbg-output` (the continuous tests of `C_GenerateRandom`). Without the feature
//! this is always false.

/// Whether the named self-test should see a corrupted vector.
#[cfg(feature = "fault-injection")]
pub(crate) fn injected(name: &str) -> bool {
    std::env::var("CRATON_HSM_FAULT_INJECT").is_ok_and(|v| v == name)
}

#[cfg(not(feature = "fault-injection"))]
pub(crate) fn injected(_name: &str) -> bool {
    false
}
