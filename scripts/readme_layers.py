"""Write the layer reference between the README's layer markers (run after changing a schema)."""

from pathlib import Path

from landplan.layers import describe_layers

START, END = "<!-- layers:start -->", "<!-- layers:end -->"


def render(text: str) -> str:
    """Return the README text with the generated layer tables between the markers."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{describe_layers()}\n{END}{tail}"


if __name__ == "__main__":
    readme = Path(__file__).resolve().parent.parent / "README.md"
    readme.write_text(render(readme.read_text(encoding="utf-8")), encoding="utf-8")
