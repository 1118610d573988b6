from riskreg.core.formats.en.formats import *  # noqa: F403 (the same formats for en-gb, the default language)
