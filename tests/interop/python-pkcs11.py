"""python-pkcs11 (PyPI) against the built module, cross-checked with the `cryptography` package.

Run by python-pkcs11.sh, which makes the config and initialises the token:
    python3 python-pkcs11.py LIB TOKEN_LABEL USER_PIN

Keygen, sign/verify, encrypt/decrypt and wrap/unwrap for RSA, EC (and Ed25519) and AES, each
checked both ways: what the token produces is checked with `cryptography`, and what
`cryptography` produces is checked on the token. Prints one line per check and closes with
"python-pkcs11.py: N passed, N failed"; exits 1 on any failure.
"""

from __future__ import annotations

import os
import sys
import traceback

import pkcs11
from pkcs11 import (
    DEFAULT,
    KDF,
    MGF,
    Attribute,
    KeyType,
    Mechanism,
    MechanismFlag,
    ObjectClass,
)
from pkcs11 import exceptions as p11e
from pkcs11.mechanisms import CTRParams, GCMParams
from pkcs11.util.ec import encode_named_curve_parameters

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import cmac, hashes, hmac, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.hazmat.primitives.padding import PKCS7

LIB, TOKEN_LABEL, USER_PIN = sys.argv[1:4]

PASSED = 0
FAILED: list[str] = []


def check(name):
    """Decorator: run the function now as one check."""

    def run(fn):
        global PASSED
        try:
            fn()
        except Exception:  # noqa: BLE001 - every failure is reported, not raised
            FAILED.append(name)
            print(f"FAIL {name}")
            for line in traceback.format_exc().rstrip().splitlines()[-12:]:
                print(f"     | {line}")
        else:
            PASSED += 1
            print(f"ok   {name}")
        sys.stdout.flush()
        return fn

    return run


def expect_error(exc_types, fn, what):
    try:
        fn()
    except exc_types:
        return
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"{what}: expected {exc_types}, got {type(e).__name__}: {e}") from e
    raise AssertionError(f"{what}: expected {exc_types}, but it succeeded")


def eq(a, b, what):
    if a != b:
        raise AssertionError(f"{what}: {a!r:.200} != {b!r:.200}")


lib = pkcs11.lib(LIB)
token = lib.get_token(token_label=TOKEN_LABEL)
session = token.open(rw=True, user_pin=USER_PIN)

HASHES = {
    "SHA224": (Mechanism.SHA224, MGF.SHA224, hashes.SHA224()),
    "SHA256": (Mechanism.SHA256, MGF.SHA256, hashes.SHA256()),
    "SHA384": (Mechanism.SHA384, MGF.SHA384, hashes.SHA384()),
    "SHA512": (Mechanism.SHA512, MGF.SHA512, hashes.SHA512()),
}
DATA = os.urandom(3000)
_next_id = [0x100]


def new_id() -> bytes:
    _next_id[0] += 1
    return _next_id[0].to_bytes(2, "big")


def digest(h, data):
    d = hashes.Hash(h)
    d.update(data)
    return d.finalize()


# --------------------------------------------------------------------------------------------
# Token and mechanism info


@check("token info and mechanism list")
def _():
    eq(token.manufacturer_id.strip(), "Craton HSM", "manufacturer")
    mechs = token.slot.get_mechanisms()
    for m in (
        Mechanism.RSA_PKCS_KEY_PAIR_GEN, Mechanism.RSA_PKCS_OAEP, Mechanism.SHA256_RSA_PKCS_PSS,
        Mechanism.EC_KEY_PAIR_GEN, Mechanism.ECDSA_SHA384, Mechanism.ECDH1_DERIVE,
        Mechanism.EC_EDWARDS_KEY_PAIR_GEN, Mechanism.EDDSA, Mechanism.AES_GCM, Mechanism.AES_CTR,
        Mechanism.AES_KEY_WRAP, Mechanism.AES_KEY_WRAP_KWP, Mechanism.AES_CMAC,
        Mechanism.SHA3_256, Mechanism.SHA3_256_HMAC,
    ):
        assert m in mechs, f"{m!r} not in C_GetMechanismList"
    info = token.slot.get_mechanism_info(Mechanism.RSA_PKCS_KEY_PAIR_GEN)
    # AWS-LC generates RSA keys up to 8192 bits, the RustCrypto provider up to 4096.
    top = 8192 if token.model.strip() == "FIPS (AWS-LC)" else 4096
    eq((info.min_key_length, info.max_key_length), (2048, top), "RSA key sizes")
    info = token.slot.get_mechanism_info(Mechanism.AES_GCM)
    eq((info.min_key_length, info.max_key_length), (16, 32), "AES key sizes (bytes)")
    assert MechanismFlag.ENCRYPT in info.flags and MechanismFlag.WRAP in info.flags, info.flags


# --------------------------------------------------------------------------------------------
# RSA

RSA_ID = new_id()
rsa_pub, rsa_priv = session.generate_keypair(
    KeyType.RSA, 2048, id=RSA_ID, label="py-rsa", store=True,
    capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY | MechanismFlag.ENCRYPT
    | MechanismFlag.DECRYPT | MechanismFlag.WRAP | MechanismFlag.UNWRAP,
)


