"""One date format across the register (admin, workspace pages, emails): 16 Jan 2025 and 16 Jan 2025, 08:28 UTC.
Django's own en-gb formats mix "16 Jan 2025, 8:28 a.m." and "16/01/2025"; FORMAT_MODULE_PATH points here."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
