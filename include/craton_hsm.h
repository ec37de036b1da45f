/*
 * craton_hsm.h - Craton HSM vendor extensions to PKCS#11.
 *
 * Include after a PKCS#11 header (OASIS pkcs11.h, p11-kit/pkcs11.h, ...), which defines the
 * CK_* types used here. The extensions are reached through the interface named
 * CRATON_INTERFACE_NAME, version 1.1 (1.0, the first two functions only, is still offered):
 *
 *     CK_INTERFACE_PTR iface;
 *     C_GetInterface((CK_UTF8CHAR_PTR)CRATON_INTERFACE_NAME, NULL, &iface, 0);
 *     CRATON_FUNCTION_LIST *craton = (CRATON_FUNCTION_LIST *)iface->pFunctionList;
 *
 * The functions are also exported as plain symbols. See docs/fips.md and
 * docs/pkcs11-coverage.md.
 */
#ifndef CRATON_HSM_H
#define CRATON_HSM_H

#ifdef __cplusplus
extern "C" {
#endif

#define CRATON_INTERFACE_NAME "Craton HSM"
#define CRATON_INTERFACE_MAJOR 1
#define CRATON_INTERFACE_MINOR 1

/* CK_BBOOL, read-only: the key was generated, imported, unwrapped or derived by an approved
 * service (FIPS-approved mode on the AWS-LC backend). */
#define CKA_VENDOR_FIPS_APPROVED (CKA_VENDOR_DEFINED | 0x00000001UL)

/* CRATON_MODULE_STATUS.integrity */
#define CRATON_INTEGRITY_NOT_RUN 0UL
#define CRATON_INTEGRITY_OK 1UL
#define CRATON_INTEGRITY_SKIPPED 2UL /* no sidecar outside approved-only mode */
#define CRATON_INTEGRITY_FAILED 3UL

/* These structures use the platform's default C layout, also on Windows (where PKCS#11's
 * own structures are packed to 1 byte). */
#if defined(_WIN32)
#pragma pack(push, 8)
#endif

typedef struct CRATON_MODULE_STATUS {
    CK_UTF8CHAR backend[16];      /* "rustcrypto" or "awslc", blank padded, not terminated */
    CK_BBOOL fips_approved_only;  /* the configuration's fips_approved_only */
    CK_BBOOL error_state;         /* a self-test failed: every call gives CKR_GENERAL_ERROR */
    CK_BBOOL post_passed;         /* the last power-on self-test passed */
    CK_ULONG integrity;           /* CRATON_INTEGRITY_* */
    CK_ULONG kats_passed;
    CK_ULONG kats_total;
} CRATON_MODULE_STATUS;

typedef struct CRATON_FUNCTION_LIST {
    CK_VERSION version; /* 1.1 (a 1.0 list ends after C_CratonGetModuleStatus) */
    /* The approved-service indicator of the session's last cryptographic operation;
     * CKR_OPERATION_NOT_INITIALIZED before its first one. */
    CK_RV (*C_CratonGetLastOperationFipsApproved)(CK_SESSION_HANDLE hSession,
                                                  CK_BBOOL *pApproved);
    /* Works before C_Initialize and in the error state. */
    CK_RV (*C_CratonGetModuleStatus)(CRATON_MODULE_STATUS *pStatus);
    /* 1.1: the module status report, a UTF-8 JSON document (not NUL-terminated), under the
     * usual output-buffer convention (NULL pReport: length query; too small:
     * CKR_BUFFER_TOO_SMALL). Works before C_Initialize and in the error state. Fields:
     * docs/operations.md. */
    CK_RV (*C_CratonGetStatusReport)(CK_UTF8CHAR *pReport, CK_ULONG *pulReportLen);
    /* 1.1: verifies audit log files against the store's audit key and chain head; the result
     * is a JSON report, as for C_CratonGetStatusReport. pFiles holds UTF-8 paths, each followed
     * by a NUL; ulFilesLen 0 means the configured log. Needs C_Initialize and an audit log. */
    CK_RV (*C_CratonVerifyAuditLog)(const CK_UTF8CHAR *pFiles, CK_ULONG ulFilesLen,
                                    CK_UTF8CHAR *pReport, CK_ULONG *pulReportLen);
} CRATON_FUNCTION_LIST;

#if defined(_WIN32)
#pragma pack(pop)
#endif

#ifdef __cplusplus
}
#endif

#endif /* CRATON_HSM_H */
