# OFFLINE STAND-IN FOR NIXPKGS. NOT NIXPKGS. NOTHING BUILT FROM THIS IS A RELEASE.
#
# nixpkgs cannot be fetched on the machines this project's CI runs on, so tests/release/nix.sh
# evaluates every output of flake.nix against this file instead: the few nixpkgs functions the
# flake uses, with the same argument shapes. fetchurl is the real thing in miniature (a
# fixed-output derivation, builtin:fetchurl, by SHA-256), so the store paths of the fetched
# .debs, Rust components and crates are the ones nixpkgs' fetchurl gives for the same name and
# hash. Everything else is a placeholder derivation whose builder refuses to run.
let
  system = "x86_64-linux";
  refuse = name: attrs: derivation ({
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "echo 'offline stand-in of nixpkgs (nix/offline-nixpkgs.nix): cannot build' >&2; exit 1" ];
  } // attrs);
  package = name: refuse "offline-standin-${name}" { };
in
{
  fetchurl = { url, sha256, name ? baseNameOf url }: derivation {
    inherit name system url;
    builder = "builtin:fetchurl";
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = sha256;
    executable = false;
    unpack = false;
    urls = [ url ];
  };
  runCommand = name: env: script: refuse name (env // { buildCommand = script; });
  vmTools.runInLinuxVM = drv: refuse "${drv.name}-in-vm" { inner = drv; };
  linkFarm = name: entries: refuse name {
    entries = builtins.toJSON (map (e: { inherit (e) name; path = "${e.path}"; }) entries);
  };
  mkShell = { packages ? [ ], ... }: refuse "offline-standin-shell" { inherit packages; };
}
// builtins.listToAttrs (map (n: { name = n; value = package n; }) [
  "bash" "bubblewrap" "cpio" "diffutils" "dpkg" "git" "gnutar" "gzip" "jq" "mmdebstrap"
  "openssl" "python3" "rpm" "xz"
])
