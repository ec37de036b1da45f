//! Bounds on everything a caller or a stored row can make the module allocate, read or
//! compute. Each is checked before the allocation or read it guards, and each is documented in
//! docs/security.md. They are far above what any real client sends: they exist so that an
//! absurd length is an error code, not a crash.

/// Bytes in one buffer handed over in one call (data, ciphertext, signature, PIN, seed, state,
/// wrapped key). Longer inputs are refused with the function's length code.
pub const MAX_BUFFER_LEN: usize = 1 << 30;

/// Attributes in one template (`ulCount`), and in a template nested inside an attribute.
pub const MAX_TEMPLATE_ATTRS: usize = 1024;

/// Bytes in one attribute value (`ulValueLen`).
pub const MAX_ATTR_VALUE_LEN: usize = 1 << 20;

/// Bytes in a mechanism parameter block and in each buffer it points to (IV, AAD, label,
/// salt, info, shared data, context).
pub const MAX_PARAM_LEN: usize = 1 << 20;

/// Bytes of key material a derivation may produce: HKDF's own ceiling at SHA-512
/// (255 × 64 = 16,320) rounded up. Generated keys are bounded by the mechanism's key-size
/// range instead.
pub const MAX_DERIVED_KEY_LEN: usize = 16 * 1024;
