from .harness import Case


def config_cases() -> list[Case]:
    return []
