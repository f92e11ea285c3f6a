"""Write the profile and code tables between docs/import.md's markers (run after changing them)."""

from pathlib import Path

from landplan.landuse import SCHEMES, crosswalk
from landplan.profiles import builtin_profiles, load_profile
from landplan.vocab import LAND_USE

START, END = "<!-- import-tables:start -->", "<!-- import-tables:end -->"
_UNITS = {"m2": "m²", "mu": "亩", "ha": "公顷"}
DOC = Path(__file__).resolve().parent.parent / "docs" / "import.md"


def _profiles() -> list[str]:
    out = ["### The built-in profiles\n"]
    for name in sorted(builtin_profiles()):
        p = load_profile(name)
        out.append(f"#### `{p.id}`: {p.zh} — {p.en}\n")
        layers = ", ".join(f"`{s}`" for s in p.source_layers) or "the only one"
        scheme = SCHEMES[p.land_use_scheme].short if p.land_use_scheme else "—"
        out.append(
            f"Layer `{p.layer}`; source layer looked for: {layers}; land-use codes: {scheme}.\n"
        )
        out.append("| landplan column | source field | codes |")
        out.append("| --- | --- | --- |")
        for target, names in p.fields.items():
            codes = ", ".join(f"{k} → {v}" for k, v in p.codes.get(target, {}).items())
            spelled = " or ".join(f"`{n}`" for n in names)
            out.append(f"| `{target}` | {spelled} | {codes} |")
        for target, value in p.defaults.items():
            out.append(f"| `{target}` | (default) | `{value}` |")
        if p.area_tolerance_share is not None:
            out.append(
                f"\nOfficial area in {_UNITS[p.area_unit]}; a warning where the computed area "
                f"differs by more than {p.area_tolerance_share:.1%}."
            )
        if p.land_use_name_field:
            spelled = " or ".join(f"`{n}`" for n in p.land_use_name_field)
            out.append(f"\n{spelled} is checked against the code table's name.")
        out.append("")
    return out


def _classes() -> list[str]:
    out = ["### Land-use classes\n", "| class | 中文 | English |", "| --- | --- | --- |"]
    out += [f"| `{k}` | {v[1]} | {v[0]} |" for k, v in LAND_USE.labels.items()]
    return [*out, ""]


def _codes() -> list[str]:
    out: list[str] = []
    for s in SCHEMES.values():
        out.append(f"### `{s.id}`: {s.short} {s.zh}\n")
        out.append(f"Also written: {', '.join(s.spellings)}.\n")
        out.append("| code | 名称 | name | class | note |")
        out.append("| --- | --- | --- | --- | --- |")
        for c in s.codes.values():
            classes = "/".join(c.classes) or "—"
            given = c.land_class or "none"
            cls = classes if len(c.classes) == 1 else f"{classes} → **{given}** (warned)"
            out.append(f"| `{c.code}` | {c.zh} | {c.en} | {cls} | {c.note} |")
        out.append("")
    for source, target in (("gbt21010", "ydyh2023"), ("gbt21010_2007", "gbt21010")):
        a, b = SCHEMES[source], SCHEMES[target]
        out.append(f"### Crosswalk: {a.short} → {b.short}\n")
        out.append("| code | 名称 | to | 名称 |")
        out.append("| --- | --- | --- | --- |")
        for code in a.codes.values():
            targets = crosswalk(code.code, source, target)
            if targets:
                to = "; ".join(f"`{t.code}`" for t in targets)
                names = "; ".join(t.zh for t in targets)
                out.append(f"| `{code.code}` | {code.zh} | {to} | {names} |")
        out.append("")
    return [*out, ""]


def render(text: str) -> str:
    """Return the page with the generated tables between the markers."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    body = "\n".join([*_profiles(), *_classes(), *_codes()])
    return f"{head}{START}\n{body}\n{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