def crypto_rsa_pub(key) -> rsa.RSAPublicKey:
    n = int.from_bytes(key[Attribute.MODULUS], "big")
    e = int.from_bytes(key[Attribute.PUBLIC_EXPONENT], "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


RSA_PUB = crypto_rsa_pub(rsa_pub)


@check("RSA-2048 keygen: attributes (sensitive, never extractable, local, modulus bits)")
def _():
    eq(rsa_pub[Attribute.MODULUS_BITS], 2048, "CKA_MODULUS_BITS")
    eq(RSA_PUB.key_size, 2048, "modulus size")
    eq(rsa_priv[Attribute.SENSITIVE], True, "CKA_SENSITIVE")
    eq(rsa_priv[Attribute.EXTRACTABLE], False, "CKA_EXTRACTABLE")
    eq(rsa_priv[Attribute.NEVER_EXTRACTABLE], True, "CKA_NEVER_EXTRACTABLE")
    eq(rsa_priv[Attribute.LOCAL], True, "CKA_LOCAL")
    expect_error(p11e.AttributeSensitive, lambda: rsa_priv[Attribute.PRIVATE_EXPONENT], "read d")


@check("RSA SHA*-RSA-PKCS: token signs, cryptography verifies; and back")
def _():
    for name, (_, _, h) in HASHES.items():
        mech = getattr(Mechanism, f"{name}_RSA_PKCS")
        sig = rsa_priv.sign(DATA, mechanism=mech)
        RSA_PUB.verify(sig, DATA, padding.PKCS1v15(), h)
        assert rsa_pub.verify(DATA, sig, mechanism=mech), f"{name}: token rejects its own signature"
    # multi-part (C_SignUpdate) gives the same deterministic signature
    parts = iter([DATA[:1000], DATA[1000:2500], DATA[2500:]])
    eq(rsa_priv.sign(parts, mechanism=Mechanism.SHA256_RSA_PKCS),
       rsa_priv.sign(DATA, mechanism=Mechanism.SHA256_RSA_PKCS), "multi-part signature")


@check("RSA-PKCS over a DigestInfo and RSA-X-509: cryptography verifies")
def _():
    h = digest(hashes.SHA256(), DATA)
    di = bytes.fromhex("3031300d060960864801650304020105000420") + h
    sig = rsa_priv.sign(di, mechanism=Mechanism.RSA_PKCS)
    RSA_PUB.verify(sig, h, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    block = b"\x00" + os.urandom(255)
    sig = rsa_priv.sign(block, mechanism=Mechanism.RSA_X_509)
    n = RSA_PUB.public_numbers()
    eq(pow(int.from_bytes(sig, "big"), n.e, n.n), int.from_bytes(block, "big"), "RSA-X-509")


@check("RSA PSS with CK_RSA_PKCS_PSS_PARAMS (hash, MGF, sLen): both ways")
def _():
    for name, (hm, mgf, h) in HASHES.items():
        mech = getattr(Mechanism, f"{name}_RSA_PKCS_PSS")
        for salt in (0, 20, h.digest_size):
            sig = rsa_priv.sign(DATA, mechanism=mech, mechanism_param=(hm, mgf, salt))
            # cryptography checks the exact salt length
            RSA_PUB.verify(sig, DATA, padding.PSS(padding.MGF1(h), salt), h)
        assert rsa_pub.verify(DATA, sig, mechanism=mech, mechanism_param=(hm, mgf, h.digest_size))
        assert not rsa_pub.verify(DATA, sig, mechanism=mech, mechanism_param=(hm, mgf, 0)), \
            f"{name}: PSS signature with salt {h.digest_size} verified as salt 0"
    # RSA_PKCS_PSS on a precomputed hash
    h = digest(hashes.SHA384(), DATA)
    sig = rsa_priv.sign(h, mechanism=Mechanism.RSA_PKCS_PSS,
                        mechanism_param=(Mechanism.SHA384, MGF.SHA384, 48))
    RSA_PUB.verify(sig, h, padding.PSS(padding.MGF1(hashes.SHA384()), 48),
                   utils.Prehashed(hashes.SHA384()))


@check("RSA PSS whose MGF hash differs from the hash: AWS-LC signs it, RustCrypto refuses it "
       "(CKR_MECHANISM_PARAM_INVALID)")
def _():
    sign = lambda: rsa_priv.sign(  # noqa: E731
        DATA, mechanism=Mechanism.SHA256_RSA_PKCS_PSS,
        mechanism_param=(Mechanism.SHA256, MGF.SHA1, 32))
    if token.model.strip() == "FIPS (AWS-LC)":
        RSA_PUB.verify(sign(), DATA, padding.PSS(padding.MGF1(hashes.SHA1()), 32),
                       hashes.SHA256())
    else:
        # The rsa crate's PSS runs MGF1 over the message hash only.
        expect_error(p11e.MechanismParamInvalid, sign, "PSS SHA-256 with MGF1-SHA1")


# A cryptography-made RSA key pair imported into the token, so that cryptography holds the
# private half and the token's public-key operations can be checked.
CRYPTO_RSA = rsa.generate_private_key(65537, 2048)
_n = CRYPTO_RSA.private_numbers()
IMP_ID = new_id()
imp_rsa_pub = session.create_object({
    Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.KEY_TYPE: KeyType.RSA,
    Attribute.TOKEN: False, Attribute.ID: IMP_ID, Attribute.LABEL: "py-imported-rsa",
    Attribute.MODULUS: _n.public_numbers.n.to_bytes(256, "big"),
    Attribute.PUBLIC_EXPONENT: _n.public_numbers.e.to_bytes(3, "big"),
    Attribute.VERIFY: True, Attribute.ENCRYPT: True, Attribute.WRAP: True,
})


@check("cryptography's RSA signatures (PKCS#1 v1.5, PSS) verify on the token; bad ones don't")
def _():
    for name, (hm, mgf, h) in HASHES.items():
        sig = CRYPTO_RSA.sign(DATA, padding.PKCS1v15(), h)
        assert imp_rsa_pub.verify(DATA, sig, mechanism=getattr(Mechanism, f"{name}_RSA_PKCS"))
        sig = CRYPTO_RSA.sign(DATA, padding.PSS(padding.MGF1(h), h.digest_size), h)
        mech = getattr(Mechanism, f"{name}_RSA_PKCS_PSS")
        assert imp_rsa_pub.verify(DATA, sig, mechanism=mech, mechanism_param=(hm, mgf, h.digest_size))
        bad = sig[:-1] + bytes([sig[-1] ^ 1])
        assert not imp_rsa_pub.verify(DATA, bad, mechanism=mech,
                                      mechanism_param=(hm, mgf, h.digest_size))


@check("C_CreateObject RSA public key has CKA_MODULUS_BITS")
def _():
    eq(imp_rsa_pub[Attribute.MODULUS_BITS], 2048, "CKA_MODULUS_BITS")


OAEP_CASES = [
    ("SHA-1", Mechanism.SHA_1, MGF.SHA1, hashes.SHA1(), None),
    ("SHA-256", Mechanism.SHA256, MGF.SHA256, hashes.SHA256(), None),
    ("SHA-256 + label", Mechanism.SHA256, MGF.SHA256, hashes.SHA256(), b"craton label"),
    ("SHA-512 + label", Mechanism.SHA512, MGF.SHA512, hashes.SHA512(), b"\x00\x01label"),
]


@check("RSA-PKCS and RSA-OAEP (hash, MGF, label): token encrypts, cryptography decrypts")
def _():
    msg = b"the quick brown fox"
    ct = imp_rsa_pub.encrypt(msg, mechanism=Mechanism.RSA_PKCS)
    eq(CRYPTO_RSA.decrypt(ct, padding.PKCS1v15()), msg, "RSA-PKCS")
    for name, hm, mgf, h, label in OAEP_CASES:
        ct = imp_rsa_pub.encrypt(msg, mechanism=Mechanism.RSA_PKCS_OAEP,
                                 mechanism_param=(hm, mgf, label))
        pt = CRYPTO_RSA.decrypt(ct, padding.OAEP(padding.MGF1(h), h, label))
        eq(pt, msg, f"OAEP {name}")


@check("RSA-PKCS and RSA-OAEP (hash, MGF, label): cryptography encrypts, token decrypts")
def _():
    msg = b"jumps over the lazy dog"
    ct = RSA_PUB.encrypt(msg, padding.PKCS1v15())
    eq(rsa_priv.decrypt(ct, mechanism=Mechanism.RSA_PKCS), msg, "RSA-PKCS")
    for name, hm, mgf, h, label in OAEP_CASES:
        ct = RSA_PUB.encrypt(msg, padding.OAEP(padding.MGF1(h), h, label))
        pt = rsa_priv.decrypt(ct, mechanism=Mechanism.RSA_PKCS_OAEP,
                              mechanism_param=(hm, mgf, label))
        eq(pt, msg, f"OAEP {name}")
    # the label is part of the check: a wrong one fails
    ct = RSA_PUB.encrypt(msg, padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), b"A"))
    expect_error((p11e.EncryptedDataInvalid, p11e.EncryptedDataLenRange), lambda: rsa_priv.decrypt(
        ct, mechanism=Mechanism.RSA_PKCS_OAEP,
        mechanism_param=(Mechanism.SHA256, MGF.SHA256, b"B")), "OAEP with the wrong label")


