"""The README's layer reference is generated from the schemas and must stay in step with them."""

from pathlib import Path

from scripts.readme_layers import render

README = Path(__file__).resolve().parent.parent / "README.md"


def test_layer_reference_is_current():
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "run: python scripts/readme_layers.py"
    assert "| `parcel_id` | 地块编号 |" in text


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "landplan demo" in text
    assert "bash scripts/test.sh" in text


def test_import_tables_are_current():
    from scripts.import_docs import DOC
    from scripts.import_docs import render as render_import

    text = DOC.read_text(encoding="utf-8")
    assert render_import(text) == text, "run: python scripts/import_docs.py"
    assert "| `0601` | 工业用地 | industrial | M1/M2/M3 → **M** (warned)" in text


def test_layout_lists_every_module_once():
    """The Layout section shows the package tree: one line per module, none missing, none gone."""
    import re

    text = README.read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```")[1]
    listed, folders = [], []
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)", line)
        if not match or not match.group(2).endswith((".py", "/")):
            continue
        depth = len(match.group(1)) // 2
        folders[depth:] = [match.group(2)]
        if match.group(2).endswith(".py"):
            listed.append("".join(folders))
    package = README.parent / "landplan"
    modules = sorted(
        str(p.relative_to(README.parent))
        for p in package.rglob("*.py")
        if p.name != "__init__.py" and "datasets" not in p.parts
    )
    assert sorted(listed) == modules
