"""sqslite: a local Amazon SQS emulator over SQLite."""

__version__ = "0.1.0"
