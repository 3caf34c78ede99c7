"""The one theme taxonomy shared by every part of PAQA.

It lives in core (the lowest floor) so that every part can tag its records with the same slugs
without importing each other; the `themes` app (top floor) reads every part by these slugs.
Seeded with the reference report's themes.
"""

THEMES: dict[str, str] = {
    "information-sharing": "Information sharing",
    "multi-agency-chronologies": "Multi-agency chronologies",
    "co-ordinated-work": "Co-ordinated work",
    "think-family": "Think family",
    "voice-of-the-child": "Voice of the child",
    "working-together": "Understanding of safeguarding duties",
    "neglect": "Neglect",
    "attendance-at-conferences": "Attendance at conferences",
    "exploitation": "Exploitation and missing",
    "mental-health": "Mental health",
    "education": "Education and attendance",
    "workload": "Workload and complexity",
    "recruitment-and-retention": "Recruitment and retention",
    "domestic-abuse": "Domestic abuse",
    "training": "Training",
}

# Slugs some parts used before the taxonomy was shared, and the theme they mean.
ALIASES: dict[str, str] = {"exploitation-and-missing": "exploitation"}


def theme_label(slug: str) -> str:
    slug = ALIASES.get(slug, slug)
    return THEMES.get(slug, slug.replace("-", " ").capitalize())


def theme_choices() -> list[tuple[str, str]]:
    return list(THEMES.items())


def canonical_themes(slugs: object) -> list[str]:
    """A record's theme slugs as the shared taxonomy names them (old aliases mapped), each once,
    in their order. Anything that is not a list of slugs gives none."""
    if not isinstance(slugs, list | tuple):
        return []
    return list(dict.fromkeys(ALIASES.get(str(slug), str(slug)) for slug in slugs if slug))


def theme_labels(slugs: object) -> list[str]:
    """A record's themes by the names every page gives them, in its order, each once."""
    return [theme_label(slug) for slug in canonical_themes(slugs)]
