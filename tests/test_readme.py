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
