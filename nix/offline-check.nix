# Evaluates every output of flake.nix against the offline stand-in of nixpkgs
# (nix/offline-nixpkgs.nix; used by tests/release/nix.sh, never by a build). `src` is a source
# tree (a git archive of the commit), `rev` and `lastModified` what the flake's `self` carries.
{ src, rev, lastModified }:
let
  flake = import "${src}/flake.nix";
  self = outputs // { outPath = src; inherit rev lastModified; };
  outputs = flake.outputs {
    inherit self;
    nixpkgs.legacyPackages.x86_64-linux = import ./offline-nixpkgs.nix;
  };
  drvs = set: builtins.mapAttrs (_: d: d.drvPath) set;
in
{
  packages = drvs outputs.packages.x86_64-linux;
  checks = drvs outputs.checks.x86_64-linux;
  devShell = outputs.devShells.x86_64-linux.default.drvPath;
  inherit (outputs.lib.craton) stepNames variants fetched;
  inputs = (builtins.fromJSON (builtins.readFile "${src}/flake.lock")).nodes.nixpkgs.locked;
}
