"""Generate stream/data/places_countries.tsv from babel CLDR + pycountry (build-time only)."""

from pathlib import Path

import pycountry
from babel import Locale

en = Locale("en").territories
idl = Locale("id").territories
rows = []
for c in pycountry.countries:
    a2 = c.alpha_2
    name_en = en.get(a2, c.name)
    forms = [name_en, c.name]
    for attr in ("common_name", "official_name"):
        v = getattr(c, attr, None)
        if v:
            forms.append(v)
    if a2 in idl:
        forms.append(idl[a2])
    seen = []
    for f in forms:
        f = f.strip()
        if f and f not in seen and "," not in f:
            seen.append(f)
    rows.append((a2, name_en, seen))
with open(str(Path(__file__).resolve().parent.parent / "stream" / "data" / "places_countries.tsv"), "w") as out:
    out.write(
        "# iso2\tEnglish name\tsurface forms (|-separated). "
        "Generated from CLDR (babel en/id territories) and pycountry.\n"
    )
    for a2, name, forms in rows:
        out.write(f"{a2}\t{name}\t{'|'.join(forms)}\n")
print(len(rows))
