//! Known-answer test vectors for the FIPS power-on self-test (POST).
//!
//! Every value here is copied from a published test-vector source named in the
//! constant's doc comment (NIST CAVP / ACVP files, NIST SP 800-38A, RFC 4231,
//! RFC 6979, the GCM specification). A handful of values are marked
//! "derived": they are not in the source file and were computed from the
//! published values (for example the RSA CRT components). Each vector was
//! re-checked with independent Python implementations before being recorded.
//!
//! This module holds data only: no functions, no logic.

use hex_literal::hex;

// --------------------------------------------------------------------------
// 1. SHA-256
// --------------------------------------------------------------------------

/// SHA-256 KAT message: the one-block message "abc".
/// Source: NIST CSRC "Examples with Intermediate Values", SHA256.pdf
/// (the FIPS 180 one-block example; FIPS 180-2 Appendix B.1).
/// ASCII: `abc`.
pub(super) const SHA256_MSG: &[u8] = &hex!("616263");

/// SHA-256("abc").
/// Source: NIST CSRC "Examples with Intermediate Values", SHA256.pdf
/// (FIPS 180-2 Appendix B.1).
pub(super) const SHA256_DIGEST: &[u8] =
    &hex!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

// --------------------------------------------------------------------------
// 2. SHA-384
// --------------------------------------------------------------------------

/// SHA-384 KAT message: the one-block message "abc".
/// Source: NIST CSRC "Examples with Intermediate Values", SHA384.pdf
/// (FIPS 180-2 Appendix D.1).
/// ASCII: `abc`.
pub(super) const SHA384_MSG: &[u8] = &hex!("616263");

/// SHA-384("abc").
/// Source: NIST CSRC "Examples with Intermediate Values", SHA384.pdf
/// (FIPS 180-2 Appendix D.1).
pub(super) const SHA384_DIGEST: &[u8] = &hex!(
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
    "8086072ba1e7cc2358baeca134c825a7"
);

// --------------------------------------------------------------------------
// 3. SHA-512
// --------------------------------------------------------------------------

/// SHA-512 KAT message: the one-block message "abc".
/// Source: NIST CSRC "Examples with Intermediate Values", SHA512.pdf
/// (FIPS 180-2 Appendix C.1).
/// ASCII: `abc`.
pub(super) const SHA512_MSG: &[u8] = &hex!("616263");

/// SHA-512("abc").
/// Source: NIST CSRC "Examples with Intermediate Values", SHA512.pdf
/// (FIPS 180-2 Appendix C.1).
pub(super) const SHA512_DIGEST: &[u8] = &hex!(
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
);

// --------------------------------------------------------------------------
// 4. SHA3-256
// --------------------------------------------------------------------------

/// SHA3-256 KAT message (24 bits).
/// Source: NIST CAVP sha-3bytetestvectors.zip, SHA3_256ShortMsg.rsp, [L = 256], Len = 24, Msg.
pub(super) const SHA3_256_MSG: &[u8] = &hex!("b053fa");

/// SHA3-256(SHA3_256_MSG).
/// Source: NIST CAVP SHA3_256ShortMsg.rsp, [L = 256], Len = 24, MD.
pub(super) const SHA3_256_DIGEST: &[u8] =
    &hex!("9d0ff086cd0ec06a682c51c094dc73abdc492004292344bd41b82a60498ccfdb");

// --------------------------------------------------------------------------
// 5-7. HMAC-SHA-256 / HMAC-SHA-384 / HMAC-SHA-512 (RFC 4231 Test Case 2)
// --------------------------------------------------------------------------

/// HMAC key for all three HMAC KATs.
/// Source: RFC 4231 section 4.3 (Test Case 2), Key = 0x4a656665.
/// ASCII: `Jefe`.
pub(super) const HMAC_KEY: &[u8] = &hex!("4a656665");

/// HMAC message for all three HMAC KATs.
/// Source: RFC 4231 section 4.3 (Test Case 2), Data.
/// ASCII: `what do ya want for nothing?`.
pub(super) const HMAC_MSG: &[u8] =
    &hex!("7768617420646f2079612077616e7420666f72206e6f7468696e673f");

