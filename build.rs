//! Link settings for the cdylib.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" || os == "freebsd" {
        // Never unload the module: AWS-LC registers thread-exit destructors (pthread keys)
        // that would otherwise point into unmapped code once a host dlclose()s us and a thread
        // that used the module exits. `-z nodelete` makes dlclose() a no-op for this object.
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
