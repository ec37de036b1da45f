"""The Bazel front door of Craton HSM releases (docs/release.md).

Bazel does not reimplement the build: every target is one step of packaging/steps.toml (the one
declared step list, read here through the @craton_env repository), run by tools/craton-build
inside the locked build root, exactly as tools/release.sh runs it. So `bazel build //:release`
gives the bytes of `tools/release.sh`.

- craton_environment (repository rule, the fetch phase, which may use the network): makes or
  verifies the locked build environment and the vendored crates (`tools/craton-build prepare
  --vendor`) and turns the step list into Starlark (steps.bzl).
- craton_step (rule): one step as one sandboxed action (network denied by .bazelrc), its output a
  directory.
- craton_release_targets (macro): the targets of every step of every variant.
"""

_WATCHED = [
    "//:packaging/toolchain.toml",
    "//:packaging/toolchain.lock",
    "//:packaging/steps.toml",
    "//:Cargo.lock",
    "//:rust-toolchain.toml",
]

def _environment_impl(rctx):
    ws = rctx.path(Label("//:WORKSPACE")).dirname
    for f in _WATCHED:
        rctx.read(Label(f))  # re-run this rule when one of them changes
    python = rctx.which("python3")
    if not python:
        fail("python3 (>= 3.11) is needed")
    runner = str(ws) + "/tools/craton-build"
    r = rctx.execute(
        [python, runner, "--src", str(ws), "prepare", "--vendor", "--json-out", str(rctx.path("env.json"))],
        timeout = 7200,
        quiet = False,
    )
    if r.return_code != 0:
        fail("tools/craton-build prepare failed:\n" + r.stderr)
    r = rctx.execute([python, runner, "--src", str(ws), "steps"])
    if r.return_code != 0:
        fail("tools/craton-build steps failed:\n" + r.stderr)
    rctx.file("steps.bzl", "STEPS = json.decode('''%s''')\n" % r.stdout)
    dll = rctx.os.environ.get("CRATON_WINDOWS_DLL", "")
    if dll:
        rctx.symlink(dll, "craton_hsm.dll")
    rctx.file("BUILD.bazel", 'exports_files(["env.json"%s])\n' % (', "craton_hsm.dll"' if dll else ""))
    rctx.file("windows.bzl", "WINDOWS_DLL = %s\n" % ("True" if dll else "False"))

craton_environment = repository_rule(
    implementation = _environment_impl,
    environ = ["CRATON_RELEASE_CACHE", "XDG_CACHE_HOME", "HOME", "RUSTUP_HOME", "CRATON_WINDOWS_DLL"],
    doc = "The locked build environment (packaging/toolchain.lock) and the declared steps.",
)

def _step_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name)
    args = ctx.actions.args()
    args.add(ctx.info_file)
    args.add(ctx.file.env)
    args.add(out.path)
    args.add(ctx.attr.step)
    args.add(ctx.attr.variant)
    inputs = list(ctx.files.srcs) + [ctx.info_file, ctx.file.env]
    for target, name in ctx.attr.inputs.items():
        files = target.files.to_list()
        inputs += files
        args.add("%s=%s" % (name, files[0].path))
    if ctx.file.windows_dll:
        inputs.append(ctx.file.windows_dll)
        args.add("windows-dll=" + ctx.file.windows_dll.path)
    ctx.actions.run(
        executable = ctx.executable._wrapper,
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "CratonStep",
        progress_message = "craton step %s (%s)" % (ctx.attr.step, ctx.attr.variant),
        # The steps are long and hermetic by themselves; keep them out of remote caches that
        # would not have the build root.
        execution_requirements = {"no-remote": "1", "requires-network": "0"},
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

craton_step = rule(
    implementation = _step_impl,
    attrs = {
        "step": attr.string(mandatory = True),
        "variant": attr.string(mandatory = True),
        "inputs": attr.label_keyed_string_dict(doc = "outputs of earlier steps -> their step names"),
        "srcs": attr.label_list(allow_files = True),
        "env": attr.label(allow_single_file = True, mandatory = True),
        "windows_dll": attr.label(allow_single_file = True),
        "_wrapper": attr.label(default = "//:tools/bazel-step.sh", executable = True, cfg = "exec", allow_single_file = True),
    },
    doc = "One step of packaging/steps.toml, run in the locked build root by tools/craton-build.",
)

def target_name(step, variant):
    base = "libcraton_hsm" if step == "library" else step
    return base if variant == "default" else base + "_" + variant

def craton_release_targets(steps, srcs, windows_dll = False):
    """Every step of every variant of packaging/steps.toml, wired by the steps' declared inputs."""
    for variant in steps["variant"]:
        made = {}
        for s in steps["step"]:
            if s.get("when") == "windows-dll" and not windows_dll:
                continue
            inputs = {}
            for i in s["inputs"]:
                i = i.rstrip("?")
                if i in made:
                    inputs[made[i]] = i
            name = target_name(s["name"], variant)
            craton_step(
                name = name,
                step = s["name"],
                variant = variant,
                inputs = inputs,
                srcs = srcs,
                env = "@craton_env//:env.json",
                windows_dll = "@craton_env//:craton_hsm.dll" if "windows-dll" in s["inputs"] else None,
                visibility = ["//visibility:public"],
            )
            made[s["name"]] = ":" + name
