"""Reads `cargo metadata` and fails when a locked package needs a newer Rust than Portico's
rust-version says (only one toolchain is installed, so this is checked by reading)."""
import json
import sys


def version(text):
    return tuple(int(part) for part in text.split("."))


packages = json.load(sys.stdin)["packages"]
ours = next(p for p in packages if p["name"] == "portico")["rust_version"]
newer = [
    f"{p['name']} {p['version']} needs {p['rust_version']}"
    for p in packages
    if p.get("rust_version") and version(p["rust_version"]) > version(ours)
]
if newer:
    sys.exit(f"Cargo.toml's rust-version {ours} is not true: " + "; ".join(newer))
print(f"rust-version {ours} holds for every locked package")
