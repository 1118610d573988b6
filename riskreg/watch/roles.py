"""Who does what in watch. Every role but the requester views everything (core.roles); the auditor only views.

Legal configures the sources and handles alerts (acknowledge, assign, resolve). Security reviewers see
the alerts that touch their reviews and may acknowledge them; resolving stays with legal.
"""

ROLE_PERMISSIONS = {
    "legal": [
        "add_watchsource",
        "change_watchsource",
        "delete_watchsource",
        "change_alert",
        "acknowledge_alert",
    ],
    "security": ["acknowledge_alert"],
}
