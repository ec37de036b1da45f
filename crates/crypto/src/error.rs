//! The crate's one error type and its one mapping to `CK_RV`.

use cryptoki_sys as ck;

/// Every failure the core can report. Each variant maps to exactly one `CK_RV`; variants that
/// carry a message log it where they are raised, so the return code stays the spec's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("arguments bad")]
    ArgumentsBad,
    #[error("cryptoki not initialized")]
    NotInitialized,
    #[error("cryptoki already initialized")]
    AlreadyInitialized,
    #[error("cannot use the application's locking primitives")]
    CantLock,
    #[error("general error: {0}")]
    General(String),
    #[error("function failed: {0}")]
    FunctionFailed(String),
    #[error("function not supported")]
    FunctionNotSupported,
    #[error("function not parallel")]
    FunctionNotParallel,
    #[error("slot id invalid")]
    SlotIdInvalid,
    #[error("token not recognized")]
    TokenNotRecognized,
    #[error("token not initialized")]
    TokenNotInitialized,
    #[error("session handle invalid")]
    SessionHandleInvalid,
    #[error("session count exceeded")]
    SessionCount,
    #[error("session is read-only")]
    SessionReadOnly,
    #[error("a session exists")]
    SessionExists,
    #[error("a read-only session exists")]
    SessionReadOnlyExists,
    #[error("a read-write SO session exists")]
    SessionReadWriteSoExists,
    #[error("CKF_SERIAL_SESSION not set")]
    SessionParallelNotSupported,
    #[error("user already logged in")]
    UserAlreadyLoggedIn,
    #[error("another user already logged in")]
    UserAnotherAlreadyLoggedIn,
    #[error("user not logged in")]
    UserNotLoggedIn,
    #[error("user PIN not initialized")]
    UserPinNotInitialized,
    #[error("user type invalid")]
    UserTypeInvalid,
    #[error("too many user types")]
    UserTooManyTypes,
    #[error("PIN incorrect")]
    PinIncorrect,
    #[error("PIN invalid")]
    PinInvalid,
    #[error("PIN length out of range")]
    PinLenRange,
    #[error("PIN locked")]
    PinLocked,
    #[error("operation active")]
    OperationActive,
    #[error("operation not initialized")]
    OperationNotInitialized,
    #[error("object handle invalid")]
    ObjectHandleInvalid,
    #[error("key handle invalid")]
    KeyHandleInvalid,
    #[error("key type inconsistent")]
    KeyTypeInconsistent,
    #[error("key size out of range")]
    KeySizeRange,
    #[error("key function not permitted")]
    KeyFunctionNotPermitted,
    #[error("key not wrappable")]
    KeyNotWrappable,
    #[error("the saved state needs a key")]
    KeyNeeded,
    #[error("the saved state needs no key")]
    KeyNotNeeded,
    #[error("not the key the saved state was made with")]
    KeyChanged,
    #[error("key unextractable")]
    KeyUnextractable,
    #[error("key indigestible")]
    KeyIndigestible,
    #[error("mechanism invalid")]
    MechanismInvalid,
    #[error("mechanism parameter invalid")]
    MechanismParamInvalid,
    #[error("attribute read-only")]
    AttributeReadOnly,
    #[error("attribute sensitive")]
    AttributeSensitive,
    #[error("attribute type invalid")]
    AttributeTypeInvalid,
    #[error("attribute value invalid")]
    AttributeValueInvalid,
    #[error("template incomplete")]
    TemplateIncomplete,
    #[error("template inconsistent")]
    TemplateInconsistent,
    #[error("action prohibited")]
    ActionProhibited,
    #[error("data invalid")]
    DataInvalid,
    #[error("data length out of range")]
    DataLenRange,
    #[error("encrypted data invalid")]
    EncryptedDataInvalid,
    #[error("encrypted data length out of range")]
    EncryptedDataLenRange,
    #[error("signature invalid")]
    SignatureInvalid,
    #[error("signature length out of range")]
    SignatureLenRange,
    #[error("buffer too small")]
    BufferTooSmall,
    #[error("saved state invalid")]
    SavedStateInvalid,
    #[error("state unsaveable")]
    StateUnsaveable,
    #[error("random seed not supported")]
    RandomSeedNotSupported,
    #[error("curve not supported")]
    CurveNotSupported,
    #[error("domain parameters invalid")]
    DomainParamsInvalid,
    #[error("wrapped key invalid")]
    WrappedKeyInvalid,
    #[error("wrapped key length out of range")]
    WrappedKeyLenRange,
    #[error("wrapping key handle invalid")]
    WrappingKeyHandleInvalid,
    #[error("wrapping key type inconsistent")]
    WrappingKeyTypeInconsistent,
    #[error("wrapping key size out of range")]
    WrappingKeySizeRange,
    #[error("unwrapping key handle invalid")]
    UnwrappingKeyHandleInvalid,
    #[error("unwrapping key type inconsistent")]
    UnwrappingKeyTypeInconsistent,
    #[error("unwrapping key size out of range")]
    UnwrappingKeySizeRange,
    #[error("device memory exhausted")]
    DeviceMemory,
    #[error("device error: {0}")]
    Device(String),
    #[error("no event")]
    NoEvent,
    #[error("public key invalid")]
    PublicKeyInvalid,
}