/// HMAC-SHA-256(HMAC_KEY, HMAC_MSG).
/// Source: RFC 4231 section 4.3 (Test Case 2), HMAC-SHA-256.
pub(super) const HMAC_SHA256_MAC: &[u8] =
    &hex!("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

/// HMAC-SHA-384(HMAC_KEY, HMAC_MSG).
/// Source: RFC 4231 section 4.3 (Test Case 2), HMAC-SHA-384.
pub(super) const HMAC_SHA384_MAC: &[u8] = &hex!(
    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
    "8e2240ca5e69e2c78b3239ecfab21649"
);

/// HMAC-SHA-512(HMAC_KEY, HMAC_MSG).
/// Source: RFC 4231 section 4.3 (Test Case 2), HMAC-SHA-512.
pub(super) const HMAC_SHA512_MAC: &[u8] = &hex!(
    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
);

// --------------------------------------------------------------------------
// 8. AES-256-GCM (GCM specification, Test Case 16)
// --------------------------------------------------------------------------

/// AES-256-GCM key K.
/// Source: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (revised 2005),
/// Appendix B, Test Case 16 (AES-256, 96-bit IV, 20-byte AAD, 60-byte plaintext).
pub(super) const AES_GCM_KEY: &[u8] =
    &hex!("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");

/// AES-256-GCM 96-bit IV.
/// Source: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (revised 2005),
/// Appendix B, Test Case 16 (AES-256, 96-bit IV, 20-byte AAD, 60-byte plaintext).
pub(super) const AES_GCM_IV: &[u8] = &hex!("cafebabefacedbaddecaf888");

/// AES-256-GCM additional authenticated data A.
/// Source: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (revised 2005),
/// Appendix B, Test Case 16 (AES-256, 96-bit IV, 20-byte AAD, 60-byte plaintext).
pub(super) const AES_GCM_AAD: &[u8] = &hex!("feedfacedeadbeeffeedfacedeadbeefabaddad2");

/// AES-256-GCM plaintext P (60 bytes).
/// Source: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (revised 2005),
/// Appendix B, Test Case 16 (AES-256, 96-bit IV, 20-byte AAD, 60-byte plaintext).
pub(super) const AES_GCM_PT: &[u8] = &hex!(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
);

/// AES-256-GCM ciphertext C (60 bytes).
/// Source: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (revised 2005),
/// Appendix B, Test Case 16 (AES-256, 96-bit IV, 20-byte AAD, 60-byte plaintext).
pub(super) const AES_GCM_CT: &[u8] = &hex!(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
);

/// AES-256-GCM 128-bit tag T.
/// Source: McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (revised 2005),
/// Appendix B, Test Case 16 (AES-256, 96-bit IV, 20-byte AAD, 60-byte plaintext).
pub(super) const AES_GCM_TAG: &[u8] = &hex!("76fc6ece0f4e1768cddf8853bb2d551b");

// --------------------------------------------------------------------------
// 9. AES-256-CBC (NIST SP 800-38A F.2.5, CBC-AES256.Encrypt)
// --------------------------------------------------------------------------

/// AES-256-CBC key.
/// Source: NIST SP 800-38A (2001), Appendix F.2.5 CBC-AES256.Encrypt, Key.
pub(super) const AES_CBC_KEY: &[u8] =
    &hex!("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");

/// AES-256-CBC IV.
/// Source: NIST SP 800-38A Appendix F.2.5 CBC-AES256.Encrypt, IV.
pub(super) const AES_CBC_IV: &[u8] = &hex!("000102030405060708090a0b0c0d0e0f");

/// AES-256-CBC plaintext, Blocks #1-#4 (64 bytes, no padding).
/// Source: NIST SP 800-38A Appendix F.2.5 CBC-AES256.Encrypt, Plaintext.
pub(super) const AES_CBC_PT: &[u8] = &hex!(
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
);

/// AES-256-CBC ciphertext, Blocks #1-#4 (64 bytes).
/// Source: NIST SP 800-38A Appendix F.2.5 CBC-AES256.Encrypt, Ciphertext.
pub(super) const AES_CBC_CT: &[u8] = &hex!(
    "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
    "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"
);

// --------------------------------------------------------------------------
// 10. AES-256-CTR (NIST SP 800-38A F.5.5, CTR-AES256.Encrypt)
// --------------------------------------------------------------------------

/// AES-256-CTR key.
/// Source: NIST SP 800-38A Appendix F.5.5 CTR-AES256.Encrypt, Key.
pub(super) const AES_CTR_KEY: &[u8] =
    &hex!("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");

/// AES-256-CTR initial counter block (full 128-bit block, incremented as a
/// 128-bit big-endian integer: ...feff, ...ff00, ...ff01, ...ff02).
/// Source: NIST SP 800-38A Appendix F.5.5 CTR-AES256.Encrypt, Init. Counter.
pub(super) const AES_CTR_INIT_COUNTER: &[u8] = &hex!("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");

/// AES-256-CTR plaintext, Blocks #1-#4 (64 bytes).
/// Source: NIST SP 800-38A Appendix F.5.5 CTR-AES256.Encrypt, Plaintext.
pub(super) const AES_CTR_PT: &[u8] = &hex!(
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
);

/// AES-256-CTR ciphertext, Blocks #1-#4 (64 bytes).
/// Source: NIST SP 800-38A Appendix F.5.5 CTR-AES256.Encrypt, Ciphertext.
pub(super) const AES_CTR_CT: &[u8] = &hex!(
    "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
    "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6"
);

// --------------------------------------------------------------------------
// 11. RSA-2048 PKCS#1 v1.5 signature with SHA-256 (NIST CAVP SigGen15_186-3)
// --------------------------------------------------------------------------

/// RSA-2048 modulus n (256 bytes, big-endian).
/// Source: NIST CAVP 186-3rsatestvectors.zip, SigGen15_186-3.txt (CAVS 11.4,
/// "SigGen RSA (PKCS#1 Ver 1.5)"), section [mod = 2048], n.
pub(super) const RSA2048_N: &[u8] = &hex!(
    "cea80475324c1dc8347827818da58bac069d3419c614a6ea1ac6a3b510dcd72c"
    "c516954905e9fef908d45e13006adf27d467a7d83c111d1a5df15ef293771aef"
    "b920032a5bb989f8e4f5e1b05093d3f130f984c07a772a3683f4dc6fb28a9681"
    "5b32123ccdd13954f19d5b8b24a103e771a34c328755c65ed64e1924ffd04d30"
    "b2142cc262f6e0048fef6dbc652f21479ea1c4b1d66d28f4d46ef7185e390cbf"
    "a2e02380582f3188bb94ebbf05d31487a09aff01fcbb4cd4bfd1f0a833b38c11"
    "813c84360bb53c7d4481031c40bad8713bb6b835cb08098ed15ba31ee4ba728a"
    "8c8e10f7294e1b4163b7aee57277bfd881a6f9d43e02c6925aa3a043fb7fb78d"
);

/// RSA public exponent e = 0x260445 (= 2491461), minimal big-endian bytes.
/// Source: NIST CAVP 186-3rsatestvectors.zip, SigGen15_186-3.txt (CAVS 11.4,
/// "SigGen RSA (PKCS#1 Ver 1.5)"), section [mod = 2048], e (the file prints it zero-padded
/// to 256 bytes).
pub(super) const RSA2048_E: &[u8] = &hex!("260445");

/// RSA private exponent d (256 bytes, big-endian).
/// Source: NIST CAVP 186-3rsatestvectors.zip, SigGen15_186-3.txt (CAVS 11.4,
/// "SigGen RSA (PKCS#1 Ver 1.5)"), section [mod = 2048], d.
pub(super) const RSA2048_D: &[u8] = &hex!(
    "0997634c477c1a039d44c810b2aaa3c7862b0b88d3708272e1e15f66fc938970"
    "9f8a11f3ea6a5af7effa2d01c189c50f0d5bcbe3fa272e56cfc4a4e1d388a9dc"
    "d65df8628902556c8b6bb6a641709b5a35dd2622c73d4640bfa1359d0e76e1f2"
    "19f8e33eb9bd0b59ec198eb2fccaae0346bd8b401e12e3c67cb629569c185a2e"
    "0f35a2f741644c1cca5ebb139d77a89a2953fc5e30048c0e619f07c8d21d1e56"
    "b8af07193d0fdf3f49cd49f2ef3138b5138862f1470bd2d16e34a2b9e7777a6c"
    "8c8d4cb94b4e8b5d616cd5393753e7b0f31cc7da559ba8e98d888914e334773b"
    "af498ad88d9631eb5fe32e53a4145bf0ba548bf2b0a50c63f67b14e398a34b0d"
);

/// First prime factor p of RSA2048_N (128 bytes; p > q).
/// Derived: SigGen15_186-3.txt gives only n, e, d. p and q were recovered
/// from (n, e, d) with the standard factoring method (NIST SP 800-56B Rev. 2,
/// Appendix C.2), and p * q == n was checked.
pub(super) const RSA2048_P: &[u8] = &hex!(
    "f364e16ef12017ec95b192308c01e087cee619ab50a5d537cc01841dc92b30bc"
    "ef0d9f2c6bbd5dc10bdf5b9f6c354a4f9f210520caa72b4f5c36b8d33f10324c"
    "55956141891e45b84b49f59ea5bfac6ffa38900aca5099afcd02f6a8257c41ce"
    "5bb2e4153832b5c22f91eb389fa2035c3cf9b3374531c483cb30ceb007259b1d"
);

/// Second prime factor q of RSA2048_N (128 bytes).
/// Derived from (n, e, d) as described for RSA2048_P.
pub(super) const RSA2048_Q: &[u8] = &hex!(
    "d95c0995fabdfcbccfe63e0f3262f806869ab571e1793e97234cbb9bd4b6872a"
    "7695389955cf6ce7245345a5df8021f7d9519563afbc2667f5311fad093de2c0"
    "2cd069109b630d68e3bf767f8a788a6add7ab199f2d8f6a40b7c1910d9dab52a"
    "c80d0d333aacab321a9309dc884ddd4db637a0c1115ae3c08efa683f99eb7331"
);

/// CRT exponent dP = d mod (p - 1) (128 bytes).
/// Derived from RSA2048_D and RSA2048_P (not in the source file).
pub(super) const RSA2048_DP: &[u8] = &hex!(
    "d4f7ef9f9be947ba9d1b3bce59e5608839a1e464553e1b6d113d0f636758bbb4"
    "73a89f9949836ead40b6f314eee3ac2244d7b6f379e83f30e17783ad68d50868"
    "97889c051c26e1558a4a220bfc242995860644b5d7a3ef513ac612b9c6c0a202"
    "1bb6b9cde7dbd21fe5858746c79563e9bab7d06b43aab43a0a5cafab4519a661"
);

/// CRT exponent dQ = d mod (q - 1) (128 bytes).
/// Derived from RSA2048_D and RSA2048_Q (not in the source file).
pub(super) const RSA2048_DQ: &[u8] = &hex!(
    "3db2386f174f2ea3ef4b6bd1601749ce2d6afa8be35f051178621f16a23ad36e"
    "ba03c073136389241969e5b87edb0fcbcf1a0bd6e1aee97bae1f2d97aabe19b1"
    "7dbe7d9492cdb68a0897f572350e846c669660dc978c5068da598524fca8a136"
    "358d3e5f8f6ad5cf78d9089c93f473189162ce0f8c4902a19902b633b3e6926d"
);

/// CRT coefficient qInv = q^-1 mod p (128 bytes).
/// Derived from RSA2048_P and RSA2048_Q (not in the source file).
pub(super) const RSA2048_QINV: &[u8] = &hex!(
    "ddc971183dcf3450c43e06ba2af32379eedeb2d678513fb706b75a0060981540"
    "41f4b09e6be385d4b25d80ec241c899e4a986a17b0a121daab91a1e4fc5a1802"
    "a7074df3fb3f7661f0e1c97799e36d21de937cc4209585db30a56af0a228e001"
    "036ed792625e5368ce101574a2e9767f07338949f0afdf358cecd18c6d6f3f55"
);

/// Message to sign with RSASSA-PKCS1-v1_5 / SHA-256 (128 bytes).
/// Source: NIST CAVP 186-3rsatestvectors.zip, SigGen15_186-3.txt (CAVS 11.4,
/// "SigGen RSA (PKCS#1 Ver 1.5)"), section [mod = 2048], first SHAAlg = SHA256 record, Msg.
pub(super) const RSA2048_MSG: &[u8] = &hex!(
    "5af283b1b76ab2a695d794c23b35ca7371fc779e92ebf589e304c7f923d8cf97"
    "6304c19818fcd89d6f07c8d8e08bf371068bdf28ae6ee83b2e02328af8c0e2f9"
    "6e528e16f852f1fc5455e4772e288a68f159ca6bdcf902b858a1f94789b31638"
    "23e2d0717ff56689eec7d0e54d93f520d96e1eb04515abc70ae90578ff38d31b"
);

/// Expected RSASSA-PKCS1-v1_5 SHA-256 signature S of RSA2048_MSG (256 bytes).
/// Source: NIST CAVP 186-3rsatestvectors.zip, SigGen15_186-3.txt (CAVS 11.4,
/// "SigGen RSA (PKCS#1 Ver 1.5)"), section [mod = 2048], first SHAAlg = SHA256 record, S.
pub(super) const RSA2048_SHA256_SIG: &[u8] = &hex!(
    "6b8be97d9e518a2ede746ff4a7d91a84a1fc665b52f154a927650db6e7348c69"
    "f8c8881f7bcf9b1a6d3366eed30c3aed4e93c203c43f5528a45de791895747ad"
    "e9c5fa5eee81427edee02082147aa311712a6ad5fb1732e93b3d6cd23ffd46a0"
    "b3caf62a8b69957cc68ae39f9993c1a779599cdda949bdaababb77f248fcfeaa"
    "44059be5459fb9b899278e929528ee130facd53372ecbc42f3e8de2998425860"
    "406440f248d817432de687112e504d734028e6c5620fa282ca07647006cf0a2f"
    "f83e19a916554cc61810c2e855305db4e5cf893a6a96767365794556ff033359"
    "084d7e38a8456e68e21155b76151314a29875feee09557161cbc654541e89e42"
);

// --------------------------------------------------------------------------
// 12. ECDSA P-256 / SHA-256 (RFC 6979 Appendix A.2.5, message "sample")
// --------------------------------------------------------------------------

/// P-256 public key as an uncompressed SEC1 point 04 || Ux || Uy (65 bytes).
/// Source: RFC 6979 Appendix A.2.5 (ECDSA, 256 Bits (Prime Field))
/// (Ux, Uy concatenated with the 0x04 prefix).
pub(super) const ECDSA_P256_Q_UNCOMPRESSED: &[u8] = &hex!(
    "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29f"
    "b67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d44622"
    "99"
);

/// Signed message (hashed with SHA-256 by the signer/verifier).
/// Source: RFC 6979 Appendix A.2.5 (ECDSA, 256 Bits (Prime Field)),
/// With SHA-256, message = "sample".
/// ASCII: `sample`.
pub(super) const ECDSA_P256_MSG: &[u8] = &hex!("73616d706c65");

/// Signature component r (32 bytes).
/// Source: RFC 6979 Appendix A.2.5 (ECDSA, 256 Bits (Prime Field)),
/// With SHA-256, message = "sample", r.
pub(super) const ECDSA_P256_SHA256_R: &[u8] =
    &hex!("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716");

/// Signature component s (32 bytes). Note s > n/2 (not low-s normalised);
/// standard ECDSA verification accepts it.
/// Source: RFC 6979 Appendix A.2.5 (ECDSA, 256 Bits (Prime Field)),
/// With SHA-256, message = "sample", s.
pub(super) const ECDSA_P256_SHA256_S: &[u8] =
    &hex!("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");

// --------------------------------------------------------------------------
// 13. ML-DSA-44 (FIPS 204)
// --------------------------------------------------------------------------

/// ML-DSA-44 public key pk (1312 bytes).
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-DSA-sigVer-FIPS204/prompt.json
/// (+ expectedResults.json, git commit 203f667c26e10a1be89dfe8da7a54498fde2d848),
/// vsId 42, tgId 1 (parameterSet ML-DSA-44, signatureInterface "external",
/// preHash "pure"), tcId 8, testPassed = true, pk.
pub(super) const ML_DSA_44_PK: &[u8] = &hex!(
    "93ca0270d1ce6a764d068c1c93364cd8f5b6800652a0d5f8979c2726fe7fe46e"
    "2c1f6a56568c38c32151df9e63cb2e4264e45424148cdc35cbb25cc6093df6b3"
    "c7ebf8ed26bb142a6a87e1299bf9d4bd19360e7754e073407a6240a7475d5baa"
    "2afc8c8e5c54dbb62951acf01a35186cef484389878369c36fb6d6a86b310e1b"
    "12fc02642bc1920d37fcb8a6c8c86a5118e320528c372dc91da31dbb445e73b2"
    "a5ee4c372c614f5a8efa8c8b21baa51f439d0f278a8980c251151888fb644440"
    "86285876855695d676a1d1dcee9cdba2e8fd8ceefc633cccdb9937f532c07f70"
    "d9734906fb123e9505fe85b10739f2f2888f28b5af502d96d662c0aa5e05b0f0"
    "c7fd66e790a1564c9eb581d2884c5f944f1e15966045e29e062c2665b3a9c0c0"
    "9dde035d2194a4017f3a2670d45f852f58e23881258c2826095dec23b6aa107d"
    "8ae62173e94303bb8027c3ce45bed2640d89383b0668cfd5d66c809592d2a5d5"
    "63941c029ab12b51d6b1f5e0318be8988a6689444621d4cd5cea9bfe245a6782"
    "1c4b44f82cf750f77af4ef295458f2998e09a809fb4a2c9e83d351e04a9c3a18"
    "16c26cdee7f798f8b489b45f74fa0c1f6242b8b6e60f8d0b1d1385bfa397b0d0"
    "7a9636474e666712141fd6fd2ee63bd45fde2c6c54fb595967204c34c5cb7a44"
    "3eb156db540e1efaade53234e462fcf8b4a1c0c07331d4b77c07c75775b8d504"
    "e87eb98d29e667b7609e97d64083695373bca61764a97026d980c95d462f4379"
    "285771c6fb087d487c44d365d6dc420fe0003244aeab1a7d4ab729a2cb82a2d6"
    "de2e0dae68dcde31e0f453619ca068be0bc78d2347a2762331abda60aefbb403"
    "ef00f1b799a458645647c1a0a867b051ea882bc01276a561102849753b645b1f"
    "37d234ba49f8bcc39ae90e0e6b54698333c72106c08b6e1eb202652530062ae0"
    "88abc6b9a5839d0f8f81829e5d326aaee83be86ec999e1a77aee31056aa34daf"
    "be93617d2f436c1239e34bbcb0e61fe74ec745ca72b0563045dd9367ba9cdeb1"
    "e1784451fe221021ec5a2edc48711891686e8cd6b26cc1a496ef0996b0cac2f7"
    "d18549be8977fb1d6a76427ad279e0208730a7e02110c944e954e303d4e4c1f0"
    "dd08a534416ae28aabc1a6cb290fd07c92f5a74e4b3c3ae4ee50ab964ec8894c"
    "fffc876d99a0f6f651f130ad8a4180c85071452091e5e45e005e9074d865dd72"
    "58c6067dd7c681ee931cebee435550d5e26fc81f0088142e836a5b3b340d7d15"
    "070d3fba1b3611796db58607ae7b54fa062c6d544699452ad13badc5fd8b5388"
    "bf3e4c308b28a449911d7cf6b423a522b0333e3b96f639d3680289d31f0b0e7a"
    "f0f2b07eb5005d4117a14c3c88a0099b7983023027f326b2a1c9af0c50de612b"
    "7fb9e6ec43976378b741c9075b4d86171b79b3913c751a1557b5ab8e730946ec"
    "894092aadf6197f3bafbf1f75a17e3a38060470dde59510751c456513683b3cd"
    "f572c35e2e7adaf68de5064bfea93042e420f66ff3cf2ba9c30b8dc3d13dbbef"
    "44f7fc4e4b51c898b461304c0e9d2966f7d56972494680788634233b46181eb0"
    "10340d25b346e20142cb5a6c804fb457aa6584fadd8d2928eb288b280d86a6ab"
    "ba6ac13041b3677afb44a6b293170a9dff330e31c1835cfa9776f8ca7cc4ceca"
    "9d7a28d37ecb2102109d6dba0564670424b1218719bbcea0259e70a250f736d5"
    "e8ef54778b1ea4fea6918eef6eae9a63455a692105b00505852acc0e4d6b0c1c"
    "ad54b97652af3d135c0ece253ffc20e667a60803e8c26afc584470fc7b73f2e6"
    "fefedd28b8349726d07238470017968552b6ea4708578fc073a63f09ee7ab8f9"
);

/// Message M (1050 bytes) for pure ML-DSA.Verify (FIPS 204 Algorithm 3).
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-DSA-sigVer-FIPS204/prompt.json
/// (+ expectedResults.json, git commit 203f667c26e10a1be89dfe8da7a54498fde2d848),
/// vsId 42, tgId 1 (parameterSet ML-DSA-44, signatureInterface "external",
/// preHash "pure"), tcId 8, testPassed = true, message.
pub(super) const ML_DSA_44_MSG: &[u8] = &hex!(
    "47330406ae79f3af950b00514e0a1e1ad424c32af59ecab5ad151844f8b13cf3"
    "a328a3923775423f672f3737c0177fd104e4e35bf6340aeac53b7bf1b85bdecc"
    "43c068cddb22feb87fb95f008990f12906d19fd67d7fb40bf57fb4362dc2f9c7"
    "30c0c7b14085a2a3bb61dbaa40006a7a71a8b3b2220e8d0b72a8537ec6b9195a"
    "649f01f30a63d2ba83c1e50b8a26b449fe7bef461d5e6731b4d21512402665a0"
    "6c65d1f44a69f561efd110894041dd88bb93a52c5a86c036944b5c00c5c28b94"
    "4b254c68af6fdda3a74acdde94fc7d11d3dbd4cbbab1c6b9ce8064270c9dacbd"
    "afa585bd52b163905f5fdd21408fb7f972699e717f3b39d1e39f1a12ff3c0385"
    "6b0d6d4bf5f07a714d5406f482aa59e89264630f2218cb1df17badcd22b0e465"
    "5460cb9978495ed678c08a4a582a4c916c3cc2e4a257e537a7e69553c6f332d7"
    "9e5e1fcf3bc62555480567084f730386cf74c0558783c4743006609d9fa6dce0"
    "c9d9be5bb11c052d914a6767cb153e088335faa2d3fbb15dbad1ec41f3b79fb0"
    "6d331e8d7b87bcc917935038e07f451c4853553f564913e76739e26de61cc0e2"
    "8247e61132865bd87451ece6e318969d3fd25db49922f754445014d75f301b03"
    "7a3351761d84eea507ee624e9d57387b10429e01203b16d4be0495202c63c7d7"
    "a08a3d1b94a7e0ddd37defb0f7b658d971403a2707bb8db84fe51dfd62c123f6"
    "9e5904f531a9bb4b6aa6bcadf365b9dc01f7e24f5a6630a57f6fc54ff24b8490"
    "2be215b0925ad1538f948e38600d2714351048e6514ed9b40a974f02fd4bdff8"
    "de1dba1a7aefec4ade349e331b3a3ccf71c29bd14363ade6fc8f9f7ea4af872e"
    "c8a9729ddd98d7d0e18c49ff35d544a916f4b28579a7a251ba98b351bfced727"
    "33d3095fe453c423471479e5b4687eafe15f4d7cd7bb01d10856f0a1bc1fe45b"
    "72fd67b3852508637089407b78aaa8ab396f71a42949259a878e85edb735ad88"
    "8ff2905c14b81f520377c5fc56895f8e43a7d769a7744e035a7b6ba5780cda36"
    "869604d838ec5311d91918774d8016f334fef9926c331e94cbc94967c9f96b1b"
    "ee127d6c7c948c3d39439dc60819cda4e3349fe428c9490302806dc5298d5477"
    "df21911a24f928d3e2215bb5362115388e72f51d704b3c802da166a4676e5e95"
    "f9d3e81d525c16d8520f2f644a76a46925d43388234d4ac73ee4763bd27ae312"
    "86a62cda8a3a0dc2fb186bbb127b64a3dc381f4a81e53c26ae73575f1e12f0be"
    "cb42e0af1a81a1441eb56d5f73f93a9643954dc238ae556655465c2c7e2c7869"
    "77dfb54d11a8382afb57f8d64b916c0a9fd68b967c689d808ff25752ac9d9b17"
    "8bb9f0e004da6ccf2cc92bd62ee458ac9908c91a43032368c0b9277e7864f426"
    "2d27bba43e061369f1cf9a9fd15d39b771cfb7a0c3c93f475e2fe717445d9fc6"
    "69fc33689cc97c51a98de4834a8297a7d16bdc172b5e23619057"
);

/// Context string ctx: empty. Pure (external) interface, i.e. the verifier
/// forms M' = 0x00 || 0x00 || M internally.
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-DSA-sigVer-FIPS204/prompt.json
/// (+ expectedResults.json, git commit 203f667c26e10a1be89dfe8da7a54498fde2d848),
/// vsId 42, tgId 1 (parameterSet ML-DSA-44, signatureInterface "external",
/// preHash "pure"), tcId 8, testPassed = true, context = "".
pub(super) const ML_DSA_44_CTX: &[u8] = &hex!("");

/// Signature sigma (2420 bytes) over ML_DSA_44_MSG with ML_DSA_44_CTX; must verify.
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-DSA-sigVer-FIPS204/prompt.json
/// (+ expectedResults.json, git commit 203f667c26e10a1be89dfe8da7a54498fde2d848),
/// vsId 42, tgId 1 (parameterSet ML-DSA-44, signatureInterface "external",
/// preHash "pure"), tcId 8, testPassed = true, signature.
pub(super) const ML_DSA_44_SIG: &[u8] = &hex!(
    "77b338ca663ae35d76df3900f7e3e0f6302ab06c5b72afb8566163bf4612c310"
    "6ab7d46bc11a13f921e548c5a601324b9ba653864406d0f2ceaf6202f95095b8"
    "a48d55ef7c11976a9efd01b0e74e5cb6b075e1b99039a3ac3ed0d28e494b7bc4"
    "5612a063003e484da6b1e456c6cec9067296fe340d17a4b84c677cb35544d752"
    "9083f2e6d8b3449750b09d639646b450bc362aba7b47dcff49312bd6357a1c89"
    "2d354548fb150b64fe688db9ce2a151a7f6ffb52c931dc1f7d9a0c5a917dc01d"
    "63890ac6c10e1e12cb132873d8840191fed88881f3e9a6bdcf321aa2279f511b"
    "5af0d3804cf8cb2383e0cc9b16dec714668c04f23f391611b19ce2c8592e8fab"
    "e99cc7e2f63dc06ba3cdde4badf9636a528ad506ed8a1404bb171a9f8eb9ed77"
    "5a4151c174eed851ae42ea9b4a084b37af7a7efff45367f2567ecdf78caf8591"
    "cb5e7b677769969bfb6e99c9bcde3c07d5933b228cfa91447e2a311d7325a739"
    "739f03724f619dc6703d4986572b71f986f6d6f9fd83b141fab7ba42753a884e"
    "f994b873e2ed27a7b0598fa9025655c1ef3e3b657231a9a0c67bda4b5184630e"
    "f0d1fbbf3c9b437b8803f5acda5982556bb2af932ba24e1e4d2bf463fe1cab2b"
    "3a0b9e85e05d5a2cd105b97c914226e6ed05c6f5c0bc8fdd1b4aa4dfa4f1c6d6"
    "16c69665be3f5e1f3d07af0eb0f809c1bd24e9e5840f59891d023a53279d62bd"
    "1c6516fac1f1f74454d990b735f5739caec184973da840811f96bde581a70d10"
    "d6f765c4774c92cbaa32e62f33fabd61c0655ef0de937b31631c1c724032822d"
    "b82bec58c98cbdb7e0785854b4f47744558787ea5117b38165a6ea6e136d838f"
    "20bf410f92b3621cafd15e6c796ab69c9cf25f0b6870e58ee95b48873a5beebf"
    "cacdb75cec12bc0dcf05d1e1cb5c5d1e9a97c8645638f46c4d34959301181179"
    "c66de3d6fd6abfbc1dae3c6fa56d936bb8fdd668309be84d32cced9da179e227"
    "9914db5677895b0fd06efe858bdfd1a6bb6edc3e5c84b37f3d2df0fca764071e"
    "b90f46b3e0df14049594652807eb8c6444cab07693f2063bf80515d517ef92d7"
    "9f4793cb83c26b774095e8cde0079acb3c6148fc5492eadd604dbea553982a2e"
    "b3150907578adb87dae18c8d722d14a4d9df637ca4d1a5bfdeea8c8b72b13a07"
    "57659cb05c1f403548239dbc664e40e03b79ec3fe6db84fb65ec7cf309140a67"
    "1c0b48ea55fddd3b4c6c2a4d5076957cb6395ebc98ee71fde16c8a02922a45e9"
    "e2d200f7250f1aa6169c8cb487a6a7af0ed7aaac1834c1dc91f9f31c1a81914c"
    "1c746151c051c0a95d3670b9a309cdae064eb39cc59ea3ff6c1b0b914d08d0f4"
    "2f8a20cbe792f188373e97e6edf0f277722b57c24fc19a47afff1dc6a106b98e"
    "a20ccb6d1af098fcc8f9f2a149e7099db866a6a7ddf4e1fbf89718d40a10edec"
    "fa8a366bd499cfdae492140231ea2931bfd83b95545cb04c32e7a99c67e8aec5"
    "f6ad4889f439671bcb504c46f43766497ab0bc17f69176cc5926766492180a0a"
    "9ba3a2f94f76477442ca5d096f5289458e3a1253b5b057ac73d95e66eeb18b58"
    "21a5b9df760218057f9155eb255067c1113f177b5fa0a11218e76bbe9a4d0a40"
    "32dc52906ff93e993ecdc0fc39791b439ca9e620f5f3783ec07602443558ca95"
    "efa85a228a4675fabf2931b62c8ca2f4a93b98082c99620dfffdaa4c64d6da98"
    "cdfba34398904ca85e5136e33bc51148b0c9785eb3371d258aea13fdf30ce39e"
    "fe4317091d1c421320a8fb9799d6b9f5c70c6a2a9d2a1c37a013771cc26ad699"
    "1ed2aed3fef91b8bce3c9f2d0acbf72bb448404e13bf568e44d04f92b52a9a84"
    "5aa409c663624ab781d5bf30829b9e6d4299a1c9d666f32d775876fa7e5e7d71"
    "98536e974a29c52b2ddb53c9e9347d91cb702300166de676b4bf5f233660fca8"
    "d968ae39059d977a329dac98a56c53bd0bcd422607d8eb3b002c26a4fc8b1b28"
    "6512127f83514a4740a7eb982559d5234d58fa1e6d9923ce83cf5c4e339c0251"
    "ecfbfc83520a1089d398607b4c79a17126e8430419304ad134d5ccdbacb39caf"
    "426aab981b0a50a679176e4ed66163429d72e99366c0c36ba7eb35b12e07b1f8"
    "7ceb7ddce91e0fbbbe317dcbb8c5b4e2064943c7457814fb657cd429598b5f15"
    "3fd75cd76004cdfc8edc9d43c793b51cf66780d6f96579aed5213a7ddba49747"
    "e9c9777aabf3dd9e78c6c5ec03192c04e2687c2e7d322ce30282fb9b21f2bd18"
    "df05e37770451a73d1a3a172fc0cb7815f492bd5cd9816bdd108cf780ad41e2b"
    "c60fcb37f2d6a931ac7ef230c5ef6209afca70ea73ae732264c2a09f662dbe52"
    "32d2fe5ce3d549d1dd7de33973e16685a01a65a96ce046bc2cf5edbea7676b02"
    "22309f7ea1de0b80a79631b94bf26bb67fbeabb7816888f54eb01394f1a701f5"
    "5200f9d505e66c7644ef449005516064970ce6cf041057e6fda14b9b7b66b971"
    "1d6daf47616fc72b209cb1c8da57742e7c3071768acab4f60b4f46e91b8957e8"
    "369d9c2d23d3f71ee39b8824249b51edfd0c6412d32b6b8a7fa592c6a4635dac"
    "b09e79cb3267b2681f4c94c552817281bc9ee10f640d752bf87dd0884bf60dc8"
    "fff640270b2a6daffec51bc2b3a1541f3f5fb4aeb83b6be23ae28ccf279a644e"
    "95845419ab3399f66a0a05a7e800cd168374015f181f66497a36a7f7dd053658"
    "53e49ed44d450c7b02a698310789ef4089084a0fd1a83f3301f555ac834fe2c9"
    "fb35902b5184257c7533bc661c6555e9abb04547a2e5ea67e40d15e2ec85c7bc"
    "e8520876f02d9748bc4104b05aad9ccd939af3923699da6dbaff4e12513446fb"
    "9a59577faab57d644e40a97887094c50329749267367a32eb229676090d43e5f"
    "14577da153ef215b1ca487e1904bae01b2ffc96073f030afbf0cbace9c731fe8"
    "879a6352e77b463254ecf036b28a6b45b952c731bbcbcfb33fe9bfde742e0545"
    "2c5a4c764f85c3c278c19d797ad828a036a7bc1ade6d2eb5deb7ad3a024ba45e"
    "de2585a433fb04c76932018a9a989f2fcdaed73584c8f7aa0b6d0cd6c9a40534"
    "7dc1f9da38800273634ccf548455e6f6c7d6957948bb97e85fe15ea6ba4a4b83"
    "e6e065c60aed49ce0734eb57e5bbe1d24108aa4e2220cbb3a3edb73fab3ce629"
    "5d7a347e00a1aebbf03d4134c118434f71a5847aa8e103eca804dd7d2fd7a999"
    "f513b027246e567d27284cff0025c9111146e09604a041970a0d7e914ff73d62"
    "bca2af61380cd4c6d54f65ac1522bff06427fbc6f3f79eb21f22519ef9c3e7fa"
    "013b59638da0a2aeafeff302050d15171f204e5e85aabec7dee0e3e4060a1d2b"
    "333d7f878ba3afb3bfd5e0e9eef501303e5152699fa7b4b9c1dee5e9ec000000"
    "000000000000000000000000000000000b1c2e3d"
);

/// ML-DSA-44 key-generation seed xi (32 bytes) for ML-DSA.KeyGen_internal
/// (FIPS 204 Algorithm 6).
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-DSA-keyGen-FIPS204/prompt.json
/// (seed) + expectedResults.json (pk), git commit
/// 203f667c26e10a1be89dfe8da7a54498fde2d848, vsId 42, tgId 1 (ML-DSA-44), tcId 1, seed.
pub(super) const ML_DSA_44_KEYGEN_SEED: &[u8] =
    &hex!("4be7a01a99a5e5bcfe3c06785d8e4ec664082227d86704e9e44862623a05c8b3");

/// Public key pk (1312 bytes) produced from ML_DSA_44_KEYGEN_SEED.
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-DSA-keyGen-FIPS204/prompt.json
/// (seed) + expectedResults.json (pk), git commit
/// 203f667c26e10a1be89dfe8da7a54498fde2d848, vsId 42, tgId 1 (ML-DSA-44), tcId 1, pk.
pub(super) const ML_DSA_44_KEYGEN_PK: &[u8] = &hex!(
    "adb0b33464816091f2a95977c67f085fdc24b37854d4db0a577ae9401e408148"
    "d8917d21aa496bb13c60b295cb0a942322a039979828f46a00a4e7deeba2bc06"
    "5216d97d93fd6bc1cd87dd383f18963ce5cfdd71b51df08086f1415ea512afae"
    "38ce16e517142d3ae3edd39496705679466aa9cc3ffa14071dc56244fd1ca4ec"
    "a5a1405d5f1fc12f3c5ecacc4b9b021bca7201c4ea0d670099b7bbd50707164f"
    "3f395569990bc6e7e30424b37ab0621db2954e5996b15670dc4ce03a1497e404"
    "65a4c326f1e065e2bfdf1a11adba1193522788eea006b8b1ab296ae1b174c956"
    "ae9555180274294cdc19cb4eeff2aae1260ab1e03c7ccf8d8a6df42ba67eea32"
    "28e9e8319821fb06538c71061b5e1d79274816152a4f188fe39743d86aded0d4"
    "e9020d5dba0596521e8e6a2d50811e6e989ae0d35b4d400a4a4c5c883132f6f3"
    "dbd3f6517ecb27745924897fc1141cbfec4cdd4e871e2d302ae95643d382caee"
    "f0ded3f1f0646768ab18297eeec4796cf8a5964f21d55b7b3c1117843b1fae74"
    "d8496302181ee682d076e7858b13be612edbb2635ffd51f3964140890f1015c3"
    "2e3ffbdfb0c76e163169122b35f91e1e29c5b9c92dc40dc738fb7aa44932b937"
    "cafa03edd7e711eeb19a828034ec3981a2950383f6c6f734bcffe68d39b71d7f"
    "55fe35e4e2299c0a9edc40b66db41f7bca341162de0350b54e720b9a1aae0d99"
    "db0a58d052b69ee1a30227439bdfd8c1d4fdbeb4691f9cbd5bb62b47cb0e782b"
    "f310e2787b3c255b67708c5c7c751f48bb797069c290493bb8561072ea17b145"
    "d26b07209e292fa5ed76caa31b2d7db45ddb096d44cda13ecd03e3547b521dc3"
    "0ce27d66a288b4059701598d0ad38a33130ebc492ba025d93c58e8bd11873b37"
    "adb1b39066fe83ead645ae6b04f758470c163ad96aeda9208420c6e9c274efbb"
    "853563e1cb3660d275f85bb551a2888a1ef05aaf321f65d4eb15dadc93c76a4b"
    "52d0c34f556592824968200ebde652740727e0cb0a6de0280fcd82cd496a1f5b"
    "af95657ba3c1091fcc36bf7ebe77fc34889ea438a07e92aceae453c8eed93d9a"
    "70e82ca3b8d06ec9eadb5eaf8b491b665b3903b8c8613a2407a6e5f35f44678b"
    "1935663bba7561096c2e3d502ef0f7a245a52252280016c0b74e3b05d93aea24"
    "caeba4d595c31434d99b46f5b5ef4d3a3a625edd7eb95dcd27c828949699c5e5"
    "67d7a8512619e14ecc6e1c47ca6567211d1211fc6b949b83783c7cb41762167b"
    "f960e935fd853e9ed3bbeccb75e8dfb4e35f854566dcdb300eb0d51b6c22e6eb"
    "1d85030daa5a2fe2bbcc7c2745790860ad48033da038421051d161739f524bb1"
    "c716250623a57f64cb2506df49c66537c2a46cd0a68d0017bb33cba4cf373512"
    "91d208033768c86799e016a960e6824670fbff1061087da8fb74f977110239de"
    "d48cfc86a4fc4baef220f05aeb0ce34357d7d31d20388faa307f2d97f593b9e2"
    "87322a9c329e04328522ea79aac31cf2765fb334abd9a1764da3550968fa693c"
    "b84852268170022881cc388745a54a500facb2b8df36383e219b99177c3af51b"
    "1e33af783efeae04a0f9845d79aa4a4dd9dde5caf7d52d779d59d18f0e0e2b44"
    "b634a5d630be8198ad8b2012c52a7b89f133f09c3e8d21f0ad1137af095893b9"
    "66ffc07e8956585ff5c10b123c6a4a5c3367d898acb128915fe710df75fa23b4"
    "005caffee518c1420403523f0d7eb03696bd21282eb0b1c18a68f70f66837a58"
    "453190a06ad0f6e2c28c88183548c7026e2ecc8a5dc5606bbb3679f249b7a2ef"
    "79fe70441c03fe0b541016da53aedc40cb69a4c952cd075a89d5032380e4a1c3"
);

// --------------------------------------------------------------------------
// 14. ML-KEM-768 (FIPS 203)
// --------------------------------------------------------------------------

/// ML-KEM-768 decapsulation key dk (2400 bytes; contains ek, H(ek) and z).
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-KEM-encapDecap-FIPS203/
/// internalProjection.json (git commit eb31c8ef41d1f62177960180c16d6ae8b9fba648),
/// vsId 42, tgId 2 (parameterSet ML-KEM-768, function "encapsulation", AFT), tcId 27, dk.
pub(super) const ML_KEM_768_DK: &[u8] = &hex!(
    "4c3493f595a9d5206a3d040e2cdb03cc7165d995582202ab18e57985e06815ab"
    "36e9dabfa8c6534e562e91313deaa3abd7bbcf91d08a384324b915b5b0e00e68"
    "52ac6b745f70236ec6a47ecb606a9d388c0bc10a814125671278aa3b3a0ae8af"
    "c6a928c08572e787bd795b8dda0b0472b19a7303813d28be54714c8ea2426a76"
    "87994803df228bcba7744397a3b6b058ca830d312257a10933ab997190897b19"
    "3832eadb35f7d300af179b70948698f266b43709e2751484b752dc02c3c08253"
    "b040c0b5c172320331d4766565360d24e15661f4b133f389f72ab3fa8578b475"
    "2acba39685447fd54cb829f47f780a4d7bfcbfb0221fc831286330c87ae04bf8"
    "3acef38b20accc391d65abe7076b0087853cd586cf11bba8f0c2dd8333201606"
    "ff9854c6248fbcdc2b46db3be5582ed7d49cfb119dbd53003d99a504333e68d4"
    "27d087650609b6fda61e1d2a13e4053ae2d7aed6147ff83a1f8ae4b63b20c902"
    "900726032efc74c1b951194212c13cf1bf47997dac2294cb3838312a4f97804d"
    "4eb66254066d40460bf7eb3348236582997982b0bc1fc81fe83b03f1868ea4e3"
    "b5c04944ea8108d253083005cc8dfb7b6b507e4ac0244a0378e353a8fd0285dc"
    "066fe0367419f8b3bd3a089132cccc38a1c5b0896dc6bb7479c5e4e8bcbfdc56"
    "326bbd8a566c56453e6d3884b78686fe421df11295727c349e0119333802fa31"
    "a29e916b4a36814b91b16635bd963697d26b00fa68ae9059bee8aa511d9c1f11"
    "b5a419bc74c316944df7b3b38b5085b004d510401a43b829ab7c41a62b544213"
    "3bcb95d7680cc01c87bf951221c302839932185a4b89838ab5970177120f1fa8"
    "2f389874a6e6749273cabd8409db5718cac5748800b02c579adad13f0629b90a"
    "08b272f03846348189933bc1a19e4bc8279fb3b96ab1493b1a4e6cab3427e40a"
    "ba568c019812f5a4071a721de046823bc934134790b4c8236d4b7629ab4410d6"
    "037871bc295b4c140482f087aec724873ee22a0800b866461c43c173d5922027"
    "8b1da465223683a48694af056b1573e70568b4cce3140be01ab45e406bdd2c2c"
    "e1e60d876b58ffe6bfd609395ad447c77259e3d02326e79d659c099f95ad30a4"
    "0fbd529445e82793d5525d628b8784062e652fe7d65b50039041e5c1777b1708"
    "3667858b5457413690a46681846952b25cdf759a62a06a3415a78735c0003160"
    "720aac32649cbcdb9aaafb16c9e67e33da151f2aae45baadd655b9abb11354d3"
    "235811b181f6a5a5e25185ec75da5942a5e18b5de93cd97c74a108bde4049038"
    "6c233d8c4bfb212846c80d5a7195a36508b9c5c31bcc567be30fef074f3fcc03"
    "a68b1f16eca477317120a2c108021a4b2cbdc5d85507db426ba2a551f044e4c5"
    "71353a152993047c95580c87161b85617b5aa04d5b6ae556b024685f393800ce"
    "566e602776e5214aa8c89f770861f4c64612f2b6a5ab68e67a2c2eb652352421"
    "dcdbb917183474e73d8ada77d29b80959685368894d9f78837a84db47a91df27"
    "7641a7cf436aa79ec2870a3c659d69450aa514e0eb4a98c5aa2c7675ef78377f"
    "5c1c83a74a3209611c2110a24041b642bb62c935f4721a8fd95635274888a5bd"
    "7086a6e7b2570501b81b4971439617a8b4b4d1923f0b00ccdeabbb0fe95946fa"
    "0e500b9be7f664ffa1bb38c8bc2a51bc767675de2aa6a6876b35ea6c60847be4"
    "0095a9e04d22e0683fb53726716473e02afb9835da154cfadc88ab28575560c7"
    "a06bccd5e4338f5a7af914bdfb7905d2c03e68d52253b846d077b4e16a434dba"
    "b2d8631126b70825f28d27a51facb6254f176f803b2fdfc7cd7fa86f871540d6"
    "85527b32ad9f2069ef941aa0e88653b692356c0610e9410f61aefaf52112db50"
    "a88b72f94aa8c126aa09659b0c231940aa7fdcd607463b911c213bcd017fba19"
    "88607c077fb994172617f9f7b080164df21c0c4900c6c7888e35901189950cea"
    "c29453d92c133143aee5be72546af463418e659337605c0e6c9fe8f4ced380a8"
    "8b5538e5f5006faccee7832b58e577f9038d71445430f6307969959fe238c962"
    "6b588aad2d3c4263854b1cf94649370a2d166e790c57320835cfd7ce2e7128d1"
    "858a77ea976fc8b805f8293c29b74c7c4047db5dfdc72742602f98782b9a4859"
    "36862d4cea84c7d47e085cb94e2cb1d9fa0b3591278339a443e451aa0ba349a1"
    "0f4f46aec7a47732a4620291049e3b2cd32a8df9ca989a62456f063ab42c4444"
    "63b7bff0c164b1258a129ff4623d770450315c75b24159e8bb6c400938b72359"
    "4f0058e2879ce5aa629dfb4614968c0e992d2ea66b3296495af0c96e627a6815"
    "a4ece877ccea88f901ae77444015ba91e8b7a0d902cedc7a8e7c81bcef114569"
    "8784e5a533c4a33843387f4fd662772008bce2a51f795038e816188a86be010b"
    "857ab84948941984ca0f177a9a65af97500efd11a5ac299ba6a409afb94150a9"
    "210e833b928537453ab15f4075dc01271491127fd46b8134c87f50c3727712c5"
    "018a51a166a22c2751432d4b8b7ed1c575fe9547937651edc560596cb1810021"
    "21eb95648101c8eab854237a6d9920231c747a5a1f8d608fff947c37d81b4568"
    "38093613e83206417487cf68781114c9718201d1b16876387528876caf3c54c0"
    "b04623fb071b429e67157bfc31442f8b0b1e37691fec1103307f3e9aa35c6443"
    "a0d1a51789a854d5343a456264d19ecff7a169b79553b71bb585a134c9a84475"
    "c07b7c1990c883cb692f534ab8f74ccc20659a2f4a52f2d2ba79a5353dac7b7f"
    "dc9d3e76764cf89eaf600526b31ac9f8c5ccc3a8b5f702d43499e5d89d161890"
    "2697931352845b652392ba29f22980607583279604f1127fccdbc0f9e662deb0"
    "aee5f9189a911f4e9b3b0c04389ad0790ac36a95e28e9319757350474b5b78a9"
    "502cc430418204a0ca880cb7fba035e8b954a5318d88ab1266b01a6080fa3a21"
    "1c32bc84282c4cc17576c1ceeab63519ab5588e1bce2515ae59a8ddde0a7a109"
    "37f26c86ddaaccd2ec6361c969cff23306dc0efd06457407ca1e88b07c1a83c8"
    "699f11a252ceb8099be51404b992d5db40793c5566596fbb317e4af71d22e137"
    "291aaa535bb0c5560625415a5b3942bf06a6467046e9b13d4e01b6413a318215"
    "0d563695a9e52960d18c960b341fe587c756a191b173e6f07626e4bfb1331f2d"
    "c81086c04a287c0ef90b309a161a2412397aea79aa05346e3c5a1cd882a24c09"
    "bd260d4850f76d323044c6de0a816bf78d8ea019998d24c625ad059b62f06a0c"
    "da13211b2b316e187ff601aa5d6324832cf251653d77a2d80a07f97db8d92ac0"
    "6951d22a2a9e54b8ab5ea12800a5ca5fa4a2fd235185670a51fe389b0b097ce8"
);

/// Ciphertext c (1088 bytes) = Encaps_internal(ML_KEM_768_EK, ML_KEM_768_ENCAP_M);
/// also the input to the decapsulation KAT Decaps(ML_KEM_768_DK, c).
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-KEM-encapDecap-FIPS203/
/// internalProjection.json (git commit eb31c8ef41d1f62177960180c16d6ae8b9fba648),
/// vsId 42, tgId 2 (parameterSet ML-KEM-768, function "encapsulation", AFT), tcId 27, c.
pub(super) const ML_KEM_768_CT: &[u8] = &hex!(
    "e29c5c7aa523ed4adf256c9ae0e1fc20ae11eda4d4869431f62557938e146634"
    "5a78b01da83c97123f5286af527f7b451897491c604642afabdd16bf906d216b"
    "3239a85ab81d6286c6a6d00c85fccbfaf2757aa8c3cbb82a09b11db60d09348f"
    "530886efbed98a44dfbe2229ac284b7f29fd6fddd4e76cedcb43ecb05e8c36f2"
    "931d21e5dc551e7972c9f91f6f811158231bc3882910776f140f7b28bcecc4c2"
    "6c97ea4a3bc8464c32a8373e30b507be52e1080114ae01b5e145b4354f494008"
    "398c882a0035088aa6a64aba1a6ba9cfdbcd1ec3967ad235cbc81cd4cae705e1"
    "4bf04c2c16736760f113ac52056076c015ae38e67f608bee387ca4ccca5cd91d"
    "34df41d46ead5f7e7c0868266d873b1e5682c413ecec6e7bff9ec3c6faefabb3"
    "9ffded1667be2dc7124903283b1155d6f6b319451aef15a569e827589c1ae1dd"
    "c9248fca7be50615828f72fce7d176e084d54a85b01d5b5fbd55a83cc19ac8fa"
    "583e8c3497516a1b7ae3b4e2aaaf8755ff4e3979d0ba72bb69d240bb5c8c3f34"
    "042ec6d8f6930e62114e54661315d3682e3a3bf708cb961bb02353db35a37369"
    "6502d7b0a536db0b821e140b8da92727c79d9d0e6b4fb35ebeed95eb050e754a"
    "5fc413dfb761d2b8d5ce9b7cf642203f6c12cddd507450da00a2b8f741522b89"
    "a623adc11c25ef69199e5a90d75c4ea923d398a35b3dd512b93c69063de873d3"
    "faba91ac19bbf41b49855f73bbaef3080b0d84081ddb39f784da608c5631854b"
    "ecd2632588f0cb58f537909a55a05b5f9109614331090de215db0ce0ba458903"
    "8a6ae755a212f2448b09156a521c390ff91aed20c32b4c9e844f6774ef9087c0"
    "bbe149a5bb1e73363a9627e94051717bb60cc87b54feb4540fab8776e7f5fe32"
    "2d38e28e95d036dea172cc73b395f813ae8b9433f2d4b2780761b89909ff8812"
    "f2dbd001a74c89ba01e49acc4a27dbfbb61efcba1938e877b5fe208788f75d48"
    "6c51e53f308335da9758092a00bea439fb73d56a0431babf7180e5272d16e817"
    "b7e5aaa0f67206e40832103bfb7ac18a07d7e3f44ae8fb0f866c3aabc3d61d9b"
    "d44d5d56400f4111b67deebbe1d8d438b0d035eb05a90e22c25b3c4d0df38851"
    "0315390b4bf17aeaeef089810736877410a7f829a74a80998679b2797255b2c1"
    "8adbd4eec69ea328f320ecaf7c9f4ab06b04e2ddf640178c262fbb4f24c6266e"
    "0590b6b6c3dbdd9f101e0b117c498218097a082784a481118ae0d5f2afaec65d"
    "1b50d6759de02278474e630c2fc6b3639935f0c01581c0a3ce4f5cd160fcdd1d"
    "b7372cf102ae00b4e8a4a46a3ea75b72a81fdf32c7844a5a9a211d3e6d8b72db"
    "fabd1ef37aa199f141a28d2b52437d48807e9509c5474196582c584d75755113"
    "7df17068c7d428b19d573f08e9062948bbac8d90532fc6d9ebd1f957c7fa4181"
    "54bc64af49993a4cc0946b7226cf216f9c0dec970b868e56bbbd4f53ac8e6dbb"
    "44662dd22841c74e8dd15aa922d192b4caa769a7be31d8f58d5b1aa9acf17484"
);

/// Shared secret K (32 bytes) from both encapsulation and decapsulation.
/// Source: usnistgov/ACVP-Server, gen-val/json-files/ML-KEM-encapDecap-FIPS203/
/// internalProjection.json (git commit eb31c8ef41d1f62177960180c16d6ae8b9fba648),
/// vsId 42, tgId 2 (parameterSet ML-KEM-768, function "encapsulation", AFT), tcId 27, k.
pub(super) const ML_KEM_768_SS: &[u8] =
    &hex!("3fbb9ef2b01969aa3b09df23f04fafd92e70ef5ae8c8798fa643fdf4c146dd9b");

// --------------------------------------------------------------------------
// 15. HMAC_DRBG SHA-256 (NIST CAVP drbgvectors_no_reseed/HMAC_DRBG.rsp)
// --------------------------------------------------------------------------

/// EntropyInput (32 bytes) for Instantiate.
/// Source: NIST CAVP drbgtestvectors.zip, drbgvectors_no_reseed/HMAC_DRBG.rsp,
/// [SHA-256] [PredictionResistance = False] [EntropyInputLen = 256]
/// [NonceLen = 128] [PersonalizationStringLen = 0] [AdditionalInputLen = 0]
/// [ReturnedBitsLen = 1024], COUNT = 0, EntropyInput.
pub(super) const HMAC_DRBG_ENTROPY: &[u8] =
    &hex!("ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488");

/// Nonce (16 bytes) for Instantiate.
/// Source: NIST CAVP drbgtestvectors.zip, drbgvectors_no_reseed/HMAC_DRBG.rsp,
/// [SHA-256] [PredictionResistance = False] [EntropyInputLen = 256]
/// [NonceLen = 128] [PersonalizationStringLen = 0] [AdditionalInputLen = 0]
/// [ReturnedBitsLen = 1024], COUNT = 0, Nonce.
pub(super) const HMAC_DRBG_NONCE: &[u8] = &hex!("659ba96c601dc69fc902940805ec0ca8");

/// PersonalizationString: empty.
/// Source: NIST CAVP drbgtestvectors.zip, drbgvectors_no_reseed/HMAC_DRBG.rsp,
/// [SHA-256] [PredictionResistance = False] [EntropyInputLen = 256]
/// [NonceLen = 128] [PersonalizationStringLen = 0] [AdditionalInputLen = 0]
/// [ReturnedBitsLen = 1024], COUNT = 0, PersonalizationString = (empty).
pub(super) const HMAC_DRBG_PERS: &[u8] = &hex!("");

/// AdditionalInput for the first Generate call: empty.
/// Source: NIST CAVP drbgtestvectors.zip, drbgvectors_no_reseed/HMAC_DRBG.rsp,
/// [SHA-256] [PredictionResistance = False] [EntropyInputLen = 256]
/// [NonceLen = 128] [PersonalizationStringLen = 0] [AdditionalInputLen = 0]
/// [ReturnedBitsLen = 1024], COUNT = 0, first AdditionalInput = (empty).
pub(super) const HMAC_DRBG_ADDITIONAL_INPUT_1: &[u8] = &hex!("");

/// AdditionalInput for the second Generate call: empty.
/// Source: NIST CAVP drbgtestvectors.zip, drbgvectors_no_reseed/HMAC_DRBG.rsp,
/// [SHA-256] [PredictionResistance = False] [EntropyInputLen = 256]
/// [NonceLen = 128] [PersonalizationStringLen = 0] [AdditionalInputLen = 0]
/// [ReturnedBitsLen = 1024], COUNT = 0, second AdditionalInput = (empty).
pub(super) const HMAC_DRBG_ADDITIONAL_INPUT_2: &[u8] = &hex!("");

/// ReturnedBits (128 bytes). CAVP procedure for this file: Instantiate(EntropyInput,
/// Nonce, PersonalizationString); Generate 1024 bits and discard them; Generate 1024
/// bits again; the second output must equal this value. No reseed in this file.
/// Source: NIST CAVP drbgtestvectors.zip, drbgvectors_no_reseed/HMAC_DRBG.rsp,
/// [SHA-256] [PredictionResistance = False] [EntropyInputLen = 256]
/// [NonceLen = 128] [PersonalizationStringLen = 0] [AdditionalInputLen = 0]
/// [ReturnedBitsLen = 1024], COUNT = 0, ReturnedBits.
pub(super) const HMAC_DRBG_RETURNED_BITS: &[u8] = &hex!(
    "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89"
    "d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc1"
    "07694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668"
    "961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8"
);

// 16. RNG continuous health test: no known-answer vector (not applicable).
