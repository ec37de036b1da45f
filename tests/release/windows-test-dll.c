/* A Windows DLL for the release tests only: the module DLL needs MSVC (docs/release.md), so the
 * default test release carries this mingw-w64 build in its place. It lets the msi step (wixl),
 * the MSI's reproducible rebuild and the verifier's MSI reader run on a real MSI. It is an
 * x86-64 PE DLL exporting the two PKCS#11 entry points, which answer
 * CKR_FUNCTION_NOT_SUPPORTED. */
#define CKR_FUNCTION_NOT_SUPPORTED 0x54UL

__declspec(dllexport) unsigned long C_GetFunctionList(void **list)
{
    (void)list;
    return CKR_FUNCTION_NOT_SUPPORTED;
}

__declspec(dllexport) unsigned long C_GetInterface(unsigned char *name, void *version, void **interface,
                                                   unsigned long flags)
{
    (void)name, (void)version, (void)interface, (void)flags;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