/// The crate-wide result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The `CK_RV` a C caller sees for this error.
    pub fn rv(&self) -> ck::CK_RV {
        match self {
            Error::ArgumentsBad => ck::CKR_ARGUMENTS_BAD,
            Error::NotInitialized => ck::CKR_CRYPTOKI_NOT_INITIALIZED,
            Error::AlreadyInitialized => ck::CKR_CRYPTOKI_ALREADY_INITIALIZED,
            Error::CantLock => ck::CKR_CANT_LOCK,
            Error::General(_) => ck::CKR_GENERAL_ERROR,
            Error::FunctionFailed(_) => ck::CKR_FUNCTION_FAILED,
            Error::FunctionNotSupported => ck::CKR_FUNCTION_NOT_SUPPORTED,
            Error::FunctionNotParallel => ck::CKR_FUNCTION_NOT_PARALLEL,
            Error::SlotIdInvalid => ck::CKR_SLOT_ID_INVALID,
            Error::TokenNotRecognized => ck::CKR_TOKEN_NOT_RECOGNIZED,
            Error::TokenNotInitialized => ck::CKR_TOKEN_NOT_INITIALIZED,
            Error::SessionHandleInvalid => ck::CKR_SESSION_HANDLE_INVALID,
            Error::SessionCount => ck::CKR_SESSION_COUNT,
            Error::SessionReadOnly => ck::CKR_SESSION_READ_ONLY,
            Error::SessionExists => ck::CKR_SESSION_EXISTS,
            Error::SessionReadOnlyExists => ck::CKR_SESSION_READ_ONLY_EXISTS,
            Error::SessionReadWriteSoExists => ck::CKR_SESSION_READ_WRITE_SO_EXISTS,
            Error::SessionParallelNotSupported => ck::CKR_SESSION_PARALLEL_NOT_SUPPORTED,
            Error::UserAlreadyLoggedIn => ck::CKR_USER_ALREADY_LOGGED_IN,
            Error::UserAnotherAlreadyLoggedIn => ck::CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
            Error::UserNotLoggedIn => ck::CKR_USER_NOT_LOGGED_IN,
            Error::UserPinNotInitialized => ck::CKR_USER_PIN_NOT_INITIALIZED,
            Error::UserTypeInvalid => ck::CKR_USER_TYPE_INVALID,
            Error::UserTooManyTypes => ck::CKR_USER_TOO_MANY_TYPES,
            Error::PinIncorrect => ck::CKR_PIN_INCORRECT,
            Error::PinInvalid => ck::CKR_PIN_INVALID,
            Error::PinLenRange => ck::CKR_PIN_LEN_RANGE,
            Error::PinLocked => ck::CKR_PIN_LOCKED,
            Error::OperationActive => ck::CKR_OPERATION_ACTIVE,
            Error::OperationNotInitialized => ck::CKR_OPERATION_NOT_INITIALIZED,
            Error::ObjectHandleInvalid => ck::CKR_OBJECT_HANDLE_INVALID,
            Error::KeyHandleInvalid => ck::CKR_KEY_HANDLE_INVALID,
            Error::KeyTypeInconsistent => ck::CKR_KEY_TYPE_INCONSISTENT,
            Error::KeySizeRange => ck::CKR_KEY_SIZE_RANGE,
            Error::KeyFunctionNotPermitted => ck::CKR_KEY_FUNCTION_NOT_PERMITTED,
            Error::KeyNotWrappable => ck::CKR_KEY_NOT_WRAPPABLE,
            Error::KeyNeeded => ck::CKR_KEY_NEEDED,
            Error::KeyNotNeeded => ck::CKR_KEY_NOT_NEEDED,
            Error::KeyChanged => ck::CKR_KEY_CHANGED,
            Error::KeyUnextractable => ck::CKR_KEY_UNEXTRACTABLE,
            Error::KeyIndigestible => ck::CKR_KEY_INDIGESTIBLE,
            Error::MechanismInvalid => ck::CKR_MECHANISM_INVALID,
            Error::MechanismParamInvalid => ck::CKR_MECHANISM_PARAM_INVALID,
            Error::AttributeReadOnly => ck::CKR_ATTRIBUTE_READ_ONLY,
            Error::AttributeSensitive => ck::CKR_ATTRIBUTE_SENSITIVE,
            Error::AttributeTypeInvalid => ck::CKR_ATTRIBUTE_TYPE_INVALID,
            Error::AttributeValueInvalid => ck::CKR_ATTRIBUTE_VALUE_INVALID,
            Error::TemplateIncomplete => ck::CKR_TEMPLATE_INCOMPLETE,
            Error::TemplateInconsistent => ck::CKR_TEMPLATE_INCONSISTENT,
            Error::ActionProhibited => ck::CKR_ACTION_PROHIBITED,
            Error::DataInvalid => ck::CKR_DATA_INVALID,
            Error::DataLenRange => ck::CKR_DATA_LEN_RANGE,
            Error::EncryptedDataInvalid => ck::CKR_ENCRYPTED_DATA_INVALID,
            Error::EncryptedDataLenRange => ck::CKR_ENCRYPTED_DATA_LEN_RANGE,
            Error::SignatureInvalid => ck::CKR_SIGNATURE_INVALID,
            Error::SignatureLenRange => ck::CKR_SIGNATURE_LEN_RANGE,
            Error::BufferTooSmall => ck::CKR_BUFFER_TOO_SMALL,
            Error::SavedStateInvalid => ck::CKR_SAVED_STATE_INVALID,
            Error::StateUnsaveable => ck::CKR_STATE_UNSAVEABLE,
            Error::RandomSeedNotSupported => ck::CKR_RANDOM_SEED_NOT_SUPPORTED,
            Error::CurveNotSupported => ck::CKR_CURVE_NOT_SUPPORTED,
            Error::DomainParamsInvalid => ck::CKR_DOMAIN_PARAMS_INVALID,
            Error::WrappedKeyInvalid => ck::CKR_WRAPPED_KEY_INVALID,
            Error::WrappedKeyLenRange => ck::CKR_WRAPPED_KEY_LEN_RANGE,
            Error::WrappingKeyHandleInvalid => ck::CKR_WRAPPING_KEY_HANDLE_INVALID,
            Error::WrappingKeyTypeInconsistent => ck::CKR_WRAPPING_KEY_TYPE_INCONSISTENT,
            Error::WrappingKeySizeRange => ck::CKR_WRAPPING_KEY_SIZE_RANGE,
            Error::UnwrappingKeyHandleInvalid => ck::CKR_UNWRAPPING_KEY_HANDLE_INVALID,
            Error::UnwrappingKeyTypeInconsistent => ck::CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT,
            Error::UnwrappingKeySizeRange => ck::CKR_UNWRAPPING_KEY_SIZE_RANGE,
            Error::DeviceMemory => ck::CKR_DEVICE_MEMORY,
            Error::Device(_) => ck::CKR_DEVICE_ERROR,
            Error::NoEvent => ck::CKR_NO_EVENT,
            Error::PublicKeyInvalid => ck::CKR_PUBLIC_KEY_INVALID,
        }
    }

    /// An internal failure that must not be reported as anything more specific.
    pub fn general(msg: impl Into<String>) -> Self {
        Error::General(msg.into())
    }

    /// A storage failure: the store is the token's "device".
    pub fn device(msg: impl Into<String>) -> Self {
        Error::Device(msg.into())
    }
}
