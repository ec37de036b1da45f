{
  # The Nix front door of Craton HSM releases (docs/release.md, "Nix"): the same locked build
  # environment (packaging/toolchain.lock) and the same declared steps (packaging/steps.toml) as
  # tools/release.sh and Bazel, so `nix build .#release` yields the published SHA256SUMS.
  description = "Craton HSM: PKCS#11 software HSM, reproducible releases";

  inputs.nixpkgs.url = "github:nixos/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
      # A release is of a commit: a dirty tree has no rev.
      commit = self.rev or (throw "craton-hsm: commit your changes first; a release is built from a commit");
      craton = import ./nix/release.nix {
        inherit pkgs commit;
        src = self;
        epoch = self.lastModified;
      };
      default = craton.release "default";
      fips = craton.release "fips";
      check = name: inputs: script:
        pkgs.runCommand "craton-check-${name}" { nativeBuildInputs = inputs; } ''
          ${script}
          touch $out
        '';
      verifyTools = [ pkgs.bash pkgs.jq pkgs.openssl pkgs.dpkg pkgs.rpm pkgs.cpio pkgs.git pkgs.python3 ];
    in
    {
      packages.${system} = {
        craton-hsm = default;
        craton-hsm-fips = fips;
        release = pkgs.linkFarm "craton-hsm-release" [
          { name = "default"; path = default; }
          { name = "fips"; path = fips; }
        ];
        default = self.packages.${system}.release;
      };

      devShells.${system}.default = pkgs.mkShell {
        packages = craton.tools ++ verifyTools;
      };

      checks.${system} = {
        # The same release built a second time in another work directory: identical bytes.
        build-twice = check "build-twice" [ pkgs.diffutils ] ''
          diff ${default}/SHA256SUMS ${craton.releaseWith { variant = "default"; work = "/tmp/second/deeper/work"; }}/SHA256SUMS
        '';
        # What a user runs on a download, on both releases.
        verify = check "verify" verifyTools ''
          CRATON_ADMIN=${default}/craton-admin bash ${self}/tools/verify-release.sh ${default} --allow-toolchain-mismatch --no-diffoscope
          CRATON_ADMIN=${fips}/craton-admin bash ${self}/tools/verify-release.sh ${fips} --allow-toolchain-mismatch --no-diffoscope
        '';
        # The flake runs the declared steps, not a copy: its list is packaging/steps.toml's.
        steps = check "steps" [ pkgs.python3 pkgs.jq ] ''
          python3 ${self}/tools/craton-build --src ${self} steps | jq -c '[.step[].name]' >steps.json
          [ "$(cat steps.json)" = '${builtins.toJSON craton.stepNames}' ]
        '';
      };

      # For tests/release/nix.sh and for reading: what the flake takes from the locks.
      lib.craton = {
        inherit (craton) stepNames variants;
        fetched = builtins.mapAttrs (_: map (e: { inherit (e) name url sha256; })) craton.fetched;
      };
    };
}
