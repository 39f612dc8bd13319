"""Run the SQS compatibility suite: ``python -m sqslite.compat [pytest arguments]``.

Every argument goes to pytest, for example ``--endpoint URL``, ``--aws``,
``--report PATH`` or ``-m "not waits"``. The suite's folder is passed to pytest
as a path, so that its conftest registers those options.
"""

import sys
from pathlib import Path

import pytest


def main(arguments: list[str] | None = None) -> int:
    if arguments is None:
        arguments = sys.argv[1:]
    suite = str(Path(__file__).resolve().parent)
    # The installed suite lives in site-packages, so write no cache there.
    return int(pytest.main([suite, "-p", "no:cacheprovider", *arguments]))


if __name__ == "__main__":
    sys.exit(main())