# --------------------------------------------------------------------------------------------
# AES

# A secret key either encrypts data or transports keys (docs/security.md): python-pkcs11's
# default AES capabilities ask for both, so every key here names its role.
DATA_ROLE = MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT | MechanismFlag.SIGN | MechanismFlag.VERIFY
KEK_ROLE = MechanismFlag.WRAP | MechanismFlag.UNWRAP


def aes_key(bits, template=None, capabilities=DATA_ROLE):
    t = {Attribute.EXTRACTABLE: True, Attribute.SENSITIVE: False}
    t.update(template or {})
    return session.generate_key(KeyType.AES, bits, id=new_id(), label=f"py-aes{bits}",
                                store=False, template=t, capabilities=capabilities)


def aes_kek(bits, template=None):
    return aes_key(bits, template, capabilities=KEK_ROLE)


AES = {bits: aes_key(bits) for bits in (128, 192, 256)}


@check("AES keygen 128/192/256: CKA_VALUE_LEN and value")
def _():
    for bits, k in AES.items():
        eq(k[Attribute.VALUE_LEN], bits // 8, "CKA_VALUE_LEN")
        eq(len(k[Attribute.VALUE]), bits // 8, "CKA_VALUE")
    # python-pkcs11's default capabilities mix encryption and key wrapping: refused.
    expect_error(p11e.TemplateInconsistent,
                 lambda: session.generate_key(KeyType.AES, 256, store=False),
                 "a key that both wraps and decrypts")
    k = session.generate_key(KeyType.AES, 256, label="py-aes-default", store=False,
                             capabilities=DATA_ROLE)
    eq(k[Attribute.SENSITIVE], True, "default CKA_SENSITIVE")
    eq(k[Attribute.EXTRACTABLE], False, "default CKA_EXTRACTABLE")
    expect_error(p11e.AttributeSensitive, lambda: k[Attribute.VALUE], "read a sensitive value")


def crypto_cipher(key, mode):
    return Cipher(algorithms.AES(key[Attribute.VALUE]), mode)


def crypto_enc(key, mode, data):
    e = crypto_cipher(key, mode).encryptor()
    return e.update(data) + e.finalize()


def crypto_dec(key, mode, data):
    d = crypto_cipher(key, mode).decryptor()
    return d.update(data) + d.finalize()


def pkcs7(data):
    p = PKCS7(128).padder()
    return p.update(data) + p.finalize()


@check("AES-ECB/CBC/CBC-PAD/CTR, 128/192/256: token and cryptography agree both ways")
def _():
    iv = os.urandom(16)
    nonce = os.urandom(12)
    ctr_block = nonce + b"\x00\x00\x00\x01"  # what python-pkcs11 puts in CK_AES_CTR_PARAMS.cb
    blocks = os.urandom(64)
    odd = os.urandom(61)
    for bits, k in AES.items():
        cases = [
            ("ECB", Mechanism.AES_ECB, None, modes.ECB(), blocks, blocks),
            ("CBC", Mechanism.AES_CBC, iv, modes.CBC(iv), blocks, blocks),
            ("CBC-PAD", Mechanism.AES_CBC_PAD, iv, modes.CBC(iv), odd, pkcs7(odd)),
            ("CTR", Mechanism.AES_CTR, CTRParams(nonce), modes.CTR(ctr_block), odd, odd),
        ]
        for name, mech, param, mode, pt, padded in cases:
            ct = k.encrypt(pt, mechanism=mech, mechanism_param=param)
            eq(ct, crypto_enc(k, mode, padded), f"AES-{bits}-{name} encrypt")
            eq(k.decrypt(ct, mechanism=mech, mechanism_param=param), pt, f"AES-{bits}-{name} decrypt")


@check("AES multi-part: C_EncryptUpdate/C_DecryptUpdate output arrives with the input")
def _():
    k = AES[256]
    iv = os.urandom(16)
    chunks = [os.urandom(64), os.urandom(48), os.urandom(16), os.urandom(5)]
    data = b"".join(chunks)
    for name, mech, param, mode, streamed in (
        ("CBC-PAD", Mechanism.AES_CBC_PAD, iv, modes.CBC(iv), True),
        ("CTR", Mechanism.AES_CTR, CTRParams(iv[:12]), modes.CTR(iv[:12] + b"\0\0\0\1"), True),
    ):
        out = list(k.encrypt(iter(chunks), mechanism=mech, mechanism_param=param))
        ct = b"".join(out)
        want = crypto_enc(k, mode, pkcs7(data) if name == "CBC-PAD" else data)
        eq(ct, want, f"{name} multi-part ciphertext")
        # the first 64-byte update must give its 64 (CBC-PAD may hold back at most one block)
        first = len(out[0]) if out else 0
        assert first >= 48, f"{name}: first C_EncryptUpdate gave {first} bytes of 64 (buffered?)"
        pt = b"".join(k.decrypt(iter([ct[:64], ct[64:]]), mechanism=mech, mechanism_param=param))
        eq(pt, data, f"{name} multi-part decrypt")


@check("AES-GCM (CK_GCM_PARAMS: IV, AAD, tag bits): token and cryptography agree both ways")
def _():
    for bits, k in AES.items():
        for aad, tag_bits in ((None, 128), (b"header", 128), (b"header", 96), (os.urandom(100), 120)):
            iv = os.urandom(12)
            pt = os.urandom(77)
            ct = k.encrypt(pt, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(iv, aad, tag_bits))
            eq(len(ct), len(pt) + tag_bits // 8, f"GCM-{bits} tag {tag_bits}: output length")
            full = AESGCM(k[Attribute.VALUE]).encrypt(iv, pt, aad)
            # a shorter GCM tag is the leading bytes of the full one
            eq(ct, full[: len(pt) + tag_bits // 8], f"GCM-{bits} aad={aad!r:.20} tag {tag_bits}")
            eq(k.decrypt(full[: len(ct)], mechanism=Mechanism.AES_GCM,
                         mechanism_param=GCMParams(iv, aad, tag_bits)), pt, "GCM decrypt")
    k = AES[128]
    iv = os.urandom(12)
    ct = AESGCM(k[Attribute.VALUE]).encrypt(iv, b"secret", b"aad")
    expect_error(p11e.EncryptedDataInvalid, lambda: k.decrypt(
        ct, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(iv, b"AAD", 128)), "GCM wrong AAD")
    bad = ct[:-1] + bytes([ct[-1] ^ 1])
    expect_error(p11e.EncryptedDataInvalid, lambda: k.decrypt(
        bad, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(iv, b"aad", 128)), "GCM bad tag")


@check("AES-CMAC: token MAC equals cryptography's; token verifies cryptography's")
def _():
    for bits, k in AES.items():
        c = cmac.CMAC(algorithms.AES(k[Attribute.VALUE]))
        c.update(DATA)
        want = c.finalize()
        eq(k.sign(DATA, mechanism=Mechanism.AES_CMAC), want, f"CMAC-{bits}")
        assert k.verify(DATA, want, mechanism=Mechanism.AES_CMAC)
        assert not k.verify(DATA + b"x", want, mechanism=Mechanism.AES_CMAC)


# --------------------------------------------------------------------------------------------
# Wrap / unwrap


# python-pkcs11's unwrap_key template sets every capability attribute, CKA_ENCRYPT/VERIFY/WRAP
# included, which a private key does not have (CKR_ATTRIBUTE_TYPE_INVALID, SoftHSM does the
# same); DEFAULT drops them from the template.
PRIVATE_UNWRAP = {Attribute.ENCRYPT: DEFAULT, Attribute.VERIFY: DEFAULT, Attribute.WRAP: DEFAULT}


def secret_value_check(key, value, what):
    """The unwrapped key works like `value`: compare an AES-ECB encryption with cryptography's."""
    block = os.urandom(16)
    got = key.encrypt(block, mechanism=Mechanism.AES_ECB)
    e = Cipher(algorithms.AES(value), modes.ECB()).encryptor()
    eq(got, e.update(block) + e.finalize(), what)


@check("AES-KEY-WRAP and AES-KEY-WRAP-KWP: token wraps, cryptography unwraps; and back")
def _():
    kek = aes_kek(256)
    kek_value = kek[Attribute.VALUE]
    target = AES[192]
    w = kek.wrap_key(target, mechanism=Mechanism.AES_KEY_WRAP)
    eq(keywrap.aes_key_unwrap(kek_value, w), target[Attribute.VALUE], "KW unwrap")
    w = kek.wrap_key(target, mechanism=Mechanism.AES_KEY_WRAP_KWP)
    eq(keywrap.aes_key_unwrap_with_padding(kek_value, w), target[Attribute.VALUE], "KWP unwrap")
    # cryptography wraps: unwrapped key type and attributes follow the template
    value = os.urandom(32)
    for mech, wrapped in ((Mechanism.AES_KEY_WRAP, keywrap.aes_key_wrap(kek_value, value)),
                          (Mechanism.AES_KEY_WRAP_KWP, keywrap.aes_key_wrap_with_padding(kek_value, value))):
        k = kek.unwrap_key(ObjectClass.SECRET_KEY, KeyType.AES, wrapped, mechanism=mech,
                           label="py-unwrapped", capabilities=MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT,
                           template={Attribute.SENSITIVE: True})
        eq(k[Attribute.KEY_TYPE], KeyType.AES, "unwrapped CKA_KEY_TYPE")
        eq(k[Attribute.VALUE_LEN], 32, "unwrapped CKA_VALUE_LEN")
        eq(k[Attribute.LOCAL], False, "unwrapped CKA_LOCAL")
        secret_value_check(k, value, f"{mech!r} unwrapped key")
    # KWP of a 20-byte generic secret (the padded case)
    gvalue = os.urandom(20)
    g = kek.unwrap_key(ObjectClass.SECRET_KEY, KeyType.GENERIC_SECRET,
                       keywrap.aes_key_wrap_with_padding(kek_value, gvalue),
                       mechanism=Mechanism.AES_KEY_WRAP_KWP, capabilities=MechanismFlag.SIGN,
                       template={Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True})
    eq(g[Attribute.VALUE], gvalue, "KWP generic secret")
    # a corrupted blob is refused
    bad = bytearray(keywrap.aes_key_wrap(kek_value, value))
    bad[3] ^= 1
    expect_error((p11e.WrappedKeyInvalid, p11e.EncryptedDataInvalid), lambda: kek.unwrap_key(
        ObjectClass.SECRET_KEY, KeyType.AES, bytes(bad), mechanism=Mechanism.AES_KEY_WRAP,
        capabilities=DATA_ROLE), "corrupted AES-KW blob")


@check("AES-GCM wrap/unwrap of a secret key <-> cryptography AESGCM")
def _():
    kek = aes_kek(128)
    iv = os.urandom(12)
    target = AES[256]
    w = kek.wrap_key(target, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(iv, b"wrap", 128))
    eq(AESGCM(kek[Attribute.VALUE]).decrypt(iv, w, b"wrap"), target[Attribute.VALUE], "GCM wrap")
    value = os.urandom(16)
    k = kek.unwrap_key(ObjectClass.SECRET_KEY, KeyType.AES,
                       AESGCM(kek[Attribute.VALUE]).encrypt(iv, value, None),
                       mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(iv, None, 128),
                       capabilities=MechanismFlag.ENCRYPT)
    secret_value_check(k, value, "GCM-unwrapped key")


@check("RSA-OAEP wrap/unwrap of an AES key <-> cryptography")
def _():
    target = AES[128]
    param = (Mechanism.SHA256, MGF.SHA256, None)
    w = imp_rsa_pub.wrap_key(target, mechanism=Mechanism.RSA_PKCS_OAEP, mechanism_param=param)
    oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
    eq(CRYPTO_RSA.decrypt(w, oaep), target[Attribute.VALUE], "OAEP wrap")
    value = os.urandom(32)
    k = rsa_priv.unwrap_key(ObjectClass.SECRET_KEY, KeyType.AES, RSA_PUB.encrypt(value, oaep),
                            mechanism=Mechanism.RSA_PKCS_OAEP, mechanism_param=param,
                            capabilities=MechanismFlag.ENCRYPT)
    secret_value_check(k, value, "OAEP-unwrapped key")
    # token to token: wrap with the token public key, unwrap with its private key
    w = rsa_pub.wrap_key(target, mechanism=Mechanism.RSA_PKCS_OAEP, mechanism_param=param)
    k = rsa_priv.unwrap_key(ObjectClass.SECRET_KEY, KeyType.AES, w, mechanism=Mechanism.RSA_PKCS_OAEP,
                            mechanism_param=param, capabilities=MechanismFlag.ENCRYPT)
    secret_value_check(k, target[Attribute.VALUE], "token-to-token OAEP")


@check("wrapping a non-extractable key fails with CKR_KEY_UNEXTRACTABLE")
def _():
    kek = aes_kek(256)
    k = session.generate_key(KeyType.AES, 128, store=False, capabilities=DATA_ROLE)
    expect_error(p11e.KeyUnextractable, lambda: kek.wrap_key(k, mechanism=Mechanism.AES_KEY_WRAP),
                 "wrap non-extractable")


# --------------------------------------------------------------------------------------------
# EC

CURVES = {
    "P-256": ("secp256r1", ec.SECP256R1(), 32, hashes.SHA256(), Mechanism.ECDSA_SHA256),
    "P-384": ("secp384r1", ec.SECP384R1(), 48, hashes.SHA384(), Mechanism.ECDSA_SHA384),
}
EC_KEYS = {}


def ec_public_from_token(pub, curve) -> ec.EllipticCurvePublicKey:
    point = pub[Attribute.EC_POINT]
    # CKA_EC_POINT is a DER OCTET STRING holding the uncompressed point
    n = 1 + 2 * CURVES[curve][2]
    assert point[0] == 0x04 and point[1] == n and len(point) == n + 2, f"CKA_EC_POINT {point.hex()}"
    return ec.EllipticCurvePublicKey.from_encoded_point(CURVES[curve][1], point[2:])


def rs_to_der(sig, size):
    eq(len(sig), 2 * size, "ECDSA signature length (r||s)")
    return utils.encode_dss_signature(int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big"))


def der_to_rs(der, size):
    r, s = utils.decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


@check("EC keygen P-256 and P-384 (CKA_EC_PARAMS as OID), CKA_EC_POINT a DER OCTET STRING")
def _():
    for curve, (name, _, _, _, _) in CURVES.items():
        pub, priv = session.generate_keypair(
            KeyType.EC, id=new_id(), label=f"py-{curve}", store=True,
            capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY | MechanismFlag.DERIVE,
            public_template={Attribute.EC_PARAMS: encode_named_curve_parameters(name)},
            private_template={Attribute.EXTRACTABLE: True},
        )
        EC_KEYS[curve] = (pub, priv, ec_public_from_token(pub, curve))


@check("ECDSA and ECDSA-SHA*: token signs (r||s), cryptography verifies; and back")
def _():
    for curve, (_, crv, size, h, mech) in CURVES.items():
        pub, priv, cpub = EC_KEYS[curve]
        sig = priv.sign(DATA, mechanism=mech)
        cpub.verify(rs_to_der(sig, size), DATA, ec.ECDSA(h))
        assert pub.verify(DATA, sig, mechanism=mech)
        for hname in ("SHA224", "SHA256", "SHA384", "SHA512"):
            m = getattr(Mechanism, f"ECDSA_{hname}")
            sig = priv.sign(DATA, mechanism=m)
            cpub.verify(rs_to_der(sig, size), DATA, ec.ECDSA(HASHES[hname][2]))
        hashed = digest(h, DATA)
        sig = priv.sign(hashed, mechanism=Mechanism.ECDSA)
        cpub.verify(rs_to_der(sig, size), hashed, ec.ECDSA(utils.Prehashed(h)))
        # cryptography signs; an imported public key and the raw ECDSA mechanism verify on the token
        ckey = ec.generate_private_key(crv)
        point = ckey.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        imp = session.create_object({
            Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.KEY_TYPE: KeyType.EC,
            Attribute.TOKEN: False, Attribute.VERIFY: True,
            Attribute.EC_PARAMS: pub[Attribute.EC_PARAMS],
            Attribute.EC_POINT: bytes([0x04, len(point)]) + point,
        })
        csig = der_to_rs(ckey.sign(DATA, ec.ECDSA(h)), size)
        assert imp.verify(DATA, csig, mechanism=mech), f"{curve}: cryptography signature rejected"
        assert imp.verify(hashed, der_to_rs(ckey.sign(hashed, ec.ECDSA(utils.Prehashed(h))), size),
                          mechanism=Mechanism.ECDSA)
        bad = csig[:-1] + bytes([csig[-1] ^ 1])
        assert not imp.verify(DATA, bad, mechanism=mech), f"{curve}: bad signature accepted"


@check("ECDH1-DERIVE (CKD_NULL, CKD_SHA256_KDF with shared data) equals cryptography's ECDH")
def _():
    for curve, (_, crv, size, _, _) in CURVES.items():
        pub, priv, cpub = EC_KEYS[curve]
        peer = ec.generate_private_key(crv)
        peer_point = peer.public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
        z = peer.exchange(ec.ECDH(), cpub)
        tmpl = {Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True}
        k = priv.derive_key(KeyType.GENERIC_SECRET, size * 8, mechanism=Mechanism.ECDH1_DERIVE,
                            mechanism_param=(KDF.NULL, None, peer_point), template=tmpl)
        eq(k[Attribute.VALUE], z, f"{curve} CKD_NULL")
        k = priv.derive_key(KeyType.GENERIC_SECRET, size * 8, mechanism=Mechanism.ECDH1_COFACTOR_DERIVE,
                            mechanism_param=(KDF.NULL, None, peer_point), template=tmpl)
        eq(k[Attribute.VALUE], z, f"{curve} cofactor CKD_NULL")
        shared = b"craton shared info"
        k = priv.derive_key(KeyType.AES, 256, mechanism=Mechanism.ECDH1_DERIVE,
                            mechanism_param=(KDF.SHA256, shared, peer_point), template=tmpl)
        want = X963KDF(hashes.SHA256(), 32, shared).derive(z)
        eq(k[Attribute.VALUE], want, f"{curve} CKD_SHA256_KDF")
        eq(k[Attribute.KEY_TYPE], KeyType.AES, "derived key type")


@check("EC private key wrap (PKCS#8 under AES-KWP) <-> cryptography, both ways")
def _():
    kek = aes_kek(256)
    kv = kek[Attribute.VALUE]
    pub, priv, cpub = EC_KEYS["P-256"]
    w = kek.wrap_key(priv, mechanism=Mechanism.AES_KEY_WRAP_KWP)
    pkcs8 = keywrap.aes_key_unwrap_with_padding(kv, w)
    ckey = serialization.load_der_private_key(pkcs8, None)
    eq(ckey.public_key().public_numbers(), cpub.public_numbers(), "unwrapped EC key's public half")
    # cryptography wraps a fresh P-384 key; the token unwraps it and signs with it
    ckey = ec.generate_private_key(ec.SECP384R1())
    der = ckey.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    k = kek.unwrap_key(ObjectClass.PRIVATE_KEY, KeyType.EC, keywrap.aes_key_wrap_with_padding(kv, der),
                       mechanism=Mechanism.AES_KEY_WRAP_KWP, capabilities=MechanismFlag.SIGN,
                       template=PRIVATE_UNWRAP)
    sig = k.sign(DATA, mechanism=Mechanism.ECDSA_SHA384)
    ckey.public_key().verify(rs_to_der(sig, 48), DATA, ec.ECDSA(hashes.SHA384()))


@check("RSA private key wrap (PKCS#8 under AES-KWP) <-> cryptography, both ways")
def _():
    kek = aes_kek(256)
    kv = kek[Attribute.VALUE]
    pub, priv = session.generate_keypair(KeyType.RSA, 2048, store=False,
                                         capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
                                         private_template={Attribute.EXTRACTABLE: True})
    pkcs8 = keywrap.aes_key_unwrap_with_padding(kv, kek.wrap_key(priv, mechanism=Mechanism.AES_KEY_WRAP_KWP))
    ckey = serialization.load_der_private_key(pkcs8, None)
    eq(ckey.public_key().public_numbers(), crypto_rsa_pub(pub).public_numbers(), "unwrapped RSA key")
    der = CRYPTO_RSA.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    k = kek.unwrap_key(ObjectClass.PRIVATE_KEY, KeyType.RSA, keywrap.aes_key_wrap_with_padding(kv, der),
                       mechanism=Mechanism.AES_KEY_WRAP_KWP, capabilities=MechanismFlag.SIGN,
                       template=PRIVATE_UNWRAP)
    sig = k.sign(DATA, mechanism=Mechanism.SHA256_RSA_PKCS)
    CRYPTO_RSA.public_key().verify(sig, DATA, padding.PKCS1v15(), hashes.SHA256())


# --------------------------------------------------------------------------------------------
# Ed25519

ED_OID = bytes.fromhex("06032b6570")  # 1.3.101.112
ED_NAME = b"\x13\x0cedwards25519"  # PrintableString, as PKCS#11 3.0 names Edwards curves


@check("Ed25519 keygen (CKA_EC_PARAMS as OID and as curve name): EDDSA both ways")
def _():
    for params in (ED_OID, ED_NAME):
        pub, priv = session.generate_keypair(
            KeyType.EC_EDWARDS, store=False,
            capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
            public_template={Attribute.EC_PARAMS: params},
            mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
        )
        point = pub[Attribute.EC_POINT]
        assert point[:2] == b"\x04\x20" and len(point) == 34, f"CKA_EC_POINT {point.hex()}"
        cpub = ed25519.Ed25519PublicKey.from_public_bytes(point[2:])
        sig = priv.sign(DATA, mechanism=Mechanism.EDDSA)
        eq(len(sig), 64, "Ed25519 signature length")
        cpub.verify(sig, DATA)
        assert pub.verify(DATA, sig, mechanism=Mechanism.EDDSA)
    ckey = ed25519.Ed25519PrivateKey.generate()
    raw = ckey.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    imp = session.create_object({
        Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.KEY_TYPE: KeyType.EC_EDWARDS,
        Attribute.TOKEN: False, Attribute.VERIFY: True, Attribute.EC_PARAMS: ED_OID,
        Attribute.EC_POINT: b"\x04\x20" + raw,
    })
    sig = ckey.sign(DATA)
    assert imp.verify(DATA, sig, mechanism=Mechanism.EDDSA), "cryptography Ed25519 signature rejected"
    assert not imp.verify(DATA + b"x", sig, mechanism=Mechanism.EDDSA), "Ed25519: wrong data accepted"


# --------------------------------------------------------------------------------------------
# HMAC and digests


@check("GENERIC_SECRET keygen + SHA-2/SHA-3 HMAC equal cryptography's; token verifies")
def _():
    k = session.generate_key(KeyType.GENERIC_SECRET, 256, store=False,
                             capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
                             template={Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True})
    value = k[Attribute.VALUE]
    eq(len(value), 32, "generic secret length")
    for mech, h in ((Mechanism.SHA_1_HMAC, hashes.SHA1()), (Mechanism.SHA256_HMAC, hashes.SHA256()),
                    (Mechanism.SHA512_HMAC, hashes.SHA512()), (Mechanism.SHA3_256_HMAC, hashes.SHA3_256()),
                    (Mechanism.SHA3_512_HMAC, hashes.SHA3_512())):
        m = hmac.HMAC(value, h)
        m.update(DATA)
        want = m.finalize()
        eq(k.sign(DATA, mechanism=mech), want, repr(mech))
        assert k.verify(DATA, want, mechanism=mech)
        assert not k.verify(DATA, want[:-1] + bytes([want[-1] ^ 1]), mechanism=mech)


@check("C_Digest (single and multi-part, SHA-2 and SHA-3) and C_DigestKey")
def _():
    for mech, h in ((Mechanism.SHA_1, hashes.SHA1()), (Mechanism.SHA256, hashes.SHA256()),
                    (Mechanism.SHA384, hashes.SHA384()), (Mechanism.SHA3_256, hashes.SHA3_256()),
                    (Mechanism.SHA3_512, hashes.SHA3_512())):
        want = digest(h, DATA)
        eq(session.digest(DATA, mechanism=mech), want, repr(mech))
        eq(session.digest(iter([DATA[:7], DATA[7:2000], DATA[2000:]]), mechanism=mech), want, "multi-part")
    k = AES[256]
    eq(session.digest(k, mechanism=Mechanism.SHA256), digest(hashes.SHA256(), k[Attribute.VALUE]),
       "C_DigestKey")


@check("C_GenerateRandom")
def _():
    a, b = session.generate_random(256), session.generate_random(256)
    eq(len(a), 32, "length")
    assert a != b


# --------------------------------------------------------------------------------------------
# Persistence and login state: the stored keys are there for new sessions; closing the last
# session logs the user out, and private keys are then hidden.

session.close()


@check("after the last session closes: public key visible, private key hidden until login")
def _():
    with token.open() as s:
        s.get_key(ObjectClass.PUBLIC_KEY, id=RSA_ID)
        expect_error(p11e.NoSuchKey, lambda: s.get_key(ObjectClass.PRIVATE_KEY, id=RSA_ID),
                     "private key visible without login")
    with token.open(user_pin=USER_PIN) as s:
        priv = s.get_key(ObjectClass.PRIVATE_KEY, id=RSA_ID)
        RSA_PUB.verify(priv.sign(DATA, mechanism=Mechanism.SHA256_RSA_PKCS), DATA,
                       padding.PKCS1v15(), hashes.SHA256())


print()
if FAILED:
    print("python-pkcs11.py failed checks:")
    for name in FAILED:
        print(f"  - {name}")
print(f"python-pkcs11.py: {PASSED} passed, {len(FAILED)} failed")
sys.exit(1 if FAILED else 0)
