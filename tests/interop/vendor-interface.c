/* A C client of the "Craton HSM" vendor interface 1.1, built against include/craton_hsm.h:
 * module status before and after C_Initialize, and the per-session approved-service
 * indicator after C_GenerateRandom. Prints "ok   ..." / "FAIL ..." lines (run_program). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "craton_hsm.h"

/* p11-kit's header predates PKCS#11 3.0: the 3.0 interface structure, as the spec defines it. */
typedef struct {
    CK_UTF8CHAR *pInterfaceName;
    void *pFunctionList;
    CK_FLAGS flags;
} IFACE;

static int failures;

static void expect(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    failures += !ok;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIB\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (!lib) {
        printf("FAIL dlopen: %s\n", dlerror());
        return 1;
    }
    CK_RV (*get_interface)(CK_UTF8CHAR *, CK_VERSION *, IFACE **, CK_FLAGS) =
        (CK_RV(*)(CK_UTF8CHAR *, CK_VERSION *, IFACE **, CK_FLAGS))dlsym(lib, "C_GetInterface");
    CK_C_GetFunctionList get_list = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
    expect(get_interface && get_list, "C_GetInterface and C_GetFunctionList are exported");
    if (!get_interface || !get_list) return 1;

    IFACE *iface = NULL;
    CK_VERSION v = {CRATON_INTERFACE_MAJOR, CRATON_INTERFACE_MINOR};
    CK_RV rv = get_interface((CK_UTF8CHAR *)CRATON_INTERFACE_NAME, &v, &iface, 0);
    expect(rv == CKR_OK && iface && strcmp((char *)iface->pInterfaceName, CRATON_INTERFACE_NAME) == 0,
           "C_GetInterface(\"Craton HSM\", 1.1)");
    if (rv != CKR_OK || !iface) return 1;
    CRATON_FUNCTION_LIST *craton = (CRATON_FUNCTION_LIST *)iface->pFunctionList;
    expect(craton->version.major == 1 && craton->version.minor == 1, "vendor function list 1.1");

    /* A 1.0 client asking for exactly 1.0 still gets a 1.0 list. */
    IFACE *old = NULL;
    CK_VERSION v10 = {1, 0};
    rv = get_interface((CK_UTF8CHAR *)CRATON_INTERFACE_NAME, &v10, &old, 0);
    expect(rv == CKR_OK && old && ((CK_VERSION *)old->pFunctionList)->minor == 0,
           "C_GetInterface(\"Craton HSM\", 1.0)");

    CRATON_MODULE_STATUS st;
    memset(&st, 0xee, sizeof st);
    rv = craton->C_CratonGetModuleStatus(&st);
    expect(rv == CKR_OK && st.integrity == CRATON_INTEGRITY_NOT_RUN && st.kats_total == 0 &&
               st.error_state == CK_FALSE,
           "module status before C_Initialize: POST not run, no error");

    CK_FUNCTION_LIST_PTR p11;
    get_list(&p11);
    rv = p11->C_Initialize(NULL);
    expect(rv == CKR_OK, "C_Initialize");
    rv = craton->C_CratonGetModuleStatus(&st);
    char backend[17] = {0};
    memcpy(backend, st.backend, 16);
    for (int i = 15; i >= 0 && backend[i] == ' '; i--) backend[i] = 0;
    printf("     backend=%s fips_approved_only=%d integrity=%lu kats=%lu/%lu\n", backend,
           st.fips_approved_only, (unsigned long)st.integrity, (unsigned long)st.kats_passed,
           (unsigned long)st.kats_total);
    expect(rv == CKR_OK && st.post_passed == CK_TRUE && st.kats_passed == 16 &&
               st.kats_total == 16 &&
               (strcmp(backend, "rustcrypto") == 0 || strcmp(backend, "awslc") == 0),
           "module status after C_Initialize: POST passed, 16/16 KATs, backend named");

    CK_SLOT_ID slot;
    CK_ULONG n = 1;
    CK_SESSION_HANDLE h;
    rv = p11->C_GetSlotList(CK_FALSE, &slot, &n);
    if (rv == CKR_OK) rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &h);
    expect(rv == CKR_OK, "C_OpenSession");
    CK_BBOOL approved = 0xee;
    rv = craton->C_CratonGetLastOperationFipsApproved(h, &approved);
    expect(rv == CKR_OPERATION_NOT_INITIALIZED && approved == 0xee,
           "indicator before any operation: CKR_OPERATION_NOT_INITIALIZED");
    CK_BYTE buf[32];
    rv = p11->C_GenerateRandom(h, buf, sizeof buf);
    expect(rv == CKR_OK, "C_GenerateRandom");
    rv = craton->C_CratonGetLastOperationFipsApproved(h, &approved);
    CK_BBOOL want = st.fips_approved_only && strcmp(backend, "awslc") == 0;
    expect(rv == CKR_OK && approved == want,
           "indicator after C_GenerateRandom: approved exactly in approved-only mode on awslc");
    rv = craton->C_CratonGetLastOperationFipsApproved(h, NULL);
    expect(rv == CKR_ARGUMENTS_BAD, "NULL output pointer: CKR_ARGUMENTS_BAD");

    /* The status report: a length query, a too-small buffer, then the JSON document. */
    CK_ULONG len = 0;
    rv = craton->C_CratonGetStatusReport(NULL, &len);
    expect(rv == CKR_OK && len > 0, "C_CratonGetStatusReport length query");
    char report[65536];
    CK_ULONG small = 4;
    rv = craton->C_CratonGetStatusReport((CK_UTF8CHAR *)report, &small);
    expect(rv == CKR_BUFFER_TOO_SMALL && small == len, "status report: CKR_BUFFER_TOO_SMALL");
    CK_ULONG got = sizeof report - 1;
    rv = craton->C_CratonGetStatusReport((CK_UTF8CHAR *)report, &got);
    report[rv == CKR_OK && got < sizeof report ? got : 0] = 0;
    expect(rv == CKR_OK && got == len && report[0] == '{' &&
               strstr(report, "\"report_version\":1") && strstr(report, "\"tests\":["),
           "status report: a JSON document with the self-test results");
    expect(p11->C_Finalize(NULL) == CKR_OK, "C_Finalize");
    return failures ? 1 : 0;
}
