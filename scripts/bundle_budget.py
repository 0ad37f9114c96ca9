#!/usr/bin/env python3
"""Fails when the browser bundle outgrows its budgets; prints every file's size as sent.

Reads the site `scripts/build.sh` left in target/site: the content-hashed names from hash.txt
and the brotli copies made at build time, which are the bytes a browser accepting brotli
receives. Sizes of one build are fixed, so this is a test, not a benchmark.

Budgets (brotli bytes):
- the first download, which every page needs before it works: the loader script, the first
  wasm chunk, the split loader and the styles;
- each area's first visit (app/src/pages/lazy.rs groups pages into areas): its own chunk and
  the chunks it shares with other areas that the split manifest lists for it (a shared chunk
  already fetched costs nothing the second time, so this is the most an area can add).
The sign-in page's whole first load, HTML included, is checked in the browser by
end2end/tests/speed.spec.ts against 250 KB (250,000 bytes, headers included).
"""
import gzip, json, pathlib, sys

SITE = pathlib.Path(__file__).resolve().parent.parent / "target" / "site"
KB = 1024
FIRST_DOWNLOAD_BUDGET = 240 * KB
AREA_BUDGET = 400 * KB


def hashes():
    listing = SITE / "hash.txt"
    if not listing.exists():
        sys.exit(f"bundle budget: {listing} is missing; build with scripts/build.sh first")
    pairs = (line.split(":", 1) for line in listing.read_text().splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def br(path: pathlib.Path) -> int:
    copy = path.with_name(path.name + ".br")
    if not copy.exists():
        sys.exit(f"bundle budget: {copy.name} is missing; build with scripts/build.sh (it precompresses)")
    return copy.stat().st_size


def main():
    h = hashes()
    pkg = SITE / "pkg"
    first = [pkg / f"portcullis.{h['js']}.js", pkg / f"portcullis.{h['wasm']}.wasm", pkg / f"portcullis.{h['css']}.css"]
    if "split" in h:
        first.append(pkg / f"__wasm_split.{h['split']}.js")
    manifest = json.loads((pkg / f"__wasm_split_manifest.{h['manifest']}.json").read_text()) if "manifest" in h else {}
    # The split tool writes each area's own code to split_<area>_view_*.wasm, and code that
    # several areas share to chunk_N.wasm; the manifest lists what an area's first visit fetches.
    chunk_br = {p.name.split(".")[0]: br(p) for p in pkg.glob("*.wasm") if p not in first}

    failures = []
    first_br = sum(br(p) for p in first)
    print("first download (every page needs it)          raw        brotli")
    for p in first:
        print(f"  {p.name:<44} {p.stat().st_size/KB:8.1f} KiB {br(p)/KB:8.1f} KiB")
    print(f"  {'total':<44} {sum(p.stat().st_size for p in first)/KB:8.1f} KiB {first_br/KB:8.1f} KiB  (budget {FIRST_DOWNLOAD_BUDGET/KB:.0f} KiB)")
    initial_gzip = sum(len(gzip.compress(p.read_bytes(), 9)) for p in first[:2])
    print(f"  first chunk and its loader, gzip -9: {initial_gzip/KB:.1f} KiB")
    if first_br > FIRST_DOWNLOAD_BUDGET:
        failures.append(f"first download {first_br} B > {FIRST_DOWNLOAD_BUDGET} B")

    print(f"\neach area's first visit, on top of the first download (budget {AREA_BUDGET/KB:.0f} KiB brotli)")
    print(f"  {'area':<28} {'own chunk':>10} {'shared':>10} {'total':>10}")
    for split, files in sorted(manifest.items()):
        area = split.strip("_").removesuffix("_view").rsplit("_view_", 1)[0]
        own = sum(b for name, b in chunk_br.items() if name.startswith(f"split_{split}"))
        shared = sum(chunk_br.get(f.split(".")[0], 0) for f in files)
        print(f"  {area:<28} {own/KB:6.1f} KiB {shared/KB:6.1f} KiB {(own+shared)/KB:6.1f} KiB")
        if own + shared > AREA_BUDGET:
            failures.append(f"area {area}: {own + shared} B > {AREA_BUDGET} B")
    print(f"  {len(chunk_br)} chunks, {sum(chunk_br.values())/KB:.1f} KiB brotli in all")
    if not manifest:
        failures.append("no area chunks: the bundle was not split (build with scripts/build.sh)")

    if failures:
        sys.exit("bundle budget exceeded:\n  " + "\n  ".join(failures))
    print("\nbundle within budget")


if __name__ == "__main__":
    main()
