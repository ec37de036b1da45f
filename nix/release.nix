# The Nix front door's build (flake.nix; docs/release.md, "Nix"). Everything comes from the same
# files as tools/release.sh and Bazel: packaging/toolchain.lock (the build environment),
# packaging/steps.toml (the steps) and Cargo.lock (the crates), read here with fromTOML, never
# copied. Each .deb, Rust component and crate is a fixed-output derivation by the SHA-256 the
# locks record; the steps run through the same runner (tools/craton-build), inside a VM so that
# mmdebstrap and bubblewrap have the root privileges they have on a release machine.
{ pkgs, src, commit, epoch }:
let
  lock = builtins.fromTOML (builtins.readFile "${src}/packaging/toolchain.lock");
  steps = builtins.fromTOML (builtins.readFile "${src}/packaging/steps.toml");
  cargoLock = builtins.fromTOML (builtins.readFile "${src}/Cargo.lock");
  concat = builtins.concatStringsSep "\n";
  crateUrl = name: version: "https://static.crates.io/crates/${name}/${name}-${version}.crate";

  debs = map (p: {
    inherit (p) name sha256;
    url = "${lock.debian.archive}/${p.filename}";
  }) lock.debian.package;
  rustComponents = map (c: { inherit (c) name sha256 url; }) lock.rust.component;
  crates =
    map (p: { inherit (p) name; sha256 = p.checksum; url = crateUrl p.name p.version; })
      (builtins.filter (p: p ? checksum) cargoLock.package)
    ++ map (t: { inherit (t) name; sha256 = t.crate-sha256; url = crateUrl t.name t.version; })
      (lock.cargo-tool or [ ])
    ++ map (c: { inherit (c) name sha256; url = crateUrl c.name c.version; })
      (lock.cargo-tool-crate or [ ]);
  fetch = kind: e: e // {
    file = pkgs.fetchurl { inherit (e) url sha256; name = "craton-${kind}-${e.name}"; };
  };
  fetched = {
    debs = map (fetch "deb") debs;
    rust = map (fetch "rust") rustComponents;
    crates = map (fetch "crate") crates;
  };

  # The runner's cache, seeded from the fixed-output derivations (it verifies every hash again).
  seed = ''
    export CRATON_RELEASE_CACHE=/tmp/craton-cache RUSTUP_HOME=/tmp/rustup HOME=/tmp/home
    mkdir -p $CRATON_RELEASE_CACHE/debs $CRATON_RELEASE_CACHE/crates $HOME
    ${concat (map (d: "ln -s ${d.file} $CRATON_RELEASE_CACHE/debs/${d.sha256}") fetched.debs)}
    ${concat (map (c: "ln -sf ${c.file} $CRATON_RELEASE_CACHE/crates/${c.sha256}") fetched.crates)}
    # The official Rust component archives laid out as rustup installs them.
    tc=$RUSTUP_HOME/toolchains/${lock.rust.version}-${lock.rust.target}
    mkdir -p $tc/lib/rustlib
    ${concat (map (r: ''
      d=$(mktemp -d) && tar -xf ${r.file} -C $d && top=$(echo $d/*)
      for comp in $(cat $top/components); do
        cp -r $top/$comp/. $tc/
        mv $tc/manifest.in $tc/lib/rustlib/manifest-${r.name}-${lock.rust.target}
      done
    '') fetched.rust)}
    cp -r ${src} /tmp/src && chmod -R u+w /tmp/src
  '';
  tools = [ pkgs.python3 pkgs.mmdebstrap pkgs.bubblewrap pkgs.dpkg pkgs.gnutar pkgs.xz pkgs.gzip ];

  # One release: every declared step of packaging/steps.toml, by tools/craton-build.
  releaseWith = { variant, work ? "/tmp/work" }:
    pkgs.vmTools.runInLinuxVM (pkgs.runCommand "craton-hsm-${variant}-release" {
      nativeBuildInputs = tools;
      memSize = 8192;
      diskSize = 20480;
    } ''
      ${seed}
      python3 /tmp/src/tools/craton-build --src /tmp/src release --variant ${variant} \
        --commit ${commit} --epoch ${toString epoch} --work ${work} --out $out
    '');
in
{
  inherit lock steps fetched releaseWith tools;
  stepNames = map (s: s.name) steps.step;
  variants = builtins.attrNames steps.variant;
  release = variant: releaseWith { inherit variant; };
}
