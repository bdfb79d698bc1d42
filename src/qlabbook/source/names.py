"""People's names as authors write them ("Ada Lovelace", "Lovelace, Ada", "The Q Lab") read
into their parts once, for the citation records and every format's metadata alike."""

from __future__ import annotations


def people(names: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """CSL names from names as written ("Ada Lovelace", "Lovelace, Ada", "The Q Lab"): a
    name of several words is family name last, unless a comma says otherwise; an
    organisation's name (one word, or starting "The") is kept whole."""
    found = []
    for name in names:
        if "," in name:
            family, given = (part.strip() for part in name.split(",", 1))
            found.append({"family": family, "given": given})
        elif " " not in name.strip() or name.startswith("The "):
            found.append({"literal": name})
        else:
            given, family = name.rsplit(" ", 1)
            found.append({"family": family, "given": given})
    return found


def display_name(name: dict[str, str]) -> str:
    """A CSL name as a reader is shown it: "Ada Lovelace", "The Q Lab"."""
    return name.get("literal") or f"{name['given']} {name['family']}"


def sort_name(name: dict[str, str]) -> str:
    """A CSL name as a list sorted by family name has it: "Lovelace, Ada"; an
    organisation's name whole."""
    return name.get("literal") or f"{name['family']}, {name['given']}"


def display_names(names: tuple[str, ...] | list[str]) -> list[str]:
    """Names as written, as a reader is shown them: "Lovelace, Ada" is "Ada Lovelace"."""
    return [display_name(name) for name in people(names)]
