from .harness import Case


def outdir_cases() -> list[Case]:
    return []
