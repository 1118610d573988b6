"""Who does what with captures. Every role but the requester views them (core.roles); the auditor only views.

Legal captures sources (fetch now, upload the copy they have) and resolves the alerts a re-check raises.
"""

ROLE_PERMISSIONS = {
    "legal": ["add_capture"],
}
